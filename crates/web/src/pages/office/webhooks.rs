//! `/office/webhooks`: outgoing webhooks, administrators only. The list of endpoints
//! with the form to add one; each endpoint's page with its events, its signing secret
//! (shown once when added, revealed again on request), disable and delete, and its
//! delivery log with "Redeliver".

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::webhooks::{self, NewEndpoint};
use doorstep_core::webhooks::EVENTS;
use doorstep_store::webhooks::{Delivery, Endpoint};
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::when;
use crate::extract::{Form, Path, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

const PAGE: i64 = 25;

/// One event's checkbox.
struct Choice {
    name: &'static str,
    on: bool,
}

fn choices(chosen: &[&str]) -> Vec<Choice> {
    EVENTS
        .iter()
        .map(|name| Choice {
            name,
            on: chosen.contains(name),
        })
        .collect()
}

/// The add form as typed and its messages.
#[derive(Default)]
struct Draft {
    url: String,
    events: Vec<Choice>,
    url_error: Option<String>,
    events_error: Option<String>,
}

#[derive(Template)]
#[template(path = "office/webhooks.html")]
struct ListPage {
    chrome: OfficeChrome,
    endpoints: Vec<Endpoint>,
    draft: Draft,
    notice: Option<&'static str>,
}

/// A delivery as the log shows it.
struct Row {
    d: Delivery,
    last: String,
    next: String,
}

#[derive(Template)]
#[template(path = "office/webhook.html")]
struct EndpointPage {
    chrome: OfficeChrome,
    e: Endpoint,
    added: String,
    events: Vec<Choice>,
    events_error: Option<String>,
    secret: Option<String>,
    just_added: bool,
    notice: Option<&'static str>,
    rows: Vec<Row>,
    older: Option<i64>,
}

#[derive(Template)]
#[template(path = "office/confirm.html")]
struct ConfirmPage {
    chrome: OfficeChrome,
    title: String,
    message: String,
    action: String,
    button: String,
    back: String,
}

/// The list's query string.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    done: Option<String>,
}

/// The endpoint page's query string.
#[derive(Deserialize, Default)]
pub struct EndpointQuery {
    before: Option<i64>,
    done: Option<String>,
}

/// The fields of a posted form, repeated `events` kept in order.
type Fields = Vec<(String, String)>;

fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn events_of(fields: &Fields) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, _)| k == "events")
        .map(|(_, v)| v.clone())
        .collect()
}

fn list_notice(done: Option<&str>) -> Option<&'static str> {
    match done {
        Some("deleted") => Some("Deleted. Nothing more is sent to that URL."),
        _ => None,
    }
}

async fn list_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    draft: Draft,
    notice: Option<&'static str>,
) -> Result<ListPage, WebError> {
    let endpoints = state.store.webhook_endpoints(staff.company.id).await?;
    Ok(ListPage {
        chrome: OfficeChrome::of(staff, csrf),
        endpoints,
        draft,
        notice,
    })
}

/// `GET /office/webhooks`: the endpoints and the form to add one.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let draft = Draft {
        events: choices(&[]),
        ..Draft::default()
    };
    let page = list_page(
        &state,
        &staff,
        &csrf,
        draft,
        list_notice(query.done.as_deref()),
    )
    .await?;
    crate::kit::render::page(&page)
}

/// `POST /office/webhooks`: adds an endpoint and shows its secret this once.
pub async fn add(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(fields): Form<Fields>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let url = field(&fields, "url");
    let events = events_of(&fields);
    let new = match NewEndpoint::parse(url, &events) {
        Ok(new) => new,
        Err(errors) => {
            let chosen: Vec<&str> = events.iter().map(String::as_str).collect();
            let draft = Draft {
                url: url.to_owned(),
                events: choices(&chosen),
                url_error: errors.get("url"),
                events_error: errors.get("events"),
            };
            let page = list_page(&state, &staff, &csrf, draft, None).await?;
            return crate::kit::render::page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let added = webhooks::add(&state.app, admin, new).await?;
    let page = endpoint_page(
        &state,
        &staff,
        &csrf,
        added.id,
        EndpointQuery::default(),
        (Some(added.secret), true),
    )
    .await?;
    crate::kit::render::page(&page)
}

async fn endpoint_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    id: i64,
    query: EndpointQuery,
    (secret, just_added): (Option<String>, bool),
) -> Result<EndpointPage, WebError> {
    let company = staff.company.id;
    let e = state
        .store
        .webhook_endpoint(company, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut deliveries = state
        .store
        .webhook_deliveries(company, id, query.before, PAGE + 1)
        .await?;
    let older = (deliveries.len() as i64 > PAGE).then(|| {
        deliveries.truncate(PAGE as usize);
        deliveries.last().map(|d| d.id)
    });
    let zone = &staff.company.time_zone;
    let rows = deliveries
        .into_iter()
        .map(|d| Row {
            last: d.last_attempt_at.map(|t| when(zone, t)).unwrap_or_default(),
            next: if d.status == "pending" {
                when(zone, d.next_attempt_at)
            } else {
                String::new()
            },
            d,
        })
        .collect();
    let notice = match query.done.as_deref() {
        Some("events") => Some("Saved. The endpoint receives the events ticked below."),
        Some("disabled") => Some("Disabled. Nothing is sent to it until you enable it again."),
        Some("enabled") => Some("Enabled. New events are sent to it again."),
        Some("redeliver") => Some("Queued again, under the same event id."),
        _ => None,
    };
    Ok(EndpointPage {
        chrome: OfficeChrome::of(staff, csrf),
        events: choices(&e.event_list()),
        added: when(zone, e.created_at),
        e,
        events_error: None,
        secret,
        just_added,
        notice,
        rows,
        older: older.flatten(),
    })
}

/// `GET /office/webhooks/{id}`: one endpoint and its delivery log.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<EndpointQuery>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let page = endpoint_page(&state, &staff, &csrf, id, query, (None, false)).await?;
    crate::kit::render::page(&page)
}

/// `POST /office/webhooks/{id}/events`: sets the events it receives.
pub async fn save_events(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let typed = events_of(&fields);
    match webhooks::parse_events(&typed) {
        Ok(events) => {
            webhooks::edit_events(&state.app, admin, id, events).await?;
            Ok(Redirect::to(&format!("/office/webhooks/{id}?done=events")).into_response())
        }
        Err(errors) => {
            let mut page = endpoint_page(
                &state,
                &staff,
                &csrf,
                id,
                EndpointQuery::default(),
                (None, false),
            )
            .await?;
            let chosen: Vec<&str> = typed.iter().map(String::as_str).collect();
            page.events = choices(&chosen);
            page.events_error = errors.get("events");
            crate::kit::render::page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// `POST /office/webhooks/{id}/secret`: shows the signing secret again (recorded).
pub async fn reveal(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let secret = webhooks::reveal_secret(&state.app, admin, id).await?;
    let page = endpoint_page(
        &state,
        &staff,
        &csrf,
        id,
        EndpointQuery::default(),
        (Some(secret), false),
    )
    .await?;
    crate::kit::render::page(&page)
}

/// The switch as posted.
#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    active: String,
}

/// `POST /office/webhooks/{id}/active`: disables the endpoint or enables it again.
pub async fn active(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
    Form(form): Form<ActiveForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let on = form.active == "1";
    webhooks::set_active(&state.app, admin, id, on).await?;
    let done = if on { "enabled" } else { "disabled" };
    Ok(Redirect::to(&format!("/office/webhooks/{id}?done={done}")).into_response())
}

/// `GET /office/webhooks/{id}/delete`: asks before deleting.
pub async fn confirm_delete(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let e = state
        .store
        .webhook_endpoint(staff.company.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    crate::kit::render::page(&ConfirmPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        title: "Delete this webhook?".into(),
        message: format!(
            "Events are no longer sent to {}, and its delivery log is deleted with it. This cannot be undone.",
            e.url
        ),
        action: format!("/office/webhooks/{id}/delete"),
        button: "Delete webhook".into(),
        back: format!("/office/webhooks/{id}"),
    })
}

/// `POST /office/webhooks/{id}/delete`: deletes the endpoint and its log.
pub async fn delete(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    webhooks::delete(&state.app, admin, id).await?;
    Ok(Redirect::to("/office/webhooks?done=deleted").into_response())
}

/// `POST /office/webhooks/deliveries/{id}/redeliver`: sends a delivery again, same
/// event id.
pub async fn redeliver(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let endpoint = webhooks::redeliver(&state.app, admin, id).await?;
    Ok(Redirect::to(&format!("/office/webhooks/{endpoint}?done=redeliver")).into_response())
}
