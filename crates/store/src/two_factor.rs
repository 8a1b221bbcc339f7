//! TOTP two-factor sign-in: the shared secret, the last accepted time step (so a code
//! works once) and single-use recovery codes, kept only as hashes.

use doorstep_core::ids::CompanyId;

use crate::sessions::SessionOwner;
use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// A login's or staff member's two-factor state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TwoFactor {
    /// The secret as stored (sealed by the web layer), set from the start of setup on.
    pub secret: Option<String>,
    /// Setup was confirmed with a code: sign-in asks for one.
    pub enabled: bool,
    /// Unused recovery codes left.
    pub recovery_codes_left: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    totp_secret: Option<String>,
    totp_enabled: bool,
}

/// The table and id of an owner: staff and logins live in different tables.
fn owner_table(owner: SessionOwner) -> (&'static str, &'static str, i64) {
    match owner {
        SessionOwner::Staff(s) => ("staff_users", "staff_user_id", s.0),
        SessionOwner::Login(l) => ("portal_logins", "login_id", l.0),
    }
}

impl Store {
    /// The two-factor state of `owner` (default when the owner does not exist).
    pub async fn two_factor(
        &self,
        company: CompanyId,
        owner: SessionOwner,
    ) -> Result<TwoFactor, StoreError> {
        let (table, column, id) = owner_table(owner);
        let sql = format!(
            "SELECT totp_secret, totp_enabled FROM {table} WHERE company_id = $1 AND id = $2"
        );
        let row: Option<Row> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id).fetch_optional(p).await)?;
        let Some(row) = row else {
            return Ok(TwoFactor::default());
        };
        let sql = format!(
            "SELECT COUNT(*) FROM recovery_codes WHERE company_id = $1 AND {column} = $2 \
             AND used_at IS NULL"
        );
        let left: i64 = on_pool!(self, p => sqlx::query_scalar(&sql)
            .bind(company.0).bind(id).fetch_one(p).await)?;
        Ok(TwoFactor {
            secret: row.totp_secret,
            enabled: row.totp_enabled,
            recovery_codes_left: left,
        })
    }
}

/// A stored TOTP secret not yet in the sealed form: start-up seals it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsealedSecret {
    /// Its company.
    pub company: CompanyId,
    /// Whose it is.
    pub owner: SessionOwner,
    /// The value as stored.
    pub stored: String,
}

impl Store {
    /// Every stored TOTP secret, of every company, that does not start with `prefix`
    /// (written before secrets were encrypted): the start-up pass that seals them is
    /// instance maintenance, like a migration, so this one finder spans companies.
    pub async fn totp_secrets_without_prefix(
        &self,
        prefix: &str,
    ) -> Result<Vec<UnsealedSecret>, StoreError> {
        let pattern = format!("{}%", prefix.replace(['%', '_', '\\'], ""));
        let mut out = Vec::new();
        for owner_kind in ["staff_users", "portal_logins"] {
            let sql = format!(
                "SELECT company_id, id, totp_secret FROM {owner_kind} \
                 WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE $1 ORDER BY id"
            );
            let rows: Vec<(i64, i64, String)> = on_pool!(self, p => sqlx::query_as(&sql)
                .bind(&pattern).fetch_all(p).await)?;
            for (company, id, stored) in rows {
                let owner = if owner_kind == "staff_users" {
                    SessionOwner::Staff(doorstep_core::ids::StaffUserId(id))
                } else {
                    SessionOwner::Login(doorstep_core::ids::LoginId(id))
                };
                out.push(UnsealedSecret {
                    company: CompanyId(company),
                    owner,
                    stored,
                });
            }
        }
        Ok(out)
    }
}

impl Tx {
    /// Replaces `owner`'s stored TOTP secret `old` with `new` (the same secret, sealed);
    /// false if it changed meanwhile.
    pub async fn replace_totp_secret(
        &mut self,
        company: CompanyId,
        owner: SessionOwner,
        old: &str,
        new: &str,
    ) -> Result<bool, StoreError> {
        let (table, _, id) = owner_table(owner);
        let sql = format!(
            "UPDATE {table} SET totp_secret = $4 WHERE company_id = $1 AND id = $2 \
             AND totp_secret = $3"
        );
        let n = on_tx!(self, c => sqlx::query(&sql).bind(company.0).bind(id).bind(old).bind(new)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Starts setup: stores a new secret, not yet enabled. Refused once enabled, so a
    /// stolen session cannot silently swap the secret.
    pub async fn begin_two_factor_setup(
        &mut self,
        company: CompanyId,
        owner: SessionOwner,
        secret: &str,
    ) -> Result<bool, StoreError> {
        let (table, _, id) = owner_table(owner);
        let sql = format!(
            "UPDATE {table} SET totp_secret = $3, totp_last_step = NULL \
             WHERE company_id = $1 AND id = $2 AND totp_enabled = $4"
        );
        let n = on_tx!(self, c => sqlx::query(&sql).bind(company.0).bind(id).bind(secret).bind(false)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Accepts TOTP time step `step` for `owner` unless it (or a later one) was already
    /// used: the compare-and-set makes a code single-use even under concurrent requests.
    pub async fn accept_totp_step(
        &mut self,
        company: CompanyId,
        owner: SessionOwner,
        step: i64,
    ) -> Result<bool, StoreError> {
        let (table, _, id) = owner_table(owner);
        let sql = format!(
            "UPDATE {table} SET totp_last_step = $3 WHERE company_id = $1 AND id = $2 \
             AND (totp_last_step IS NULL OR totp_last_step < $3)"
        );
        let n = on_tx!(self, c => sqlx::query(&sql).bind(company.0).bind(id).bind(step)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Turns two-factor sign-in on and replaces the recovery codes with `code_hashes`.
    pub async fn enable_two_factor(
        &mut self,
        company: CompanyId,
        owner: SessionOwner,
        code_hashes: &[String],
    ) -> Result<(), StoreError> {
        let (table, _, id) = owner_table(owner);
        let sql = format!(
            "UPDATE {table} SET totp_enabled = $3 WHERE company_id = $1 AND id = $2 \
             AND totp_secret IS NOT NULL"
        );
        let n = on_tx!(self, c => sqlx::query(&sql).bind(company.0).bind(id).bind(true)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.replace_recovery_codes(company, owner, code_hashes)
            .await
    }

    /// Turns two-factor sign-in off: forgets the secret and every recovery code.
    pub async fn disable_two_factor(
        &mut self,
        company: CompanyId,
        owner: SessionOwner,
    ) -> Result<(), StoreError> {
        let (table, _, id) = owner_table(owner);
        let sql = format!(
            "UPDATE {table} SET totp_enabled = $3, totp_secret = NULL, totp_last_step = NULL \
             WHERE company_id = $1 AND id = $2"
        );
        on_tx!(self, c => sqlx::query(&sql).bind(company.0).bind(id).bind(false)
            .execute(&mut *c).await.map(|_| ()))?;
        self.replace_recovery_codes(company, owner, &[]).await
    }

    /// Replaces every recovery code of `owner` with `code_hashes`.
    pub async fn replace_recovery_codes(
        &mut self,
        company: CompanyId,
        owner: SessionOwner,
        code_hashes: &[String],
    ) -> Result<(), StoreError> {
        let (_, column, id) = owner_table(owner);
        let sql = format!("DELETE FROM recovery_codes WHERE company_id = $1 AND {column} = $2");
        on_tx!(self, c => sqlx::query(&sql).bind(company.0).bind(id)
            .execute(&mut *c).await.map(|_| ()))?;
        let at = now();
        for hash in code_hashes {
            self.insert_row(
                "recovery_codes",
                company.0,
                &[
                    (column, crate::insert::Val::Int(Some(id))),
                    ("code_hash", hash.into()),
                    ("created_at", at.into()),
                ],
                false,
            )
            .await?;
        }
        Ok(())
    }

    /// Uses up the recovery code with `code_hash` of `owner`; false if there is no such
    /// unused code.
    pub async fn use_recovery_code(
        &mut self,
        company: CompanyId,
        owner: SessionOwner,
        code_hash: &str,
    ) -> Result<bool, StoreError> {
        let (_, column, id) = owner_table(owner);
        let sql = format!(
            "UPDATE recovery_codes SET used_at = $4 WHERE company_id = $1 AND {column} = $2 \
             AND code_hash = $3 AND used_at IS NULL"
        );
        let n = on_tx!(self, c => sqlx::query(&sql).bind(company.0).bind(id).bind(code_hash)
            .bind(db_time(now())).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
