//! Self-booking: the availability windows a company publishes, as the request form offers
//! them. Taking a place is `Tx::take_window_place_checked` (availability.rs): one conditional
//! update (`booked < capacity`), so customers racing for the last place cannot overbook it.

use doorstep_core::ids::CompanyId;
use time::Date;

use crate::{Store, StoreError, on_pool};

/// A window a customer may book.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenWindow {
    /// Id.
    pub id: i64,
    /// The day.
    pub window_date: Date,
    /// `am`, `pm`, `all_day` or `exact`.
    pub slot: String,
    /// Start, for hour windows.
    pub start_time: String,
    /// End, for hour windows.
    pub end_time: String,
    /// Places in all.
    pub capacity: i64,
    /// Places taken.
    pub booked: i64,
}

impl OpenWindow {
    /// Places left.
    pub fn free(&self) -> i64 {
        (self.capacity - self.booked).max(0)
    }
}

const WINDOW_COLUMNS: &str = "SELECT id, window_date, slot, start_time, end_time, capacity, booked FROM availability_windows";

impl Store {
    /// The company's windows from `from` on that still have room, soonest first (at most `limit`).
    pub async fn open_windows(
        &self,
        company: CompanyId,
        from: Date,
        limit: i64,
    ) -> Result<Vec<OpenWindow>, StoreError> {
        let sql = format!(
            "{WINDOW_COLUMNS} WHERE company_id = $1 AND window_date >= $2 AND booked < capacity \
             ORDER BY window_date, start_time, id LIMIT $3"
        );
        let rows = on_pool!(self, p => sqlx::query_as(&sql).bind(company.0).bind(from).bind(limit).fetch_all(p).await)?;
        Ok(rows)
    }

    /// One window of the company, full or not.
    pub async fn window(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<OpenWindow>, StoreError> {
        let sql = format!("{WINDOW_COLUMNS} WHERE company_id = $1 AND id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql).bind(company.0).bind(id).fetch_optional(p).await)?;
        Ok(row)
    }
}
