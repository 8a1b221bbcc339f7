//! The application layer's one error type: what a use case refuses, and why.

use doorstep_core::validation::Invalid;
use doorstep_store::StoreError;

/// Why a use case did nothing. Every variant but [`AppError::Store`] is an answer for the
/// person (each page renders it next to its form); none leaves anything written.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nothing here, or nothing this actor may see or do (the two look the same on
    /// purpose: a wrong id never tells whether the record exists).
    #[error("not found")]
    NotFound,
    /// A field of the command is wrong; carries which and what to tell the person.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The record's state does not allow the change (a closed ticket, an estimate
    /// already answered) or changed while the person was working. `reason` is a stable
    /// code a page may word for its audience (e.g. `closed`, `changed`); `message` says it
    /// in neutral words.
    #[error("conflict ({reason}): {message}")]
    Conflict {
        /// A stable code for the kind of clash.
        reason: &'static str,
        /// What to tell the person.
        message: String,
    },
    /// The change clashes with a record that exists (a unique rule, e.g. a name taken);
    /// names the rule.
    #[error("already exists: {0}")]
    Duplicate(String),
    /// The database failed; the cause is kept for the log.
    #[error("storage failed")]
    Store(#[source] StoreError),
    /// Something that cannot fail in practice did (hashing, sealing, a worker thread);
    /// the cause is kept for the log.
    #[error("internal failure: {0}")]
    Internal(String),
}

impl AppError {
    /// A clash of kind `reason` with a message for the person.
    pub fn conflict(reason: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            reason,
            message: message.into(),
        }
    }

    /// The record changed while the person was working on it.
    pub fn changed() -> Self {
        AppError::conflict(
            "changed",
            "It changed while you were working on it; check it and try again.",
        )
    }

    /// The clash's code, when the command was refused for one.
    pub fn conflict_reason(&self) -> Option<&'static str> {
        match self {
            AppError::Conflict { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The field error, when the command was refused for one.
    pub fn invalid(&self) -> Option<&Invalid> {
        match self {
            AppError::Invalid(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(rule) => AppError::Duplicate(rule),
            other => AppError::Store(other),
        }
    }
}

/// Several fields of one form refused at once, so the page can show each message next to
/// its field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<Invalid>);

impl FieldErrors {
    /// The message for `field`, if it was refused.
    pub fn get(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }

    /// Records `result`'s error, if any, and passes its value on.
    pub fn check<T>(&mut self, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    /// Whether nothing was refused.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
