//! `Form`, `Query` and `Path` as handlers use them: axum's own, except that a value the
//! handler cannot read (a word where a number belongs, a missing field, a form sent with
//! the wrong content type) answers the branded error page with axum's status, never
//! axum's plain-text rejection. `clippy.toml` forbids the axum originals in handlers.

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::WebError;

/// A urlencoded form (or, on GET, the query string) read into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Form<T>(pub T);

/// The query string read into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

/// The path's parameters read into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl From<FormRejection> for WebError {
    fn from(rejection: FormRejection) -> Self {
        tracing::debug!(error = %rejection.body_text(), "form rejected");
        WebError::Unreadable(rejection.status())
    }
}

impl From<QueryRejection> for WebError {
    fn from(rejection: QueryRejection) -> Self {
        tracing::debug!(error = %rejection.body_text(), "query rejected");
        WebError::Unreadable(rejection.status())
    }
}

impl From<PathRejection> for WebError {
    fn from(rejection: PathRejection) -> Self {
        tracing::debug!(error = %rejection.body_text(), "path rejected");
        match rejection {
            // `/office/catalogue/abc`: an address that names nothing.
            PathRejection::FailedToDeserializePathParams(_) => WebError::NotFound,
            other => WebError::Unreadable(other.status()),
        }
    }
}

#[allow(clippy::disallowed_types)]
impl<T, S> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Form(value) = axum::Form::<T>::from_request(req, state).await?;
        Ok(Form(value))
    }
}

#[allow(clippy::disallowed_types)]
impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(value))
    }
}

#[allow(clippy::disallowed_types)]
impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(value))
    }
}

/// The first value of field `name` in a form read as pairs; empty when absent.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}
