//! The office's pages for company setup: details, staff, audit log.
