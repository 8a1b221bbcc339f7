//! The portal's job list and histories: one account's jobs (site contacts: their sites'),
//! filtered, searched and keyset-paged on (job_date, id) so every page costs the same.

use doorstep_core::authz::ContactScope;
use doorstep_core::ids::CompanyId;
use doorstep_core::status::{ContactRole, JobKind, JobStatus};
use time::OffsetDateTime;

use crate::insert::Sql;
use crate::{DbKind, Store, StoreError};

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

/// A job's type and first issued invoice.
const TYPE_AND_INVOICE: &str = " LEFT JOIN job_types t ON t.company_id = j.company_id \
     AND t.id = j.job_type_id \
     LEFT JOIN invoices i ON i.company_id = j.company_id AND i.id = (SELECT MIN(x.id) \
       FROM invoices x WHERE x.company_id = j.company_id AND x.job_id = j.id \
       AND x.status <> 'draft')";

/// Appends a page's joins to its jobs' site, type and first issued invoice. PostgreSQL reads
/// the site from the account's sites, read once by [`push_account_sites`]: looked up per
/// job, sites were 153 of a page's 210 buffer reads, and the planner's guess of how many
/// rows a page joins decided whether it read them once. (A job is at one of its own
/// account's sites; one that is not shows no site rather than another account's.) SQLite
/// finds a site by rowid, as cheap as reading it from a list.
fn push_joins(sql: &mut Sql, kind: DbKind) {
    sql.push(match kind {
        DbKind::Sqlite => " LEFT JOIN sites s ON s.company_id = j.company_id AND s.id = j.site_id",
        DbKind::Postgres => " LEFT JOIN account_sites s ON s.id = j.site_id",
    })
    .push(TYPE_AND_INVOICE);
}

/// Opens a PostgreSQL page's query with the account's sites, for [`push_joins`].
fn push_account_sites(sql: &mut Sql, company: CompanyId, scope: &ContactScope) {
    sql.push(
        "WITH account_sites AS MATERIALIZED (SELECT id, name, line1, city FROM sites \
         WHERE company_id = ",
    )
    .val(company.0)
    .push(" AND customer_id = ")
    .val(scope.customer.0)
    .push(") ");
}

/// Opens the page's query up to its `WHERE`. On SQLite the page's jobs are chosen first by
/// date and the filter alone, and only the chosen rows are joined: a search may match
/// hundreds of an account's jobs, and joining each before sorting cost more than the
/// search. PostgreSQL's planner joins only the rows the limit keeps by itself.
fn page_start(sql: &mut Sql, kind: DbKind, company: CompanyId, scope: &ContactScope) {
    match kind {
        DbKind::Sqlite => {
            sql.push(COLUMNS)
                .push("FROM (SELECT j.id FROM jobs j WHERE ");
        }
        DbKind::Postgres => {
            push_account_sites(sql, company, scope);
            sql.push(COLUMNS).push("FROM jobs j");
            push_joins(sql, kind);
            sql.push(" WHERE ");
        }
    }
}

/// Closes [`page_start`]'s query: `limit` rows in `dir` order.
fn page_end(sql: &mut Sql, kind: DbKind, dir: &str, limit: i64) {
    let order = format!(" ORDER BY j.job_date {dir}, j.id {dir}");
    sql.push(&format!("{order} LIMIT ")).val(limit);
    if kind == DbKind::Sqlite {
        sql.push(") p JOIN jobs j ON j.id = p.id");
        push_joins(sql, kind);
        sql.push(&order);
    }
}

/// Appends the scope and the job numbered `number`, found through the company's unique
/// number index. Written as `j.number = ..` beside the scope, or with the scope's columns
/// open to the planner, PostgreSQL's cached generic plan walked the account's jobs in one
/// of its (account, ...) indexes instead (1 ms for an account with 10,000 jobs; `+` keeps
/// the scope a check on the one row).
pub(crate) fn push_scope_and_number(
    sql: &mut Sql,
    company: CompanyId,
    scope: &ContactScope,
    number: &str,
) {
    push_row_scope(sql, company, scope);
    sql.push(" AND j.id = (SELECT n.id FROM jobs n WHERE n.company_id = ")
        .val(company.0)
        .push(" AND n.number = ")
        .val(number)
        .push(")");
}

/// Like [`push_scope`] for a query that finds its job by id: the scope checks that one row
/// and stays out of the planner's choice of index (see [`push_scope_and_number`]).
pub(crate) fn push_row_scope(sql: &mut Sql, company: CompanyId, scope: &ContactScope) {
    push_scope_with(sql, company, scope, "+");
}

/// Appends `j.company_id = .. AND j.customer_id = ..` and, for site contacts, their sites.
pub(crate) fn push_scope(sql: &mut Sql, company: CompanyId, scope: &ContactScope) {
    push_scope_with(sql, company, scope, "");
}

/// Like [`push_scope`]; `mark` goes before each column (`+` keeps the planner
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

/// Appends the filter's statuses, kind and date range; `date` names the date column.
fn push_filter(sql: &mut Sql, filter: &JobFilter, date: &str) {
    if !filter.statuses.is_empty() {
        sql.push(" AND j.status IN ")
            .list(filter.statuses.iter().map(|s| s.as_str()));
    }
    if let Some(kind) = filter.kind {
        sql.push(" AND j.kind = ").val(kind.as_str());
    }
    if let Some(from) = filter.from {
        sql.push(&format!(" AND {date} >= ")).val(from);
    }
    if let Some(until) = filter.until {
        sql.push(&format!(" AND {date} < ")).val(until);
    }
}

/// Appends the rows beyond `key` in `dir` order, as one row-value range on (date, id): both
/// engines turn it into one index range after the account's columns, ties on the date
/// included (an OR of the two made SQLite read and sort every earlier job; a date range
/// plus the OR as a filter made a deep page 10-15% slower than the first).
fn push_after(sql: &mut Sql, key: Option<JobKey>, dir: &str, date: &str, id: &str) {
    if let Some(k) = key {
        let op = if dir == "DESC" { "<" } else { ">" };
        sql.push(&format!(" AND ({date}, {id}) {op} ("))
            .val(k.date)
            .push(", ")
            .val(k.id)
            .push(")");
    }
}

/// Appends the condition on `ls` for an account's site whose name or address contains
/// `search`.
fn push_site_match(sql: &mut Sql, company: CompanyId, scope: &ContactScope, search: &str) {
    sql.push("ls.company_id = ")
        .val(company.0)
        .push(" AND ls.customer_id = ")
        .val(scope.customer.0)
        .push(" AND ");
    push_site_text_match(sql, search);
}

/// Appends the condition on `ls` for a site whose name or address contains `search`.
fn push_site_text_match(sql: &mut Sql, search: &str) {
    let pattern = like_pattern(search);
    sql.push("(LOWER(ls.name) LIKE ")
        .val(pattern.clone())
        .push(" ESCAPE '\\' OR LOWER(ls.line1) LIKE ")
        .val(pattern.clone())
        .push(" ESCAPE '\\' OR LOWER(ls.city) LIKE ")
        .val(pattern)
        .push(" ESCAPE '\\')");
}

/// Appends PostgreSQL's text-search query for `words`, made once per execution: written
/// bare beside a row's column, `to_tsquery` ran again for every row read (a word page ran
/// 10-15% faster with it made once).
fn push_tsquery(sql: &mut Sql, words: &[String], prefix: bool) {
    sql.push("(SELECT to_tsquery('simple', ")
        .val(tsquery(words, prefix))
        .push("))");
}

/// The word of a search most likely to be rare, which drives a PostgreSQL word search:
/// the longest ("j" of "J-1042" is in every job; "1042" in one).
fn rarest_word(words: &[String]) -> &str {
    words
        .iter()
        .rev()
        .max_by_key(|w| w.chars().count())
        .map_or("", String::as_str)
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
        if words.is_empty() {
            let rows = self
                .page_rows(
                    company,
                    scope,
                    filter,
                    &words,
                    false,
                    false,
                    cursor,
                    limit + 1,
                )
                .await?;
            return Ok(page_of(rows, cursor, limit));
        }
        // Whole words first; word starts only when no job of the filtered list has every
        // word whole. A first page learns that from its own rows; a later page asks for one
        // such job, so every page of a search follows the same rule.
        let whole_take = if cursor.is_none() { limit + 1 } else { 1 };
        // On PostgreSQL that whole-word query also says whether a site matches when it finds
        // a row: a round trip fewer on nearly every search (alternating runs on the
        // benchmark's data: 2,540 -> 3,000 requests/s).
        let (probe, known) = match self.kind() {
            DbKind::Postgres => {
                let (rows, hit) = self
                    .flagged_word_rows(company, scope, filter, &words, whole_take)
                    .await?;
                (Some(rows), hit)
            }
            DbKind::Sqlite => (None, None),
        };
        // Asked once per page, however many queries the page makes.
        let sites_hit = match known {
            Some(hit) => hit,
            None => self.sites_match(company, scope, filter).await?,
        };
        let words = &words;
        let page = |prefix, from, take| {
            self.page_rows(company, scope, filter, words, prefix, sites_hit, from, take)
        };
        // The probe left out the sites' jobs: it stands only when no site matches.
        let whole = match probe.filter(|_| !sites_hit) {
            Some(rows) => rows,
            None => page(false, None, whole_take).await?,
        };
        if cursor.is_none() && !whole.is_empty() {
            return Ok(page_of(whole, cursor, limit));
        }
        let rows = page(whole.is_empty(), cursor, limit + 1).await?;
        Ok(page_of(rows, cursor, limit))
    }

    /// Up to `take` rows of the list from `cursor`, in the order read (away from the
    /// cursor, so reversed for a "before" cursor); `prefix` makes search words match word
    /// starts; `sites_hit` says a site of the account matches the search (from
    /// [`Store::sites_match`]), whose jobs then come with the words' matches: the page walks
    /// the account's jobs by date instead of reading one word's index.
    #[allow(clippy::too_many_arguments)]
    async fn page_rows(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        filter: &JobFilter,
        words: &[String],
        prefix: bool,
        sites_hit: bool,
        cursor: Option<Cursor>,
        take: i64,
    ) -> Result<Vec<JobRow>, StoreError> {
        let search = SearchPage::new(company, scope, filter, words, prefix, cursor, take);
        let (key, dir) = (search.key, search.dir);
        let mut sql = Sql::default();
        let kind = self.kind();
        let by_index = match kind {
            DbKind::Sqlite => !words.is_empty() && !sites_hit,
            DbKind::Postgres => !words.is_empty() && !prefix && !sites_hit,
        };
        match kind {
            DbKind::Sqlite if by_index => push_fts_page(&mut sql, &search),
            DbKind::Postgres if by_index => push_word_page(&mut sql, &search, false),
            _ => {
                page_start(&mut sql, kind, company, scope);
                // A search's matches come from the text index and the sites as ids: on SQLite
                // the rows are then read by id, not found by walking the account's jobs.
                if kind == DbKind::Sqlite && !words.is_empty() {
                    push_row_scope(&mut sql, company, scope);
                } else {
                    push_scope(&mut sql, company, scope);
                }
                push_filter(&mut sql, filter, "j.job_date");
                if !words.is_empty() {
                    push_search(&mut sql, kind, &search, sites_hit);
                }
                push_after(&mut sql, key, dir, "j.job_date", "j.id");
                page_end(&mut sql, kind, dir, take);
            }
        }
        self.hot_rows(&sql.text, &sql.vals, JobRow::from_sqlite)
            .await
    }

    /// Whether a site of the account has the search in its name or address, which makes a
    /// search also list that site's jobs. Asked apart: inside the page's statement SQLite
    /// gathered the other branch's matches before it looked at its guard, and PostgreSQL set
    /// up the branch not taken on every execution.
    async fn sites_match(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        filter: &JobFilter,
    ) -> Result<bool, StoreError> {
        let mut sql = Sql::default();
        sql.push("SELECT ls.id FROM sites ls WHERE ");
        push_site_match(&mut sql, company, scope, &filter.search);
        sql.push(" LIMIT 1");
        let found: Vec<(i64,)> = self
            .hot_rows(&sql.text, &sql.vals, |r| Ok((r.get(0)?,)))
            .await?;
        Ok(!found.is_empty())
    }

    /// PostgreSQL's whole-word page from the top of the list (as [`Store::page_rows`] reads
    /// it when no site matches), `take` rows, with whether a site of the account matches the
    /// search: known when a row came back, `None` when none did.
    async fn flagged_word_rows(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        filter: &JobFilter,
        words: &[String],
        take: i64,
    ) -> Result<(Vec<JobRow>, Option<bool>), StoreError> {
        let search = SearchPage::new(company, scope, filter, words, false, None, take);
        let mut sql = Sql::default();
        push_word_page(&mut sql, &search, true);
        let rows: Vec<FlaggedRow> = self
            .hot_rows(&sql.text, &sql.vals, FlaggedRow::from_sqlite)
            .await?;
        let hit = rows.first().map(|r| r.sites_hit);
        Ok((rows.into_iter().map(|r| r.row).collect(), hit))
    }
}

/// A row of [`push_word_page`]'s flagged page: the job and whether a site of the account
/// matches the search (the same on every row).
#[derive(sqlx::FromRow)]
struct FlaggedRow {
    #[sqlx(flatten)]
    row: JobRow,
    sites_hit: bool,
}

impl FlaggedRow {
    /// Reads a row of [`COLUMNS`] and the flag after them.
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<FlaggedRow> {
        Ok(FlaggedRow {
            row: JobRow::from_sqlite(r)?,
            sites_hit: r.get(15)?,
        })
    }
}

/// One search page's question, as the page builders below take it.
struct SearchPage<'a> {
    company: CompanyId,
    scope: &'a ContactScope,
    filter: &'a JobFilter,
    words: &'a [String],
    /// Words match word starts, not whole words.
    prefix: bool,
    /// The cursor's row, if any: the page starts beyond it in `dir` order.
    key: Option<JobKey>,
    /// `DESC` or `ASC`.
    dir: &'a str,
    /// Rows to read.
    take: i64,
}

impl<'a> SearchPage<'a> {
    /// The question of `take` rows from `cursor`: reading "before" a key runs the list the
    /// other way (`page_of` turns the rows round).
    fn new(
        company: CompanyId,
        scope: &'a ContactScope,
        filter: &'a JobFilter,
        words: &'a [String],
        prefix: bool,
        cursor: Option<Cursor>,
        take: i64,
    ) -> SearchPage<'a> {
        let backwards = matches!(cursor, Some(Cursor::Before(_)));
        let descending = (filter.order == DateOrder::Newest) != backwards;
        SearchPage {
            company,
            scope,
            filter,
            words,
            prefix,
            key: cursor.map(|(Cursor::After(k) | Cursor::Before(k))| k),
            dir: if descending { "DESC" } else { "ASC" },
            take,
        }
    }
}

/// The search index's key of a list place (migration 0013): `(date, id)` packed so that
/// integer order is list order. A bound outside the index's range (a crafted cursor, a date
/// filter in another century) becomes a key beyond every indexed job on its side, so the
/// comparison with every real job stays exact.
fn search_key(date: OffsetDateTime, id: i64) -> i64 {
    const HALF: i64 = 1 << 31;
    match date.unix_timestamp() {
        secs if secs < 0 => i64::MIN,
        secs if secs >= 2 * HALF => i64::MAX,
        // Indexed ids are 1..HALF: 0 and HALF sit just below and just above them.
        secs => (secs - HALF) * HALF + id.clamp(0, HALF),
    }
}

/// Appends the search condition: the full-text index over the job's own words (whole words,
/// or word starts when `prefix`), or, when `sites_hit`, a site of the account whose name or
/// address contains the search.
fn push_search(sql: &mut Sql, kind: DbKind, q: &SearchPage<'_>, sites_hit: bool) {
    match kind {
        DbKind::Sqlite => {
            sql.push(" AND j.id IN (SELECT rowid & 2147483647 FROM jobs_fts WHERE jobs_fts MATCH ")
                .val(fts5_query(q.scope, q.words, q.prefix));
            if sites_hit {
                sql.push(" UNION SELECT x.id FROM jobs x WHERE x.company_id = ")
                    .val(q.company.0)
                    .push(" AND x.site_id IN ");
                push_matching_sites(sql, q);
            }
        }
        DbKind::Postgres => {
            sql.push(" AND (j.search @@ ");
            push_tsquery(sql, q.words, q.prefix);
            if sites_hit {
                sql.push(" OR j.site_id IN ");
                push_matching_sites(sql, q);
            }
        }
    }
    sql.push(")");
}

/// Appends the ids of the account's sites whose name or address contains the search.
fn push_matching_sites(sql: &mut Sql, q: &SearchPage<'_>) {
    sql.push("(SELECT ls.id FROM sites ls WHERE ");
    push_site_match(sql, q.company, q.scope, &q.filter.search);
    sql.push(")");
}

/// Appends a search's page on SQLite when no site of the account matches the search (nearly
/// always): read from the top of the search index, whose keys run in list order (migration
/// 0013), FTS5 walks the account's matches newest first, each is checked against the job's
/// own row for the account and the filter, and the scan stops once the page is full; only
/// the chosen rows are joined to their site, type and invoice.
fn push_fts_page(sql: &mut Sql, q: &SearchPage<'_>) {
    let SearchPage {
        company,
        scope,
        filter,
        dir,
        take,
        ..
    } = *q;
    sql.push(COLUMNS)
        .push(
            "FROM (SELECT j.id FROM jobs_fts f CROSS JOIN jobs j ON j.id = f.rowid & 2147483647 \
             WHERE jobs_fts MATCH ",
        )
        .val(fts5_query(scope, q.words, q.prefix));
    if let Some(from) = filter.from {
        sql.push(" AND f.rowid >= ").val(search_key(from, 0));
    }
    if let Some(until) = filter.until {
        sql.push(" AND f.rowid < ").val(search_key(until, 0));
    }
    if let Some(k) = q.key {
        let op = if dir == "DESC" { "<" } else { ">" };
        sql.push(&format!(" AND f.rowid {op} "))
            .val(search_key(k.date, k.id));
    }
    sql.push(" AND ");
    // `+`: the job is read by its id from the index's key; its own columns are checks.
    push_row_scope(sql, company, scope);
    push_filter(sql, filter, "j.job_date");
    sql.push(&format!(" ORDER BY f.rowid {dir} LIMIT "))
        .val(take)
        .push(") p JOIN jobs j ON j.id = p.id");
    push_joins(sql, DbKind::Sqlite);
    sql.push(&format!(" ORDER BY j.job_date {dir}, j.id {dir}"));
}

/// Appends a whole-word search's page on PostgreSQL when no site of the account has the
/// search in its name or address (nearly always): the newest jobs with the rarest word, read
/// from `job_words` in list order and each checked against the job's own row for the
/// account, the filter and every word, so it reads about as many rows as it shows. (A search
/// that also matches a site walks the account's jobs by date instead, see
/// [`Store::page_rows`].) The sites are asked apart, as on SQLite: a second branch for them
/// in the same statement, never run, still cost its set-up on every execution (the page's
/// statement ran at two-thirds the rate with it). With `flag`, each row also says whether a
/// site of the account matches the search, asked once of the account's sites already read
/// for the join ([`Store::flagged_word_rows`]).
fn push_word_page(sql: &mut Sql, q: &SearchPage<'_>, flag: bool) {
    let SearchPage {
        company,
        scope,
        filter,
        words,
        key,
        dir,
        take,
        ..
    } = *q;
    let rarest = rarest_word(words);
    push_account_sites(sql, company, scope);
    sql.push(COLUMNS);
    if flag {
        sql.push(", (SELECT EXISTS (SELECT 1 FROM account_sites ls WHERE ");
        push_site_text_match(sql, &filter.search);
        sql.push(")) AS sites_hit ");
    }
    sql.push("FROM job_words w JOIN jobs j ON j.id = w.job_id");
    push_joins(sql, DbKind::Postgres);
    sql.push(" WHERE w.customer_id = ")
        .val(scope.customer.0)
        .push(" AND w.word = ")
        .val(rarest.to_owned())
        .push(" AND ");
    // `+` keeps the account's columns out of PostgreSQL's choice of index: its cached
    // generic plan, which cannot see how many jobs the account has, otherwise walked them
    // for each word row instead of reading the one job by id (900 ms a page).
    push_row_scope(sql, company, scope);
    push_filter(sql, filter, "w.job_date");
    // A word's row in `job_words` is the job having that word (the table holds each job's
    // own words, migration 0012), so only other words are checked against the job's row:
    // for a one-word search that check was a sixth of the statement's time.
    if words.iter().any(|w| w != rarest) {
        sql.push(" AND j.search @@ ");
        push_tsquery(sql, words, false);
    }
    push_after(sql, key, dir, "w.job_date", "w.job_id");
    sql.push(&format!(
        " ORDER BY w.job_date {dir}, w.job_id {dir} LIMIT "
    ))
    .val(take);
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
    use super::{like_pattern, search_key, search_words};
    use time::OffsetDateTime;
    use time::macros::datetime;

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

    #[test]
    fn search_keys_run_in_list_order_and_keep_the_id() {
        let at = |t: OffsetDateTime, id| search_key(t, id);
        let day = datetime!(2026-09-15 08:00 UTC);
        // In list order: by date, then id for ties; both sides of 2038 (the sign flips there).
        let keys = [
            at(datetime!(1970-01-01 00:00 UTC), 1),
            at(day, 1),
            at(day, 2),
            at(day + time::Duration::SECOND, 1),
            at(datetime!(2040-01-01 00:00 UTC), 99),
            at(datetime!(2106-02-07 06:28:15 UTC), (1 << 31) - 1),
        ];
        let mut sorted = keys;
        sorted.sort();
        assert_eq!(sorted, keys);
        assert_eq!(at(day, 4242) & 0x7fff_ffff, 4242);
        assert_eq!(at(datetime!(2040-01-01 00:00 UTC), 99) & 0x7fff_ffff, 99);
        // Bounds beyond the range stay on the right side of every real key.
        assert_eq!(at(datetime!(9999-01-01 00:00 UTC), 1), i64::MAX);
        assert_eq!(at(datetime!(1900-01-01 00:00 UTC), 1), i64::MIN);
        assert!(at(day, i64::MAX) > at(day, (1 << 31) - 1));
        assert!(at(day, i64::MAX) <= at(day + time::Duration::SECOND, 1));
        assert!(at(day, -5) < at(day, 1));
    }
}
