//! A locked login given the right password: audited, and its contact emailed (at most
//! once a day) that access is locked and whom to call. The person at the sign-in page
//! is answered exactly as for a wrong password, so the page is no password oracle.

use doorstep_mail::EmailKind;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;

use crate::auth::sign_in::owner_id;
use crate::views::Brand;
use crate::{AppState, WebError};

/// Records the refused sign-in of locked `owner` and, for a portal login whose notice
/// is due, queues the email, all in one transaction (one transaction, as a wrong
/// password's audit is, so both take about the same time).
pub async fn refused(
    state: &AppState,
    company: &Company,
    owner: SessionOwner,
    email: &str,
    ip: &str,
) -> Result<(), WebError> {
    let mut tx = state.store.begin().await?;
    tx.audit(
        company.id,
        &NewAuditEvent {
            actor_kind: "system",
            actor_id: Some(owner_id(owner)),
            actor_label: email.chars().take(254).collect(),
            action: "sign_in.refused_locked",
            subject_kind: "",
            subject_id: None,
            ip: ip.to_owned(),
            detail: "{}".into(),
            at: doorstep_store::now(),
        },
    )
    .await?;
    if let SessionOwner::Login(login) = owner
        && let Some(to) = tx.claim_locked_notice(company.id, login).await?
    {
        let whom = Brand::of(company).whom_to_contact();
        doorstep_mail::enqueue(
            &mut tx,
            company.id,
            EmailKind::AccessLocked,
            &to.address,
            &to.name,
            &[
                ("company_name", company.name.as_str()),
                ("contact_name", to.name.as_str()),
                ("whom_to_contact", whom.as_str()),
            ],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
