//! Paying invoices online (issue 19): "Pay" on an invoice's page, "Pay selected" and
//! "Pay balance" on the invoices list (each opens a hosted checkout and sends the browser
//! there), the return page (paid, declined with the reason, or still waiting — read from
//! the processor, never taken from the browser's word), and the built-in test
//! processor's hosted page, marked TEST MODE.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::payments::online::{self, PayInvoices};
use doorstep_app::payments::online_webhook;
use doorstep_core::authz::PortalAction;
use doorstep_core::money::Currency;

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::kit::render::{page, page_with};
use crate::kit::urls::path_segment;
use crate::pages::portal::billing::require;
use crate::views::{PortalChrome, money};
use crate::{AppState, WebError};

fn currency(contact: &SignedInContact) -> Currency {
    Currency::parse(&contact.portal.company.currency).unwrap_or(Currency::USD)
}

fn value(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Opens the checkout and sends the browser to the processor's page; a refusal is a page
/// that says why (404 for what is not the contact's to pay).
async fn start(
    state: &AppState,
    contact: &SignedInContact,
    numbers: &[String],
    amount: &str,
    (tip, tip_amount): (&str, &str),
) -> Result<Response, WebError> {
    require(contact, PortalAction::Pay)?;
    let cmd = PayInvoices::parse(numbers, amount, currency(contact))
        .and_then(|c| c.with_tip(tip, tip_amount, currency(contact)))
        .map_err(|e| {
            let message =
                e.0.first()
                    .map(|i| i.message.clone())
                    .unwrap_or_else(|| "Check what you chose.".into());
            WebError::Refused(StatusCode::UNPROCESSABLE_ENTITY, message)
        })?;
    match online::start_checkout(&state.app, &contact.actor, cmd).await {
        Ok(started) => Ok(Redirect::to(&started.url).into_response()),
        Err(e) => Err(e.into()),
    }
}

/// `POST /invoices/{number}/pay`: pay this invoice (its balance, or the amount typed when
/// the company takes part payments).
pub async fn pay_one(
    State(state): State<AppState>,
    contact: SignedInContact,
    Path(number): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    start(
        &state,
        &contact,
        &[number],
        &value(&fields, "amount"),
        (&value(&fields, "tip"), &value(&fields, "tip_amount")),
    )
    .await
}

/// `POST /invoices/pay`: the ticked invoices (`invoice` once per box), or every unpaid
/// one ("Pay balance", `all`).
pub async fn pay_selected(
    State(state): State<AppState>,
    contact: SignedInContact,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Pay)?;
    let numbers: Vec<String> = if fields.iter().any(|(k, _)| k == "all") {
        state
            .store
            .open_invoices_of_payer(contact.portal.company.id, contact.actor.customer())
            .await?
            .into_iter()
            .filter(|i| i.balance_minor() > 0)
            .map(|i| i.number)
            .collect()
    } else {
        fields
            .iter()
            .filter(|(k, _)| k == "invoice")
            .map(|(_, v)| v.clone())
            .collect()
    };
    if numbers.is_empty() {
        return Err(WebError::Refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            if fields.iter().any(|(k, _)| k == "all") {
                "There is nothing left to pay. Thank you!".into()
            } else {
                "Choose at least one invoice to pay: tick its box, then press Pay selected.".into()
            },
        ));
    }
    start(&state, &contact, &numbers, "", ("", "")).await
}

struct InvoiceLine {
    number: String,
    href: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "portal/pay_return.html")]
struct ReturnPage {
    chrome: PortalChrome,
    status: String,
    failure: String,
    amount: String,
    credit: Option<String>,
    receipt_href: Option<String>,
    receipt_number: String,
    invoices: Vec<InvoiceLine>,
    /// A deposit checkout: the estimate's number and page.
    deposit_for: Option<(String, String)>,
    /// The tip charged with the invoices.
    tip: Option<String>,
}

/// The estimate a deposit checkout pays: its number and page.
async fn deposit_for(
    state: &AppState,
    contact: &SignedInContact,
    k: &doorstep_store::online_payments::CheckoutRow,
) -> Result<Option<(String, String)>, WebError> {
    let Some(id) = k.estimate_id.filter(|_| k.is_deposit()) else {
        return Ok(None);
    };
    Ok(state
        .store
        .estimate_number_of(contact.portal.company.id, id)
        .await?
        .map(|n| {
            let href = format!("/estimates/{}", path_segment(&n));
            (n, href)
        }))
}

fn lines(contact: &SignedInContact, invoices: &[(String, i64)]) -> Vec<InvoiceLine> {
    invoices
        .iter()
        .map(|(n, a)| InvoiceLine {
            href: format!("/invoices/{}", path_segment(n)),
            number: n.clone(),
            amount: money(&contact.portal.company, *a),
        })
        .collect()
}

/// `GET /pay/return/{reference}`: paid, declined (with the reason) or still waiting.
pub async fn returned(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Pay)?;
    let found = online::confirm_return(&state.app, &contact.actor, &reference).await?;
    let k = &found.checkout;
    let company = &contact.portal.company;
    page(&ReturnPage {
        chrome: PortalChrome::of(&contact, &csrf).at("/invoices"),
        status: k.status.clone(),
        failure: k.failure.clone(),
        amount: money(company, k.amount_minor + k.tip_minor),
        credit: (k.credit_minor > 0).then(|| money(company, k.credit_minor)),
        deposit_for: deposit_for(&state, &contact, k).await?,
        tip: (k.tip_minor > 0).then(|| money(company, k.tip_minor)),
        receipt_href: k.payment_number.as_ref().map(|_| "/payments".to_owned()),
        receipt_number: k.payment_number.clone().unwrap_or_default(),
        invoices: lines(&contact, &found.invoices),
    })
}

#[derive(Template)]
#[template(path = "portal/pay_test.html")]
struct TestPage {
    chrome: PortalChrome,
    action: String,
    amount: String,
    invoices: Vec<InvoiceLine>,
    card: String,
    card_error: Option<String>,
    deposit_for: Option<(String, String)>,
    tip: Option<String>,
}

async fn test_page(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
    session: &str,
    (card, card_error): (String, Option<String>),
) -> Result<Response, WebError> {
    let found = online_webhook::test_checkout(&state.app, &contact.actor, session).await?;
    if found.checkout.status != "open" {
        return Ok(Redirect::to(&online::return_path(&found.checkout.reference)).into_response());
    }
    let status = if card_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page_with(
        status,
        &TestPage {
            chrome: PortalChrome::of(contact, csrf).at("/invoices"),
            action: format!("/pay/test/{}", path_segment(session)),
            amount: money(&contact.portal.company, found.checkout.charge_minor()),
            invoices: lines(contact, &found.invoices),
            card,
            card_error,
            deposit_for: deposit_for(state, contact, &found.checkout).await?,
            tip: (found.checkout.tip_minor > 0)
                .then(|| money(&contact.portal.company, found.checkout.tip_minor)),
        },
    )
}

/// `GET /pay/test/{session}`: the test processor's hosted page.
pub async fn test_form(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(session): Path<String>,
) -> Result<Response, WebError> {
    test_page(&state, &contact, &csrf, &session, (String::new(), None)).await
}

/// `POST /pay/test/{session}`: pays with the typed test card, through the webhook path,
/// then on to the return page.
pub async fn test_submit(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(session): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let card = value(&fields, "card");
    match online_webhook::pay_test_checkout(&state.app, &contact.actor, &session, &card).await {
        Ok(reference) => Ok(Redirect::to(&online::return_path(&reference)).into_response()),
        Err(AppError::Invalid(e)) if e.field == "card" => {
            test_page(&state, &contact, &csrf, &session, (card, Some(e.message))).await
        }
        Err(e) => Err(e.into()),
    }
}
