//! The office's pages for jobs.
