//! The integration suite: the real application on an ephemeral port, over HTTP, on a
//! fresh SQLite file and on a real PostgreSQL database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod cli;
mod health;
mod helpers;
mod jobs;
mod permissions;
mod security_headers;
mod setup_link;
mod sign_in;
mod tenancy;
