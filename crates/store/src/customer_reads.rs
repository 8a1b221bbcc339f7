//! What the office reads of its customer book (issue 17): the customer list and its
//! search, one account with everything about it, and what customers did in the portal
//! (the account's timeline and the office home's feed, from the audit log).

use doorstep_core::customers::{LOGIN_ACTIONS, PORTAL_ACTIVITY};
use doorstep_core::ids::{CompanyId, CustomerId};
use time::{Date, OffsetDateTime};

use crate::insert::{Sql, bind_vals};
use crate::{Store, StoreError, db_time, on_pool};

/// Everything the office edits of a customer account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerDetail {
    /// Id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// Name.
    pub name: String,
    /// `residential` or `commercial`.
    pub kind: String,
    /// Parent account, for a sub-customer.
    pub parent_customer_id: Option<i64>,
    /// The parent's number.
    pub parent_number: Option<String>,
    /// The parent's name.
    pub parent_name: Option<String>,
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
    /// Billing city.
    pub billing_city: String,
    /// Billing region.
    pub billing_region: String,
    /// Billing postal code.
    pub billing_postal_code: String,
    /// Credit on account, minor units.
    pub credit_minor: i64,
    /// Office notes.
    pub notes: String,
    /// Exempt from sales tax.
    pub tax_exempt: bool,
    /// Own payment terms in days; `None` = the company's.
    pub payment_terms_days: Option<i64>,
    /// Id in another system.
    pub external_ref: Option<String>,
    /// Created by self sign-up.
    pub is_prospect: bool,
    /// When the office deactivated it.
    pub deactivated_at: Option<OffsetDateTime>,
}

const DETAIL_SELECT: &str = "SELECT c.id, c.number, c.name, c.kind, c.parent_customer_id, \
     p.number AS parent_number, p.name AS parent_name, c.email, c.phone, c.mobile_phone, \
     c.billing_line1, c.billing_line2, c.billing_city, c.billing_region, c.billing_postal_code, \
     c.credit_minor, c.notes, c.tax_exempt, c.payment_terms_days, c.external_ref, c.is_prospect, \
     c.deactivated_at FROM customers c \
     LEFT JOIN customers p ON p.company_id = c.company_id AND p.id = c.parent_customer_id ";

/// A row of the office's customer list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerBookRow {
    /// Id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// Name.
    pub name: String,
    /// `residential` or `commercial`.
    pub kind: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Created by self sign-up.
    pub is_prospect: bool,
    /// Not deactivated.
    pub active: bool,
    /// The list's order: the name in lower case (the cursor's first half).
    pub sort_key: String,
}

/// What the office list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// A customer number (`C-1001`): that account only.
    pub number: Option<String>,
    /// The start of the name, lower case.
    pub name_prefix: Option<String>,
    /// The start of the email, lower case.
    pub email_prefix: Option<String>,
    /// `residential` or `commercial`.
    pub kind: Option<String>,
    /// `Some(true)` active only, `Some(false)` deactivated only.
    pub active: Option<bool>,
}

/// A site with everything the office edits.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SiteDetail {
    /// Id.
    pub id: i64,
    /// Its account.
    pub customer_id: i64,
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
    /// Not deactivated.
    pub active: bool,
}

/// One record of an account (a job, an estimate, ...) as its page lists it.
#[derive(Debug, Clone)]
pub struct AccountItem {
    /// Its number, for the link.
    pub number: String,
    /// Summary, title, subject or method.
    pub title: String,
    /// Status as stored.
    pub status: String,
    /// Its day (visit, issue, receipt, last change).
    pub day: Date,
    /// An amount, when it has one (total, balance, payment).
    pub amount_minor: Option<i64>,
}

/// The newest few of one kind of record of an account, and how many there are.
#[derive(Debug, Clone, Default)]
pub struct AccountList {
    /// How many the account has.
    pub count: i64,
    /// The newest few.
    pub latest: Vec<AccountItem>,
}

/// Everything an account has, newest first, a few of each.
#[derive(Debug, Clone, Default)]
pub struct AccountOverview {
    /// Jobs, by visit date.
    pub jobs: AccountList,
    /// Estimates, by issue date.
    pub estimates: AccountList,
    /// Invoices, by issue date; the amount is the balance.
    pub invoices: AccountList,
    /// Payments, by receipt.
    pub payments: AccountList,
    /// Service requests.
    pub requests: AccountList,
    /// Support requests, by last change.
    pub support: AccountList,
}

/// Something a customer did in the portal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PortalEvent {
    /// The audit record's id (the cursor's second half).
    pub id: i64,
    /// The audited action.
    pub action: String,
    /// Who: the contact's name, or the login's email for sign-ins.
    pub who: String,
    /// The kind of record acted on.
    pub subject_kind: String,
    /// That record's number, when it has one.
    pub subject_number: Option<String>,
    /// The account's number (the home feed names it).
    pub customer_number: Option<String>,
    /// The account's name.
    pub customer_name: Option<String>,
    /// When.
    pub created_at: OffsetDateTime,
}

/// A keyset cursor over the audit log: (time, id).
pub type EventCursor = (OffsetDateTime, i64);

fn quoted(actions: impl Iterator<Item = &'static str>) -> String {
    actions
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `COLLATE "C"` on PostgreSQL (the search index's byte order), nothing on SQLite.
fn c_collation(store: &Store) -> &'static str {
    match store.kind() {
        crate::DbKind::Sqlite => "",
        crate::DbKind::Postgres => " COLLATE \"C\"",
    }
}

impl Store {
    /// The customer of `company` numbered `number`, with everything the office edits.
    pub async fn customer_detail(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<CustomerDetail>, StoreError> {
        let sql = format!("{DETAIL_SELECT} WHERE c.company_id = $1 AND c.number = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql).bind(company.0).bind(number).fetch_optional(p).await)?;
        Ok(row)
    }

    /// A page of the company's customers as `filter` narrows them, by name (letter case
    /// aside), after the `(sort_key, id)` cursor. Each filter walks an index: the name
    /// prefix a range of `customers_company_lower_name` in list order, the number the
    /// unique number index, the email prefix `customers_company_email`.
    pub async fn customer_book_page(
        &self,
        company: CompanyId,
        filter: &CustomerFilter,
        after: Option<(&str, i64)>,
        limit: i64,
    ) -> Result<Vec<CustomerBookRow>, StoreError> {
        let c = c_collation(self);
        let key = format!("lower(name){c}");
        let mut sql = Sql::default();
        sql.push(&format!(
            "SELECT id, number, name, kind, email, phone, is_prospect, \
             (deactivated_at IS NULL) AS active, {key} AS sort_key FROM customers WHERE company_id = "
        ))
        .val(company.0);
        if let Some(n) = &filter.number {
            sql.push(" AND number = ").val(n.clone());
        }
        if let Some(prefix) = &filter.name_prefix {
            sql.push(&format!(" AND {key} >= "))
                .val(prefix.clone())
                .push(&format!(" AND {key} < "))
                .val(format!("{prefix}\u{10FFFF}"));
        }
        if let Some(prefix) = &filter.email_prefix {
            sql.push(&format!(" AND email{c} >= "))
                .val(prefix.clone())
                .push(&format!(" AND email{c} < "))
                .val(format!("{prefix}\u{10FFFF}"));
        }
        if let Some(kind) = &filter.kind {
            sql.push(" AND kind = ").val(kind.clone());
        }
        match filter.active {
            Some(true) => sql.push(" AND deactivated_at IS NULL"),
            Some(false) => sql.push(" AND deactivated_at IS NOT NULL"),
            None => &mut sql,
        };
        if let Some((name, id)) = after {
            // The plain bound gives both engines an index range; the pair settles ties.
            sql.push(&format!(" AND {key} >= "))
                .val(name.to_owned())
                .push(&format!(" AND ({key}, id) > ("))
                .val(name.to_owned())
                .push(", ")
                .val(id)
                .push(")");
        }
        sql.push(&format!(" ORDER BY {key}, id LIMIT "))
            .val(limit.clamp(1, 201));
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Whether customer `id` of the company exists and is active.
    pub async fn customer_active(
        &self,
        company: CompanyId,
        id: CustomerId,
    ) -> Result<bool, StoreError> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM customers WHERE company_id = $1 AND id = $2 AND deactivated_at IS NULL")
            .bind(company.0).bind(id.0).fetch_one(p).await)?;
        Ok(n > 0)
    }

    /// Every site of an account, deactivated ones included, by name.
    pub async fn sites_of_account(
        &self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<SiteDetail>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT id, customer_id, name, line1, line2, city, region, postal_code, access_notes, active \
             FROM sites WHERE company_id = $1 AND customer_id = $2 ORDER BY active DESC, name, id")
            .bind(company.0).bind(customer.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Site `id` of the company.
    pub async fn site_detail(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<SiteDetail>, StoreError> {
        let row = on_pool!(self, p => sqlx::query_as(
            "SELECT id, customer_id, name, line1, line2, city, region, postal_code, access_notes, active \
             FROM sites WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The newest few of each kind of record of an account, with their counts; each
    /// read walks the kind's `(company_id, customer_id, date, id)` index.
    pub async fn account_overview(
        &self,
        company: CompanyId,
        customer: CustomerId,
        few: i64,
    ) -> Result<AccountOverview, StoreError> {
        let (co, cu) = (company.0, customer.0);
        let count = |table: &'static str| async move {
            let sql =
                format!("SELECT COUNT(*) FROM {table} WHERE company_id = $1 AND customer_id = $2");
            let n: i64 =
                on_pool!(self, p => sqlx::query_scalar(&sql).bind(co).bind(cu).fetch_one(p).await)?;
            Ok::<i64, StoreError>(n)
        };
        let jobs: Vec<(String, String, String, OffsetDateTime, i64)> = on_pool!(self, p => sqlx::query_as(
            "SELECT number, summary, status, job_date, total_minor FROM jobs WHERE company_id = $1 \
             AND customer_id = $2 ORDER BY job_date DESC, id DESC LIMIT $3")
            .bind(co).bind(cu).bind(few).fetch_all(p).await)?;
        let estimates: Vec<(String, String, String, Date, i64)> = on_pool!(self, p => sqlx::query_as(
            "SELECT number, title, status, issued_on, total_minor FROM estimates WHERE company_id = $1 \
             AND customer_id = $2 ORDER BY issued_on DESC, id DESC LIMIT $3")
            .bind(co).bind(cu).bind(few).fetch_all(p).await)?;
        let invoices: Vec<(String, String, String, Date, i64)> = on_pool!(self, p => sqlx::query_as(
            "SELECT number, number, status, issued_on, total_minor - paid_minor FROM invoices \
             WHERE company_id = $1 AND customer_id = $2 ORDER BY issued_on DESC, id DESC LIMIT $3")
            .bind(co).bind(cu).bind(few).fetch_all(p).await)?;
        let payments: Vec<(String, String, String, OffsetDateTime, i64)> = on_pool!(self, p => sqlx::query_as(
            "SELECT number, method, status, received_at, amount_minor FROM payments \
             WHERE company_id = $1 AND customer_id = $2 ORDER BY received_at DESC, id DESC LIMIT $3")
            .bind(co).bind(cu).bind(few).fetch_all(p).await)?;
        let requests: Vec<(String, String, String, OffsetDateTime)> = on_pool!(self, p => sqlx::query_as(
            "SELECT number, description, status, created_at FROM service_requests \
             WHERE company_id = $1 AND customer_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3")
            .bind(co).bind(cu).bind(few).fetch_all(p).await)?;
        let support: Vec<(String, String, String, OffsetDateTime)> = on_pool!(self, p => sqlx::query_as(
            "SELECT number, subject, status, updated_at FROM support_requests \
             WHERE company_id = $1 AND customer_id = $2 ORDER BY updated_at DESC, id DESC LIMIT $3")
            .bind(co).bind(cu).bind(few).fetch_all(p).await)?;
        let item =
            |(number, title, status, day, amount): (String, String, String, Date, Option<i64>)| {
                AccountItem {
                    number,
                    title,
                    status,
                    day,
                    amount_minor: amount,
                }
            };
        Ok(AccountOverview {
            jobs: AccountList {
                count: count("jobs").await?,
                latest: jobs
                    .into_iter()
                    .map(|(n, t, s, d, a)| item((n, t, s, d.date(), Some(a))))
                    .collect(),
            },
            estimates: AccountList {
                count: count("estimates").await?,
                latest: estimates
                    .into_iter()
                    .map(|(n, t, s, d, a)| item((n, t, s, d, Some(a))))
                    .collect(),
            },
            invoices: AccountList {
                count: count("invoices").await?,
                latest: invoices
                    .into_iter()
                    .map(|(n, t, s, d, a)| item((n, t, s, d, Some(a))))
                    .collect(),
            },
            payments: AccountList {
                count: count("payments").await?,
                latest: payments
                    .into_iter()
                    .map(|(n, t, s, d, a)| item((n, t, s, d.date(), Some(a))))
                    .collect(),
            },
            requests: AccountList {
                count: count("service_requests").await?,
                latest: requests
                    .into_iter()
                    .map(|(n, t, s, d)| item((n, t, s, d.date(), None)))
                    .collect(),
            },
            support: AccountList {
                count: count("support_requests").await?,
                latest: support
                    .into_iter()
                    .map(|(n, t, s, d)| item((n, t, s, d.date(), None)))
                    .collect(),
            },
        })
    }

    /// What customers did in the portal, newest first, before `before`: one account's
    /// (its contacts' actions and its logins' sign-ins) or, with `customer` `None`, the
    /// whole company's (contacts' actions only, not sign-ins). Walks the partial index
    /// `audit_events_portal_actor` (one account) or `audit_events_portal` (company).
    pub async fn portal_events(
        &self,
        company: CompanyId,
        customer: Option<CustomerId>,
        before: Option<EventCursor>,
        limit: i64,
    ) -> Result<Vec<PortalEvent>, StoreError> {
        let login_actions = quoted(LOGIN_ACTIONS.iter().copied());
        let contact_actions = quoted(
            PORTAL_ACTIVITY
                .iter()
                .map(|(a, _)| *a)
                .filter(|a| !LOGIN_ACTIONS.contains(a)),
        );
        let mut sql = Sql::default();
        sql.push(&format!(
            "SELECT a.id, a.action, \
             COALESCE(NULLIF(TRIM(COALESCE(ct.first_name, '') || ' ' || COALESCE(ct.last_name, '')), ''), l.email, a.actor_label) AS who, \
             a.subject_kind, COALESCE(e.number, j.number, r.number, s.number) AS subject_number, \
             cu.number AS customer_number, cu.name AS customer_name, a.created_at \
             FROM audit_events a \
             LEFT JOIN contacts ct ON a.action NOT IN ({login_actions}) AND ct.company_id = a.company_id AND ct.id = a.actor_id \
             LEFT JOIN customers cu ON cu.company_id = ct.company_id AND cu.id = ct.customer_id \
             LEFT JOIN portal_logins l ON a.action IN ({login_actions}) AND l.company_id = a.company_id AND l.id = a.actor_id \
             LEFT JOIN estimates e ON a.subject_kind = 'estimate' AND e.company_id = a.company_id AND e.id = a.subject_id \
             LEFT JOIN jobs j ON a.subject_kind = 'job' AND j.company_id = a.company_id AND j.id = a.subject_id \
             LEFT JOIN service_requests r ON a.subject_kind = 'service_request' AND r.company_id = a.company_id AND r.id = a.subject_id \
             LEFT JOIN support_requests s ON a.subject_kind = 'support_request' AND s.company_id = a.company_id AND s.id = a.subject_id \
             WHERE a.company_id = "
        ))
        .val(company.0)
        .push(" AND a.actor_kind = 'contact'");
        match customer {
            Some(cu) => {
                // Every actor of the account first (its contacts and their logins), so
                // the account's records are read through `audit_events_portal_actor`.
                sql.push(" AND a.actor_id IN (SELECT id FROM contacts WHERE company_id = ")
                    .val(company.0)
                    .push(" AND customer_id = ")
                    .val(cu.0)
                    .push(" UNION ALL SELECT login_id FROM contacts WHERE login_id IS NOT NULL AND company_id = ")
                    .val(company.0)
                    .push(" AND customer_id = ")
                    .val(cu.0)
                    .push(")");
                sql.push(&format!(
                    " AND ((a.action IN ({contact_actions}) AND a.actor_id IN \
                     (SELECT id FROM contacts WHERE company_id = "
                ))
                .val(company.0)
                .push(" AND customer_id = ")
                .val(cu.0)
                .push(&format!(
                    ")) OR (a.action IN ({login_actions}) AND a.actor_id IN \
                     (SELECT login_id FROM contacts WHERE login_id IS NOT NULL AND company_id = "
                ))
                .val(company.0)
                .push(" AND customer_id = ")
                .val(cu.0)
                .push(")))");
            }
            None => {
                sql.push(&format!(" AND a.action IN ({contact_actions})"));
            }
        }
        if let Some((at, id)) = before {
            sql.push(" AND a.created_at <= ")
                .val(at)
                .push(" AND (a.created_at < ")
                .val(at)
                .push(" OR a.id < ")
                .val(id)
                .push(")");
        }
        // SQLite would rather walk the company's portal records in order than sort one
        // account's few; `|| ''` keeps the order and leaves it the account's index.
        let order = match (customer, self.kind()) {
            (Some(_), crate::DbKind::Sqlite) => "a.created_at || '' DESC, a.id DESC",
            _ => "a.created_at DESC, a.id DESC",
        };
        sql.push(&format!(" ORDER BY {order} LIMIT "))
            .val(limit.clamp(1, 201));
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }
}

/// A line of one of the office home's short lists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HomeItem {
    /// The record's number, for the link.
    pub number: String,
    /// What it is about.
    pub title: String,
    /// The account's name.
    pub customer_name: String,
    /// Status as stored.
    pub status: String,
}

/// A short list and how many there are in all.
#[derive(Debug, Clone, Default)]
pub struct HomeList {
    /// How many in all.
    pub count: i64,
    /// The first few.
    pub items: Vec<HomeItem>,
}

/// What the office home shows: what needs doing today.
#[derive(Debug, Clone, Default)]
pub struct OfficeToday {
    /// Visits on the day, in time order.
    pub visits: HomeList,
    /// Requests nobody has opened.
    pub new_requests: HomeList,
    /// Support requests not resolved or closed.
    pub open_support: HomeList,
    /// Estimates sent and not yet answered.
    pub awaiting_estimates: HomeList,
    /// Unpaid invoices past their due date, oldest due first.
    pub overdue_invoices: HomeList,
}

impl Store {
    async fn home_list(
        &self,
        count_sql: &str,
        list_sql: &str,
        vals: &[crate::insert::Val],
    ) -> Result<HomeList, StoreError> {
        let count: i64 = on_pool!(self, p => bind_vals!(sqlx::query_scalar(count_sql), vals).fetch_one(p).await)?;
        let items =
            on_pool!(self, p => bind_vals!(sqlx::query_as(list_sql), vals).fetch_all(p).await)?;
        Ok(HomeList { count, items })
    }

    /// The office home's lists for `today` (the company's day), `few` of each. Each list
    /// walks a `(company_id, status or date, ...)` index.
    pub async fn office_today(
        &self,
        company: CompanyId,
        today: Date,
        few: i64,
    ) -> Result<OfficeToday, StoreError> {
        use crate::insert::Val;
        let co = Val::from(company.0);
        let start = today.midnight().assume_utc();
        let end = start + time::Duration::days(1);
        let visits = self
            .home_list(
                "SELECT COUNT(*) FROM jobs j WHERE j.company_id = $1 AND j.job_date >= $2 AND j.job_date < $3 \
                 AND j.status NOT IN ('unscheduled', 'cancelled')",
                &format!(
                    "SELECT j.number, j.summary AS title, cu.name AS customer_name, j.status FROM jobs j \
                     JOIN customers cu ON cu.company_id = j.company_id AND cu.id = j.customer_id \
                     WHERE j.company_id = $1 AND j.job_date >= $2 AND j.job_date < $3 \
                     AND j.status NOT IN ('unscheduled', 'cancelled') ORDER BY j.job_date, j.id LIMIT {few}"
                ),
                &[co.clone(), Val::Time(Some(db_time(start))), Val::Time(Some(db_time(end)))],
            )
            .await?;
        let new_requests = self
            .home_list(
                "SELECT COUNT(*) FROM service_requests WHERE company_id = $1 AND status = 'new'",
                &format!(
                    "SELECT r.number, r.description AS title, cu.name AS customer_name, r.status FROM service_requests r \
                     JOIN customers cu ON cu.company_id = r.company_id AND cu.id = r.customer_id \
                     WHERE r.company_id = $1 AND r.status = 'new' ORDER BY r.created_at DESC, r.id DESC LIMIT {few}"
                ),
                std::slice::from_ref(&co),
            )
            .await?;
        let open = "('open', 'in_progress', 'waiting_on_customer')";
        let open_support = self
            .home_list(
                &format!("SELECT COUNT(*) FROM support_requests WHERE company_id = $1 AND status IN {open}"),
                &format!(
                    "SELECT s.number, s.subject AS title, cu.name AS customer_name, s.status FROM support_requests s \
                     JOIN customers cu ON cu.company_id = s.company_id AND cu.id = s.customer_id \
                     WHERE s.company_id = $1 AND s.status IN {open} ORDER BY s.updated_at DESC, s.id DESC LIMIT {few}"
                ),
                std::slice::from_ref(&co),
            )
            .await?;
        let awaiting_estimates = self
            .home_list(
                "SELECT COUNT(*) FROM estimates WHERE company_id = $1 AND status = 'pending'",
                &format!(
                    "SELECT e.number, e.title, cu.name AS customer_name, e.status FROM estimates e \
                     JOIN customers cu ON cu.company_id = e.company_id AND cu.id = e.customer_id \
                     WHERE e.company_id = $1 AND e.status = 'pending' ORDER BY e.issued_on DESC, e.id DESC LIMIT {few}"
                ),
                std::slice::from_ref(&co),
            )
            .await?;
        let overdue_invoices = self
            .home_list(
                "SELECT COUNT(*) FROM invoices WHERE company_id = $1 AND status = 'unpaid' AND due_on < $2",
                &format!(
                    "SELECT i.number, i.number AS title, cu.name AS customer_name, i.status FROM invoices i \
                     JOIN customers cu ON cu.company_id = i.company_id AND cu.id = i.customer_id \
                     WHERE i.company_id = $1 AND i.status = 'unpaid' AND i.due_on < $2 \
                     ORDER BY i.due_on, i.id LIMIT {few}"
                ),
                &[co.clone(), Val::Day(Some(today))],
            )
            .await?;
        Ok(OfficeToday {
            visits,
            new_requests,
            open_support,
            awaiting_estimates,
            overdue_invoices,
        })
    }
}
