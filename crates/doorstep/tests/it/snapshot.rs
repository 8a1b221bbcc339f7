//! A snapshot of everything a request could change in the database, to show that a
//! refused request changed nothing.
//!
//! Every row of every company's table is read as text, in a stable order. Two tables
//! change on their own while the app runs and are compared by row count only: sessions
//! (a signed-in request refreshes its session's last-seen time) and the email outbox
//! (the mail worker records its attempts).

use doorstep_store::Backend;

use crate::helpers::TestApp;

/// Tables compared by their row count only.
const COUNTED_ONLY: &[&str] = &["sessions", "email_outbox"];

/// One entry per table: its name and its rows (or, for [`COUNTED_ONLY`], their count).
pub type Snapshot = Vec<(&'static str, String)>;

/// Reads every company's rows of every tenant table, and the companies themselves.
pub async fn snapshot(app: &TestApp) -> Snapshot {
    let tables = std::iter::once("companies")
        .chain(doorstep_store::companies::TENANT_TABLES.iter().copied());
    let mut out = Vec::new();
    for table in tables {
        let rows = if COUNTED_ONLY.contains(&table) {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let n: i64 = doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(&sql).fetch_one(p).await).unwrap();
            n.to_string()
        } else {
            match app.store.backend() {
                Backend::Sqlite(p) => {
                    let columns: Vec<String> = sqlx::query_scalar(&format!(
                        "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
                    ))
                    .fetch_all(p)
                    .await
                    .unwrap();
                    let row = columns
                        .iter()
                        .map(|c| format!("quote(\"{c}\")"))
                        .collect::<Vec<_>>()
                        .join(" || '|' || ");
                    let sql = format!(
                        "SELECT COALESCE(group_concat(r, char(10)), '') FROM (SELECT {row} AS r FROM {table} ORDER BY r)"
                    );
                    sqlx::query_scalar(&sql).fetch_one(p).await.unwrap()
                }
                Backend::Postgres(p) => {
                    let sql = format!(
                        "SELECT COALESCE(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM {table} t"
                    );
                    sqlx::query_scalar(&sql).fetch_one(p).await.unwrap()
                }
            }
        };
        out.push((table, rows));
    }
    out
}

/// The tables whose rows differ between two snapshots, with both versions.
pub fn changed(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    before
        .iter()
        .zip(after)
        .filter(|(b, a)| b != a)
        .map(|((table, b), (_, a))| format!("{table}:\n  before: {b}\n  after:  {a}"))
        .collect()
}
