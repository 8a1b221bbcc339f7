//! The office's use cases for payments.
