//! Use cases of customers, contacts and sites.
