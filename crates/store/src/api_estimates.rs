//! The JSON API's estimate and catalogue reads (issue 20): estimates and catalogue items
//! of one company by change time (keyset on `(updated_at, id)`, served by migration
//! 0041's indexes), one by id, and an estimate by external id.

use doorstep_core::ids::{CatalogueItemId, CompanyId, EstimateId};
use time::{Date, OffsetDateTime};

use crate::insert::{Sql, bind_vals};
use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// An estimate as the API lists it (its lines and taxes are read with `office_estimate`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiEstimate {
    /// Row id.
    pub id: i64,
    /// The company's number, e.g. `E-1001`.
    pub number: String,
    /// The account it is for.
    pub customer_id: i64,
    /// The site, if any.
    pub site_id: Option<i64>,
    /// Short title.
    pub title: String,
    /// Stored status.
    pub status: String,
    /// Date issued.
    pub issued_on: Date,
    /// Last day it may be approved.
    pub expires_on: Option<Date>,
    /// Fixed deposit asked on approval, minor units.
    pub deposit_minor: i64,
    /// Deposit as a share of the approved total, basis points.
    pub deposit_percent_bp: i64,
    /// Total, minor units.
    pub total_minor: i64,
    /// The id another system gave it.
    pub external_ref: Option<String>,
    /// When it was last sent.
    pub sent_at: Option<OffsetDateTime>,
    /// When the customer approved it.
    pub approved_at: Option<OffsetDateTime>,
    /// When the customer declined it.
    pub declined_at: Option<OffsetDateTime>,
    /// The job it became.
    pub converted_job_id: Option<i64>,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

const ESTIMATE_COLUMNS: &str = "SELECT id, number, customer_id, site_id, title, status, \
    issued_on, expires_on, deposit_minor, deposit_percent_bp, total_minor, external_ref, \
    sent_at, approved_at, declined_at, converted_job_id, created_at, updated_at FROM estimates";

/// Which estimates a list holds (besides the page).
#[derive(Debug, Clone, Default)]
pub struct EstimateFilter {
    /// Only this account's.
    pub customer: Option<i64>,
    /// Only in this stored status.
    pub status: Option<String>,
}

/// A catalogue item as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiCatalogueItem {
    /// Row id.
    pub id: i64,
    /// `product` or `service`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Longer description.
    pub description: String,
    /// Unit price, minor units.
    pub unit_price_minor: i64,
    /// Offered in the portal.
    pub show_in_portal: bool,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

const ITEM_COLUMNS: &str = "SELECT id, kind, name, description, unit_price_minor, \
    show_in_portal, created_at, updated_at FROM catalogue_items";

impl Store {
    /// A page of the company's estimates by change time, after the `(updated_at, id)`
    /// cursor, changed at or after `since`, narrowed by `filter`.
    pub async fn api_estimates(
        &self,
        company: CompanyId,
        filter: &EstimateFilter,
        since: Option<OffsetDateTime>,
        after: Option<(OffsetDateTime, i64)>,
        limit: i64,
    ) -> Result<Vec<ApiEstimate>, StoreError> {
        let mut sql = Sql::default();
        sql.push(&format!("{ESTIMATE_COLUMNS} WHERE company_id = "))
            .val(company.0);
        sql.and_eq("customer_id", filter.customer)
            .and_eq("status", filter.status.as_deref())
            .keyset_page(("", "updated_at"), since, after, limit);
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Estimate `id` of the company.
    pub async fn api_estimate(
        &self,
        company: CompanyId,
        id: EstimateId,
    ) -> Result<Option<ApiEstimate>, StoreError> {
        let sql = format!("{ESTIMATE_COLUMNS} WHERE company_id = $1 AND id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The company's estimate whose external id is `external_ref`.
    pub async fn estimate_by_external_ref(
        &self,
        company: CompanyId,
        external_ref: &str,
    ) -> Result<Option<EstimateId>, StoreError> {
        let row: Option<(i64,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id FROM estimates WHERE company_id = $1 AND external_ref = $2")
            .bind(company.0).bind(external_ref).fetch_optional(p).await)?;
        Ok(row.map(|(id,)| EstimateId(id)))
    }

    /// A page of the company's catalogue items (shown and hidden) by change time, after
    /// the `(updated_at, id)` cursor, changed at or after `since`.
    pub async fn api_catalogue_items(
        &self,
        company: CompanyId,
        since: Option<OffsetDateTime>,
        after: Option<(OffsetDateTime, i64)>,
        limit: i64,
    ) -> Result<Vec<ApiCatalogueItem>, StoreError> {
        let mut sql = Sql::default();
        sql.push(&format!("{ITEM_COLUMNS} WHERE company_id = "))
            .val(company.0);
        sql.keyset_page(("", "updated_at"), since, after, limit);
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Catalogue item `id` of the company, shown or hidden.
    pub async fn api_catalogue_item(
        &self,
        company: CompanyId,
        id: CatalogueItemId,
    ) -> Result<Option<ApiCatalogueItem>, StoreError> {
        let sql = format!("{ITEM_COLUMNS} WHERE company_id = $1 AND id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(p).await)?;
        Ok(row)
    }
}

impl Tx {
    /// Sets the external id of the company's estimate `estimate`; another estimate of the
    /// company with that id is [`StoreError::Conflict`].
    pub async fn set_estimate_external_ref(
        &mut self,
        company: CompanyId,
        estimate: EstimateId,
        external_ref: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "UPDATE estimates SET external_ref = $1, updated_at = $2 WHERE company_id = $3 AND id = $4")
            .bind(external_ref).bind(db_time(now())).bind(company.0).bind(estimate.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
