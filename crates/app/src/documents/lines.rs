//! The line editor: every line of a job, an estimate or an invoice replaced at once, with
//! the document's discount, as typed in one form. Invoice lines change only while the
//! invoice is a draft; an estimate's while draft or pending (a revision).

use doorstep_core::authz::OfficeArea;
use doorstep_core::documents::{self as rules, LineOwnerKind, LineText};
use doorstep_core::ids::{CatalogueItemId, JobId};
use doorstep_core::money::Currency;
use doorstep_core::totals::{PricedLine, totals};
use doorstep_core::validation::Invalid;
use doorstep_store::jobs::{LineOwner, NewLine};
use doorstep_store::office_documents::stored_total;

use crate::error::FieldErrors;
use crate::{App, AppError, StaffActor};

/// What a refused edit of a sent invoice's lines says.
pub const INVOICE_SENT: &str = "This invoice was sent: its lines can no longer change. Void it and make a new one if it is wrong. Nothing was changed.";

/// What a refused edit of an answered estimate's lines says.
pub const ESTIMATE_CLOSED: &str = "This estimate was answered or converted: its lines stay as the customer saw them. Nothing was changed.";

/// One row of the editor as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineRow {
    /// Description.
    pub description: String,
    /// Quantity.
    pub quantity: String,
    /// Unit price.
    pub unit_price: String,
    /// Tax name.
    pub tax_name: String,
    /// Tax rate in percent.
    pub tax_rate: String,
    /// Optional (estimates).
    pub optional: bool,
    /// The catalogue item it came from.
    pub catalogue_item: Option<i64>,
}

impl LineRow {
    fn text(&self) -> LineText<'_> {
        LineText {
            description: &self.description,
            quantity: &self.quantity,
            unit_price: &self.unit_price,
            tax_name: &self.tax_name,
            tax_rate: &self.tax_rate,
            optional: self.optional,
        }
    }

    /// Whether every field is empty (the editor's blank row).
    pub fn is_blank(&self) -> bool {
        self.text().is_blank()
    }
}

/// What the editor refused: each row's wrong fields (by the row's place in the form), the
/// discount's, and one for the whole list.
#[derive(Debug, Clone, Default)]
pub struct LineErrors {
    /// `(row index, that row's errors)`.
    pub rows: Vec<(usize, FieldErrors)>,
    /// The discount's message.
    pub discount: Option<String>,
    /// About the list as a whole (too many lines).
    pub general: Option<String>,
}

impl LineErrors {
    /// The errors of row `index`.
    pub fn row(&self, index: usize) -> Option<&FieldErrors> {
        self.rows.iter().find(|(i, _)| *i == index).map(|(_, e)| e)
    }
}

/// Lines as typed, checked, with the discount.
#[derive(Debug, Clone)]
pub struct Lines {
    kind: LineOwnerKind,
    lines: Vec<NewLine>,
    discount_minor: i64,
}

impl Lines {
    /// Checks every non-blank row for a document of `kind` and the discount (at most the
    /// subtotal of the lines that count: fixed lines, not optional ones).
    pub fn parse(
        kind: LineOwnerKind,
        rows: &[LineRow],
        discount: &str,
        currency: Currency,
    ) -> Result<Lines, LineErrors> {
        let mut errors = LineErrors::default();
        let mut lines = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            if row.is_blank() {
                continue;
            }
            match rules::parse_line(kind, &row.text(), currency) {
                Ok(l) => {
                    let (tax_name, tax_rate_bp) = match l.tax {
                        Some((n, r)) => (Some(n), r),
                        None => (None, 0),
                    };
                    lines.push(NewLine {
                        catalogue_item: row.catalogue_item.map(CatalogueItemId),
                        kind: "service".into(),
                        description: l.description,
                        quantity_milli: l.quantity_milli,
                        unit_price_minor: l.unit_price_minor,
                        tax_name,
                        tax_rate_bp,
                        is_optional: l.is_optional,
                        is_selected: !l.is_optional,
                    });
                }
                Err(e) => errors.rows.push((i, FieldErrors(e))),
            }
        }
        if lines.len() > rules::LINES_MAX {
            errors.general = Some(format!(
                "A document holds at most {} lines.",
                rules::LINES_MAX
            ));
        }
        let priced: Vec<PricedLine> = lines
            .iter()
            .filter(|l| l.is_selected)
            .map(|l| PricedLine {
                quantity_milli: l.quantity_milli,
                unit_price_minor: l.unit_price_minor,
                tax_name: l.tax_name.clone(),
                tax_rate_bp: l.tax_rate_bp,
            })
            .collect();
        let subtotal = totals(&priced).subtotal_minor;
        let discount_minor = match rules::parse_discount(discount, currency, subtotal) {
            Ok(d) => d,
            Err(e) => {
                errors.discount = Some(e.message);
                0
            }
        };
        if errors.rows.is_empty() && errors.discount.is_none() && errors.general.is_none() {
            Ok(Lines {
                kind,
                lines,
                discount_minor,
            })
        } else {
            Err(errors)
        }
    }

    /// The kind of document they were checked for.
    pub fn owner_kind(&self) -> LineOwnerKind {
        self.kind
    }

    /// The lines as they will be saved.
    pub fn lines(&self) -> &[NewLine] {
        &self.lines
    }

    /// The discount, minor units.
    pub fn discount_minor(&self) -> i64 {
        self.discount_minor
    }
}

/// Whose lines: the document's kind and number.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    /// Job `number`.
    Job(&'a str),
    /// Estimate `number`.
    Estimate(&'a str),
    /// Invoice `number`.
    Invoice(&'a str),
}

impl Owner<'_> {
    /// What the rules call it.
    pub fn kind(&self) -> LineOwnerKind {
        match self {
            Owner::Job(_) => LineOwnerKind::Job,
            Owner::Estimate(_) => LineOwnerKind::Estimate,
            Owner::Invoice(_) => LineOwnerKind::Invoice,
        }
    }
}

/// Replaces the lines and discount of the company's job, estimate or invoice `owner`.
/// Refused with `NotFound` for another company's document, `Invalid` when the lines were
/// checked for another kind of document, and a conflict (`sent` for an invoice no longer
/// a draft, `closed` for an answered estimate) when its state does not allow it.
pub async fn replace(
    app: &App,
    staff: &StaffActor,
    owner: Owner<'_>,
    lines: Lines,
) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    if lines.kind != owner.kind() {
        return Err(Invalid::new("lines", "These lines were checked for another document.").into());
    }
    let company = staff.company().id;
    let (target, subject, number) = match owner {
        Owner::Job(n) => {
            let (job, _) = app
                .store
                .job_for_lines(company, n)
                .await?
                .ok_or(AppError::NotFound)?;
            (LineOwner::Job(JobId(job.id)), ("job", job.id), job.number)
        }
        Owner::Estimate(n) => {
            let e = app
                .store
                .office_estimate(company, n)
                .await?
                .ok_or(AppError::NotFound)?;
            if !rules::estimate_editable(e.detail.status) {
                return Err(AppError::conflict("closed", ESTIMATE_CLOSED));
            }
            let id = e.detail.id;
            (LineOwner::Estimate(id), ("estimate", id.0), e.detail.number)
        }
        Owner::Invoice(n) => {
            let i = app
                .store
                .office_invoice(company, n)
                .await?
                .ok_or(AppError::NotFound)?;
            if !rules::invoice_editable(i.status()) {
                return Err(AppError::conflict("sent", INVOICE_SENT));
            }
            let id = i.detail.id;
            (
                LineOwner::Invoice(id),
                ("invoice", id.0),
                i.detail.row.number,
            )
        }
    };
    let mut tx = app.store.begin().await?;
    if !tx
        .replace_lines(company, target, &lines.lines, lines.discount_minor)
        .await?
    {
        return Err(match target {
            LineOwner::Invoice(_) => AppError::conflict("sent", INVOICE_SENT),
            _ => AppError::changed(),
        });
    }
    let total = stored_total(&lines.lines, lines.discount_minor);
    let detail = serde_json::json!({
        "number": number, "lines": lines.lines.len(),
        "discount_minor": lines.discount_minor, "total_minor": total,
    });
    let audit = staff.audit("lines.replaced", subject, detail);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await
}
