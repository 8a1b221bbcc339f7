//! The office dashboard's weekly charts: one grouped query per chart over the company's
//! rows between the first week's start and the last week's end, each row of the answer a
//! week (by index into the boundaries given) with a count and a sum. Weeks are the
//! company's local weeks, computed by `doorstep_core::charts`; each query walks a
//! `(company_id, time)` index.

use doorstep_core::ids::CompanyId;
use time::OffsetDateTime;

use crate::insert::{Val, bind_vals};
use crate::{Store, StoreError, on_pool};

/// One week's numbers of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct WeekRow {
    /// Index of the week in the boundaries asked for (0 the oldest).
    pub week: i64,
    /// How many rows fell in the week.
    pub count: i64,
    /// The chart's sum: amount received (minor units), closed support requests, stars.
    pub total: i64,
}

/// What a chart counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// Service requests by when they were sent; no sum.
    Requests,
    /// Succeeded payments by when they were received; sum of amounts.
    Payments,
    /// Support requests by when they were opened; sum of those now resolved or closed.
    Support,
    /// Ratings by when they were given; sum of stars.
    Ratings,
}

impl Chart {
    /// (table, time column, the sum, extra condition).
    fn parts(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Chart::Requests => ("service_requests", "created_at", "0", ""),
            Chart::Payments => (
                "payments",
                "received_at",
                "amount_minor",
                " AND status = 'succeeded' AND method <> 'credit'",
            ),
            Chart::Support => (
                "support_requests",
                "created_at",
                "CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END",
                "",
            ),
            Chart::Ratings => ("ratings", "created_at", "stars", ""),
        }
    }

    /// The grouped query for `bounds.len()` boundaries (`$1` the company, `$2..` the bounds).
    fn sql(self, bounds: usize) -> String {
        let (table, at, sum, extra) = self.parts();
        let weeks = bounds.saturating_sub(1);
        let mut case = String::from("0");
        if weeks > 1 {
            case = String::from("CASE");
            for i in 1..weeks {
                case.push_str(&format!(" WHEN {at} < ${} THEN {}", i + 2, i - 1));
            }
            case.push_str(&format!(" ELSE {} END", weeks - 1));
        }
        format!(
            "SELECT CAST({case} AS BIGINT) AS week, CAST(COUNT(*) AS BIGINT) AS count, \
             CAST(COALESCE(SUM({sum}), 0) AS BIGINT) AS total FROM {table} \
             WHERE company_id = $1 AND {at} >= $2 AND {at} < ${}{extra} GROUP BY 1 ORDER BY 1",
            bounds + 1
        )
    }
}

impl Store {
    /// `chart`'s numbers for `company`, one row per week that has any, `bounds` being each
    /// week's start followed by the last week's end (`doorstep_core::charts::boundaries`).
    pub async fn weekly(
        &self,
        company: CompanyId,
        chart: Chart,
        bounds: &[OffsetDateTime],
    ) -> Result<Vec<WeekRow>, StoreError> {
        if bounds.len() < 2 {
            return Ok(Vec::new());
        }
        let sql = chart.sql(bounds.len());
        let mut vals = vec![Val::from(company.0)];
        vals.extend(bounds.iter().map(|&t| Val::from(t)));
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as::<_, WeekRow>(&sql), vals).fetch_all(p).await)?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_names_each_boundary_once_in_order() {
        let sql = Chart::Requests.sql(4);
        assert!(
            sql.contains("CASE WHEN created_at < $3 THEN 0 WHEN created_at < $4 THEN 1 ELSE 2 END")
        );
        assert!(sql.contains("created_at >= $2 AND created_at < $5"));
        assert!(
            Chart::Payments
                .sql(2)
                .starts_with("SELECT CAST(0 AS BIGINT)")
        );
    }
}
