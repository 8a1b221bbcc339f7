//! The customer portal's pages.

pub mod accounts;
pub mod files;
pub mod home;
pub mod jobs;
pub mod password_links;
pub mod sign_in;
pub mod sign_in_link;
pub mod sign_out;
