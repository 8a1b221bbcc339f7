//! Credentials: password hashing and single-use tokens.

pub mod password;
pub mod token;
