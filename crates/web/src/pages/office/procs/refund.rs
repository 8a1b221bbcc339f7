//! `GET/POST /office/payments/{number}/refund` (administrators): refunding all or part of
//! a payment a processor took. The GET is the question asked first (the amount, what is
//! left to refund, that the money goes back to the card or bank account); the POST asks
//! the processor and records the refund when it answers.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::payments::refund::{self, RefundForm};
use doorstep_core::catalogue::price_input;
use doorstep_core::money::Currency;
use doorstep_store::refunds::RefundablePayment;
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::day;
use crate::extract::{Form, Path};
use crate::kit::urls::path_segment;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "office/procs/refund.html")]
struct RefundPage {
    chrome: OfficeChrome,
    number: String,
    back: String,
    action: String,
    paid: String,
    received: String,
    refunded: Option<String>,
    refundable: String,
    to: &'static str,
    amount: String,
    error: Option<String>,
}

fn money(staff: &SignedInStaff, minor: i64) -> String {
    crate::views::money(&staff.company, minor)
}

fn currency(staff: &SignedInStaff) -> Currency {
    Currency::parse(&staff.company.currency).unwrap_or(Currency::USD)
}

fn page(staff: &SignedInStaff, csrf: &str, p: &RefundablePayment) -> RefundPage {
    let href = format!("/office/payments/{}", path_segment(&p.number));
    RefundPage {
        chrome: OfficeChrome::of(staff, csrf),
        action: format!("{href}/refund"),
        back: href,
        paid: money(staff, p.amount_minor),
        received: day(&staff.company.time_zone, p.received_at),
        refunded: (p.refunded_minor > 0).then(|| money(staff, p.refunded_minor)),
        refundable: money(staff, p.refundable_minor()),
        to: if p.method == "ach" {
            "the bank account it came from"
        } else {
            "the card it was paid with"
        },
        // The whole rest, as a plain number the field reads back.
        amount: price_input(p.refundable_minor(), currency(staff)),
        error: None,
        number: p.number.clone(),
    }
}

/// `GET /office/payments/{number}/refund`: the question asked first.
pub async fn confirm(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let p = refund::refundable(&state.app, admin, &number).await?;
    if p.refundable_minor() == 0 {
        return Err(AppError::conflict(
            "refunded",
            format!("Payment {} is already refunded in full.", p.number),
        )
        .into());
    }
    crate::kit::render::page_with(StatusCode::OK, &page(&staff, &csrf, &p))
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostedRefund {
    amount: String,
}

/// `POST /office/payments/{number}/refund`.
pub async fn submit(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(posted): Form<PostedRefund>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let form = RefundForm {
        amount: posted.amount.clone(),
    };
    match refund::refund(&state.app, admin, &number, &form).await {
        Ok(done) => {
            let to = format!(
                "/office/payments/{}?done={}",
                path_segment(&done.number),
                if done.emailed {
                    "refunded"
                } else {
                    "refunded_quietly"
                }
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let p = refund::refundable(&state.app, admin, &number).await?;
            let mut page = page(&staff, &csrf, &p);
            page.amount = posted.amount;
            page.error = Some(e.message);
            crate::kit::render::page_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}
