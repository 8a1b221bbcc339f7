//! What every `/api/v1` resource shares: JSON in and out, typed ids from the path, the
//! page of a list with its cursor, field names as the API spells them, and a write that
//! checks the key's scope and runs once per `Idempotency-Key`. A resource module keeps
//! only its own shapes and the use cases it calls.
//!
//! axum's own `Query` is used on purpose: its rejection becomes a problem, not the
//! branded HTML page the pages' extractor answers.
#![allow(clippy::disallowed_types)]

use std::future::Future;

use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use doorstep_app::error::FieldErrors;
use doorstep_app::{ApiActor, AppError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;

use super::idempotency;
use super::paging::{ListQuery, Page, encode};
use super::problem::Problem;
use crate::AppState;

/// A JSON answer with `status`.
pub fn json(status: StatusCode, value: &impl Serialize) -> Response {
    let body = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned());
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `201 Created` with `Location: location`.
pub fn created(location: &str, value: &impl Serialize) -> Response {
    let mut response = json(StatusCode::CREATED, value);
    if let Ok(v) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// The request body as `T`, or a 422 naming the body.
pub fn json_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|e| {
        let message = if body.is_empty() {
            "Send the fields as a JSON object.".to_owned()
        } else {
            format!("The body is not the JSON this endpoint takes: {e}.")
        };
        Problem::field("validation", "body", message)
    })
}

/// A field that is present, `null` or not: `Some(None)` for `null` (use with
/// `#[serde(default, deserialize_with = "present")]`).
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The answer, or the problem as its answer.
pub fn answer(result: Result<Response, Problem>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

/// A positive id from the path as `T`; anything else is 404 (as a wrong id is).
pub fn id_of<T>(raw: &str, typed: impl FnOnce(i64) -> T) -> Result<T, Problem> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(typed)
        .ok_or_else(Problem::not_found)
}

/// The list's query checked, a wrong one answered as a problem.
pub fn list_query(query: Result<Query<ListQuery>, QueryRejection>) -> Result<Page, Problem> {
    let Query(query) =
        query.map_err(|e| Problem::field("invalid-parameter", "query", e.body_text()))?;
    query.check()
}

/// Cuts the `limit + 1` rows read to one page and the cursor of the next, keyed by
/// `(updated_at, id)` of its last row.
pub fn page_of<R>(
    mut rows: Vec<R>,
    page: &Page,
    key: impl Fn(&R) -> (OffsetDateTime, i64),
) -> (Vec<R>, Option<String>) {
    if rows.len() as i64 > page.limit {
        rows.truncate(page.limit as usize);
        let next = rows.last().map(|r| {
            let (at, id) = key(r);
            encode(at, id)
        });
        (rows, next)
    } else {
        (rows, None)
    }
}

/// Field errors with the form's names turned into the API's (`(form, api)` pairs).
pub fn api_names(mut errors: FieldErrors, renames: &[(&str, &'static str)]) -> FieldErrors {
    for e in &mut errors.0 {
        if let Some((_, to)) = renames.iter().find(|(from, _)| *from == e.field) {
            e.field = to;
        }
    }
    errors
}

/// A use case's refusal as a problem, with the form's field names turned into the API's.
pub fn refused(err: AppError, renames: &[(&str, &'static str)]) -> Problem {
    match err {
        AppError::Invalid(e) => Problem::fields(&api_names(FieldErrors(vec![e]), renames)),
        other => Problem::from(other),
    }
}

/// A write: refused at once for a read-only key; otherwise `run` once per
/// `Idempotency-Key` of this `method` and `path`.
pub async fn write<F, Fut>(
    state: &AppState,
    actor: &ApiActor,
    headers: &HeaderMap,
    method: Method,
    path: &str,
    body: &Bytes,
    run: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Response, Problem>>,
{
    if let Err(e) = actor.writer() {
        return Problem::from(e).into_response();
    }
    idempotency::once(state, actor, headers, &method, path, body, || async {
        answer(run().await)
    })
    .await
}
