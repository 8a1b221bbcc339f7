//! RFC 9457 problem details: every refusal of the API is `application/problem+json` with
//! a `type` (a link to its explanation in `/api/docs`), a `title`, the `status`, a
//! `detail` for people and, for refused fields, `errors` naming each field.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use doorstep_app::AppError;
use doorstep_app::error::FieldErrors;
use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

/// The media type of every refusal.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One refused field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// The property (as the request named it, or `body` for the request as a whole).
    pub field: String,
    /// What is wrong with it, in words a person can act on.
    pub message: String,
}

/// An RFC 9457 problem.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// What kind of problem: a link to its explanation in the API documentation.
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind of problem in a few words (the same for every problem of the kind).
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened this time.
    pub detail: String,
    /// The refused fields, each with its message (validation problems only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// The problem kinds: (slug, status, title). Each is explained at `/api/docs#problem-{slug}`.
pub const KINDS: &[(&str, u16, &str)] = &[
    (
        "unauthorized",
        401,
        "The API key is missing, unknown or revoked",
    ),
    ("forbidden", 403, "The API key may not do this"),
    ("not-found", 404, "No such record"),
    (
        "invalid-parameter",
        400,
        "A query or path parameter is wrong",
    ),
    ("validation", 422, "The request's fields were refused"),
    ("conflict", 409, "The record's state does not allow this"),
    ("duplicate", 409, "Another record already has this"),
    (
        "idempotency-key-reused",
        422,
        "This Idempotency-Key was used for another request",
    ),
    (
        "idempotency-key-in-use",
        409,
        "A request with this Idempotency-Key is still running",
    ),
    ("rate-limited", 429, "Too many requests with this API key"),
    ("too-large", 413, "The request body is too large"),
    ("busy", 503, "The server is busy with other uploads"),
    ("internal", 500, "The server failed"),
];

impl Problem {
    /// A problem of kind `slug` (one of [`KINDS`]) with `detail`.
    pub fn new(slug: &'static str, detail: impl Into<String>) -> Problem {
        let (status, title) = KINDS
            .iter()
            .find(|(s, _, _)| *s == slug)
            .map_or((500, "The server failed"), |(_, status, title)| {
                (*status, *title)
            });
        Problem {
            kind: format!("/api/docs#problem-{slug}"),
            title: title.to_owned(),
            status,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// Refused fields.
    pub fn fields(errors: &FieldErrors) -> Problem {
        let mut p = Problem::new("validation", "Some fields were refused; see `errors`.");
        p.errors = errors
            .0
            .iter()
            .map(|e| FieldError {
                field: e.field.to_owned(),
                message: e.message.clone(),
            })
            .collect();
        p
    }

    /// One refused field or parameter of kind `slug`.
    pub fn field(slug: &'static str, field: &str, message: impl Into<String>) -> Problem {
        let message = message.into();
        let mut p = Problem::new(slug, message.clone());
        p.errors = vec![FieldError {
            field: field.to_owned(),
            message,
        }];
        p
    }

    /// The 404 every wrong or foreign id gets.
    pub fn not_found() -> Problem {
        Problem::new(
            "not-found",
            "There is no such record for this API key's company.",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self).unwrap_or_else(|_| "{}".to_owned());
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

impl From<AppError> for Problem {
    fn from(err: AppError) -> Problem {
        match err {
            AppError::NotFound => Problem::not_found(),
            AppError::Invalid(e) => Problem::fields(&FieldErrors(vec![e])),
            AppError::Conflict {
                reason: "read_only_key",
                message,
            } => Problem::new("forbidden", message),
            AppError::Conflict { message, .. } => Problem::new("conflict", message),
            AppError::Duplicate(rule) => Problem::new(
                "duplicate",
                format!("Another record already has this ({rule})."),
            ),
            other => {
                tracing::error!(error = %other, cause = ?other, "API request failed");
                Problem::new("internal", "Something failed on our side; try again.")
            }
        }
    }
}

impl From<doorstep_store::StoreError> for Problem {
    fn from(err: doorstep_store::StoreError) -> Problem {
        Problem::from(AppError::from(err))
    }
}

/// Declares a refusal every endpoint that can give it lists in its OpenAPI `responses(...)`,
/// so the common ones are written once.
macro_rules! refusal {
    ($(#[$doc:meta])* $name:ident, $status:literal, $description:literal) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::response::Response>> {
                let content = ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build();
                let response = ResponseBuilder::new()
                    .description($description)
                    .content(PROBLEM_JSON, content)
                    .build();
                BTreeMap::from([($status.to_owned(), RefOr::T(response))])
            }
        }
    };
}

refusal!(
    /// 400: a wrong query or path parameter.
    WrongParameter, "400", "A wrong parameter"
);
refusal!(
    /// 401: no key, or not a valid one.
    NoKey, "401", "No valid key"
);
refusal!(
    /// 403: a read-only key writing.
    ReadOnly, "403", "A read-only key"
);
refusal!(
    /// 409: the record's state refuses the change.
    Clash, "409", "A clash"
);
refusal!(
    /// 422: fields refused, each named in `errors`.
    FieldsRefused, "422", "Fields refused"
);
refusal!(
    /// 422: an `Idempotency-Key` sent before with another request.
    KeyReused, "422", "An Idempotency-Key used for another request"
);
refusal!(
    /// 429: over the key's rate; `Retry-After` says when to come back.
    OverRate, "429", "Over the key's rate"
);

/// Declares a set of refusals as one entry of `responses(...)`.
macro_rules! refusals {
    ($(#[$doc:meta])* $name:ident = $($part:ident),+) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::response::Response>> {
                let mut all = BTreeMap::new();
                $(all.extend(<$part as utoipa::IntoResponses>::responses());)+
                all
            }
        }
    };
}

refusals!(
    /// What any call may get: a wrong parameter, no valid key, over the rate.
    Reading = WrongParameter, NoKey, OverRate
);
refusals!(
    /// What any write may get besides: a read-only key, fields refused.
    Writing = Reading, ReadOnly, FieldsRefused
);
