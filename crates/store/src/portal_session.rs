//! A portal request's whole sign-in state in one query: the live session and every account
//! its login may act for. Portal pages ask this on every request, so it is one round trip.

use doorstep_core::ids::{CompanyId, ContactId, CustomerId, LoginId};
use doorstep_core::status::ContactRole;
use time::OffsetDateTime;

use crate::contacts::AccountAccess;
use crate::sessions::{Session, SessionOwner};
use crate::{Store, StoreError, now};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    login_id: i64,
    active_customer_id: Option<i64>,
    csrf_secret: String,
    last_seen_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    two_factor_pending: bool,
    customer_id: Option<i64>,
    customer_name: Option<String>,
    contact_id: Option<i64>,
    role: Option<String>,
}

/// The session with one row per account its login may act for (none: one row of NULLs).
const SQL: &str = "SELECT s.id, s.login_id, s.active_customer_id, s.csrf_secret, s.last_seen_at, \
     s.expires_at, s.two_factor_pending, cu.id AS customer_id, cu.name AS customer_name, \
     co.id AS contact_id, co.role \
     FROM sessions s \
     JOIN portal_logins l ON l.id = s.login_id AND l.company_id = s.company_id \
     LEFT JOIN contacts co ON co.company_id = s.company_id AND co.login_id = s.login_id \
       AND co.portal_enabled = TRUE \
     LEFT JOIN customers cu ON cu.id = co.customer_id AND cu.company_id = co.company_id \
     WHERE s.company_id = $1 AND s.id = $2 AND s.expires_at > $3 AND s.last_seen_at > $4 \
     AND l.locked_at IS NULL \
     ORDER BY cu.name, cu.id";

impl Row {
    /// Reads a row of [`SQL`] from a plain SQLite connection.
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
        use crate::sqlite_reads::time_at;
        Ok(Row {
            id: r.get(0)?,
            login_id: r.get(1)?,
            active_customer_id: r.get(2)?,
            csrf_secret: r.get(3)?,
            last_seen_at: time_at(r, 4)?,
            expires_at: time_at(r, 5)?,
            two_factor_pending: r.get(6)?,
            customer_id: r.get(7)?,
            customer_name: r.get(8)?,
            contact_id: r.get(9)?,
            role: r.get(10)?,
        })
    }
}

impl Store {
    /// The live portal session of `id_hash` at `company` (unlocked login, within its absolute
    /// and idle lifetime) with the accounts its login may act for, by name; an empty list
    /// when the office has disabled them all. Staff sessions are not portal sessions.
    pub async fn live_portal_session(
        &self,
        company: CompanyId,
        id_hash: &str,
        idle_cutoff: OffsetDateTime,
    ) -> Result<Option<(Session, Vec<AccountAccess>)>, StoreError> {
        let at = now();
        let vals = [
            company.0.into(),
            id_hash.into(),
            at.into(),
            idle_cutoff.into(),
        ];
        let rows: Vec<Row> = self.hot_rows(SQL, &vals, Row::from_sqlite).await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let session = Session {
            id_hash: first.id.clone(),
            owner: SessionOwner::Login(LoginId(first.login_id)),
            active_customer: first.active_customer_id.map(CustomerId),
            csrf_secret: first.csrf_secret.clone(),
            last_seen_at: first.last_seen_at,
            expires_at: first.expires_at,
            two_factor_pending: first.two_factor_pending,
        };
        let mut accounts = Vec::with_capacity(rows.len());
        for row in rows {
            if let (Some(customer), Some(name), Some(contact), Some(role)) =
                (row.customer_id, row.customer_name, row.contact_id, row.role)
            {
                accounts.push(AccountAccess {
                    customer: CustomerId(customer),
                    customer_name: name,
                    contact: ContactId(contact),
                    role: ContactRole::parse(&role)
                        .map_err(|e| StoreError::Unsupported(e.to_string()))?,
                });
            }
        }
        Ok(Some((session, accounts)))
    }
}
