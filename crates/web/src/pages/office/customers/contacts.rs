//! The contact forms: add (to a customer), edit (email included), and the confirmation
//! step before deactivating; each write one use case of
//! `doorstep_app::customers::contacts`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::customers::contacts::{self, Contact, ContactFields};
use doorstep_app::error::FieldErrors;
use doorstep_core::ids::{ContactId, CustomerId};
use doorstep_store::contacts::ContactAccess;
use doorstep_store::customer_reads::{CustomerDetail, SiteDetail};

use super::{Draft, account, page_of, render};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path, field};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "office/contact_form.html")]
struct FormPage {
    chrome: OfficeChrome,
    customer_name: String,
    customer_href: String,
    editing: bool,
    has_portal: bool,
    action: String,
    sites: Vec<SiteDetail>,
    draft: Draft,
}

fn fields_of(pairs: &[(String, String)]) -> ContactFields {
    let f = |name| field(pairs, name).to_owned();
    ContactFields {
        first_name: f("first_name"),
        last_name: f("last_name"),
        email: f("email"),
        phone: f("phone"),
        role: f("role"),
        sites: pairs
            .iter()
            .filter(|(k, _)| k == "sites")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
        is_billing: field(pairs, "is_billing") == "1",
        // The office's form has no external reference: it keeps the contact's.
        external_ref: None,
    }
}

/// What a refused save tells the person next to its field; other refusals are pages.
fn refusal(err: AppError) -> Result<FieldErrors, AppError> {
    match err {
        AppError::Invalid(e) => Ok(FieldErrors(vec![e])),
        // Shown next to the email: the way out is on the same page.
        AppError::Conflict {
            reason: "portal_email",
            message,
        } => Ok(FieldErrors(vec![doorstep_core::Invalid::new(
            "email", message,
        )])),
        other => Err(other),
    }
}

/// The contact `id` of the signed-in company and its account, or 404.
async fn contact_and_account(
    state: &AppState,
    staff: &SignedInStaff,
    id: i64,
) -> Result<(ContactAccess, CustomerDetail), WebError> {
    staff
        .actor
        .require(doorstep_core::authz::OfficeArea::DayToDay)?;
    let company = staff.company.id;
    let c = state
        .store
        .contact_access(company, ContactId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let summary = state
        .store
        .customer_summary(company, CustomerId(c.customer_id))
        .await?
        .ok_or(WebError::NotFound)?;
    let customer = account(state, staff, &summary.number).await?;
    Ok((c, customer))
}

async fn active_sites(
    state: &AppState,
    staff: &SignedInStaff,
    customer: &CustomerDetail,
) -> Result<Vec<SiteDetail>, WebError> {
    let mut sites = state
        .store
        .sites_of_account(staff.company.id, CustomerId(customer.id))
        .await?;
    sites.retain(|s| s.active);
    Ok(sites)
}

fn page(
    staff: &SignedInStaff,
    csrf: &str,
    customer: &CustomerDetail,
    contact: Option<&ContactAccess>,
    sites: Vec<SiteDetail>,
    draft: Draft,
) -> FormPage {
    let customer_href = page_of(&customer.number);
    FormPage {
        chrome: OfficeChrome::of(staff, csrf),
        customer_name: customer.name.clone(),
        editing: contact.is_some(),
        has_portal: contact.is_some_and(|c| c.portal_enabled && c.login_id.is_some()),
        action: match contact {
            Some(c) => format!("/office/contacts/{}/edit", c.id),
            None => format!("{customer_href}/contacts/new"),
        },
        customer_href,
        sites,
        draft,
    }
}

/// `GET /office/customers/{number}/contacts/new`.
pub async fn new_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let customer = account(&state, &staff, &number).await?;
    let sites = active_sites(&state, &staff, &customer).await?;
    let draft = Draft::of(
        vec![("role".into(), "company".into())],
        FieldErrors::default(),
    );
    render(
        &page(&staff, &csrf, &customer, None, sites, draft),
        StatusCode::OK,
    )
}

/// `POST /office/customers/{number}/contacts/new`.
pub async fn create(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let customer = account(&state, &staff, &number).await?;
    let sites = active_sites(&state, &staff, &customer).await?;
    let parsed = Contact::parse(&fields_of(&pairs));
    let errors = match parsed {
        Ok(contact) => {
            match contacts::add(&state.app, &staff.actor, CustomerId(customer.id), contact).await {
                Ok(_) => {
                    let to = format!("{}?done=contact_added", page_of(&customer.number));
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(err) => refusal(err)?,
            }
        }
        Err(errors) => errors,
    };
    let draft = Draft::of(pairs, errors);
    render(
        &page(&staff, &csrf, &customer, None, sites, draft),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// `GET /office/contacts/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (c, customer) = contact_and_account(&state, &staff, id).await?;
    let sites = active_sites(&state, &staff, &customer).await?;
    let mut pairs: Vec<(String, String)> = vec![
        ("first_name".into(), c.first_name.clone()),
        ("last_name".into(), c.last_name.clone()),
        ("email".into(), c.email.clone().unwrap_or_default()),
        ("phone".into(), c.phone.clone()),
        ("role".into(), c.role.clone()),
        (
            "is_billing".into(),
            if c.is_billing { "1" } else { "" }.into(),
        ),
    ];
    for s in state
        .store
        .sites_of_contact(staff.company.id, ContactId(c.id))
        .await?
    {
        pairs.push(("sites".into(), s.0.to_string()));
    }
    let draft = Draft::of(pairs, FieldErrors::default());
    render(
        &page(&staff, &csrf, &customer, Some(&c), sites, draft),
        StatusCode::OK,
    )
}

/// `POST /office/contacts/{id}/edit`.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (c, customer) = contact_and_account(&state, &staff, id).await?;
    let sites = active_sites(&state, &staff, &customer).await?;
    let errors = match Contact::parse(&fields_of(&pairs)) {
        Ok(contact) => {
            match contacts::edit(&state.app, &staff.actor, ContactId(c.id), contact).await {
                Ok(()) => {
                    let to = format!("{}?done=contact_saved", page_of(&customer.number));
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(err) => refusal(err)?,
            }
        }
        Err(errors) => errors,
    };
    let draft = Draft::of(pairs, errors);
    render(
        &page(&staff, &csrf, &customer, Some(&c), sites, draft),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// `GET /office/contacts/{id}/deactivate`: asks first.
pub async fn confirm_deactivate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (c, customer) = contact_and_account(&state, &staff, id).await?;
    let name = format!("{} {}", c.first_name, c.last_name)
        .trim()
        .to_owned();
    super::confirm(
        &staff,
        &csrf,
        (
            format!("Deactivate {name}?"),
            format!(
                "{name} stays in {}'s history but can no longer be chosen. Their portal access ends at once and every session of their login ends (they sign in again for any other account they have).",
                customer.name
            ),
        ),
        (
            format!("/office/contacts/{}/deactivate", c.id),
            "Deactivate contact",
        ),
        page_of(&customer.number),
    )
}

/// `POST /office/contacts/{id}/deactivate`.
pub async fn deactivate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (c, customer) = contact_and_account(&state, &staff, id).await?;
    contacts::deactivate(&state.app, &staff.actor, ContactId(c.id)).await?;
    let to = format!("{}?done=contact_deactivated", page_of(&customer.number));
    Ok(Redirect::to(&to).into_response())
}

/// `POST /office/contacts/{id}/reactivate`.
pub async fn reactivate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (c, customer) = contact_and_account(&state, &staff, id).await?;
    contacts::reactivate(&state.app, &staff.actor, ContactId(c.id)).await?;
    let to = format!("{}?done=contact_reactivated", page_of(&customer.number));
    Ok(Redirect::to(&to).into_response())
}
