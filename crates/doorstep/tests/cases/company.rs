//! Use cases of company setup: details, staff, audit log.
