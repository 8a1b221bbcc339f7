//! `GET/POST /office/requests/{number}/rental`: turns a request into a rental of the
//! account (seed 004: a rental yard's customer asks for a product), prefilled from the
//! product and the date asked for. Refused for a declined or completed request like the
//! other conversions: by the domain rule first, then by the store's guarded UPDATE inside
//! the creating transaction.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_core::ids::ServiceRequestId;
use doorstep_store::request_inbox::{RentalFromRequest, RequestDetail};
use serde::Deserialize;
use serde_json::json;

use super::answers::{SUMMARY_MAX, finish_conversion, parse_day, refused, site_line};
use super::{FieldErrors, field_error, html, load, request_path};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// Longest serial number kept.
const SERIAL_MAX: usize = 80;

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
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
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

/// Checks the form; the rental, or every field's message.
fn check(f: &RentalFields, r: &RequestDetail) -> Result<RentalFromRequest, FieldErrors> {
    let mut errors = Vec::new();
    let name = f.name.trim();
    if name.is_empty() {
        errors.push(("name", "Enter what is rented.".to_owned()));
    } else if name.chars().count() > SUMMARY_MAX {
        errors.push((
            "name",
            format!("Keep the name to {SUMMARY_MAX} characters."),
        ));
    }
    if f.serial_number.trim().chars().count() > SERIAL_MAX {
        errors.push((
            "serial_number",
            format!("Keep the serial number to {SERIAL_MAX} characters."),
        ));
    }
    let start_on = parse_day(&f.start_on);
    if start_on.is_none() {
        errors.push((
            "start_on",
            "Enter the first day as YYYY-MM-DD, e.g. 2025-03-31.".to_owned(),
        ));
    }
    let end_on = match f.end_on.trim() {
        "" => None,
        raw => match (parse_day(raw), start_on) {
            (Some(end), Some(start)) if end < start => {
                errors.push((
                    "end_on",
                    "The last day cannot be before the first.".to_owned(),
                ));
                None
            }
            (Some(end), _) => Some(end),
            (None, _) => {
                errors.push((
                    "end_on",
                    "Enter the last day as YYYY-MM-DD, or leave it empty.".to_owned(),
                ));
                None
            }
        },
    };
    match (errors.is_empty(), start_on) {
        (true, Some(start_on)) => Ok(RentalFromRequest {
            name: name.to_owned(),
            catalogue_item: r.catalogue_item_id,
            serial_number: f.serial_number.trim().to_owned(),
            start_on,
            end_on,
        }),
        _ => Err(errors),
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
        rental_page(&staff, &csrf, &r, f, Vec::new()),
        StatusCode::OK,
    )
}

/// `POST /office/requests/{number}/rental`: records the rental and completes the request.
pub async fn create(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    Form(f): Form<RentalFields>,
) -> Result<Response, WebError> {
    let r = load(&state, &staff, &number).await?;
    if !r.status().may_convert() {
        return refused(&state, &staff, &csrf, r).await;
    }
    let rental = match check(&f, &r) {
        Ok(rental) => rental,
        Err(errors) => {
            return html(
                rental_page(&staff, &csrf, &r, f, errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let mut tx = state.store.begin().await?;
    let Some(asset) = tx
        .convert_request_to_rental(
            staff.company.id,
            ServiceRequestId(r.id),
            &rental,
            doorstep_store::now(),
        )
        .await?
    else {
        drop(tx);
        let r = load(&state, &staff, &number).await?;
        return refused(&state, &staff, &csrf, r).await;
    };
    let detail = json!({ "asset_id": asset.0, "name": rental.name });
    finish_conversion(
        tx,
        &state,
        &staff,
        peer,
        &r,
        "request.converted_to_rental",
        detail,
    )
    .await
}
