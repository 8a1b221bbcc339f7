//! Importing customers from a CSV file (issue 18), by any office staff member, like
//! creating customers by hand: [`check`] is the dry run (every row checked by the
//! customer form's own rules, nothing written); [`start`] records an import and runs it
//! in the background ([`run`]), all or nothing in one transaction — one bad row and
//! nothing is imported, the row named. A row whose `external_ref` a customer of the
//! company already has updates that customer, so importing the same file again creates
//! nothing. Another company's references are never looked at.
//!
//! While a job runs, how many rows it has written is kept in this process
//! ([`progress`]): the import's own transaction holds SQLite's write lock, so its row is
//! written when it ends.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use doorstep_core::authz::OfficeArea;
use doorstep_core::customer_import::{
    CsvRow, MAX_ROW_ERRORS, RowError, check_yes_no, kind_value, read_csv,
};
use doorstep_core::ids::{CompanyId, CustomerId};
use doorstep_core::validation::Invalid;
use doorstep_store::customer_book::CustomerInput;
use doorstep_store::imports::{IMPORT_BATCH, ImportEnd, ImportRow};

use super::accounts::{Customer, CustomerFields};
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
}

/// Every row of `rows` checked: the customers to write, or the errors.
struct Plan {
    rows: usize,
    planned: Vec<Planned>,
    errors: Vec<RowError>,
}

impl Plan {
    fn creates(&self) -> usize {
        self.planned
            .iter()
            .filter(|p| matches!(p, Planned::Create(_)))
            .count()
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
    rows: Vec<CsvRow>,
    mut errors: Vec<RowError>,
    refs: &HashMap<String, (CustomerId, String)>,
) -> Plan {
    let count = rows.len() + errors.len();
    let mut planned = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in rows {
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

/// Reads and checks `bytes` off the async threads.
async fn plan_file(
    bytes: Vec<u8>,
    refs: HashMap<String, (CustomerId, String)>,
) -> Result<Plan, AppError> {
    tokio::task::spawn_blocking(move || {
        let (rows, errors) = read_csv(&bytes)?;
        Ok(plan(rows, errors, &refs))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// The dry run: reads `bytes` as a customers file and checks every row, writing
/// nothing. Refused with [`AppError::Invalid`] (field `file`) for a file that is not
/// UTF-8, not comma separated, too large, or has unknown columns.
pub async fn check(app: &App, staff: &StaffActor, bytes: Vec<u8>) -> Result<Checked, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let refs = app.store.external_refs(staff.company().id).await?;
    let plan = plan_file(bytes, refs).await?;
    let creates = plan.creates();
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

/// Records an import of the file stored at `path` (named `file_name` by the person) and
/// runs it in the background; answers its id, whose page follows it. The file is removed
/// when the job ends.
pub async fn start(
    app: &App,
    staff: &StaffActor,
    file_name: &str,
    path: PathBuf,
) -> Result<i64, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let name: String = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let mut tx = app.store.begin().await?;
    let id = tx.insert_import(company, staff.id(), &name).await?;
    app.commit(tx, false).await?;
    set_progress(id, 0, 0);
    let (app, staff) = (app.clone(), staff.clone());
    tokio::spawn(async move {
        if let Err(err) = run(&app, &staff, id, &path).await {
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
        clear_progress(id);
        if let Err(err) = tokio::fs::remove_file(&path).await {
            tracing::warn!(error = %err, import = id, "could not remove an import's file");
        }
    });
    Ok(id)
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
    let mut tx = app.store.begin().await?;
    let refs = tx.external_refs(company).await?;
    let plan = match plan_file(bytes, refs).await {
        Ok(plan) => plan,
        Err(AppError::Invalid(e)) => {
            drop(tx);
            let errors = vec![file_problem(&e.message)];
            fail(app, company, id, 0, &errors).await?;
            return Ok(Outcome::Refused(errors));
        }
        Err(other) => return Err(other),
    };
    let total = i64::try_from(plan.rows).unwrap_or(i64::MAX);
    if !plan.errors.is_empty() {
        drop(tx);
        fail(app, company, id, total, &plan.errors).await?;
        return Ok(Outcome::Refused(plan.errors));
    }
    if !tx.start_import(company, id, total).await? {
        return Err(AppError::conflict(
            "unchanged",
            "This import has already run.",
        ));
    }
    set_progress(id, 0, plan.rows);
    let creates = plan.creates();
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
        }
        done += 1;
        if batch.len() == IMPORT_BATCH {
            tx.insert_imported_customers(company, &batch).await?;
            batch.clear();
        }
        if done % IMPORT_BATCH == 0 {
            set_progress(id, done, plan.rows);
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
    let audit = staff.audit("customers.imported", ("import", id), detail);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(Outcome::Done { created, updated })
}

/// An error about the file as a whole (row 0).
fn file_problem(message: &str) -> RowError {
    RowError {
        row: 0,
        column: String::new(),
        message: message.to_owned(),
    }
}

/// Records that import `id` wrote nothing, and why.
async fn fail(
    app: &App,
    company: CompanyId,
    id: i64,
    total: i64,
    errors: &[RowError],
) -> Result<(), AppError> {
    let json = serde_json::json!({
        "count": errors.len(),
        "rows": errors.iter().take(MAX_ROW_ERRORS).map(|e| serde_json::json!({
            "row": e.row, "column": e.column, "message": e.message,
        })).collect::<Vec<_>>(),
    })
    .to_string();
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

/// Rows written so far by the running imports of this process, and their totals.
static PROGRESS: LazyLock<Mutex<HashMap<i64, (usize, usize)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn set_progress(id: i64, done: usize, total: usize) {
    if let Ok(mut p) = PROGRESS.lock() {
        p.insert(id, (done, total));
    }
}

fn clear_progress(id: i64) {
    if let Ok(mut p) = PROGRESS.lock() {
        p.remove(&id);
    }
}

/// How far import `id` has got while it runs in this process: rows written and the
/// file's rows (0 while it is still being checked); `None` when it is not running here.
pub fn progress(id: i64) -> Option<(usize, usize)> {
    PROGRESS.lock().ok().and_then(|p| p.get(&id).copied())
}
