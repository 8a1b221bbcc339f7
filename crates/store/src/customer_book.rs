//! The office's customer book (issue 17): customer accounts, contacts and sites created,
//! edited, deactivated and reactivated — never deleted, since history points at them.

use doorstep_core::ids::{CompanyId, ContactId, CustomerId, LoginId, SiteId};
use doorstep_core::status::ContactRole;

use crate::insert::Val;
use crate::{StoreError, Tx, db_time, now, on_tx};

/// A customer account's fields as the office edits them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerInput {
    /// Household or business name.
    pub name: String,
    /// `residential` or `commercial`.
    pub kind: String,
    /// The parent account of a sub-customer.
    pub parent: Option<CustomerId>,
    /// Account email (lower-case) or empty.
    pub email: String,
    /// Main phone.
    pub phone: String,
    /// Second phone.
    pub mobile_phone: String,
    /// Billing street.
    pub billing_line1: String,
    /// Billing street, second line.
    pub billing_line2: String,
    /// Billing city.
    pub billing_city: String,
    /// Billing state or region.
    pub billing_region: String,
    /// Billing postal code.
    pub billing_postal_code: String,
    /// Notes for the office.
    pub notes: String,
    /// Exempt from sales tax.
    pub tax_exempt: bool,
    /// Days an invoice is due after issue; `None` = the company's terms.
    pub payment_terms_days: Option<i64>,
    /// The account's id in another system, unique per company.
    pub external_ref: Option<String>,
}

/// A contact's fields as the office edits them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactInput {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email (lower-case), if any.
    pub email: Option<String>,
    /// Phone.
    pub phone: String,
    /// Company or site contact.
    pub role: ContactRole,
    /// Receives invoices.
    pub is_billing: bool,
    /// The contact's id in another system, unique per company: `None` keeps what it
    /// has (the office's forms never show it), `Some(None)` clears it.
    pub external_ref: Option<Option<String>>,
}

/// A site's fields as the office edits them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteInput {
    /// A name people recognise ("Home", "Warehouse 2").
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
}

/// A customer account as its writes see it, read inside their transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerState {
    /// Its number.
    pub number: String,
    /// Its name.
    pub name: String,
    /// Whether it is active.
    pub active: bool,
    /// Its parent, if it is a sub-customer.
    pub parent: Option<CustomerId>,
}

/// A contact as its writes see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactState {
    /// Its account.
    pub customer: CustomerId,
    /// Its email.
    pub email: Option<String>,
    /// Its login, when access was ever enabled.
    pub login: Option<LoginId>,
    /// Whether portal access is on.
    pub portal_enabled: bool,
    /// Whether it is active.
    pub active: bool,
}

impl Tx {
    /// Creates a customer account numbered `number`.
    pub async fn insert_office_customer(
        &mut self,
        company: CompanyId,
        number: &str,
        c: &CustomerInput,
    ) -> Result<CustomerId, StoreError> {
        let at = now();
        self.insert_row(
            "customers",
            company.0,
            &[
                ("number", number.into()),
                ("name", (&c.name).into()),
                ("kind", (&c.kind).into()),
                ("parent_customer_id", Val::Int(c.parent.map(|p| p.0))),
                ("email", (&c.email).into()),
                ("phone", (&c.phone).into()),
                ("mobile_phone", (&c.mobile_phone).into()),
                ("billing_line1", (&c.billing_line1).into()),
                ("billing_line2", (&c.billing_line2).into()),
                ("billing_city", (&c.billing_city).into()),
                ("billing_region", (&c.billing_region).into()),
                ("billing_postal_code", (&c.billing_postal_code).into()),
                ("notes", (&c.notes).into()),
                ("tax_exempt", c.tax_exempt.into()),
                ("payment_terms_days", Val::Int(c.payment_terms_days)),
                ("external_ref", (&c.external_ref).into()),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
        .map(CustomerId)
    }

    /// Saves the office's fields of customer `id`; `false` when the company has none.
    pub async fn update_customer(
        &mut self,
        company: CompanyId,
        id: CustomerId,
        c: &CustomerInput,
    ) -> Result<bool, StoreError> {
        let n = on_tx!(self, x => sqlx::query(
            "UPDATE customers SET name = $3, kind = $4, parent_customer_id = $5, email = $6, phone = $7, \
             mobile_phone = $8, billing_line1 = $9, billing_line2 = $10, billing_city = $11, \
             billing_region = $12, billing_postal_code = $13, notes = $14, tax_exempt = $15, \
             payment_terms_days = $16, external_ref = $17, updated_at = $18 \
             WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).bind(&c.name).bind(&c.kind).bind(c.parent.map(|p| p.0))
            .bind(&c.email).bind(&c.phone).bind(&c.mobile_phone).bind(&c.billing_line1)
            .bind(&c.billing_line2).bind(&c.billing_city).bind(&c.billing_region)
            .bind(&c.billing_postal_code).bind(&c.notes).bind(c.tax_exempt)
            .bind(c.payment_terms_days).bind(&c.external_ref).bind(db_time(now()))
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Customer `id` of the company as a write sees it, its row locked on PostgreSQL
    /// until the transaction ends (SQLite's write lock is already held).
    pub async fn customer_state(
        &mut self,
        company: CompanyId,
        id: CustomerId,
    ) -> Result<Option<CustomerState>, StoreError> {
        let lock = match self.inner() {
            crate::TxInner::Sqlite(_) => "",
            crate::TxInner::Postgres(_) => " FOR UPDATE",
        };
        let sql = format!(
            "SELECT number, name, (deactivated_at IS NULL) AS active, parent_customer_id \
             FROM customers WHERE company_id = $1 AND id = $2{lock}"
        );
        let row: Option<(String, String, bool, Option<i64>)> = on_tx!(self, x => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(&mut *x).await)?;
        Ok(row.map(|(number, name, active, parent)| CustomerState {
            number,
            name,
            active,
            parent: parent.map(CustomerId),
        }))
    }

    /// The customer of the company numbered `number`, as a write sees it.
    pub async fn customer_id_by_number(
        &mut self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<CustomerId>, StoreError> {
        let id: Option<i64> = on_tx!(self, x => sqlx::query_scalar(
            "SELECT id FROM customers WHERE company_id = $1 AND number = $2")
            .bind(company.0).bind(number).fetch_optional(&mut *x).await)?;
        Ok(id.map(CustomerId))
    }

    /// Account `id` and the accounts above it, nearest first (at most 50, so a cycle
    /// made by other means cannot loop), and whether `id` is active; `None` when the
    /// company has no such account.
    pub async fn customer_chain(
        &mut self,
        company: CompanyId,
        id: CustomerId,
    ) -> Result<Option<(bool, Vec<CustomerId>)>, StoreError> {
        let Some(first) = self.customer_state(company, id).await? else {
            return Ok(None);
        };
        let mut chain = vec![id];
        let mut next = first.parent;
        while let Some(p) = next {
            if chain.contains(&p) || chain.len() >= 50 {
                break;
            }
            chain.push(p);
            next = on_tx!(self, x => sqlx::query_scalar::<_, Option<i64>>(
                "SELECT parent_customer_id FROM customers WHERE company_id = $1 AND id = $2")
                .bind(company.0).bind(p.0).fetch_optional(&mut *x).await)?
            .flatten()
            .map(CustomerId);
        }
        Ok(Some((first.active, chain)))
    }

    /// The number of the customer (other than `except`) whose external reference is
    /// `reference`, if any.
    pub async fn customer_with_external_ref(
        &mut self,
        company: CompanyId,
        reference: &str,
        except: Option<CustomerId>,
    ) -> Result<Option<String>, StoreError> {
        let number: Option<String> = on_tx!(self, x => sqlx::query_scalar(
            "SELECT number FROM customers WHERE company_id = $1 AND external_ref = $2 AND id <> $3")
            .bind(company.0).bind(reference).bind(except.map_or(0, |c| c.0))
            .fetch_optional(&mut *x).await)?;
        Ok(number)
    }

    /// How many active sub-customers account `id` has.
    pub async fn active_sub_customers(
        &mut self,
        company: CompanyId,
        id: CustomerId,
    ) -> Result<i64, StoreError> {
        let n: i64 = on_tx!(self, x => sqlx::query_scalar(
            "SELECT COUNT(*) FROM customers WHERE company_id = $1 AND parent_customer_id = $2 \
             AND deactivated_at IS NULL")
            .bind(company.0).bind(id.0).fetch_one(&mut *x).await)?;
        Ok(n)
    }

    /// Deactivates (or, with `active`, reactivates) customer `id`.
    pub async fn set_customer_active(
        &mut self,
        company: CompanyId,
        id: CustomerId,
        active: bool,
    ) -> Result<(), StoreError> {
        let at = db_time(now());
        let n = on_tx!(self, x => sqlx::query(
            "UPDATE customers SET deactivated_at = CASE WHEN $3 THEN NULL ELSE $4 END, updated_at = $4 \
             WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).bind(active).bind(at)
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Turns off portal access of every contact of account `id`; answers the logins
    /// that had it, whose sessions the caller ends.
    pub async fn disable_access_of_customer(
        &mut self,
        company: CompanyId,
        id: CustomerId,
    ) -> Result<Vec<LoginId>, StoreError> {
        let logins: Vec<i64> = on_tx!(self, x => sqlx::query_scalar(
            "SELECT login_id FROM contacts WHERE company_id = $1 AND customer_id = $2 \
             AND portal_enabled = TRUE AND login_id IS NOT NULL")
            .bind(company.0).bind(id.0).fetch_all(&mut *x).await)?;
        on_tx!(self, x => sqlx::query(
            "UPDATE contacts SET portal_enabled = FALSE, updated_at = $3 \
             WHERE company_id = $1 AND customer_id = $2 AND portal_enabled = TRUE")
            .bind(company.0).bind(id.0).bind(db_time(now()))
            .execute(&mut *x).await.map(|_| ()))?;
        Ok(logins.into_iter().map(LoginId).collect())
    }

    /// Adds a contact to account `customer`.
    pub async fn insert_office_contact(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        c: &ContactInput,
    ) -> Result<ContactId, StoreError> {
        let at = now();
        self.insert_row(
            "contacts",
            company.0,
            &[
                ("customer_id", customer.0.into()),
                ("first_name", (&c.first_name).into()),
                ("last_name", (&c.last_name).into()),
                ("email", (&c.email).into()),
                ("phone", (&c.phone).into()),
                ("role", c.role.as_str().into()),
                ("is_billing", c.is_billing.into()),
                ("external_ref", c.external_ref.clone().flatten().into()),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
        .map(ContactId)
    }

    /// Contact `id` of the company as a write sees it.
    pub async fn contact_state(
        &mut self,
        company: CompanyId,
        id: ContactId,
    ) -> Result<Option<ContactState>, StoreError> {
        type Row = (i64, Option<String>, Option<i64>, bool, bool);
        let row: Option<Row> = on_tx!(self, x => sqlx::query_as(
            "SELECT customer_id, email, login_id, portal_enabled, (deactivated_at IS NULL) \
             FROM contacts WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).fetch_optional(&mut *x).await)?;
        Ok(row.map(
            |(customer, email, login, portal_enabled, active)| ContactState {
                customer: CustomerId(customer),
                email,
                login: login.map(LoginId),
                portal_enabled,
                active,
            },
        ))
    }

    /// Saves contact `id`'s fields; with `forget_login` its old login link is dropped
    /// (its email changed while access was off, so a later enable finds the new one).
    pub async fn update_contact(
        &mut self,
        company: CompanyId,
        id: ContactId,
        c: &ContactInput,
        forget_login: bool,
    ) -> Result<(), StoreError> {
        let n = on_tx!(self, x => sqlx::query(
            "UPDATE contacts SET first_name = $3, last_name = $4, email = $5, phone = $6, role = $7, \
             is_billing = $8, login_id = CASE WHEN $9 THEN NULL ELSE login_id END, updated_at = $10, \
             external_ref = CASE WHEN $11 THEN $12 ELSE external_ref END \
             WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).bind(&c.first_name).bind(&c.last_name).bind(&c.email)
            .bind(&c.phone).bind(c.role.as_str()).bind(c.is_billing).bind(forget_login)
            .bind(db_time(now())).bind(c.external_ref.is_some()).bind(c.external_ref.clone().flatten())
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Ties contact `id` to exactly `sites` (each already checked to be its account's).
    pub async fn set_contact_sites(
        &mut self,
        company: CompanyId,
        id: ContactId,
        sites: &[SiteId],
    ) -> Result<(), StoreError> {
        on_tx!(self, x => sqlx::query(
            "DELETE FROM contact_sites WHERE company_id = $1 AND contact_id = $2")
            .bind(company.0).bind(id.0).execute(&mut *x).await.map(|_| ()))?;
        for site in sites {
            self.add_contact_site(company, id, *site).await?;
        }
        Ok(())
    }

    /// Deactivates (or, with `active`, reactivates) contact `id`; deactivating also turns
    /// its portal access off.
    pub async fn set_contact_active(
        &mut self,
        company: CompanyId,
        id: ContactId,
        active: bool,
    ) -> Result<(), StoreError> {
        let at = db_time(now());
        let n = on_tx!(self, x => sqlx::query(
            "UPDATE contacts SET deactivated_at = CASE WHEN $3 THEN NULL ELSE $4 END, \
             portal_enabled = CASE WHEN $3 THEN portal_enabled ELSE FALSE END, updated_at = $4 \
             WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).bind(active).bind(at)
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The active sites of account `customer`, read in this transaction.
    pub async fn active_site_ids(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<SiteId>, StoreError> {
        let ids: Vec<i64> = on_tx!(self, x => sqlx::query_scalar(
            "SELECT id FROM sites WHERE company_id = $1 AND customer_id = $2 AND active = TRUE ORDER BY id")
            .bind(company.0).bind(customer.0).fetch_all(&mut *x).await)?;
        Ok(ids.into_iter().map(SiteId).collect())
    }

    /// Adds a site to account `customer`.
    pub async fn insert_office_site(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        s: &SiteInput,
    ) -> Result<SiteId, StoreError> {
        let at = now();
        self.insert_row(
            "sites",
            company.0,
            &[
                ("customer_id", customer.0.into()),
                ("name", (&s.name).into()),
                ("line1", (&s.line1).into()),
                ("line2", (&s.line2).into()),
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

    /// Site `id` of the company: its account and whether it is active.
    pub async fn site_state(
        &mut self,
        company: CompanyId,
        id: SiteId,
    ) -> Result<Option<(CustomerId, bool)>, StoreError> {
        let row: Option<(i64, bool)> = on_tx!(self, x => sqlx::query_as(
            "SELECT customer_id, active FROM sites WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).fetch_optional(&mut *x).await)?;
        Ok(row.map(|(c, a)| (CustomerId(c), a)))
    }

    /// Saves site `id`'s fields.
    pub async fn update_site(
        &mut self,
        company: CompanyId,
        id: SiteId,
        s: &SiteInput,
    ) -> Result<(), StoreError> {
        let n = on_tx!(self, x => sqlx::query(
            "UPDATE sites SET name = $3, line1 = $4, line2 = $5, city = $6, region = $7, \
             postal_code = $8, access_notes = $9, updated_at = $10 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).bind(&s.name).bind(&s.line1).bind(&s.line2).bind(&s.city)
            .bind(&s.region).bind(&s.postal_code).bind(&s.access_notes).bind(db_time(now()))
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deactivates (or reactivates) site `id`.
    pub async fn set_site_active(
        &mut self,
        company: CompanyId,
        id: SiteId,
        active: bool,
    ) -> Result<(), StoreError> {
        let n = on_tx!(self, x => sqlx::query(
            "UPDATE sites SET active = $3, updated_at = $4 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).bind(active).bind(db_time(now()))
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The site contacts of site `id` for whom it is their only active site: they would
    /// be left seeing nothing if it were deactivated.
    pub async fn contacts_only_of_site(
        &mut self,
        company: CompanyId,
        id: SiteId,
    ) -> Result<i64, StoreError> {
        let n: i64 = on_tx!(self, x => sqlx::query_scalar(
            "SELECT COUNT(*) FROM contact_sites cs JOIN contacts co ON co.company_id = cs.company_id \
             AND co.id = cs.contact_id WHERE cs.company_id = $1 AND cs.site_id = $2 \
             AND co.role = 'site' AND co.deactivated_at IS NULL AND NOT EXISTS ( \
               SELECT 1 FROM contact_sites o JOIN sites s ON s.company_id = o.company_id AND s.id = o.site_id \
               WHERE o.company_id = cs.company_id AND o.contact_id = cs.contact_id \
               AND o.site_id <> cs.site_id AND s.active = TRUE)")
            .bind(company.0).bind(id.0).fetch_one(&mut *x).await)?;
        Ok(n)
    }
}
