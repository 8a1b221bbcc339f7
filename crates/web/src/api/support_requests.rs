//! `/api/v1/support-requests`: list (by change time, filtered by status and customer),
//! read with its comments, a staff reply and a status move, through the office's own use
//! cases (`doorstep_app::support`): the contact is emailed and `support.updated` is sent
//! as when the office answers. A ticket is opened only by a customer's contact in the
//! portal (the office cannot open one on a customer's behalf), so the API cannot either.
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use doorstep_app::ApiActor;
use doorstep_app::support::{self, Comment};
use doorstep_core::ids::SupportRequestId;
use doorstep_core::status::SupportStatus;
use doorstep_store::api_requests::{ApiSupportRequest, RequestFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Api;
use super::kit::{answer, id_of, json, json_body, list_query, page_of, refused, write};
use super::paging::{ListQuery, rfc3339};
use super::problem::{Problem, ReadOnly, Reading};
use crate::AppState;

/// A comment on a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportComment {
    /// The comment's id.
    pub id: i64,
    /// `staff` or `contact`.
    pub author_kind: String,
    /// The author's name.
    pub author_name: String,
    /// What they wrote.
    pub body: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// A support ticket a customer's contact opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportRequest {
    /// Id (use it in `/api/v1/support-requests/{id}`).
    pub id: i64,
    /// The office's number for it, e.g. `S-1001`.
    pub number: String,
    /// The customer's id.
    pub customer_id: i64,
    /// The contact who opened it.
    pub contact_id: Option<i64>,
    /// Subject.
    pub subject: String,
    /// What the contact wrote first.
    pub description: String,
    /// `open`, `in_progress`, `waiting_on_customer`, `resolved` or `closed`.
    pub status: String,
    /// The comments, oldest first (only on a single ticket's read and writes; empty in lists).
    pub comments: Vec<SupportComment>,
    /// When it was opened (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

impl SupportRequest {
    fn of(t: ApiSupportRequest, comments: Vec<SupportComment>) -> SupportRequest {
        SupportRequest {
            id: t.id,
            number: t.number,
            customer_id: t.customer_id,
            contact_id: t.contact_id,
            subject: t.subject,
            description: t.description,
            status: t.status,
            comments,
            created_at: rfc3339(t.created_at),
            updated_at: rfc3339(t.updated_at),
        }
    }
}

/// A page of support tickets, by change time.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportRequestList {
    /// The tickets.
    pub data: Vec<SupportRequest>,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The ticket list's own filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketFilterQuery {
    /// Only this customer's tickets.
    #[param(value_type = Option<i64>)]
    pub customer_id: Option<String>,
    /// Only tickets in this status: `open`, `in_progress`, `waiting_on_customer`,
    /// `resolved` or `closed`.
    pub status: Option<String>,
}

/// A staff reply.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyInput {
    /// The reply (required).
    pub body: String,
    /// The status to move the ticket to with the reply (`open`, `in_progress`,
    /// `waiting_on_customer` or `resolved`; a reply never closes a ticket). Absent: the
    /// office's rule picks it, as on its reply form.
    pub status: Option<String>,
}

/// A status move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketStatusInput {
    /// `open`, `in_progress`, `waiting_on_customer`, `resolved` or `closed` (a closed
    /// ticket may only be reopened).
    pub status: String,
}

const STATUSES: &str = "open, in_progress, waiting_on_customer, resolved, closed";

async fn find(
    state: &AppState,
    actor: &ApiActor,
    id: SupportRequestId,
) -> Result<ApiSupportRequest, Problem> {
    state
        .store
        .api_support_request(actor.company().id, id)
        .await?
        .ok_or_else(Problem::not_found)
}

async fn read(
    state: &AppState,
    actor: &ApiActor,
    id: SupportRequestId,
) -> Result<SupportRequest, Problem> {
    let t = find(state, actor, id).await?;
    let comments = state
        .store
        .support_comments(actor.company().id, id)
        .await?
        .into_iter()
        .map(|c| SupportComment {
            id: c.id,
            author_kind: if c.by_staff { "staff" } else { "contact" }.to_owned(),
            author_name: c.author_name,
            body: c.body,
            created_at: rfc3339(c.created_at),
        })
        .collect();
    Ok(SupportRequest::of(t, comments))
}

fn parameter(name: &'static str, message: &str) -> Problem {
    Problem::field("invalid-parameter", name, message)
}

fn filter_of(q: TicketFilterQuery) -> Result<(Option<i64>, Option<String>), Problem> {
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
            SupportStatus::parse(raw)
                .map_err(|_| parameter("status", &format!("`status` is one of {STATUSES}.")))?
                .as_str()
                .to_owned(),
        ),
    };
    Ok((customer, status))
}

/// List support tickets by change time.
#[utoipa::path(get, path = "/api/v1/support-requests", tag = "support-requests",
    params(ListQuery, TicketFilterQuery),
    responses(
        (status = 200, description = "A page of support tickets", body = SupportRequestList),
        Reading,
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Api(actor): Api,
    query: Result<Query<ListQuery>, QueryRejection>,
    filter: Result<Query<TicketFilterQuery>, QueryRejection>,
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
                .api_support_requests(actor.company().id, &filter, page.limit + 1)
                .await?;
            let (rows, next_cursor) = page_of(rows, &page, |t| (t.updated_at, t.id));
            let data = rows
                .into_iter()
                .map(|t| SupportRequest::of(t, Vec::new()))
                .collect();
            Ok(json(
                StatusCode::OK,
                &SupportRequestList { data, next_cursor },
            ))
        }
        .await,
    )
}

/// Read one support ticket, with its comments.
#[utoipa::path(get, path = "/api/v1/support-requests/{id}", tag = "support-requests",
    params(("id" = i64, Path, description = "The ticket's id")),
    responses(
        (status = 200, description = "The ticket", body = SupportRequest),
        Reading,
        (status = 404, description = "No such ticket of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let t = read(&state, &actor, id_of(&id, SupportRequestId)?).await?;
            Ok(json(StatusCode::OK, &t))
        }
        .await,
    )
}

/// Reply on a ticket as the office does (the contact is emailed when they want updates;
/// `support.updated` is sent).
#[utoipa::path(post, path = "/api/v1/support-requests/{id}/comments", tag = "support-requests",
    params(
        ("id" = i64, Path, description = "The ticket's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = ReplyInput,
    responses(
        (status = 201, description = "Replied: the ticket with its comments", body = SupportRequest),
        Reading,
        ReadOnly,
        (status = 404, description = "No such ticket of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is closed, or changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reply, or an unknown status", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn reply(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/support-requests/{id}/comments");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let id = id_of(&id, SupportRequestId)?;
            let current = find(&state, &actor, id).await?;
            let input: ReplyInput = json_body(&body)?;
            let office = actor.writer()?;
            // The office's form ignores a status it does not know; the API says so.
            if let Some(raw) = input.status.as_deref()
                && SupportStatus::parse(raw).is_err()
            {
                return Err(Problem::field(
                    "validation",
                    "status",
                    format!("`status` is one of {STATUSES}."),
                ));
            }
            let comment = Comment::parse(&input.body)
                .map_err(|e| refused(e.into(), &[]))?
                .with_status(input.status.as_deref());
            support::reply(&state.app, office, &current.number, comment, &[])
                .await
                .map_err(|e| refused(e, &[]))?;
            Ok(json(StatusCode::CREATED, &read(&state, &actor, id).await?))
        },
    )
    .await
}

/// Move a ticket's status as the office does (the contact is told; `support.updated` is
/// sent).
#[utoipa::path(post, path = "/api/v1/support-requests/{id}/status", tag = "support-requests",
    params(
        ("id" = i64, Path, description = "The ticket's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = TicketStatusInput,
    responses(
        (status = 200, description = "Moved", body = SupportRequest),
        Reading,
        ReadOnly,
        (status = 404, description = "No such ticket of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown status, the same one, or a move the rules do not allow", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn status(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/support-requests/{id}/status");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let id = id_of(&id, SupportRequestId)?;
            let current = find(&state, &actor, id).await?;
            let input: TicketStatusInput = json_body(&body)?;
            let office = actor.writer()?;
            support::set_status(&state.app, office, &current.number, &input.status)
                .await
                .map_err(|e| refused(e, &[]))?;
            Ok(json(StatusCode::OK, &read(&state, &actor, id).await?))
        },
    )
    .await
}
