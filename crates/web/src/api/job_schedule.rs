//! `/api/v1/jobs/{id}/schedule` and `/unschedule`: a job's visit time given (a day with
//! morning, afternoon, all day, or exact hours sent as RFC 3339 instants read in the
//! company's time zone) or taken away, through the office's schedule form's use cases
//! (`doorstep_app::jobs::{schedule, unschedule}`).
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use doorstep_app::jobs::{self, ScheduleOrder};
use doorstep_app::{ApiActor, AppError};
use doorstep_core::ids::JobId;
use doorstep_core::validation::Invalid;
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use super::auth::Api;
use super::jobs::{Job, find, read};
use super::kit::{api_names, id_of, json, json_body, refused, write};
use super::problem::{KeyReused, Problem, ReadOnly, Reading};
use crate::AppState;

/// A visit time, as the office's schedule form takes it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// `am` (morning), `pm` (afternoon), `all_day` or `exact` (hours from `start` to `end`).
    pub schedule_type: Option<String>,
    /// The visit's day, `YYYY-MM-DD` (for `exact`, the day of `start` when absent).
    pub date: Option<String>,
    /// For `exact`: the start (RFC 3339), read in the company's time zone to the minute.
    pub start: Option<String>,
    /// For `exact`: the end (RFC 3339), on the same day as the start there.
    pub end: Option<String>,
}

/// The form's field names the API spells otherwise.
const RENAMES: &[(&str, &str)] = &[("start_time", "start"), ("end_time", "end")];

/// An RFC 3339 instant sent as `field`, as the company's local day and `HH:MM`.
fn local(actor: &ApiActor, field: &'static str, raw: &str) -> Result<(String, String), Problem> {
    let at = OffsetDateTime::parse(raw.trim(), &Rfc3339).map_err(|_| {
        Problem::field(
            "validation",
            field,
            "Send the time as RFC 3339, e.g. 2026-03-31T09:00:00-05:00.",
        )
    })?;
    let t = actor.company().time_zone.local(at);
    Ok((
        t.date().to_string(),
        format!("{:02}:{:02}", t.hour(), t.minute()),
    ))
}

/// The visit `input` asks for, checked by the schedule form's rule.
fn order(actor: &ApiActor, input: &ScheduleInput) -> Result<ScheduleOrder, Problem> {
    let slot = input.schedule_type.clone().unwrap_or_default();
    let mut date = input.date.clone().unwrap_or_default();
    let (mut start, mut end) = (String::new(), String::new());
    if slot.trim() == "exact" {
        if let Some(raw) = &input.start {
            let (day, clock) = local(actor, "start", raw)?;
            if date.trim().is_empty() {
                date = day.clone();
            } else if date.trim() != day {
                return Err(Problem::field(
                    "validation",
                    "start",
                    "The start falls on another day than `date` in the company's time zone.",
                ));
            }
            start = clock;
            if let Some(raw) = &input.end {
                let (end_day, clock) = local(actor, "end", raw)?;
                if end_day != day {
                    return Err(Problem::field(
                        "validation",
                        "end",
                        "The visit ends on the day it starts, in the company's time zone.",
                    ));
                }
                end = clock;
            }
        } else if let Some(raw) = &input.end {
            end = local(actor, "end", raw)?.1;
        }
    }
    ScheduleOrder::parse(&actor.company().time_zone, &date, &slot, &start, &end)
        .map_err(|e| Problem::fields(&api_names(e, RENAMES)))
}

/// The office's refusal of a move to scheduled or unscheduled ("Use the schedule
/// form…") in the API's words, pointing to job `id`'s schedule endpoints; any other
/// refusal as it is.
pub(crate) fn api_words(err: AppError, id: JobId) -> AppError {
    match err {
        AppError::Invalid(e) if e.message == doorstep_core::jobs::USE_SCHEDULE_FORM => {
            AppError::Invalid(Invalid::new(
                e.field,
                format!(
                    "Give the job a visit time with POST /api/v1/jobs/{0}/schedule, or take it away with POST /api/v1/jobs/{0}/unschedule.",
                    id.0
                ),
            ))
        }
        other => other,
    }
}

/// Give a job a visit time (a new one for a scheduled job): it becomes scheduled, as
/// with the office's schedule form.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/schedule", tag = "jobs",
    params(
        ("id" = i64, Path, description = "The job's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = ScheduleInput,
    responses(
        (status = 200, description = "Scheduled", body = Job),
        Reading,
        ReadOnly,
        (status = 404, description = "No such job of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The crew is on the way or the job is closed, or its status moved meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn schedule(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/jobs/{id}/schedule");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let id = id_of(&id, JobId)?;
            let current = find(&state, &actor, id).await?;
            let input: ScheduleInput = json_body(&body)?;
            let order = order(&actor, &input)?;
            let office = actor.writer()?;
            jobs::schedule(&state.app, office, &current.number, order)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            Ok(json(StatusCode::OK, &read(&state, &actor, id).await?))
        },
    )
    .await
}

/// Take a job's visit time away: it becomes unscheduled, as with the office's schedule
/// form.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/unschedule", tag = "jobs",
    params(
        ("id" = i64, Path, description = "The job's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    responses(
        (status = 200, description = "Unscheduled", body = Job),
        Reading,
        ReadOnly,
        KeyReused,
        (status = 404, description = "No such job of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The crew is on the way or the job is closed, or its status moved meanwhile", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn unschedule(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/jobs/{id}/unschedule");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let id = id_of(&id, JobId)?;
            let current = find(&state, &actor, id).await?;
            let office = actor.writer()?;
            jobs::unschedule(&state.app, office, &current.number)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            Ok(json(StatusCode::OK, &read(&state, &actor, id).await?))
        },
    )
    .await
}
