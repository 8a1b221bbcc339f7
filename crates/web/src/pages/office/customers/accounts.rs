//! The customer forms: new, edit, and the confirmation step before deactivating; each
//! write one use case of `doorstep_app::customers::accounts`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::customers::accounts::{self, Customer, CustomerFields, external_ref_taken};
use doorstep_app::error::FieldErrors;
use doorstep_core::ids::CustomerId;
use doorstep_store::customer_reads::CustomerDetail;

use super::{Draft, account, page_of, render};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path, field};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "office/customer_form.html")]
struct FormPage {
    chrome: OfficeChrome,
    /// `None` for a new customer; else its name and page.
    editing: Option<(String, String)>,
    action: String,
    draft: Draft,
}

fn fields_of(pairs: &[(String, String)]) -> CustomerFields {
    let f = |name| field(pairs, name).to_owned();
    CustomerFields {
        name: f("name"),
        kind: f("kind"),
        parent: f("parent"),
        email: f("email"),
        phone: f("phone"),
        mobile_phone: f("mobile_phone"),
        billing_line1: f("billing_line1"),
        billing_line2: f("billing_line2"),
        billing_city: f("billing_city"),
        billing_region: f("billing_region"),
        billing_postal_code: f("billing_postal_code"),
        notes: f("notes"),
        tax_exempt: field(pairs, "tax_exempt") == "1",
        payment_terms_days: f("payment_terms_days"),
        external_ref: f("external_ref"),
    }
}

/// The form filled with `c`'s details.
fn draft_of(c: &CustomerDetail) -> Draft {
    let pairs = [
        ("name", c.name.clone()),
        ("kind", c.kind.clone()),
        ("parent", c.parent_number.clone().unwrap_or_default()),
        ("email", c.email.clone()),
        ("phone", c.phone.clone()),
        ("mobile_phone", c.mobile_phone.clone()),
        ("billing_line1", c.billing_line1.clone()),
        ("billing_line2", c.billing_line2.clone()),
        ("billing_city", c.billing_city.clone()),
        ("billing_region", c.billing_region.clone()),
        ("billing_postal_code", c.billing_postal_code.clone()),
        ("notes", c.notes.clone()),
        ("tax_exempt", if c.tax_exempt { "1" } else { "" }.to_owned()),
        (
            "payment_terms_days",
            c.payment_terms_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        ("external_ref", c.external_ref.clone().unwrap_or_default()),
    ];
    Draft::of(
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        FieldErrors::default(),
    )
}

/// What a refused save tells the person, next to the field it concerns; `None` for a
/// refusal the form cannot show (answered as an error page).
fn refusal(err: AppError) -> Result<(FieldErrors, StatusCode), AppError> {
    match err {
        AppError::Invalid(e) => Ok((FieldErrors(vec![e]), StatusCode::UNPROCESSABLE_ENTITY)),
        // The unique index caught a reference saved meanwhile by someone else.
        AppError::Duplicate(_) => Ok((
            FieldErrors(vec![external_ref_taken("another customer")]),
            StatusCode::CONFLICT,
        )),
        other => Err(other),
    }
}

/// `GET /office/customers/new`.
pub async fn new_form(
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    staff
        .actor
        .require(doorstep_core::authz::OfficeArea::DayToDay)?;
    let draft = Draft::of(
        vec![("kind".into(), "residential".into())],
        FieldErrors::default(),
    );
    render(
        &FormPage {
            chrome: OfficeChrome::of(&staff, &csrf),
            editing: None,
            action: "/office/customers/new".into(),
            draft,
        },
        StatusCode::OK,
    )
}

/// `POST /office/customers/new`: creates the customer and opens its page.
pub async fn create(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let refuse = |pairs, errors, status| {
        render(
            &FormPage {
                chrome: OfficeChrome::of(&staff, &csrf),
                editing: None,
                action: "/office/customers/new".into(),
                draft: Draft::of(pairs, errors),
            },
            status,
        )
    };
    let customer = match Customer::parse(&fields_of(&pairs)) {
        Ok(c) => c,
        Err(errors) => return refuse(pairs, errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    match accounts::create(&state.app, &staff.actor, customer).await {
        Ok(made) => {
            Ok(Redirect::to(&format!("{}?done=created", page_of(&made.number))).into_response())
        }
        Err(err) => {
            let (errors, status) = refusal(err)?;
            refuse(pairs, errors, status)
        }
    }
}

/// `GET /office/customers/{number}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let c = account(&state, &staff, &number).await?;
    let href = page_of(&c.number);
    render(
        &FormPage {
            chrome: OfficeChrome::of(&staff, &csrf),
            action: format!("{href}/edit"),
            draft: draft_of(&c),
            editing: Some((c.name, href)),
        },
        StatusCode::OK,
    )
}

/// `POST /office/customers/{number}/edit`.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let c = account(&state, &staff, &number).await?;
    let href = page_of(&c.number);
    let refuse = |pairs, errors, status| {
        render(
            &FormPage {
                chrome: OfficeChrome::of(&staff, &csrf),
                action: format!("{href}/edit"),
                draft: Draft::of(pairs, errors),
                editing: Some((c.name.clone(), href.clone())),
            },
            status,
        )
    };
    let customer = match Customer::parse(&fields_of(&pairs)) {
        Ok(customer) => customer,
        Err(errors) => return refuse(pairs, errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    match accounts::edit(&state.app, &staff.actor, CustomerId(c.id), customer).await {
        Ok(()) => Ok(Redirect::to(&format!("{href}?done=saved")).into_response()),
        Err(err) => {
            let (errors, status) = refusal(err)?;
            refuse(pairs, errors, status)
        }
    }
}

/// `GET /office/customers/{number}/deactivate`: asks first.
pub async fn confirm_deactivate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let c = account(&state, &staff, &number).await?;
    let href = page_of(&c.number);
    super::confirm(
        &staff,
        &csrf,
        (
            format!("Deactivate {}?", c.name),
            "The customer leaves the active list and takes no new contacts or sites. Every contact's portal access ends at once, with their sessions. Its jobs, estimates, invoices and payments stay. You can reactivate it later.".into(),
        ),
        (format!("{href}/deactivate"), "Deactivate customer"),
        href,
    )
}

/// `POST /office/customers/{number}/deactivate`.
pub async fn deactivate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let c = account(&state, &staff, &number).await?;
    accounts::deactivate(&state.app, &staff.actor, CustomerId(c.id)).await?;
    Ok(Redirect::to(&format!("{}?done=deactivated", page_of(&c.number))).into_response())
}

/// `POST /office/customers/{number}/reactivate`.
pub async fn reactivate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let c = account(&state, &staff, &number).await?;
    accounts::reactivate(&state.app, &staff.actor, CustomerId(c.id)).await?;
    Ok(Redirect::to(&format!("{}?done=reactivated", page_of(&c.number))).into_response())
}
