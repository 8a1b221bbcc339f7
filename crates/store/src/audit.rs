//! The audit log: who did what, when.

use doorstep_core::ids::CompanyId;
use time::OffsetDateTime;

use crate::insert::Val;
use crate::{Store, StoreError, Tx, on_pool};

/// One audited action.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    /// `staff`, `contact`, `api` or `system`.
    pub actor_kind: &'static str,
    /// The actor's id in its table.
    pub actor_id: Option<i64>,
    /// Who, readable (an email or a key name).
    pub actor_label: String,
    /// What happened, e.g. `company.created`, `sign_in.failed`.
    pub action: &'static str,
    /// The kind of record acted on.
    pub subject_kind: &'static str,
    /// Its id.
    pub subject_id: Option<i64>,
    /// The client address.
    pub ip: String,
    /// Details as a JSON object.
    pub detail: String,
    /// When.
    pub at: OffsetDateTime,
}

impl Tx {
    /// Appends to the audit log, in the same transaction as the action itself.
    pub async fn audit(&mut self, company: CompanyId, e: &NewAuditEvent) -> Result<(), StoreError> {
        self.insert_row(
            "audit_events",
            company.0,
            &[
                ("actor_kind", e.actor_kind.into()),
                ("actor_id", Val::Int(e.actor_id)),
                ("actor_label", (&e.actor_label).into()),
                ("action", e.action.into()),
                ("subject_kind", e.subject_kind.into()),
                ("subject_id", Val::Int(e.subject_id)),
                ("ip", (&e.ip).into()),
                ("detail", (&e.detail).into()),
                ("created_at", e.at.into()),
            ],
            true,
        )
        .await
        .map(|_| ())
    }
}

impl Store {
    /// The most recent audited actions of a company, newest first.
    pub async fn recent_audit_actions(
        &self,
        company: CompanyId,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<String> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT action FROM audit_events WHERE company_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2")
            .bind(company.0).bind(limit).fetch_all(p).await)?;
        Ok(rows)
    }
}
