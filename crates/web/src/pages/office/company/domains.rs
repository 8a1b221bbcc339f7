//! `/office/company/domains` (administrators): the company's custom domains, each with
//! the DNS record to create and whether it was checked, the form to add one (a domain
//! another company uses is refused next to the field, nothing written) and removing one
//! after a confirmation step. A removed domain stops serving the company at once.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::company::domains;
use doorstep_store::company_domains::CompanyDomain;
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::when;
use crate::extract::{Form, Path, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// A domain as the list shows it.
struct Row {
    id: i64,
    domain: String,
    added: String,
    checked: Option<String>,
}

#[derive(Template)]
#[template(path = "office/company/domains.html")]
struct DomainsPage {
    chrome: OfficeChrome,
    rows: Vec<Row>,
    /// Where every custom domain's CNAME points.
    target: String,
    /// The company's own address under the service's domain.
    own_host: String,
    typed: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "office/company/domain_remove.html")]
struct ConfirmPage {
    chrome: OfficeChrome,
    row: Row,
}

/// The list's query string.
#[derive(Debug, Deserialize, Default)]
pub struct DomainsQuery {
    done: Option<String>,
}

/// A domain as posted.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct AddForm {
    domain: String,
}

/// A removal as posted from its confirmation page.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct RemoveForm {
    confirm: String,
}

fn row(staff: &SignedInStaff, d: CompanyDomain) -> Row {
    let zone = &staff.company.time_zone;
    Row {
        id: d.id,
        added: when(zone, d.created_at),
        checked: d.verified_at.map(|t| when(zone, t)),
        domain: d.domain,
    }
}

async fn page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    (typed, error): (String, Option<String>),
    notice: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let rows = state
        .store
        .company_domains(staff.company.id)
        .await?
        .into_iter()
        .map(|d| row(staff, d))
        .collect();
    let page = DomainsPage {
        chrome: OfficeChrome::of(staff, csrf),
        rows,
        target: state.config.base_domain.clone(),
        own_host: format!("{}.{}", staff.company.slug, state.config.base_domain),
        typed,
        error,
        notice,
    };
    crate::kit::render::page_with(status, &page)
}

/// `GET /office/company/domains`.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<DomainsQuery>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let notice = match query.done.as_deref() {
        Some("added") => Some(
            "Domain added. Create its DNS record below; it serves your portal once the record is in place.",
        ),
        Some("removed") => Some("Domain removed. It no longer serves your portal."),
        _ => None,
    };
    page(
        &state,
        &staff,
        &csrf,
        (String::new(), None),
        notice,
        StatusCode::OK,
    )
    .await
}

/// `POST /office/company/domains`: adds a domain.
pub async fn add(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<AddForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let refused = |e: AppError| match e {
        AppError::Invalid(i) => Ok((StatusCode::UNPROCESSABLE_ENTITY, i.message)),
        AppError::Conflict { message, .. } => Ok((StatusCode::CONFLICT, message)),
        other => Err(other),
    };
    let done = match domains::parse(&form.domain, &state.config.base_domain) {
        Ok(domain) => domains::add(&state.app, admin, &domain).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Ok(Redirect::to("/office/company/domains?done=added").into_response()),
        Err(e) => {
            let (status, message) = refused(e)?;
            page(
                &state,
                &staff,
                &csrf,
                (form.domain, Some(message)),
                None,
                status,
            )
            .await
        }
    }
}

/// `GET /office/company/domains/{id}/remove`: asks first.
pub async fn confirm_remove(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let domain = state
        .store
        .company_domain(staff.company.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let page = ConfirmPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        row: row(&staff, domain),
    };
    crate::kit::render::page(&page)
}

/// `POST /office/company/domains/{id}/remove`: removes it once confirmed (without the
/// confirmation, sends to the confirmation step).
pub async fn remove(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    if form.confirm != "yes" {
        return Ok(Redirect::to(&format!("/office/company/domains/{id}/remove")).into_response());
    }
    domains::remove(&state.app, admin, id).await?;
    Ok(Redirect::to("/office/company/domains?done=removed").into_response())
}
