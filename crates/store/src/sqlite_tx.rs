//! SQLite's writer: transactions take turns, and those that end while others wait share one
//! `COMMIT` (group commit).
//!
//! SQLite has one write lock, and each commit writes every page it changed to the WAL and
//! waits for the disk. Creating a job changes about forty pages (the job, its indexes and
//! search index, its status row, the audit row and theirs), mostly the same pages as the
//! next job's, so commits made one at a time capped the API's job writes at the disk's pace.
//! Here a transaction that ends while other writers are queued releases its savepoint,
//! leaves the SQLite transaction open for them, and waits: the last one in the group (or the
//! first to find no one behind it) commits for all, and each caller hears that the `COMMIT`
//! succeeded before it answers. Nothing is acknowledged before it is durable, and a member
//! that fails or is dropped rolls back only its own savepoint.
//!
//! Our own `BEGIN IMMEDIATE`, `SAVEPOINT` and `COMMIT` run on a pooled connection (sqlx's
//! transaction would cost a second trip to the connection's thread to begin), and the audit
//! rows of a transaction go in the same trip as its end.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::pool::PoolConnection;
use sqlx::{Executor, Sqlite, SqliteConnection, SqlitePool};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use crate::insert::{Sql, bind_vals};

/// The most transactions one `COMMIT` makes durable; past it the member commits at once,
/// so a long queue still sees commits regularly.
const MAX_GROUP: usize = 16;

/// What a group's `COMMIT` came to: `None` until it ran, then the error's text if it failed.
type Outcome = Option<Result<(), Arc<str>>>;

/// The one writer of a SQLite database in this process.
#[derive(Debug)]
pub(crate) struct SqliteWriter {
    pool: SqlitePool,
    /// One transaction at a time uses the writing connection.
    turn: Arc<Semaphore>,
    /// The open group between two members' turns.
    parked: Mutex<Option<Group>>,
    next_group: AtomicU64,
}

/// An open SQLite transaction shared by the members that ended in it.
#[derive(Debug)]
struct Group {
    conn: PoolConnection<Sqlite>,
    id: u64,
    /// Members whose work is in the transaction and who wait for its `COMMIT`.
    members: usize,
    outcome: watch::Sender<Outcome>,
}

impl SqliteWriter {
    /// The writer of `pool`'s database.
    pub(crate) fn new(pool: SqlitePool) -> SqliteWriter {
        SqliteWriter {
            pool,
            turn: Arc::new(Semaphore::new(1)),
            parked: Mutex::new(None),
            next_group: AtomicU64::new(1),
        }
    }

    /// The queue for the writer's turn.
    pub(crate) fn turn(&self) -> Arc<Semaphore> {
        self.turn.clone()
    }

    fn park(&self, group: Group) {
        *self.parked.lock().unwrap_or_else(PoisonError::into_inner) = Some(group);
    }

    fn unpark(&self, id: Option<u64>) -> Option<Group> {
        let mut parked = self.parked.lock().unwrap_or_else(PoisonError::into_inner);
        match (parked.as_ref(), id) {
            (Some(group), Some(id)) if group.id != id => None,
            _ => parked.take(),
        }
    }
}

/// One transaction, holding the writer's turn: dropped without [`SqliteTx::commit`] it rolls
/// back its own work (the whole SQLite transaction when it is the group's first) before the
/// connection and the turn are given back.
pub struct SqliteTx {
    writer: Arc<SqliteWriter>,
    group: Option<Group>,
    /// Whether this member began a savepoint (it joined a group others are in).
    savepoint: bool,
    turn: Option<OwnedSemaphorePermit>,
}

impl SqliteTx {
    /// Begins a transaction with the turn already taken: joins the open group with a
    /// savepoint, or begins one (`BEGIN IMMEDIATE` waits on the busy timeout for another
    /// process's writer).
    pub(crate) async fn begin(
        writer: Arc<SqliteWriter>,
        turn: OwnedSemaphorePermit,
    ) -> Result<SqliteTx, sqlx::Error> {
        let mut tx = SqliteTx {
            group: writer.unpark(None),
            writer,
            savepoint: false,
            turn: Some(turn),
        };
        match tx.group.as_mut() {
            Some(group) => {
                // From here on, dropping `tx` rolls back to the savepoint (a failed SAVEPOINT
                // makes that fail too, and the group is then given up as broken).
                tx.savepoint = true;
                group.conn.execute("SAVEPOINT member").await?;
            }
            None => {
                let mut conn = tx.writer.pool.acquire().await?;
                // A failed BEGIN opens nothing, so the connection goes back as it came.
                conn.execute("BEGIN IMMEDIATE").await?;
                tx.group = Some(Group {
                    conn,
                    id: tx.writer.next_group.fetch_add(1, Ordering::Relaxed),
                    members: 0,
                    outcome: watch::Sender::new(None),
                });
            }
        }
        Ok(tx)
    }

    /// Ends this transaction's work with `last` (statements that return nothing; may be
    /// empty) and waits until a `COMMIT` has made it durable. Runs to the end even when the
    /// caller is dropped, so a client hanging up never leaves the group waiting.
    pub(crate) async fn commit(self, last: Sql) -> Result<(), sqlx::Error> {
        tokio::spawn(self.end(Some(last)))
            .await
            .map_err(|_| sqlx::Error::WorkerCrashed)?
    }

    /// Undoes this transaction's work and waits until what it read is durable: it may have
    /// read the work of the group's earlier members, which is committed only with the group.
    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        tokio::spawn(self.end(None))
            .await
            .map_err(|_| sqlx::Error::WorkerCrashed)?
    }

    async fn end(mut self, last: Option<Sql>) -> Result<(), sqlx::Error> {
        let mut group = self.group.take().ok_or(sqlx::Error::PoolClosed)?;
        match last {
            Some(last) => {
                let mut text = last.text;
                if self.savepoint {
                    text.push_str(if text.is_empty() { "" } else { "; " });
                    text.push_str("RELEASE member");
                }
                if !text.is_empty() {
                    let ended = bind_vals!(sqlx::query(&text), last.vals)
                        .execute(&mut *group.conn)
                        .await;
                    if let Err(e) = ended {
                        // Dropping rolls back this member's work alone.
                        self.group = Some(group);
                        return Err(e);
                    }
                }
                group.members += 1;
            }
            // Alone in its transaction: nothing of anyone else's was read.
            None if !self.savepoint => {
                roll_back_all(&mut group).await;
                return Ok(());
            }
            None => {
                if let Err(e) = group.conn.execute(ROLLBACK_MEMBER).await {
                    give_up(group).await;
                    return Err(e);
                }
            }
        }
        self.savepoint = false;
        let writer = self.writer.clone();
        let mut outcome = group.outcome.subscribe();
        let id = group.id;
        if group.members >= MAX_GROUP {
            return finish(group).await;
        }
        // Left open for the writers queued behind; the turn goes to the next of them.
        writer.park(group);
        drop(self.turn.take());
        loop {
            tokio::select! {
                changed = outcome.changed() => {
                    changed.map_err(|_| sqlx::Error::WorkerCrashed)?;
                }
                turn = writer.turn().acquire_owned() => {
                    let _turn = turn.map_err(|_| sqlx::Error::PoolClosed)?;
                    // No one else took the turn before us, or those who did have ended: the
                    // group is still open only when it is ours to commit.
                    if let Some(group) = writer.unpark(Some(id)) {
                        return finish(group).await;
                    }
                }
            }
            if let Some(result) = outcome.borrow_and_update().clone() {
                return result.map_err(|e| sqlx::Error::Protocol(e.to_string()));
            }
        }
    }
}

/// Undoes one member's work inside its group.
const ROLLBACK_MEMBER: &str = "ROLLBACK TO member; RELEASE member";

/// Rolls back the whole transaction; a connection that cannot is closed, not pooled.
async fn roll_back_all(group: &mut Group) {
    if let Err(e) = group.conn.execute("ROLLBACK").await {
        // Rolled back already (a failed statement can end the transaction itself), or the
        // connection is broken.
        tracing::debug!(error = %e, "rollback of a SQLite transaction failed");
        group.conn.close_on_drop();
    }
}

/// Ends a group that cannot go on (its transaction is gone or broken: an I/O error can end
/// it): the members waiting on it hear that nothing of theirs was committed.
async fn give_up(mut group: Group) {
    tracing::warn!("a SQLite group commit was given up: a member could not roll back alone");
    roll_back_all(&mut group).await;
    let failed = Arc::from("the transaction was rolled back: a member of its group failed");
    group.outcome.send_replace(Some(Err(failed)));
}

/// Commits the group and tells its members; a failed `COMMIT` rolls everything back.
async fn finish(mut group: Group) -> Result<(), sqlx::Error> {
    let result = group.conn.execute("COMMIT").await.map(|_| ());
    if result.is_err() {
        roll_back_all(&mut group).await;
    }
    let told = result
        .as_ref()
        .map(|_| ())
        .map_err(|e| Arc::from(e.to_string()));
    group.outcome.send_replace(Some(told));
    result
}

impl Deref for SqliteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        match &self.group {
            Some(group) => &group.conn,
            None => unreachable!("a SQLite transaction is used after its end"),
        }
    }
}

impl DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match &mut self.group {
            Some(group) => &mut group.conn,
            None => unreachable!("a SQLite transaction is used after its end"),
        }
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        let Some(group) = self.group.take() else {
            return;
        };
        let (writer, savepoint, turn) = (self.writer.clone(), self.savepoint, self.turn.take());
        // Statements already sent run first (the connection's thread takes commands in
        // order), then the rollback; only then does the turn go to the next writer. Without
        // a runtime (a process ending) the connection is closed with the pool.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                roll_back(&writer, group, savepoint).await;
                drop(turn);
            });
        }
    }
}

/// Undoes one member's work: to its savepoint, leaving the group open for the members
/// waiting on it, or the whole transaction when it had no one else in it.
async fn roll_back(writer: &SqliteWriter, mut group: Group, savepoint: bool) {
    if !savepoint {
        return roll_back_all(&mut group).await;
    }
    match group.conn.execute(ROLLBACK_MEMBER).await {
        Ok(_) => writer.park(group),
        Err(_) => give_up(group).await,
    }
}
