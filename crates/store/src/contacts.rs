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

    /// The first name a login's emails greet it by: that of its first contact with
    /// portal access that has one ("" when none has).
    pub async fn login_first_name(
        &self,
        company: CompanyId,
        login: LoginId,
    ) -> Result<String, StoreError> {
        let name: Option<String> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT first_name FROM contacts WHERE company_id = $1 AND login_id = $2 \
             AND portal_enabled = TRUE AND first_name <> '' ORDER BY id LIMIT 1")
            .bind(company.0).bind(login.0).fetch_optional(p).await)?;
        Ok(name.unwrap_or_default())
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

    /// Creates a login for `email` that is not yet verified and has no password: the
    /// first step of self sign-up, useless until its emailed link is followed.
    pub async fn insert_unverified_login(
        &mut self,
        company: CompanyId,
        email: &str,
    ) -> Result<LoginId, StoreError> {
        let at = now();
        self.insert_row(
            "portal_logins",
            company.0,
            &[
                ("email", email.into()),
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

    /// Ties a contact to one of its account's sites; a site of another account (or
    /// company) is [`StoreError::NotFound`], so a site contact never reaches past its account.
    pub async fn add_contact_site(
        &mut self,
        company: CompanyId,
        contact: ContactId,
        site: SiteId,
    ) -> Result<(), StoreError> {
        let same_account: i64 = crate::on_tx!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM contacts ct JOIN sites s ON s.customer_id = ct.customer_id \
             AND s.company_id = ct.company_id WHERE ct.company_id = $1 AND ct.id = $2 AND s.id = $3")
            .bind(company.0).bind(contact.0).bind(site.0).fetch_one(&mut *c).await)?;
        if same_account == 0 {
            return Err(StoreError::NotFound);
        }
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

/// A contact with the state of its portal access, for the office.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactAccess {
    /// The contact's id.
    pub id: i64,
    /// Its account.
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
    /// Access enabled by the office.
    pub portal_enabled: bool,
    /// The login, once access was enabled.
    pub login_id: Option<i64>,
    /// The login has a password (the invitation was accepted).
    pub has_password: bool,
    /// The login is locked.
    pub locked: bool,
    /// The login's last sign-in.
    pub last_sign_in_at: Option<time::OffsetDateTime>,
    /// The contact is active (not deactivated by the office).
    pub active: bool,
    /// The contact receives invoices.
    pub is_billing: bool,
}

const ACCESS_SELECT: &str = "SELECT co.id, co.customer_id, co.first_name, co.last_name, co.email, co.phone, co.role, \
    co.portal_enabled, co.login_id, (l.password_hash IS NOT NULL) AS has_password, \
    (l.locked_at IS NOT NULL) AS locked, l.last_sign_in_at, \
    (co.deactivated_at IS NULL) AS active, co.is_billing \
    FROM contacts co LEFT JOIN portal_logins l ON l.id = co.login_id AND l.company_id = co.company_id";

impl Store {
    /// The contacts of an account with their access state, by name.
    pub async fn contacts_of_customer(
        &self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<ContactAccess>, StoreError> {
        let sql = format!(
            "{ACCESS_SELECT} WHERE co.company_id = $1 AND co.customer_id = $2 ORDER BY co.last_name, co.first_name, co.id"
        );
        let rows = on_pool!(self, p => sqlx::query_as(&sql).bind(company.0).bind(customer.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The contacts of an account tied to at least one of `sites`, by name: all a site
    /// contact may see of the account's people.
    pub async fn contacts_of_sites(
        &self,
        company: CompanyId,
        customer: CustomerId,
        sites: &[SiteId],
    ) -> Result<Vec<ContactAccess>, StoreError> {
        let ties: Vec<(i64, i64)> = on_pool!(self, p => sqlx::query_as(
            "SELECT cs.contact_id, cs.site_id FROM contact_sites cs \
             JOIN contacts co ON co.id = cs.contact_id AND co.company_id = cs.company_id \
             WHERE cs.company_id = $1 AND co.customer_id = $2")
            .bind(company.0).bind(customer.0).fetch_all(p).await)?;
        let mut contacts = self.contacts_of_customer(company, customer).await?;
        contacts.retain(|c| {
            ties.iter()
                .any(|(contact, site)| *contact == c.id && sites.contains(&SiteId(*site)))
        });
        Ok(contacts)
    }

    /// One contact of `company` with its access state.
    pub async fn contact_access(
        &self,
        company: CompanyId,
        contact: ContactId,
    ) -> Result<Option<ContactAccess>, StoreError> {
        let sql = format!("{ACCESS_SELECT} WHERE co.company_id = $1 AND co.id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql).bind(company.0).bind(contact.0).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The email of a login.
    pub async fn login_email(
        &self,
        company: CompanyId,
        login: LoginId,
    ) -> Result<Option<String>, StoreError> {
        let email: Option<String> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT email FROM portal_logins WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(login.0).fetch_optional(p).await)?;
        Ok(email)
    }
}

impl Tx {
    /// Enables portal access of a contact: finds or creates the login of its (lower-case)
    /// email — one login per email per company — and links them. Returns the login.
    pub async fn enable_portal_access(
        &mut self,
        company: CompanyId,
        contact: ContactId,
        email: &str,
    ) -> Result<LoginId, StoreError> {
        let existing: Option<i64> = crate::on_tx!(self, c => sqlx::query_scalar(
            "SELECT id FROM portal_logins WHERE company_id = $1 AND email = $2")
            .bind(company.0).bind(email).fetch_optional(&mut *c).await)?;
        let login = match existing {
            Some(id) => LoginId(id),
            None => {
                let at = now();
                LoginId(
                    self.insert_row(
                        "portal_logins",
                        company.0,
                        &[
                            ("email", email.into()),
                            ("created_at", at.into()),
                            ("updated_at", at.into()),
                        ],
                        true,
                    )
                    .await?,
                )
            }
        };
        let n = crate::on_tx!(self, c => sqlx::query(
            "UPDATE contacts SET login_id = $3, portal_enabled = TRUE, updated_at = $4 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(contact.0).bind(login.0).bind(crate::db_time(now()))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(login)
    }

    /// Whether `login` has a password (it was used before), read in this transaction.
    pub async fn login_has_password(
        &mut self,
        company: CompanyId,
        login: LoginId,
    ) -> Result<bool, StoreError> {
        let has: Option<bool> = crate::on_tx!(self, c => sqlx::query_scalar(
            "SELECT (password_hash IS NOT NULL) FROM portal_logins WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(login.0).fetch_optional(&mut *c).await)?;
        Ok(has.unwrap_or(false))
    }

    /// The login with `email`, if any, and whether it already opens an account (a
    /// contact with portal access), read in this transaction: sign-up decides between a
    /// sign-in link and a verification link without a second connection.
    pub async fn login_by_email_with_account(
        &mut self,
        company: CompanyId,
        email: &str,
    ) -> Result<Option<(LoginId, bool)>, StoreError> {
        let row: Option<(i64, bool)> = crate::on_tx!(self, c => sqlx::query_as(
            "SELECT l.id, EXISTS (SELECT 1 FROM contacts co WHERE co.company_id = l.company_id \
             AND co.login_id = l.id AND co.portal_enabled = TRUE) \
             FROM portal_logins l WHERE l.company_id = $1 AND l.email = $2")
            .bind(company.0).bind(email).fetch_optional(&mut *c).await)?;
        Ok(row.map(|(id, has)| (LoginId(id), has)))
    }

    /// Disables a contact's portal access; its login keeps any other accounts.
    pub async fn disable_portal_access(
        &mut self,
        company: CompanyId,
        contact: ContactId,
    ) -> Result<(), StoreError> {
        let n = crate::on_tx!(self, c => sqlx::query(
            "UPDATE contacts SET portal_enabled = FALSE, updated_at = $3 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(contact.0).bind(crate::db_time(now()))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Sets (or, with `None`, clears) a login's password hash and marks its email verified
    /// (it came through a link sent to it). Every outstanding invitation, reset and
    /// sign-in link of the login is revoked with it.
    pub async fn set_login_password(
        &mut self,
        company: CompanyId,
        login: LoginId,
        hash: Option<&str>,
    ) -> Result<(), StoreError> {
        let at = crate::db_time(now());
        let n = crate::on_tx!(self, c => sqlx::query(
            "UPDATE portal_logins SET password_hash = $3, email_verified_at = COALESCE(email_verified_at, $4), updated_at = $4 \
             WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(login.0).bind(hash).bind(at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        // api-people (issue 20): an accepted invitation or a forced reset changes the
        // access state of the login's contacts, which the API lists by change time.
        crate::on_tx!(self, c => sqlx::query(
            "UPDATE contacts SET updated_at = $3 WHERE company_id = $1 AND login_id = $2")
            .bind(company.0).bind(login.0).bind(at)
            .execute(&mut *c).await.map(|_| ()))?;
        self.revoke_login_links(company, login).await?;
        Ok(())
    }
}
