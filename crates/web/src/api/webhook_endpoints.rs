//! `/api/v1/webhook-endpoints` and `/api/v1/webhook-deliveries`: the company's webhook
//! endpoints (list, add, read, change events and active, delete), each endpoint's
//! delivery log, and redelivery, through the office's own use cases
//! (`doorstep_app::webhooks`), so the same URL and event rules apply.
//!
//! These are an administrator's in the office. A key acts as the administrator who made
//! it ([`ApiActor::admin`]): any key of an administrator reads them, a write key changes
//! them, and a key whose maker is no longer an administrator is refused (403).
//!
//! The signing secret is answered once, by the create; that answer is never kept for an
//! `Idempotency-Key` replay (the key is ignored there), as a secret is kept only sealed.
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use doorstep_app::webhooks::{self, NewEndpoint};
use doorstep_app::{Admin, ApiActor};
use doorstep_store::webhooks::{Delivery, Endpoint};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Api;
use super::kit::{answer, created, id_of, json, json_body, refused, write};
use super::paging::{DEFAULT_LIMIT, MAX_LIMIT, rfc3339};
use super::problem::{Clash, KeyReused, Problem, Reading, Writing};
use crate::AppState;

/// A webhook endpoint (its signing secret is only in the create's answer).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpoint {
    /// Id (use it in `/api/v1/webhook-endpoints/{id}`).
    pub id: i64,
    /// Where events are posted.
    pub url: String,
    /// The events it receives.
    pub events: Vec<String>,
    /// Whether events are sent to it.
    pub active: bool,
    /// When it was added (RFC 3339).
    pub created_at: String,
}

impl WebhookEndpoint {
    fn of(e: &Endpoint) -> WebhookEndpoint {
        WebhookEndpoint {
            id: e.id,
            url: e.url.clone(),
            events: e.event_list().into_iter().map(str::to_owned).collect(),
            active: e.active,
            created_at: rfc3339(e.created_at),
        }
    }
}

/// A webhook endpoint just added, with its signing secret (shown this once).
#[derive(Debug, Serialize, ToSchema)]
pub struct AddedEndpoint {
    /// Id.
    pub id: i64,
    /// Where events are posted.
    pub url: String,
    /// The events it receives.
    pub events: Vec<String>,
    /// Whether events are sent to it.
    pub active: bool,
    /// When it was added (RFC 3339).
    pub created_at: String,
    /// The signing secret (`whsec_…`) for `Doorstep-Signature`: keep it now, it is
    /// answered only this once (an administrator can reveal it in the office).
    pub secret: String,
}

/// The company's webhook endpoints.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpointList {
    /// The endpoints, oldest first.
    pub data: Vec<WebhookEndpoint>,
}

/// A new endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointInput {
    /// Where to post events: `https://…`, or `http://` to this machine (loopback).
    pub url: String,
    /// The events to receive (at least one), e.g. `["invoice.paid"]`.
    pub events: Vec<String>,
}

/// An endpoint's changes: the fields sent.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointPatch {
    /// The events to receive from now on (at least one).
    pub events: Option<Vec<String>>,
    /// `false` stops sending (pending deliveries fail), `true` starts again.
    pub active: Option<bool>,
}

/// One delivery of one event to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDelivery {
    /// Id (use it in `/api/v1/webhook-deliveries/{id}/redeliver`).
    pub id: i64,
    /// The endpoint's id.
    pub endpoint_id: i64,
    /// The event's id (`evt_…`), the same on every attempt and redelivery.
    pub event_id: String,
    /// The event's type, e.g. `invoice.paid`.
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Attempts made in its current window.
    pub attempts: i64,
    /// The HTTP status of the last answer, if one came.
    pub response_status: Option<i64>,
    /// The start of the last answer's body.
    pub response_excerpt: String,
    /// What went wrong last (empty if nothing did).
    pub last_error: String,
    /// When it was last tried (RFC 3339).
    pub last_attempt_at: Option<String>,
    /// When it is due (again) while pending (RFC 3339).
    pub next_attempt_at: String,
    /// When the receiver accepted it (RFC 3339).
    pub delivered_at: Option<String>,
    /// When the event happened, or the redelivery was asked for (RFC 3339).
    pub created_at: String,
}

impl WebhookDelivery {
    fn of(d: Delivery) -> WebhookDelivery {
        WebhookDelivery {
            id: d.id,
            endpoint_id: d.endpoint_id,
            event_id: d.event_id,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts,
            response_status: d.response_status,
            response_excerpt: d.response_excerpt,
            last_error: d.last_error,
            last_attempt_at: d.last_attempt_at.map(rfc3339),
            next_attempt_at: rfc3339(d.next_attempt_at),
            delivered_at: d.delivered_at.map(rfc3339),
            created_at: rfc3339(d.created_at),
        }
    }
}

/// A page of an endpoint's deliveries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryList {
    /// The deliveries.
    pub data: Vec<WebhookDelivery>,
    /// Pass it as `cursor` for the next (older) page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The delivery log's query string.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// How many deliveries (1 to 100; 50 when absent).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Refused unless the key's maker is an administrator (a read-only key may read).
fn admin_reads(actor: &ApiActor) -> Result<(), Problem> {
    if actor.made_by_admin() {
        Ok(())
    } else {
        Err(not_admin())
    }
}

fn not_admin() -> Problem {
    Problem::new(
        "forbidden",
        "Webhooks are an administrator's, and this key's maker is not one.",
    )
}

/// The key as its maker, an administrator: 403 for a read-only key or another maker.
fn admin_of(actor: &ApiActor) -> Result<Admin<'_>, Problem> {
    actor.writer()?;
    admin_reads(actor)?;
    Ok(actor.admin()?)
}

async fn find(state: &AppState, actor: &ApiActor, id: i64) -> Result<Endpoint, Problem> {
    state
        .store
        .webhook_endpoint(actor.company().id, id)
        .await?
        .ok_or_else(Problem::not_found)
}

/// List the company's webhook endpoints.
#[utoipa::path(get, path = "/api/v1/webhook-endpoints", tag = "webhooks",
    responses(
        (status = 200, description = "The endpoints", body = WebhookEndpointList),
        Reading,
        (status = 403, description = "The key's maker is not an administrator", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, Api(actor): Api) -> Response {
    answer(
        async {
            admin_reads(&actor)?;
            let all = state.store.webhook_endpoints(actor.company().id).await?;
            let data = all.iter().map(WebhookEndpoint::of).collect();
            Ok(json(StatusCode::OK, &WebhookEndpointList { data }))
        }
        .await,
    )
}

/// Add an endpoint receiving the chosen events; the answer holds its signing secret,
/// this once. `Idempotency-Key` is not honoured here: the secret is never kept.
#[utoipa::path(post, path = "/api/v1/webhook-endpoints", tag = "webhooks",
    request_body = EndpointInput,
    responses(
        (status = 201, description = "Added, with its secret", body = AddedEndpoint),
        Writing,
    ),
    security(("bearer" = [])))]
pub async fn create(State(state): State<AppState>, Api(actor): Api, body: Bytes) -> Response {
    answer(
        async {
            let admin = admin_of(&actor)?;
            let input: EndpointInput = json_body(&body)?;
            let new =
                NewEndpoint::parse(&input.url, &input.events).map_err(|e| Problem::fields(&e))?;
            let added = webhooks::add(&state.app, admin, new)
                .await
                .map_err(|e| refused(e, &[]))?;
            let e = WebhookEndpoint::of(&find(&state, &actor, added.id).await?);
            let answer = AddedEndpoint {
                id: e.id,
                url: e.url,
                events: e.events,
                active: e.active,
                created_at: e.created_at,
                secret: added.secret,
            };
            let mut response = created(&format!("/api/v1/webhook-endpoints/{}", e.id), &answer);
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            Ok(response)
        }
        .await,
    )
}

/// Read one endpoint (without its secret).
#[utoipa::path(get, path = "/api/v1/webhook-endpoints/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "The endpoint", body = WebhookEndpoint),
        Reading,
        (status = 403, description = "The key's maker is not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            admin_reads(&actor)?;
            let e = find(&state, &actor, id_of(&id, |i| i)?).await?;
            Ok(json(StatusCode::OK, &WebhookEndpoint::of(&e)))
        }
        .await,
    )
}

/// Change an endpoint's events and whether it is active (the fields sent).
#[utoipa::path(patch, path = "/api/v1/webhook-endpoints/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "The endpoint's id")),
    request_body = EndpointPatch,
    responses(
        (status = 200, description = "Saved", body = WebhookEndpoint),
        Writing,
        (status = 404, description = "No such endpoint of this company", body = Problem, content_type = "application/problem+json"),
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
            let admin = admin_of(&actor)?;
            let id = id_of(&id, |i| i)?;
            let current = find(&state, &actor, id).await?;
            let input: EndpointPatch = json_body(&body)?;
            // Both checked before either is saved.
            let events = match &input.events {
                Some(events) => {
                    Some(webhooks::parse_events(events).map_err(|e| Problem::fields(&e))?)
                }
                None => None,
            };
            if let Some(events) = events {
                webhooks::edit_events(&state.app, admin, id, events)
                    .await
                    .map_err(|e| refused(e, &[]))?;
            }
            // Already so is no change, as a PATCH of the same value is none.
            if let Some(active) = input.active.filter(|a| *a != current.active) {
                webhooks::set_active(&state.app, admin, id, active)
                    .await
                    .map_err(|e| refused(e, &[]))?;
            }
            let e = find(&state, &actor, id).await?;
            Ok(json(StatusCode::OK, &WebhookEndpoint::of(&e)))
        }
        .await,
    )
}

/// Delete an endpoint with its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhook-endpoints/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "The endpoint's id")),
    responses(
        (status = 204, description = "Deleted"),
        Reading,
        (status = 403, description = "A read-only key, or the key's maker is not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let admin = admin_of(&actor)?;
            let id = id_of(&id, |i| i)?;
            webhooks::delete(&state.app, admin, id)
                .await
                .map_err(|e| refused(e, &[]))?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}

fn page_of(q: &DeliveryQuery) -> Result<(i64, Option<i64>), Problem> {
    let limit = match q.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                Problem::field(
                    "invalid-parameter",
                    "limit",
                    "`limit` is a whole number from 1 to 100.",
                )
            })?,
    };
    let before = match q.cursor.as_deref() {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| {
                    Problem::field(
                        "invalid-parameter",
                        "cursor",
                        "`cursor` is the previous page's `next_cursor`.",
                    )
                })?,
        ),
    };
    Ok((limit, before))
}

/// An endpoint's deliveries, newest first: status, attempts, last answer.
#[utoipa::path(get, path = "/api/v1/webhook-endpoints/{id}/deliveries", tag = "webhooks",
    params(("id" = i64, Path, description = "The endpoint's id"), DeliveryQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = WebhookDeliveryList),
        Reading,
        (status = 403, description = "The key's maker is not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn deliveries(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    query: Result<Query<DeliveryQuery>, QueryRejection>,
) -> Response {
    answer(
        async {
            admin_reads(&actor)?;
            let Query(query) =
                query.map_err(|e| Problem::field("invalid-parameter", "query", e.body_text()))?;
            let (limit, before) = page_of(&query)?;
            let id = id_of(&id, |i| i)?;
            find(&state, &actor, id).await?;
            let mut rows = state
                .store
                .webhook_deliveries(actor.company().id, id, before, limit + 1)
                .await?;
            let next_cursor = if rows.len() as i64 > limit {
                rows.truncate(limit as usize);
                rows.last().map(|d| d.id.to_string())
            } else {
                None
            };
            let data = rows.into_iter().map(WebhookDelivery::of).collect();
            Ok(json(
                StatusCode::OK,
                &WebhookDeliveryList { data, next_cursor },
            ))
        }
        .await,
    )
}

/// Send a delivery again, under the same event id, retried for another 24 hours.
#[utoipa::path(post, path = "/api/v1/webhook-deliveries/{id}/redeliver", tag = "webhooks",
    params(
        ("id" = i64, Path, description = "The delivery's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    responses(
        (status = 200, description = "Due again now", body = WebhookDelivery),
        Reading,
        KeyReused,
        (status = 403, description = "A read-only key, or the key's maker is not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such delivery of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It is being sent right now", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn redeliver(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/webhook-deliveries/{id}/redeliver");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let admin = admin_of(&actor)?;
            let id = id_of(&id, |i| i)?;
            webhooks::redeliver(&state.app, admin, id)
                .await
                .map_err(|e| refused(e, &[]))?;
            let d = state
                .store
                .api_webhook_delivery(actor.company().id, id)
                .await?
                .ok_or_else(Problem::not_found)?;
            Ok(json(StatusCode::OK, &WebhookDelivery::of(d)))
        },
    )
    .await
}
