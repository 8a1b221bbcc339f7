//! `/api/v1/estimates`: list (by customer, status, change time), read with lines, taxes,
//! totals and deposit, create a draft with lines, change it while the office may (draft
//! or pending), upsert by external id, send it (the office's email with the portal link)
//! and convert an approved one to a job, through the office's own use cases
//! (`doorstep_app::documents::estimates`).
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use doorstep_app::ApiActor;
use doorstep_app::documents::estimates::{self, EstimateInput as Checked, EstimateText};
use doorstep_app::documents::{currency, today};
use doorstep_core::catalogue::price_input;
use doorstep_core::deposits::Deposit;
use doorstep_core::documents::LineOwnerKind;
use doorstep_core::ids::{CustomerId, EstimateId};
use doorstep_core::status::EstimateStatus;
use doorstep_store::api_estimates::{ApiEstimate, EstimateFilter};
use doorstep_store::office_documents::OfficeEstimate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Api;
use super::kit::{
    answer, api_names, created, id_of, json, json_body, list_query, page_of, present, refused,
    write,
};
use super::lines::{Line, LineInput, Totals, checked, decimal};
use super::paging::{ListQuery, rfc3339};
use super::problem::{Clash, Problem, Reading, Writing};
use crate::AppState;

/// An estimate as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EstimateSummary {
    /// Id (use it in `/api/v1/estimates/{id}`).
    pub id: i64,
    /// The office's number, e.g. `E-1001`.
    pub number: String,
    /// The customer it is for.
    pub customer_id: i64,
    /// The site, if any.
    pub site_id: Option<i64>,
    /// Short title.
    pub title: String,
    /// `draft`, `pending`, `approved`, `declined`, `expired` or `converted`.
    pub status: String,
    /// Pending past its last day (the company's today): the customer can no longer answer.
    pub expired: bool,
    /// Issue date, `YYYY-MM-DD`.
    pub issued_on: String,
    /// Last day it may be approved, `YYYY-MM-DD`.
    pub expires_on: Option<String>,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// Total with the optional lines as ticked, minor units.
    pub total_minor: i64,
    /// A fixed deposit asked on approval, minor units (0 when none or a percentage).
    pub deposit_minor: i64,
    /// A deposit as a share of the approved total, basis points (0 when none or fixed).
    pub deposit_percent_bp: i64,
    /// The deposit due on approving for the total, minor units.
    pub deposit_due_minor: i64,
    /// Its id in your other system (unique per company).
    pub external_ref: Option<String>,
    /// When it was last sent (RFC 3339).
    pub sent_at: Option<String>,
    /// When the customer approved it (RFC 3339).
    pub approved_at: Option<String>,
    /// When the customer declined it (RFC 3339).
    pub declined_at: Option<String>,
    /// The job it became (`/api/v1/jobs/{id}`).
    pub converted_job_id: Option<i64>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

impl EstimateSummary {
    fn of(e: ApiEstimate, actor: &ApiActor) -> EstimateSummary {
        let company = actor.company();
        let status = EstimateStatus::parse(&e.status).unwrap_or(EstimateStatus::Draft);
        let expired = status == EstimateStatus::Pending
            && status.as_seen(e.expires_on, today(company)) == EstimateStatus::Expired;
        let deposit = Deposit::from_stored(e.deposit_minor, e.deposit_percent_bp);
        EstimateSummary {
            id: e.id,
            number: e.number,
            customer_id: e.customer_id,
            site_id: e.site_id,
            title: e.title,
            status: e.status,
            expired,
            issued_on: e.issued_on.to_string(),
            expires_on: e.expires_on.map(|d| d.to_string()),
            currency: company.currency.clone(),
            total_minor: e.total_minor,
            deposit_minor: e.deposit_minor,
            deposit_percent_bp: e.deposit_percent_bp,
            deposit_due_minor: deposit.due(e.total_minor),
            external_ref: e.external_ref,
            sent_at: e.sent_at.map(rfc3339),
            approved_at: e.approved_at.map(rfc3339),
            declined_at: e.declined_at.map(rfc3339),
            converted_job_id: e.converted_job_id,
            created_at: rfc3339(e.created_at),
            updated_at: rfc3339(e.updated_at),
        }
    }
}

/// An estimate with its scope, notes, lines and sums.
#[derive(Debug, Serialize, ToSchema)]
pub struct Estimate {
    /// The estimate.
    #[serde(flatten)]
    pub estimate: EstimateSummary,
    /// The scope of work.
    pub scope: String,
    /// Notes for the customer.
    pub notes: String,
    /// Its lines, in order (optional ones with `selected` as ticked).
    pub lines: Vec<Line>,
    /// Subtotal, discount and taxes.
    pub totals: Totals,
}

/// A page of estimates, by change time.
#[derive(Debug, Serialize, ToSchema)]
pub struct EstimateList {
    /// The estimates.
    pub data: Vec<EstimateSummary>,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// What a list of estimates holds.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EstimateQuery {
    /// Only this customer's.
    #[param(value_type = Option<i64>)]
    pub customer_id: Option<String>,
    /// Only in this stored status: `draft`, `pending`, `approved`, `declined`, `expired`
    /// or `converted`.
    pub status: Option<String>,
}

/// An estimate's fields as sent. Absent fields keep their value on update (`PATCH`) and
/// take their default on create; `null` clears `site_id` and `expires_on`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EstimateInput {
    /// The customer it is for (required to create).
    pub customer_id: Option<i64>,
    /// One of the customer's sites.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub site_id: Option<Option<i64>>,
    /// Short title (required to create).
    pub title: Option<String>,
    /// The scope of work.
    pub scope: Option<String>,
    /// Issue date, `YYYY-MM-DD` (today when absent).
    pub issued_on: Option<String>,
    /// Last day it may be approved, `YYYY-MM-DD` (no limit when absent or `null`).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub expires_on: Option<Option<String>>,
    /// A fixed deposit asked on approval, minor units (0: none).
    pub deposit_minor: Option<i64>,
    /// A deposit as a share of the approved total, basis points (2500 = 25 %); not
    /// with `deposit_minor`.
    pub deposit_percent_bp: Option<i64>,
    /// Notes for the customer.
    pub notes: Option<String>,
    /// Every line (replaces them all).
    pub lines: Option<Vec<LineInput>>,
    /// The discount taken off before tax, minor units (sent with `lines`).
    pub discount_minor: Option<i64>,
}

/// What the send takes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    /// The contact of the customer it goes to (required; the contact needs an email).
    pub contact_id: Option<i64>,
}

/// The form's field names the API spells otherwise.
const RENAMES: &[(&str, &str)] = &[
    ("customer", "customer_id"),
    ("site", "site_id"),
    ("valid_until", "expires_on"),
    ("deposit", "deposit_minor"),
    ("discount", "discount_minor"),
    ("contact", "contact_id"),
];

/// The deposit `input` asks for (or `current`'s) as the form's text.
fn deposit_text(
    input: &EstimateInput,
    current: Option<&ApiEstimate>,
    actor: &ApiActor,
) -> Result<String, Problem> {
    let deposit = match (input.deposit_minor, input.deposit_percent_bp) {
        (Some(fixed), Some(bp)) if fixed != 0 && bp != 0 => {
            return Err(Problem::field(
                "validation",
                "deposit_percent_bp",
                "Send a fixed deposit or a percentage, not both.",
            ));
        }
        (_, Some(bp)) if bp != 0 => Deposit::Percent(bp),
        (Some(fixed), _) => Deposit::Fixed(fixed),
        (None, Some(_)) => Deposit::None,
        (None, None) => current.map_or(Deposit::None, |c| {
            Deposit::from_stored(c.deposit_minor, c.deposit_percent_bp)
        }),
    };
    Ok(match deposit {
        Deposit::None => String::new(),
        Deposit::Fixed(m) => price_input(m, currency(actor.company())),
        Deposit::Percent(bp) => format!("{}%", decimal(bp, 2)),
    })
}

/// The fields of `current` (or none, to create) with `input` over them, checked.
async fn check(
    state: &AppState,
    actor: &ApiActor,
    input: EstimateInput,
    current: Option<(&ApiEstimate, &OfficeEstimate)>,
) -> Result<Checked, Problem> {
    let company = actor.company();
    let row = current.map(|(r, _)| r);
    let detail = current.map(|(_, d)| &d.detail);
    let customer = match input.customer_id.or(row.map(|c| c.customer_id)) {
        None => String::new(),
        Some(id) => state
            .store
            .api_customer(company.id, CustomerId(id))
            .await?
            .map(|c| c.number)
            .ok_or_else(|| {
                Problem::field(
                    "validation",
                    "customer_id",
                    "There is no customer with that id.",
                )
            })?,
    };
    let site = match input.site_id {
        Some(s) => s,
        None => row.and_then(|c| c.site_id),
    }
    .map(|s| s.to_string())
    .unwrap_or_default();
    let title = input
        .title
        .clone()
        .or(row.map(|c| c.title.clone()))
        .unwrap_or_default();
    let scope = input
        .scope
        .clone()
        .or(detail.map(|d| d.scope.clone()))
        .unwrap_or_default();
    let issued_on = input
        .issued_on
        .clone()
        .or(row.map(|c| c.issued_on.to_string()))
        .unwrap_or_default();
    let valid_until = match &input.expires_on {
        Some(d) => d.clone(),
        None => row.and_then(|c| c.expires_on.map(|d| d.to_string())),
    }
    .unwrap_or_default();
    let deposit = deposit_text(&input, row, actor)?;
    let notes = input
        .notes
        .clone()
        .or(detail.map(|d| d.notes.clone()))
        .unwrap_or_default();
    let text = EstimateText {
        customer: &customer,
        site: &site,
        title: &title,
        scope: &scope,
        issued_on: &issued_on,
        valid_until: &valid_until,
        deposit: &deposit,
        notes: &notes,
    };
    let mut input_checked = Checked::parse(&text, today(company), currency(company))
        .map_err(|e| Problem::fields(&api_names(e, RENAMES)))?;
    if input.lines.is_some() || input.discount_minor.is_some() {
        let lines = match (input.lines, detail) {
            (Some(l), _) => l,
            (None, Some(d)) => d.lines.iter().map(LineInput::from).collect(),
            (None, None) => Vec::new(),
        };
        let discount = input
            .discount_minor
            .or(detail.map(|d| d.discount_minor))
            .unwrap_or(0);
        let lines = checked(LineOwnerKind::Estimate, &lines, discount, currency(company))?;
        input_checked = input_checked
            .with_lines(lines)
            .map_err(|e| refused(e.into(), RENAMES))?;
    }
    Ok(input_checked)
}

async fn row(state: &AppState, actor: &ApiActor, id: EstimateId) -> Result<ApiEstimate, Problem> {
    state
        .store
        .api_estimate(actor.company().id, id)
        .await?
        .ok_or_else(Problem::not_found)
}

/// The office's view of estimate `number` (scope, notes, lines).
async fn office(
    state: &AppState,
    actor: &ApiActor,
    number: &str,
) -> Result<OfficeEstimate, Problem> {
    state
        .store
        .office_estimate(actor.company().id, number)
        .await?
        .ok_or_else(Problem::not_found)
}

/// Estimate `id` with its lines and sums.
async fn read(state: &AppState, actor: &ApiActor, id: EstimateId) -> Result<Estimate, Problem> {
    let e = row(state, actor, id).await?;
    let o = office(state, actor, &e.number).await?;
    Ok(Estimate {
        estimate: EstimateSummary::of(e, actor),
        scope: o.detail.scope.clone(),
        notes: o.detail.notes.clone(),
        lines: o.detail.lines.iter().map(Line::from).collect(),
        totals: Totals::from(&o.detail.totals()),
    })
}

/// The estimate numbered `number`, as read.
async fn read_number(
    state: &AppState,
    actor: &ApiActor,
    number: &str,
) -> Result<Estimate, Problem> {
    let o = office(state, actor, number).await?;
    read(state, actor, o.detail.id).await
}

/// List estimates by change time.
#[utoipa::path(get, path = "/api/v1/estimates", tag = "estimates", params(EstimateQuery, ListQuery),
    responses(
        (status = 200, description = "A page of estimates", body = EstimateList),
        Reading,
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Api(actor): Api,
    filter: Result<Query<EstimateQuery>, QueryRejection>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    answer(
        async {
            let page = list_query(query)?;
            let Query(q) =
                filter.map_err(|e| Problem::field("invalid-parameter", "query", e.body_text()))?;
            let customer = match q.customer_id.as_deref() {
                None => None,
                Some(raw) => Some(raw.parse::<i64>().map_err(|_| {
                    Problem::field(
                        "invalid-parameter",
                        "customer_id",
                        "`customer_id` is a customer's id.",
                    )
                })?),
            };
            let status = match q.status.as_deref() {
                None => None,
                Some(s) => Some(
                    EstimateStatus::parse(s)
                        .map_err(|_| {
                            Problem::field(
                                "invalid-parameter",
                                "status",
                                "`status` is draft, pending, approved, declined, expired or converted.",
                            )
                        })?
                        .as_str()
                        .to_owned(),
                ),
            };
            let filter = EstimateFilter { customer, status };
            let rows = state
                .store
                .api_estimates(
                    actor.company().id,
                    &filter,
                    page.since,
                    page.after,
                    page.limit + 1,
                )
                .await?;
            let (rows, next_cursor) = page_of(rows, &page, |e| (e.updated_at, e.id));
            let data = rows
                .into_iter()
                .map(|e| EstimateSummary::of(e, &actor))
                .collect();
            Ok(json(StatusCode::OK, &EstimateList { data, next_cursor }))
        }
        .await,
    )
}

/// Read one estimate with its lines, taxes, totals and deposit.
#[utoipa::path(get, path = "/api/v1/estimates/{id}", tag = "estimates",
    params(("id" = i64, Path, description = "The estimate's id")),
    responses(
        (status = 200, description = "The estimate", body = Estimate),
        Reading,
        (status = 404, description = "No such estimate of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let e = read(&state, &actor, id_of(&id, EstimateId)?).await?;
            Ok(json(StatusCode::OK, &e))
        }
        .await,
    )
}

/// Create a draft estimate (with the company's next number), with its lines.
#[utoipa::path(post, path = "/api/v1/estimates", tag = "estimates",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    request_body = EstimateInput,
    responses(
        (status = 201, description = "Made", body = Estimate),
        Writing,
        Clash,
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Api(actor): Api,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = "/api/v1/estimates";
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        path,
        &body,
        || async {
            let input: EstimateInput = json_body(&body)?;
            let checked = check(&state, &actor, input, None).await?;
            let office = actor.writer()?;
            let number = estimates::create(&state.app, office, checked)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let e = read_number(&state, &actor, &number).await?;
            Ok(created(&format!("{path}/{}", e.estimate.id), &e))
        },
    )
    .await
}

/// Change some of an estimate's fields (the ones sent) while it is a draft or pending,
/// as the office may; `lines` replaces every line.
#[utoipa::path(patch, path = "/api/v1/estimates/{id}", tag = "estimates",
    params(("id" = i64, Path, description = "The estimate's id")),
    request_body = EstimateInput,
    responses(
        (status = 200, description = "Saved", body = Estimate),
        Writing,
        (status = 404, description = "No such estimate of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Answered or converted: it can no longer change", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    answer(
        async {
            let office_actor = actor.writer()?;
            let current = row(&state, &actor, id_of(&id, EstimateId)?).await?;
            let o = office(&state, &actor, &current.number).await?;
            let input: EstimateInput = json_body(&body)?;
            let checked = check(&state, &actor, input, Some((&current, &o))).await?;
            estimates::edit(&state.app, office_actor, &current.number, checked)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let e = read_number(&state, &actor, &current.number).await?;
            Ok(json(StatusCode::OK, &e))
        }
        .await,
    )
}

/// Create or update (while draft or pending) the estimate with this external id.
#[utoipa::path(put, path = "/api/v1/estimates/external/{external_ref}", tag = "estimates",
    params(
        ("external_ref" = String, Path, description = "The estimate's id in your other system"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = EstimateInput,
    responses(
        (status = 200, description = "Updated", body = Estimate),
        Writing,
        (status = 201, description = "Made", body = Estimate),
        (status = 409, description = "Answered or converted: it can no longer change", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn upsert(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/estimates/external/{reference}");
    write(
        &state,
        &actor,
        &headers,
        Method::PUT,
        &path,
        &body,
        || async {
            let input: EstimateInput = json_body(&body)?;
            let office_actor = actor.writer()?;
            // An update keeps the fields not sent, as PATCH does.
            let current = match state
                .store
                .estimate_by_external_ref(actor.company().id, reference.trim())
                .await?
            {
                Some(id) => {
                    let r = row(&state, &actor, id).await?;
                    let o = office(&state, &actor, &r.number).await?;
                    Some((r, o))
                }
                None => None,
            };
            let checked = check(&state, &actor, input, current.as_ref().map(|(r, o)| (r, o)))
                .await?
                .with_external_ref(&reference)
                .map_err(|e| refused(e.into(), RENAMES))?;
            let (number, made) =
                estimates::upsert_by_external_ref(&state.app, office_actor, checked)
                    .await
                    .map_err(|e| refused(e, RENAMES))?;
            let e = read_number(&state, &actor, &number).await?;
            let status = if made {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(json(status, &e))
        },
    )
    .await
}

/// Send an estimate: a draft becomes pending (a pending one is sent again) and the
/// contact is emailed the portal link, as the office's send does.
#[utoipa::path(post, path = "/api/v1/estimates/{id}/send", tag = "estimates",
    params(
        ("id" = i64, Path, description = "The estimate's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = SendInput,
    responses(
        (status = 200, description = "Sent", body = Estimate),
        Writing,
        (status = 404, description = "No such estimate of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Answered or converted, or no lines", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn send(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/estimates/{id}/send");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let current = row(&state, &actor, id_of(&id, EstimateId)?).await?;
            let input: SendInput = if body.is_empty() {
                SendInput::default()
            } else {
                json_body(&body)?
            };
            let office_actor = actor.writer()?;
            estimates::send(&state.app, office_actor, &current.number, input.contact_id)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let e = read_number(&state, &actor, &current.number).await?;
            Ok(json(StatusCode::OK, &e))
        },
    )
    .await
}

/// Convert an approved estimate into a new unscheduled job with its selected lines; the
/// estimate becomes converted. Answers the job.
#[utoipa::path(post, path = "/api/v1/estimates/{id}/convert", tag = "estimates",
    params(
        ("id" = i64, Path, description = "The estimate's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    responses(
        (status = 201, description = "The job made", body = super::jobs::Job),
        Writing,
        (status = 404, description = "No such estimate of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not approved (or converted already)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn convert(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/estimates/{id}/convert");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let current = row(&state, &actor, id_of(&id, EstimateId)?).await?;
            let office_actor = actor.writer()?;
            let job = estimates::convert(&state.app, office_actor, &current.number)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let j = super::jobs::read_number(&state, &actor, &job).await?;
            Ok(created(&format!("/api/v1/jobs/{}", j.id), &j))
        },
    )
    .await
}
