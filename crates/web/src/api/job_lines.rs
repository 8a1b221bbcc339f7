//! `/api/v1/jobs/{id}/lines`: a job's priced lines and discount, read and replaced as a
//! whole as the office's line editor does (`doorstep_app::documents::lines::replace`
//! with the job as owner), checked by the editor's rule through [`super::lines`].
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use doorstep_app::ApiActor;
use doorstep_app::documents::currency;
use doorstep_app::documents::lines::{self, Owner};
use doorstep_core::documents::LineOwnerKind;
use doorstep_core::ids::JobId;
use doorstep_store::doc_lines::totals_of;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Api;
use super::jobs::find;
use super::kit::{answer, id_of, json, json_body, refused, write};
use super::lines::{Line, LineInput, Totals, checked};
use super::problem::{Problem, Reading, Writing};
use crate::AppState;

/// A job's lines and sums.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobLines {
    /// The job's id.
    pub job_id: i64,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// Its lines, in order.
    pub lines: Vec<Line>,
    /// Subtotal, discount and taxes.
    pub totals: Totals,
    /// The total, minor units.
    pub total_minor: i64,
}

/// Every line of a job, and its discount.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobLinesInput {
    /// Every line (replaces them all; an empty list removes them).
    pub lines: Vec<LineInput>,
    /// The discount taken off before tax, minor units (0 when absent).
    #[serde(default)]
    pub discount_minor: i64,
}

/// Job `id`'s lines as the API shows them.
async fn read(state: &AppState, actor: &ApiActor, id: JobId) -> Result<JobLines, Problem> {
    let j = find(state, actor, id).await?;
    let (job, doc) = state
        .store
        .job_for_lines(actor.company().id, &j.number)
        .await?
        .ok_or_else(Problem::not_found)?;
    let sums = totals_of(&doc, |l| l.is_selected, job.discount_minor);
    Ok(JobLines {
        job_id: job.id,
        currency: actor.company().currency.clone(),
        lines: doc.iter().map(Line::from).collect(),
        totals: Totals::from(&sums),
        total_minor: sums.total_minor,
    })
}

/// Read a job's priced lines, taxes and totals.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/lines", tag = "jobs",
    params(("id" = i64, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job's lines", body = JobLines),
        Reading,
        (status = 404, description = "No such job of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let lines = read(&state, &actor, id_of(&id, JobId)?).await?;
            Ok(json(StatusCode::OK, &lines))
        }
        .await,
    )
}

/// Replace every line of a job and its discount, as the office's line editor does.
#[utoipa::path(put, path = "/api/v1/jobs/{id}/lines", tag = "jobs",
    params(
        ("id" = i64, Path, description = "The job's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = JobLinesInput,
    responses(
        (status = 200, description = "Saved", body = JobLines),
        Writing,
        (status = 404, description = "No such job of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job changed meanwhile", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn replace(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/jobs/{id}/lines");
    write(
        &state,
        &actor,
        &headers,
        Method::PUT,
        &path,
        &body,
        || async {
            let id = id_of(&id, JobId)?;
            let j = find(&state, &actor, id).await?;
            let input: JobLinesInput = json_body(&body)?;
            let lines = checked(
                LineOwnerKind::Job,
                &input.lines,
                input.discount_minor,
                currency(actor.company()),
            )?;
            let office = actor.writer()?;
            lines::replace(&state.app, office, Owner::Job(&j.number), lines)
                .await
                .map_err(|e| refused(e, &[("discount", "discount_minor")]))?;
            Ok(json(StatusCode::OK, &read(&state, &actor, id).await?))
        },
    )
    .await
}
