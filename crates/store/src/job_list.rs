//! The portal's job list and histories: one account's jobs (site contacts: their sites'),
//! filtered, searched and keyset-paged on (job_date, id) so every page costs the same.

use doorstep_core::authz::ContactScope;
use doorstep_core::ids::CompanyId;
use doorstep_core::status::{ContactRole, JobKind, JobStatus};
use time::OffsetDateTime;

use crate::insert::{Sql, bind_vals};
use crate::{DbKind, Store, StoreError, on_pool};

/// Most search words used; more add cost and no precision.
const MAX_SEARCH_WORDS: usize = 8;

/// Which way the list runs by date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// Newest first (the default).
    #[default]
    Newest,
    /// Oldest first.
    Oldest,
}

/// A row's place in the list: its date, then its id for ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobKey {
    /// The job's list date.
    pub date: OffsetDateTime,
    /// The job's id.
    pub id: i64,
}

/// Where a page starts: after one key (next) or before one (previous).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// The rows that follow this key in list order.
    After(JobKey),
    /// The rows that precede this key in list order.
    Before(JobKey),
}

/// What the list is narrowed to; the default is every job, newest first.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    /// Only these statuses (empty: all).
    pub statuses: Vec<JobStatus>,
    /// Only this kind (histories).
    pub kind: Option<JobKind>,
    /// Words to find in the number, summary, description or location.
    pub search: String,
    /// Jobs dated at or after this instant.
    pub from: Option<OffsetDateTime>,
    /// Jobs dated before this instant.
    pub until: Option<OffsetDateTime>,
    /// Sort direction.
    pub order: DateOrder,
}

/// One job as lists show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    /// Id.
    pub id: i64,
    /// The company's job number.
    pub number: String,
    /// Stored status text (see [`JobRow::status`]).
    pub status_text: String,
    /// One-line summary.
    pub summary: String,
    /// The date the list sorts by.
    pub job_date: OffsetDateTime,
    /// `am`, `pm`, `all_day` or `exact`.
    pub schedule_type: Option<String>,
    /// Visit start, when scheduled.
    pub scheduled_start: Option<OffsetDateTime>,
    /// When the work was finished.
    pub completed_at: Option<OffsetDateTime>,
    /// Job type's name.
    pub job_type: Option<String>,
    /// Site name.
    pub site_name: Option<String>,
    /// Site street.
    pub site_line1: Option<String>,
    /// Site city.
    pub site_city: Option<String>,
    /// The job's total, minor units.
    pub total_minor: i64,
    /// Number of the job's first issued invoice.
    pub invoice_number: Option<String>,
    /// That invoice's stored status.
    pub invoice_status: Option<String>,
}

impl JobRow {
    /// Reads a row of [`COLUMNS`] from a plain SQLite connection.
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobRow> {
        use crate::sqlite_reads::{maybe_time_at, time_at};
        Ok(JobRow {
            id: r.get(0)?,
            number: r.get(1)?,
            status_text: r.get(2)?,
            summary: r.get(3)?,
            job_date: time_at(r, 4)?,
            schedule_type: r.get(5)?,
            scheduled_start: maybe_time_at(r, 6)?,
            completed_at: maybe_time_at(r, 7)?,
            job_type: r.get(8)?,
            site_name: r.get(9)?,
            site_line1: r.get(10)?,
            site_city: r.get(11)?,
            total_minor: r.get(12)?,
            invoice_number: r.get(13)?,
            invoice_status: r.get(14)?,
        })
    }

    /// The job's status; an unknown stored value reads as unscheduled.
    pub fn status(&self) -> JobStatus {
        JobStatus::parse(&self.status_text).unwrap_or(JobStatus::Unscheduled)
    }

    /// Where the list continues from this row.
    pub fn key(&self) -> JobKey {
        JobKey {
            date: self.job_date,
            id: self.id,
        }
    }
}

/// One page of jobs with the cursors of its neighbours.
#[derive(Debug, Clone, Default)]
pub struct JobPage {
    /// The rows, in list order.
    pub rows: Vec<JobRow>,
    /// The cursor of the next page, if there is one.
    pub next: Option<Cursor>,
    /// The cursor of the previous page, if there is one.
    pub prev: Option<Cursor>,
}

/// The search's words: letters and digits only, lower-cased, so no query syntax gets through.
pub fn search_words(search: &str) -> Vec<String> {
    search
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(40).collect::<String>().to_lowercase())
        .take(MAX_SEARCH_WORDS)
        .collect()
}

fn like_pattern(search: &str) -> String {
    let escaped = search
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The FTS5 query for `words` within the account's jobs. The account's token comes first,
/// so FTS5 reads only this account's postings.
fn fts5_query(scope: &ContactScope, words: &[String], prefix: bool) -> String {
    let star = if prefix { "*" } else { "" };
    let words = words
        .iter()
        .map(|w| format!("\"{w}\"{star}"))
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "scope : \"c{}\" AND {{number summary description}} : ({words})",
        scope.customer.0
    )
}

/// The PostgreSQL text-search query for `words`, all required.
fn tsquery(words: &[String], prefix: bool) -> String {
    let star = if prefix { ":*" } else { "" };
    words
        .iter()
        .map(|w| format!("{w}{star}"))
        .collect::<Vec<_>>()
        .join(" & ")
}

/// The list's columns. Keep them in step with [`JobRow::from_sqlite`], which reads them by
/// position.
const COLUMNS: &str = "SELECT j.id, j.number, j.status AS status_text, j.summary, j.job_date, \
     j.schedule_type, j.scheduled_start, j.completed_at, t.name AS job_type, \
     s.name AS site_name, s.line1 AS site_line1, s.city AS site_city, j.total_minor, \
     i.number AS invoice_number, i.status AS invoice_status ";

/// A job's site, type and first issued invoice.
const JOINS: &str = " LEFT JOIN sites s ON s.company_id = j.company_id AND s.id = j.site_id \
     LEFT JOIN job_types t ON t.company_id = j.company_id AND t.id = j.job_type_id \
     LEFT JOIN invoices i ON i.company_id = j.company_id AND i.id = (SELECT MIN(x.id) \
       FROM invoices x WHERE x.company_id = j.company_id AND x.job_id = j.id \
       AND x.status <> 'draft')";

/// Opens the page's query up to its `WHERE`. On SQLite the page's jobs are chosen first by
/// date and the filter alone, and only the chosen rows are joined: a search may match
/// hundreds of an account's jobs, and joining each before sorting cost more than the
/// search. PostgreSQL's planner joins only the rows the limit keeps by itself.
fn page_start(sql: &mut Sql, kind: DbKind) {
    match kind {
        DbKind::Sqlite => sql
            .push(COLUMNS)
            .push("FROM (SELECT j.id FROM jobs j WHERE "),
        DbKind::Postgres => sql
            .push(COLUMNS)
            .push("FROM jobs j")
            .push(JOINS)
            .push(" WHERE "),
    };
}

/// Closes [`page_start`]'s query: `limit` rows in `dir` order.
fn page_end(sql: &mut Sql, kind: DbKind, dir: &str, limit: i64) {
    let order = format!(" ORDER BY j.job_date {dir}, j.id {dir}");
    sql.push(&format!("{order} LIMIT ")).val(limit);
    if kind == DbKind::Sqlite {
        sql.push(") p JOIN jobs j ON j.id = p.id")
            .push(JOINS)
            .push(&order);
    }
}

/// Appends the job numbered `number`, found through the company's unique number index
/// first. Written as `j.number = ..` beside the scope, PostgreSQL's cached generic plan
/// walked the account's jobs instead (10 ms for an account with 10,000 jobs).
pub(crate) fn push_number(sql: &mut Sql, company: CompanyId, number: &str) {
    sql.push(" AND j.id = (SELECT n.id FROM jobs n WHERE n.company_id = ")
        .val(company.0)
        .push(" AND n.number = ")
        .val(number)
        .push(")");
}

/// Appends `j.company_id = .. AND j.customer_id = ..` and, for site contacts, their sites.
pub(crate) fn push_scope(sql: &mut Sql, company: CompanyId, scope: &ContactScope) {
    push_scope_with(sql, company, scope, "");
}

/// Like [`push_scope`]; `mark` goes before each column (SQLite's `+` keeps the planner
/// from choosing that column's index).
fn push_scope_with(sql: &mut Sql, company: CompanyId, scope: &ContactScope, mark: &str) {
    sql.push(&format!("{mark}j.company_id = "))
        .val(company.0)
        .push(&format!(" AND {mark}j.customer_id = "))
        .val(scope.customer.0);
    if scope.role == ContactRole::Site {
        if scope.sites.is_empty() {
            sql.push(" AND 1 = 0");
        } else {
            sql.push(&format!(" AND {mark}j.site_id IN "))
                .list(scope.sites.iter().map(|s| s.0));
        }
    }
}

impl Store {
    /// A page of `limit` jobs of the account `scope` acts for, as `filter` narrows them,
    /// starting at `cursor`. One query reads `limit + 1` rows (the extra one tells whether
    /// another page follows); a search that finds nothing by whole words asks again by word
    /// starts, which cost several times more on a large index.
    pub async fn job_page(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        filter: &JobFilter,
        cursor: Option<Cursor>,
        limit: i64,
    ) -> Result<JobPage, StoreError> {
        let limit = limit.clamp(1, 200);
        let words = search_words(&filter.search);
        let rows = if words.is_empty() {
            self.page_rows(company, scope, filter, &words, false, cursor, limit + 1)
                .await?
        } else {
            // Whole words first; word starts only when no job of the filtered list has every
            // word whole. A first page learns that from its own rows; a later page asks for
            // one such job, so every page of a search follows the same rule.
            let whole_found = match cursor {
                None => {
                    let rows = self
                        .page_rows(company, scope, filter, &words, false, None, limit + 1)
                        .await?;
                    if !rows.is_empty() {
                        return Ok(page_of(rows, cursor, limit));
                    }
                    false
                }
                Some(_) => !self
                    .page_rows(company, scope, filter, &words, false, None, 1)
                    .await?
                    .is_empty(),
            };
            self.page_rows(
                company,
                scope,
                filter,
                &words,
                !whole_found,
                cursor,
                limit + 1,
            )
            .await?
        };
        Ok(page_of(rows, cursor, limit))
    }

    /// Up to `take` rows of the list from `cursor`, in the order read (away from the
    /// cursor, so reversed for a "before" cursor); `prefix` makes search words match word
    /// starts.
    #[allow(clippy::too_many_arguments)]
    async fn page_rows(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        filter: &JobFilter,
        words: &[String],
        prefix: bool,
        cursor: Option<Cursor>,
        take: i64,
    ) -> Result<Vec<JobRow>, StoreError> {
        let backwards = matches!(cursor, Some(Cursor::Before(_)));
        // Reading "before" a key runs the list the other way; `page_of` turns the rows round.
        let descending = (filter.order == DateOrder::Newest) != backwards;
        let mut sql = Sql::default();
        page_start(&mut sql, self.kind());
        // A search's matches come from the text index as ids: on SQLite the rows are then
        // read by id, not found by walking the account's (possibly 10,000) jobs by date.
        let by_ids = !words.is_empty() && self.kind() == DbKind::Sqlite;
        push_scope_with(&mut sql, company, scope, if by_ids { "+" } else { "" });
        if !filter.statuses.is_empty() {
            sql.push(" AND j.status IN ")
                .list(filter.statuses.iter().map(|s| s.as_str()));
        }
        if let Some(kind) = filter.kind {
            sql.push(" AND j.kind = ").val(kind.as_str());
        }
        if let Some(from) = filter.from {
            sql.push(" AND j.job_date >= ").val(from);
        }
        if let Some(until) = filter.until {
            sql.push(" AND j.job_date < ").val(until);
        }
        if !words.is_empty() {
            self.push_search(&mut sql, company, scope, &filter.search, words, prefix);
        }
        if let Some(Cursor::After(k) | Cursor::Before(k)) = cursor {
            let op = if descending { "<" } else { ">" };
            // A row value: both engines turn it into one index range on (job_date, id)
            // after the account's columns, ties on the date included (an OR of the two made
            // SQLite read and sort every earlier job; a date range plus the OR as a filter
            // made a deep page 10-15% slower than the first).
            sql.push(&format!(" AND (j.job_date, j.id) {op} ("))
                .val(k.date)
                .push(", ")
                .val(k.id)
                .push(")");
        }
        page_end(
            &mut sql,
            self.kind(),
            if descending { "DESC" } else { "ASC" },
            take,
        );
        let rows = match self.sqlite_reads() {
            Some(reads) => reads.rows(&sql.text, &sql.vals, JobRow::from_sqlite)?,
            None => {
                on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?
            }
        };
        Ok(rows)
    }

    /// Appends the search: the full-text index over the job's own words (whole words, or
    /// word starts when `prefix`), or a site of the account whose name or address contains
    /// the search.
    fn push_search(
        &self,
        sql: &mut Sql,
        company: CompanyId,
        scope: &ContactScope,
        search: &str,
        words: &[String],
        prefix: bool,
    ) {
        let pattern = like_pattern(search);
        match self.kind() {
            DbKind::Sqlite => {
                sql.push(" AND j.id IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ")
                    .val(fts5_query(scope, words, prefix))
                    .push(" UNION SELECT x.id FROM jobs x WHERE x.company_id = ")
                    .val(company.0)
                    .push(" AND x.site_id IN ");
            }
            DbKind::Postgres => {
                sql.push(" AND (j.search @@ to_tsquery('simple', ")
                    .val(tsquery(words, prefix))
                    .push(") OR j.site_id IN ");
            }
        }
        sql.push("(SELECT ls.id FROM sites ls WHERE ls.company_id = ")
            .val(company.0)
            .push(" AND ls.customer_id = ")
            .val(scope.customer.0)
            .push(" AND (LOWER(ls.name) LIKE ")
            .val(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(ls.line1) LIKE ")
            .val(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(ls.city) LIKE ")
            .val(pattern)
            .push(" ESCAPE '\\')))");
    }
}

/// The page from up to `limit + 1` rows in the order read: the extra row says another page
/// follows in that direction.
fn page_of(mut rows: Vec<JobRow>, cursor: Option<Cursor>, limit: i64) -> JobPage {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    if matches!(cursor, Some(Cursor::Before(_))) {
        rows.reverse();
    }
    let first = rows.first().map(JobRow::key);
    let last = rows.last().map(JobRow::key);
    let (next, prev) = match cursor {
        None => (last.filter(|_| more).map(Cursor::After), None),
        Some(Cursor::After(_)) => (
            last.filter(|_| more).map(Cursor::After),
            first.map(Cursor::Before),
        ),
        Some(Cursor::Before(_)) => (
            last.map(Cursor::After),
            first.filter(|_| more).map(Cursor::Before),
        ),
    };
    JobPage { rows, next, prev }
}

#[cfg(test)]
mod tests {
    use super::{like_pattern, search_words};

    #[test]
    fn search_words_keep_only_letters_and_digits() {
        assert_eq!(
            search_words("J-1042 \"leak\"* OR"),
            ["j", "1042", "leak", "or"]
        );
        assert!(search_words(" -*- ").is_empty());
        assert_eq!(search_words("a b c d e f g h i j").len(), 8);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern(" 50%_off "), "%50\\%\\_off%");
    }
}
