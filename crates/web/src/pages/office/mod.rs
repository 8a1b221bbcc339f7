//! The office's pages.

pub mod setup;
pub mod sign_in;
