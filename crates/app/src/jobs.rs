//! The office's use cases for jobs.
