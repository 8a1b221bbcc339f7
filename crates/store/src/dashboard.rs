//! The small reads behind the portal's dashboard blocks; each is bounded by `limit`.

use doorstep_core::authz::ContactScope;
use doorstep_core::ids::{CompanyId, CustomerId};
use time::OffsetDateTime;

use crate::scope::site_condition;
use crate::{Store, StoreError, db_time, on_pool};

/// A coming visit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitRow {
    /// Job number.
    pub number: String,
    /// One line summary.
    pub summary: String,
    /// Stored job status.
    pub status: String,
    /// When the visit is planned (its list date).
    pub job_date: OffsetDateTime,
    /// The site's name, if any.
    pub site_name: Option<String>,
}

/// An open service or support request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenRequestRow {
    /// Its number.
    pub number: String,
    /// Description (service) or subject (support).
    pub title: String,
    /// Stored status.
    pub status: String,
    /// When it was sent.
    pub created_at: OffsetDateTime,
}

/// A saved card or bank account: only what identifies it to its owner.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CardRow {
    /// `card` or `bank`.
    pub kind: String,
    /// Card brand or bank name.
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// Expiry month (cards).
    pub exp_month: Option<i64>,
    /// Expiry year (cards).
    pub exp_year: Option<i64>,
    /// The default method.
    pub is_default: bool,
}

/// A sub-customer of an account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubCustomerRow {
    /// Its number.
    pub number: String,
    /// Its name.
    pub name: String,
}

impl Store {
    /// The next visits of the account (site contacts: of their sites) from `from` on.
    pub async fn upcoming_visits(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        from: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<VisitRow>, StoreError> {
        let (sites_sql, sites) = site_condition(scope, "j.site_id", 5);
        let sql = format!(
            "SELECT j.number, j.summary, j.status, j.job_date, s.name AS site_name FROM jobs j \
             LEFT JOIN sites s ON s.id = j.site_id WHERE j.company_id = $1 AND j.customer_id = $2 \
             AND j.status IN ('scheduled', 'on_the_way', 'in_progress') AND j.job_date >= $3{sites_sql} \
             ORDER BY j.job_date, j.id LIMIT $4"
        );
        let rows = on_pool!(self, p => {
            let mut q = sqlx::query_as(&sql)
                .bind(company.0).bind(scope.customer.0).bind(db_time(from)).bind(limit);
            for s in &sites { q = q.bind(*s); }
            q.fetch_all(p).await
        })?;
        Ok(rows)
    }

    /// Service requests the office has not finished with (site contacts: of their sites).
    pub async fn open_service_requests(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        limit: i64,
    ) -> Result<Vec<OpenRequestRow>, StoreError> {
        let (sites_sql, sites) = site_condition(scope, "site_id", 4);
        let sql = format!(
            "SELECT number, description AS title, status, created_at FROM service_requests \
             WHERE company_id = $1 AND customer_id = $2 AND status IN ('new', 'read'){sites_sql} \
             ORDER BY created_at DESC, id DESC LIMIT $3"
        );
        let rows = on_pool!(self, p => {
            let mut q = sqlx::query_as(&sql).bind(company.0).bind(scope.customer.0).bind(limit);
            for s in &sites { q = q.bind(*s); }
            q.fetch_all(p).await
        })?;
        Ok(rows)
    }

    /// Support requests not yet resolved or closed.
    pub async fn open_support_requests(
        &self,
        company: CompanyId,
        customer: CustomerId,
        limit: i64,
    ) -> Result<Vec<OpenRequestRow>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT number, subject AS title, status, created_at FROM support_requests \
             WHERE company_id = $1 AND customer_id = $2 AND status NOT IN ('resolved', 'closed') \
             ORDER BY updated_at DESC, id DESC LIMIT $3")
            .bind(company.0).bind(customer.0).bind(limit).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The account's saved payment methods, default first.
    pub async fn cards_on_file(
        &self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<CardRow>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT kind, brand, last4, exp_month, exp_year, is_default FROM payment_methods \
             WHERE company_id = $1 AND customer_id = $2 ORDER BY is_default DESC, id")
            .bind(company.0).bind(customer.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The account's sub-customers, by name.
    pub async fn sub_customers(
        &self,
        company: CompanyId,
        customer: CustomerId,
        limit: i64,
    ) -> Result<Vec<SubCustomerRow>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT number, name FROM customers WHERE company_id = $1 AND parent_customer_id = $2 \
             ORDER BY name, id LIMIT $3")
            .bind(company.0).bind(customer.0).bind(limit).fetch_all(p).await)?;
        Ok(rows)
    }
}
