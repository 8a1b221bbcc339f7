//! `/office/payments/new`: recording a payment taken offline. Without an account it asks
//! for one (by number or name); `?customer={number}` opens the account's form and
//! `?invoice={number}` that invoice's account with its balance filled in. The form lists
//! the account's open invoices with their balances and an amount box each; refusals come
//! back with the typed values and each message beside its field. The account's credit can
//! be applied to an open invoice from the same page (`POST /office/payments/credit`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::payments::{self, ApplyCredit, PaymentForm, RecordPayment};
use doorstep_core::authz::OfficeArea;
use doorstep_core::catalogue::price_input;
use doorstep_core::money::Currency;
use doorstep_core::payments::OfficeMethod;
use doorstep_store::payments::Payer;
use serde::Deserialize;

use super::{money, receipt_href};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Query};
use crate::kit::dates::today;
use crate::kit::render::page_with;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// The query string.
#[derive(Deserialize, Default)]
pub struct NewQuery {
    customer: Option<String>,
    invoice: Option<String>,
    q: Option<String>,
}

/// An account found by the search.
struct Match {
    label: String,
    href: String,
}

struct MethodChoice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

/// One open invoice of the account, with its box.
struct InvoiceLine {
    number: String,
    field: String,
    id: String,
    due: String,
    state: &'static str,
    total: String,
    balance: String,
    share: String,
    error: Option<String>,
}

/// The form as typed.
#[derive(Default, Clone)]
struct Draft {
    amount: String,
    method: String,
    reference: String,
    received_on: String,
    keep_credit: bool,
    shares: Vec<(String, String)>,
    credit_invoice: String,
    credit_amount: String,
}

#[derive(Template)]
#[template(path = "office/payment_new.html")]
struct NewPage {
    chrome: OfficeChrome,
    q: String,
    matches: Vec<Match>,
    searched: bool,
    payer: Option<Payer>,
    credit: String,
    invoices: Vec<InvoiceLine>,
    methods: Vec<MethodChoice>,
    draft: Draft,
    errors: Vec<(&'static str, String)>,
    refusal: Option<String>,
    today: String,
}

impl NewPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, m)| *f == field && (field != "allocation" || !self.is_invoice_error(m)))
            .map(|(_, m)| m.as_str())
    }

    fn is_invoice_error(&self, message: &str) -> bool {
        self.invoices
            .iter()
            .any(|i| message.starts_with(&format!("{}: ", i.number)))
    }
}

fn currency(staff: &SignedInStaff) -> Currency {
    Currency::parse(&staff.company.currency).unwrap_or(Currency::USD)
}

/// Builds the page for `payer` (or the account search), with `draft` and `errors`.
async fn build(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    payer: Option<Payer>,
    draft: Draft,
    errors: Vec<(&'static str, String)>,
) -> Result<NewPage, WebError> {
    let company = &staff.company;
    let today = today(&staff.company.time_zone);
    let invoices = match &payer {
        Some(p) => {
            state
                .store
                .open_invoices_of_payer(company.id, p.customer())
                .await?
        }
        None => Vec::new(),
    };
    let invoices = invoices
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let prefix = format!("{}: ", r.number);
            InvoiceLine {
                field: format!("share.{}", r.number),
                id: format!("share-{i}"),
                due: r.due_on.to_string(),
                state: r.state(today).label(),
                total: money(company, r.total_minor),
                balance: money(company, r.balance_minor()),
                share: draft
                    .shares
                    .iter()
                    .find(|(n, _)| *n == r.number)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
                error: errors
                    .iter()
                    .find(|(f, m)| *f == "allocation" && m.starts_with(&prefix))
                    .map(|(_, m)| m[prefix.len()..].to_owned()),
                number: r.number,
            }
        })
        .collect();
    let methods = OfficeMethod::ALL
        .iter()
        .map(|m| MethodChoice {
            value: m.as_str(),
            label: m.label(),
            checked: draft.method == m.as_str(),
        })
        .collect();
    let (refusal, errors): (Vec<_>, Vec<_>) =
        errors.into_iter().partition(|(f, _)| *f == "refusal");
    Ok(NewPage {
        chrome: OfficeChrome::of(staff, csrf),
        q: String::new(),
        matches: Vec::new(),
        searched: false,
        credit: payer
            .as_ref()
            .map(|p| money(company, p.credit_minor))
            .unwrap_or_default(),
        payer,
        invoices,
        methods,
        draft,
        errors,
        refusal: refusal.into_iter().next().map(|(_, m)| m),
        today: today.to_string(),
    })
}

fn render(status: StatusCode, page: &NewPage) -> Result<Response, WebError> {
    page_with(status, page)
}

/// `GET /office/payments/new[?customer=C-1001|?invoice=I-1046|?q=name]`.
pub async fn form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<NewQuery>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let company = &staff.company;
    let mut draft = Draft {
        method: OfficeMethod::Cash.as_str().into(),
        received_on: today(&staff.company.time_zone).to_string(),
        ..Draft::default()
    };
    let invoice = query
        .invoice
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let customer = match invoice {
        Some(number) => Some(
            state
                .store
                .payer_of_invoice(company.id, number)
                .await?
                .ok_or(WebError::NotFound)?,
        ),
        None => query.customer.clone().filter(|c| !c.trim().is_empty()),
    };
    let Some(customer) = customer else {
        let q: String = query
            .q
            .unwrap_or_default()
            .trim()
            .chars()
            .take(100)
            .collect();
        let matches = if q.is_empty() {
            Vec::new()
        } else {
            state
                .store
                .payers_matching(company.id, &q, 20)
                .await?
                .into_iter()
                .map(|p| Match {
                    label: format!("{} ({})", p.name, p.number),
                    href: super::record_href_for_customer(&p.number),
                })
                .collect()
        };
        let mut page = build(&state, &staff, &csrf, None, draft, Vec::new()).await?;
        page.searched = !q.is_empty();
        page.q = q;
        page.matches = matches;
        return render(StatusCode::OK, &page);
    };
    let payer = state
        .store
        .payer(company.id, &customer)
        .await?
        .ok_or(WebError::NotFound)?;
    if let Some(number) = invoice {
        let open = state
            .store
            .open_invoices_of_payer(company.id, payer.customer())
            .await?;
        if let Some(i) = open.iter().find(|i| i.number == number) {
            let balance = price_input(i.balance_minor(), currency(&staff));
            draft.amount = balance.clone();
            draft.shares.push((i.number.clone(), balance));
        }
    }
    let page = build(&state, &staff, &csrf, Some(payer), draft, Vec::new()).await?;
    render(StatusCode::OK, &page)
}

fn value(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

impl Draft {
    fn of(fields: &[(String, String)]) -> Draft {
        Draft {
            amount: value(fields, "amount"),
            method: value(fields, "method"),
            reference: value(fields, "reference"),
            received_on: value(fields, "received_on"),
            keep_credit: fields.iter().any(|(k, _)| k == "keep_credit"),
            shares: fields
                .iter()
                .filter_map(|(k, v)| k.strip_prefix("share.").map(|n| (n.to_owned(), v.clone())))
                .collect(),
            credit_invoice: value(fields, "credit_invoice"),
            credit_amount: value(fields, "credit_amount"),
        }
    }
}

/// The answer to a refused write: the form again with the message beside its field
/// (422), or above it for a clash (409); `NotFound` stays a 404.
async fn refused(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    customer: &str,
    draft: Draft,
    err: AppError,
) -> Result<Response, WebError> {
    let (status, errors) = match err {
        AppError::Invalid(e) => (StatusCode::UNPROCESSABLE_ENTITY, vec![(e.field, e.message)]),
        AppError::Conflict { message, .. } => (StatusCode::CONFLICT, vec![("refusal", message)]),
        e => return Err(e.into()),
    };
    let payer = state
        .store
        .payer(staff.company.id, customer)
        .await?
        .ok_or(WebError::NotFound)?;
    let page = build(state, staff, csrf, Some(payer), draft, errors).await?;
    render(status, &page)
}

/// `POST /office/payments/new`: records the payment and shows its receipt.
pub async fn submit(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let customer = value(&fields, "customer");
    let draft = Draft::of(&fields);
    let typed = PaymentForm {
        customer: customer.clone(),
        amount: draft.amount.clone(),
        method: draft.method.clone(),
        reference: draft.reference.clone(),
        received_on: draft.received_on.clone(),
        shares: draft.shares.clone(),
        keep_credit: draft.keep_credit,
    };
    let cmd = match RecordPayment::parse(&typed, currency(&staff), today(&staff.company.time_zone))
    {
        Ok(cmd) => cmd,
        Err(errors) => {
            let payer = state
                .store
                .payer(staff.company.id, &customer)
                .await?
                .ok_or(WebError::NotFound)?;
            let errors = errors.0.into_iter().map(|e| (e.field, e.message)).collect();
            let page = build(&state, &staff, &csrf, Some(payer), draft, errors).await?;
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    match payments::record(&state.app, &staff.actor, cmd).await {
        Ok(done) => {
            let to = if done.receipt_queued {
                "recorded"
            } else {
                "recorded_quietly"
            };
            Ok(Redirect::to(&format!("{}?done={to}", receipt_href(&done.number))).into_response())
        }
        Err(e) => refused(&state, &staff, &csrf, &customer, draft, e).await,
    }
}

/// `POST /office/payments/credit`: pays an open invoice with the account's credit.
pub async fn apply_credit(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let customer = value(&fields, "customer");
    let mut draft = Draft::of(&fields);
    draft.method = OfficeMethod::Cash.as_str().into();
    draft.received_on = today(&staff.company.time_zone).to_string();
    let cmd = match ApplyCredit::parse(
        &customer,
        &draft.credit_invoice,
        &draft.credit_amount,
        currency(&staff),
    ) {
        Ok(cmd) => cmd,
        Err(errors) => {
            let payer = state
                .store
                .payer(staff.company.id, &customer)
                .await?
                .ok_or(WebError::NotFound)?;
            let errors = errors.0.into_iter().map(|e| (e.field, e.message)).collect();
            let page = build(&state, &staff, &csrf, Some(payer), draft, errors).await?;
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    match payments::apply_credit(&state.app, &staff.actor, cmd).await {
        Ok(done) => Ok(
            Redirect::to(&format!("{}?done=credit", receipt_href(&done.number))).into_response(),
        ),
        Err(e) => refused(&state, &staff, &csrf, &customer, draft, e).await,
    }
}
