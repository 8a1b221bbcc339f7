//! The office's pages.

pub mod api_keys;
pub mod availability;
pub mod catalogue;
pub mod charts;
pub mod contact_access;
pub mod customers;
pub mod email_templates;
pub mod home;
pub mod outbox;
pub mod requests;
pub mod setup;
pub mod sign_in;
pub mod support;
pub mod visit_settings;
pub mod webhooks;

pub mod jobs;

pub mod documents;

pub mod payments;
pub mod procs;

pub mod company;

pub mod onboarding;
// import (issue 18)
pub mod exports;
pub mod import_hub;
// import-pages (issue 18)
pub mod imports;
// import-invoices (issue 18)
pub mod export_invoices;
