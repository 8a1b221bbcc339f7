//! One internal way to insert a row on either engine, so typed insert functions
//! state only their columns.

use time::{Date, OffsetDateTime};

use crate::time::DbTime;
use crate::{StoreError, Tx, db_time, on_tx};

/// A value bound to an insert; its variant picks the SQL type on each engine.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(bool),
    Time(Option<DbTime>),
    Day(Option<Date>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_owned()))
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Self {
        Val::Text(Some(v.clone()))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}
impl From<&Option<String>> for Val {
    fn from(v: &Option<String>) -> Self {
        Val::Text(v.clone())
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Bool(v)
    }
}
impl From<OffsetDateTime> for Val {
    fn from(v: OffsetDateTime) -> Self {
        Val::Time(Some(db_time(v)))
    }
}
impl From<Option<OffsetDateTime>> for Val {
    fn from(v: Option<OffsetDateTime>) -> Self {
        Val::Time(v.map(db_time))
    }
}
impl From<Date> for Val {
    fn from(v: Date) -> Self {
        Val::Day(Some(v))
    }
}
impl From<Option<Date>> for Val {
    fn from(v: Option<Date>) -> Self {
        Val::Day(v)
    }
}

impl Tx {
    /// Inserts one row of `table` for `company` and returns its id (`returning` = true)
    /// or 0 for tables without one. Column names are constants of the calling module.
    pub(crate) async fn insert_row(
        &mut self,
        table: &'static str,
        company: i64,
        cols: &[(&'static str, Val)],
        returning: bool,
    ) -> Result<i64, StoreError> {
        let names: Vec<&str> = std::iter::once("company_id")
            .chain(cols.iter().map(|(n, _)| *n))
            .collect();
        let params: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        let mut sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            params.join(", ")
        );
        if returning {
            sql.push_str(" RETURNING id");
        } else {
            sql.push_str(" RETURNING CAST(0 AS BIGINT)");
        }
        let id: i64 = on_tx!(self, conn => {
            let mut q = sqlx::query_scalar(&sql).bind(company);
            for (_, v) in cols {
                q = match v.clone() {
                    Val::Int(x) => q.bind(x),
                    Val::Text(x) => q.bind(x),
                    Val::Bool(x) => q.bind(x),
                    Val::Time(x) => q.bind(x),
                    Val::Day(x) => q.bind(x),
                };
            }
            q.fetch_one(&mut *conn).await
        })?;
        Ok(id)
    }
}

/// Binds each of `$vals` (a slice of [`Val`]) to the query `$q`, in order.
macro_rules! bind_vals {
    ($q:expr, $vals:expr) => {{
        let mut q = $q;
        for v in $vals.iter().cloned() {
            q = match v {
                $crate::insert::Val::Int(x) => q.bind(x),
                $crate::insert::Val::Text(x) => q.bind(x),
                $crate::insert::Val::Bool(x) => q.bind(x),
                $crate::insert::Val::Time(x) => q.bind(x),
                $crate::insert::Val::Day(x) => q.bind(x),
            };
        }
        q
    }};
}
pub(crate) use bind_vals;

/// SQL text with `$n` placeholders numbered as values are pushed, for queries whose
/// shape depends on the filters (several statuses, a site list).
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub(crate) text: String,
    pub(crate) vals: Vec<Val>,
}

impl Sql {
    /// Appends plain SQL.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    /// Appends a placeholder bound to `v`.
    pub(crate) fn val(&mut self, v: impl Into<Val>) -> &mut Self {
        self.vals.push(v.into());
        self.text.push_str(&format!("${}", self.vals.len()));
        self
    }

    /// Appends `(p1, p2, ...)` bound to `vals`; callers ensure `vals` is not empty.
    pub(crate) fn list<T: Into<Val>>(&mut self, vals: impl IntoIterator<Item = T>) -> &mut Self {
        self.text.push('(');
        for (i, v) in vals.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.val(v);
        }
        self.text.push(')');
        self
    }

    /// Appends ` AND {column} = value` when `v` is given: a list filter the caller may leave out.
    pub(crate) fn and_eq<V: Into<Val>>(&mut self, column: &str, v: Option<V>) -> &mut Self {
        if let Some(v) = v {
            self.push(&format!(" AND {column} = ")).val(v);
        }
        self
    }

    /// Appends the API lists' keyset over the columns `{t}{time}` and `{t}id` (`t` is a
    /// table alias with its dot, or empty): rows changed at or after `since`, after the
    /// `(time, id)` cursor of the previous page's last row, in that order, `limit` rows.
    /// Every API list pages this one way. The cursor is a row value, not
    /// `a > x OR (a = x AND id > y)`: PostgreSQL then starts the index walk at the cursor
    /// instead of filtering every earlier row.
    pub(crate) fn keyset_page(
        &mut self,
        (t, time): (&str, &str),
        since: Option<OffsetDateTime>,
        after: Option<(OffsetDateTime, i64)>,
        limit: i64,
    ) -> &mut Self {
        if let Some(since) = since {
            self.push(&format!(" AND {t}{time} >= ")).val(since);
        }
        if let Some((at, id)) = after {
            self.push(&format!(" AND ({t}{time}, {t}id) > (")).val(at);
            self.push(", ").val(id).push(")");
        }
        self.push(&format!(" ORDER BY {t}{time}, {t}id LIMIT "))
            .val(limit)
    }
}
