//! The integration suite: the real application on an ephemeral port, over HTTP, on a
//! fresh SQLite file and on a real PostgreSQL database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod api;
mod api_billing;
mod api_job_files;
mod api_jobs;
mod attacks;
mod billing_data;
mod cards;
mod catalogue;
mod charts;
mod cli;
mod company;
mod customers_office;
mod dashboard;
mod estimates;
mod health;
mod helpers;
mod import;
mod invoices;
mod job_files;
mod jobs;
mod local_time;
mod office_bad_input;
mod office_documents;
mod office_jobs;
mod online_payments;
mod payments;
mod pdfs;
mod permissions;
mod procs;
mod reminders;
mod request_inbox;
mod request_photos;
mod requests;
mod security_headers;
mod sessions;
mod setup_link;
mod sign_in;
mod sign_up;
mod single_company;
mod snapshot;
mod support;
mod tenancy;
mod two_factor;
mod visits;
mod webhooks_out;

mod domains;
mod setup;

// api-assets (issue 20)
mod api_assets;
mod assets;
// api-people (issue 20)
mod api_people;
// api-estimates (issue 20)
mod api_estimates;
// import (issue 18)
mod import_kinds;
// api-requests (issue 20)
mod api_requests;
// import-jobs (issue 18)
mod import_jobs;
// import-pages (issue 18)
mod import_pages;
// import-invoices (issue 18)
mod import_invoices;
