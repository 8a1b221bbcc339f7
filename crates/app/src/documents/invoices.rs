//! Invoices the office writes: create from scratch or from a job (its lines and
//! discount), edit while draft, send to a contact with an email (draft → unpaid, an
//! `InvoiceAvailable` email with the portal link and the invoice's PDF attached, made in
//! the same transaction from the same read as the email's total), and void with a reason (never a paid one). Overdue
//! is not stored: it is `core::status::InvoiceState::of`, unpaid past the due date.

use doorstep_core::authz::OfficeArea;
use doorstep_core::customers::check_external_ref;
use doorstep_core::documents::{self as rules, LineOwnerKind};
use doorstep_core::ids::{CustomerId, JobId, SiteId};
use doorstep_core::validation::Invalid;
use doorstep_mail::EmailKind;
use doorstep_store::jobs::NewLine;
use doorstep_store::office_documents::{InvoiceFields, OfficeInvoice};
use time::Date;

use super::estimates::{Sent, recipient};
use super::invoice_writes::{NewDraft, write_edit, write_new};
use super::lines::Lines;
use super::{money, printed};
use crate::error::FieldErrors;
use crate::links::path_segment;
use crate::{App, AppError, StaffActor};

/// What a refused change of a sent invoice says.
pub const SENT: &str = "This invoice was sent; it can no longer change. Void it and make a new one if it is wrong. Nothing was changed.";

/// What a refused void says.
pub const NOT_VOIDABLE: &str = "A paid invoice, or one with payments recorded, cannot be voided; a void invoice stays void. Nothing was changed.";

/// An invoice's form as posted.
#[derive(Debug, Clone, Default)]
pub struct InvoiceText<'a> {
    /// The customer's number (ignored when made from a job).
    pub customer: &'a str,
    /// The site's id, or empty.
    pub site: &'a str,
    /// Issue date (empty: today).
    pub issued_on: &'a str,
    /// Due date (empty: by the payment terms, [`terms_of`]).
    pub due_on: &'a str,
    /// Notes printed on the invoice.
    pub notes: &'a str,
}

/// An invoice's form as typed, checked.
#[derive(Debug, Clone)]
pub struct InvoiceInput {
    customer_number: String,
    site: Option<i64>,
    issued_on: Date,
    /// `None`: by the customer's payment terms, else the company's.
    due_on: Option<Date>,
    notes: String,
    /// Lines to save with it (the API sends them with the invoice); `None` keeps them.
    lines: Option<Lines>,
    /// Its id in another system (the API's upsert); `None` keeps it.
    external_ref: Option<String>,
}

impl InvoiceInput {
    /// Checks every field at once; `today` is the default issue date. A due date before
    /// the issue date is refused (field `due_on`).
    pub fn parse(text: &InvoiceText<'_>, today: Date) -> Result<InvoiceInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let site = match text.site.trim() {
            "" => None,
            s => errors.check(
                s.parse::<i64>()
                    .map_err(|_| Invalid::new("site", "Choose one of the customer's sites.")),
            ),
        };
        let issued_on = errors
            .check(rules::parse_date(text.issued_on, "issued_on"))
            .map(|d| d.unwrap_or(today));
        let due_on = errors.check(rules::parse_date(text.due_on, "due_on"));
        let notes = errors.check(rules::check_text(text.notes, "notes"));
        let due_on = match (issued_on, due_on) {
            (Some(issued), Some(Some(due))) => errors
                .check(rules::check_due(issued, due))
                .map(|()| Some(due)),
            (Some(_), Some(None)) => Some(None),
            _ => None,
        };
        match (issued_on, due_on, notes) {
            (Some(issued_on), Some(due_on), Some(notes)) if errors.is_empty() => Ok(InvoiceInput {
                customer_number: text.customer.trim().to_owned(),
                site,
                issued_on,
                due_on,
                notes,
                lines: None,
                external_ref: None,
            }),
            _ => Err(errors),
        }
    }

    /// With `lines` (checked for an invoice) saved in the same change.
    pub fn with_lines(mut self, lines: Lines) -> Result<InvoiceInput, Invalid> {
        if lines.owner_kind() != LineOwnerKind::Invoice {
            return Err(Invalid::new(
                "lines",
                "These lines were checked for another document.",
            ));
        }
        self.lines = Some(lines);
        Ok(self)
    }

    /// With the invoice's id in another system (required, one line, unique per company).
    pub fn with_external_ref(mut self, raw: &str) -> Result<InvoiceInput, Invalid> {
        self.external_ref = Some(check_external_ref(raw)?.ok_or_else(|| {
            Invalid::new(
                "external_ref",
                "Enter the invoice's id in your other system.",
            )
        })?);
        Ok(self)
    }

    /// The issue date.
    pub(crate) fn issued_on(&self) -> Date {
        self.issued_on
    }

    /// The due date typed; `None`: by the payment terms.
    pub(crate) fn due_on(&self) -> Option<Date> {
        self.due_on
    }

    /// The notes.
    pub(crate) fn notes(&self) -> &str {
        &self.notes
    }

    /// The lines it carries, if any.
    pub(crate) fn lines(&self) -> Option<&Lines> {
        self.lines.as_ref()
    }
}

/// The company's customer `number` and, if given, one of its active sites; refused as
/// `Invalid` (fields `customer`, `site`) otherwise.
pub(crate) async fn place(
    app: &App,
    staff: &StaffActor,
    customer_number: &str,
    site: Option<i64>,
) -> Result<(CustomerId, Option<SiteId>), AppError> {
    let company = staff.company().id;
    if customer_number.is_empty() {
        return Err(Invalid::new("customer", "Choose the customer.").into());
    }
    let customer = app
        .store
        .customer_by_number(company, customer_number)
        .await?
        .ok_or_else(|| Invalid::new("customer", "There is no customer with that number."))?;
    let customer = CustomerId(customer.id);
    let site = match site {
        None => None,
        Some(id) => {
            let sites = app.store.sites_of_customer(company, customer, None).await?;
            if !sites.iter().any(|s| s.id == id) {
                return Err(Invalid::new("site", "Choose one of the customer's sites.").into());
            }
            Some(SiteId(id))
        }
    };
    Ok((customer, site))
}

/// Payment terms in days for the company's customer `customer_number` (its own, else the
/// company's; the company's when the customer is unknown), and whether they are the
/// customer's own: what an invoice's empty due date is counted by, and what the office
/// form shows as its default.
pub async fn terms_of(
    app: &App,
    company: doorstep_core::ids::CompanyId,
    customer_number: &str,
) -> Result<(i64, bool), AppError> {
    let company_days = app
        .store
        .company_details(company)
        .await?
        .map_or(30, |d| d.payment_terms_days);
    let customer_days = match customer_number.trim() {
        "" => None,
        n => app
            .store
            .customer_detail(company, n)
            .await?
            .and_then(|c| c.payment_terms_days),
    };
    Ok(rules::payment_terms(customer_days, company_days))
}

/// The due date `input` asks for: as typed, else by the terms of `customer_number`.
async fn due_on(
    app: &App,
    staff: &StaffActor,
    input: &InvoiceInput,
    customer_number: &str,
) -> Result<Date, AppError> {
    match input.due_on {
        Some(d) => Ok(d),
        None => {
            let (days, _) = terms_of(app, staff.company().id, customer_number).await?;
            Ok(rules::due_by_terms(input.issued_on, days))
        }
    }
}

async fn find(app: &App, staff: &StaffActor, number: &str) -> Result<OfficeInvoice, AppError> {
    app.store
        .office_invoice(staff.company().id, number)
        .await?
        .ok_or(AppError::NotFound)
}

/// Creates a draft invoice under the company's next `I-` number; with `from_job`, for
/// that job's customer and site with a copy of its lines and discount (the job's invoice
/// notes when the form has none). Answers the number.
pub async fn create(
    app: &App,
    staff: &StaffActor,
    input: InvoiceInput,
    from_job: Option<&str>,
) -> Result<String, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let (customer, site, job, lines, discount, notes, customer_number) = match from_job {
        Some(n) => {
            let (job, doc) = app
                .store
                .job_for_lines(company, n)
                .await?
                .ok_or_else(|| Invalid::new("job", "There is no job with that number."))?;
            let lines: Vec<NewLine> = doc
                .iter()
                .filter(|l| !l.is_optional || l.is_selected)
                .map(|l| NewLine {
                    catalogue_item: None,
                    kind: l.kind.clone(),
                    description: l.description.clone(),
                    quantity_milli: l.quantity_milli,
                    unit_price_minor: l.unit_price_minor,
                    tax_name: l.tax_name.clone(),
                    tax_rate_bp: l.tax_rate_bp,
                    is_optional: false,
                    is_selected: true,
                })
                .collect();
            let notes = if input.notes.is_empty() {
                job.invoice_notes.clone()
            } else {
                input.notes.clone()
            };
            let site = match input.site {
                Some(_) => place(app, staff, &job.customer_number, input.site).await?.1,
                None => job.site_id.map(SiteId),
            };
            (
                CustomerId(job.customer_id),
                site,
                Some(JobId(job.id)),
                lines,
                job.discount_minor,
                notes,
                job.customer_number.clone(),
            )
        }
        None => {
            let (customer, site) = place(app, staff, &input.customer_number, input.site).await?;
            let n = input.customer_number.clone();
            let (lines, discount) = input.lines.as_ref().map_or((Vec::new(), 0), |l| {
                (l.lines().to_vec(), l.discount_minor())
            });
            (
                customer,
                site,
                None,
                lines,
                discount,
                input.notes.clone(),
                n,
            )
        }
    };
    let due = due_on(app, staff, &input, &customer_number).await?;
    let mut tx = app.store.begin().await?;
    let draft = NewDraft {
        customer,
        site,
        job,
        issued_on: input.issued_on,
        due_on: due,
        notes,
        lines: &lines,
        discount_minor: discount,
        external_ref: input.external_ref.as_deref(),
    };
    let (id, number, total) = write_new(&mut tx, company, &draft).await?;
    let detail = serde_json::json!({"number": number, "job": from_job, "customer_id": customer.0, "total_minor": total, "external_ref": input.external_ref});
    let audit = staff.audit("invoice.created", ("invoice", id.0), detail);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(number)
}

/// Edits draft invoice `number` (customer, site, dates, notes; and its lines and
/// external id when the input carries them). Refused with a `sent` conflict once sent.
pub async fn edit(
    app: &App,
    staff: &StaffActor,
    number: &str,
    input: InvoiceInput,
) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let i = find(app, staff, number).await?;
    if !rules::invoice_editable(i.status()) {
        return Err(AppError::conflict("sent", SENT));
    }
    let customer_number = if input.customer_number.is_empty() {
        i.customer_number.clone()
    } else {
        input.customer_number.clone()
    };
    let (customer, site) = place(app, staff, &customer_number, input.site).await?;
    let due = due_on(app, staff, &input, &customer_number).await?;
    let f = InvoiceFields {
        customer,
        site,
        issued_on: input.issued_on,
        due_on: due,
        notes: input.notes.clone(),
    };
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let (lines, reference) = (input.lines.as_ref(), input.external_ref.as_deref());
    write_edit(&mut tx, company, i.detail.id, &f, lines, reference).await?;
    let lines = input.lines.as_ref().map(|l| l.lines().len());
    let detail = serde_json::json!({"number": i.detail.row.number, "issued_on": f.issued_on.to_string(), "due_on": f.due_on.to_string(), "lines": lines});
    let audit = staff.audit("invoice.edited", ("invoice", i.detail.id.0), detail);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await
}

/// Creates the invoice whose id in another system is `input`'s external id, or edits it
/// (as [`edit`]: refused with `sent` once sent) when the company has it; answers its
/// number and whether it was made.
pub async fn upsert_by_external_ref(
    app: &App,
    staff: &StaffActor,
    input: InvoiceInput,
) -> Result<(String, bool), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let Some(reference) = input.external_ref.clone() else {
        return Err(Invalid::new(
            "external_ref",
            "Enter the invoice's id in your other system.",
        )
        .into());
    };
    let company = staff.company().id;
    match app
        .store
        .invoice_by_external_ref(company, &reference)
        .await?
    {
        Some(id) => {
            let number = app
                .store
                .api_invoice(company, id)
                .await?
                .map(|i| i.number)
                .ok_or(AppError::NotFound)?;
            edit(app, staff, &number, input).await?;
            Ok((number, false))
        }
        None => Ok((create(app, staff, input, None).await?, true)),
    }
}

/// Sends draft invoice `number` to `contact` of its customer: draft → unpaid, an
/// `InvoiceAvailable` email with the portal link and the invoice's PDF queued (`logo`:
/// the company's logo as stored, for the letterhead). Refused when it has no lines
/// (`empty`), was sent already (`sent`), or the contact is not the customer's or has no
/// email (`Invalid`, field `contact`).
pub async fn send(
    app: &App,
    staff: &StaffActor,
    number: &str,
    contact: Option<i64>,
    logo: Option<Vec<u8>>,
) -> Result<Sent, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let i = find(app, staff, number).await?;
    if !rules::invoice_editable(i.status()) {
        return Err(AppError::conflict("sent", SENT));
    }
    if i.detail.lines.is_empty() {
        return Err(AppError::conflict(
            "empty",
            "Add at least one line before sending the invoice. Nothing was sent.",
        ));
    }
    let (name, email) = recipient(app, staff, i.customer, contact).await?;
    let company = staff.company();
    let number = i.detail.row.number.clone();
    let link = app.links().portal(
        &company.slug,
        &format!("/invoices/{}", path_segment(&number)),
    );
    let total = i.detail.totals().total_minor;
    let amount = money(company, total);
    let due = i.detail.row.due_on.to_string();
    let pdf = printed::invoice_attachment(company, &i.detail, super::today(company), logo)
        .map_err(|e| AppError::Internal(format!("invoice PDF: {e}")))?;
    let mut tx = app.store.begin().await?;
    if !tx
        .mark_invoice_sent(company.id, i.detail.id, doorstep_store::now())
        .await?
    {
        return Err(AppError::conflict("sent", SENT));
    }
    // The paid deposit of the estimate this job came from is credited now (issue 19).
    if let Some(job) = tx.invoice_job(company.id, i.detail.id).await?
        && let Some(d) = crate::payments::deposits::apply_to_invoice(
            &mut tx,
            (company.id, i.customer),
            job,
            i.detail.id,
        )
        .await?
    {
        let detail = serde_json::json!({"number": number, "estimate": d.estimate, "payment": d.payment, "amount_minor": d.amount_minor});
        let audit = staff.audit(
            "invoice.deposit_applied",
            ("invoice", i.detail.id.0),
            detail,
        );
        tx.audit(company.id, &audit).await?;
    }
    doorstep_mail::enqueue_with(
        &mut tx,
        company.id,
        EmailKind::InvoiceAvailable,
        (&email, &name),
        &[
            ("company_name", company.name.as_str()),
            ("contact_name", name.as_str()),
            ("invoice_number", number.as_str()),
            ("amount", amount.as_str()),
            ("due_date", due.as_str()),
            ("link", link.as_str()),
        ],
        std::slice::from_ref(&pdf),
    )
    .await?;
    let detail = serde_json::json!({"number": number, "to": email, "total_minor": total});
    let audit = staff.audit("invoice.sent", ("invoice", i.detail.id.0), detail);
    tx.audit(company.id, &audit).await?;
    app.commit(tx, true).await?;
    Ok(Sent { number, to: email })
}

/// A void reason as typed, checked.
#[derive(Debug, Clone)]
pub struct VoidReason(String);

impl VoidReason {
    /// Checks the reason (required, one line).
    pub fn parse(raw: &str) -> Result<VoidReason, Invalid> {
        rules::check_void_reason(raw).map(VoidReason)
    }
}

/// Voids invoice `number` with `reason`. Refused with a `not_voidable` conflict when it
/// is paid, has payments recorded, or is void already.
pub async fn void(
    app: &App,
    staff: &StaffActor,
    number: &str,
    reason: VoidReason,
) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let i = find(app, staff, number).await?;
    if !rules::invoice_voidable(i.status(), i.detail.row.paid_minor) {
        return Err(AppError::conflict("not_voidable", NOT_VOIDABLE));
    }
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    if !tx
        .void_invoice(company, i.detail.id, &reason.0, doorstep_store::now())
        .await?
    {
        return Err(AppError::conflict("not_voidable", NOT_VOIDABLE));
    }
    let detail = serde_json::json!({"number": i.detail.row.number, "reason": reason.0, "total_minor": i.detail.row.total_minor});
    let audit = staff.audit("invoice.voided", ("invoice", i.detail.id.0), detail);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await
}
