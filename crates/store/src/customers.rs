//! Customer accounts and their sites.

use doorstep_core::ids::{CompanyId, CustomerId, SiteId};

use crate::insert::Val;
use crate::{StoreError, Tx, now};

/// What it takes to create a customer account.
#[derive(Debug, Clone, Default)]
pub struct NewCustomer {
    /// The company's number for the account (unique per company).
    pub number: String,
    /// Household or business name.
    pub name: String,
    /// `residential` or `commercial`.
    pub kind: String,
    /// The parent account of a sub-customer.
    pub parent: Option<CustomerId>,
    /// Account email.
    pub email: String,
    /// Account phone.
    pub phone: String,
    /// Billing street address.
    pub billing_line1: String,
    /// Billing city.
    pub billing_city: String,
    /// Billing state or region.
    pub billing_region: String,
    /// Billing postal code.
    pub billing_postal_code: String,
    /// Credit on account, minor units.
    pub credit_minor: i64,
    /// A prospect created by self sign-up, flagged for the office.
    pub is_prospect: bool,
}

/// What it takes to add a site (an address) to a customer.
#[derive(Debug, Clone, Default)]
pub struct NewSite {
    /// The owning customer.
    pub customer: Option<CustomerId>,
    /// A name people recognise ("Home", "Warehouse 2").
    pub name: String,
    /// `service` or `pickup`.
    pub kind: String,
    /// Street address.
    pub line1: String,
    /// City.
    pub city: String,
    /// State or region.
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// Gate codes, dogs, parking.
    pub access_notes: String,
}

impl Tx {
    /// Creates a customer account.
    pub async fn insert_customer(
        &mut self,
        company: CompanyId,
        c: &NewCustomer,
    ) -> Result<CustomerId, StoreError> {
        let at = now();
        let kind = if c.kind.is_empty() {
            "residential"
        } else {
            c.kind.as_str()
        };
        self.insert_row(
            "customers",
            company.0,
            &[
                ("number", (&c.number).into()),
                ("name", (&c.name).into()),
                ("kind", kind.into()),
                ("parent_customer_id", Val::Int(c.parent.map(|p| p.0))),
                ("email", (&c.email).into()),
                ("phone", (&c.phone).into()),
                ("billing_line1", (&c.billing_line1).into()),
                ("billing_city", (&c.billing_city).into()),
                ("billing_region", (&c.billing_region).into()),
                ("billing_postal_code", (&c.billing_postal_code).into()),
                ("credit_minor", c.credit_minor.into()),
                ("is_prospect", c.is_prospect.into()),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
        .map(CustomerId)
    }

    /// Adds a site to a customer.
    pub async fn insert_site(
        &mut self,
        company: CompanyId,
        s: &NewSite,
    ) -> Result<SiteId, StoreError> {
        let at = now();
        let kind = if s.kind.is_empty() {
            "service"
        } else {
            s.kind.as_str()
        };
        self.insert_row(
            "sites",
            company.0,
            &[
                ("customer_id", Val::Int(s.customer.map(|c| c.0))),
                ("name", (&s.name).into()),
                ("kind", kind.into()),
                ("line1", (&s.line1).into()),
                ("city", (&s.city).into()),
                ("region", (&s.region).into()),
                ("postal_code", (&s.postal_code).into()),
                ("access_notes", (&s.access_notes).into()),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
        .map(SiteId)
    }
}

/// A customer account as its contacts see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerSummary {
    /// Id.
    pub id: i64,
    /// The company's number for it.
    pub number: String,
    /// Name.
    pub name: String,
    /// Account email.
    pub email: String,
    /// Account phone.
    pub phone: String,
    /// Billing street.
    pub billing_line1: String,
    /// Billing city.
    pub billing_city: String,
    /// Billing region.
    pub billing_region: String,
    /// Billing postal code.
    pub billing_postal_code: String,
    /// Credit on account, minor units.
    pub credit_minor: i64,
}

/// A site as listed to people.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SiteSummary {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `service` or `pickup`.
    pub kind: String,
    /// Street.
    pub line1: String,
    /// City.
    pub city: String,
    /// Region.
    pub region: String,
    /// Postal code.
    pub postal_code: String,
}

impl crate::Store {
    /// One customer account of `company`.
    pub async fn customer_summary(
        &self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Option<CustomerSummary>, StoreError> {
        let row = crate::on_pool!(self, p => sqlx::query_as(
            "SELECT id, number, name, email, phone, billing_line1, billing_city, billing_region, \
             billing_postal_code, credit_minor FROM customers WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(customer.0).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The active sites of an account; `only` restricts to the given ids (site contacts).
    pub async fn sites_of_customer(
        &self,
        company: CompanyId,
        customer: CustomerId,
        only: Option<&[SiteId]>,
    ) -> Result<Vec<SiteSummary>, StoreError> {
        let rows: Vec<SiteSummary> = crate::on_pool!(self, p => sqlx::query_as(
            "SELECT id, name, kind, line1, city, region, postal_code FROM sites \
             WHERE company_id = $1 AND customer_id = $2 AND active = TRUE ORDER BY name, id")
            .bind(company.0).bind(customer.0).fetch_all(p).await)?;
        Ok(match only {
            Some(ids) => rows
                .into_iter()
                .filter(|s| ids.contains(&SiteId(s.id)))
                .collect(),
            None => rows,
        })
    }
}

/// A row of the office's customer list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerListRow {
    /// Id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Created by self sign-up, awaiting the office's look.
    pub is_prospect: bool,
}

impl crate::Store {
    /// A page of the company's customers by name, after the (name, id) keyset cursor;
    /// `search` matches name, number or email, ignoring case.
    pub async fn customers_page(
        &self,
        company: CompanyId,
        search: Option<&str>,
        after: Option<(&str, i64)>,
        limit: i64,
    ) -> Result<Vec<CustomerListRow>, StoreError> {
        let pattern = search
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
            .map(|s| {
                format!(
                    "%{}%",
                    s.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            });
        let (after_name, after_id) = after.unwrap_or(("", 0));
        let rows = crate::on_pool!(self, p => sqlx::query_as(
            "SELECT id, number, name, email, phone, is_prospect FROM customers \
             WHERE company_id = $1 \
             AND ($2 IS NULL OR lower(name) LIKE $2 ESCAPE '\\' OR lower(number) LIKE $2 ESCAPE '\\' OR lower(email) LIKE $2 ESCAPE '\\') \
             AND ($3 = FALSE OR name > $4 OR (name = $4 AND id > $5)) \
             ORDER BY name, id LIMIT $6")
            .bind(company.0).bind(pattern).bind(after.is_some()).bind(after_name).bind(after_id).bind(limit)
            .fetch_all(p).await)?;
        Ok(rows)
    }

    /// The customer of `company` with `number`.
    pub async fn customer_by_number(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<CustomerSummary>, StoreError> {
        let row = crate::on_pool!(self, p => sqlx::query_as(
            "SELECT id, number, name, email, phone, billing_line1, billing_city, billing_region, \
             billing_postal_code, credit_minor FROM customers WHERE company_id = $1 AND number = $2")
            .bind(company.0).bind(number).fetch_optional(p).await)?;
        Ok(row)
    }
}
