//! Bulk loading for the benchmark's data set: many rows per `INSERT`, explicit ids so
//! children can point at parents without a round trip, large transactions, and the
//! engine relaxed (SQLite `synchronous=OFF`, a bigger page cache) for the load only.
//!
//! Only the benchmark seeder uses this. Rows go into the real schema after the real
//! migrations, so every index and trigger the app defines (full-text tables included)
//! is filled the way the app's own inserts fill it.

use doorstep_core::status::{JobKind, JobStatus, ScheduleType};
use time::OffsetDateTime;

use crate::insert::Val;
use crate::{Backend, DbKind, Store, StoreError, Tx, TxInner, on_pool, on_tx};

/// Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMS: usize = 30_000;

/// Rows per statement whatever the width: more gains nothing, and keeps statements cacheable.
const MAX_ROWS: usize = 1_000;

/// The tables the loader writes with explicit ids; PostgreSQL's identity sequences must
/// move past them afterwards, or the app's next insert would collide.
const ID_TABLES: [&str; 6] = [
    "customers",
    "sites",
    "portal_logins",
    "contacts",
    "jobs",
    "line_items",
];

/// A customer account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BulkCustomer {
    /// Explicit id.
    pub id: i64,
    /// Tenant.
    pub company_id: i64,
    /// The company's customer number.
    pub number: String,
    /// Account name.
    pub name: String,
    /// `residential` or `commercial`.
    pub kind: &'static str,
    /// Billing email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Billing street.
    pub billing_line1: String,
    /// Billing city.
    pub billing_city: String,
    /// Billing state.
    pub billing_region: String,
    /// Billing postal code.
    pub billing_postal_code: String,
    /// Creation time.
    pub created_at: OffsetDateTime,
}

/// A service site of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BulkSite {
    /// Explicit id.
    pub id: i64,
    /// Tenant.
    pub company_id: i64,
    /// Owning account.
    pub customer_id: i64,
    /// Site name.
    pub name: String,
    /// Street.
    pub line1: String,
    /// City.
    pub city: String,
    /// State.
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// Creation time.
    pub created_at: OffsetDateTime,
}

/// A portal login with a ready-made password hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BulkLogin {
    /// Explicit id.
    pub id: i64,
    /// Tenant.
    pub company_id: i64,
    /// Lower-case email.
    pub email: String,
    /// PHC string of the password.
    pub password_hash: String,
    /// Creation time (also the verification time).
    pub created_at: OffsetDateTime,
}

/// A primary, billing company contact of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BulkContact {
    /// Explicit id.
    pub id: i64,
    /// Tenant.
    pub company_id: i64,
    /// Account.
    pub customer_id: i64,
    /// Portal login, when the contact may sign in.
    pub login_id: Option<i64>,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email.
    pub email: Option<String>,
    /// Creation time.
    pub created_at: OffsetDateTime,
}

/// A job.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BulkJob {
    /// Explicit id.
    pub id: i64,
    /// Tenant.
    pub company_id: i64,
    /// Account.
    pub customer_id: i64,
    /// Site.
    pub site_id: i64,
    /// The company's job number.
    pub number: String,
    /// Service or sale.
    pub kind: JobKind,
    /// Status.
    pub status: JobStatus,
    /// One-line summary.
    pub summary: String,
    /// Longer description.
    pub description: String,
    /// Schedule precision, when scheduled.
    pub schedule_type: Option<ScheduleType>,
    /// Visit start.
    pub scheduled_start: Option<OffsetDateTime>,
    /// Visit end.
    pub scheduled_end: Option<OffsetDateTime>,
    /// When the work was finished.
    pub completed_at: Option<OffsetDateTime>,
    /// Notes for the technicians.
    pub work_order_notes: String,
    /// Total of the lines, minor units.
    pub total_minor: i64,
    /// Creation time.
    pub created_at: OffsetDateTime,
}

/// A priced line of a job.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BulkLine {
    /// Explicit id.
    pub id: i64,
    /// Tenant.
    pub company_id: i64,
    /// The job.
    pub job_id: i64,
    /// Order within the job.
    pub position: i64,
    /// `service`, `product`, `labour`, `material` or `fee`.
    pub kind: &'static str,
    /// What was done or sold.
    pub description: String,
    /// Quantity in thousandths.
    pub quantity_milli: i64,
    /// Unit price, minor units.
    pub unit_price_minor: i64,
    /// Tax name, if taxed.
    pub tax_name: Option<&'static str>,
    /// Tax rate in basis points.
    pub tax_rate_bp: i64,
}

/// How many rows of each kind a database holds (for the seeder's checks and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkCounts {
    /// Companies.
    pub companies: i64,
    /// Customers.
    pub customers: i64,
    /// Sites.
    pub sites: i64,
    /// Contacts.
    pub contacts: i64,
    /// Portal logins.
    pub logins: i64,
    /// Jobs.
    pub jobs: i64,
    /// Job line items.
    pub lines: i64,
}

impl Store {
    /// Whether the database holds no company yet: the loader's explicit ids need that.
    pub async fn bulk_target_is_empty(&self) -> Result<bool, StoreError> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM companies")
            .fetch_one(p).await)?;
        Ok(n == 0)
    }

    /// Relaxes durability and grows the page cache for a bulk load. Per connection on
    /// SQLite, so the loader uses a one-connection store and calls this before each batch.
    pub async fn bulk_relax(&self) -> Result<(), StoreError> {
        if let Backend::Sqlite(p) = self.backend() {
            // A crash mid-load means seeding again; nothing else uses the file meanwhile.
            sqlx::query("PRAGMA synchronous = OFF").execute(p).await?;
            sqlx::query("PRAGMA cache_size = -262144")
                .execute(p)
                .await?;
        }
        Ok(())
    }

    /// Ends a bulk load: moves PostgreSQL's id sequences past the explicit ids, restores
    /// durability, merges SQLite's search index, refreshes the planner's statistics and folds SQLite's WAL back in.
    pub async fn bulk_finish(&self) -> Result<(), StoreError> {
        match self.backend() {
            Backend::Sqlite(p) => {
                sqlx::query("PRAGMA synchronous = FULL").execute(p).await?;
                sqlx::query("PRAGMA cache_size = -8000").execute(p).await?;
                // A bulk load leaves the search index in many small segments; a live one
                // merges them as it goes, so merge once to measure the steady state.
                sqlx::query("INSERT INTO jobs_fts (jobs_fts) VALUES ('optimize')")
                    .execute(p)
                    .await?;
                sqlx::query("ANALYZE").execute(p).await?;
                // STAT4 samples make SQLite re-plan a statement each time a parameter the
                // samples cover is bound anew (sqlx's connections cannot opt out): keep the
                // per-index averages, drop the samples, and reload what remains.
                sqlx::query("DELETE FROM sqlite_stat4").execute(p).await?;
                sqlx::query("ANALYZE sqlite_schema").execute(p).await?;
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(p)
                    .await?;
            }
            Backend::Postgres(p) => {
                for table in ID_TABLES {
                    // setval(.., max, true) makes the next generated id max + 1.
                    let sql = format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                         GREATEST((SELECT MAX(id) FROM {table}), 1))"
                    );
                    sqlx::query(&sql).execute(p).await?;
                }
                // VACUUM as autovacuum would after a load: it marks the freshly written pages
                // all-visible, without which an index-only scan (the job search's word table)
                // reads the table too, and the benchmark would measure a state no live
                // database stays in.
                sqlx::query("VACUUM ANALYZE").execute(p).await?;
                // The load's dirty pages are written now, not by a checkpoint spread over
                // the next minutes: measured under it, the job list ran at two-thirds speed.
                // Only a superuser (or pg_checkpoint) may; the data is complete either way.
                if let Err(err) = sqlx::query("CHECKPOINT").execute(p).await {
                    tracing::warn!(%err, "no CHECKPOINT after the load; the first minutes run under it");
                }
            }
        }
        Ok(())
    }

    /// Counts the rows the loader writes, over all companies.
    pub async fn bulk_counts(&self) -> Result<BulkCounts, StoreError> {
        let count = |table: &'static str| async move {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let n: i64 = on_pool!(self, p => sqlx::query_scalar(&sql).fetch_one(p).await)?;
            Ok::<i64, StoreError>(n)
        };
        Ok(BulkCounts {
            companies: count("companies").await?,
            customers: count("customers").await?,
            sites: count("sites").await?,
            contacts: count("contacts").await?,
            logins: count("portal_logins").await?,
            jobs: count("jobs").await?,
            lines: count("line_items").await?,
        })
    }

    /// The engine, for the seeder's progress lines.
    pub fn bulk_engine(&self) -> &'static str {
        match self.kind() {
            DbKind::Sqlite => "SQLite",
            DbKind::Postgres => "PostgreSQL",
        }
    }
}

impl Tx {
    /// Inserts customers, many per statement.
    pub async fn bulk_customers(&mut self, rows: &[BulkCustomer]) -> Result<(), StoreError> {
        const COLS: [&str; 13] = [
            "id",
            "company_id",
            "number",
            "name",
            "kind",
            "email",
            "phone",
            "billing_line1",
            "billing_city",
            "billing_region",
            "billing_postal_code",
            "created_at",
            "updated_at",
        ];
        let vals = rows.iter().map(|c| {
            vec![
                c.id.into(),
                c.company_id.into(),
                (&c.number).into(),
                (&c.name).into(),
                c.kind.into(),
                (&c.email).into(),
                (&c.phone).into(),
                (&c.billing_line1).into(),
                (&c.billing_city).into(),
                (&c.billing_region).into(),
                (&c.billing_postal_code).into(),
                c.created_at.into(),
                c.created_at.into(),
            ]
        });
        self.insert_many("customers", &COLS, vals).await
    }

    /// Inserts service sites, many per statement.
    pub async fn bulk_sites(&mut self, rows: &[BulkSite]) -> Result<(), StoreError> {
        const COLS: [&str; 11] = [
            "id",
            "company_id",
            "customer_id",
            "name",
            "kind",
            "line1",
            "city",
            "region",
            "postal_code",
            "created_at",
            "updated_at",
        ];
        let vals = rows.iter().map(|s| {
            vec![
                s.id.into(),
                s.company_id.into(),
                s.customer_id.into(),
                (&s.name).into(),
                "service".into(),
                (&s.line1).into(),
                (&s.city).into(),
                (&s.region).into(),
                (&s.postal_code).into(),
                s.created_at.into(),
                s.created_at.into(),
            ]
        });
        self.insert_many("sites", &COLS, vals).await
    }

    /// Inserts portal logins (email verified), many per statement.
    pub async fn bulk_logins(&mut self, rows: &[BulkLogin]) -> Result<(), StoreError> {
        const COLS: [&str; 7] = [
            "id",
            "company_id",
            "email",
            "password_hash",
            "email_verified_at",
            "created_at",
            "updated_at",
        ];
        let vals = rows.iter().map(|l| {
            vec![
                l.id.into(),
                l.company_id.into(),
                (&l.email).into(),
                (&l.password_hash).into(),
                l.created_at.into(),
                l.created_at.into(),
                l.created_at.into(),
            ]
        });
        self.insert_many("portal_logins", &COLS, vals).await
    }

    /// Inserts primary, billing company contacts, many per statement.
    pub async fn bulk_contacts(&mut self, rows: &[BulkContact]) -> Result<(), StoreError> {
        const COLS: [&str; 13] = [
            "id",
            "company_id",
            "customer_id",
            "login_id",
            "first_name",
            "last_name",
            "email",
            "role",
            "is_primary",
            "is_billing",
            "portal_enabled",
            "created_at",
            "updated_at",
        ];
        let vals = rows.iter().map(|c| {
            vec![
                c.id.into(),
                c.company_id.into(),
                c.customer_id.into(),
                c.login_id.into(),
                (&c.first_name).into(),
                (&c.last_name).into(),
                (&c.email).into(),
                "company".into(),
                true.into(),
                true.into(),
                c.login_id.is_some().into(),
                c.created_at.into(),
                c.created_at.into(),
            ]
        });
        self.insert_many("contacts", &COLS, vals).await
    }

    /// Inserts jobs, many per statement; the list date is the visit, or the creation
    /// when unscheduled, as [`Tx::insert_job`] sets it.
    pub async fn bulk_jobs(&mut self, rows: &[BulkJob]) -> Result<(), StoreError> {
        const COLS: [&str; 19] = [
            "id",
            "company_id",
            "customer_id",
            "site_id",
            "number",
            "kind",
            "status",
            "summary",
            "description",
            "schedule_type",
            "scheduled_start",
            "scheduled_end",
            "job_date",
            "completed_at",
            "work_order_notes",
            "total_minor",
            "created_at",
            "updated_at",
            "custom_fields",
        ];
        let vals = rows.iter().map(|j| {
            let job_date = j.scheduled_start.unwrap_or(j.created_at);
            let updated = j.completed_at.unwrap_or(j.created_at);
            vec![
                j.id.into(),
                j.company_id.into(),
                j.customer_id.into(),
                j.site_id.into(),
                (&j.number).into(),
                j.kind.as_str().into(),
                j.status.as_str().into(),
                (&j.summary).into(),
                (&j.description).into(),
                Val::Text(j.schedule_type.map(|s| s.as_str().to_owned())),
                j.scheduled_start.into(),
                j.scheduled_end.into(),
                job_date.into(),
                j.completed_at.into(),
                (&j.work_order_notes).into(),
                j.total_minor.into(),
                j.created_at.into(),
                updated.into(),
                "{}".into(),
            ]
        });
        self.insert_many("jobs", &COLS, vals).await
    }

    /// Inserts job lines, many per statement.
    pub async fn bulk_lines(&mut self, rows: &[BulkLine]) -> Result<(), StoreError> {
        const COLS: [&str; 10] = [
            "id",
            "company_id",
            "job_id",
            "position",
            "kind",
            "description",
            "quantity_milli",
            "unit_price_minor",
            "tax_name",
            "tax_rate_bp",
        ];
        let vals = rows.iter().map(|l| {
            vec![
                l.id.into(),
                l.company_id.into(),
                l.job_id.into(),
                l.position.into(),
                l.kind.into(),
                (&l.description).into(),
                l.quantity_milli.into(),
                l.unit_price_minor.into(),
                Val::Text(l.tax_name.map(str::to_owned)),
                l.tax_rate_bp.into(),
            ]
        });
        self.insert_many("line_items", &COLS, vals).await
    }

    /// Writes `rows` into `table` as multi-row `INSERT`s of at most [`MAX_ROWS`] rows.
    /// Full chunks share one SQL text, so the driver prepares it once per connection.
    async fn insert_many(
        &mut self,
        table: &'static str,
        cols: &[&'static str],
        rows: impl Iterator<Item = Vec<Val>>,
    ) -> Result<(), StoreError> {
        let per_statement = (MAX_PARAMS / cols.len()).clamp(1, MAX_ROWS);
        // sqlx's SQLite driver looks up every `$N` by name, a linear scan per parameter,
        // which makes wide statements quadratic (74% of the load's time); anonymous `?`
        // parameters skip the lookup. PostgreSQL only knows `$N`.
        let numbered = !matches!(self.inner(), TxInner::Sqlite(_));
        let mut chunk: Vec<Vec<Val>> = Vec::with_capacity(per_statement);
        let mut full_sql: Option<String> = None;
        for row in rows {
            chunk.push(row);
            if chunk.len() == per_statement {
                let sql = full_sql
                    .get_or_insert_with(|| insert_sql(table, cols, per_statement, numbered));
                self.execute_chunk(sql, std::mem::take(&mut chunk)).await?;
                chunk.reserve(per_statement);
            }
        }
        if !chunk.is_empty() {
            let sql = insert_sql(table, cols, chunk.len(), numbered);
            self.execute_chunk(&sql, chunk).await?;
        }
        Ok(())
    }

    async fn execute_chunk(&mut self, sql: &str, rows: Vec<Vec<Val>>) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            let mut q = sqlx::query(sql);
            for v in rows.into_iter().flatten() {
                q = match v {
                    Val::Int(x) => q.bind(x),
                    Val::Text(x) => q.bind(x),
                    Val::Bool(x) => q.bind(x),
                    Val::Time(x) => q.bind(x),
                    Val::Day(x) => q.bind(x),
                };
            }
            q.execute(&mut *conn).await.map(|_| ())
        })?;
        Ok(())
    }
}

/// `INSERT INTO table (cols) VALUES ($1, ..), (..)` for `rows` rows; with `numbered`
/// false the parameters are anonymous `?`, bound in order.
fn insert_sql(table: &str, cols: &[&str], rows: usize, numbered: bool) -> String {
    let width = cols.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    sql.reserve(rows * width * 8);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            if numbered {
                sql.push('$');
                sql.push_str(&(r * width + c + 1).to_string());
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
    use super::insert_sql;

    #[test]
    fn insert_sql_numbers_parameters_row_by_row() {
        assert_eq!(
            insert_sql("t", &["a", "b"], 2, true),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            insert_sql("t", &["a", "b"], 2, false),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
    }
}
