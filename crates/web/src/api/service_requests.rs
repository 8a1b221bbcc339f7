//! `/api/v1/service-requests`: list (by change time, filtered by status and customer),
//! read (with its photos' metadata), convert to a job or an estimate, and decline,
//! through the office's own use cases (`doorstep_app::requests`): the customer is emailed
//! and `request.declined` is sent as when the office answers.
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use doorstep_app::ApiActor;
use doorstep_app::requests::{self, Decline, EstimateForm, EstimateOrder, JobForm, JobOrder};
use doorstep_core::ids::ServiceRequestId;
use doorstep_core::status::RequestStatus;
use doorstep_store::api_requests::{ApiServiceRequest, RequestFilter};
use serde::{Deserialize, Serialize};
use time::macros::format_description;
use utoipa::{IntoParams, ToSchema};

use super::auth::Api;
use super::kit::{answer, api_names, id_of, json, json_body, list_query, page_of, refused, write};
use super::paging::{ListQuery, rfc3339};
use super::problem::{Problem, ReadOnly, Reading};
use crate::AppState;
use crate::kit::dates::today;

/// A photo sent with a request (its bytes are on the office's request page).
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestPhoto {
    /// The photo's id.
    pub id: i64,
    /// The file's name as sent.
    pub filename: String,
    /// Its media type, e.g. `image/jpeg`.
    pub content_type: String,
}

/// A service request a customer sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRequest {
    /// Id (use it in `/api/v1/service-requests/{id}`).
    pub id: i64,
    /// The office's number for it, e.g. `R-1001`.
    pub number: String,
    /// `new`, `read`, `completed` (converted) or `declined`.
    pub status: String,
    /// The customer's id.
    pub customer_id: i64,
    /// The site's id.
    pub site_id: Option<i64>,
    /// The contact it is for.
    pub contact_id: Option<i64>,
    /// The contact who sent it.
    pub submitted_by_contact_id: Option<i64>,
    /// What the customer wrote.
    pub description: String,
    /// The day the customer would like (`YYYY-MM-DD`).
    pub preferred_date: Option<String>,
    /// `am`, `pm`, `all_day` or `exact`.
    pub schedule_type: Option<String>,
    /// The time the customer would like, as typed.
    pub preferred_time: String,
    /// The job type asked for.
    pub job_type_id: Option<i64>,
    /// The customer's purchase order number.
    pub po_number: String,
    /// The job it became.
    pub converted_job_id: Option<i64>,
    /// The estimate it became.
    pub converted_estimate_id: Option<i64>,
    /// The office's reason, when declined (empty otherwise).
    pub decline_reason: String,
    /// When the office first opened it (RFC 3339).
    pub read_at: Option<String>,
    /// When it was declined (RFC 3339).
    pub declined_at: Option<String>,
    /// When it was converted (RFC 3339).
    pub completed_at: Option<String>,
    /// The photos sent with it (only on a single request's read; empty in lists).
    pub photos: Vec<RequestPhoto>,
    /// When it was sent (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

impl ServiceRequest {
    fn of(r: ApiServiceRequest, photos: Vec<RequestPhoto>) -> ServiceRequest {
        let day = format_description!("[year]-[month]-[day]");
        ServiceRequest {
            id: r.id,
            number: r.number,
            status: r.status,
            customer_id: r.customer_id,
            site_id: r.site_id,
            contact_id: r.contact_id,
            submitted_by_contact_id: r.submitted_by_contact_id,
            description: r.description,
            preferred_date: r.preferred_date.and_then(|d| d.format(&day).ok()),
            schedule_type: r.schedule_type,
            preferred_time: r.preferred_time,
            job_type_id: r.job_type_id,
            po_number: r.po_number,
            converted_job_id: r.converted_job_id,
            converted_estimate_id: r.converted_estimate_id,
            decline_reason: r.decline_reason,
            read_at: r.read_at.map(rfc3339),
            declined_at: r.declined_at.map(rfc3339),
            completed_at: r.completed_at.map(rfc3339),
            photos,
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }
    }
}

/// A page of service requests, by change time.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRequestList {
    /// The requests.
    pub data: Vec<ServiceRequest>,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The request list's own filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestFilterQuery {
    /// Only this customer's requests.
    #[param(value_type = Option<i64>)]
    pub customer_id: Option<String>,
    /// Only requests in this status: `new`, `read`, `completed` or `declined`.
    pub status: Option<String>,
}

/// What to make of a request: a job (`summary` required; the visit optional) or an
/// estimate (`title` required). Customer and site always come from the request.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertInput {
    /// `job` or `estimate`.
    pub to: String,
    /// The job's one line (job).
    pub summary: Option<String>,
    /// The job's longer description (job).
    pub description: Option<String>,
    /// One of the company's job types (job).
    pub job_type_id: Option<i64>,
    /// The visit's day, `YYYY-MM-DD` (job; absent to schedule later).
    pub date: Option<String>,
    /// `am`, `pm`, `all_day` or `exact` (job).
    pub schedule_type: Option<String>,
    /// `HH:MM`, for an `exact` visit (job).
    pub time: Option<String>,
    /// The customer's purchase order number (job).
    pub po_number: Option<String>,
    /// The estimate's title (estimate).
    pub title: Option<String>,
    /// The estimate's scope of work (estimate).
    pub scope: Option<String>,
    /// The last day to approve, `YYYY-MM-DD`, not in the past (estimate).
    pub expires_on: Option<String>,
}

/// What a request became.
#[derive(Debug, Serialize, ToSchema)]
pub struct Conversion {
    /// `job` or `estimate`.
    pub kind: String,
    /// The job's or estimate's id.
    pub id: i64,
    /// The job's or estimate's number, e.g. `J-1001` or `E-1001`.
    pub number: String,
    /// The request, now `completed`.
    pub request: ServiceRequest,
}

/// A decline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineInput {
    /// The reason the customer is sent (required, at most 2,000 characters).
    pub reason: String,
}

/// The form's field names the API spells otherwise.
const RENAMES: &[(&str, &str)] = &[("job_type", "job_type_id")];

async fn find(
    state: &AppState,
    actor: &ApiActor,
    id: ServiceRequestId,
) -> Result<ApiServiceRequest, Problem> {
    state
        .store
        .api_service_request(actor.company().id, id)
        .await?
        .ok_or_else(Problem::not_found)
}

async fn read(
    state: &AppState,
    actor: &ApiActor,
    id: ServiceRequestId,
) -> Result<ServiceRequest, Problem> {
    let r = find(state, actor, id).await?;
    let photos = state
        .store
        .request_photos(actor.company().id, id)
        .await?
        .into_iter()
        .map(|p| RequestPhoto {
            id: p.id,
            filename: p.filename,
            content_type: p.content_type,
        })
        .collect();
    Ok(ServiceRequest::of(r, photos))
}

fn parameter(name: &'static str, message: &str) -> Problem {
    Problem::field("invalid-parameter", name, message)
}

fn filter_of(q: RequestFilterQuery) -> Result<(Option<i64>, Option<String>), Problem> {
    let customer = match q.customer_id.as_deref() {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| parameter("customer_id", "`customer_id` is a customer's id."))?,
        ),
    };
    let status = match q.status.as_deref() {
        None => None,
        Some(raw) => Some(
            RequestStatus::parse(raw)
                .map_err(|_| {
                    parameter(
                        "status",
                        "`status` is one of new, read, completed, declined.",
                    )
                })?
                .as_str()
                .to_owned(),
        ),
    };
    Ok((customer, status))
}

/// List service requests by change time.
#[utoipa::path(get, path = "/api/v1/service-requests", tag = "service-requests",
    params(ListQuery, RequestFilterQuery),
    responses(
        (status = 200, description = "A page of service requests", body = ServiceRequestList),
        Reading,
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Api(actor): Api,
    query: Result<Query<ListQuery>, QueryRejection>,
    filter: Result<Query<RequestFilterQuery>, QueryRejection>,
) -> Response {
    answer(
        async {
            let page = list_query(query)?;
            let Query(filter) = filter.map_err(|e| parameter("query", &e.body_text()))?;
            let (customer, status) = filter_of(filter)?;
            let filter = RequestFilter {
                customer,
                status,
                since: page.since,
                after: page.after,
            };
            let rows = state
                .store
                .api_service_requests(actor.company().id, &filter, page.limit + 1)
                .await?;
            let (rows, next_cursor) = page_of(rows, &page, |r| (r.updated_at, r.id));
            let data = rows
                .into_iter()
                .map(|r| ServiceRequest::of(r, Vec::new()))
                .collect();
            Ok(json(
                StatusCode::OK,
                &ServiceRequestList { data, next_cursor },
            ))
        }
        .await,
    )
}

/// Read one service request, with its photos' metadata.
#[utoipa::path(get, path = "/api/v1/service-requests/{id}", tag = "service-requests",
    params(("id" = i64, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The request", body = ServiceRequest),
        Reading,
        (status = 404, description = "No such request of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let r = read(&state, &actor, id_of(&id, ServiceRequestId)?).await?;
            Ok(json(StatusCode::OK, &r))
        }
        .await,
    )
}

/// Turn a request into a job or an estimate, as the office's inbox does (the customer
/// is emailed that it was accepted; the request becomes `completed`).
#[utoipa::path(post, path = "/api/v1/service-requests/{id}/convert", tag = "service-requests",
    params(
        ("id" = i64, Path, description = "The request's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = ConvertInput,
    responses(
        (status = 201, description = "Converted", body = Conversion),
        Reading,
        ReadOnly,
        (status = 404, description = "No such request of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request is declined or converted already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields refused, each named in `errors`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn convert(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/service-requests/{id}/convert");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let id = id_of(&id, ServiceRequestId)?;
            let current = find(&state, &actor, id).await?;
            let input: ConvertInput = json_body(&body)?;
            let office = actor.writer()?;
            let text = |v: &Option<String>| v.clone().unwrap_or_default();
            let kind = input.to.trim();
            match kind {
                "job" => {
                    let job_type = input.job_type_id.map(|t| t.to_string()).unwrap_or_default();
                    let (summary, description) = (text(&input.summary), text(&input.description));
                    let (date, slot) = (text(&input.date), text(&input.schedule_type));
                    let (time, po) = (text(&input.time), text(&input.po_number));
                    let order = JobOrder::parse(&JobForm {
                        summary: &summary,
                        description: &description,
                        job_type: &job_type,
                        date: &date,
                        schedule_type: &slot,
                        time: &time,
                        po_number: &po,
                    })
                    .map_err(|e| Problem::fields(&api_names(e, RENAMES)))?;
                    requests::to_job(&state.app, office, &current.number, order)
                        .await
                        .map_err(|e| refused(e, RENAMES))?;
                }
                "estimate" => {
                    let (title, scope) = (text(&input.title), text(&input.scope));
                    let expires_on = text(&input.expires_on);
                    let form = EstimateForm {
                        title: &title,
                        scope: &scope,
                        expires_on: &expires_on,
                    };
                    let order = EstimateOrder::parse(&form, today(&actor.company().time_zone))
                        .map_err(|e| Problem::fields(&api_names(e, RENAMES)))?;
                    requests::to_estimate(&state.app, office, &current.number, order)
                        .await
                        .map_err(|e| refused(e, RENAMES))?;
                }
                _ => {
                    return Err(Problem::field(
                        "validation",
                        "to",
                        "`to` is `job` or `estimate`.",
                    ));
                }
            }
            let request = read(&state, &actor, id).await?;
            let made = if kind == "job" {
                request.converted_job_id
            } else {
                request.converted_estimate_id
            }
            .ok_or_else(Problem::not_found)?;
            let number = made_number(&state, &actor, kind, made).await?;
            Ok(json(
                StatusCode::CREATED,
                &Conversion {
                    kind: kind.to_owned(),
                    id: made,
                    number,
                    request,
                },
            ))
        },
    )
    .await
}

/// The number of the job or estimate `id` a conversion made.
async fn made_number(
    state: &AppState,
    actor: &ApiActor,
    kind: &str,
    id: i64,
) -> Result<String, Problem> {
    let company = actor.company().id;
    let number = if kind == "job" {
        state
            .store
            .api_job(company, doorstep_core::ids::JobId(id))
            .await?
            .map(|j| j.number)
    } else {
        state.store.api_estimate_number(company, id).await?
    };
    number.ok_or_else(Problem::not_found)
}

/// Decline a request with a reason, as the office's inbox does (the customer is
/// emailed the reason; `request.declined` is sent).
#[utoipa::path(post, path = "/api/v1/service-requests/{id}/decline", tag = "service-requests",
    params(
        ("id" = i64, Path, description = "The request's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = DeclineInput,
    responses(
        (status = 200, description = "Declined", body = ServiceRequest),
        Reading,
        ReadOnly,
        (status = 404, description = "No such request of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request is declined or converted already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason, or too long a one", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn decline(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/service-requests/{id}/decline");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let id = id_of(&id, ServiceRequestId)?;
            let current = find(&state, &actor, id).await?;
            let input: DeclineInput = json_body(&body)?;
            let office = actor.writer()?;
            let reason = Decline::parse(&input.reason).map_err(|e| refused(e.into(), RENAMES))?;
            requests::decline(&state.app, office, &current.number, reason)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            Ok(json(StatusCode::OK, &read(&state, &actor, id).await?))
        },
    )
    .await
}
