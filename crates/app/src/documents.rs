//! The office's use cases for estimates and invoices the office writes.
