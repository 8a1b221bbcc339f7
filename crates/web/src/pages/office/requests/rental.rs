//! `GET/POST /office/requests/{number}/rental`: turns a request into a rental of the
//! account (seed 004: a rental yard's customer asks for a product), prefilled from the
//! product and the date asked for. Refused for a declined or completed request like the
//! other conversions: by the domain rule first, then by the store's guarded UPDATE inside
//! the creating transaction.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_app::requests::{self, RentalForm, RentalOrder};
use doorstep_store::request_inbox::RequestDetail;
use serde::Deserialize;

use super::answers::{converted, refused, site_line};
use super::{FieldErrors, html, load, request_path};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// The rental form's fields, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RentalFields {
    name: String,
    serial_number: String,
    start_on: String,
    end_on: String,
}

#[derive(Template)]
#[template(path = "office/requests/convert_rental.html")]
struct RentalPage {
    chrome: OfficeChrome,
    number: String,
    href: String,
    customer: String,
    site: String,
    product: Option<String>,
    f: RentalFields,
    errors: FieldErrors,
}

impl RentalPage {
    /// The message for `field`, if any.
    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field)
    }
}

fn rental_page(
    staff: &SignedInStaff,
    csrf: &str,
    r: &RequestDetail,
    f: RentalFields,
    errors: FieldErrors,
) -> RentalPage {
    RentalPage {
        chrome: OfficeChrome::of(staff, csrf),
        number: r.number.clone(),
        href: request_path(&r.number),
        customer: r.customer_name.clone(),
        site: site_line(r),
        product: r.catalogue_item_name.clone(),
        f,
        errors,
    }
}

/// `GET /office/requests/{number}/rental`: the rental form, prefilled.
pub async fn form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let r = load(&state, &staff, &number).await?;
    if !r.status().may_convert() {
        return refused(&state, &staff, &csrf, r).await;
    }
    let f = RentalFields {
        name: r.catalogue_item_name.clone().unwrap_or_default(),
        serial_number: String::new(),
        start_on: r.preferred_date.map(|d| d.to_string()).unwrap_or_default(),
        end_on: String::new(),
    };
    html(
        rental_page(&staff, &csrf, &r, f, FieldErrors::default()),
        StatusCode::OK,
    )
}

/// `POST /office/requests/{number}/rental`: records the rental and completes the request.
pub async fn create(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(f): Form<RentalFields>,
) -> Result<Response, WebError> {
    let r = load(&state, &staff, &number).await?;
    if !r.status().may_convert() {
        return refused(&state, &staff, &csrf, r).await;
    }
    let form = RentalForm {
        name: &f.name,
        serial_number: &f.serial_number,
        start_on: &f.start_on,
        end_on: &f.end_on,
    };
    let errors = match RentalOrder::parse(&form) {
        Err(errors) => errors,
        Ok(order) => {
            let outcome = requests::to_rental(&state.app, &staff.actor, &number, order).await;
            match converted(&state, &staff, &csrf, &number, outcome).await? {
                Ok(page) => return Ok(page),
                Err(errors) => errors,
            }
        }
    };
    html(
        rental_page(&staff, &csrf, &r, f, errors),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}
