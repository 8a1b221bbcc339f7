//! A small pool of plain PostgreSQL connections for the portal's hottest reads (the session on
//! every request, the job list and its search). sqlx's pool tests every connection as it comes
//! back with a ping, a whole round trip to the server after each query, so a page of two
//! queries woke the server four times (docs/benchmarks.md has the measurements).
//!
//! Cancel-safety: a connection goes back only after its query ran to the end. A request
//! dropped mid-query drops the connection it holds with it (the socket closes and the server
//! ends that backend), so a half-read connection is never handed out again. At most `size`
//! connections are open at once; only reads come here, every write stays on sqlx's pool
//! inside a transaction.

use std::sync::Mutex;

use sqlx::postgres::{PgConnectOptions, PgRow};
use sqlx::{Connection, FromRow, PgConnection};
use tokio::sync::Semaphore;

use crate::StoreError;
use crate::insert::{Val, bind_vals};

/// The pool: a permit per connection that may be open, and the idle ones.
#[derive(Debug)]
pub(crate) struct PgReads {
    options: PgConnectOptions,
    permits: Semaphore,
    idle: Mutex<Vec<PgConnection>>,
}

impl PgReads {
    /// A pool of up to `size` connections to `options`, opened on first use.
    pub(crate) fn new(options: PgConnectOptions, size: u32) -> PgReads {
        PgReads {
            options,
            permits: Semaphore::new(size.max(1) as usize),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `sql` with `vals` bound to `$1..$n` and reads every row as `T`. A connection that
    /// fails other than with the server's answer to the query (dropped by a restart, say)
    /// is closed and the read tried once more on a new one: a read changes nothing.
    pub(crate) async fn rows<T>(&self, sql: &str, vals: &[Val]) -> Result<Vec<T>, StoreError>
    where
        T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| StoreError::Unreachable(e.to_string()))?;
        let mut retried = false;
        loop {
            let idle = if retried { None } else { self.take() };
            let from_idle = idle.is_some();
            let mut conn = match idle {
                Some(conn) => conn,
                None => PgConnection::connect_with(&self.options)
                    .await
                    .map_err(|e| StoreError::Unreachable(e.to_string()))?,
            };
            let result = bind_vals!(sqlx::query_as::<_, T>(sql), vals)
                .fetch_all(&mut conn)
                .await;
            match result {
                Ok(rows) => {
                    self.give_back(conn);
                    return Ok(rows);
                }
                // The server answered (a bad value, a timeout): the connection is sound.
                Err(e @ sqlx::Error::Database(_)) => {
                    self.give_back(conn);
                    return Err(e.into());
                }
                // Anything else leaves the connection in doubt: it is dropped, not kept.
                Err(_) if from_idle && !retried => retried = true,
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn take(&self) -> Option<PgConnection> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    fn give_back(&self, conn: PgConnection) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(conn);
    }
}
