//! The customer portal's pages.

pub mod accounts;
pub mod billing;
pub mod cards;
pub mod dashboard;
pub mod deposits;
pub mod estimate_answers;
pub mod estimates;
pub mod files;
pub mod invoices;
pub mod jobs;
pub mod password_links;
pub mod pay;
pub mod payments;
pub mod pdfs;
pub mod proposal;
pub mod requests;
pub mod sign_in;
pub mod sign_in_link;
pub mod sign_out;
pub mod sign_up;
pub mod statement;
pub mod support;
pub mod visits;
