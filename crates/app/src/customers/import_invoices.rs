//! The rows of an invoices CSV file (issue 18), for the one import pipeline of
//! [`super::import`]. A file from another system has one row per line item: the rows
//! sharing an `invoice` are one invoice, and must agree on its own columns (customer,
//! job, dates, status, notes, discount). Each invoice is read by the office form's own
//! parse ([`InvoiceInput::parse`]) and its lines by the line editor's ([`Lines::parse`],
//! so totals are the office's); it is written by the same functions the office's and
//! the API's create and edit call ([`write_new`], [`write_edit`]), inside the import's
//! one transaction.
//!
//! An invoice is found again by its external reference (or its number, which the
//! export writes for an invoice without one). A draft is updated (its lines replaced); a
//! sent, paid or void invoice, or one with payments, is left as it is when the file says
//! exactly what it holds, and refused by its row otherwise. `sent` makes an invoice
//! unpaid in the portal as the office's send does, but emails no one: the other system
//! sent it already. A deposit paid on the job's estimate is not credited to an imported
//! invoice (the office's send does that); payments are recorded here afterwards.

use std::collections::HashMap;

use doorstep_core::customer_import::{CsvRow, RowError};
use doorstep_core::customers::check_external_ref;
use doorstep_core::documents::{self as rules, LineOwnerKind};
use doorstep_core::ids::{CompanyId, CustomerId, InvoiceId, JobId, SiteId};
use doorstep_core::import_kinds::ImportKind;
use doorstep_core::invoice_import::{
    check_new_status, check_status_change, parse_status, reimport_refusal,
};
use doorstep_core::local_time::Zone;
use doorstep_core::money::Currency;
use doorstep_core::status::InvoiceStatus;
use doorstep_core::validation::Invalid;
use doorstep_store::Tx;
use doorstep_store::import_invoices::{StoredInvoice, StoredLine};
use doorstep_store::office_documents::InvoiceFields;
use time::Date;

use super::import_rows::row_error;
use crate::AppError;
use crate::documents::invoice_writes::{NewDraft, write_edit, write_new};
use crate::documents::invoices::{InvoiceInput, InvoiceText};
use crate::documents::lines::{LineRow, Lines};

/// The columns every row of one invoice repeats.
const INVOICE_LEVEL: [&str; 7] = [
    "customer",
    "job",
    "issued_on",
    "due_on",
    "status",
    "notes",
    "discount",
];

/// An invoice already here, as a re-import compares it.
#[derive(Debug, Clone)]
struct Stored {
    invoice: StoredInvoice,
    lines: Vec<StoredLine>,
}

/// What an invoices file is matched with, read once per file.
#[derive(Debug, Default)]
pub(super) struct Known {
    stored: Vec<Stored>,
    /// Index into `stored` by external reference, then by number.
    by_key: HashMap<String, usize>,
    jobs: HashMap<String, (JobId, CustomerId)>,
    terms: HashMap<CustomerId, i64>,
    company_terms: i64,
    /// (name, rate in basis points), active rates first.
    taxes: Vec<(String, i64)>,
    currency: Option<Currency>,
    today: Option<Date>,
}

impl Known {
    /// Reads the company's invoices, jobs, terms and tax rates in `tx`.
    pub(super) async fn read(tx: &mut Tx, company: CompanyId) -> Result<Known, AppError> {
        let defaults = tx
            .invoice_import_defaults(company)
            .await?
            .ok_or(AppError::NotFound)?;
        let (invoices, lines) = tx.invoice_import_invoices(company).await?;
        let mut by_invoice: HashMap<i64, Vec<StoredLine>> = HashMap::new();
        for l in lines {
            by_invoice.entry(l.invoice_id).or_default().push(l);
        }
        let stored: Vec<Stored> = invoices
            .into_iter()
            .map(|invoice| Stored {
                lines: by_invoice.remove(&invoice.id).unwrap_or_default(),
                invoice,
            })
            .collect();
        let mut by_key = HashMap::with_capacity(stored.len() * 2);
        for (i, s) in stored.iter().enumerate() {
            if let Some(r) = &s.invoice.external_ref {
                by_key.insert(r.clone(), i);
            }
        }
        for (i, s) in stored.iter().enumerate() {
            by_key.entry(s.invoice.number.clone()).or_insert(i);
        }
        let zone = Zone::parse(&defaults.time_zone).unwrap_or_else(|_| Zone::utc());
        let today = doorstep_core::local_time::today(&zone, doorstep_store::now());
        Ok(Known {
            stored,
            by_key,
            jobs: tx.invoice_import_jobs(company).await?,
            terms: tx.invoice_import_terms(company).await?,
            company_terms: defaults.payment_terms_days,
            taxes: tx
                .invoice_import_tax_rates(company)
                .await?
                .into_iter()
                .map(|(name, rate, _)| (name, rate))
                .collect(),
            currency: Some(Currency::parse(&defaults.currency).unwrap_or(Currency::USD)),
            today: Some(today),
        })
    }
}

/// What is done with one invoice of the file.
#[derive(Debug, Clone)]
enum Action {
    /// A new invoice.
    Create,
    /// Draft `id` updated; its site kept (dropped when the customer changes).
    Update(InvoiceId, Option<SiteId>),
    /// The file says what the invoice already holds: nothing to write.
    Unchanged,
}

/// One invoice of the file, checked.
#[derive(Debug, Clone)]
pub(super) struct PlannedInvoice {
    action: Action,
    reference: String,
    customer: CustomerId,
    job: Option<JobId>,
    issued_on: Date,
    due_on: Date,
    notes: String,
    status: InvoiceStatus,
    lines: Lines,
}

impl PlannedInvoice {
    /// Whether it makes a new invoice.
    pub(super) fn creates(&self) -> bool {
        matches!(self.action, Action::Create)
    }
}

/// Checks every row of an invoices file: the invoices to write, or the errors.
pub(super) fn plan(
    rows: &[CsvRow],
    customers: &HashMap<String, CustomerId>,
    known: &Known,
) -> (Vec<PlannedInvoice>, Vec<RowError>) {
    let columns = ImportKind::Invoices.columns();
    let mut errors = Vec::new();
    // The rows of each invoice, in the order the file first names it.
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<&CsvRow>> = HashMap::new();
    for row in rows {
        match check_external_ref(row.get("invoice")) {
            Ok(Some(key)) => {
                let group = groups.entry(key.clone()).or_default();
                if group.is_empty() {
                    order.push(key);
                }
                group.push(row);
            }
            Ok(None) => errors.push(row_error(
                row.row,
                &Invalid::new(
                    "external_ref",
                    "Enter the invoice's id in your other system.",
                ),
                columns,
            )),
            Err(e) => errors.push(row_error(row.row, &e, columns)),
        }
    }
    let mut planned = Vec::with_capacity(order.len());
    for key in order {
        let Some(group) = groups.remove(&key) else {
            continue;
        };
        match plan_invoice(&key, &group, customers, known) {
            Ok(p) => planned.push(p),
            Err(mut e) => errors.append(&mut e),
        }
    }
    (planned, errors)
}

/// Checks the rows `group` of invoice `key`.
fn plan_invoice(
    key: &str,
    group: &[&CsvRow],
    customers: &HashMap<String, CustomerId>,
    known: &Known,
) -> Result<PlannedInvoice, Vec<RowError>> {
    let columns = ImportKind::Invoices.columns();
    let Some(head) = group.first() else {
        return Err(Vec::new());
    };
    let at = |row: usize, e: Invalid| row_error(row, &e, columns);
    let mut errors = Vec::new();
    for row in &group[1..] {
        for column in INVOICE_LEVEL {
            if row.get(column).trim() != head.get(column).trim() {
                errors.push(RowError {
                    row: row.row,
                    column: column.to_owned(),
                    message: format!(
                        "Row {} of this invoice has another {column}; every row of one invoice must have the same.",
                        head.row
                    ),
                });
            }
        }
    }
    let customer = customers.get(head.get("customer").trim()).copied();
    if customer.is_none() {
        errors.push(at(
            head.row,
            Invalid::new(
                "customer",
                "No active customer has this external reference or number.",
            ),
        ));
    }
    let job = match head.get("job").trim() {
        "" => None,
        j => match known.jobs.get(j) {
            Some((job, owner)) if Some(*owner) == customer || customer.is_none() => Some(*job),
            Some(_) => {
                errors.push(at(
                    head.row,
                    Invalid::new("job", "This job is another customer's."),
                ));
                None
            }
            None => {
                errors.push(at(
                    head.row,
                    Invalid::new("job", "No job has this external reference or number."),
                ));
                None
            }
        },
    };
    let status = parse_status(head.get("status")).map_err(|e| errors.push(at(head.row, e)));
    let today = known.today.unwrap_or(Date::MIN);
    let text = InvoiceText {
        customer: "",
        site: "",
        issued_on: head.get("issued_on"),
        due_on: head.get("due_on"),
        notes: head.get("notes"),
    };
    let input = InvoiceInput::parse(&text, today).map_err(|fe| {
        errors.extend(fe.0.iter().map(|e| row_error(head.row, e, columns)));
    });
    let lines = lines_of(group, known).map_err(|mut e| errors.append(&mut e));
    let (Some(customer), Ok(status), Ok(input), Ok(lines)) = (customer, status, input, lines)
    else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let input = input
        .with_lines(lines)
        .and_then(|i| i.with_external_ref(key))
        .map_err(|e| vec![at(head.row, e)])?;
    let issued_on = input.issued_on();
    let due_on = input.due_on().unwrap_or_else(|| {
        let (days, _) =
            rules::payment_terms(known.terms.get(&customer).copied(), known.company_terms);
        rules::due_by_terms(issued_on, days)
    });
    let Some(lines) = input.lines().cloned() else {
        return Err(vec![at(
            head.row,
            Invalid::new("description", "Describe the work or item."),
        )]);
    };
    let mut planned = PlannedInvoice {
        action: Action::Create,
        reference: key.to_owned(),
        customer,
        job,
        issued_on,
        due_on,
        notes: input.notes().to_owned(),
        status,
        lines,
    };
    match known.by_key.get(key).and_then(|i| known.stored.get(*i)) {
        None => {
            check_new_status(status).map_err(|e| vec![at(head.row, e)])?;
        }
        Some(stored) => {
            let current =
                InvoiceStatus::parse(&stored.invoice.status).map_err(|e| vec![at(head.row, e)])?;
            if same(&planned, stored, current) {
                planned.action = Action::Unchanged;
            } else if let Some(why) = reimport_refusal(current, stored.invoice.paid_minor) {
                return Err(vec![RowError {
                    row: head.row,
                    column: "invoice".into(),
                    message: why.to_owned(),
                }]);
            } else {
                check_status_change(current, status).map_err(|e| vec![at(head.row, e)])?;
                // The office's edit keeps the job an invoice bills; so does a re-import.
                if stored.invoice.job_id != job.map(|j| j.0) {
                    return Err(vec![at(
                        head.row,
                        Invalid::new(
                            "job",
                            "An invoice's job does not change; void it and import a new one.",
                        ),
                    )]);
                }
                let site = stored
                    .invoice
                    .site_id
                    .filter(|_| stored.invoice.customer_id == customer.0)
                    .map(SiteId);
                planned.action = Action::Update(InvoiceId(stored.invoice.id), site);
            }
        }
    }
    Ok(planned)
}

/// The lines of `group`, read by the line editor's rules, with the discount; each error
/// named by its row. A `tax` without a `tax_rate` takes the company's rate of that name.
fn lines_of(group: &[&CsvRow], known: &Known) -> Result<Lines, Vec<RowError>> {
    let columns = ImportKind::Invoices.columns();
    let mut errors = Vec::new();
    let mut rows = Vec::with_capacity(group.len());
    for row in group {
        let mut tax_name = row.get("tax").trim();
        let mut tax_rate = row.get("tax_rate").trim().to_owned();
        if tax_rate.is_empty() && !tax_name.is_empty() {
            match known
                .taxes
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(tax_name))
            {
                Some((name, bp)) => {
                    tax_name = name.as_str();
                    tax_rate = rules::rate_input(*bp);
                }
                None => errors.push(row_error(
                    row.row,
                    &Invalid::new(
                        "tax_name",
                        "You have no tax rate of this name: add it under Taxes, or give its rate in tax_rate.",
                    ),
                    columns,
                )),
            }
        }
        let line = LineRow {
            description: row.get("description").to_owned(),
            quantity: row.get("quantity").to_owned(),
            unit_price: row.get("unit_price").to_owned(),
            tax_name: tax_name.to_owned(),
            tax_rate,
            optional: false,
            catalogue_item: None,
        };
        if line.is_blank() {
            errors.push(row_error(
                row.row,
                &Invalid::new("description", "Describe the work or item."),
                columns,
            ));
        }
        rows.push(line);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let head = group.first().map_or(0, |r| r.row);
    let currency = known.currency.unwrap_or(Currency::USD);
    Lines::parse(
        LineOwnerKind::Invoice,
        &rows,
        group.first().map_or("", |r| r.get("discount")),
        currency,
    )
    .map_err(|le| {
        let mut errors: Vec<RowError> = le
            .rows
            .iter()
            .flat_map(|(i, fe)| {
                let row = group.get(*i).map_or(head, |r| r.row);
                fe.0.iter().map(move |e| row_error(row, e, columns))
            })
            .collect();
        if let Some(m) = le.discount {
            errors.push(row_error(head, &Invalid::new("discount", m), columns));
        }
        if let Some(m) = le.general {
            errors.push(row_error(head, &Invalid::new("external_ref", m), columns));
        }
        errors
    })
}

/// Whether `p` says exactly what invoice `stored` (in status `current`) holds.
fn same(p: &PlannedInvoice, stored: &Stored, current: InvoiceStatus) -> bool {
    let s = &stored.invoice;
    let lines = p.lines.lines();
    s.customer_id == p.customer.0
        && s.job_id == p.job.map(|j| j.0)
        && s.issued_on == p.issued_on
        && s.due_on == p.due_on
        && s.notes == p.notes
        && s.discount_minor == p.lines.discount_minor()
        && current == p.status
        && stored.lines.len() == lines.len()
        && stored.lines.iter().zip(lines).all(|(a, b)| {
            a.description == b.description
                && a.quantity_milli == b.quantity_milli
                && a.unit_price_minor == b.unit_price_minor
                && a.tax_name == b.tax_name
                && a.tax_rate_bp == b.tax_rate_bp
        })
}

/// Writes invoice `p` in `tx` (the import's one transaction) by the office's own
/// writes, marking it sent — without an email — when the file says so; `true` when it
/// created one.
pub(super) async fn write(
    tx: &mut Tx,
    company: CompanyId,
    p: &PlannedInvoice,
) -> Result<bool, AppError> {
    let (id, created) = match p.action {
        Action::Unchanged => return Ok(false),
        Action::Create => {
            let draft = NewDraft {
                customer: p.customer,
                site: None,
                job: p.job,
                issued_on: p.issued_on,
                due_on: p.due_on,
                notes: p.notes.clone(),
                lines: p.lines.lines(),
                discount_minor: p.lines.discount_minor(),
                external_ref: Some(p.reference.as_str()),
            };
            let (id, _, _) = write_new(tx, company, &draft).await?;
            (id, true)
        }
        Action::Update(id, site) => {
            let f = InvoiceFields {
                customer: p.customer,
                site,
                issued_on: p.issued_on,
                due_on: p.due_on,
                notes: p.notes.clone(),
            };
            write_edit(tx, company, id, &f, Some(&p.lines), None).await?;
            (id, false)
        }
    };
    if p.status == InvoiceStatus::Unpaid
        && !tx
            .mark_invoice_sent(company, id, doorstep_store::now())
            .await?
    {
        return Err(AppError::conflict("sent", crate::documents::invoices::SENT));
    }
    Ok(created)
}
