//! The use cases of `doorstep_app`, called without HTTP on both engines: each one's
//! outcome and its refusals (wrong actor, wrong state, bad input), after which nothing
//! was written.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod world;

mod access;
mod booking;
mod credentials;
mod estimates;
mod requests;
mod settings;
mod sign_in;
mod support;

mod customers;

mod jobs;

mod documents;

mod cards;
mod deposits;
mod online_payments;
mod payments;
mod procs;

mod company;

mod local_time;

mod chain;
mod job_files;
mod rules;

mod domains;
mod import;
mod office_bad_input;
mod setup;

mod api_keys;
mod webhooks;
