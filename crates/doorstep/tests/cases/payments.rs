//! Use cases of payments.
