//! The attacks of the security and reliability reviews (issue 14), one module per finding.
//!
//! Each test replays an attack that once got through, against the real application on
//! both engines, and fails if it gets through again. CI counts every test under
//! `attacks::` and prints "N attacks tried, N got through" (`.ci/run`, `attack_summary`).
mod data;
mod uploads;

mod links;
mod server;

pub(crate) mod scope;

mod signin;
