//! Cursor pagination: `limit` (1 to 100, 50 when absent), `cursor` (opaque: the last
//! record's change time and id, as the previous page's `next_cursor` gave it) and
//! `updated_since` (RFC 3339: only records changed at or after it). Lists walk records
//! by (change time, id), so a sync that keeps its last `updated_since` misses nothing.

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::IntoParams;

use super::problem::Problem;

/// The most a page holds.
pub const MAX_LIMIT: i64 = 100;
/// A page's size when `limit` is absent.
pub const DEFAULT_LIMIT: i64 = 50;

/// A list's query string.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// How many records (1 to 100; 50 when absent).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Only records changed at or after this time (RFC 3339, e.g. `2026-01-31T09:00:00Z`).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<String>,
}

/// A list's query, checked.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// Records per page.
    pub limit: i64,
    /// After this (change time, id).
    pub after: Option<(OffsetDateTime, i64)>,
    /// Changed at or after this.
    pub since: Option<OffsetDateTime>,
}

impl ListQuery {
    /// The page asked for, or the parameter that is wrong.
    pub fn check(&self) -> Result<Page, Problem> {
        let limit = match self.limit.as_deref() {
            None => DEFAULT_LIMIT,
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    Problem::field(
                        "invalid-parameter",
                        "limit",
                        "`limit` is a whole number from 1 to 100.",
                    )
                })?,
        };
        let after = match self.cursor.as_deref() {
            None => None,
            Some(raw) => Some(decode(raw).ok_or_else(|| {
                Problem::field(
                    "invalid-parameter",
                    "cursor",
                    "`cursor` is not one this API gave; start again without it.",
                )
            })?),
        };
        let since = match self.updated_since.as_deref() {
            None => None,
            Some(raw) => Some(OffsetDateTime::parse(raw, &Rfc3339).map_err(|_| {
                Problem::field(
                    "invalid-parameter",
                    "updated_since",
                    "`updated_since` is an RFC 3339 time, e.g. 2026-01-31T09:00:00Z.",
                )
            })?),
        };
        Ok(Page {
            limit,
            after,
            since,
        })
    }
}

/// The cursor after a record changed at `at` with id `id`.
pub fn encode(at: OffsetDateTime, id: i64) -> String {
    hex::encode(format!("{}.{id}", at.unix_timestamp()))
}

fn decode(raw: &str) -> Option<(OffsetDateTime, i64)> {
    let text = String::from_utf8(hex::decode(raw).ok()?).ok()?;
    let (at, id) = text.split_once('.')?;
    let at = OffsetDateTime::from_unix_timestamp(at.parse().ok()?).ok()?;
    Some((at, id.parse().ok()?))
}

/// RFC 3339 text of `t`, as every time in the API's answers.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_comes_back_as_it_went() {
        let at = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        assert_eq!(decode(&encode(at, 42)), Some((at, 42)));
        assert_eq!(decode("zz"), None);
        assert_eq!(decode(&hex::encode("x.1")), None);
    }

    #[test]
    fn limits_are_one_to_a_hundred() {
        let q = |l: &str| ListQuery {
            limit: Some(l.into()),
            ..ListQuery::default()
        };
        assert_eq!(q("100").check().unwrap().limit, 100);
        assert!(q("0").check().is_err());
        assert!(q("101").check().is_err());
        assert!(q("ten").check().is_err());
        assert_eq!(ListQuery::default().check().unwrap().limit, DEFAULT_LIMIT);
    }
}
