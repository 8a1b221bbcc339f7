//! The one error type for rejected input, carrying which field was wrong.

/// A value that failed validation: which field, and a message fit to show its user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Invalid {
    /// The name of the field (form field, CLI flag, API property) that was wrong.
    pub field: &'static str,
    /// A sentence a person can act on.
    pub message: String,
}

impl Invalid {
    /// Builds an error for `field` with a human-readable `message`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
