//! The office's pages.

pub mod contact_access;
pub mod customers;
pub mod home;
pub mod outbox;
pub mod setup;
pub mod sign_in;
