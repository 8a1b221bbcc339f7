//! The office's use cases for customers, contacts and sites.
