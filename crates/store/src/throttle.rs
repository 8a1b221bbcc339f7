//! Failed sign-in counters per login and per client address. They slow attackers down
//! exponentially but always expire, so nobody can lock a customer out for good.

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

impl Tx {
    /// Counts a failure against `key`; returns until when it is now blocked.
    pub async fn record_sign_in_failure(
        &mut self,
        company: CompanyId,
        key: &str,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let at = now();
        let row: Option<Row> = on_tx!(self, c => sqlx::query_as(
            "SELECT failures, blocked_until, updated_at FROM sign_in_throttle WHERE company_id = $1 AND throttle_key = $2")
            .bind(company.0).bind(key).fetch_optional(&mut *c).await)?;
        let previous = row
            .filter(|r| at - r.updated_at < MEMORY)
            .map(|r| r.failures)
            .unwrap_or(0);
        let failures = previous + 1;
        let block = block_for(key, failures);
        let until = (block > Duration::ZERO).then(|| at + block);
        on_tx!(self, c => sqlx::query(
            "INSERT INTO sign_in_throttle (company_id, throttle_key, failures, blocked_until, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (company_id, throttle_key) DO UPDATE SET \
             failures = excluded.failures, blocked_until = excluded.blocked_until, updated_at = excluded.updated_at")
            .bind(company.0).bind(key).bind(failures).bind(until.map(db_time)).bind(db_time(at))
            .execute(&mut *c).await.map(|_| ()))?;
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
