//! Use cases of jobs.
