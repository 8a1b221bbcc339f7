//! Importing customers from a CSV file (issue 18), by any office staff member, like
//! creating customers by hand: [`check`] is the dry run (every row checked by the
//! customer form's own rules, nothing written); [`start`] records an import and runs it
//! in the background ([`run`]), all or nothing in one transaction — one bad row and
//! nothing is imported, the row named. A row whose `external_ref` a customer of the
//! company already has updates that customer, so importing the same file again creates
//! nothing. Another company's references are never looked at.
//!
//! While a job runs, its heartbeat writes how many rows it has checked (status
//! `queued`) then written (`running`) to the import's row every second, in a
//! transaction of its own, so any node's page follows it. An import whose heartbeat
//! stopped for longer than [`IMPORT_LEASE`] was left by a node that went away: its
//! transaction rolled back, nothing was imported, and [`restart`] starts its file again.
//! On SQLite the heartbeat waits while the import's transaction holds the write lock, so
//! there the count stands still while the rows are written.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use doorstep_core::authz::OfficeArea;
use doorstep_core::customer_import::{
    CsvRow, IMPORT_HEARTBEAT, IMPORT_LEASE, MAX_ROW_ERRORS, Mapping, RowError, check_yes_no,
    kind_value, read_columns,
};
use doorstep_core::ids::{CompanyId, CustomerId};
use doorstep_core::import_kinds::ImportKind;
use doorstep_core::validation::Invalid;
use doorstep_store::customer_book::CustomerInput;
use doorstep_store::imports::{IMPORT_BATCH, ImportEnd, ImportRow};

use super::accounts::{Customer, CustomerFields};
use super::import_rows::{self, KindRow, Known};
use crate::{App, AppError, StaffActor};

/// What a dry run found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Rows of customers in the file.
    pub rows: usize,
    /// Customers the import would create.
    pub creates: usize,
    /// Customers it would update (their external reference matches).
    pub updates: usize,
    /// The bad rows, at most [`MAX_ROW_ERRORS`] of them, in row order.
    pub errors: Vec<RowError>,
    /// How many errors there were in all.
    pub error_count: usize,
}

/// A row ready to write: a new customer, or the update of the customer with its reference.
enum Planned {
    Create(CustomerInput),
    Update(CustomerId, CustomerInput),
    /// A contact or site row, created or updated as it is written.
    Row(KindRow),
    // import-invoices (issue 18)
    /// An invoice (the rows of one line item each).
    Invoice(super::import_invoices::PlannedInvoice),
}

/// Every row of `rows` checked: the customers to write, or the errors.
struct Plan {
    rows: usize,
    planned: Vec<Planned>,
    errors: Vec<RowError>,
}

impl Plan {
    fn creates(&self, known: &Known) -> usize {
        self.planned
            .iter()
            .filter(|p| match p {
                Planned::Create(_) => true,
                Planned::Row(r) => !known.updates(r),
                Planned::Update(..) => false,
                // import-invoices (issue 18)
                Planned::Invoice(i) => i.creates(),
            })
            .count()
    }
}

/// What the rows of a file are matched with: customers' references, or (contacts and
/// sites) the customers and records they name.
struct Matched {
    refs: HashMap<String, (CustomerId, String)>,
    known: Known,
    // import-invoices (issue 18)
    invoices: super::import_invoices::Known,
}

impl Matched {
    /// Reads what a `kind` file is matched with, in `tx`.
    async fn read(
        tx: &mut doorstep_store::Tx,
        company: CompanyId,
        kind: ImportKind,
    ) -> Result<Matched, AppError> {
        let refs = match kind {
            ImportKind::Customers => {
                let mut refs = tx.external_refs(company).await?;
                // A reference that is a customer's number (what the export writes for a
                // customer without one) finds that customer, so export then import
                // changes nothing.
                for (key, id) in tx.customer_keys(company).await? {
                    refs.entry(key).or_insert((id, String::new()));
                }
                refs
            }
            _ => HashMap::new(),
        };
        let known = match kind {
            ImportKind::Customers => Known::default(),
            _ => Known::read(tx, company, kind).await?,
        };
        // import-invoices (issue 18)
        let invoices = match kind {
            ImportKind::Invoices => super::import_invoices::Known::read(tx, company).await?,
            _ => super::import_invoices::Known::default(),
        };
        Ok(Matched {
            refs,
            known,
            invoices,
        })
    }
}

/// The customer form's fields from a row of the file (`tax_exempt` read as yes or no).
fn fields_of(row: &CsvRow) -> Result<CustomerFields, Invalid> {
    let v = |h: &str| row.get(h).to_owned();
    Ok(CustomerFields {
        name: v("name"),
        kind: kind_value(row.get("type")),
        parent: String::new(),
        email: v("email"),
        phone: v("phone"),
        mobile_phone: v("mobile"),
        billing_line1: v("billing_line1"),
        billing_line2: v("billing_line2"),
        billing_city: v("billing_city"),
        billing_region: v("billing_region"),
        billing_postal_code: v("billing_postal_code"),
        notes: v("notes"),
        tax_exempt: check_yes_no("tax_exempt", row.get("tax_exempt"))?,
        payment_terms_days: v("payment_terms_days"),
        external_ref: v("external_ref"),
    })
}

/// Checks each row by the customer form's rules and matches its external reference with
/// the company's (`refs`) and with the rows above it.
fn plan(
    kind: ImportKind,
    rows: Vec<CsvRow>,
    mut errors: Vec<RowError>,
    matched: &Matched,
    progress: &Progress,
) -> Plan {
    let refs = &matched.refs;
    let count = rows.len() + errors.len();
    progress.total.store(count, Ordering::Relaxed);
    let mut planned = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    // import-invoices (issue 18): an invoice is several rows, planned together.
    if kind == ImportKind::Invoices {
        progress.done.store(count, Ordering::Relaxed);
        let (invoices, mut bad) =
            super::import_invoices::plan(&rows, &matched.known.customers, &matched.invoices);
        errors.append(&mut bad);
        errors.sort_by_key(|e| e.row);
        planned.extend(invoices.into_iter().map(Planned::Invoice));
        return Plan {
            rows: count,
            planned,
            errors,
        };
    }
    for row in rows {
        progress.done.fetch_add(1, Ordering::Relaxed);
        if kind != ImportKind::Customers {
            match import_rows::parse(kind, &row, &matched.known) {
                Ok(r) => {
                    if let Some((key, column)) = r.key()
                        && let Some(first) = seen.insert(key, row.row)
                    {
                        errors.push(RowError {
                            row: row.row,
                            column: column.into(),
                            message: format!(
                                "Row {first} is the same {}; each row's must be different.",
                                if column == "external_ref" {
                                    "external reference"
                                } else {
                                    "contact"
                                }
                            ),
                        });
                        continue;
                    }
                    planned.push(Planned::Row(r));
                }
                Err(mut e) => errors.append(&mut e),
            }
            continue;
        }
        let parsed = fields_of(&row)
            .map_err(|e| vec![RowError::of_field(row.row, &e)])
            .and_then(|f| {
                Customer::parse(&f).map_err(|fe| {
                    fe.0.iter()
                        .map(|e| RowError::of_field(row.row, e))
                        .collect()
                })
            });
        let customer = match parsed {
            Ok(c) => c,
            Err(mut e) => {
                errors.append(&mut e);
                continue;
            }
        };
        let input = customer.input().clone();
        let Some(reference) = input.external_ref.clone() else {
            planned.push(Planned::Create(input));
            continue;
        };
        if let Some(first) = seen.insert(reference.clone(), row.row) {
            errors.push(RowError {
                row: row.row,
                column: "external_ref".into(),
                message: format!(
                    "Row {first} has the same external reference; each row's must be different."
                ),
            });
            continue;
        }
        match refs.get(&reference) {
            Some((id, _)) => planned.push(Planned::Update(*id, input)),
            None => planned.push(Planned::Create(input)),
        }
    }
    errors.sort_by_key(|e| e.row);
    Plan {
        rows: count,
        planned,
        errors,
    }
}

/// `plan` with the creates whose reference the company's customers now have (`refs`,
/// read again in the writing transaction) turned into updates.
fn replan(mut plan: Plan, refs: &HashMap<String, (CustomerId, String)>) -> Plan {
    for p in &mut plan.planned {
        if let Planned::Create(input) = p {
            let known = input.external_ref.as_ref().and_then(|r| refs.get(r));
            if let Some((id, _)) = known {
                *p = Planned::Update(*id, input.clone());
            }
        }
    }
    plan
}

/// Reads and checks `bytes` off the async threads.
async fn plan_file(
    kind: ImportKind,
    bytes: Vec<u8>,
    mapping: Option<Mapping>,
    matched: Matched,
    progress: Arc<Progress>,
) -> Result<(Plan, Matched), AppError> {
    tokio::task::spawn_blocking(move || {
        let (rows, errors) = read_columns(&bytes, mapping.as_ref(), kind.columns(), kind.as_str())?;
        let plan = plan(kind, rows, errors, &matched, &progress);
        Ok((plan, matched))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// The dry run: reads `bytes` as a customers file, its columns as `mapping` says (or by
/// their headers), and checks every row, writing nothing. Refused with
/// [`AppError::Invalid`] (field `file`) for a file that is not UTF-8, not comma
/// separated, too large, or has unknown columns.
pub async fn check(
    app: &App,
    staff: &StaffActor,
    bytes: Vec<u8>,
    mapping: Option<Mapping>,
) -> Result<Checked, AppError> {
    check_kind(app, staff, ImportKind::Customers, bytes, mapping).await
}

/// [`check`] for a file of `kind`, its columns read as `mapping` says (or by their headers).
pub async fn check_kind(
    app: &App,
    staff: &StaffActor,
    kind: ImportKind,
    bytes: Vec<u8>,
    mapping: Option<Mapping>,
) -> Result<Checked, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    // Read in a transaction that writes nothing and is rolled back, once what it read is
    // durable.
    let mut tx = app.store.begin().await?;
    let matched = Matched::read(&mut tx, staff.company().id, kind).await?;
    tx.rollback().await?;
    let (plan, matched) = plan_file(kind, bytes, mapping, matched, Arc::default()).await?;
    let creates = plan.creates(&matched.known);
    let error_count = plan.errors.len();
    let mut errors = plan.errors;
    errors.truncate(MAX_ROW_ERRORS);
    Ok(Checked {
        rows: plan.rows,
        creates,
        updates: plan.planned.len() - creates,
        errors,
        error_count,
    })
}

/// Records an import of the file stored at `path` (named `file_name` by the person, its
/// columns read as `mapping` says) and runs it in the background; answers its id, whose
/// page follows it. The file is removed when the job ends.
pub async fn start(
    app: &App,
    staff: &StaffActor,
    file_name: &str,
    path: PathBuf,
    mapping: Option<&Mapping>,
) -> Result<i64, AppError> {
    start_kind(app, staff, ImportKind::Customers, file_name, path, mapping).await
}

/// [`start`] for a file of `kind`.
pub async fn start_kind(
    app: &App,
    staff: &StaffActor,
    kind: ImportKind,
    file_name: &str,
    path: PathBuf,
    mapping: Option<&Mapping>,
) -> Result<i64, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let name: String = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let mut tx = app.store.begin().await?;
    let id = tx
        .insert_import(
            staff.company().id,
            staff.id(),
            kind.as_str(),
            &name,
            &key_of(&path),
            // import-pages (issue 18): every kind's mapping, in its own columns.
            mapping.map(|m| m.to_text(kind.columns())).as_deref(),
        )
        .await?;
    app.commit(tx, false).await?;
    spawn_run(app, staff, id, path);
    Ok(id)
}

/// Starts again import `id`, left queued or running by a node that stopped (its lease
/// ran out, so nothing of it was written), from its file kept at `path`: records it as
/// stopped and a new import of the same file, which runs here; answers the new id.
/// `Conflict` when the import is not stopped (it ended, or its node is still at it).
pub async fn restart(
    app: &App,
    staff: &StaffActor,
    id: i64,
    path: PathBuf,
) -> Result<i64, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let old = app
        .store
        .import_row(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let stopped = stopped_errors();
    let mut tx = app.store.begin().await?;
    let before = doorstep_store::now() - IMPORT_LEASE;
    if !tx.stop_stale_import(company, id, before, &stopped).await? {
        return Err(AppError::conflict(
            "unchanged",
            "This import is not stopped: it has ended, or it is still running.",
        ));
    }
    let new = tx
        .insert_import(
            company,
            staff.id(),
            &old.kind,
            &old.file_name,
            &key_of(&path),
            old.mapping.as_deref(),
        )
        .await?;
    let detail = serde_json::json!({"stopped": id});
    let audit = staff.audit(restarted_action(kind_of(&old)), ("import", new), detail);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    spawn_run(app, staff, new, path);
    Ok(new)
}

/// The errors JSON of an import whose node stopped.
fn stopped_errors() -> String {
    errors_json(&[file_problem(
        "The import stopped because the server running it went away; nothing was imported.",
    )])
}

/// The key a kept file is named by (its name without `.csv`).
fn key_of(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned()
}

/// Runs import `id` in the background with its heartbeat; removes its file when it ends.
fn spawn_run(app: &App, staff: &StaffActor, id: i64, path: PathBuf) {
    let company = staff.company().id;
    let (app, staff) = (app.clone(), staff.clone());
    tokio::spawn(async move {
        let progress = Arc::new(Progress::default());
        let beat = tokio::spawn(heartbeat(app.clone(), company, id, progress.clone()));
        let result = run_with(&app, &staff, id, &path, &progress).await;
        beat.abort();
        if let Err(err) = result {
            tracing::error!(error = %err, import = id, "a customer import failed");
            if let Err(err) = fail(
                &app,
                company,
                id,
                0,
                &[file_problem(
                    "The import stopped on an unexpected error; nothing was imported. Try again.",
                )],
            )
            .await
            {
                tracing::error!(error = %err, import = id, "could not record a failed import");
            }
        }
        if let Err(err) = tokio::fs::remove_file(&path).await {
            tracing::warn!(error = %err, import = id, "could not remove an import's file");
        }
    });
}

/// How far a running import has got: rows checked, then rows written, of `total`.
#[derive(Debug, Default)]
struct Progress {
    done: AtomicUsize,
    total: AtomicUsize,
}

/// Writes `progress` to import `id`'s row every [`IMPORT_HEARTBEAT`] until aborted.
async fn heartbeat(app: App, company: CompanyId, id: i64, progress: Arc<Progress>) {
    let every = std::time::Duration::try_from(IMPORT_HEARTBEAT)
        .unwrap_or(std::time::Duration::from_secs(1));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let as_i64 = |n: &AtomicUsize| i64::try_from(n.load(Ordering::Relaxed)).unwrap_or(0);
        let (done, total) = (as_i64(&progress.done), as_i64(&progress.total));
        let beat = async {
            let mut tx = app.store.begin().await?;
            tx.import_heartbeat(company, id, done, total).await?;
            app.commit(tx, false).await
        };
        if let Err(err) = beat.await {
            tracing::debug!(error = %err, import = id, "an import's heartbeat was not written");
        }
    }
}

/// How an import ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every row written.
    Done {
        /// Customers created.
        created: usize,
        /// Customers updated.
        updated: usize,
    },
    /// Nothing written; the rows (or the file) refused.
    Refused(Vec<RowError>),
}

/// Runs import `id` of the file at `path`: checks every row again (the company may have
/// changed since the dry run) and, when none is bad, writes all of them in one
/// transaction, batched, with one audit record; otherwise records the bad rows and
/// writes no customer. Does nothing for an import that is not queued.
pub async fn run(app: &App, staff: &StaffActor, id: i64, path: &Path) -> Result<Outcome, AppError> {
    run_with(app, staff, id, path, &Arc::default()).await
}

/// [`run`], counting the rows in `progress` as it goes.
async fn run_with(
    app: &App,
    staff: &StaffActor,
    id: i64,
    path: &Path,
    progress: &Arc<Progress>,
) -> Result<Outcome, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let bytes = match tokio::fs::read(path).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let errors = vec![file_problem("The uploaded file is gone; upload it again.")];
            fail(app, company, id, 0, &errors).await?;
            return Ok(Outcome::Refused(errors));
        }
    };
    let (kind, mapping) = match app.store.import_row(company, id).await? {
        Some(row) => (
            kind_of(&row),
            row.mapping
                .as_deref()
                .map(|t| Mapping::from_text(kind_of(&row).columns(), t))
                .transpose()?,
        ),
        None => return Err(AppError::NotFound),
    };
    let mut tx = app.store.begin().await?;
    let matched = Matched::read(&mut tx, company, kind).await?;
    tx.rollback().await?;
    let plan = match plan_file(kind, bytes, mapping, matched, progress.clone()).await {
        Ok((plan, _)) => plan,
        Err(AppError::Invalid(e)) => {
            let errors = vec![file_problem(&e.message)];
            fail(app, company, id, 0, &errors).await?;
            return Ok(Outcome::Refused(errors));
        }
        Err(other) => return Err(other),
    };
    let total = i64::try_from(plan.rows).unwrap_or(i64::MAX);
    if !plan.errors.is_empty() {
        fail(app, company, id, total, &plan.errors).await?;
        return Ok(Outcome::Refused(plan.errors));
    }
    // Marked running in a transaction of its own, so the heartbeat can write the row
    // while the rows are written.
    let mut tx = app.store.begin().await?;
    let started = tx.start_import(company, id, total).await?;
    app.commit(tx, false).await?;
    if !started {
        return Err(AppError::conflict(
            "unchanged",
            "This import has already run.",
        ));
    }
    progress.done.store(0, Ordering::Relaxed);
    let mut tx = app.store.begin().await?;
    // The references again inside the transaction: a customer may have been given one
    // since the rows were checked.
    let matched = Matched::read(&mut tx, company, kind).await?;
    let plan = replan(plan, &matched.refs);
    // Only new customers take customer numbers here; contacts, sites, jobs and invoices
    // are numbered (or not) as they are written.
    let creates = plan
        .planned
        .iter()
        .filter(|p| matches!(p, Planned::Create(_)))
        .count();
    let mut numbers = tx
        .next_customer_numbers(company, creates)
        .await?
        .into_iter();
    let (mut created, mut updated, mut done) = (0, 0, 0);
    let mut batch: Vec<(String, CustomerInput)> = Vec::with_capacity(IMPORT_BATCH);
    for p in plan.planned {
        match p {
            Planned::Create(input) => {
                let number = numbers
                    .next()
                    .ok_or_else(|| AppError::Internal("customer numbers ran out".into()))?;
                batch.push((number, input));
                created += 1;
            }
            Planned::Update(customer, input) => {
                tx.update_imported_customer(company, customer, &input)
                    .await?;
                updated += 1;
            }
            // import-invoices (issue 18)
            Planned::Invoice(invoice) => {
                if super::import_invoices::write(&mut tx, company, &invoice).await? {
                    created += 1;
                } else {
                    updated += 1;
                }
                progress.done.store(done, Ordering::Relaxed);
            }
            Planned::Row(row) => {
                if import_rows::write(&mut tx, staff, &row, &matched.known).await? {
                    created += 1;
                } else {
                    updated += 1;
                }
                if done % 100 == 0 {
                    progress.done.store(done, Ordering::Relaxed);
                }
            }
        }
        done += 1;
        if batch.len() == IMPORT_BATCH {
            tx.insert_imported_customers(company, &batch).await?;
            batch.clear();
            progress.done.store(done, Ordering::Relaxed);
        }
    }
    tx.insert_imported_customers(company, &batch).await?;
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    tx.finish_import(
        company,
        id,
        &ImportEnd {
            status: "done",
            total,
            created: as_i64(created),
            updated: as_i64(updated),
            errors: "",
        },
    )
    .await?;
    let detail = serde_json::json!({"rows": plan.rows, "created": created, "updated": updated});
    let audit = staff.audit(imported_action(kind), ("import", id), detail);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(Outcome::Done { created, updated })
}

/// The audit action of a finished import of `kind`.
fn imported_action(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Customers => "customers.imported",
        ImportKind::Contacts => "contacts.imported",
        ImportKind::Sites => "sites.imported",
        // import-jobs (issue 18)
        ImportKind::Jobs => "jobs.imported",
        // import-invoices (issue 18)
        ImportKind::Invoices => "invoices.imported",
    }
}

/// The audit action of a restarted import of `kind`.
fn restarted_action(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Customers => "customers.import_restarted",
        ImportKind::Contacts => "contacts.import_restarted",
        ImportKind::Sites => "sites.import_restarted",
        // import-jobs (issue 18)
        ImportKind::Jobs => "jobs.import_restarted",
        // import-invoices (issue 18)
        ImportKind::Invoices => "invoices.import_restarted",
    }
}

/// What import `row`'s file holds.
fn kind_of(row: &ImportRow) -> ImportKind {
    ImportKind::parse(&row.kind).unwrap_or(ImportKind::Customers)
}

/// An error about the file as a whole (row 0).
fn file_problem(message: &str) -> RowError {
    RowError {
        row: 0,
        column: String::new(),
        message: message.to_owned(),
    }
}

/// The errors column's JSON for `errors`.
fn errors_json(errors: &[RowError]) -> String {
    serde_json::json!({
        "count": errors.len(),
        "rows": errors.iter().take(MAX_ROW_ERRORS).map(|e| serde_json::json!({
            "row": e.row, "column": e.column, "message": e.message,
        })).collect::<Vec<_>>(),
    })
    .to_string()
}

/// Records that import `id` wrote nothing, and why.
async fn fail(
    app: &App,
    company: CompanyId,
    id: i64,
    total: i64,
    errors: &[RowError],
) -> Result<(), AppError> {
    let json = errors_json(errors);
    let mut tx = app.store.begin().await?;
    let end = ImportEnd {
        status: "failed",
        total,
        created: 0,
        updated: 0,
        errors: &json,
    };
    tx.finish_import(company, id, &end).await?;
    app.commit(tx, false).await
}

/// The refused rows an import recorded (at most [`MAX_ROW_ERRORS`]) and how many there
/// were in all.
pub fn errors_of(row: &ImportRow) -> (usize, Vec<RowError>) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&row.errors) else {
        return (0, Vec::new());
    };
    let list: Vec<RowError> = v["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| RowError {
                    row: r["row"]
                        .as_u64()
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(0),
                    column: r["column"].as_str().unwrap_or_default().to_owned(),
                    message: r["message"].as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let count = v["count"]
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(list.len());
    (count, list)
}

/// Removes the files kept for imports (`*.csv` and unfinished `*.tmp` in `dir`) last
/// changed more than `max_age` ago: dry runs never imported, and the files of imports
/// whose node stopped long ago. Answers how many went.
pub async fn clean_kept_files(dir: PathBuf, max_age: std::time::Duration) -> usize {
    tokio::task::spawn_blocking(move || {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return 0;
        };
        let now = std::time::SystemTime::now();
        let mut removed = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            let ours = matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("csv" | "tmp")
            );
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age > max_age);
            if ours && old && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        removed
    })
    .await
    .unwrap_or(0)
}
