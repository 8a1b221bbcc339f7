//! `/office/api-keys`: the company's API keys (issue 20), administrators only. A key is
//! made with a name and a scope and its secret shown once, on the answer to the form;
//! revoking asks first. Keys are never deleted, so the list keeps who used what.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::api_keys::{self, NewKey};
use doorstep_core::api_keys::Scopes;
use doorstep_store::api::ApiKey;
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::{Zone, when};
use crate::extract::{Form, Path, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// A key as the list shows it.
struct Row {
    id: i64,
    name: String,
    prefix: String,
    scopes: &'static str,
    created: String,
    last_used: String,
    revoked: Option<String>,
}

impl Row {
    fn of(zone: &Zone, k: ApiKey) -> Row {
        Row {
            id: k.id,
            scopes: Scopes::parse(&k.scopes)
                .unwrap_or(Scopes { write: false })
                .label(),
            created: when(zone, k.created_at),
            last_used: k
                .last_used_at
                .map(|t| when(zone, t))
                .unwrap_or_else(|| "Never".into()),
            revoked: k.revoked_at.map(|t| when(zone, t)),
            name: k.name,
            prefix: k.prefix,
        }
    }
}

/// The form's values and the messages next to its fields.
#[derive(Default)]
struct Draft {
    name: String,
    scopes: String,
    name_error: Option<String>,
    scopes_error: Option<String>,
}

#[derive(Template)]
#[template(path = "office/api/keys.html")]
struct ListPage {
    chrome: OfficeChrome,
    rows: Vec<Row>,
    draft: Draft,
    /// A key just made: its name and secret, shown this once.
    made: Option<(String, String)>,
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "office/api/revoke.html")]
struct RevokePage {
    chrome: OfficeChrome,
    row: Row,
}

/// The list's query string.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    done: Option<String>,
}

/// A new key as posted.
#[derive(Deserialize, Default)]
pub struct KeyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scopes: String,
}

/// The revocation as posted.
#[derive(Deserialize, Default)]
pub struct RevokeForm {
    #[serde(default)]
    confirm: String,
}

async fn list_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    draft: Draft,
    made: Option<(String, String)>,
    notice: Option<&'static str>,
) -> Result<ListPage, WebError> {
    let zone = &staff.company.time_zone;
    let rows = state
        .store
        .api_keys(staff.company.id)
        .await?
        .into_iter()
        .map(|k| Row::of(zone, k))
        .collect();
    Ok(ListPage {
        chrome: OfficeChrome::of(staff, csrf),
        rows,
        draft,
        made,
        notice,
    })
}

/// `GET /office/api-keys`: the keys and the form to make one.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let notice = match query.done.as_deref() {
        Some("revoked") => Some("Revoked. Every request with that key is refused from now on."),
        _ => None,
    };
    let draft = Draft {
        scopes: "read".into(),
        ..Draft::default()
    };
    let page = list_page(&state, &staff, &csrf, draft, None, notice).await?;
    crate::kit::render::page(&page)
}

/// `POST /office/api-keys`: makes a key and shows its secret, this once.
pub async fn create(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<KeyForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let key = match NewKey::parse(&form.name, &form.scopes) {
        Ok(key) => key,
        Err(errors) => {
            let draft = Draft {
                name: form.name.clone(),
                scopes: form.scopes.clone(),
                name_error: errors.get("name"),
                scopes_error: errors.get("scopes"),
            };
            let page = list_page(&state, &staff, &csrf, draft, None, None).await?;
            return crate::kit::render::page_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let made = api_keys::create(&state.app, admin, key).await?;
    let draft = Draft {
        scopes: "read".into(),
        ..Draft::default()
    };
    let name = form.name.trim().to_owned();
    let page = list_page(
        &state,
        &staff,
        &csrf,
        draft,
        Some((name, made.secret)),
        None,
    )
    .await?;
    let mut response = crate::kit::render::page(&page)?;
    // The secret is on this answer only: no cache keeps it.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

async fn load(state: &AppState, staff: &SignedInStaff, id: i64) -> Result<Row, WebError> {
    state
        .store
        .api_keys(staff.company.id)
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .map(|k| Row::of(&staff.company.time_zone, k))
        .ok_or(WebError::NotFound)
}

/// `GET /office/api-keys/{id}/revoke`: asks first.
pub async fn confirm_revoke(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let row = load(&state, &staff, id).await?;
    let page = RevokePage {
        chrome: OfficeChrome::of(&staff, &csrf),
        row,
    };
    crate::kit::render::page(&page)
}

/// `POST /office/api-keys/{id}/revoke`: revokes the key once confirmed (without the
/// confirmation, sends to the confirmation step).
pub async fn revoke(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    if form.confirm != "yes" {
        return Ok(Redirect::to(&format!("/office/api-keys/{id}/revoke")).into_response());
    }
    api_keys::revoke(&state.app, admin, id).await?;
    Ok(Redirect::to("/office/api-keys?done=revoked").into_response())
}
