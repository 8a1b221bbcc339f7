//! Availability windows the office publishes for self-booking: a day, AM/PM/all day or
//! exact hours, and a capacity. Capacity is taken and given back only by conditional
//! updates (`booked < capacity`, `booked > 0`), so two bookings racing for the last place
//! cannot both win and a count never leaves `0..=capacity`.

use doorstep_core::ids::CompanyId;
use time::Date;

use crate::{Store, StoreError, Tx, now, on_pool, on_tx};

/// One window with how full it is.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Window {
    /// Id.
    pub id: i64,
    /// The day.
    pub window_date: Date,
    /// `am`, `pm`, `all_day` or `exact`.
    pub slot: String,
    /// `HH:MM` for exact windows, else empty.
    pub start_time: String,
    /// `HH:MM` for exact windows, else empty.
    pub end_time: String,
    /// How many visits fit.
    pub capacity: i64,
    /// How many are booked.
    pub booked: i64,
}

impl Window {
    /// Whether another visit fits.
    pub fn is_open(&self) -> bool {
        self.booked < self.capacity
    }
}

/// A new window as the office typed it (already checked).
#[derive(Debug, Clone)]
pub struct NewWindow {
    /// The day.
    pub date: Date,
    /// `am`, `pm`, `all_day` or `exact`.
    pub slot: String,
    /// `HH:MM` for exact windows, else empty.
    pub start_time: String,
    /// `HH:MM` for exact windows, else empty.
    pub end_time: String,
    /// How many visits fit.
    pub capacity: i64,
}

/// Something holding a place in a window: an open request or a visit.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Booking {
    /// `request` or `job`.
    pub kind: String,
    /// The request's or job's number.
    pub number: String,
    /// The account's name.
    pub customer_name: String,
    /// The site's name, if any.
    pub site_name: Option<String>,
}

/// What became of a capacity change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityChange {
    /// Saved.
    Done,
    /// Refused: this many places are already booked.
    BelowBooked(i64),
    /// No such window of the company.
    NotFound,
}

const COLUMNS: &str = "id, window_date, slot, start_time, end_time, capacity, booked";

impl Store {
    /// A page of the company's windows from `from` on, soonest first, after the
    /// `(window_date, id)` keyset cursor.
    pub async fn windows_page(
        &self,
        company: CompanyId,
        from: Date,
        after: Option<(Date, i64)>,
        limit: i64,
    ) -> Result<Vec<Window>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM availability_windows WHERE company_id = $1 AND window_date >= $2 \
             AND ($3 = FALSE OR window_date > $4 OR (window_date = $4 AND id > $5)) \
             ORDER BY window_date, id LIMIT $6"
        );
        let (day, id) = after.unwrap_or((from, 0));
        let rows = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(from).bind(after.is_some()).bind(day).bind(id).bind(limit)
            .fetch_all(p).await)?;
        Ok(rows)
    }

    /// Windows from `from` on with a place left, soonest first, at most `limit`.
    pub async fn office_open_windows(
        &self,
        company: CompanyId,
        from: Date,
        limit: i64,
    ) -> Result<Vec<Window>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM availability_windows WHERE company_id = $1 AND window_date >= $2 \
             AND booked < capacity ORDER BY window_date, id LIMIT $3"
        );
        let rows = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(from).bind(limit).fetch_all(p).await)?;
        Ok(rows)
    }

    /// One window of the company.
    pub async fn office_window(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<Window>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM availability_windows WHERE company_id = $1 AND id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id).fetch_optional(p).await)?;
        Ok(row)
    }

    /// What holds a place in the window: requests still open (new or read) that booked
    /// it, and visits (not cancelled) in it; requests first, then by number.
    pub async fn window_bookings(
        &self,
        company: CompanyId,
        window: i64,
    ) -> Result<Vec<Booking>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT 'request' AS kind, r.number AS number, c.name AS customer_name, s.name AS site_name \
             FROM service_requests r JOIN customers c ON c.company_id = r.company_id AND c.id = r.customer_id \
             LEFT JOIN sites s ON s.company_id = r.company_id AND s.id = r.site_id \
             WHERE r.company_id = $1 AND r.availability_window_id = $2 AND r.status IN ('new', 'read') \
             UNION ALL \
             SELECT 'job' AS kind, j.number AS number, c.name AS customer_name, s.name AS site_name \
             FROM jobs j JOIN customers c ON c.company_id = j.company_id AND c.id = j.customer_id \
             LEFT JOIN sites s ON s.company_id = j.company_id AND s.id = j.site_id \
             WHERE j.company_id = $1 AND j.availability_window_id = $2 AND j.status <> 'cancelled' \
             ORDER BY kind DESC, number")
            .bind(company.0).bind(window).fetch_all(p).await)?;
        Ok(rows)
    }
}

impl Tx {
    /// Publishes a window; `StoreError::Conflict` when the company already has one for
    /// that day, slot and start.
    pub async fn create_window(
        &mut self,
        company: CompanyId,
        w: &NewWindow,
    ) -> Result<i64, StoreError> {
        self.insert_row(
            "availability_windows",
            company.0,
            &[
                ("window_date", w.date.into()),
                ("slot", (&w.slot).into()),
                ("start_time", (&w.start_time).into()),
                ("end_time", (&w.end_time).into()),
                ("capacity", w.capacity.into()),
                ("created_at", now().into()),
            ],
            true,
        )
        .await
    }

    /// Sets a window's capacity, never below what is already booked.
    pub async fn set_window_capacity(
        &mut self,
        company: CompanyId,
        window: i64,
        capacity: i64,
    ) -> Result<CapacityChange, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE availability_windows SET capacity = $1 \
             WHERE company_id = $2 AND id = $3 AND booked <= $1")
            .bind(capacity).bind(company.0).bind(window)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if done == 1 {
            return Ok(CapacityChange::Done);
        }
        let booked: Option<i64> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT booked FROM availability_windows WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(window).fetch_optional(&mut *c).await)?;
        Ok(booked.map_or(CapacityChange::NotFound, CapacityChange::BelowBooked))
    }

    /// Takes one place in an open window of the company on or after `from`; `false`
    /// (nothing changed) when it is full, past or not the company's.
    pub async fn take_window_place_checked(
        &mut self,
        company: CompanyId,
        window: i64,
        from: Date,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE availability_windows SET booked = booked + 1 \
             WHERE company_id = $1 AND id = $2 AND booked < capacity AND window_date >= $3")
            .bind(company.0).bind(window).bind(from)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Gives one place of a window back.
    pub async fn release_window_place(
        &mut self,
        company: CompanyId,
        window: i64,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "UPDATE availability_windows SET booked = booked - 1 \
             WHERE company_id = $1 AND id = $2 AND booked > 0")
            .bind(company.0).bind(window)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
