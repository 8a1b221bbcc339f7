//! The site forms: add (to a customer), edit, and the confirmation step before
//! deactivating; each write one use case of `doorstep_app::customers::sites`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::customers::sites::{self, Site, SiteFields};
use doorstep_app::error::FieldErrors;
use doorstep_core::ids::{CustomerId, SiteId};
use doorstep_store::customer_reads::{CustomerDetail, SiteDetail};

use super::{Draft, account, page_of, render};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path, field};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "office/site_form.html")]
struct FormPage {
    chrome: OfficeChrome,
    customer_name: String,
    customer_href: String,
    editing: bool,
    action: String,
    draft: Draft,
}

fn fields_of(pairs: &[(String, String)]) -> SiteFields {
    let f = |name| field(pairs, name).to_owned();
    SiteFields {
        name: f("site_name"),
        line1: f("line1"),
        line2: f("line2"),
        city: f("city"),
        region: f("region"),
        postal_code: f("postal_code"),
        access_notes: f("access_notes"),
    }
}

fn refusal(err: AppError) -> Result<FieldErrors, AppError> {
    match err {
        AppError::Invalid(e) => Ok(FieldErrors(vec![e])),
        other => Err(other),
    }
}

/// Site `id` of the signed-in company and its account, or 404.
async fn site_and_account(
    state: &AppState,
    staff: &SignedInStaff,
    id: i64,
) -> Result<(SiteDetail, CustomerDetail), WebError> {
    staff
        .actor
        .require(doorstep_core::authz::OfficeArea::DayToDay)?;
    let company = staff.company.id;
    let site = state
        .store
        .site_detail(company, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let summary = state
        .store
        .customer_summary(company, CustomerId(site.customer_id))
        .await?
        .ok_or(WebError::NotFound)?;
    let customer = account(state, staff, &summary.number).await?;
    Ok((site, customer))
}

fn page(
    staff: &SignedInStaff,
    csrf: &str,
    customer: &CustomerDetail,
    site: Option<i64>,
    draft: Draft,
) -> FormPage {
    let customer_href = page_of(&customer.number);
    FormPage {
        chrome: OfficeChrome::of(staff, csrf),
        customer_name: customer.name.clone(),
        editing: site.is_some(),
        action: match site {
            Some(id) => format!("/office/sites/{id}/edit"),
            None => format!("{customer_href}/sites/new"),
        },
        customer_href,
        draft,
    }
}

/// `GET /office/customers/{number}/sites/new`.
pub async fn new_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let customer = account(&state, &staff, &number).await?;
    render(
        &page(&staff, &csrf, &customer, None, Draft::default()),
        StatusCode::OK,
    )
}

/// `POST /office/customers/{number}/sites/new`.
pub async fn create(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let customer = account(&state, &staff, &number).await?;
    let errors = match Site::parse(&fields_of(&pairs)) {
        Ok(site) => match sites::add(&state.app, &staff.actor, CustomerId(customer.id), site).await
        {
            Ok(_) => {
                let to = format!("{}?done=site_added", page_of(&customer.number));
                return Ok(Redirect::to(&to).into_response());
            }
            Err(err) => refusal(err)?,
        },
        Err(errors) => errors,
    };
    render(
        &page(&staff, &csrf, &customer, None, Draft::of(pairs, errors)),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// `GET /office/sites/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (s, customer) = site_and_account(&state, &staff, id).await?;
    let pairs = [
        ("site_name", s.name),
        ("line1", s.line1),
        ("line2", s.line2),
        ("city", s.city),
        ("region", s.region),
        ("postal_code", s.postal_code),
        ("access_notes", s.access_notes),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let draft = Draft::of(pairs, FieldErrors::default());
    render(
        &page(&staff, &csrf, &customer, Some(s.id), draft),
        StatusCode::OK,
    )
}

/// `POST /office/sites/{id}/edit`.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (s, customer) = site_and_account(&state, &staff, id).await?;
    let errors = match Site::parse(&fields_of(&pairs)) {
        Ok(site) => match sites::edit(&state.app, &staff.actor, SiteId(s.id), site).await {
            Ok(()) => {
                let to = format!("{}?done=site_saved", page_of(&customer.number));
                return Ok(Redirect::to(&to).into_response());
            }
            Err(err) => refusal(err)?,
        },
        Err(errors) => errors,
    };
    render(
        &page(
            &staff,
            &csrf,
            &customer,
            Some(s.id),
            Draft::of(pairs, errors),
        ),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// `GET /office/sites/{id}/deactivate`: asks first.
pub async fn confirm_deactivate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (s, customer) = site_and_account(&state, &staff, id).await?;
    super::confirm(
        &staff,
        &csrf,
        (
            format!("Deactivate the site {}?", s.name),
            "The site can no longer be chosen for new work and leaves the portal; its jobs keep it. You can reactivate it later.".into(),
        ),
        (format!("/office/sites/{}/deactivate", s.id), "Deactivate site"),
        page_of(&customer.number),
    )
}

/// `POST /office/sites/{id}/deactivate`.
pub async fn deactivate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (s, customer) = site_and_account(&state, &staff, id).await?;
    sites::deactivate(&state.app, &staff.actor, SiteId(s.id)).await?;
    let to = format!("{}?done=site_deactivated", page_of(&customer.number));
    Ok(Redirect::to(&to).into_response())
}

/// `POST /office/sites/{id}/reactivate`.
pub async fn reactivate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (s, customer) = site_and_account(&state, &staff, id).await?;
    sites::reactivate(&state.app, &staff.actor, SiteId(s.id)).await?;
    let to = format!("{}?done=site_reactivated", page_of(&customer.number));
    Ok(Redirect::to(&to).into_response())
}
