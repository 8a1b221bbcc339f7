//! The connection pool for either engine, transactions, migrations and backups.

use crate::company_cache::CompanyCache;
use crate::pg_reads::PgReads;
use crate::sqlite_reads::ReadPool;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, PgPool, Postgres, SqlitePool, Transaction};

use crate::StoreError;
use crate::audit::{NewAuditEvent, audit_inserts};
use crate::insert::{Sql, Val, bind_vals};
use crate::sqlite_tx::{SqliteTx, SqliteWriter};
use doorstep_core::ids::CompanyId;

/// Runs `$body` with `$p` bound to the pool of whichever engine `$store` uses.
/// The body is compiled once per engine, so the SQL in it must suit both.
///
/// Crate-private; exported (as `doorstep_store::on_pool!`) only with the `test-support`
/// feature, so tests can run raw SQL while production crates cannot.
#[cfg_attr(feature = "test-support", macro_export)]
#[doc(hidden)]
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match $store.backend() {
            $crate::Backend::Sqlite($p) => $body,
            $crate::Backend::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the open transaction's connection, once per engine.
///
/// Crate-private; exported only with the `test-support` feature, like `on_pool!`.
#[cfg_attr(feature = "test-support", macro_export)]
#[doc(hidden)]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx.inner() {
            $crate::TxInner::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::TxInner::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

// Without `test-support` the macros are not `#[macro_export]`ed; this makes them
// reachable as `crate::on_pool` / `crate::on_tx` inside the store all the same.
#[cfg(not(feature = "test-support"))]
pub(crate) use {on_pool, on_tx};

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

#[doc(hidden)]
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database: a pool on SQLite or PostgreSQL, chosen once from the URL's scheme.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    companies: CompanyCache,
    /// Plain connections for the hottest reads, on a SQLite file (not in memory).
    reads: Option<Arc<ReadPool>>,
    /// Plain connections for the hottest reads on PostgreSQL.
    pg_reads: Option<Arc<PgReads>>,
    /// SQLite's one writer at a time, as a queue in this process: a transaction waits its
    /// turn there, holding no connection, instead of in SQLite's busy handler, which polls
    /// in sleeps of up to 100 ms and so left the lock idle while writers slept; those that
    /// end while others wait share a commit (`sqlite_tx`).
    writer: Option<Arc<SqliteWriter>>,
}

#[doc(hidden)]
pub enum TxInner {
    Sqlite(SqliteTx),
    Postgres(Transaction<'static, Postgres>),
}

/// An open transaction; dropped without [`Tx::commit`] it rolls back, so nothing is half-written.
pub struct Tx {
    inner: TxInner,
    companies: CompanyCache,
    companies_changed: bool,
    /// Audit rows, written with the commit.
    audits: Vec<(CompanyId, NewAuditEvent)>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a SQLite transaction waits for its turn as the writer (SQLite's busy timeout).
const WRITER_WAIT: Duration = Duration::from_secs(10);

/// How many connections a pool keeps; measured best on 2 cores (see style.md).
const DEFAULT_POOL_SIZE: u32 = 4;

impl Store {
    /// Opens a pool for `url` (`sqlite://path`, `postgres://...`) and checks it answers.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Self::connect_with(url, DEFAULT_POOL_SIZE).await
    }

    /// Like [`Store::connect`] with an explicit pool size.
    pub async fn connect_with(url: &str, pool_size: u32) -> Result<Store, StoreError> {
        let pool_size = pool_size.max(1);
        let mut reads = None;
        let mut pg_reads = None;
        let backend = match Self::kind_of(url)? {
            DbKind::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|e| StoreError::InvalidUrl(e.to_string()))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL: a committed payment must survive a power loss, not only a killed process.
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .pragma("mmap_size", "268435456")
                    .pragma("cache_size", "-8000");
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                if !in_memory {
                    reads = Some(Arc::new(ReadPool::new(
                        options.get_filename().to_string_lossy().into_owned(),
                    )));
                }
                // No ping before each use: a SQLite connection is a file handle that cannot
                // go stale, and the ping was one more hop to the connection's thread for
                // every query, inside the write lock for every write.
                let pool = SqlitePoolOptions::new()
                    .max_connections(pool_size)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .map_err(|e| StoreError::Unreachable(e.to_string()))?;
                Backend::Sqlite(pool)
            }
            DbKind::Postgres => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
                // One direct attempt first: the pool would retry until its timeout and
                // report only that, hiding the real cause (refused, bad password, no database).
                let first = tokio::time::timeout(
                    Duration::from_secs(10),
                    sqlx::PgConnection::connect_with(&options),
                )
                .await
                .map_err(|_| StoreError::Unreachable("no answer within 10 seconds".into()))?
                .map_err(|e| StoreError::Unreachable(e.to_string()))?;
                let _ = first.close().await;
                // No ping before each query: it was a whole extra round trip per query (sqlx
                // also pings on release, which keeps a cancelled query's connection out of
                // the pool). A connection the server dropped fails its next query once and is
                // then closed, instead of being found out by the ping.
                pg_reads = Some(Arc::new(PgReads::new(options.clone(), pool_size)));
                let pool = PgPoolOptions::new()
                    .max_connections(pool_size)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .map_err(|e| StoreError::Unreachable(e.to_string()))?;
                Backend::Postgres(pool)
            }
        };
        let writer = match &backend {
            Backend::Sqlite(pool) => Some(Arc::new(SqliteWriter::new(pool.clone()))),
            Backend::Postgres(_) => None,
        };
        Ok(Store {
            backend,
            companies: CompanyCache::default(),
            reads,
            pg_reads,
            writer,
        })
    }

    /// Tells the engine from the URL's scheme, refusing anything else.
    pub fn kind_of(url: &str) -> Result<DbKind, StoreError> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
        match scheme {
            "sqlite" => Ok(DbKind::Sqlite),
            "postgres" | "postgresql" => Ok(DbKind::Postgres),
            _ => Err(StoreError::InvalidUrl(format!(
                "{url:?} is neither sqlite://... nor postgres://..."
            ))),
        }
    }

    /// The engine this store runs on.
    pub fn kind(&self) -> DbKind {
        match self.backend {
            Backend::Sqlite(_) => DbKind::Sqlite,
            Backend::Postgres(_) => DbKind::Postgres,
        }
    }

    /// The raw pool, for the store's own `on_pool!`; public only with `test-support`.
    #[cfg(feature = "test-support")]
    #[doc(hidden)]
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    #[cfg(not(feature = "test-support"))]
    pub(crate) fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Runs one of the portal's hottest reads through the plain connections of either engine
    /// (`sqlite_reads`, `pg_reads`), or sqlx's pool for an in-memory SQLite database;
    /// `from_sqlite` reads a row of the plain SQLite connection by position.
    pub(crate) async fn hot_rows<T>(
        &self,
        sql: &str,
        vals: &[Val],
        from_sqlite: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        if let Some(reads) = &self.reads {
            return reads.rows(sql, vals, from_sqlite);
        }
        if let Some(reads) = &self.pg_reads {
            return reads.rows(sql, vals).await;
        }
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(sql), vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The cache of companies by host this store's transactions keep true.
    pub(crate) fn company_cache(&self) -> &CompanyCache {
        &self.companies
    }

    /// Applies every pending migration; running it again changes nothing.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let result = match &self.backend {
            Backend::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        };
        result.map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// Applies only the first `count` migrations: how tests build a database "from an older version".
    pub async fn migrate_first(&self, count: usize) -> Result<(), StoreError> {
        let base = match &self.backend {
            Backend::Sqlite(_) => &SQLITE_MIGRATIONS,
            Backend::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        let mut migrator = sqlx::migrate::Migrator {
            migrations: base.migrations.iter().take(count).cloned().collect(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        migrator.set_ignore_missing(true);
        let result = match &self.backend {
            Backend::Sqlite(pool) => migrator.run(pool).await,
            Backend::Postgres(pool) => migrator.run(pool).await,
        };
        result.map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// The versions of the migrations applied so far, in order.
    pub async fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        let sql = "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version";
        let rows: Vec<i64> = on_pool!(self, p => sqlx::query_scalar(sql).fetch_all(p).await)?;
        Ok(rows)
    }

    /// How many migrations ship with this build.
    pub fn known_migrations(&self) -> usize {
        match &self.backend {
            Backend::Sqlite(_) => SQLITE_MIGRATIONS.migrations.len(),
            Backend::Postgres(_) => POSTGRES_MIGRATIONS.migrations.len(),
        }
    }

    /// Answers whether the database responds, for `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let one: i64 =
            on_pool!(self, p => sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(p).await)?;
        if one == 1 {
            Ok(())
        } else {
            Err(StoreError::Unreachable("unexpected answer".into()))
        }
    }

    /// Starts a write transaction (on SQLite it holds the write lock from the start).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let inner = match &self.writer {
            // IMMEDIATE takes the write lock up front, waiting on the busy timeout. A deferred
            // transaction that read first and then writes fails at once with SQLITE_BUSY when
            // another connection wrote meanwhile: SQLite cannot wait there without deadlocking.
            //
            // The turn is taken before the connection, so no one waits for it holding one; as
            // long as the busy timeout, then refused as a pool that stays busy is.
            //
            // The begin runs in a task of its own, which runs to the end even when the caller
            // is dropped (a client hanging up): dropped while the BEGIN is on its way, the
            // caller would leave the connection inside a transaction nothing will end, holding
            // the write lock for good. A transaction begun for a caller that has gone is
            // dropped in the task and rolled back, before the turn is given back.
            Some(writer) => {
                let turn = tokio::time::timeout(WRITER_WAIT, writer.turn().acquire_owned())
                    .await
                    .map_err(|_| StoreError::Database(sqlx::Error::PoolTimedOut))?
                    .map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
                let writer = writer.clone();
                let begun = tokio::spawn(SqliteTx::begin(writer, turn))
                    .await
                    .map_err(|_| StoreError::Database(sqlx::Error::WorkerCrashed))?;
                TxInner::Sqlite(begun?)
            }
            None => match &self.backend {
                Backend::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
                Backend::Sqlite(_) => unreachable!("a SQLite store has a writer"),
            },
        };
        Ok(Tx {
            inner,
            companies: self.companies.clone(),
            companies_changed: false,
            audits: Vec::new(),
        })
    }

    /// Writes an online, consistent copy of a SQLite database to `path` (which must not exist).
    pub async fn backup_to(&self, path: &str) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                if std::path::Path::new(path).exists() {
                    return Err(StoreError::Conflict(format!("{path} already exists")));
                }
                // VACUUM INTO reads one snapshot while writers carry on (WAL mode).
                sqlx::query("VACUUM INTO $1")
                    .bind(path)
                    .execute(pool)
                    .await?;
                Ok(())
            }
            Backend::Postgres(_) => Err(StoreError::Unsupported(
                "backup works on SQLite only; for PostgreSQL use pg_dump (e.g. pg_dump -Fc DATABASE > doorstep.dump)".into(),
            )),
        }
    }

    /// Closes every connection, waiting for those in use.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// The raw transaction, for the store's own `on_tx!`; public only with `test-support`.
    #[cfg(feature = "test-support")]
    #[doc(hidden)]
    pub fn inner(&mut self) -> &mut TxInner {
        &mut self.inner
    }

    #[cfg(not(feature = "test-support"))]
    pub(crate) fn inner(&mut self) -> &mut TxInner {
        &mut self.inner
    }

    /// Notes that a company row changes, so the cache is cleared when this commits.
    pub(crate) fn companies_changed(&mut self) {
        self.companies_changed = true;
    }

    /// Makes every write of the transaction durable at once.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        let mut audits = audit_inserts(&self.audits);
        // SQLite sends the last statement with the COMMIT; PostgreSQL runs them all first.
        let last = match self.inner {
            TxInner::Sqlite(_) => audits.pop().unwrap_or_default(),
            TxInner::Postgres(_) => Sql::default(),
        };
        for sql in &audits {
            on_tx!(self, c => bind_vals!(sqlx::query(&sql.text), sql.vals).execute(&mut *c).await.map(|_| ()))?;
        }
        match self.inner {
            TxInner::Sqlite(t) => t.commit(last).await?,
            TxInner::Postgres(t) => t.commit().await?,
        }
        if self.companies_changed {
            self.companies.clear();
        }
        Ok(())
    }

    /// Undoes every write of the transaction, like dropping it, and returns once what it read
    /// is durable. On SQLite a transaction can read the work of others that ended before it
    /// and whose shared commit is still to come; a use case that acts on such a read (answers
    /// with it, reads again outside, charges a card) ends with this rather than a drop.
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(t) => t.rollback().await?,
            TxInner::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    /// Queues an audit row for the commit.
    pub(crate) fn queue_audit(&mut self, company: CompanyId, e: NewAuditEvent) {
        self.audits.push((company, e));
    }
}
