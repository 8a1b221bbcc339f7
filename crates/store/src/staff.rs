//! Office staff.

use doorstep_core::ids::{CompanyId, StaffUserId};
use doorstep_core::status::StaffRole;

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
        })
    }
}

const SELECT: &str = "SELECT id, company_id, email, name, role, \
    (password_hash IS NOT NULL) AS has_password, (locked_at IS NOT NULL) AS locked FROM staff_users";

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
        let sql = format!("{SELECT} WHERE company_id = $1 AND id = $2");
        let row: Option<StaffRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(p).await)?;
        row.map(StaffUser::try_from).transpose()
    }
}
