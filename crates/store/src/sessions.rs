//! Sessions of staff and portal logins. The row's id is the SHA-256 of the cookie's
//! secret, so a leaked database cannot be replayed as cookies.

use doorstep_core::ids::{CompanyId, CustomerId, LoginId, StaffUserId};
use time::OffsetDateTime;

use crate::insert::Val;
use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// Who a session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionOwner {
    /// A staff member of the office.
    Staff(StaffUserId),
    /// A portal login.
    Login(LoginId),
}

/// What it takes to open a session.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 (hex) of the cookie's secret.
    pub id_hash: String,
    /// Whose it is.
    pub owner: SessionOwner,
    /// The account a portal login acts for, when already chosen.
    pub active_customer: Option<CustomerId>,
    /// Secret for this session's CSRF tokens.
    pub csrf_secret: String,
    /// Client address at sign-in.
    pub ip: String,
    /// Browser at sign-in.
    pub user_agent: String,
    /// Absolute end of the session.
    pub expires_at: OffsetDateTime,
    /// The password was right but a second factor is still owed: the session opens
    /// nothing but the code page.
    pub two_factor_pending: bool,
}

/// A live session as a request sees it.
#[derive(Debug, Clone)]
pub struct Session {
    /// SHA-256 (hex) of the cookie's secret.
    pub id_hash: String,
    /// Whose it is.
    pub owner: SessionOwner,
    /// The account a portal login acts for.
    pub active_customer: Option<CustomerId>,
    /// Secret for CSRF tokens.
    pub csrf_secret: String,
    /// Last request seen.
    pub last_seen_at: OffsetDateTime,
    /// Absolute end.
    pub expires_at: OffsetDateTime,
    /// Waiting for a second factor (see [`NewSession::two_factor_pending`]).
    pub two_factor_pending: bool,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    staff_user_id: Option<i64>,
    login_id: Option<i64>,
    active_customer_id: Option<i64>,
    csrf_secret: String,
    last_seen_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    two_factor_pending: bool,
}

/// A login's or staff member's stored credentials, for sign-in only.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// Whose they are.
    pub owner: SessionOwner,
    /// The argon2id PHC string, if a password was ever set.
    pub password_hash: Option<String>,
    /// Locked by the office.
    pub locked: bool,
}

#[derive(sqlx::FromRow)]
struct CredentialRow {
    id: i64,
    password_hash: Option<String>,
    locked: bool,
}

impl Store {
    /// The live session of `id_hash` at `company`, whose owner is not locked and which has
    /// not passed its absolute or idle lifetime.
    pub async fn live_session(
        &self,
        company: CompanyId,
        id_hash: &str,
        idle_cutoff: OffsetDateTime,
    ) -> Result<Option<Session>, StoreError> {
        let at = db_time(now());
        let row: Option<SessionRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT s.id, s.staff_user_id, s.login_id, s.active_customer_id, s.csrf_secret, \
             s.last_seen_at, s.expires_at, s.two_factor_pending FROM sessions s \
             LEFT JOIN staff_users st ON st.id = s.staff_user_id AND st.company_id = s.company_id \
             LEFT JOIN portal_logins l ON l.id = s.login_id AND l.company_id = s.company_id \
             WHERE s.company_id = $1 AND s.id = $2 AND s.expires_at > $3 AND s.last_seen_at > $4 \
             AND st.locked_at IS NULL AND st.deactivated_at IS NULL AND l.locked_at IS NULL \
             AND (st.id IS NOT NULL OR l.id IS NOT NULL)")
            .bind(company.0).bind(id_hash).bind(at).bind(db_time(idle_cutoff))
            .fetch_optional(p).await)?;
        Ok(row.and_then(|r| {
            let owner = match (r.staff_user_id, r.login_id) {
                (Some(s), None) => SessionOwner::Staff(StaffUserId(s)),
                (None, Some(l)) => SessionOwner::Login(LoginId(l)),
                _ => return None,
            };
            Some(Session {
                id_hash: r.id,
                owner,
                active_customer: r.active_customer_id.map(CustomerId),
                csrf_secret: r.csrf_secret,
                last_seen_at: r.last_seen_at,
                expires_at: r.expires_at,
                two_factor_pending: r.two_factor_pending,
            })
        }))
    }

    /// Marks a session as used now (callers do this at most once a minute).
    pub async fn touch_session(&self, company: CompanyId, id_hash: &str) -> Result<(), StoreError> {
        on_pool!(self, p => sqlx::query("UPDATE sessions SET last_seen_at = $3 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id_hash).bind(db_time(now()))
            .execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// The credentials of the portal login with `email` at `company`.
    pub async fn login_credentials(
        &self,
        company: CompanyId,
        email: &str,
    ) -> Result<Option<Credentials>, StoreError> {
        let row: Option<CredentialRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, password_hash, (locked_at IS NOT NULL) AS locked FROM portal_logins \
             WHERE company_id = $1 AND email = $2")
            .bind(company.0).bind(email).fetch_optional(p).await)?;
        Ok(row.map(|r| Credentials {
            owner: SessionOwner::Login(LoginId(r.id)),
            password_hash: r.password_hash,
            locked: r.locked,
        }))
    }

    /// The credentials of the staff member with `email` at `company`.
    pub async fn staff_credentials(
        &self,
        company: CompanyId,
        email: &str,
    ) -> Result<Option<Credentials>, StoreError> {
        let row: Option<CredentialRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, password_hash, (locked_at IS NOT NULL OR deactivated_at IS NOT NULL) AS locked FROM staff_users \
             WHERE company_id = $1 AND email = $2")
            .bind(company.0).bind(email).fetch_optional(p).await)?;
        Ok(row.map(|r| Credentials {
            owner: SessionOwner::Staff(StaffUserId(r.id)),
            password_hash: r.password_hash,
            locked: r.locked,
        }))
    }
}

impl Tx {
    /// Opens a session and records the sign-in time on its owner.
    pub async fn create_session(
        &mut self,
        company: CompanyId,
        s: &NewSession,
    ) -> Result<(), StoreError> {
        let at = now();
        let (staff, login) = match s.owner {
            SessionOwner::Staff(id) => (Some(id.0), None),
            SessionOwner::Login(id) => (None, Some(id.0)),
        };
        // Sessions have a text key, not an integer id: insert without RETURNING id.
        self.insert_row(
            "sessions",
            company.0,
            &[
                ("id", (&s.id_hash).into()),
                ("staff_user_id", Val::Int(staff)),
                ("login_id", Val::Int(login)),
                (
                    "active_customer_id",
                    Val::Int(s.active_customer.map(|c| c.0)),
                ),
                ("csrf_secret", (&s.csrf_secret).into()),
                ("ip", (&s.ip).into()),
                ("user_agent", (&s.user_agent).into()),
                ("created_at", at.into()),
                ("last_seen_at", at.into()),
                ("expires_at", s.expires_at.into()),
                ("two_factor_pending", s.two_factor_pending.into()),
            ],
            false,
        )
        .await?;
        let sql = match s.owner {
            SessionOwner::Staff(_) => {
                "UPDATE staff_users SET last_sign_in_at = $3 WHERE company_id = $1 AND id = $2"
            }
            SessionOwner::Login(_) => {
                "UPDATE portal_logins SET last_sign_in_at = $3 WHERE company_id = $1 AND id = $2"
            }
        };
        let owner_id = staff.or(login).unwrap_or_default();
        on_tx!(self, c => sqlx::query(sql).bind(company.0).bind(owner_id).bind(db_time(at))
            .execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    /// Ends one session.
    pub async fn delete_session(
        &mut self,
        company: CompanyId,
        id_hash: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query("DELETE FROM sessions WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id_hash).execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    /// Ends every session of `owner` except `keep` (sign out everywhere, password change, lock).
    pub async fn delete_sessions_of(
        &mut self,
        company: CompanyId,
        owner: SessionOwner,
        keep: Option<&str>,
    ) -> Result<u64, StoreError> {
        let (column, id) = match owner {
            SessionOwner::Staff(s) => ("staff_user_id", s.0),
            SessionOwner::Login(l) => ("login_id", l.0),
        };
        let sql =
            format!("DELETE FROM sessions WHERE company_id = $1 AND {column} = $2 AND id <> $3");
        let n = on_tx!(self, c => sqlx::query(&sql).bind(company.0).bind(id).bind(keep.unwrap_or(""))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n)
    }

    /// Sets the account a portal session acts for.
    pub async fn set_active_customer(
        &mut self,
        company: CompanyId,
        id_hash: &str,
        customer: CustomerId,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "UPDATE sessions SET active_customer_id = $3 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id_hash).bind(customer.0).execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    /// Locks or unlocks a portal login; locking ends all its sessions at once.
    pub async fn set_login_locked(
        &mut self,
        company: CompanyId,
        login: LoginId,
        locked: bool,
        reason: &str,
    ) -> Result<(), StoreError> {
        let at = db_time(now());
        let locked_at = locked.then_some(at);
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE portal_logins SET locked_at = $3, locked_reason = $4, updated_at = $5, \
             locked_notice_at = NULL WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(login.0).bind(locked_at).bind(reason).bind(at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        // api-people (issue 20): the login's contacts changed state, so a sync that lists
        // contacts by change time sees the lock.
        on_tx!(self, c => sqlx::query(
            "UPDATE contacts SET updated_at = $3 WHERE company_id = $1 AND login_id = $2")
            .bind(company.0).bind(login.0).bind(at)
            .execute(&mut *c).await.map(|_| ()))?;
        if locked {
            self.delete_sessions_of(company, SessionOwner::Login(login), None)
                .await?;
        }
        Ok(())
    }
}
