//! One module per page or action.

pub mod assets;
pub mod central;
pub mod health;
pub mod office;
pub mod portal;
pub mod security;
pub mod two_factor;
pub mod webhooks;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod audiences;
