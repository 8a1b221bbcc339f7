//! Saved payment methods and autopay (issue 19), for company contacts who may pay:
//! `GET /payment-methods` lists the account's cards (brand, last 4, expiry, the default)
//! with autopay's switch; "Add a card" opens the processor's hosted setup page (the
//! built-in test processor's is `/payment-methods/test/{session}`, marked TEST MODE);
//! removing a card asks first.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::payments::cards::{self, MethodChoice, method_label};
use doorstep_core::authz::PortalAction;
use doorstep_core::payments::card_expired;
use serde::Deserialize;

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path, Query};
use crate::kit::render::{page, page_with};
use crate::kit::urls::path_segment;
use crate::pages::portal::billing::require;
use crate::views::PortalChrome;
use crate::{AppState, WebError};

fn value(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The page's query: which change was just made (a fixed word, shown as a message).
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    done: String,
}

struct MethodView {
    id: i64,
    label: String,
    expiry: String,
    expired: bool,
    is_default: bool,
}

#[derive(Template)]
#[template(path = "portal/cards.html")]
struct ListPage {
    chrome: PortalChrome,
    methods: Vec<MethodView>,
    autopay: bool,
    can_add: bool,
    test_mode: bool,
    has_default: bool,
    notice: Option<&'static str>,
}

fn notice(done: &str) -> Option<&'static str> {
    Some(match done {
        "added" => "Your card was saved.",
        "removed" => "The card was removed.",
        "removed_autopay" => {
            "The card was removed. Autopay is now off, because it charged that card: choose a default card to turn it on again."
        }
        "default" => "Your default card was changed.",
        "autopay_on" => {
            "Autopay is on: invoices will be charged to your default card on their due date."
        }
        "autopay_off" => "Autopay is off.",
        _ => return None,
    })
}

/// `GET /payment-methods`.
pub async fn list(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Pay)?;
    let saved = cards::saved_methods(&state.app, &contact.actor).await?;
    let company = &contact.portal.company;
    let today = doorstep_core::local_time::today(&company.time_zone, doorstep_store::now());
    let methods = saved
        .methods
        .iter()
        .map(|m| MethodView {
            id: m.id,
            label: if m.kind == "bank" {
                format!("{} account ending {}", m.brand, m.last4)
            } else {
                method_label(&m.brand, &m.last4)
            },
            expiry: match (m.exp_month, m.exp_year) {
                (Some(mo), Some(y)) => format!("{mo:02}/{y}"),
                _ => String::new(),
            },
            expired: card_expired(m.exp_month, m.exp_year, today),
            is_default: m.is_default,
        })
        .collect::<Vec<_>>();
    page(&ListPage {
        chrome: PortalChrome::of(&contact, &csrf).at("/payments"),
        has_default: methods.iter().any(|m| m.is_default),
        methods,
        autopay: saved.autopay,
        can_add: saved.can_add,
        test_mode: saved.test_mode,
        notice: notice(&q.done),
    })
}

/// `POST /payment-methods/add`: on to the processor's page for saving a card.
pub async fn add(
    State(state): State<AppState>,
    contact: SignedInContact,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Pay)?;
    let url = cards::start_setup(&state.app, &contact.actor).await?;
    Ok(Redirect::to(&url).into_response())
}

fn choice(raw: &str) -> Result<MethodChoice, WebError> {
    MethodChoice::parse(raw)
        .map_err(|e| WebError::Refused(StatusCode::UNPROCESSABLE_ENTITY, e.message))
}

/// The query or form naming a card.
#[derive(Deserialize, Default)]
pub struct MethodQuery {
    #[serde(default)]
    method: String,
}

#[derive(Template)]
#[template(path = "portal/cards_remove.html")]
struct RemovePage {
    chrome: PortalChrome,
    id: i64,
    label: String,
    autopay: bool,
}

/// `GET /payment-methods/remove?method=ID`: asks first.
pub async fn confirm_remove(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MethodQuery>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Pay)?;
    let chosen = choice(&q.method)?;
    let saved = cards::saved_methods(&state.app, &contact.actor).await?;
    let m = saved
        .methods
        .iter()
        .find(|m| m.id == chosen.id())
        .ok_or_else(|| WebError::from(AppError::NotFound))?;
    page(&RemovePage {
        chrome: PortalChrome::of(&contact, &csrf).at("/payments"),
        id: m.id,
        label: method_label(&m.brand, &m.last4),
        autopay: m.is_default && m.autopay,
    })
}

/// `POST /payment-methods/remove`.
pub async fn remove(
    State(state): State<AppState>,
    contact: SignedInContact,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Pay)?;
    let chosen = choice(&value(&fields, "method"))?;
    let removed = cards::remove_method(&state.app, &contact.actor, chosen).await?;
    let done = if removed.autopay_stopped {
        "removed_autopay"
    } else {
        "removed"
    };
    Ok(Redirect::to(&format!("{}?done={done}", cards::PAGE)).into_response())
}

/// `POST /payment-methods/default`.
pub async fn make_default(
    State(state): State<AppState>,
    contact: SignedInContact,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Pay)?;
    let chosen = choice(&value(&fields, "method"))?;
    cards::set_default(&state.app, &contact.actor, chosen).await?;
    Ok(Redirect::to(&format!("{}?done=default", cards::PAGE)).into_response())
}

/// `POST /payment-methods/autopay`: `autopay` = `on` or `off`.
pub async fn autopay(
    State(state): State<AppState>,
    contact: SignedInContact,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Pay)?;
    let on = match value(&fields, "autopay").as_str() {
        "on" => true,
        "off" => false,
        _ => {
            return Err(WebError::Refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Choose whether autopay is on or off.".into(),
            ));
        }
    };
    cards::set_autopay(&state.app, &contact.actor, on).await?;
    let done = if on { "autopay_on" } else { "autopay_off" };
    Ok(Redirect::to(&format!("{}?done={done}", cards::PAGE)).into_response())
}

#[derive(Template)]
#[template(path = "portal/cards_test.html")]
struct TestPage {
    chrome: PortalChrome,
    action: String,
    card: String,
    card_error: Option<String>,
}

async fn test_page(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
    session: &str,
    (card, card_error): (String, Option<String>),
) -> Result<Response, WebError> {
    let setup = cards::test_setup(&state.app, &contact.actor, session).await?;
    if setup.status != "open" {
        return Ok(Redirect::to(cards::PAGE).into_response());
    }
    let status = if card_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page_with(
        status,
        &TestPage {
            chrome: PortalChrome::of(contact, csrf).at("/payments"),
            action: format!("/payment-methods/test/{}", path_segment(session)),
            card,
            card_error,
        },
    )
}

/// `GET /payment-methods/test/{session}`: the test processor's hosted setup page.
pub async fn test_form(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(session): Path<String>,
) -> Result<Response, WebError> {
    test_page(&state, &contact, &csrf, &session, (String::new(), None)).await
}

/// `POST /payment-methods/test/{session}`: saves the typed test card through the
/// webhook path, then back to the list.
pub async fn test_submit(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(session): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let card = value(&fields, "card");
    match cards::complete_test_setup(&state.app, &contact.actor, &session, &card).await {
        Ok(()) => Ok(Redirect::to(&format!("{}?done=added", cards::PAGE)).into_response()),
        Err(AppError::Invalid(e)) if e.field == "card" => {
            test_page(&state, &contact, &csrf, &session, (card, Some(e.message))).await
        }
        Err(e) => Err(e.into()),
    }
}
