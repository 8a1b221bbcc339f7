//! A company's custom domains: listed for the office, removed (the host stops resolving
//! as soon as the transaction commits in this process; other processes within the
//! company cache's short TTL). Adding one is [`Tx::add_company_domain`] in `companies`.

use doorstep_core::ids::CompanyId;
use time::OffsetDateTime;

use crate::{Store, StoreError, Tx, on_pool, on_tx};

/// One custom domain of a company.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CompanyDomain {
    /// Row id.
    pub id: i64,
    /// The domain, lower case.
    pub domain: String,
    /// When its DNS was found pointing at the service; None: not checked (nothing checks
    /// DNS yet, so the office shows "not checked").
    pub verified_at: Option<OffsetDateTime>,
    /// When it was added.
    pub created_at: OffsetDateTime,
}

/// How many custom domains one company may have.
pub const DOMAINS_MAX: i64 = 20;

const SELECT: &str = "SELECT id, domain, verified_at, created_at FROM company_domains";

impl Store {
    /// The company's custom domains, oldest first (at most [`DOMAINS_MAX`]).
    pub async fn company_domains(
        &self,
        company: CompanyId,
    ) -> Result<Vec<CompanyDomain>, StoreError> {
        let sql = format!("{SELECT} WHERE company_id = $1 ORDER BY created_at, id LIMIT $2");
        let rows = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(DOMAINS_MAX).fetch_all(p).await)?;
        Ok(rows)
    }

    /// One custom domain of the company by id; another company's is None.
    pub async fn company_domain(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<CompanyDomain>, StoreError> {
        let sql = format!("{SELECT} WHERE company_id = $1 AND id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The company (its id and slug) that has registered `domain`, if any.
    pub async fn domain_owner(
        &self,
        domain: &str,
    ) -> Result<Option<(CompanyId, String)>, StoreError> {
        let row: Option<(i64, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT c.id, c.slug FROM company_domains d JOIN companies c ON c.id = d.company_id \
             WHERE d.domain = $1")
            .bind(domain.to_ascii_lowercase()).fetch_optional(p).await)?;
        Ok(row.map(|(id, slug)| (CompanyId(id), slug)))
    }
}

impl Tx {
    /// How many custom domains the company has, read in this transaction.
    pub async fn count_company_domains(&mut self, company: CompanyId) -> Result<i64, StoreError> {
        let n: i64 = on_tx!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM company_domains WHERE company_id = $1")
            .bind(company.0).fetch_one(&mut *c).await)?;
        Ok(n)
    }

    /// Removes the company's custom domain `domain`; false when it has no such domain.
    pub async fn remove_company_domain(
        &mut self,
        company: CompanyId,
        domain: &str,
    ) -> Result<bool, StoreError> {
        self.companies_changed();
        let n = on_tx!(self, c => sqlx::query(
            "DELETE FROM company_domains WHERE company_id = $1 AND domain = $2")
            .bind(company.0).bind(domain.to_ascii_lowercase())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }
}
