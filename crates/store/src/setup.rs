//! Setting a company up (issue 18): its brand colours and logo, what the office home's
//! checklist reads, and the staff session that views the portal as a contact.

use doorstep_core::ids::{CompanyId, ContactId};

use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// What the office home's setup checklist is ticked from: the company's real data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetupFacts {
    /// A phone and a street address are filled in.
    pub details: bool,
    /// A logo was uploaded.
    pub logo: bool,
    /// The time zone is one other than the default (UTC).
    pub time_zone: bool,
    /// At least one tax rate exists.
    pub tax_rate: bool,
    /// Someone besides the first administrator is on the staff (invited or active).
    pub staff: bool,
    /// At least one customer exists.
    pub customers: bool,
    /// The portal switches were saved at least once.
    pub switches: bool,
    /// At least one active contact has portal access.
    pub contact_access: bool,
}

/// `setup_facts`' row: the three flags, then the counts of tax rates, staff, customers,
/// switch saves and contacts with access.
type FactsRow = (bool, bool, bool, i64, i64, i64, i64, i64);

impl Store {
    /// The facts the setup checklist of `company` is ticked from.
    pub async fn setup_facts(&self, company: CompanyId) -> Result<SetupFacts, StoreError> {
        let row: Option<FactsRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT (c.phone <> '' AND c.address_line1 <> ''), (c.logo_key IS NOT NULL), \
             (c.timezone <> 'UTC'), \
             (SELECT COUNT(*) FROM tax_rates t WHERE t.company_id = c.id), \
             (SELECT COUNT(*) FROM staff_users s WHERE s.company_id = c.id), \
             (SELECT COUNT(*) FROM (SELECT 1 FROM customers cu WHERE cu.company_id = c.id LIMIT 1) x), \
             (SELECT COUNT(*) FROM (SELECT 1 FROM audit_events a WHERE a.company_id = c.id \
               AND a.action = 'settings.portal_switches' LIMIT 1) y), \
             (SELECT COUNT(*) FROM (SELECT 1 FROM contacts k WHERE k.company_id = c.id \
               AND k.portal_enabled = TRUE AND k.deactivated_at IS NULL LIMIT 1) z) \
             FROM companies c WHERE c.id = $1")
            .bind(company.0).fetch_optional(p).await)?;
        let (details, logo, time_zone, taxes, staff, customers, switches, access) =
            row.ok_or(StoreError::NotFound)?;
        Ok(SetupFacts {
            details,
            logo,
            time_zone,
            tax_rate: taxes > 0,
            staff: staff > 1,
            customers: customers > 0,
            switches: switches > 0,
            contact_access: access > 0,
        })
    }

    /// The contact a live staff session views the portal as, if it does.
    pub async fn viewing_contact(
        &self,
        company: CompanyId,
        id_hash: &str,
    ) -> Result<Option<ContactId>, StoreError> {
        let id: Option<Option<i64>> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT viewing_contact_id FROM sessions \
             WHERE company_id = $1 AND id = $2 AND staff_user_id IS NOT NULL")
            .bind(company.0).bind(id_hash).fetch_optional(p).await)?;
        Ok(id.flatten().map(ContactId))
    }
}

impl Tx {
    /// The company's name, brand colour and its text colour (as stored; empty text
    /// colour: chosen for contrast), for the header of its emails.
    pub async fn company_brand(
        &mut self,
        company: CompanyId,
    ) -> Result<Option<(String, String, String)>, StoreError> {
        let row: Option<(String, String, String)> = on_tx!(self, c => sqlx::query_as(
            "SELECT name, brand_primary, brand_text FROM companies WHERE id = $1")
            .bind(company.0).fetch_optional(&mut *c).await)?;
        Ok(row)
    }

    /// Sets the brand colour and its text colour; returns the pair as it was.
    pub async fn set_company_brand(
        &mut self,
        company: CompanyId,
        primary: &str,
        text: &str,
    ) -> Result<(String, String), StoreError> {
        self.companies_changed();
        let old: Option<(String, String)> = on_tx!(self, c => sqlx::query_as(
            "SELECT brand_primary, brand_text FROM companies WHERE id = $1")
            .bind(company.0).fetch_optional(&mut *c).await)?;
        let old = old.ok_or(StoreError::NotFound)?;
        on_tx!(self, c => sqlx::query(
            "UPDATE companies SET brand_primary = $2, brand_text = $3, updated_at = $4 WHERE id = $1")
            .bind(company.0).bind(primary).bind(text).bind(db_time(now()))
            .execute(&mut *c).await.map(|_| ()))?;
        Ok(old)
    }

    /// Removes the company's logo; returns the storage key it had, if any.
    pub async fn clear_company_logo(
        &mut self,
        company: CompanyId,
    ) -> Result<Option<String>, StoreError> {
        self.companies_changed();
        let old: Option<Option<String>> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT logo_key FROM companies WHERE id = $1")
            .bind(company.0).fetch_optional(&mut *c).await)?;
        on_tx!(self, c => sqlx::query(
            "UPDATE companies SET logo_key = NULL, updated_at = $2 WHERE id = $1")
            .bind(company.0).bind(db_time(now()))
            .execute(&mut *c).await.map(|_| ()))?;
        Ok(old.flatten())
    }

    /// Hides the office home's setup checklist for good; returns whether it was shown.
    pub async fn dismiss_onboarding(&mut self, company: CompanyId) -> Result<bool, StoreError> {
        self.companies_changed();
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE companies SET onboarding_dismissed_at = $2 \
             WHERE id = $1 AND onboarding_dismissed_at IS NULL")
            .bind(company.0).bind(db_time(now()))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Makes the staff session `id_hash` view the portal as `contact` (or stop, with
    /// `None`); returns the contact it viewed as before.
    pub async fn set_viewing_contact(
        &mut self,
        company: CompanyId,
        id_hash: &str,
        contact: Option<ContactId>,
    ) -> Result<Option<ContactId>, StoreError> {
        let old: Option<Option<i64>> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT viewing_contact_id FROM sessions \
             WHERE company_id = $1 AND id = $2 AND staff_user_id IS NOT NULL")
            .bind(company.0).bind(id_hash).fetch_optional(&mut *c).await)?;
        let old = old.ok_or(StoreError::NotFound)?;
        on_tx!(self, c => sqlx::query(
            "UPDATE sessions SET viewing_contact_id = $3 \
             WHERE company_id = $1 AND id = $2 AND staff_user_id IS NOT NULL")
            .bind(company.0).bind(id_hash).bind(contact.map(|c| c.0))
            .execute(&mut *c).await.map(|_| ()))?;
        Ok(old.map(ContactId))
    }
}
