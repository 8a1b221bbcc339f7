//! Audit records, built in one place for every use case.

use std::net::IpAddr;

use doorstep_store::audit::NewAuditEvent;

/// A record of `who` (kind, id, readable label) doing `action` to `subject` (kind, id)
/// from `ip`, now.
pub(crate) fn record(
    who: (&'static str, Option<i64>, &str),
    action: &'static str,
    subject: (&'static str, i64),
    ip: IpAddr,
    detail: serde_json::Value,
) -> NewAuditEvent {
    NewAuditEvent {
        actor_kind: who.0,
        actor_id: who.1,
        actor_label: who.2.to_owned(),
        action,
        subject_kind: subject.0,
        subject_id: Some(subject.1),
        ip: ip.to_string(),
        detail: detail.to_string(),
        at: doorstep_store::now(),
    }
}
