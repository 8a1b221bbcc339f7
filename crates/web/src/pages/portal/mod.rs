//! The customer portal's pages.

pub mod sign_in;
