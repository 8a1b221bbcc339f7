//! The office's and the API's assets and maintenance schedules (issue 20): reads by
//! customer, by id and by change time (keyset on `(updated_at, id)` over `assets_updated`,
//! `assets_customer_updated` and `maintenance_updated`, migration 0044), and the writes of
//! `doorstep_app::assets`. A write to a schedule touches its asset too, so a sync that
//! follows assets by change time sees its maintenance move.

use doorstep_core::ids::{AssetId, CompanyId, CustomerId, MaintenanceScheduleId, SiteId};
use time::{Date, OffsetDateTime};

use crate::insert::{Sql, bind_vals};
use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// An asset as the office and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssetRow {
    /// Id.
    pub id: i64,
    /// The account's id.
    pub customer_id: i64,
    /// Where it stands.
    pub site_id: Option<i64>,
    /// That site's name.
    pub site_name: Option<String>,
    /// `equipment` or `rental`.
    pub kind: String,
    /// What people call it.
    pub name: String,
    /// Manufacturer.
    pub make: String,
    /// Model.
    pub model: String,
    /// Serial number.
    pub serial_number: String,
    /// When it was installed.
    pub installed_on: Option<Date>,
    /// Rental start.
    pub rental_start_on: Option<Date>,
    /// Rental end.
    pub rental_end_on: Option<Date>,
    /// The office's notes.
    pub notes: String,
    /// When it was retired.
    pub retired_at: Option<OffsetDateTime>,
    /// When it was recorded.
    pub created_at: OffsetDateTime,
    /// When it (or its maintenance) last changed.
    pub updated_at: OffsetDateTime,
}

/// A maintenance schedule of an asset.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ScheduleRow {
    /// Id.
    pub id: i64,
    /// The asset's id.
    pub asset_id: i64,
    /// What is done ("Annual service").
    pub title: String,
    /// Days between two services.
    pub interval_days: i64,
    /// The last service.
    pub last_done_on: Option<Date>,
    /// The next service.
    pub next_due_on: Date,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

/// An asset's fields as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetInput {
    /// Where it stands.
    pub site: Option<SiteId>,
    /// `equipment` or `rental`.
    pub kind: String,
    /// What people call it.
    pub name: String,
    /// Manufacturer.
    pub make: String,
    /// Model.
    pub model: String,
    /// Serial number.
    pub serial_number: String,
    /// When it was installed.
    pub installed_on: Option<Date>,
    /// Rental start.
    pub rental_start_on: Option<Date>,
    /// Rental end.
    pub rental_end_on: Option<Date>,
    /// The office's notes.
    pub notes: String,
}

/// A schedule's fields as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleInput {
    /// What is done.
    pub title: String,
    /// Days between two services.
    pub interval_days: i64,
    /// The last service.
    pub last_done_on: Option<Date>,
    /// The next service.
    pub next_due_on: Date,
}

/// What a write to an asset checks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetState {
    /// The account it belongs to.
    pub customer: CustomerId,
    /// Where it stands now.
    pub site: Option<SiteId>,
    /// Whether it is retired.
    pub retired: bool,
}

/// What a list by change time is narrowed to.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChangedFilter {
    /// Changed at or after this.
    pub since: Option<OffsetDateTime>,
    /// After this `(updated_at, id)`.
    pub after: Option<(OffsetDateTime, i64)>,
}

const ASSET_COLUMNS: &str = "SELECT a.id, a.customer_id, a.site_id, s.name AS site_name, \
    a.kind, a.name, a.make, a.model, a.serial_number, a.installed_on, a.rental_start_on, \
    a.rental_end_on, a.notes, a.retired_at, a.created_at, a.updated_at FROM assets a \
    LEFT JOIN sites s ON s.company_id = a.company_id AND s.id = a.site_id \
    WHERE a.company_id = ";

const SCHEDULE_COLUMNS: &str = "SELECT m.id, m.asset_id, m.title, m.interval_days, \
    m.last_done_on, m.next_due_on, m.created_at, m.updated_at FROM maintenance_schedules m \
    WHERE m.company_id = ";

impl Store {
    /// A page of the company's assets by change time (of one account, when given).
    pub async fn assets_changed(
        &self,
        company: CompanyId,
        customer: Option<CustomerId>,
        filter: ChangedFilter,
        limit: i64,
    ) -> Result<Vec<AssetRow>, StoreError> {
        let mut sql = Sql::default();
        sql.push(ASSET_COLUMNS).val(company.0);
        sql.and_eq("a.customer_id", customer.map(|c| c.0))
            .keyset_page(("a.", "updated_at"), filter.since, filter.after, limit);
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Asset `id` of the company.
    pub async fn asset(
        &self,
        company: CompanyId,
        id: AssetId,
    ) -> Result<Option<AssetRow>, StoreError> {
        let sql = format!("{ASSET_COLUMNS}$1 AND a.id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The assets of account `customer`: those in use first, each group by name.
    pub async fn assets_of_customer(
        &self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<AssetRow>, StoreError> {
        let sql = format!(
            "{ASSET_COLUMNS}$1 AND a.customer_id = $2 \
             ORDER BY CASE WHEN a.retired_at IS NULL THEN 0 ELSE 1 END, a.name, a.id"
        );
        let rows = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(customer.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The maintenance schedules of account `customer`'s assets, soonest due first.
    pub async fn schedules_of_customer(
        &self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<ScheduleRow>, StoreError> {
        let sql = format!(
            "{SCHEDULE_COLUMNS}$1 AND m.asset_id IN \
             (SELECT id FROM assets WHERE company_id = $1 AND customer_id = $2) \
             ORDER BY m.next_due_on, m.id"
        );
        let rows = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(customer.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// A page of asset `asset`'s schedules by change time.
    pub async fn schedules_changed(
        &self,
        company: CompanyId,
        asset: AssetId,
        filter: ChangedFilter,
        limit: i64,
    ) -> Result<Vec<ScheduleRow>, StoreError> {
        let mut sql = Sql::default();
        sql.push(SCHEDULE_COLUMNS).val(company.0);
        sql.push(" AND m.asset_id = ").val(asset.0);
        sql.keyset_page(("m.", "updated_at"), filter.since, filter.after, limit);
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Maintenance schedule `id` of the company.
    pub async fn schedule(
        &self,
        company: CompanyId,
        id: MaintenanceScheduleId,
    ) -> Result<Option<ScheduleRow>, StoreError> {
        let sql = format!("{SCHEDULE_COLUMNS}$1 AND m.id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(p).await)?;
        Ok(row)
    }
}

impl Tx {
    /// Asset `id`'s account, its site and whether it is retired.
    pub async fn asset_state(
        &mut self,
        company: CompanyId,
        id: AssetId,
    ) -> Result<Option<AssetState>, StoreError> {
        let row: Option<(i64, Option<i64>, bool)> = on_tx!(self, x => sqlx::query_as(
            "SELECT customer_id, site_id, (retired_at IS NOT NULL) AS retired FROM assets \
             WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).fetch_optional(&mut *x).await)?;
        Ok(row.map(|(c, s, retired)| AssetState {
            customer: CustomerId(c),
            site: s.map(SiteId),
            retired,
        }))
    }

    /// Records an asset of account `customer`.
    pub async fn insert_office_asset(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        a: &AssetInput,
    ) -> Result<AssetId, StoreError> {
        let at = db_time(now());
        let (id,): (i64,) = on_tx!(self, x => sqlx::query_as(
            "INSERT INTO assets (company_id, customer_id, site_id, kind, name, make, model, \
             serial_number, installed_on, rental_start_on, rental_end_on, notes, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
             RETURNING id")
            .bind(company.0).bind(customer.0).bind(a.site.map(|s| s.0)).bind(&a.kind)
            .bind(&a.name).bind(&a.make).bind(&a.model).bind(&a.serial_number)
            .bind(a.installed_on).bind(a.rental_start_on).bind(a.rental_end_on).bind(&a.notes)
            .bind(at).fetch_one(&mut *x).await)?;
        Ok(AssetId(id))
    }

    /// Saves asset `id`'s fields.
    pub async fn update_asset(
        &mut self,
        company: CompanyId,
        id: AssetId,
        a: &AssetInput,
    ) -> Result<(), StoreError> {
        let n = on_tx!(self, x => sqlx::query(
            "UPDATE assets SET site_id = $3, kind = $4, name = $5, make = $6, model = $7, \
             serial_number = $8, installed_on = $9, rental_start_on = $10, rental_end_on = $11, \
             notes = $12, updated_at = $13 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).bind(a.site.map(|s| s.0)).bind(&a.kind)
            .bind(&a.name).bind(&a.make).bind(&a.model).bind(&a.serial_number)
            .bind(a.installed_on).bind(a.rental_start_on).bind(a.rental_end_on).bind(&a.notes)
            .bind(db_time(now())).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Marks asset `id` retired now.
    pub async fn retire_asset(
        &mut self,
        company: CompanyId,
        id: AssetId,
    ) -> Result<(), StoreError> {
        let at = db_time(now());
        let n = on_tx!(self, x => sqlx::query(
            "UPDATE assets SET retired_at = $3, updated_at = $3 \
             WHERE company_id = $1 AND id = $2 AND retired_at IS NULL")
            .bind(company.0).bind(id.0).bind(at)
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Marks asset `id` changed now (its maintenance changed).
    async fn touch_asset(&mut self, company: CompanyId, id: AssetId) -> Result<(), StoreError> {
        on_tx!(self, x => sqlx::query(
            "UPDATE assets SET updated_at = $3 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).bind(db_time(now()))
            .execute(&mut *x).await.map(|_| ()))?;
        Ok(())
    }

    /// Schedule `id`'s asset.
    pub async fn schedule_asset(
        &mut self,
        company: CompanyId,
        id: MaintenanceScheduleId,
    ) -> Result<Option<AssetId>, StoreError> {
        let row: Option<(i64,)> = on_tx!(self, x => sqlx::query_as(
            "SELECT asset_id FROM maintenance_schedules WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).fetch_optional(&mut *x).await)?;
        Ok(row.map(|(a,)| AssetId(a)))
    }

    /// Schedules maintenance of asset `asset`.
    pub async fn insert_schedule(
        &mut self,
        company: CompanyId,
        asset: AssetId,
        m: &ScheduleInput,
    ) -> Result<MaintenanceScheduleId, StoreError> {
        let at = db_time(now());
        let (id,): (i64,) = on_tx!(self, x => sqlx::query_as(
            "INSERT INTO maintenance_schedules (company_id, asset_id, title, interval_days, \
             last_done_on, next_due_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id")
            .bind(company.0).bind(asset.0).bind(&m.title).bind(m.interval_days)
            .bind(m.last_done_on).bind(m.next_due_on).bind(at).fetch_one(&mut *x).await)?;
        self.touch_asset(company, asset).await?;
        Ok(MaintenanceScheduleId(id))
    }

    /// Saves schedule `id` of asset `asset`.
    pub async fn update_schedule(
        &mut self,
        company: CompanyId,
        asset: AssetId,
        id: MaintenanceScheduleId,
        m: &ScheduleInput,
    ) -> Result<(), StoreError> {
        let n = on_tx!(self, x => sqlx::query(
            "UPDATE maintenance_schedules SET title = $3, interval_days = $4, last_done_on = $5, \
             next_due_on = $6, updated_at = $7 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).bind(&m.title).bind(m.interval_days)
            .bind(m.last_done_on).bind(m.next_due_on).bind(db_time(now()))
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.touch_asset(company, asset).await
    }

    /// Removes schedule `id` of asset `asset`.
    pub async fn delete_schedule(
        &mut self,
        company: CompanyId,
        asset: AssetId,
        id: MaintenanceScheduleId,
    ) -> Result<(), StoreError> {
        let n = on_tx!(self, x => sqlx::query(
            "DELETE FROM maintenance_schedules WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0)
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.touch_asset(company, asset).await
    }
}
