//! CSV imports (issue 18): the `imports` row an office import is followed by, and the
//! batched writes that put thousands of customers in one transaction.

use std::collections::HashMap;

use doorstep_core::ids::{CompanyId, CustomerId, StaffUserId};
use time::OffsetDateTime;

use crate::customer_book::CustomerInput;
use crate::insert::Val;
use crate::request_inbox::Numbered;
use crate::{Store, StoreError, Tx, TxInner, db_time, now, on_pool, on_tx};

/// Rows per multi-row `INSERT`: 17 columns, so about 8,500 parameters a statement.
pub const IMPORT_BATCH: usize = 500;

/// An import as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportRow {
    /// Id.
    pub id: i64,
    /// Who started it.
    pub staff_user_id: i64,
    /// Their name.
    pub staff_name: String,
    /// What the file holds: `customers`, `contacts` or `sites`.
    pub kind: String,
    /// The file's name as uploaded.
    pub file_name: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// Rows in the file.
    pub total: i64,
    /// Rows written (all of them once done).
    pub done: i64,
    /// Customers created.
    pub created: i64,
    /// Customers updated.
    pub updated: i64,
    /// JSON list of the refused rows, or a file problem; empty when none.
    pub errors: String,
    /// When it was started.
    pub created_at: OffsetDateTime,
    /// When it ended.
    pub finished_at: Option<OffsetDateTime>,
    /// The running job's last heartbeat (its lease); `None` for imports older than it.
    pub updated_at: Option<OffsetDateTime>,
    /// The kept file's key while it may be imported.
    pub file_key: Option<String>,
    /// How the file's columns are read (`Mapping::to_text`); `None`: by their headers.
    pub mapping: Option<String>,
}

impl ImportRow {
    /// When the job was last heard of.
    pub fn heartbeat(&self) -> OffsetDateTime {
        self.updated_at.unwrap_or(self.created_at)
    }

    /// Still queued or running (or left so by a node that stopped).
    pub fn unfinished(&self) -> bool {
        self.status == "queued" || self.status == "running"
    }
}

/// How an import ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportEnd<'a> {
    /// `done` or `failed`.
    pub status: &'static str,
    /// Rows in the file.
    pub total: i64,
    /// Customers created.
    pub created: i64,
    /// Customers updated.
    pub updated: i64,
    /// JSON of the refused rows, empty when none.
    pub errors: &'a str,
}

const SELECT: &str = "SELECT i.id, i.staff_user_id, s.name AS staff_name, i.kind, i.file_name, i.status, \
     i.total, i.done, i.created, i.updated, i.errors, i.created_at, i.finished_at, \
     i.updated_at, i.file_key, i.mapping \
     FROM imports i JOIN staff_users s ON s.company_id = i.company_id AND s.id = i.staff_user_id";

impl Store {
    /// Every external reference the company's customers have, with the customer's id
    /// and number (what a dry run compares a file with).
    pub async fn external_refs(
        &self,
        company: CompanyId,
    ) -> Result<HashMap<String, (CustomerId, String)>, StoreError> {
        let rows: Vec<(String, i64, String)> = on_pool!(self, p => sqlx::query_as(REFS)
            .bind(company.0).fetch_all(p).await)?;
        Ok(ref_map(rows))
    }

    /// Import `id` of the company, if it has one.
    pub async fn import_row(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<ImportRow>, StoreError> {
        let sql = format!("{SELECT} WHERE i.company_id = $1 AND i.id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The company's latest imports, newest first.
    pub async fn recent_imports(
        &self,
        company: CompanyId,
        limit: i64,
    ) -> Result<Vec<ImportRow>, StoreError> {
        let sql = format!("{SELECT} WHERE i.company_id = $1 ORDER BY i.id DESC LIMIT $2");
        let rows = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(limit.clamp(1, 100)).fetch_all(p).await)?;
        Ok(rows)
    }
}

impl Tx {
    /// Records an import of `file_name` (kept under `file_key`, holding `kind`) by
    /// `staff`, queued;
    /// answers its id.
    pub async fn insert_import(
        &mut self,
        company: CompanyId,
        staff: StaffUserId,
        kind: &str,
        file_name: &str,
        file_key: &str,
        mapping: Option<&str>,
    ) -> Result<i64, StoreError> {
        let at = now();
        self.insert_row(
            "imports",
            company.0,
            &[
                ("staff_user_id", staff.0.into()),
                ("kind", kind.into()),
                ("file_name", file_name.into()),
                ("file_key", file_key.into()),
                ("mapping", mapping.map(str::to_owned).into()),
                ("status", "queued".into()),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
    }

    /// Marks import `id` running over `total` rows (its heartbeat now); `false` unless
    /// it was queued (a job runs an import once).
    pub async fn start_import(
        &mut self,
        company: CompanyId,
        id: i64,
        total: i64,
    ) -> Result<bool, StoreError> {
        let n = on_tx!(self, x => sqlx::query(
            "UPDATE imports SET status = 'running', total = $3, done = 0, updated_at = $4 \
             WHERE company_id = $1 AND id = $2 AND status = 'queued'")
            .bind(company.0).bind(id).bind(total).bind(db_time(now()))
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// The heartbeat of import `id` while it is queued or running: rows handled so far
    /// of `total`, and the lease renewed.
    pub async fn import_heartbeat(
        &mut self,
        company: CompanyId,
        id: i64,
        done: i64,
        total: i64,
    ) -> Result<(), StoreError> {
        on_tx!(self, x => sqlx::query(
            "UPDATE imports SET done = $3, total = $4, updated_at = $5 \
             WHERE company_id = $1 AND id = $2 AND status IN ('queued', 'running')")
            .bind(company.0).bind(id).bind(done).bind(total).bind(db_time(now()))
            .execute(&mut *x).await.map(|_| ()))?;
        Ok(())
    }

    /// Ends import `id` as failed with `errors` when it is queued or running and its
    /// heartbeat is older than `before` (its node stopped); `false` when it is not.
    pub async fn stop_stale_import(
        &mut self,
        company: CompanyId,
        id: i64,
        before: OffsetDateTime,
        errors: &str,
    ) -> Result<bool, StoreError> {
        let at = db_time(now());
        let n = on_tx!(self, x => sqlx::query(
            "UPDATE imports SET status = 'failed', done = 0, errors = $4, finished_at = $5, \
             updated_at = $5 WHERE company_id = $1 AND id = $2 \
             AND status IN ('queued', 'running') AND COALESCE(updated_at, created_at) < $3")
            .bind(company.0).bind(id).bind(db_time(before)).bind(errors).bind(at)
            .execute(&mut *x).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Records how import `id` ended.
    pub async fn finish_import(
        &mut self,
        company: CompanyId,
        id: i64,
        end: &ImportEnd<'_>,
    ) -> Result<(), StoreError> {
        let done = if end.status == "done" { end.total } else { 0 };
        on_tx!(self, x => sqlx::query(
            "UPDATE imports SET status = $3, total = $4, done = $5, created = $6, updated = $7, \
             errors = $8, finished_at = $9, updated_at = $9 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).bind(end.status).bind(end.total).bind(done)
            .bind(end.created).bind(end.updated).bind(end.errors).bind(db_time(now()))
            .execute(&mut *x).await.map(|_| ()))?;
        Ok(())
    }

    /// Every external reference the company's customers have, with the customer's id
    /// and number.
    pub async fn external_refs(
        &mut self,
        company: CompanyId,
    ) -> Result<HashMap<String, (CustomerId, String)>, StoreError> {
        let rows: Vec<(String, i64, String)> = on_tx!(self, x => sqlx::query_as(REFS)
            .bind(company.0).fetch_all(&mut *x).await)?;
        Ok(ref_map(rows))
    }

    /// The company's next `n` customer numbers, taken from its counter at once.
    pub async fn next_customer_numbers(
        &mut self,
        company: CompanyId,
        n: usize,
    ) -> Result<Vec<String>, StoreError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        // The first through the usual path: it starts the counter when there is none.
        let first = self.next_number(company, Numbered::Customer).await?;
        let rest = i64::try_from(n - 1).map_err(|_| StoreError::Conflict("too many".into()))?;
        let last: i64 = on_tx!(self, x => sqlx::query_scalar(
            "UPDATE number_sequences SET last_value = last_value + $3 \
             WHERE company_id = $1 AND prefix = $2 RETURNING last_value")
            .bind(company.0).bind("C-").bind(rest).fetch_one(&mut *x).await)?;
        let mut numbers = Vec::with_capacity(n);
        numbers.push(first);
        numbers.extend((last - rest + 1..=last).map(|v| format!("C-{v}")));
        Ok(numbers)
    }

    /// Creates customers (number, fields), many per statement, as
    /// [`Tx::insert_office_customer`] writes each.
    pub async fn insert_imported_customers(
        &mut self,
        company: CompanyId,
        rows: &[(String, CustomerInput)],
    ) -> Result<(), StoreError> {
        const COLS: [&str; 18] = [
            "company_id",
            "number",
            "name",
            "kind",
            "parent_customer_id",
            "email",
            "phone",
            "mobile_phone",
            "billing_line1",
            "billing_line2",
            "billing_city",
            "billing_region",
            "billing_postal_code",
            "notes",
            "tax_exempt",
            "payment_terms_days",
            "external_ref",
            "created_at",
        ];
        let at = now();
        let sqlite = matches!(self.inner(), TxInner::Sqlite(_));
        for chunk in rows.chunks(IMPORT_BATCH) {
            let mut vals: Vec<Val> = Vec::with_capacity(chunk.len() * (COLS.len() + 1));
            for (number, c) in chunk {
                vals.extend([
                    company.0.into(),
                    number.into(),
                    (&c.name).into(),
                    (&c.kind).into(),
                    Val::Int(c.parent.map(|p| p.0)),
                    (&c.email).into(),
                    (&c.phone).into(),
                    (&c.mobile_phone).into(),
                    (&c.billing_line1).into(),
                    (&c.billing_line2).into(),
                    (&c.billing_city).into(),
                    (&c.billing_region).into(),
                    (&c.billing_postal_code).into(),
                    (&c.notes).into(),
                    c.tax_exempt.into(),
                    Val::Int(c.payment_terms_days),
                    (&c.external_ref).into(),
                    at.into(),
                    at.into(),
                ]);
            }
            let sql = multi_insert_sql(&COLS, chunk.len(), !sqlite);
            on_tx!(self, x => {
                let q = crate::insert::bind_vals!(sqlx::query(&sql), vals);
                q.execute(&mut *x).await.map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Saves an imported row over customer `id`: every field the file carries, the
    /// parent account and the active flag left as they are.
    pub async fn update_imported_customer(
        &mut self,
        company: CompanyId,
        id: CustomerId,
        c: &CustomerInput,
    ) -> Result<(), StoreError> {
        on_tx!(self, x => sqlx::query(
            "UPDATE customers SET name = $3, kind = $4, email = $5, phone = $6, \
             mobile_phone = $7, billing_line1 = $8, billing_line2 = $9, billing_city = $10, \
             billing_region = $11, billing_postal_code = $12, notes = $13, tax_exempt = $14, \
             payment_terms_days = $15, updated_at = $16 \
             WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).bind(&c.name).bind(&c.kind)
            .bind(&c.email).bind(&c.phone).bind(&c.mobile_phone).bind(&c.billing_line1)
            .bind(&c.billing_line2).bind(&c.billing_city).bind(&c.billing_region)
            .bind(&c.billing_postal_code).bind(&c.notes).bind(c.tax_exempt)
            .bind(c.payment_terms_days).bind(db_time(now()))
            .execute(&mut *x).await.map(|_| ()))?;
        Ok(())
    }
}

const REFS: &str = "SELECT external_ref, id, number FROM customers \
     WHERE company_id = $1 AND external_ref IS NOT NULL";

fn ref_map(rows: Vec<(String, i64, String)>) -> HashMap<String, (CustomerId, String)> {
    rows.into_iter()
        .map(|(r, id, number)| (r, (CustomerId(id), number)))
        .collect()
}

/// `INSERT INTO customers (cols, updated_at) VALUES (..), (..)` for `rows` rows, with
/// `$n` parameters (`numbered`, PostgreSQL) or anonymous `?` ones (SQLite, whose driver
/// looks each `$n` up by a linear scan).
fn multi_insert_sql(cols: &[&str], rows: usize, numbered: bool) -> String {
    let width = cols.len() + 1;
    let mut sql = format!(
        "INSERT INTO customers ({}, updated_at) VALUES ",
        cols.join(", ")
    );
    for r in 0..rows {
        sql.push_str(if r > 0 { ", (" } else { "(" });
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            if numbered {
                sql.push_str(&format!("${}", r * width + c + 1));
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::multi_insert_sql;

    #[test]
    fn rows_are_numbered_in_order() {
        assert_eq!(
            multi_insert_sql(&["a"], 2, true),
            "INSERT INTO customers (a, updated_at) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            multi_insert_sql(&["a"], 1, false),
            "INSERT INTO customers (a, updated_at) VALUES (?, ?)"
        );
    }
}
