//! `GET/POST /office/company`: the company's details, grouped (the company, where to
//! reach it, money and time), each refusal next to its field and the typed values kept.
//! The form carries the values it showed, so only the fields the person changed are
//! saved (another administrator's change to another field is kept).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::company::details::{self, Details, DetailsInput};
use doorstep_app::error::FieldErrors;
use doorstep_core::company::{CURRENCIES, PAYMENT_TERMS_MAX};
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// One field of the form: its name, label, value as typed or loaded, the value the form
/// was loaded with, and its message.
struct Field {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    was: String,
    hint: &'static str,
    autocomplete: &'static str,
    error: Option<String>,
}

/// A group of fields under a heading.
struct Group {
    id: &'static str,
    heading: &'static str,
    fields: Vec<Field>,
}

#[derive(Template)]
#[template(path = "office/company/details.html")]
struct DetailsPage {
    chrome: OfficeChrome,
    groups: Vec<Group>,
    currencies: &'static [&'static str],
    terms_max: u32,
    error_count: usize,
    notice: Option<&'static str>,
}

/// The page's query string.
#[derive(Debug, Deserialize, Default)]
pub struct DetailsQuery {
    done: Option<String>,
}

/// The form as posted: each field and the value it was loaded with (`was_*`).
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct DetailsForm {
    name: String,
    email: String,
    phone: String,
    address_line1: String,
    address_line2: String,
    city: String,
    region: String,
    postal_code: String,
    country: String,
    website: String,
    request_email: String,
    timezone: String,
    currency: String,
    payment_terms_days: String,
    // A form of before the prefixes (an open tab) leaves them as they are.
    estimate_prefix: Option<String>,
    invoice_prefix: Option<String>,
    job_prefix: Option<String>,
    was_name: Option<String>,
    was_email: String,
    was_phone: String,
    was_address_line1: String,
    was_address_line2: String,
    was_city: String,
    was_region: String,
    was_postal_code: String,
    was_country: String,
    was_website: String,
    was_request_email: String,
    was_timezone: String,
    was_currency: String,
    was_payment_terms_days: String,
    was_estimate_prefix: String,
    was_invoice_prefix: String,
    was_job_prefix: String,
}

impl DetailsForm {
    fn input(&self) -> DetailsInput {
        DetailsInput {
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            address_line1: self.address_line1.clone(),
            address_line2: self.address_line2.clone(),
            city: self.city.clone(),
            region: self.region.clone(),
            postal_code: self.postal_code.clone(),
            country: self.country.clone(),
            website: self.website.clone(),
            request_email: self.request_email.clone(),
            timezone: self.timezone.clone(),
            currency: self.currency.clone(),
            payment_terms_days: self.payment_terms_days.clone(),
            estimate_prefix: self.estimate_prefix.clone().unwrap_or_default(),
            invoice_prefix: self.invoice_prefix.clone().unwrap_or_default(),
            job_prefix: self.job_prefix.clone().unwrap_or_default(),
        }
    }

    /// The values the form showed, when it sent them (`was_name` is always there then).
    fn loaded(&self) -> Option<DetailsInput> {
        Some(DetailsInput {
            name: self.was_name.clone()?,
            email: self.was_email.clone(),
            phone: self.was_phone.clone(),
            address_line1: self.was_address_line1.clone(),
            address_line2: self.was_address_line2.clone(),
            city: self.was_city.clone(),
            region: self.was_region.clone(),
            postal_code: self.was_postal_code.clone(),
            country: self.was_country.clone(),
            website: self.was_website.clone(),
            request_email: self.was_request_email.clone(),
            timezone: self.was_timezone.clone(),
            currency: self.was_currency.clone(),
            payment_terms_days: self.was_payment_terms_days.clone(),
            estimate_prefix: self.was_estimate_prefix.clone(),
            invoice_prefix: self.was_invoice_prefix.clone(),
            job_prefix: self.was_job_prefix.clone(),
        })
    }
}

/// The form's groups for `values` (typed or loaded), `was` (what the form was loaded
/// with) and the refusals.
fn groups(values: &DetailsInput, was: &DetailsInput, errors: &FieldErrors) -> Vec<Group> {
    let field = |name: &'static str,
                 label: &'static str,
                 kind: &'static str,
                 (value, was): (&String, &String),
                 hint: &'static str,
                 autocomplete: &'static str| Field {
        name,
        label,
        kind,
        value: value.clone(),
        was: was.clone(),
        hint,
        autocomplete,
        error: errors.get(name),
    };
    let v = values;
    let w = was;
    vec![
        Group {
            id: "company",
            heading: "The company",
            fields: vec![
                field(
                    "name",
                    "Company name",
                    "text",
                    (&v.name, &w.name),
                    "As customers know it: shown in the portal, emails and documents.",
                    "organization",
                ),
                field(
                    "website",
                    "Website",
                    "url",
                    (&v.website, &w.website),
                    "Starting with https://. Optional.",
                    "url",
                ),
            ],
        },
        Group {
            id: "contact",
            heading: "Where customers reach you",
            fields: vec![
                field(
                    "email",
                    "Email",
                    "email",
                    (&v.email, &w.email),
                    "Shown to customers.",
                    "email",
                ),
                field(
                    "phone",
                    "Phone",
                    "tel",
                    (&v.phone, &w.phone),
                    "Shown to customers. Optional.",
                    "tel",
                ),
                field(
                    "address_line1",
                    "Street address",
                    "text",
                    (&v.address_line1, &w.address_line1),
                    "",
                    "address-line1",
                ),
                field(
                    "address_line2",
                    "Address line 2",
                    "text",
                    (&v.address_line2, &w.address_line2),
                    "",
                    "address-line2",
                ),
                field(
                    "city",
                    "City",
                    "text",
                    (&v.city, &w.city),
                    "",
                    "address-level2",
                ),
                field(
                    "region",
                    "State or region",
                    "text",
                    (&v.region, &w.region),
                    "",
                    "address-level1",
                ),
                field(
                    "postal_code",
                    "Postal code",
                    "text",
                    (&v.postal_code, &w.postal_code),
                    "",
                    "postal-code",
                ),
                field(
                    "country",
                    "Country",
                    "text",
                    (&v.country, &w.country),
                    "",
                    "country-name",
                ),
            ],
        },
        Group {
            id: "office",
            heading: "The office",
            fields: vec![field(
                "request_email",
                "Office notice address",
                "email",
                (&v.request_email, &w.request_email),
                "Where notices of new requests, tickets and visit changes go. Leave empty to use the email above.",
                "off",
            )],
        },
        Group {
            id: "money-time",
            heading: "Money and time",
            fields: vec![
                field(
                    "timezone",
                    "Time zone",
                    "text",
                    (&v.timezone, &w.timezone),
                    "An IANA name such as America/New_York or Europe/London: dates and times are shown in it.",
                    "off",
                ),
                field(
                    "currency",
                    "Currency",
                    "currency",
                    (&v.currency, &w.currency),
                    "Amounts are in this currency. It cannot change once you have estimates, invoices or payments.",
                    "off",
                ),
                field(
                    "payment_terms_days",
                    "Payment terms (days)",
                    "number",
                    (&v.payment_terms_days, &w.payment_terms_days),
                    "Days after an invoice is issued that it is due; 0 means due on receipt.",
                    "off",
                ),
            ],
        },
        Group {
            id: "numbers",
            heading: "Document numbers",
            fields: vec![
                field(
                    "estimate_prefix",
                    "Estimate number prefix",
                    "text",
                    (&v.estimate_prefix, &w.estimate_prefix),
                    "1 to 8 letters, digits or dashes, such as EST-. New estimates get it; numbers already given stay.",
                    "off",
                ),
                field(
                    "invoice_prefix",
                    "Invoice number prefix",
                    "text",
                    (&v.invoice_prefix, &w.invoice_prefix),
                    "Such as INV-. New invoices get it; numbers already given stay.",
                    "off",
                ),
                field(
                    "job_prefix",
                    "Job number prefix",
                    "text",
                    (&v.job_prefix, &w.job_prefix),
                    "Such as WO-. New jobs get it; numbers already given stay.",
                    "off",
                ),
            ],
        },
    ]
}

fn render(
    staff: &SignedInStaff,
    csrf: &str,
    (values, was, errors): (&DetailsInput, &DetailsInput, &FieldErrors),
    notice: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let page = DetailsPage {
        chrome: OfficeChrome::of(staff, csrf),
        groups: groups(values, was, errors),
        currencies: CURRENCIES,
        terms_max: PAYMENT_TERMS_MAX,
        error_count: errors.0.len(),
        notice,
    };
    crate::kit::render::page_with(status, &page)
}

/// `GET /office/company`: the details form.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<DetailsQuery>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let saved = state
        .store
        .company_details(staff.company.id)
        .await?
        .ok_or(WebError::NotFound)?;
    let values = DetailsInput::from(&saved);
    let notice = match query.done.as_deref() {
        Some("saved") => Some("Saved."),
        Some("unchanged") => Some("Nothing was changed."),
        _ => None,
    };
    let errors = FieldErrors::default();
    render(
        &staff,
        &csrf,
        (&values, &values, &errors),
        notice,
        StatusCode::OK,
    )
}

/// `POST /office/company`: saves the fields the person changed.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<DetailsForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let mut form = form;
    if form.estimate_prefix.is_none() || form.invoice_prefix.is_none() || form.job_prefix.is_none()
    {
        let saved = state
            .store
            .company_details(staff.company.id)
            .await?
            .ok_or(WebError::NotFound)?;
        form.estimate_prefix
            .get_or_insert(saved.estimate_prefix.clone());
        form.invoice_prefix
            .get_or_insert(saved.invoice_prefix.clone());
        form.job_prefix.get_or_insert(saved.job_prefix.clone());
        form.was_estimate_prefix = saved.estimate_prefix;
        form.was_invoice_prefix = saved.invoice_prefix;
        form.was_job_prefix = saved.job_prefix;
    }
    let input = form.input();
    let loaded = form.loaded();
    let was = loaded.clone().unwrap_or_else(|| input.clone());
    let details = match Details::parse(&input, loaded.as_ref()) {
        Ok(details) => details,
        Err(errors) => {
            return render(
                &staff,
                &csrf,
                (&input, &was, &errors),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let changed = details::save(&state.app, admin, details).await?;
    let done = if changed { "saved" } else { "unchanged" };
    Ok(Redirect::to(&format!("/office/company?done={done}")).into_response())
}
