//! `/api/v1/payments`: the company's payments (list, read, with what each paid on which
//! invoice), and `POST /api/v1/invoices/{id}/payments` to record one taken offline (cash,
//! check, bank transfer, card by phone) through the office's own use case
//! (`doorstep_app::payments::record`): its allocation rules, its receipt email and its
//! `payment.succeeded` / `invoice.paid` webhooks.
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use doorstep_app::ApiActor;
use doorstep_app::documents::{currency, today};
use doorstep_app::payments::{PaymentForm, RecordPayment, record};
use doorstep_core::catalogue::price_input;
use doorstep_core::ids::InvoiceId;
use doorstep_store::api_billing::{ApiAllocation, ApiPayment};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Api;
use super::kit::{
    answer, api_names, created, id_of, json, json_body, list_query, page_of, refused, write,
};
use super::paging::{ListQuery, rfc3339};
use super::problem::{Problem, ReadOnly, Reading};
use crate::AppState;

/// What a payment paid on one invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct Allocation {
    /// The invoice's id.
    pub invoice_id: i64,
    /// The invoice's number.
    pub invoice_number: String,
    /// Amount put on it, minor units.
    pub amount_minor: i64,
}

/// A payment received.
#[derive(Debug, Serialize, ToSchema)]
pub struct Payment {
    /// Id (use it in `/api/v1/payments/{id}`).
    pub id: i64,
    /// The receipt number, e.g. `P-1001`.
    pub number: String,
    /// The customer who paid.
    pub customer_id: i64,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// Amount received, minor units.
    pub amount_minor: i64,
    /// The tip included in it, minor units.
    pub tip_minor: i64,
    /// Refunded so far, minor units.
    pub refunded_minor: i64,
    /// `card`, `ach`, `cash`, `check` or `credit`.
    pub method: String,
    /// `office` (recorded by the office or this API) or `online` (paid in the portal).
    pub channel: String,
    /// `pending`, `succeeded`, `failed` or `refunded`.
    pub status: String,
    /// Check number or reference.
    pub reference: String,
    /// When it was received (RFC 3339).
    pub received_at: String,
    /// When it was recorded (RFC 3339).
    pub created_at: String,
    /// What it paid on each invoice (the rest went to account credit).
    pub allocations: Vec<Allocation>,
}

impl Payment {
    fn of(p: ApiPayment, allocations: &[ApiAllocation], actor: &ApiActor) -> Payment {
        Payment {
            allocations: allocations
                .iter()
                .filter(|a| a.payment_id == p.id)
                .map(|a| Allocation {
                    invoice_id: a.invoice_id,
                    invoice_number: a.invoice_number.clone(),
                    amount_minor: a.amount_minor,
                })
                .collect(),
            id: p.id,
            number: p.number,
            customer_id: p.customer_id,
            currency: actor.company().currency.clone(),
            amount_minor: p.amount_minor,
            tip_minor: p.tip_minor,
            refunded_minor: p.refunded_minor,
            method: p.method,
            channel: p.channel,
            status: p.status,
            reference: p.reference,
            received_at: rfc3339(p.received_at),
            created_at: rfc3339(p.created_at),
        }
    }
}

/// A page of payments, by the time they were recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentList {
    /// The payments.
    pub data: Vec<Payment>,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A payment taken offline, for one invoice.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    /// Amount received, minor units: above zero and at most the invoice's balance.
    pub amount_minor: Option<i64>,
    /// `cash`, `check`, `bank_transfer` or `card_by_phone`.
    pub method: Option<String>,
    /// The check number (required for a check), or a reference.
    pub reference: Option<String>,
    /// The day received, `YYYY-MM-DD` (today when absent; never in the future).
    pub received_on: Option<String>,
}

/// The form's field names the API spells otherwise.
const RENAMES: &[(&str, &str)] = &[("amount", "amount_minor"), ("allocation", "amount_minor")];

async fn read(state: &AppState, actor: &ApiActor, p: ApiPayment) -> Result<Payment, Problem> {
    let allocations = state
        .store
        .api_allocations(actor.company().id, p.id, p.id)
        .await?;
    Ok(Payment::of(p, &allocations, actor))
}

/// List payments by the time they were recorded (`updated_since` counts from then).
#[utoipa::path(get, path = "/api/v1/payments", tag = "payments", params(ListQuery),
    responses(
        (status = 200, description = "A page of payments", body = PaymentList),
        Reading,
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Api(actor): Api,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    answer(
        async {
            let page = list_query(query)?;
            let company = actor.company().id;
            let rows = state
                .store
                .api_payments(company, page.since, page.after, page.limit + 1)
                .await?;
            let (rows, next_cursor) = page_of(rows, &page, |p| (p.created_at, p.id));
            let first = rows.iter().map(|p| p.id).min().unwrap_or(0);
            let last = rows.iter().map(|p| p.id).max().unwrap_or(0);
            let allocations = state.store.api_allocations(company, first, last).await?;
            let data = rows
                .into_iter()
                .map(|p| Payment::of(p, &allocations, &actor))
                .collect();
            Ok(json(StatusCode::OK, &PaymentList { data, next_cursor }))
        }
        .await,
    )
}

/// Read one payment.
#[utoipa::path(get, path = "/api/v1/payments/{id}", tag = "payments",
    params(("id" = i64, Path, description = "The payment's id")),
    responses(
        (status = 200, description = "The payment", body = Payment),
        Reading,
        (status = 404, description = "No such payment of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let id = id_of(&id, |i| i)?;
            let p = state
                .store
                .api_payment(actor.company().id, id)
                .await?
                .ok_or_else(Problem::not_found)?;
            Ok(json(StatusCode::OK, &read(&state, &actor, p).await?))
        }
        .await,
    )
}

/// Record a payment taken offline on an unpaid invoice (the whole amount goes to it).
#[utoipa::path(post, path = "/api/v1/invoices/{id}/payments", tag = "payments",
    params(
        ("id" = i64, Path, description = "The invoice's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = PaymentInput,
    responses(
        (status = 201, description = "Recorded", body = Payment),
        Reading,
        ReadOnly,
        (status = 404, description = "No such invoice of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A draft, paid or void invoice", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields refused (e.g. not above zero, above the balance)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/invoices/{id}/payments");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let company = actor.company();
            let invoice = state
                .store
                .api_invoice(company.id, id_of(&id, InvoiceId)?)
                .await?
                .ok_or_else(Problem::not_found)?;
            let customer = state
                .store
                .api_customer(
                    company.id,
                    doorstep_core::ids::CustomerId(invoice.customer_id),
                )
                .await?
                .ok_or_else(Problem::not_found)?;
            let input: PaymentInput = json_body(&body)?;
            let cur = currency(company);
            let amount = input
                .amount_minor
                .map(|m| price_input(m, cur))
                .unwrap_or_default();
            let form = PaymentForm {
                customer: customer.number,
                amount: amount.clone(),
                method: input.method.unwrap_or_default(),
                reference: input.reference.unwrap_or_default(),
                received_on: input
                    .received_on
                    .unwrap_or_else(|| today(company).to_string()),
                shares: vec![(invoice.number.clone(), amount)],
                keep_credit: false,
            };
            let cmd = RecordPayment::parse(&form, cur, today(company))
                .map_err(|e| Problem::fields(&api_names(e, RENAMES)))?;
            let office = actor.writer()?;
            let done = record(&state.app, office, cmd)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let p = state
                .store
                .api_payment_by_number(company.id, &done.number)
                .await?
                .ok_or_else(Problem::not_found)?;
            let p = read(&state, &actor, p).await?;
            Ok(created(&format!("/api/v1/payments/{}", p.id), &p))
        },
    )
    .await
}
