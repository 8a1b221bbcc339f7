//! The audit log: who did what, when.

use doorstep_core::ids::{CompanyId, CustomerId, StaffUserId};
use time::OffsetDateTime;

use crate::insert::{Sql, Val, bind_vals};
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

/// The tables whose rows belong to one customer, by the audit log's subject kind: an
/// action on one of them is recorded with that customer, so the log filters by customer.
fn customer_table(subject_kind: &str) -> Option<&'static str> {
    Some(match subject_kind {
        "customer" => "customers",
        "contact" => "contacts",
        "site" => "sites",
        "job" => "jobs",
        "estimate" => "estimates",
        "invoice" => "invoices",
        "payment" => "payments",
        "service_request" => "service_requests",
        "support_request" => "support_requests",
        _ => return None,
    })
}

impl Tx {
    /// Appends to the audit log, in the same transaction as the action itself. The
    /// customer the subject belongs to (when it belongs to one) is recorded with it.
    ///
    /// The row is written with the commit (no one reads it before): on SQLite in the same
    /// trip to the connection's thread as the `COMMIT`, inside the write lock.
    pub async fn audit(&mut self, company: CompanyId, e: &NewAuditEvent) -> Result<(), StoreError> {
        self.queue_audit(company, e.clone());
        Ok(())
    }
}

/// How many audit rows one statement writes: 14 placeholders each, far below SQLite's
/// limit of 32,766 per statement.
const AUDIT_ROWS_PER_INSERT: usize = 200;

/// The statements that write `events` to the audit log, one row each, in order.
pub(crate) fn audit_inserts(events: &[(CompanyId, NewAuditEvent)]) -> Vec<Sql> {
    events
        .chunks(AUDIT_ROWS_PER_INSERT)
        .map(audit_insert)
        .collect()
}

/// One statement writing `events` (not empty).
fn audit_insert(events: &[(CompanyId, NewAuditEvent)]) -> Sql {
    let mut sql = Sql::default();
    sql.push(
        "INSERT INTO audit_events (company_id, actor_kind, actor_id, actor_label, action, \
         subject_kind, subject_id, ip, detail, created_at, customer_id) VALUES ",
    );
    for (i, (company, e)) in events.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" })
            .val(company.0)
            .push(", ")
            .val(e.actor_kind)
            .push(", ")
            .val(Val::Int(e.actor_id))
            .push(", ")
            .val(&e.actor_label)
            .push(", ")
            .val(e.action)
            .push(", ")
            .val(e.subject_kind)
            .push(", ")
            .val(Val::Int(e.subject_id))
            .push(", ")
            .val(&e.ip)
            .push(", ")
            .val(&e.detail)
            .push(", ")
            .val(e.at)
            .push(", ");
        match (customer_table(e.subject_kind), e.subject_id) {
            (Some(table), Some(id)) => {
                let column = if table == "customers" {
                    "id"
                } else {
                    "customer_id"
                };
                // Table and column names come from the constant list above.
                sql.push(&format!(
                    "(SELECT {column} FROM {table} WHERE company_id = "
                ))
                .val(company.0)
                .push(" AND id = ")
                .val(id)
                .push("))");
            }
            _ => {
                sql.push("NULL)");
            }
        }
    }
    sql
}

/// Whose actions the audit log shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditActor {
    /// One staff member.
    Staff(StaffUserId),
    /// Any customer contact in the portal.
    Contacts,
    /// The system (sign-in attempts, the command line).
    System,
}

/// What the audit log is narrowed to; the default is everything, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Who acted.
    pub actor: Option<AuditActor>,
    /// What they did (an action code such as `staff.invited`).
    pub action: Option<String>,
    /// Actions at or after this time.
    pub from: Option<OffsetDateTime>,
    /// Actions before this time.
    pub until: Option<OffsetDateTime>,
    /// Actions concerning this customer.
    pub customer: Option<CustomerId>,
}

/// A row's place in the audit log: newest first, id for ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditKey {
    /// When.
    pub at: OffsetDateTime,
    /// The record's id.
    pub id: i64,
}

/// One audited action as the audit log page shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    /// The record's id.
    pub id: i64,
    /// When.
    pub created_at: OffsetDateTime,
    /// `staff`, `contact`, `api` or `system`.
    pub actor_kind: String,
    /// The actor's id in its table.
    pub actor_id: Option<i64>,
    /// The actor as recorded (an email, a key name).
    pub actor_label: String,
    /// The staff member's name, for staff actors.
    pub staff_name: Option<String>,
    /// What happened.
    pub action: String,
    /// The kind of record acted on.
    pub subject_kind: String,
    /// Its id.
    pub subject_id: Option<i64>,
    /// The customer concerned.
    pub customer_id: Option<i64>,
    /// Their number.
    pub customer_number: Option<String>,
    /// Their name.
    pub customer_name: Option<String>,
    /// The client address.
    pub ip: String,
    /// Details, a JSON object.
    pub detail: String,
}

impl AuditRow {
    /// Where the log continues after this row.
    pub fn key(&self) -> AuditKey {
        AuditKey {
            at: self.created_at,
            id: self.id,
        }
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

    /// A page of the company's audit log under `filter`, newest first, after `after`;
    /// answers the rows and where the next page starts.
    pub async fn audit_page(
        &self,
        company: CompanyId,
        filter: &AuditFilter,
        after: Option<AuditKey>,
        limit: i64,
    ) -> Result<(Vec<AuditRow>, Option<AuditKey>), StoreError> {
        let limit = limit.clamp(1, 1000);
        let mut sql = Sql::default();
        sql.push(
            "SELECT a.id, a.created_at, a.actor_kind, a.actor_id, a.actor_label, \
             su.name AS staff_name, a.action, a.subject_kind, a.subject_id, a.customer_id, \
             c.number AS customer_number, c.name AS customer_name, a.ip, a.detail \
             FROM audit_events a \
             LEFT JOIN staff_users su ON a.actor_kind = 'staff' AND su.company_id = a.company_id AND su.id = a.actor_id \
             LEFT JOIN customers c ON c.company_id = a.company_id AND c.id = a.customer_id \
             WHERE a.company_id = ",
        )
        .val(company.0);
        match filter.actor {
            Some(AuditActor::Staff(id)) => {
                sql.push(" AND a.actor_kind = 'staff' AND a.actor_id = ")
                    .val(id.0);
            }
            Some(AuditActor::Contacts) => {
                sql.push(" AND a.actor_kind = 'contact'");
            }
            Some(AuditActor::System) => {
                sql.push(" AND a.actor_kind = 'system'");
            }
            None => {}
        }
        if let Some(action) = &filter.action {
            sql.push(" AND a.action = ").val(action.as_str());
        }
        if let Some(customer) = filter.customer {
            sql.push(" AND a.customer_id = ").val(customer.0);
        }
        if let Some(from) = filter.from {
            sql.push(" AND a.created_at >= ").val(from);
        }
        if let Some(until) = filter.until {
            sql.push(" AND a.created_at < ").val(until);
        }
        if let Some(k) = after {
            // The plain range first gives both engines an index range; the OR settles ties.
            sql.push(" AND a.created_at <= ")
                .val(k.at)
                .push(" AND (a.created_at < ")
                .val(k.at)
                .push(" OR a.id < ")
                .val(k.id)
                .push(")");
        }
        sql.push(" ORDER BY a.created_at DESC, a.id DESC LIMIT ")
            .val(limit + 1);
        let mut rows: Vec<AuditRow> = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next = rows.last().map(AuditRow::key).filter(|_| more);
        Ok((rows, next))
    }

    /// Every action code the company's audit log holds, for the page's filter.
    pub async fn audit_actions(&self, company: CompanyId) -> Result<Vec<String>, StoreError> {
        let rows: Vec<String> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT DISTINCT action FROM audit_events WHERE company_id = $1 ORDER BY action")
            .bind(company.0).fetch_all(p).await)?;
        Ok(rows)
    }
}
