//! A small pool of plain SQLite connections for the portal's hottest reads (the session on
//! every request, the job list and its search). sqlx's SQLite driver runs each connection
//! on its own thread and hands every row to the caller through a channel; for a 26-row
//! page the hand-offs cost more than the query. Here a read runs start to finish on the
//! calling thread: these reads take well under a millisecond, so waking another thread
//! would cost more than it spares (docs/benchmarks.md has the measurements).
//!
//! The read is synchronous from taking a connection to putting it back, so a cancelled
//! request cannot leave a connection half-used or lost. Only reads come here; every write
//! stays on sqlx inside a transaction, and the connections are `query_only`.

use std::sync::Mutex;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, Row};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::StoreError;
use crate::insert::Val;

/// Idle connections kept; more would only hold memory (callers are the runtime's threads).
const KEEP_IDLE: usize = 8;

/// The pool: connections not in use right now, opened on demand.
#[derive(Debug)]
pub(crate) struct ReadPool {
    path: String,
    idle: Mutex<Vec<Connection>>,
}

impl ReadPool {
    /// A pool reading the SQLite file at `path` (opened on first use).
    pub(crate) fn new(path: String) -> ReadPool {
        ReadPool {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `sql` with `vals` bound to `$1..$n` and maps every row with `map`.
    pub(crate) fn rows<T>(
        &self,
        sql: &str,
        vals: &[Val],
        map: fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let conn = self.take()?;
        let result = query(&conn, sql, vals, map);
        self.give_back(conn);
        result.map_err(read_error)
    }

    fn take(&self) -> Result<Connection, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        match idle {
            Some(conn) => Ok(conn),
            None => open(&self.path).map_err(read_error),
        }
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEEP_IDLE {
            idle.push(conn);
        }
    }
}

/// Opens a connection with the same reading settings as the sqlx pool.
fn open(path: &str) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(
        "PRAGMA query_only = 1; PRAGMA mmap_size = 268435456; PRAGMA cache_size = -8000;",
    )?;
    // Without the planner stability guarantee, rebinding a parameter that the plan looked
    // at (a LIKE pattern, a MATCH text, a column with STAT4 samples) throws the compiled
    // statement away and parses it again on every run: a third of a search's time.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

fn query<T>(
    conn: &Connection,
    sql: &str,
    vals: &[Val],
    map: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    // `$n` is a named parameter to SQLite; binding by name keeps `$1` right wherever it
    // first appears and however often.
    for (i, val) in vals.iter().enumerate() {
        let Some(index) = stmt.parameter_index(&format!("${}", i + 1))? else {
            continue;
        };
        match val {
            Val::Int(v) => stmt.raw_bind_parameter(index, v)?,
            Val::Text(v) => stmt.raw_bind_parameter(index, v)?,
            Val::Bool(v) => stmt.raw_bind_parameter(index, i64::from(*v))?,
            Val::Time(v) => stmt.raw_bind_parameter(index, v.map(|t| t.sqlite_text()))?,
            Val::Day(v) => stmt.raw_bind_parameter(index, v.map(day_text))?,
        }
    }
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(map(row)?);
    }
    Ok(out)
}

fn read_error(err: rusqlite::Error) -> StoreError {
    StoreError::Unsupported(format!("database error: {err}"))
}

/// A date as sqlx writes it to SQLite.
fn day_text(day: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// Reads a timestamp column written by sqlx (RFC 3339), or by SQLite itself
/// (`CURRENT_TIMESTAMP`: `YYYY-MM-DD HH:MM:SS`, UTC).
pub(crate) fn time_at(row: &Row<'_>, index: usize) -> rusqlite::Result<OffsetDateTime> {
    let text: String = row.get(index)?;
    parse_time(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            format!("not a timestamp: {text:?}").into(),
        )
    })
}

/// Reads an `(id, text)` row: the shape of many small lookups.
pub(crate) fn id_and_text(row: &Row<'_>) -> rusqlite::Result<(i64, String)> {
    Ok((row.get(0)?, row.get(1)?))
}

/// Like [`time_at`] for a column that may be NULL.
pub(crate) fn maybe_time_at(
    row: &Row<'_>,
    index: usize,
) -> rusqlite::Result<Option<OffsetDateTime>> {
    match row.get_ref(index)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => time_at(row, index).map(Some),
    }
}

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let plain = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let fraction = format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]");
    PrimitiveDateTime::parse(text, &plain)
        .or_else(|_| PrimitiveDateTime::parse(text, &fraction))
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_read_as_sqlx_and_sqlite_write_them() {
        let at = datetime!(2026-11-23 16:30:05 UTC);
        assert_eq!(parse_time("2026-11-23T16:30:05Z"), Some(at));
        assert_eq!(parse_time("2026-11-23 16:30:05"), Some(at));
        assert_eq!(parse_time("2026-11-23 16:30:05.000"), Some(at));
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(crate::db_time(at).sqlite_text(), "2026-11-23T16:30:05Z");
        assert_eq!(day_text(at.date()), "2026-11-23");
    }
}
