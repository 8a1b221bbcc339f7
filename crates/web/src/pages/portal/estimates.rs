//! `GET /estimates` and `GET /estimates/{number}`: the account's estimates, and one with
//! its scope, priced lines and optional lines to tick. Ticking recomputes the totals on
//! the server (the "Update totals" button; `/static/estimate.js` does it live).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use doorstep_core::authz::PortalAction;
use doorstep_core::status::EstimateStatus;
use doorstep_store::companies::Company;
use doorstep_store::estimates::EstimateDetail;
use serde::Deserialize;

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::display::{date, day, when};
use crate::extract::{Path, Query};
use crate::kit::cursors::after_or_message;
use crate::kit::dates::today;
use crate::kit::render::page;
use crate::kit::urls::path_segment;
use crate::pages::portal::billing::{PAGE, may, next_page, require};
use crate::views::{PortalChrome, money};
use crate::{AppState, WebError};

struct Row {
    number: String,
    href: String,
    title: String,
    issued_on: String,
    status: &'static str,
    status_class: &'static str,
    total: String,
}

#[derive(Template)]
#[template(path = "portal/estimates.html")]
struct ListPage {
    chrome: PortalChrome,
    rows: Vec<Row>,
    next: Option<String>,
    message: Option<&'static str>,
}

/// The list's query string; read as text so a bad value gets a message, not a 400.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    after: Option<String>,
}

/// The badge class of an estimate status.
pub fn status_class(status: EstimateStatus) -> &'static str {
    match status {
        EstimateStatus::Pending => "warning",
        EstimateStatus::Approved | EstimateStatus::Converted => "success",
        EstimateStatus::Declined => "danger",
        EstimateStatus::Expired | EstimateStatus::Draft => "",
    }
}

/// `GET /estimates`.
pub async fn list(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::ViewEstimates)?;
    let company = &contact.portal.company;
    let (after, message) = after_or_message(query.after.as_deref());
    let mut rows = state
        .store
        .estimates_page(company.id, &contact.scope, None, after, PAGE + 1)
        .await?;
    let next = next_page(&mut rows, "/estimates", |r| (r.issued_on, r.id));
    let today = today(&company.time_zone);
    let rows = rows
        .into_iter()
        .map(|r| {
            let s = r.status_seen(today);
            Row {
                href: format!("/estimates/{}", path_segment(&r.number)),
                issued_on: date(r.issued_on),
                status: s.customer_label(),
                status_class: status_class(s),
                total: money(company, r.total_minor),
                number: r.number,
                title: r.title,
            }
        })
        .collect();
    page(&ListPage {
        chrome: PortalChrome::of(&contact, &csrf).at("/estimates"),
        rows,
        next,
        message,
    })
}

/// One priced line as the estimate page shows it.
struct LineView {
    id: i64,
    description: String,
    quantity: String,
    unit_price: String,
    amount: String,
    optional: bool,
    chosen: bool,
}

/// Errors and input to show again next to the answer forms.
#[derive(Default)]
pub struct Answers {
    /// A refusal of the whole action (already answered, expired, total changed).
    pub refusal: Option<String>,
    /// The typed name, and what is wrong with it.
    pub signed_name: (String, Option<String>),
    /// The change request, and what is wrong with it.
    pub changes: (String, Option<String>),
}

#[derive(Template)]
#[template(path = "portal/estimate.html")]
struct ShowPage {
    chrome: PortalChrome,
    e: EstimateDetail,
    href: String,
    status: &'static str,
    status_class: &'static str,
    lines: Vec<LineView>,
    chosen: Vec<i64>,
    has_options: bool,
    subtotal: String,
    discount: Option<String>,
    taxes: Vec<(String, String)>,
    total: String,
    total_minor: i64,
    deposit: Option<String>,
    deposit_box: Option<DepositBox>,
    answerable: bool,
    approved: Option<(String, String)>,
    messages: Vec<(bool, String, String)>,
    /// When it was declined, as people read it.
    declined_on: String,
    answers: Answers,
    done: Option<&'static str>,
}

/// The deposit of an approved estimate: due (with the button to pay it, for a contact
/// who may pay) or paid.
struct DepositBox {
    due: String,
    paid: Option<(String, String)>,
    action: Option<String>,
}

/// The optional lines ticked: from the query/form when the visitor chose (`choose=1`),
/// else as the office left them; unknown ids are dropped.
pub fn chosen_lines(e: &EstimateDetail, pairs: &[(String, String)]) -> Vec<i64> {
    let optional = e.optional_ids();
    if pairs.iter().any(|(k, _)| k == "choose") {
        pairs
            .iter()
            .filter(|(k, _)| k == "opt")
            .filter_map(|(_, v)| v.parse::<i64>().ok())
            .filter(|id| optional.contains(id))
            .collect()
    } else {
        e.lines
            .iter()
            .filter(|l| l.is_optional && l.is_selected)
            .map(|l| l.id)
            .collect()
    }
}

/// Tax lines as shown: name with its rate, and the amount.
fn tax_rows(company: &Company, taxes: &[(String, i64, i64)]) -> Vec<(String, String)> {
    taxes
        .iter()
        .map(|(name, rate, amount)| {
            (
                format!("{name} ({}%)", *rate as f64 / 100.0),
                money(company, *amount),
            )
        })
        .collect()
}

/// Renders the estimate page with `chosen` optional lines and the answer forms' state.
#[allow(clippy::too_many_arguments)]
pub async fn render(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
    e: EstimateDetail,
    chosen: Vec<i64>,
    answers: Answers,
    done: Option<&'static str>,
    status_code: StatusCode,
) -> Result<Response, WebError> {
    let company = &contact.portal.company;
    let zone = &company.time_zone;
    let seen = e.status_seen(today(zone));
    let answerable = seen == EstimateStatus::Pending && may(contact, PortalAction::AnswerEstimates);
    // Once answered, the totals are those recorded; before, those of the ticked lines.
    let totals = if answerable {
        e.totals_with(&chosen)
    } else {
        e.totals()
    };
    let shown_choice = |l: &doorstep_store::doc_lines::DocLine| {
        if answerable {
            chosen.contains(&l.id)
        } else {
            l.is_selected
        }
    };
    let lines = e
        .lines
        .iter()
        .map(|l| LineView {
            id: l.id,
            description: l.description.clone(),
            quantity: l.quantity(),
            unit_price: money(company, l.unit_price_minor),
            amount: money(company, l.amount_minor()),
            optional: l.is_optional,
            chosen: shown_choice(l),
        })
        .collect();
    let approved = e.approval.as_ref().map(|a| {
        (
            day(zone, a.at),
            money(company, a.total_minor.unwrap_or(totals.total_minor)),
        )
    });
    let messages = state
        .store
        .estimate_messages(company.id, &contact.scope, e.id)
        .await?
        .into_iter()
        .map(|(mine, body, at)| (mine, body, when(zone, at)))
        .collect();
    let stored = state
        .store
        .estimate_deposit(company.id, &e.number)
        .await?
        .filter(|d| d.customer_id == contact.actor.customer().0);
    let rule = stored
        .as_ref()
        .map_or(doorstep_core::deposits::Deposit::None, |d| d.rule());
    let deposit = match rule {
        doorstep_core::deposits::Deposit::None => None,
        doorstep_core::deposits::Deposit::Fixed(m) => Some(money(company, m)),
        doorstep_core::deposits::Deposit::Percent(_) => Some(format!(
            "{} of the total ({})",
            rule.percent_label().unwrap_or_default(),
            money(company, rule.due(totals.total_minor))
        )),
    };
    let deposit_box = stored
        .filter(|d| {
            matches!(seen, EstimateStatus::Approved | EstimateStatus::Converted)
                && (d.due_minor() > 0 || d.is_paid())
        })
        .map(|d| DepositBox {
            due: money(company, d.due_minor()),
            paid: d
                .is_paid()
                .then(|| {
                    d.deposit_paid_at
                        .map(|at| (money(company, d.deposit_paid_minor), day(zone, at)))
                })
                .flatten(),
            action: (!d.is_paid() && may(contact, PortalAction::Pay))
                .then(|| format!("/estimates/{}/deposit", path_segment(&d.number))),
        });
    let html = ShowPage {
        chrome: PortalChrome::of(contact, csrf).at("/estimates"),
        href: format!("/estimates/{}", path_segment(&e.number)),
        status: seen.customer_label(),
        status_class: status_class(seen),
        has_options: e.lines.iter().any(|l| l.is_optional),
        lines,
        chosen,
        subtotal: money(company, totals.subtotal_minor),
        discount: (totals.discount_minor > 0).then(|| money(company, -totals.discount_minor)),
        taxes: tax_rows(company, &totals.taxes),
        total: money(company, totals.total_minor),
        total_minor: totals.total_minor,
        deposit,
        deposit_box,
        answerable,
        approved,
        messages,
        declined_on: e
            .decline
            .as_ref()
            .map(|(at, _)| day(zone, *at))
            .unwrap_or_default(),
        answers,
        done,
        e,
    };
    let response = page(&html)?;
    Ok((status_code, response).into_response())
}

/// `GET /estimates/{number}` (with `?choose=1&opt=ID...` to recompute the totals).
pub async fn show(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::ViewEstimates)?;
    let company = &contact.portal.company;
    let e = state
        .store
        .estimate_document(company.id, &contact.scope, &number)
        .await?
        .ok_or(WebError::NotFound)?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let done = pairs
        .iter()
        .find(|(k, _)| k == "done")
        .and_then(|(_, v)| match v.as_str() {
            "approved" => Some("Thank you: the estimate is approved and the office has been told."),
            "approved_deposit" => Some("Thank you: the estimate is approved and the office has been told. A deposit is due: pay it below."),
            "declined" => Some("The estimate is declined and the office has been told."),
            "changes" => Some("Your message was sent to the office. The estimate stays open."),
            _ => None,
        });
    let chosen = chosen_lines(&e, &pairs);
    render(
        &state,
        &contact,
        &csrf,
        e,
        chosen,
        Answers::default(),
        done,
        StatusCode::OK,
    )
    .await
}
