//! Estimates the customer answers in the portal: approve (a typed full name as
//! signature, the optional lines ticked, the total shown), decline (an optional reason),
//! ask for changes (a message; the estimate stays pending). Which answer an estimate takes
//! is `core::estimates::may_answer` (`EstimateStatus::can_become` from the status the
//! customer sees); the write is compare-and-set on the status read, so a second answer is
//! a conflict, never a second write. The office is told at its notice address.

use doorstep_core::authz::PortalAction;
use doorstep_core::estimates::{self as rules, Answer};
use doorstep_core::money::{Currency, Money};
use doorstep_core::status::EstimateStatus;
use doorstep_core::validation::Invalid;
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::companies::Company;
use doorstep_store::estimates::{Answerer, ApproveEstimate, EstimateDetail};

use crate::{App, AppError, ContactActor, notify};

/// What a refused answer says when the estimate stopped awaiting one.
pub const NOT_OPEN: &str = "This estimate is no longer awaiting an answer (already answered, or expired). Nothing was changed.";

/// What a refused approval says when the total signed for is not the estimate's.
pub const TOTAL_CHANGED: &str = "The total changed since the page was shown. Check the amounts and sign again. Nothing was changed.";

/// A signed approval as typed, checked.
#[derive(Debug, Clone)]
pub struct Approval {
    signed_name: String,
    chosen: Vec<i64>,
    shown_total: Option<i64>,
}

impl Approval {
    /// Checks the typed signature; `chosen` are the optional lines ticked (ids that are
    /// not the estimate's optional lines are dropped) and `shown_total` the total the
    /// page showed, in minor units (the signer approves exactly that amount).
    pub fn parse(
        signed_name: &str,
        chosen: Vec<i64>,
        shown_total: &str,
    ) -> Result<Approval, Invalid> {
        Ok(Approval {
            signed_name: rules::parse_signature(signed_name)?,
            chosen,
            shown_total: shown_total.parse().ok(),
        })
    }
}

/// A decline as typed, checked.
#[derive(Debug, Clone)]
pub struct Decline {
    reason: String,
}

impl Decline {
    /// Checks the (optional) reason.
    pub fn parse(reason: &str) -> Result<Decline, Invalid> {
        Ok(Decline {
            reason: rules::parse_decline_reason(reason)?,
        })
    }
}

/// A change request as typed, checked.
#[derive(Debug, Clone)]
pub struct ChangeRequest {
    message: String,
}

impl ChangeRequest {
    /// Checks the message.
    pub fn parse(message: &str) -> Result<ChangeRequest, Invalid> {
        Ok(ChangeRequest {
            message: rules::parse_change_request(message)?,
        })
    }
}

/// An estimate answered.
#[derive(Debug, Clone)]
pub struct Answered {
    /// The estimate's number.
    pub number: String,
    /// Its status now (pending after a change request).
    pub status: EstimateStatus,
    /// The deposit now due on it (approved with a deposit: "approved, deposit due"),
    /// minor units; 0 when none.
    pub deposit_due_minor: i64,
}

/// The estimate `number` of the contact's account, if it takes `answer` now; with the
/// answerer's details. Refused with `NotFound` when the contact may not answer estimates
/// or the estimate is not theirs, and a `not_open` conflict when it is no longer awaiting
/// an answer.
async fn open_for(
    app: &App,
    actor: &ContactActor,
    number: &str,
    answer: Answer,
) -> Result<(EstimateDetail, Answerer), AppError> {
    actor.require(PortalAction::AnswerEstimates)?;
    let e = app
        .store
        .estimate_document(actor.company().id, actor.scope(), number)
        .await?
        .ok_or(AppError::NotFound)?;
    let at = doorstep_store::now();
    let today = actor.company().time_zone.date_of(at);
    if !rules::may_answer(answer, e.status, e.expires_on, today) {
        return Err(not_open());
    }
    let by = Answerer {
        contact: actor.contact(),
        ip: actor.ip().to_string(),
        at,
        today,
    };
    Ok((e, by))
}

fn not_open() -> AppError {
    AppError::conflict("not_open", NOT_OPEN)
}

/// An amount in the company's currency, as the office's email shows it.
fn money(company: &Company, minor: i64) -> String {
    let currency = Currency::parse(&company.currency).unwrap_or(Currency::USD);
    Money::new(minor, currency).display()
}

/// Audits the answer and queues the office's notice of it, in `tx`; whether an email
/// was queued.
async fn record(
    tx: &mut Tx,
    actor: &ContactActor,
    (label, action, e): (&str, &'static str, &EstimateDetail),
    detail: serde_json::Value,
    (kind, values): (EmailKind, &[(&str, &str)]),
) -> Result<bool, AppError> {
    let company = actor.company();
    let audit = actor.audit(label, action, ("estimate", e.id.0), detail);
    tx.audit(company.id, &audit).await?;
    let mut all: Vec<(&str, &str)> = vec![
        ("company_name", company.name.as_str()),
        ("customer_name", actor.customer_name()),
        ("estimate_number", e.number.as_str()),
        ("estimate_title", e.title.as_str()),
    ];
    all.extend_from_slice(values);
    notify::office(tx, company, kind, &all).await
}

/// The contact approves estimate `number` with the optional lines `approval` ticks, for
/// exactly the total they were shown; the lines keep the choice. Refused with a
/// `total_changed` conflict when the total differs from the estimate's.
pub async fn approve(
    app: &App,
    actor: &ContactActor,
    number: &str,
    approval: Approval,
) -> Result<Answered, AppError> {
    let (e, by) = open_for(app, actor, number, Answer::Approve).await?;
    let optional = e.optional_ids();
    let chosen: Vec<i64> = approval
        .chosen
        .iter()
        .copied()
        .filter(|id| optional.contains(id))
        .collect();
    let totals = e.totals_with(&chosen);
    // The signer approves the amount on the screen: a total that no longer matches (the
    // office edited the estimate, or the form was tampered with) is refused.
    if approval.shown_total != Some(totals.total_minor) {
        return Err(AppError::conflict("total_changed", TOTAL_CHANGED));
    }
    let options: Vec<serde_json::Value> = e
        .lines
        .iter()
        .filter(|l| chosen.contains(&l.id))
        .map(|l| serde_json::json!({"id": l.id, "description": l.description, "amount_minor": l.amount_minor()}))
        .collect();
    let option_names: Vec<&str> = e
        .lines
        .iter()
        .filter(|l| chosen.contains(&l.id))
        .map(|l| l.description.as_str())
        .collect();
    let tax: i64 = totals.taxes.iter().map(|(_, _, t)| t).sum();
    let signed_name = approval.signed_name;
    let row = ApproveEstimate {
        signed_name: signed_name.clone(),
        chosen,
        optional,
        totals: totals.clone(),
        options_json: serde_json::Value::Array(options.clone()).to_string(),
    };
    let email = actor.who(app).await?.email;
    let company = actor.company();
    let mut tx = app.store.begin().await?;
    let from = (e.id, e.status);
    if !tx
        .approve_estimate(company.id, actor.scope(), from, &row, &by)
        .await?
    {
        return Err(not_open());
    }
    let deposit_due_minor = tx
        .estimate_deposit_by_id(company.id, e.id)
        .await?
        .map_or(0, |d| d.due_minor());
    let detail = serde_json::json!({
        "number": e.number, "signed_name": signed_name, "subtotal_minor": totals.subtotal_minor,
        "tax_minor": tax, "total_minor": totals.total_minor, "options": options,
        "deposit_due_minor": deposit_due_minor,
    });
    let options_text = if option_names.is_empty() {
        "none".to_owned()
    } else {
        option_names.join(", ")
    };
    let at = doorstep_core::local_time::date_time(&actor.company().time_zone, by.at);
    let (subtotal, tax, total) = (
        money(company, totals.subtotal_minor),
        money(company, tax),
        money(company, totals.total_minor),
    );
    let values = [
        ("signed_name", signed_name.as_str()),
        ("contact_email", email.as_str()),
        ("approved_at", at.as_str()),
        ("ip", by.ip.as_str()),
        ("subtotal", subtotal.as_str()),
        ("tax", tax.as_str()),
        ("total", total.as_str()),
        ("options", options_text.as_str()),
    ];
    let queued = record(
        &mut tx,
        actor,
        (&email, "estimate.approved", &e),
        detail,
        (EmailKind::EstimateApproved, &values),
    )
    .await?;
    let data = serde_json::json!({"number": e.number, "customer_id": actor.customer().0, "signed_name": signed_name, "total_minor": totals.total_minor, "currency": company.currency});
    crate::webhooks::emit(&mut tx, company.id, "estimate.approved", data).await?;
    app.commit(tx, queued).await?;
    Ok(Answered {
        number: e.number,
        status: EstimateStatus::Approved,
        deposit_due_minor,
    })
}

/// The contact declines estimate `number`, with their reason if they gave one.
pub async fn decline(
    app: &App,
    actor: &ContactActor,
    number: &str,
    decline: Decline,
) -> Result<Answered, AppError> {
    let (e, by) = open_for(app, actor, number, Answer::Decline).await?;
    let crate::actor::Who { name, email } = actor.who(app).await?;
    let company = actor.company();
    let mut tx = app.store.begin().await?;
    let from = (e.id, e.status);
    if !tx
        .decline_estimate(company.id, actor.scope(), from, &decline.reason, &by)
        .await?
    {
        return Err(not_open());
    }
    let detail = serde_json::json!({"number": e.number, "reason": decline.reason});
    let shown_reason = if decline.reason.is_empty() {
        "(none given)"
    } else {
        decline.reason.as_str()
    };
    let values = [
        ("contact_name", name.as_str()),
        ("contact_email", email.as_str()),
        ("reason", shown_reason),
    ];
    let queued = record(
        &mut tx,
        actor,
        (&email, "estimate.declined", &e),
        detail,
        (EmailKind::EstimateDeclined, &values),
    )
    .await?;
    let data = serde_json::json!({"number": e.number, "customer_id": actor.customer().0, "reason": decline.reason});
    crate::webhooks::emit(&mut tx, company.id, "estimate.declined", data).await?;
    app.commit(tx, queued).await?;
    Ok(Answered {
        number: e.number,
        status: EstimateStatus::Declined,
        deposit_due_minor: 0,
    })
}

/// The contact asks the office to change estimate `number`: the message joins the
/// estimate's conversation and the estimate stays pending.
pub async fn request_changes(
    app: &App,
    actor: &ContactActor,
    number: &str,
    request: ChangeRequest,
) -> Result<Answered, AppError> {
    let (e, by) = open_for(app, actor, number, Answer::RequestChanges).await?;
    let crate::actor::Who { name, email } = actor.who(app).await?;
    let company = actor.company();
    let mut tx = app.store.begin().await?;
    let from = (e.id, e.status);
    if !tx
        .request_estimate_changes(company.id, actor.scope(), from, &request.message, &by)
        .await?
    {
        return Err(not_open());
    }
    let detail = serde_json::json!({"number": e.number});
    let values = [
        ("contact_name", name.as_str()),
        ("contact_email", email.as_str()),
        ("message", request.message.as_str()),
    ];
    let queued = record(
        &mut tx,
        actor,
        (&email, "estimate.changes_requested", &e),
        detail,
        (EmailKind::EstimateChangesRequested, &values),
    )
    .await?;
    app.commit(tx, queued).await?;
    Ok(Answered {
        number: e.number,
        status: e.status,
        deposit_due_minor: 0,
    })
}
