//! The office's pages for estimates and invoices.
