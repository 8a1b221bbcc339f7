//! `/api/v1/invoices`: list (by customer, status, change time), read with lines, taxes,
//! totals and balance, create a draft with lines, change it while draft, upsert by
//! external id, send it (the office's email with the PDF) and void it, through the
//! office's own use cases (`doorstep_app::documents::invoices`).
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use doorstep_app::ApiActor;
use doorstep_app::documents::invoices::{self, InvoiceInput as Checked, InvoiceText, VoidReason};
use doorstep_app::documents::{currency, today};
use doorstep_core::documents::LineOwnerKind;
use doorstep_core::ids::{CustomerId, InvoiceId};
use doorstep_store::api_billing::{ApiInvoice, InvoiceFilter};
use doorstep_store::invoices::InvoiceRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Api;
use super::kit::{
    answer, api_names, created, id_of, json, json_body, list_query, page_of, present, refused,
    write,
};
use super::lines::{Line, LineInput, Totals, checked};
use super::paging::{ListQuery, rfc3339};
use super::problem::{Clash, Problem, Reading, Writing};
use crate::AppState;

/// An invoice as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceSummary {
    /// Id (use it in `/api/v1/invoices/{id}`).
    pub id: i64,
    /// The office's number, e.g. `I-1001`.
    pub number: String,
    /// The customer billed.
    pub customer_id: i64,
    /// The site, if any.
    pub site_id: Option<i64>,
    /// The job it bills, if any.
    pub job_id: Option<i64>,
    /// `draft`, `unpaid`, `paid` or `void`.
    pub status: String,
    /// Unpaid past its due date (the company's today).
    pub overdue: bool,
    /// Issue date, `YYYY-MM-DD`.
    pub issued_on: String,
    /// Due date, `YYYY-MM-DD`.
    pub due_on: String,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// Total, minor units.
    pub total_minor: i64,
    /// Paid so far, minor units.
    pub paid_minor: i64,
    /// Still owed, minor units (0 unless unpaid).
    pub balance_minor: i64,
    /// Notes printed on it.
    pub notes: String,
    /// Its id in your other system (unique per company).
    pub external_ref: Option<String>,
    /// When it was sent (RFC 3339).
    pub sent_at: Option<String>,
    /// When it was paid in full (RFC 3339).
    pub paid_at: Option<String>,
    /// When it was voided (RFC 3339).
    pub voided_at: Option<String>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

impl InvoiceSummary {
    fn of(i: ApiInvoice, actor: &ApiActor) -> InvoiceSummary {
        let company = actor.company();
        let row = InvoiceRow {
            id: i.id,
            number: i.number.clone(),
            status: i.status.clone(),
            issued_on: i.issued_on,
            due_on: i.due_on,
            total_minor: i.total_minor,
            paid_minor: i.paid_minor,
        };
        let overdue = row.state(today(company)) == doorstep_core::status::InvoiceState::Overdue;
        InvoiceSummary {
            id: i.id,
            number: i.number,
            customer_id: i.customer_id,
            site_id: i.site_id,
            job_id: i.job_id,
            status: i.status,
            overdue,
            issued_on: i.issued_on.to_string(),
            due_on: i.due_on.to_string(),
            currency: company.currency.clone(),
            total_minor: i.total_minor,
            paid_minor: i.paid_minor,
            balance_minor: row.balance_minor(),
            notes: i.notes,
            external_ref: i.external_ref,
            sent_at: i.sent_at.map(rfc3339),
            paid_at: i.paid_at.map(rfc3339),
            voided_at: i.voided_at.map(rfc3339),
            created_at: rfc3339(i.created_at),
            updated_at: rfc3339(i.updated_at),
        }
    }
}

/// An invoice with its lines and sums.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invoice {
    /// The invoice.
    #[serde(flatten)]
    pub invoice: InvoiceSummary,
    /// Its lines, in order.
    pub lines: Vec<Line>,
    /// Subtotal, discount and taxes.
    pub totals: Totals,
}

/// A page of invoices, by change time.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceList {
    /// The invoices.
    pub data: Vec<InvoiceSummary>,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// What a list of invoices holds.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceQuery {
    /// Only this customer's.
    #[param(value_type = Option<i64>)]
    pub customer_id: Option<String>,
    /// Only in this status: `draft`, `unpaid`, `paid` or `void`.
    pub status: Option<String>,
}

/// An invoice's fields as sent. Absent fields keep their value on update (`PATCH`) and
/// take their default on create; `null` clears `site_id` and `due_on` (due by the terms).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceInput {
    /// The customer billed (required to create).
    pub customer_id: Option<i64>,
    /// One of the customer's sites.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub site_id: Option<Option<i64>>,
    /// Issue date, `YYYY-MM-DD` (today when absent).
    pub issued_on: Option<String>,
    /// Due date, `YYYY-MM-DD` (by the payment terms when absent or `null`).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub due_on: Option<Option<String>>,
    /// Notes printed on it.
    pub notes: Option<String>,
    /// Every line (replaces them all).
    pub lines: Option<Vec<LineInput>>,
    /// The discount taken off before tax, minor units (sent with `lines`).
    pub discount_minor: Option<i64>,
}

/// What the send takes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    /// The contact of the customer it goes to (its first billing contact when absent).
    pub contact_id: Option<i64>,
}

/// What the void takes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidInput {
    /// Why it is void (required).
    pub reason: Option<String>,
}

/// The form's field names the API spells otherwise.
const RENAMES: &[(&str, &str)] = &[
    ("customer", "customer_id"),
    ("site", "site_id"),
    ("discount", "discount_minor"),
    ("contact", "contact_id"),
];

/// The fields of `current` (or none, to create) with `input` over them, checked.
async fn check(
    state: &AppState,
    actor: &ApiActor,
    input: InvoiceInput,
    current: Option<&ApiInvoice>,
) -> Result<Checked, Problem> {
    let company = actor.company();
    let customer_id = input.customer_id.or(current.map(|c| c.customer_id));
    let customer = match customer_id {
        None => String::new(),
        Some(id) => state
            .store
            .api_customer(company.id, CustomerId(id))
            .await?
            .map(|c| c.number)
            .ok_or_else(|| {
                Problem::field(
                    "validation",
                    "customer_id",
                    "There is no customer with that id.",
                )
            })?,
    };
    let site = match input.site_id {
        Some(s) => s,
        None => current.and_then(|c| c.site_id),
    }
    .map(|s| s.to_string())
    .unwrap_or_default();
    let issued_on = input
        .issued_on
        .or(current.map(|c| c.issued_on.to_string()))
        .unwrap_or_default();
    let due_on = match input.due_on {
        Some(d) => d,
        None => current.map(|c| c.due_on.to_string()),
    }
    .unwrap_or_default();
    let notes = input
        .notes
        .or(current.map(|c| c.notes.clone()))
        .unwrap_or_default();
    let text = InvoiceText {
        customer: &customer,
        site: &site,
        issued_on: &issued_on,
        due_on: &due_on,
        notes: &notes,
    };
    let mut input_checked = Checked::parse(&text, today(company))
        .map_err(|e| Problem::fields(&api_names(e, RENAMES)))?;
    if input.lines.is_some() || input.discount_minor.is_some() {
        let lines = match (input.lines, current) {
            (Some(l), _) => l,
            (None, Some(c)) => current_lines(state, actor, c).await?,
            (None, None) => Vec::new(),
        };
        let discount = input
            .discount_minor
            .or(current.map(|c| c.discount_minor))
            .unwrap_or(0);
        let lines = checked(LineOwnerKind::Invoice, &lines, discount, currency(company))?;
        input_checked = input_checked
            .with_lines(lines)
            .map_err(|e| refused(e.into(), RENAMES))?;
    }
    Ok(input_checked)
}

/// The lines of `current` as they would be sent (a discount sent alone keeps them).
async fn current_lines(
    state: &AppState,
    actor: &ApiActor,
    current: &ApiInvoice,
) -> Result<Vec<LineInput>, Problem> {
    let i = state
        .store
        .office_invoice(actor.company().id, &current.number)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(i.detail.lines.iter().map(LineInput::from).collect())
}

async fn row(state: &AppState, actor: &ApiActor, id: InvoiceId) -> Result<ApiInvoice, Problem> {
    state
        .store
        .api_invoice(actor.company().id, id)
        .await?
        .ok_or_else(Problem::not_found)
}

/// Invoice `id` with its lines and sums.
pub(crate) async fn read(
    state: &AppState,
    actor: &ApiActor,
    id: InvoiceId,
) -> Result<Invoice, Problem> {
    let i = row(state, actor, id).await?;
    let detail = state
        .store
        .office_invoice(actor.company().id, &i.number)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Invoice {
        invoice: InvoiceSummary::of(i, actor),
        lines: detail.detail.lines.iter().map(Line::from).collect(),
        totals: Totals::from(&detail.detail.totals()),
    })
}

/// The invoice numbered `number`, as read.
async fn read_number(state: &AppState, actor: &ApiActor, number: &str) -> Result<Invoice, Problem> {
    let i = state
        .store
        .office_invoice(actor.company().id, number)
        .await?
        .ok_or_else(Problem::not_found)?;
    read(state, actor, i.detail.id).await
}

/// List invoices by change time.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "invoices", params(InvoiceQuery, ListQuery),
    responses(
        (status = 200, description = "A page of invoices", body = InvoiceList),
        Reading,
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Api(actor): Api,
    filter: Result<Query<InvoiceQuery>, QueryRejection>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    answer(
        async {
            let page = list_query(query)?;
            let Query(q) =
                filter.map_err(|e| Problem::field("invalid-parameter", "query", e.body_text()))?;
            let customer = match q.customer_id.as_deref() {
                None => None,
                Some(raw) => Some(raw.parse::<i64>().map_err(|_| {
                    Problem::field(
                        "invalid-parameter",
                        "customer_id",
                        "`customer_id` is a customer's id.",
                    )
                })?),
            };
            let status = match q.status.as_deref() {
                None => None,
                Some(s) => Some(
                    doorstep_core::status::InvoiceStatus::parse(s)
                        .map_err(|_| {
                            Problem::field(
                                "invalid-parameter",
                                "status",
                                "`status` is draft, unpaid, paid or void.",
                            )
                        })?
                        .as_str()
                        .to_owned(),
                ),
            };
            let filter = InvoiceFilter { customer, status };
            let rows = state
                .store
                .api_invoices(
                    actor.company().id,
                    &filter,
                    page.since,
                    page.after,
                    page.limit + 1,
                )
                .await?;
            let (rows, next_cursor) = page_of(rows, &page, |i| (i.updated_at, i.id));
            let data = rows
                .into_iter()
                .map(|i| InvoiceSummary::of(i, &actor))
                .collect();
            Ok(json(StatusCode::OK, &InvoiceList { data, next_cursor }))
        }
        .await,
    )
}

/// Read one invoice with its lines, taxes and totals.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "invoices",
    params(("id" = i64, Path, description = "The invoice's id")),
    responses(
        (status = 200, description = "The invoice", body = Invoice),
        Reading,
        (status = 404, description = "No such invoice of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let i = read(&state, &actor, id_of(&id, InvoiceId)?).await?;
            Ok(json(StatusCode::OK, &i))
        }
        .await,
    )
}

/// Create a draft invoice (with the company's next number), with its lines.
#[utoipa::path(post, path = "/api/v1/invoices", tag = "invoices",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    request_body = InvoiceInput,
    responses(
        (status = 201, description = "Made", body = Invoice),
        Writing,
        Clash,
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Api(actor): Api,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = "/api/v1/invoices";
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        path,
        &body,
        || async {
            let input: InvoiceInput = json_body(&body)?;
            let checked = check(&state, &actor, input, None).await?;
            let office = actor.writer()?;
            let number = invoices::create(&state.app, office, checked, None)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let i = read_number(&state, &actor, &number).await?;
            Ok(created(&format!("{path}/{}", i.invoice.id), &i))
        },
    )
    .await
}

/// Change some of a draft invoice's fields (the ones sent); `lines` replaces every line.
#[utoipa::path(patch, path = "/api/v1/invoices/{id}", tag = "invoices",
    params(("id" = i64, Path, description = "The invoice's id")),
    request_body = InvoiceInput,
    responses(
        (status = 200, description = "Saved", body = Invoice),
        Writing,
        (status = 404, description = "No such invoice of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Sent: it can no longer change", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    answer(
        async {
            let office = actor.writer()?;
            let current = row(&state, &actor, id_of(&id, InvoiceId)?).await?;
            let input: InvoiceInput = json_body(&body)?;
            let checked = check(&state, &actor, input, Some(&current)).await?;
            invoices::edit(&state.app, office, &current.number, checked)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let i = read_number(&state, &actor, &current.number).await?;
            Ok(json(StatusCode::OK, &i))
        }
        .await,
    )
}

/// Create or update (while draft) the invoice with this external id.
#[utoipa::path(put, path = "/api/v1/invoices/external/{external_ref}", tag = "invoices",
    params(
        ("external_ref" = String, Path, description = "The invoice's id in your other system"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = InvoiceInput,
    responses(
        (status = 200, description = "Updated", body = Invoice),
        Writing,
        (status = 201, description = "Made", body = Invoice),
        (status = 409, description = "Sent: it can no longer change", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn upsert(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/invoices/external/{reference}");
    write(
        &state,
        &actor,
        &headers,
        Method::PUT,
        &path,
        &body,
        || async {
            let input: InvoiceInput = json_body(&body)?;
            let office = actor.writer()?;
            // An update keeps the fields not sent, as PATCH does.
            let current = match state
                .store
                .invoice_by_external_ref(actor.company().id, reference.trim())
                .await?
            {
                Some(id) => Some(row(&state, &actor, id).await?),
                None => None,
            };
            let checked = check(&state, &actor, input, current.as_ref())
                .await?
                .with_external_ref(&reference)
                .map_err(|e| refused(e.into(), RENAMES))?;
            let (number, made) = invoices::upsert_by_external_ref(&state.app, office, checked)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let i = read_number(&state, &actor, &number).await?;
            let status = if made {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(json(status, &i))
        },
    )
    .await
}

/// Send a draft invoice: it becomes unpaid and the customer's contact is emailed it
/// with the portal link and its PDF.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/send", tag = "invoices",
    params(
        ("id" = i64, Path, description = "The invoice's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = SendInput,
    responses(
        (status = 200, description = "Sent", body = Invoice),
        Writing,
        (status = 404, description = "No such invoice of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Sent already, or no lines", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn send(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/invoices/{id}/send");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let current = row(&state, &actor, id_of(&id, InvoiceId)?).await?;
            let input: SendInput = if body.is_empty() {
                SendInput::default()
            } else {
                json_body(&body)?
            };
            let office = actor.writer()?;
            let logo = match &actor.company().logo_key {
                Some(key) => state.files.read(key).await.ok(),
                None => None,
            };
            invoices::send(&state.app, office, &current.number, input.contact_id, logo)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let i = read_number(&state, &actor, &current.number).await?;
            Ok(json(StatusCode::OK, &i))
        },
    )
    .await
}

/// Void an invoice with a reason (never one with payments recorded).
#[utoipa::path(post, path = "/api/v1/invoices/{id}/void", tag = "invoices",
    params(
        ("id" = i64, Path, description = "The invoice's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = VoidInput,
    responses(
        (status = 200, description = "Void", body = Invoice),
        Writing,
        (status = 404, description = "No such invoice of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Paid, with payments, or void already", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn void(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/invoices/{id}/void");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let current = row(&state, &actor, id_of(&id, InvoiceId)?).await?;
            let input: VoidInput = json_body(&body)?;
            let reason = VoidReason::parse(input.reason.as_deref().unwrap_or_default())
                .map_err(|e| refused(e.into(), RENAMES))?;
            let office = actor.writer()?;
            invoices::void(&state.app, office, &current.number, reason)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let i = read_number(&state, &actor, &current.number).await?;
            Ok(json(StatusCode::OK, &i))
        },
    )
    .await
}
