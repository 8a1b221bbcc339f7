//! The office's pages for payments.
