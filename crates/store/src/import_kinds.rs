//! What the CSV imports of contacts and sites read and write (issue 18), and the
//! keyset-paged reads the CSV exports of customers, contacts and sites stream.

use std::collections::HashMap;

use doorstep_core::ids::{CompanyId, ContactId, CustomerId, SiteId};

use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// A customer as its export row writes it (the customers import's columns).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CustomerExport {
    /// Id (the page's key).
    pub id: i64,
    /// Name.
    pub name: String,
    /// `residential` or `commercial`.
    pub kind: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Second phone.
    pub mobile_phone: String,
    /// Billing street.
    pub billing_line1: String,
    /// Billing street, second line.
    pub billing_line2: String,
    /// City.
    pub billing_city: String,
    /// Region.
    pub billing_region: String,
    /// Postal code.
    pub billing_postal_code: String,
    /// The id in the other system, or the customer's number when it has none.
    pub external_ref: String,
    /// Office notes.
    pub notes: String,
    /// Tax exempt.
    pub tax_exempt: bool,
    /// Payment terms, when the customer has its own.
    pub payment_terms_days: Option<i64>,
}

/// A contact as its export row writes it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ContactExport {
    /// Id (the page's key).
    pub id: i64,
    /// Its customer's external reference, or its number when it has none.
    pub customer: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: String,
    /// `company` or `site`.
    pub role: String,
    /// Receives invoices.
    pub is_billing: bool,
}

/// A site as its export row writes it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SiteExport {
    /// Id (the page's key).
    pub id: i64,
    /// Its customer's external reference, or its number when it has none.
    pub customer: String,
    /// Name.
    pub name: String,
    /// Street.
    pub line1: String,
    /// Street, second line.
    pub line2: String,
    /// City.
    pub city: String,
    /// Region.
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// Access notes.
    pub access_notes: String,
    /// The id in the other system.
    pub external_ref: Option<String>,
}

/// The key a contact is found by on re-import: its customer and its email (lower-case),
/// or its name when it has no email.
pub fn contact_key(customer: CustomerId, email: Option<&str>, first: &str, last: &str) -> String {
    match email {
        Some(e) => format!("{}|email|{}", customer.0, e.to_lowercase()),
        None => format!(
            "{}|name|{}|{}",
            customer.0,
            first.to_lowercase(),
            last.to_lowercase()
        ),
    }
}

impl Store {
    /// Up to `limit` of the company's active customers after id `after`, by id.
    pub async fn export_customers(
        &self,
        company: CompanyId,
        after: i64,
        limit: i64,
    ) -> Result<Vec<CustomerExport>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT id, name, kind, email, phone, mobile_phone, billing_line1, billing_line2, \
             billing_city, billing_region, billing_postal_code, \
             COALESCE(external_ref, number) AS external_ref, notes, tax_exempt, \
             payment_terms_days FROM customers WHERE company_id = $1 AND id > $2 \
             AND deactivated_at IS NULL ORDER BY id LIMIT $3")
            .bind(company.0).bind(after).bind(limit).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Up to `limit` of the company's active contacts after id `after`, by id.
    pub async fn export_contacts(
        &self,
        company: CompanyId,
        after: i64,
        limit: i64,
    ) -> Result<Vec<ContactExport>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT k.id, COALESCE(c.external_ref, c.number) AS customer, k.first_name, \
             k.last_name, k.email, k.phone, k.role, k.is_billing FROM contacts k \
             JOIN customers c ON c.company_id = k.company_id AND c.id = k.customer_id \
             WHERE k.company_id = $1 AND k.id > $2 AND k.deactivated_at IS NULL \
             ORDER BY k.id LIMIT $3")
            .bind(company.0).bind(after).bind(limit).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Up to `limit` of the company's active sites after id `after`, by id.
    pub async fn export_sites(
        &self,
        company: CompanyId,
        after: i64,
        limit: i64,
    ) -> Result<Vec<SiteExport>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT s.id, COALESCE(c.external_ref, c.number) AS customer, s.name, s.line1, \
             s.line2, s.city, s.region, s.postal_code, s.access_notes, s.external_ref \
             FROM sites s JOIN customers c ON c.company_id = s.company_id AND c.id = s.customer_id \
             WHERE s.company_id = $1 AND s.id > $2 AND s.active = $4 \
             ORDER BY s.id LIMIT $3")
            .bind(company.0).bind(after).bind(limit).bind(true).fetch_all(p).await)?;
        Ok(rows)
    }
}

impl Tx {
    /// The company's active customers by external reference and by number (what a
    /// contacts or sites file names its customer by).
    pub async fn customer_keys(
        &mut self,
        company: CompanyId,
    ) -> Result<HashMap<String, CustomerId>, StoreError> {
        let rows: Vec<(i64, String, Option<String>)> = on_tx!(self, x => sqlx::query_as(
            "SELECT id, number, external_ref FROM customers \
             WHERE company_id = $1 AND deactivated_at IS NULL")
            .bind(company.0).fetch_all(&mut *x).await)?;
        let mut keys = HashMap::with_capacity(rows.len() * 2);
        for (id, number, reference) in rows {
            keys.insert(number, CustomerId(id));
            if let Some(r) = reference {
                keys.insert(r, CustomerId(id));
            }
        }
        Ok(keys)
    }

    /// The company's active contacts by [`contact_key`].
    pub async fn contact_keys(
        &mut self,
        company: CompanyId,
    ) -> Result<HashMap<String, ContactId>, StoreError> {
        let rows: Vec<(i64, i64, Option<String>, String, String)> = on_tx!(self, x => sqlx::query_as(
            "SELECT id, customer_id, email, first_name, last_name FROM contacts \
             WHERE company_id = $1 AND deactivated_at IS NULL")
            .bind(company.0).fetch_all(&mut *x).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, customer, email, first, last)| {
                let key = contact_key(CustomerId(customer), email.as_deref(), &first, &last);
                (key, ContactId(id))
            })
            .collect())
    }

    /// The company's sites by external reference, with their customer.
    pub async fn site_refs(
        &mut self,
        company: CompanyId,
    ) -> Result<HashMap<String, (SiteId, CustomerId)>, StoreError> {
        let rows: Vec<(String, i64, i64)> = on_tx!(self, x => sqlx::query_as(
            "SELECT external_ref, id, customer_id FROM sites \
             WHERE company_id = $1 AND external_ref IS NOT NULL")
            .bind(company.0).fetch_all(&mut *x).await)?;
        Ok(rows
            .into_iter()
            .map(|(r, id, customer)| (r, (SiteId(id), CustomerId(customer))))
            .collect())
    }

    /// The company's active sites without an external reference: id, customer, name.
    pub async fn unreferenced_sites(
        &mut self,
        company: CompanyId,
    ) -> Result<Vec<(SiteId, CustomerId, String)>, StoreError> {
        let rows: Vec<(i64, i64, String)> = on_tx!(self, x => sqlx::query_as(
            "SELECT id, customer_id, name FROM sites \
             WHERE company_id = $1 AND external_ref IS NULL AND active = $2")
            .bind(company.0).bind(true).fetch_all(&mut *x).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, customer, name)| (SiteId(id), CustomerId(customer), name))
            .collect())
    }

    /// Gives site `id` external reference `reference`.
    pub async fn set_site_external_ref(
        &mut self,
        company: CompanyId,
        id: SiteId,
        reference: Option<&str>,
    ) -> Result<(), StoreError> {
        on_tx!(self, x => sqlx::query(
            "UPDATE sites SET external_ref = $3, updated_at = $4 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).bind(reference).bind(db_time(now()))
            .execute(&mut *x).await.map(|_| ()))?;
        Ok(())
    }
}
