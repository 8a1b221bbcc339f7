//! The office's use cases for company setup: details, staff, audit log.
