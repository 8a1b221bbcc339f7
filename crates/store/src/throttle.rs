//! Failed sign-in counters per login and per client address. They slow attackers down
//! exponentially but always expire, so nobody can lock a customer out for good.
//!
//! An attempt is counted *before* it is checked ([`Tx::claim_sign_in_attempt`]), under a
//! lock on its counters, so parallel attempts, from one node or several, can never get
//! more checks between them than the throttle allows one after the other.

use doorstep_core::ids::CompanyId;
use time::{Duration, OffsetDateTime};

use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// Failures of one login allowed before any delay.
const FREE_FAILURES: i64 = 5;
/// Failures from one client address allowed before any delay: higher, because many
/// people may share an address (an office, a mobile carrier's NAT).
const FREE_FAILURES_PER_ADDRESS: i64 = 30;
/// The longest block, however many failures.
const MAX_BLOCK: Duration = Duration::minutes(15);
/// Failures older than this are forgotten.
const MEMORY: Duration = Duration::hours(1);

/// How long to block `key` after `failures` consecutive failures; keys of client
/// addresses start with `ip:`.
pub fn block_for(key: &str, failures: i64) -> Duration {
    let free = if key.starts_with("ip:") {
        FREE_FAILURES_PER_ADDRESS
    } else {
        FREE_FAILURES
    };
    if failures < free {
        return Duration::ZERO;
    }
    let exp = u32::try_from((failures - free).min(20)).unwrap_or(20);
    Duration::seconds(2_i64.saturating_pow(exp)).min(MAX_BLOCK)
}

#[derive(sqlx::FromRow)]
struct Row {
    failures: i64,
    blocked_until: Option<OffsetDateTime>,
    updated_at: OffsetDateTime,
}

impl Store {
    /// Until when `key` is blocked, if it is now.
    pub async fn blocked_until(
        &self,
        company: CompanyId,
        key: &str,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let row: Option<Row> = on_pool!(self, p => sqlx::query_as(
            "SELECT failures, blocked_until, updated_at FROM sign_in_throttle WHERE company_id = $1 AND throttle_key = $2")
            .bind(company.0).bind(key).fetch_optional(p).await)?;
        let at = now();
        Ok(row
            .and_then(|r| r.blocked_until)
            .filter(|until| *until > at))
    }
}

/// When a block of `block` starting now ends, rounded up to the whole second times are
/// stored in, so a block never ends sooner than it says.
fn block_end(block: Duration) -> Option<OffsetDateTime> {
    if block <= Duration::ZERO {
        return None;
    }
    let end = OffsetDateTime::now_utc() + block;
    let whole = end.replace_nanosecond(0).unwrap_or(end);
    Some(if whole < end {
        whole + Duration::SECOND
    } else {
        whole
    })
}

/// The state of a counter before an attempt is counted against it.
struct Counter {
    key: String,
    /// Failures still remembered (older ones are forgotten).
    failures: i64,
    blocked_until: Option<OffsetDateTime>,
}

impl Tx {
    /// Locks `key`'s counter until the transaction ends and returns it: an upsert that
    /// changes nothing takes the row lock on PostgreSQL (other nodes' attempts on the same
    /// key wait for this transaction), and a SQLite `Tx` holds the write lock from its start.
    async fn lock_counter(
        &mut self,
        company: CompanyId,
        key: &str,
        at: OffsetDateTime,
    ) -> Result<Counter, StoreError> {
        let row: Row = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO sign_in_throttle (company_id, throttle_key, failures, blocked_until, updated_at) \
             VALUES ($1, $2, 0, NULL, $3) ON CONFLICT (company_id, throttle_key) DO UPDATE SET \
             failures = sign_in_throttle.failures \
             RETURNING failures, blocked_until, updated_at")
            .bind(company.0).bind(key).bind(db_time(at)).fetch_one(&mut *c).await)?;
        let remembered = at - row.updated_at < MEMORY;
        Ok(Counter {
            key: key.to_owned(),
            failures: if remembered { row.failures } else { 0 },
            blocked_until: row.blocked_until.filter(|until| *until > at),
        })
    }

    async fn write_counter(
        &mut self,
        company: CompanyId,
        key: &str,
        failures: i64,
        until: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "UPDATE sign_in_throttle SET failures = $3, blocked_until = $4, updated_at = $5 \
             WHERE company_id = $1 AND throttle_key = $2")
            .bind(company.0).bind(key).bind(failures).bind(until.map(db_time)).bind(db_time(at))
            .execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    /// Counts an attempt against every one of `keys` *before* it is checked, as if it
    /// were going to fail: returns until when the attempt must wait instead if any key is
    /// blocked now, counting nothing then. The counters stay locked until the transaction
    /// ends, so parallel attempts, on this node or another, are counted one after the
    /// other and never more of them are checked than the limit allows. Commit at once,
    /// before the slow check; then forget a success with
    /// [`clear_sign_in_failures`](Tx::clear_sign_in_failures) or
    /// [`refund_sign_in_attempt`](Tx::refund_sign_in_attempt).
    pub async fn claim_sign_in_attempt(
        &mut self,
        company: CompanyId,
        keys: &[&str],
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let at = now();
        let mut counters = Vec::with_capacity(keys.len());
        for key in keys {
            counters.push(self.lock_counter(company, key, at).await?);
        }
        if let Some(until) = counters.iter().filter_map(|c| c.blocked_until).max() {
            return Ok(Some(until));
        }
        for counter in counters {
            let failures = counter.failures + 1;
            let until = block_end(block_for(&counter.key, failures));
            self.write_counter(company, &counter.key, failures, until, at)
                .await?;
        }
        Ok(None)
    }

    /// Takes back one attempt counted by
    /// [`claim_sign_in_attempt`](Tx::claim_sign_in_attempt) that turned out right (for
    /// counters shared by many people, such as a client address, which a success must
    /// not clear for everyone).
    pub async fn refund_sign_in_attempt(
        &mut self,
        company: CompanyId,
        key: &str,
    ) -> Result<(), StoreError> {
        let at = now();
        let counter = self.lock_counter(company, key, at).await?;
        let failures = (counter.failures - 1).max(0);
        // A block this attempt's count started shrinks to what the remaining count earns.
        let until = counter
            .blocked_until
            .zip(block_end(block_for(key, failures)))
            .map(|(until, earned)| until.min(earned));
        self.write_counter(company, key, failures, until, at).await
    }

    /// Counts a failure against `key`; returns until when it is now blocked.
    pub async fn record_sign_in_failure(
        &mut self,
        company: CompanyId,
        key: &str,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let at = now();
        let counter = self.lock_counter(company, key, at).await?;
        let failures = counter.failures + 1;
        let until = block_end(block_for(key, failures));
        self.write_counter(company, key, failures, until, at)
            .await?;
        Ok(until)
    }

    /// Forgets the failures of `key` (after a successful sign-in).
    pub async fn clear_sign_in_failures(
        &mut self,
        company: CompanyId,
        key: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query("DELETE FROM sign_in_throttle WHERE company_id = $1 AND throttle_key = $2")
            .bind(company.0).bind(key).execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_BLOCK, block_for};
    use time::Duration;

    #[test]
    fn the_first_failures_are_free_then_delays_double_up_to_a_cap() {
        assert_eq!(block_for("login:a@b.co", 4), Duration::ZERO);
        assert_eq!(block_for("login:a@b.co", 5), Duration::seconds(1));
        assert_eq!(block_for("login:a@b.co", 6), Duration::seconds(2));
        assert_eq!(block_for("login:a@b.co", 9), Duration::seconds(16));
        assert_eq!(block_for("login:a@b.co", 500), MAX_BLOCK);
    }

    #[test]
    fn a_shared_address_gets_more_room_than_one_login() {
        assert_eq!(block_for("ip:203.0.113.9", 10), Duration::ZERO);
        assert_eq!(block_for("ip:203.0.113.9", 30), Duration::seconds(1));
    }
}
