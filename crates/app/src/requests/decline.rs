//! Declining a request with a reason, which emails the customer.

use doorstep_core::ids::ServiceRequestId;
use doorstep_core::validation::Invalid;
use doorstep_mail::EmailKind;
use serde_json::json;

use super::{audit, finish, not_open, request};
use crate::{App, AppError, StaffActor};

/// Longest reason accepted.
pub const REASON_MAX: usize = 2000;

/// The reason for declining, checked.
#[derive(Debug, Clone)]
pub struct Decline {
    reason: String,
}

impl Decline {
    /// Checks the reason: required, at most [`REASON_MAX`] characters.
    pub fn parse(raw: &str) -> Result<Decline, Invalid> {
        let reason = raw.replace("\r\n", "\n").trim().to_owned();
        if reason.is_empty() {
            return Err(Invalid::new(
                "reason",
                "Give the customer a reason for declining.",
            ));
        }
        if reason.chars().count() > REASON_MAX {
            return Err(Invalid::new(
                "reason",
                format!("Keep the reason to {REASON_MAX} characters."),
            ));
        }
        Ok(Decline { reason })
    }

    /// The reason as it will be kept and sent.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// A request declined.
#[derive(Debug, Clone)]
pub struct Declined {
    /// Its number.
    pub number: String,
    /// Whether the customer was emailed (the request's contact, else whoever sent it).
    pub emailed: bool,
}

/// Declines request `number` with the reason and emails the customer in the same
/// transaction; a `not_open` conflict when it is declined or converted already.
pub async fn decline(
    app: &App,
    actor: &StaffActor,
    number: &str,
    decline: Decline,
) -> Result<Declined, AppError> {
    let r = request(app, actor, number).await?;
    if !r.status().may_decline() {
        return Err(not_open());
    }
    let company = actor.company();
    let mut tx = app.store.begin().await?;
    if !tx
        .decline_request(
            company.id,
            ServiceRequestId(r.id),
            &decline.reason,
            doorstep_store::now(),
        )
        .await?
    {
        return Err(not_open());
    }
    let emailed = match r.customer_recipient() {
        Some((address, name)) => {
            let link = app.links().portal_url(&company.slug);
            doorstep_mail::enqueue(
                &mut tx,
                company.id,
                EmailKind::RequestDeclined,
                &address,
                &name,
                &[
                    ("company_name", company.name.as_str()),
                    ("contact_name", name.as_str()),
                    ("request_number", r.number.as_str()),
                    ("reason", decline.reason.as_str()),
                    ("link", link.as_str()),
                ],
            )
            .await?;
            true
        }
        None => false,
    };
    let record = audit(actor, "request.declined", &r, json!({ "emailed": emailed }));
    let data = json!({"number": r.number, "customer_id": r.customer_id, "reason": decline.reason});
    crate::webhooks::emit(&mut tx, company.id, "request.declined", data).await?;
    finish(app, tx, actor, record, emailed).await?;
    Ok(Declined {
        number: r.number,
        emailed,
    })
}
