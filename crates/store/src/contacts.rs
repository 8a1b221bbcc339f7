//! Contacts on customer accounts, the portal logins they sign in with, and their sites.

use doorstep_core::ids::{CompanyId, ContactId, CustomerId, LoginId, SiteId};
use doorstep_core::status::ContactRole;

use crate::insert::Val;
use crate::{Store, StoreError, Tx, now, on_pool};

/// What it takes to add a contact to a customer account.
#[derive(Debug, Clone)]
pub struct NewContact {
    /// The account.
    pub customer: CustomerId,
    /// The portal login, when access is enabled.
    pub login: Option<LoginId>,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email; portal access needs one.
    pub email: Option<String>,
    /// Phone.
    pub phone: String,
    /// Company or site contact.
    pub role: ContactRole,
    /// The account's primary contact.
    pub is_primary: bool,
    /// Receives invoices.
    pub is_billing: bool,
    /// May sign in to the portal.
    pub portal_enabled: bool,
}

/// One customer account a login may act for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountAccess {
    /// The account.
    pub customer: CustomerId,
    /// The account's name.
    pub customer_name: String,
    /// The contact record through which the login reaches it.
    pub contact: ContactId,
    /// That contact's role.
    pub role: ContactRole,
}

#[derive(sqlx::FromRow)]
struct AccessRow {
    customer_id: i64,
    customer_name: String,
    contact_id: i64,
    role: String,
}

impl Store {
    /// The accounts a login may act for in `company`, by name: one per enabled contact.
    pub async fn accounts_of_login(
        &self,
        company: CompanyId,
        login: LoginId,
    ) -> Result<Vec<AccountAccess>, StoreError> {
        let rows: Vec<AccessRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT cu.id AS customer_id, cu.name AS customer_name, co.id AS contact_id, co.role \
             FROM contacts co JOIN customers cu ON cu.id = co.customer_id AND cu.company_id = co.company_id \
             WHERE co.company_id = $1 AND co.login_id = $2 AND co.portal_enabled = TRUE \
             ORDER BY cu.name, cu.id")
            .bind(company.0).bind(login.0).fetch_all(p).await)?;
        rows.into_iter()
            .map(|r| {
                Ok(AccountAccess {
                    customer: CustomerId(r.customer_id),
                    customer_name: r.customer_name,
                    contact: ContactId(r.contact_id),
                    role: ContactRole::parse(&r.role)
                        .map_err(|e| StoreError::Unsupported(e.to_string()))?,
                })
            })
            .collect()
    }

    /// The login of `email` at `company`, if there is one.
    pub async fn login_by_email(
        &self,
        company: CompanyId,
        email: &str,
    ) -> Result<Option<LoginId>, StoreError> {
        let id: Option<i64> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM portal_logins WHERE company_id = $1 AND email = $2")
            .bind(company.0).bind(email).fetch_optional(p).await)?;
        Ok(id.map(LoginId))
    }

    /// The sites a contact is tied to.
    pub async fn sites_of_contact(
        &self,
        company: CompanyId,
        contact: ContactId,
    ) -> Result<Vec<SiteId>, StoreError> {
        let ids: Vec<i64> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT site_id FROM contact_sites WHERE company_id = $1 AND contact_id = $2 ORDER BY site_id")
            .bind(company.0).bind(contact.0).fetch_all(p).await)?;
        Ok(ids.into_iter().map(SiteId).collect())
    }
}

impl Tx {
    /// Creates a portal login for `email` (lower-case) at `company`.
    pub async fn insert_login(
        &mut self,
        company: CompanyId,
        email: &str,
        password_hash: Option<&str>,
    ) -> Result<LoginId, StoreError> {
        let at = now();
        self.insert_row(
            "portal_logins",
            company.0,
            &[
                ("email", email.into()),
                ("password_hash", Val::Text(password_hash.map(str::to_owned))),
                ("email_verified_at", Some(at).into()),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
        .map(LoginId)
    }

    /// Adds a contact to a customer account.
    pub async fn insert_contact(
        &mut self,
        company: CompanyId,
        c: &NewContact,
    ) -> Result<ContactId, StoreError> {
        let at = now();
        self.insert_row(
            "contacts",
            company.0,
            &[
                ("customer_id", c.customer.0.into()),
                ("login_id", Val::Int(c.login.map(|l| l.0))),
                ("first_name", (&c.first_name).into()),
                ("last_name", (&c.last_name).into()),
                ("email", (&c.email).into()),
                ("phone", (&c.phone).into()),
                ("role", c.role.as_str().into()),
                ("is_primary", c.is_primary.into()),
                ("is_billing", c.is_billing.into()),
                ("portal_enabled", c.portal_enabled.into()),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
        .map(ContactId)
    }

    /// Ties a contact to one of its account's sites.
    pub async fn add_contact_site(
        &mut self,
        company: CompanyId,
        contact: ContactId,
        site: SiteId,
    ) -> Result<(), StoreError> {
        self.insert_row(
            "contact_sites",
            company.0,
            &[("contact_id", contact.0.into()), ("site_id", site.0.into())],
            false,
        )
        .await
        .map(|_| ())
    }
}
