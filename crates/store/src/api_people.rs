//! The JSON API's people and places (issue 20, api-people): a company's contacts with the
//! state of their portal access, and its sites, by change time, optionally of one
//! customer, keyset on `(updated_at, id)` over the indexes of migration 0040; one of each;
//! the contact an external reference names; and a contact's sites.

use doorstep_core::ids::{CompanyId, ContactId, CustomerId, SiteId};
use time::OffsetDateTime;

use crate::insert::{Sql, bind_vals};
use crate::{Store, StoreError, Tx, on_pool, on_tx};

/// A contact as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiContact {
    /// Id.
    pub id: i64,
    /// The account's id.
    pub customer_id: i64,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email, if any.
    pub email: Option<String>,
    /// Phone.
    pub phone: String,
    /// `company` or `site`.
    pub role: String,
    /// Receives invoices.
    pub is_billing: bool,
    /// Id in another system.
    pub external_ref: Option<String>,
    /// Not deactivated.
    pub active: bool,
    /// Portal access enabled by the office.
    pub portal_enabled: bool,
    /// Whether the contact has a portal login.
    pub has_login: bool,
    /// The login has a password (the invitation was accepted).
    pub has_password: bool,
    /// The login is locked.
    pub locked: bool,
    /// The login's last sign-in.
    pub last_sign_in_at: Option<OffsetDateTime>,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

const CONTACT_COLUMNS: &str = "SELECT co.id, co.customer_id, co.first_name, co.last_name, \
    co.email, co.phone, co.role, co.is_billing, co.external_ref, \
    (co.deactivated_at IS NULL) AS active, co.portal_enabled, (l.id IS NOT NULL) AS has_login, \
    (l.password_hash IS NOT NULL) AS has_password, (l.locked_at IS NOT NULL) AS locked, \
    l.last_sign_in_at, co.created_at, co.updated_at \
    FROM contacts co LEFT JOIN portal_logins l ON l.company_id = co.company_id AND l.id = co.login_id \
    WHERE co.company_id = ";

/// A site as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiSite {
    /// Id.
    pub id: i64,
    /// The account's id.
    pub customer_id: i64,
    /// Name.
    pub name: String,
    /// Street.
    pub line1: String,
    /// Street, second line.
    pub line2: String,
    /// City.
    pub city: String,
    /// State or region.
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// Gate codes, dogs, parking.
    pub access_notes: String,
    /// Not deactivated.
    pub active: bool,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

const SITE_COLUMNS: &str = "SELECT s.id, s.customer_id, s.name, s.line1, s.line2, s.city, \
    s.region, s.postal_code, s.access_notes, s.active, s.created_at, s.updated_at \
    FROM sites s WHERE s.company_id = ";

/// What an API list of contacts or sites is narrowed to.
#[derive(Debug, Clone, Copy, Default)]
pub struct PeopleFilter {
    /// Only this account's.
    pub customer: Option<CustomerId>,
    /// Changed at or after this.
    pub since: Option<OffsetDateTime>,
    /// After this `(updated_at, id)`.
    pub after: Option<(OffsetDateTime, i64)>,
}

/// `filter` and the order over the table aliased `t`, then `limit`.
fn narrow(sql: &mut Sql, t: &str, filter: &PeopleFilter, limit: i64) {
    sql.and_eq(&format!("{t}.customer_id"), filter.customer.map(|c| c.0))
        .keyset_page(
            (&format!("{t}."), "updated_at"),
            filter.since,
            filter.after,
            limit,
        );
}

impl Store {
    /// A page of the company's contacts by change time, `limit` rows.
    pub async fn api_contacts(
        &self,
        company: CompanyId,
        filter: &PeopleFilter,
        limit: i64,
    ) -> Result<Vec<ApiContact>, StoreError> {
        let mut sql = Sql::default();
        sql.push(CONTACT_COLUMNS).val(company.0);
        narrow(&mut sql, "co", filter, limit);
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Contact `id` of the company.
    pub async fn api_contact(
        &self,
        company: CompanyId,
        id: ContactId,
    ) -> Result<Option<ApiContact>, StoreError> {
        let sql = format!("{CONTACT_COLUMNS}$1 AND co.id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The sites each of `contacts` (of the company) is tied to: `(contact, site)` pairs.
    pub async fn api_contact_sites(
        &self,
        company: CompanyId,
        contacts: &[i64],
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        if contacts.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::default();
        sql.push("SELECT contact_id, site_id FROM contact_sites WHERE company_id = ")
            .val(company.0)
            .push(" AND contact_id IN ")
            .list(contacts.iter().copied())
            .push(" ORDER BY contact_id, site_id");
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The company's contact whose external reference is `reference`.
    pub async fn contact_by_external_ref(
        &self,
        company: CompanyId,
        reference: &str,
    ) -> Result<Option<ContactId>, StoreError> {
        let id: Option<i64> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM contacts WHERE company_id = $1 AND external_ref = $2")
            .bind(company.0).bind(reference).fetch_optional(p).await)?;
        Ok(id.map(ContactId))
    }

    /// A page of the company's sites by change time, `limit` rows.
    pub async fn api_sites(
        &self,
        company: CompanyId,
        filter: &PeopleFilter,
        limit: i64,
    ) -> Result<Vec<ApiSite>, StoreError> {
        let mut sql = Sql::default();
        sql.push(SITE_COLUMNS).val(company.0);
        narrow(&mut sql, "s", filter, limit);
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Site `id` of the company.
    pub async fn api_site(
        &self,
        company: CompanyId,
        id: SiteId,
    ) -> Result<Option<ApiSite>, StoreError> {
        let sql = format!("{SITE_COLUMNS}$1 AND s.id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(p).await)?;
        Ok(row)
    }
}

impl Tx {
    /// The contact (other than `except`) whose external reference is `reference`, if any,
    /// read in this transaction.
    pub async fn contact_with_external_ref(
        &mut self,
        company: CompanyId,
        reference: &str,
        except: Option<ContactId>,
    ) -> Result<Option<ContactId>, StoreError> {
        let id: Option<i64> = on_tx!(self, x => sqlx::query_scalar(
            "SELECT id FROM contacts WHERE company_id = $1 AND external_ref = $2 AND id <> $3")
            .bind(company.0).bind(reference).bind(except.map_or(0, |c| c.0))
            .fetch_optional(&mut *x).await)?;
        Ok(id.map(ContactId))
    }
}
