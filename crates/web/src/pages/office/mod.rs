//! The office's pages.

pub mod home;
pub mod setup;
pub mod sign_in;
