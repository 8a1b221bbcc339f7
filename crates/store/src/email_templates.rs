//! A company's own wording of its emails; kinds it never edited use the defaults that
//! the mail crate ships.

use doorstep_core::ids::CompanyId;

use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

impl Store {
    /// The company's saved subject and text body for `kind`, if it edited that email.
    pub async fn email_template(
        &self,
        company: CompanyId,
        kind: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let row: Option<(String, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT subject, body_text FROM email_templates WHERE company_id = $1 AND kind = $2")
            .bind(company.0).bind(kind).fetch_optional(p).await)?;
        Ok(row)
    }
}

impl Tx {
    /// Like [`Store::email_template`], read inside this transaction.
    pub async fn email_template(
        &mut self,
        company: CompanyId,
        kind: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let row: Option<(String, String)> = on_tx!(self, c => sqlx::query_as(
            "SELECT subject, body_text FROM email_templates WHERE company_id = $1 AND kind = $2")
            .bind(company.0).bind(kind).fetch_optional(&mut *c).await)?;
        Ok(row)
    }

    /// Saves the company's subject and text body for `kind`, replacing any earlier version.
    pub async fn save_email_template(
        &mut self,
        company: CompanyId,
        kind: &str,
        subject: &str,
        body_text: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "INSERT INTO email_templates (company_id, kind, subject, body_text, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (company_id, kind) \
             DO UPDATE SET subject = excluded.subject, body_text = excluded.body_text, \
             updated_at = excluded.updated_at")
            .bind(company.0).bind(kind).bind(subject).bind(body_text).bind(db_time(now()))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Forgets the company's wording of `kind`, so the shipped default is used again.
    pub async fn delete_email_template(
        &mut self,
        company: CompanyId,
        kind: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query("DELETE FROM email_templates WHERE company_id = $1 AND kind = $2")
            .bind(company.0).bind(kind).execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }
}
