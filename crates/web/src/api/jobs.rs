//! `/api/v1/jobs`: list (by change time, filtered by customer and status), read (with its
//! technicians and notes), create, update, upsert by external id, status moves and the
//! crew, through the office's own use cases (`doorstep_app::jobs`): a status move here
//! drives the portal's live status and emits `job.status_changed` as the office's does.
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use doorstep_app::ApiActor;
use doorstep_app::jobs::{self, JobEdit, JobEditForm, NewJob, NewJobForm};
use doorstep_core::ids::{CustomerId, JobId};
use doorstep_core::status::JobStatus;
use doorstep_store::api_jobs::{ApiJob, ApiJobFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Api;
use super::kit::{
    answer, api_names, created, id_of, json, json_body, list_query, page_of, present, refused,
    write,
};
use super::paging::{ListQuery, rfc3339};
use super::problem::{Clash, Problem, ReadOnly, Reading, Writing};
use crate::AppState;

/// A technician on a job.
#[derive(Debug, Serialize, ToSchema)]
pub struct Technician {
    /// The technician's id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// A job.
#[derive(Debug, Serialize, ToSchema)]
pub struct Job {
    /// Id (use it in `/api/v1/jobs/{id}`).
    pub id: i64,
    /// The office's number for it, e.g. `J-1001`.
    pub number: String,
    /// The customer's id.
    pub customer_id: i64,
    /// The site's id.
    pub site_id: Option<i64>,
    /// The job type's id.
    pub job_type_id: Option<i64>,
    /// `unscheduled`, `scheduled`, `on_the_way`, `in_progress`, `completed` or `cancelled`.
    pub status: String,
    /// One line.
    pub summary: String,
    /// Longer description.
    pub description: String,
    /// Internal notes for the crew (never shown to the customer).
    pub work_order_notes: String,
    /// Notes the customer sees in the portal.
    pub customer_notes: String,
    /// Visit start (RFC 3339).
    pub scheduled_start: Option<String>,
    /// Visit end (RFC 3339).
    pub scheduled_end: Option<String>,
    /// When it was completed (RFC 3339).
    pub completed_at: Option<String>,
    /// Total in minor units of `currency`.
    pub total_minor: i64,
    /// The company's currency (ISO 4217).
    pub currency: String,
    /// The technicians on it (only on a single job's read and writes; empty in lists).
    pub technicians: Vec<Technician>,
    /// The job's id in your other system (unique per company).
    pub external_ref: Option<String>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

impl Job {
    fn of(j: ApiJob, currency: &str, technicians: Vec<(i64, String)>) -> Job {
        Job {
            id: j.id,
            number: j.number,
            customer_id: j.customer_id,
            site_id: j.site_id,
            job_type_id: j.job_type_id,
            status: j.status,
            summary: j.summary,
            description: j.description,
            work_order_notes: j.work_order_notes,
            customer_notes: j.customer_notes,
            scheduled_start: j.scheduled_start.map(rfc3339),
            scheduled_end: j.scheduled_end.map(rfc3339),
            completed_at: j.completed_at.map(rfc3339),
            total_minor: j.total_minor,
            currency: currency.to_owned(),
            technicians: technicians
                .into_iter()
                .map(|(id, name)| Technician { id, name })
                .collect(),
            external_ref: j.external_ref,
            created_at: rfc3339(j.created_at),
            updated_at: rfc3339(j.updated_at),
        }
    }
}

/// A page of jobs, by change time.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobList {
    /// The jobs.
    pub data: Vec<Job>,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The job list's own filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobFilterQuery {
    /// Only this customer's jobs.
    #[param(value_type = Option<i64>)]
    pub customer_id: Option<String>,
    /// Only jobs in this status.
    pub status: Option<String>,
}

/// A job's fields as sent. Absent fields keep their value on update (`PATCH`) and are
/// empty on create; `null` clears `site_id` and `job_type_id`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobInput {
    /// The customer's id (required to create; a job cannot move to another customer).
    pub customer_id: Option<i64>,
    /// One of the customer's sites.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub site_id: Option<Option<i64>>,
    /// One of the company's job types.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub job_type_id: Option<Option<i64>>,
    /// One line (required to create).
    pub summary: Option<String>,
    /// Longer description.
    pub description: Option<String>,
    /// Internal notes for the crew.
    pub work_order_notes: Option<String>,
    /// Notes the customer sees in the portal.
    pub customer_notes: Option<String>,
    /// The job's id in your other system (on create only; the upsert takes it from its path).
    pub external_ref: Option<String>,
}

/// A status move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// The status to move to: `on_the_way`, `in_progress`, `completed` or `cancelled`, as
    /// the office's rules allow from the current one (a visit time is given or taken away
    /// with `/api/v1/jobs/{id}/schedule` and `/unschedule`).
    pub status: String,
}

/// The whole crew of a job.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CrewInput {
    /// The technicians' ids (empty: nobody).
    pub technician_ids: Vec<i64>,
}

/// A job's fields as the office's forms hold them, as text.
#[derive(Debug, Default)]
struct Fields {
    customer: String,
    site: String,
    job_type: String,
    summary: String,
    description: String,
    work_order_notes: String,
    customer_notes: String,
    external_ref: String,
}

fn id_text(id: Option<i64>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

impl Fields {
    fn of(j: &ApiJob) -> Fields {
        Fields {
            customer: j.customer_id.to_string(),
            site: id_text(j.site_id),
            job_type: id_text(j.job_type_id),
            summary: j.summary.clone(),
            description: j.description.clone(),
            work_order_notes: j.work_order_notes.clone(),
            customer_notes: j.customer_notes.clone(),
            external_ref: j.external_ref.clone().unwrap_or_default(),
        }
    }

    fn new_job(&self) -> Result<NewJob, Problem> {
        NewJob::parse(&NewJobForm {
            customer: &self.customer,
            site: &self.site,
            job_type: &self.job_type,
            summary: &self.summary,
            description: &self.description,
            work_order_notes: &self.work_order_notes,
            customer_notes: &self.customer_notes,
            external_ref: &self.external_ref,
        })
        .map_err(|e| Problem::fields(&api_names(e, RENAMES)))
    }

    fn edit(&self) -> Result<JobEdit, Problem> {
        JobEdit::parse(&JobEditForm {
            summary: &self.summary,
            description: &self.description,
            site: &self.site,
            job_type: &self.job_type,
            work_order_notes: &self.work_order_notes,
            customer_notes: &self.customer_notes,
        })
        .map_err(|e| Problem::fields(&api_names(e, RENAMES)))
    }
}

impl JobInput {
    /// `f` with what this input sends put over it.
    fn over(self, mut f: Fields) -> Fields {
        if let Some(c) = self.customer_id {
            f.customer = c.to_string();
        }
        if let Some(s) = self.site_id {
            f.site = id_text(s);
        }
        if let Some(t) = self.job_type_id {
            f.job_type = id_text(t);
        }
        let set = |to: &mut String, v: Option<String>| {
            if let Some(v) = v {
                *to = v;
            }
        };
        set(&mut f.summary, self.summary);
        set(&mut f.description, self.description);
        set(&mut f.work_order_notes, self.work_order_notes);
        set(&mut f.customer_notes, self.customer_notes);
        set(&mut f.external_ref, self.external_ref);
        f
    }
}

/// The form's field names the API spells otherwise.
const RENAMES: &[(&str, &str)] = &[
    ("customer", "customer_id"),
    ("site", "site_id"),
    ("job_type", "job_type_id"),
    ("crew", "technician_ids"),
];

pub(crate) async fn find(state: &AppState, actor: &ApiActor, id: JobId) -> Result<ApiJob, Problem> {
    state
        .store
        .api_job(actor.company().id, id)
        .await?
        .ok_or_else(Problem::not_found)
}

pub(crate) async fn read(state: &AppState, actor: &ApiActor, id: JobId) -> Result<Job, Problem> {
    let j = find(state, actor, id).await?;
    with_crew(state, actor, j).await
}

/// Job `j` as the API shows it, with its technicians.
async fn with_crew(state: &AppState, actor: &ApiActor, j: ApiJob) -> Result<Job, Problem> {
    let crew = state
        .store
        .api_job_technicians(actor.company().id, JobId(j.id))
        .await?;
    Ok(Job::of(j, &actor.company().currency, crew))
}

/// The job numbered `number` of the company, as the API shows it.
pub(crate) async fn read_number(
    state: &AppState,
    actor: &ApiActor,
    number: &str,
) -> Result<Job, Problem> {
    let j = state
        .store
        .api_job_by_number(actor.company().id, number)
        .await?
        .ok_or_else(Problem::not_found)?;
    with_crew(state, actor, j).await
}

fn filter_of(q: JobFilterQuery) -> Result<(Option<CustomerId>, Option<String>), Problem> {
    let customer = match q.customer_id.as_deref() {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(CustomerId)
                .ok_or_else(|| {
                    Problem::field(
                        "invalid-parameter",
                        "customer_id",
                        "`customer_id` is a customer's id.",
                    )
                })?,
        ),
    };
    let status = match q.status.as_deref() {
        None => None,
        Some(raw) => Some(
            JobStatus::parse(raw)
                .map_err(|_| {
                    Problem::field(
                        "invalid-parameter",
                        "status",
                        "`status` is one of unscheduled, scheduled, on_the_way, in_progress, completed, cancelled.",
                    )
                })?
                .as_str()
                .to_owned(),
        ),
    };
    Ok((customer, status))
}

/// List jobs by change time.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(ListQuery, JobFilterQuery),
    responses(
        (status = 200, description = "A page of jobs", body = JobList),
        Reading,
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Api(actor): Api,
    query: Result<Query<ListQuery>, QueryRejection>,
    filter: Result<Query<JobFilterQuery>, QueryRejection>,
) -> Response {
    answer(
        async {
            let page = list_query(query)?;
            let Query(filter) =
                filter.map_err(|e| Problem::field("invalid-parameter", "query", e.body_text()))?;
            let (customer, status) = filter_of(filter)?;
            let rows = state
                .store
                .api_jobs(
                    actor.company().id,
                    &ApiJobFilter {
                        customer,
                        status,
                        since: page.since,
                        after: page.after,
                    },
                    page.limit + 1,
                )
                .await?;
            let (rows, next_cursor) = page_of(rows, &page, |j| (j.updated_at, j.id));
            let currency = &actor.company().currency;
            let data = rows
                .into_iter()
                .map(|j| Job::of(j, currency, Vec::new()))
                .collect();
            Ok(json(StatusCode::OK, &JobList { data, next_cursor }))
        }
        .await,
    )
}

/// Read one job, with its technicians.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = i64, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job", body = Job),
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
            let j = read(&state, &actor, id_of(&id, JobId)?).await?;
            Ok(json(StatusCode::OK, &j))
        }
        .await,
    )
}

/// Create a job for a customer (unscheduled, with the company's next number).
#[utoipa::path(post, path = "/api/v1/jobs", tag = "jobs",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    request_body = JobInput,
    responses(
        (status = 201, description = "Made", body = Job),
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
    let path = "/api/v1/jobs";
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        path,
        &body,
        || async {
            let input: JobInput = json_body(&body)?;
            let job = input.over(Fields::default()).new_job()?;
            let office = actor.writer()?;
            let made = jobs::create(&state.app, office, job)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let j = read_number(&state, &actor, &made.number).await?;
            Ok(created(&format!("{path}/{}", j.id), &j))
        },
    )
    .await
}

/// Change some of a job's fields (the ones sent).
#[utoipa::path(patch, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = i64, Path, description = "The job's id")),
    request_body = JobInput,
    responses(
        (status = 200, description = "Saved", body = Job),
        Writing,
        (status = 404, description = "No such job of this company", body = Problem, content_type = "application/problem+json"),
        Clash,
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
            let office = actor.writer()?;
            let id = id_of(&id, JobId)?;
            let current = find(&state, &actor, id).await?;
            let input: JobInput = json_body(&body)?;
            if input.customer_id.is_some_and(|c| c != current.customer_id) {
                return Err(Problem::field(
                    "validation",
                    "customer_id",
                    "A job cannot move to another customer.",
                ));
            }
            if input
                .external_ref
                .as_deref()
                .is_some_and(|r| Some(r) != current.external_ref.as_deref())
            {
                return Err(Problem::field(
                    "validation",
                    "external_ref",
                    "A job's external id is set when it is made (or by PUT /api/v1/jobs/external/{external_ref}).",
                ));
            }
            let edit = input.over(Fields::of(&current)).edit()?;
            jobs::edit(&state.app, office, &current.number, edit)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            Ok(json(StatusCode::OK, &read(&state, &actor, id).await?))
        }
        .await,
    )
}

/// Create or update the job with this external id (your other system's id).
#[utoipa::path(put, path = "/api/v1/jobs/external/{external_ref}", tag = "jobs",
    params(
        ("external_ref" = String, Path, description = "The job's id in your other system"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = JobInput,
    responses(
        (status = 200, description = "Updated", body = Job),
        (status = 201, description = "Made", body = Job),
        Writing,
        Clash,
    ),
    security(("bearer" = [])))]
pub async fn upsert(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/jobs/external/{reference}");
    write(
        &state,
        &actor,
        &headers,
        Method::PUT,
        &path,
        &body,
        || async {
            let mut input: JobInput = json_body(&body)?;
            input.external_ref = Some(reference.clone());
            let office = actor.writer()?;
            // An update keeps the fields not sent, as PATCH does.
            let start = match state
                .store
                .job_by_external_ref(actor.company().id, reference.trim())
                .await?
            {
                Some((id, _)) => Fields::of(&find(&state, &actor, id).await?),
                None => Fields::default(),
            };
            let job = input.over(start).new_job()?;
            let (changed, made) = jobs::upsert_by_external_ref(&state.app, office, &reference, job)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let j = read_number(&state, &actor, &changed.number).await?;
            let status = if made {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(json(status, &j))
        },
    )
    .await
}

/// Move a job's status as the office does (the portal's live status follows, the
/// customer is emailed on the way and on completion, `job.status_changed` is sent).
#[utoipa::path(post, path = "/api/v1/jobs/{id}/status", tag = "jobs",
    params(
        ("id" = i64, Path, description = "The job's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = StatusInput,
    responses(
        (status = 200, description = "Moved", body = Job),
        Reading,
        ReadOnly,
        (status = 404, description = "No such job of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another move came first", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A move the rules do not allow", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn status(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/jobs/{id}/status");
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
            let input: StatusInput = json_body(&body)?;
            let office = actor.writer()?;
            jobs::move_status(&state.app, office, &current.number, &input.status)
                .await
                .map_err(|e| refused(super::job_schedule::api_words(e, id), RENAMES))?;
            Ok(json(StatusCode::OK, &read(&state, &actor, id).await?))
        },
    )
    .await
}

/// Put exactly these technicians on a job, as the office's crew form does.
#[utoipa::path(put, path = "/api/v1/jobs/{id}/technicians", tag = "jobs",
    params(("id" = i64, Path, description = "The job's id")),
    request_body = CrewInput,
    responses(
        (status = 200, description = "Saved", body = Job),
        Reading,
        ReadOnly,
        (status = 404, description = "No such job of this company", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A technician not of the company's crew", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn technicians(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    answer(
        async {
            let office = actor.writer()?;
            let id = id_of(&id, JobId)?;
            let current = find(&state, &actor, id).await?;
            let input: CrewInput = json_body(&body)?;
            jobs::set_crew(&state.app, office, &current.number, &input.technician_ids)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            Ok(json(StatusCode::OK, &read(&state, &actor, id).await?))
        }
        .await,
    )
}
