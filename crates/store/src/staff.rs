//! Office staff.

use doorstep_core::ids::{CompanyId, StaffUserId};
use doorstep_core::status::StaffRole;
use time::OffsetDateTime;

use crate::insert::Val;
use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// A member of a company's office staff.
#[derive(Debug, Clone)]
pub struct StaffUser {
    /// The staff member's id.
    pub id: StaffUserId,
    /// The company they work for.
    pub company_id: CompanyId,
    /// Sign-in email, lower-case.
    pub email: String,
    /// Full name.
    pub name: String,
    /// Admin or office.
    pub role: StaffRole,
    /// Whether a password has been set yet.
    pub has_password: bool,
    /// Whether the login is locked.
    pub locked: bool,
    /// Whether an administrator deactivated them (they cannot sign in).
    pub deactivated: bool,
    /// When they last signed in.
    pub last_sign_in_at: Option<OffsetDateTime>,
}

impl StaffUser {
    /// Invited (no password chosen yet), active or deactivated.
    pub fn status(&self) -> StaffStatus {
        if self.deactivated {
            StaffStatus::Deactivated
        } else if !self.has_password {
            StaffStatus::Invited
        } else {
            StaffStatus::Active
        }
    }
}

/// Where a staff member stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffStatus {
    /// Invited, no password chosen yet.
    Invited,
    /// Signs in and works.
    Active,
    /// Deactivated by an administrator.
    Deactivated,
}

impl StaffStatus {
    /// The word the office reads.
    pub fn label(self) -> &'static str {
        match self {
            StaffStatus::Invited => "Invited",
            StaffStatus::Active => "Active",
            StaffStatus::Deactivated => "Deactivated",
        }
    }
}

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: i64,
    company_id: i64,
    email: String,
    name: String,
    role: String,
    has_password: bool,
    locked: bool,
    deactivated: bool,
    last_sign_in_at: Option<OffsetDateTime>,
}

impl StaffRow {
    /// Reads a row of [`SELECT`] from a plain SQLite connection, by position.
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<StaffRow> {
        Ok(StaffRow {
            id: r.get(0)?,
            company_id: r.get(1)?,
            email: r.get(2)?,
            name: r.get(3)?,
            role: r.get(4)?,
            has_password: r.get(5)?,
            locked: r.get(6)?,
            deactivated: r.get(7)?,
            last_sign_in_at: crate::sqlite_reads::maybe_time_at(r, 8)?,
        })
    }
}

impl TryFrom<StaffRow> for StaffUser {
    type Error = StoreError;
    fn try_from(r: StaffRow) -> Result<Self, StoreError> {
        Ok(StaffUser {
            id: StaffUserId(r.id),
            company_id: CompanyId(r.company_id),
            email: r.email,
            name: r.name,
            role: StaffRole::parse(&r.role).map_err(|e| StoreError::Unsupported(e.to_string()))?,
            has_password: r.has_password,
            locked: r.locked,
            deactivated: r.deactivated,
            last_sign_in_at: r.last_sign_in_at,
        })
    }
}

/// The staff columns; keep them in step with [`StaffRow::from_sqlite`], which reads them
/// by position.
const SELECT: &str = "SELECT id, company_id, email, name, role, \
    (password_hash IS NOT NULL) AS has_password, (locked_at IS NOT NULL) AS locked, \
    (deactivated_at IS NOT NULL) AS deactivated, last_sign_in_at FROM staff_users";

impl Store {
    /// Finds a staff member of `company` by (lower-case) email.
    pub async fn staff_by_email(
        &self,
        company: CompanyId,
        email: &str,
    ) -> Result<Option<StaffUser>, StoreError> {
        let sql = format!("{SELECT} WHERE company_id = $1 AND email = $2");
        let row: Option<StaffRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(email).fetch_optional(p).await)?;
        row.map(StaffUser::try_from).transpose()
    }

    /// Lists a company's staff by name.
    pub async fn staff_of(&self, company: CompanyId) -> Result<Vec<StaffUser>, StoreError> {
        let sql = format!("{SELECT} WHERE company_id = $1 ORDER BY name, id");
        let rows: Vec<StaffRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(company.0).fetch_all(p).await)?;
        rows.into_iter().map(StaffUser::try_from).collect()
    }
}

impl Tx {
    /// Adds a staff member; `password_hash` is None until they follow their setup link.
    pub async fn create_staff(
        &mut self,
        company: CompanyId,
        email: &str,
        name: &str,
        role: StaffRole,
        password_hash: Option<&str>,
    ) -> Result<StaffUserId, StoreError> {
        let at = now();
        let id = self
            .insert_row(
                "staff_users",
                company.0,
                &[
                    ("email", email.into()),
                    ("name", name.into()),
                    ("role", role.as_str().into()),
                    ("password_hash", Val::Text(password_hash.map(str::to_owned))),
                    ("created_at", at.into()),
                    ("updated_at", at.into()),
                ],
                true,
            )
            .await?;
        Ok(StaffUserId(id))
    }

    /// Sets a staff member's password hash (the hash only: staff passwords are never seen).
    pub async fn set_staff_password(
        &mut self,
        company: CompanyId,
        staff: StaffUserId,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE staff_users SET password_hash = $3, updated_at = $4 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(staff.0).bind(password_hash).bind(db_time(now()))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

impl Store {
    /// Finds a staff member of `company` by id.
    pub async fn staff_by_id(
        &self,
        company: CompanyId,
        id: StaffUserId,
    ) -> Result<Option<StaffUser>, StoreError> {
        // Every office request and every API call reads its staff member: a plain read.
        let sql = format!("{SELECT} WHERE company_id = $1 AND id = $2");
        let rows = self
            .hot_rows(
                &sql,
                &[company.0.into(), id.0.into()],
                StaffRow::from_sqlite,
            )
            .await?;
        rows.into_iter().next().map(StaffUser::try_from).transpose()
    }
}

impl Tx {
    /// Locks the company's row until the transaction ends, so changes to its staff (roles,
    /// deactivations) happen one after the other and the "last administrator" rule sees
    /// every one of them; then answers its staff as they are now.
    pub async fn lock_staff(&mut self, company: CompanyId) -> Result<Vec<StaffUser>, StoreError> {
        // A no-op write takes the row lock on both engines before the read.
        on_tx!(self, c => sqlx::query("UPDATE companies SET updated_at = updated_at WHERE id = $1")
            .bind(company.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        let sql = format!("{SELECT} WHERE company_id = $1 ORDER BY name, id");
        let rows: Vec<StaffRow> =
            on_tx!(self, c => sqlx::query_as(&sql).bind(company.0).fetch_all(&mut *c).await)?;
        rows.into_iter().map(StaffUser::try_from).collect()
    }

    /// Gives staff member `staff` of `company` the role `role`.
    pub async fn set_staff_role(
        &mut self,
        company: CompanyId,
        staff: StaffUserId,
        role: StaffRole,
    ) -> Result<(), StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE staff_users SET role = $3, updated_at = $4 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(staff.0).bind(role.as_str()).bind(db_time(now()))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deactivates staff member `staff` of `company` (ending their sessions and revoking
    /// their setup links, at once) or reactivates them.
    pub async fn set_staff_deactivated(
        &mut self,
        company: CompanyId,
        staff: StaffUserId,
        deactivated: bool,
    ) -> Result<(), StoreError> {
        let at = now();
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE staff_users SET deactivated_at = $3, updated_at = $4 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(staff.0).bind(deactivated.then_some(db_time(at))).bind(db_time(at))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        if deactivated {
            on_tx!(self, c => sqlx::query(
                "DELETE FROM sessions WHERE company_id = $1 AND staff_user_id = $2")
                .bind(company.0).bind(staff.0).execute(&mut *c).await.map(|_| ()))?;
            on_tx!(self, c => sqlx::query(
                "UPDATE auth_tokens SET used_at = $3 WHERE company_id = $1 AND staff_user_id = $2 AND used_at IS NULL")
                .bind(company.0).bind(staff.0).bind(db_time(at)).execute(&mut *c).await.map(|_| ()))?;
        }
        Ok(())
    }
}
