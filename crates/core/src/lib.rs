//! Doorstep's domain: the rules every other crate relies on, free of I/O.
//!
//! Nothing here knows about HTTP or SQL, so every rule can be unit-tested
//! in isolation and reused by the portal, the office, the API and the CLI.

pub mod ageing;
pub mod api_keys;
pub mod authz;
pub mod credentials;
pub mod customers;
pub mod deposits;
pub mod documents;
pub mod email;
pub mod estimates;
pub mod ids;
pub mod job_forms;
pub mod jobs;
pub mod money;
pub mod password;
pub mod payments;
pub mod settings;
pub mod sign_in;
pub mod status;
pub mod support;
pub mod tenancy;
pub mod theme;
pub mod totals;
pub mod validation;

pub use validation::Invalid;
pub mod availability;
pub mod catalogue;
pub mod charts;
pub mod company;
pub mod control_chars;
pub mod customer_import;
pub mod import_kinds;
pub mod local_time;
pub mod request_form;
pub mod visits;
pub mod webhooks;
// api-assets (issue 20)
pub mod assets;
// api-people (issue 20)
pub mod portal_access;
// import-pages (issue 18)
pub mod import_mapping;
// import-invoices (issue 18)
pub mod invoice_import;
