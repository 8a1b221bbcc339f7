//! All of Doorstep's SQL. Each module holds one aggregate's queries; every query is
//! scoped by company, and no unscoped finder exists.
//!
//! One code path serves SQLite and PostgreSQL: `on_pool!` and `on_tx!` expand the
//! same sqlx call once per engine, so the SQL is written once and checked on both by
//! the conformance tests. Engine-specific SQL sits side by side where engines differ.

pub mod api;
pub mod api_billing;
pub mod api_jobs;
pub mod assets;
pub mod audit;
pub mod availability;
mod backend;
pub mod billing;
pub mod booking;
/// Benchmark-only bulk loading; not part of the production store (enable the `bench` feature).
#[cfg(feature = "bench")]
pub mod bulk;
pub mod catalogue;
pub mod charts;
pub mod companies;
mod company_cache;
pub mod company_details;
pub mod company_domains;
pub mod contacts;
pub mod conversation;
pub mod customer_book;
pub mod customer_reads;
pub mod customers;
pub mod dashboard;
pub mod demo_support;
pub mod deposits;
pub mod doc_lines;
pub mod email_templates;
mod error;
pub mod estimates;
pub mod files;
pub mod imports;
mod insert;
pub mod invoices;
pub mod job_detail;
pub mod job_files;
pub mod job_list;
pub mod job_writes;
pub mod jobs;
pub mod locked_notice;
pub mod office_documents;
pub mod office_jobs;
pub mod online_payments;
pub mod outbox;
pub mod payments;
mod pg_reads;
mod portal_session;
pub mod refunds;
pub mod request_inbox;
pub mod request_portal;
pub mod requests;
pub mod saved_methods;
mod scope;
pub mod sessions;
pub mod setup;
mod sqlite_reads;
mod sqlite_tx;
pub mod staff;
pub mod support;
pub mod throttle;
mod time;
pub mod tokens;
pub mod two_factor;
pub mod visits;
pub mod webhooks;
// api-assets (issue 20)
pub mod asset_book;
// api-people (issue 20)
pub mod api_people;
// api-estimates (issue 20)
pub mod api_estimates;
// api-requests (issue 20)
pub mod api_requests;

// The raw pools and the SQL-running macros are for the store itself, its tests and the
// integration tests: public only with the `test-support` feature (dev-dependencies only).
#[cfg(feature = "test-support")]
#[doc(hidden)]
pub use backend::{Backend, TxInner};
#[cfg(not(feature = "test-support"))]
pub(crate) use backend::{Backend, TxInner, on_pool, on_tx};
pub use backend::{DbKind, Store, Tx};
pub use error::StoreError;
pub use time::{DbTime, db_time, now};
// import (issue 18)
pub mod import_kinds;
// import-jobs (issue 18)
pub mod import_jobs;
// import-invoices (issue 18)
pub mod import_invoices;
