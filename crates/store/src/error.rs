//! The storage layer's one error type.

/// What can go wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL could not be understood.
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    /// The database could not be reached or opened.
    #[error("cannot reach the database: {0}")]
    Unreachable(String),
    /// Migrations could not be applied.
    #[error("cannot apply migrations: {0}")]
    Migration(String),
    /// The record does not exist within the caller's scope.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken (e.g. a slug or email already taken); names the rule.
    #[error("already exists: {0}")]
    Conflict(String),
    /// The operation does not exist on this engine.
    #[error("{0}")]
    Unsupported(String),
    /// Anything else the driver reported.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.constraint().unwrap_or("unique").to_owned())
            }
            _ => StoreError::Database(err),
        }
    }
}
