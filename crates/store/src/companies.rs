//! Companies (tenants) and their custom domains.

use doorstep_core::ids::CompanyId;
use doorstep_core::local_time::Zone;
use doorstep_core::settings::PortalSettings;

use crate::{Store, StoreError, StoreError as E, Tx, db_time, now, on_pool, on_tx};

/// A company as the web layer needs it to brand and configure its portal.
#[derive(Debug, Clone)]
pub struct Company {
    /// The tenant's id.
    pub id: CompanyId,
    /// Its sub-domain.
    pub slug: String,
    /// Its name as customers know it.
    pub name: String,
    /// Public contact email.
    pub email: String,
    /// Public phone.
    pub phone: String,
    /// Address lines, empty where unknown.
    pub address_line1: String,
    /// Second address line.
    pub address_line2: String,
    /// City.
    pub city: String,
    /// State or region.
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// Website.
    pub website: String,
    /// ISO 4217 code amounts are in.
    pub currency: String,
    /// The brand's main colour, `#rrggbb`.
    pub brand_primary: String,
    /// The brand's accent colour, `#rrggbb`.
    pub brand_accent: String,
    /// Storage key of the logo, if one was uploaded.
    pub logo_key: Option<String>,
    /// The text colour drawn on the brand colour, `#rrggbb`; empty: chosen for contrast.
    pub brand_text: String,
    /// An administrator dismissed the office home's setup checklist.
    pub onboarding_dismissed: bool,
    /// The portal settings.
    pub settings: PortalSettings,
    /// Its time zone: every date and time it shows, emails or prints, and its "today".
    pub time_zone: Zone,
}

#[derive(sqlx::FromRow)]
struct CompanyRow {
    id: i64,
    slug: String,
    name: String,
    email: String,
    phone: String,
    address_line1: String,
    address_line2: String,
    city: String,
    region: String,
    postal_code: String,
    website: String,
    currency: String,
    brand_primary: String,
    brand_accent: String,
    logo_key: Option<String>,
    brand_text: String,
    onboarding_dismissed: bool,
    settings: String,
    timezone: String,
}

impl From<CompanyRow> for Company {
    fn from(r: CompanyRow) -> Self {
        // A settings document that fails to parse falls back to defaults rather than
        // taking the whole portal down; the office can save settings again.
        let settings = serde_json::from_str(&r.settings).unwrap_or_else(|err| {
            tracing::warn!(company = r.id, %err, "unreadable portal settings; using defaults");
            PortalSettings::default()
        });
        // A name the bundled database does not know (never written by Doorstep) reads as UTC.
        let time_zone = Zone::parse(&r.timezone).unwrap_or_else(|err| {
            tracing::warn!(company = r.id, %err, "unknown time zone; using UTC");
            Zone::utc()
        });
        Company {
            id: CompanyId(r.id),
            slug: r.slug,
            name: r.name,
            email: r.email,
            phone: r.phone,
            address_line1: r.address_line1,
            address_line2: r.address_line2,
            city: r.city,
            region: r.region,
            postal_code: r.postal_code,
            website: r.website,
            currency: r.currency,
            brand_primary: r.brand_primary,
            brand_accent: r.brand_accent,
            logo_key: r.logo_key,
            brand_text: r.brand_text,
            onboarding_dismissed: r.onboarding_dismissed,
            settings,
            time_zone,
        }
    }
}

const COLUMNS: &str = "id, slug, name, email, phone, address_line1, address_line2, city, region, \
    postal_code, website, currency, brand_primary, brand_accent, logo_key, brand_text, \
    (onboarding_dismissed_at IS NOT NULL) AS onboarding_dismissed, settings, timezone";

/// What it takes to create a company.
#[derive(Debug, Clone, Default)]
pub struct NewCompany {
    /// Checked slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Public contact email.
    pub email: String,
    /// Public phone.
    pub phone: String,
    /// Street address.
    pub address_line1: String,
    /// City.
    pub city: String,
    /// State or region.
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// Country.
    pub country: String,
    /// Website.
    pub website: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Main colour `#rrggbb`.
    pub brand_primary: String,
    /// Accent colour `#rrggbb`.
    pub brand_accent: String,
    /// Where the office wants request emails.
    pub request_email: String,
    /// Portal settings.
    pub settings: PortalSettings,
    /// Time zone (UTC unless chosen).
    pub time_zone: Zone,
}

/// Where the office's notices go: the request address, else the main email.
const OFFICE_NOTICE_ADDRESS: &str = "SELECT CASE WHEN TRIM(request_email) <> '' THEN request_email ELSE email END \
     FROM companies WHERE id = $1";

impl Tx {
    /// [`Store::office_notice_address`] read in this transaction, so a write that queues
    /// the office's email never waits for a second connection while holding one.
    pub async fn office_notice_address(&mut self, company: CompanyId) -> Result<String, E> {
        let row: Option<String> = on_tx!(self, c => sqlx::query_scalar(OFFICE_NOTICE_ADDRESS)
            .bind(company.0).fetch_optional(&mut *c).await)?;
        Ok(row.unwrap_or_default())
    }
}

impl Store {
    /// Where the office's notices about requests, tickets and visits go: the company's
    /// request address, else its main email; empty when it has neither.
    pub async fn office_notice_address(&self, company: CompanyId) -> Result<String, E> {
        let row: Option<String> = on_pool!(self, p => sqlx::query_scalar(OFFICE_NOTICE_ADDRESS)
            .bind(company.0).fetch_optional(p).await)?;
        Ok(row.unwrap_or_default())
    }

    /// The company named by a request's host slug, from the cache when it is fresh.
    pub async fn company_for_slug(&self, slug: &str) -> Result<Option<Company>, E> {
        let key = format!("slug:{slug}");
        if let Some(company) = self.company_cache().get(&key) {
            return Ok(Some(company));
        }
        let found = self.company_by_slug(slug).await?;
        if let Some(company) = &found {
            self.company_cache().put(key, company);
        }
        Ok(found)
    }

    /// The company owning a request's custom domain, from the cache when it is fresh.
    pub async fn company_for_domain(&self, domain: &str) -> Result<Option<Company>, E> {
        let key = format!("domain:{}", domain.to_ascii_lowercase());
        if let Some(company) = self.company_cache().get(&key) {
            return Ok(Some(company));
        }
        let found = self.company_by_domain(domain).await?;
        if let Some(company) = &found {
            self.company_cache().put(key, company);
        }
        Ok(found)
    }

    /// Finds a company by its slug.
    pub async fn company_by_slug(&self, slug: &str) -> Result<Option<Company>, E> {
        let sql = format!("SELECT {COLUMNS} FROM companies WHERE slug = $1");
        let row: Option<CompanyRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(slug).fetch_optional(p).await)?;
        Ok(row.map(Company::from))
    }

    /// Finds the company that registered `domain` as its custom domain.
    pub async fn company_by_domain(&self, domain: &str) -> Result<Option<Company>, E> {
        let sql = format!(
            "SELECT {COLUMNS} FROM companies WHERE id = \
             (SELECT company_id FROM company_domains WHERE domain = $1)"
        );
        let row: Option<CompanyRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(domain.to_ascii_lowercase())
            .fetch_optional(p)
            .await)?;
        Ok(row.map(Company::from))
    }

    /// The companies where `email` has a portal login that is not locked (at most 50,
    /// by name): where the central sign-in page may send it a link.
    pub async fn companies_with_login(&self, email: &str) -> Result<Vec<Company>, E> {
        let sql = format!(
            "SELECT {COLUMNS} FROM companies WHERE id IN \
             (SELECT company_id FROM portal_logins WHERE email = $1 AND locked_at IS NULL) \
             ORDER BY name, id LIMIT 50"
        );
        let rows: Vec<CompanyRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(email.to_lowercase())
            .fetch_all(p)
            .await)?;
        Ok(rows.into_iter().map(Company::from).collect())
    }

    /// Counts the rows a company owns in every tenant table, by table name.
    pub async fn company_row_counts(
        &self,
        company: CompanyId,
    ) -> Result<Vec<(&'static str, i64)>, E> {
        let mut counts = Vec::with_capacity(TENANT_TABLES.len());
        for table in TENANT_TABLES {
            // Table names come from the constant list above, never from input.
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE company_id = $1");
            let n: i64 =
                on_pool!(self, p => sqlx::query_scalar(&sql).bind(company.0).fetch_one(p).await)?;
            counts.push((*table, n));
        }
        Ok(counts)
    }
}

/// Every table that belongs to a company.
pub const TENANT_TABLES: &[&str] = &[
    "company_domains",
    "staff_users",
    "customers",
    "sites",
    "portal_logins",
    "contacts",
    "contact_sites",
    "sessions",
    "auth_tokens",
    "recovery_codes",
    "sign_in_throttle",
    "technicians",
    "job_types",
    "catalogue_items",
    "custom_job_fields",
    "assets",
    "maintenance_schedules",
    "service_agreements",
    "jobs",
    "job_technicians",
    "job_forms",
    "estimates",
    "invoices",
    "line_items",
    "payment_methods",
    "payments",
    "payment_allocations",
    "processor_events",
    "attachments",
    "messages",
    "ratings",
    "availability_windows",
    "service_requests",
    "support_requests",
    "support_comments",
    "notifications",
    "email_templates",
    "email_outbox",
    "webhook_endpoints",
    "webhook_deliveries",
    "api_keys",
    "idempotency_keys",
    "audit_events",
    "import_runs",
    "support_counters",
];

impl Tx {
    /// Creates a company; a taken slug is a [`StoreError::Conflict`].
    pub async fn create_company(&mut self, c: &NewCompany) -> Result<CompanyId, StoreError> {
        let settings = serde_json::to_string(&c.settings)
            .map_err(|e| StoreError::Unsupported(e.to_string()))?;
        let at = db_time(now());
        let id: i64 = on_tx!(self, conn => sqlx::query_scalar(
            "INSERT INTO companies (slug, name, email, phone, address_line1, city, region, postal_code, \
             country, website, currency, brand_primary, brand_accent, request_email, settings, created_at, updated_at, timezone) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17) RETURNING id")
            .bind(&c.slug).bind(&c.name).bind(&c.email).bind(&c.phone).bind(&c.address_line1)
            .bind(&c.city).bind(&c.region).bind(&c.postal_code).bind(&c.country).bind(&c.website)
            .bind(&c.currency).bind(&c.brand_primary).bind(&c.brand_accent).bind(&c.request_email)
            .bind(&settings).bind(at).bind(c.time_zone.name())
            .fetch_one(&mut *conn).await)?;
        Ok(CompanyId(id))
    }

    /// Registers a custom domain for a company, not yet verified; a domain taken by any
    /// company is a conflict.
    pub async fn add_company_domain(
        &mut self,
        company: CompanyId,
        domain: &str,
    ) -> Result<(), StoreError> {
        self.companies_changed();
        on_tx!(self, conn => sqlx::query(
            "INSERT INTO company_domains (company_id, domain, verified_at, created_at) VALUES ($1, $2, NULL, $3)")
            .bind(company.0).bind(domain.to_ascii_lowercase()).bind(db_time(now()))
            .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Sets the storage key of a company's logo.
    pub async fn set_company_logo(
        &mut self,
        company: CompanyId,
        key: &str,
    ) -> Result<(), StoreError> {
        self.companies_changed();
        on_tx!(self, conn => sqlx::query("UPDATE companies SET logo_key = $2, updated_at = $3 WHERE id = $1")
            .bind(company.0).bind(key).bind(db_time(now()))
            .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Saves a company's portal settings.
    pub async fn set_company_settings(
        &mut self,
        company: CompanyId,
        settings: &PortalSettings,
    ) -> Result<(), StoreError> {
        self.companies_changed();
        let json =
            serde_json::to_string(settings).map_err(|e| StoreError::Unsupported(e.to_string()))?;
        on_tx!(self, conn => sqlx::query("UPDATE companies SET settings = $2, updated_at = $3 WHERE id = $1")
            .bind(company.0).bind(json).bind(db_time(now()))
            .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Changes a company's portal settings as `change` says, applied to the document as it
    /// is in the database now (never to a cached copy), with the row locked until the
    /// transaction ends: two administrators changing different switches at the same time
    /// both keep their change. Returns the settings as saved.
    pub async fn change_company_settings(
        &mut self,
        company: CompanyId,
        change: impl FnOnce(&mut PortalSettings),
    ) -> Result<PortalSettings, StoreError> {
        // A no-op write takes the row lock on both engines before the read.
        on_tx!(self, conn => sqlx::query("UPDATE companies SET updated_at = updated_at WHERE id = $1")
            .bind(company.0).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        let json: Option<String> = on_tx!(self, conn => sqlx::query_scalar(
            "SELECT settings FROM companies WHERE id = $1")
            .bind(company.0).fetch_optional(&mut *conn).await)?;
        let json = json.ok_or(StoreError::NotFound)?;
        let mut settings: PortalSettings = serde_json::from_str(&json).unwrap_or_default();
        change(&mut settings);
        self.set_company_settings(company, &settings).await?;
        Ok(settings)
    }

    /// Deletes a company and, by cascade, everything it owns; returns whether it existed.
    pub async fn delete_company(&mut self, slug: &str) -> Result<Option<CompanyId>, StoreError> {
        self.companies_changed();
        let id: Option<i64> = on_tx!(self, conn => sqlx::query_scalar(
            "DELETE FROM companies WHERE slug = $1 RETURNING id")
            .bind(slug).fetch_optional(&mut *conn).await)?;
        Ok(id.map(CompanyId))
    }
}
