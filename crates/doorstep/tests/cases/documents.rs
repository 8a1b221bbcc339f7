//! Use cases of estimates and invoices the office writes.
