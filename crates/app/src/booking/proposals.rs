//! The customer answering a time the office proposed for their request: accepted (the
//! proposed time becomes the preferred one) or declined with an optional reason. Answering
//! is final: a second or stale answer changes nothing. The office is told and the answer
//! audited.

use doorstep_core::authz::PortalAction;
use doorstep_core::ids::ServiceRequestId;
use doorstep_core::validation::Invalid;
use doorstep_core::visits::{check_decline_reason, date_slot_text};
use doorstep_mail::EmailKind;
use doorstep_store::visits::RequestProposal;

use crate::{App, AppError, ContactActor, notify};

/// The customer's answer, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The proposed time suits.
    Accept,
    /// It does not, with an optional reason.
    Decline {
        /// Why; may be empty.
        reason: String,
    },
}

impl Answer {
    /// Reads the form's `answer` (`accept` or `decline`) and `reason` (only kept when
    /// declining; at most `core::visits::REASON_MAX` characters).
    pub fn parse(answer: &str, reason: &str) -> Result<Answer, Invalid> {
        match answer {
            "accept" => Ok(Answer::Accept),
            "decline" => Ok(Answer::Decline {
                reason: check_decline_reason(reason)?,
            }),
            _ => Err(Invalid::new("answer", "Choose Accept or Decline.")),
        }
    }
}

/// The request `number`'s proposal if `actor` may answer proposals and see the request;
/// not found otherwise.
pub async fn load(
    app: &App,
    actor: &ContactActor,
    number: &str,
) -> Result<RequestProposal, AppError> {
    actor.require(PortalAction::AnswerProposals)?;
    app.store()
        .request_proposal_for_contact(actor.company().id, actor.scope(), number)
        .await?
        .ok_or(AppError::NotFound)
}

/// The conflict when no proposal awaits an answer (already answered, or the request was).
fn answered() -> AppError {
    AppError::conflict(
        "answered",
        "This proposal is no longer awaiting an answer (already answered, or the request was answered). Nothing was changed.",
    )
}

/// Answers the proposal on request `number`; refused with an `answered` conflict when
/// none awaits an answer.
pub async fn answer(
    app: &App,
    actor: &ContactActor,
    number: &str,
    answer: Answer,
) -> Result<RequestProposal, AppError> {
    let r = load(app, actor, number).await?;
    if !r.awaits_answer() {
        return Err(answered());
    }
    let company = actor.company();
    let person = actor.who(app).await?;
    let now = doorstep_store::now();
    let accept = answer == Answer::Accept;
    let mut tx = app.store.begin().await?;
    if !tx
        .answer_request_proposal(
            company.id,
            actor.scope(),
            ServiceRequestId(r.id),
            accept,
            now,
        )
        .await?
    {
        return Err(answered());
    }
    let (action, said, reason) = match &answer {
        Answer::Accept => ("request.proposal_accepted", "accepted", ""),
        Answer::Decline { reason } => ("request.proposal_declined", "declined", reason.as_str()),
    };
    let proposed = date_slot_text(r.proposed_date, r.proposed_schedule_type.as_deref());
    let shown_reason = if reason.is_empty() {
        "(none given)"
    } else {
        reason
    };
    let detail = serde_json::json!({"number": r.number, "proposed": proposed, "reason": reason});
    let audit = actor.audit(&person.email, action, ("service_request", r.id), detail);
    tx.audit(company.id, &audit).await?;
    let queued = notify::office(
        &mut tx,
        company,
        EmailKind::ProposalAnswered,
        &[
            ("company_name", company.name.as_str()),
            ("customer_name", actor.customer_name()),
            ("request_number", &r.number),
            ("answer", said),
            ("proposed_time", &proposed),
            ("reason", shown_reason),
            ("contact_name", &person.name),
            ("contact_email", &person.email),
        ],
    )
    .await?;
    app.commit(tx, queued).await?;
    Ok(r)
}
