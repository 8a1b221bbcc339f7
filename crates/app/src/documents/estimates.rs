//! Estimates the office writes: create (numbered per company), edit while draft or
//! pending, send to a contact with an email (draft → pending; sent again after the
//! customer asked for changes), and convert an approved estimate to a job with its
//! selected lines.

use doorstep_core::authz::OfficeArea;
use doorstep_core::customers::check_external_ref;
use doorstep_core::deposits::{Deposit, parse_deposit};
use doorstep_core::documents::{self as rules, LineOwnerKind};
use doorstep_core::ids::{ContactId, CustomerId};
use doorstep_core::money::Currency;
use doorstep_core::status::{EstimateStatus, JobKind, JobStatus};
use doorstep_core::validation::Invalid;
use doorstep_mail::EmailKind;
use doorstep_store::billing::NewEstimate;
use doorstep_store::jobs::{LineOwner, NewJob, NewLine};
use doorstep_store::office_documents::{EstimateFields, OfficeEstimate, stored_total};
use doorstep_store::request_inbox::Numbered;
use time::Date;

use super::lines::Lines;
use super::money;
use crate::error::FieldErrors;
use crate::links::path_segment;
use crate::{App, AppError, StaffActor};

/// What a refused change of an answered estimate says.
pub const CLOSED: &str = "This estimate was answered or converted; it stays as the customer saw it. Nothing was changed.";

/// What a refused conversion says.
pub const NOT_APPROVED: &str = "Only an approved estimate becomes a job. Nothing was changed.";

/// An estimate's form as typed, checked (the customer still to be found by number).
#[derive(Debug, Clone)]
pub struct EstimateInput {
    customer_number: String,
    site: Option<i64>,
    title: String,
    scope: String,
    issued_on: Date,
    expires_on: Option<Date>,
    deposit: Deposit,
    notes: String,
    /// Lines to save with it (the API sends them with the estimate); `None` keeps them.
    lines: Option<Lines>,
    /// Its id in another system (the API's upsert); `None` keeps it.
    external_ref: Option<String>,
}

/// An estimate's form as posted.
#[derive(Debug, Clone, Default)]
pub struct EstimateText<'a> {
    /// The customer's number.
    pub customer: &'a str,
    /// The site's id, or empty.
    pub site: &'a str,
    /// Title.
    pub title: &'a str,
    /// Scope of work.
    pub scope: &'a str,
    /// Issue date (empty: today).
    pub issued_on: &'a str,
    /// Valid until (empty: no limit).
    pub valid_until: &'a str,
    /// Deposit asked on approval.
    pub deposit: &'a str,
    /// Notes for the customer.
    pub notes: &'a str,
}

impl EstimateInput {
    /// Checks every field at once; `today` is the default issue date.
    pub fn parse(
        text: &EstimateText<'_>,
        today: Date,
        currency: Currency,
    ) -> Result<EstimateInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let customer_number = text.customer.trim().to_owned();
        if customer_number.is_empty() {
            errors
                .0
                .push(Invalid::new("customer", "Choose the customer."));
        }
        let site = match text.site.trim() {
            "" => None,
            s => errors.check(
                s.parse::<i64>()
                    .map_err(|_| Invalid::new("site", "Choose one of the customer's sites.")),
            ),
        };
        let title = errors.check(rules::check_title(text.title));
        let scope = errors.check(rules::check_text(text.scope, "scope"));
        let notes = errors.check(rules::check_text(text.notes, "notes"));
        let issued_on = errors
            .check(rules::parse_date(text.issued_on, "issued_on"))
            .map(|d| d.unwrap_or(today));
        let expires_on = errors.check(rules::parse_date(text.valid_until, "valid_until"));
        let deposit_minor = errors.check(parse_deposit(text.deposit, currency));
        if let (Some(issued), Some(until)) = (issued_on, expires_on) {
            errors.check(rules::check_valid_until(issued, until));
        }
        match (title, scope, notes, issued_on, expires_on, deposit_minor) {
            (
                Some(title),
                Some(scope),
                Some(notes),
                Some(issued_on),
                Some(expires_on),
                Some(deposit_minor),
            ) if errors.is_empty() => Ok(EstimateInput {
                customer_number,
                site,
                title,
                scope,
                issued_on,
                expires_on,
                deposit: deposit_minor,
                notes,
                lines: None,
                external_ref: None,
            }),
            _ => Err(errors),
        }
    }
}

impl EstimateInput {
    /// With `lines` (checked for an estimate) saved in the same change.
    pub fn with_lines(mut self, lines: Lines) -> Result<EstimateInput, Invalid> {
        if lines.owner_kind() != LineOwnerKind::Estimate {
            return Err(Invalid::new(
                "lines",
                "These lines were checked for another document.",
            ));
        }
        self.lines = Some(lines);
        Ok(self)
    }

    /// With the estimate's id in another system (required, one line, unique per company).
    pub fn with_external_ref(mut self, raw: &str) -> Result<EstimateInput, Invalid> {
        self.external_ref = Some(check_external_ref(raw)?.ok_or_else(|| {
            Invalid::new(
                "external_ref",
                "Enter the estimate's id in your other system.",
            )
        })?);
        Ok(self)
    }
}

/// The estimate's fields with the customer and site found in the company.
async fn fields(
    app: &App,
    staff: &StaffActor,
    input: EstimateInput,
) -> Result<(EstimateFields, i64), AppError> {
    let (customer, site) =
        super::invoices::place(app, staff, &input.customer_number, input.site).await?;
    let (deposit_minor, deposit_bp) = input.deposit.stored();
    Ok((
        EstimateFields {
            customer,
            site,
            title: input.title,
            scope: input.scope,
            issued_on: input.issued_on,
            expires_on: input.expires_on,
            deposit_minor,
            notes: input.notes,
        },
        deposit_bp,
    ))
}

/// The company's estimate `number`, or `NotFound`.
async fn find(app: &App, staff: &StaffActor, number: &str) -> Result<OfficeEstimate, AppError> {
    app.store
        .office_estimate(staff.company().id, number)
        .await?
        .ok_or(AppError::NotFound)
}

/// Creates a draft estimate under the company's next `E-` number; its number.
pub async fn create(
    app: &App,
    staff: &StaffActor,
    input: EstimateInput,
) -> Result<String, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let lines = input.lines.clone();
    let external_ref = input.external_ref.clone();
    let (f, deposit_bp) = fields(app, staff, input).await?;
    let (lines, discount) = lines.as_ref().map_or((Vec::new(), 0), |l| {
        (l.lines().to_vec(), l.discount_minor())
    });
    let total = stored_total(&lines, discount);
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let number = tx.next_number(company, Numbered::Estimate).await?;
    let id = tx
        .insert_estimate(
            company,
            &NewEstimate {
                customer: f.customer,
                site: f.site,
                number: number.clone(),
                title: f.title.clone(),
                scope: f.scope.clone(),
                status: EstimateStatus::Draft,
                issued_on: f.issued_on,
                expires_on: f.expires_on,
                deposit_minor: f.deposit_minor,
                total_minor: total,
                approval: None,
                decline: None,
                converted_job: None,
            },
        )
        .await?;
    tx.set_estimate_extras(company, id, &f.notes, discount)
        .await?;
    tx.set_deposit_percent(company, id, deposit_bp).await?;
    tx.insert_lines(company, LineOwner::Estimate(id), &lines)
        .await?;
    if let Some(r) = &external_ref {
        tx.set_estimate_external_ref(company, id, r).await?;
    }
    let detail = serde_json::json!({"number": number, "title": f.title, "customer_id": f.customer.0, "total_minor": total, "external_ref": external_ref});
    let audit = staff.audit("estimate.created", ("estimate", id.0), detail);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(number)
}

/// Edits estimate `number` while it is a draft or pending (a revision the customer will
/// be sent again). Refused with a `closed` conflict once answered or converted.
pub async fn edit(
    app: &App,
    staff: &StaffActor,
    number: &str,
    input: EstimateInput,
) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let e = find(app, staff, number).await?;
    if !rules::estimate_editable(e.detail.status) {
        return Err(AppError::conflict("closed", CLOSED));
    }
    let lines = input.lines.clone();
    let external_ref = input.external_ref.clone();
    let (f, deposit_bp) = fields(app, staff, input).await?;
    let company = staff.company().id;
    let id = e.detail.id;
    let mut tx = app.store.begin().await?;
    if !tx.update_estimate(company, id, &f).await? {
        return Err(AppError::conflict("closed", CLOSED));
    }
    tx.set_deposit_percent(company, id, deposit_bp).await?;
    if let Some(l) = &lines
        && !tx
            .replace_lines(
                company,
                LineOwner::Estimate(id),
                l.lines(),
                l.discount_minor(),
            )
            .await?
    {
        return Err(AppError::conflict("closed", CLOSED));
    }
    if let Some(r) = &external_ref {
        tx.set_estimate_external_ref(company, id, r).await?;
    }
    let count = lines.as_ref().map(|l| l.lines().len());
    let detail = serde_json::json!({"number": e.detail.number, "title": f.title, "lines": count});
    let audit = staff.audit("estimate.edited", ("estimate", e.detail.id.0), detail);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await
}

/// Creates the estimate whose id in another system is `input`'s external id, or edits it
/// (as [`edit`]: refused with `closed` once answered) when the company has it; answers
/// its number and whether it was made.
pub async fn upsert_by_external_ref(
    app: &App,
    staff: &StaffActor,
    input: EstimateInput,
) -> Result<(String, bool), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let Some(reference) = input.external_ref.clone() else {
        return Err(Invalid::new(
            "external_ref",
            "Enter the estimate's id in your other system.",
        )
        .into());
    };
    let company = staff.company().id;
    match app
        .store
        .estimate_by_external_ref(company, &reference)
        .await?
    {
        Some(id) => {
            let number = app
                .store
                .api_estimate(company, id)
                .await?
                .map(|e| e.number)
                .ok_or(AppError::NotFound)?;
            edit(app, staff, &number, input).await?;
            Ok((number, false))
        }
        None => Ok((create(app, staff, input).await?, true)),
    }
}

/// The contact of the document's customer an email goes to, with their address; refused
/// as `Invalid` (field `contact`) when it is not the customer's or has no email.
pub(crate) async fn recipient(
    app: &App,
    staff: &StaffActor,
    customer: CustomerId,
    contact: Option<i64>,
) -> Result<(String, String), AppError> {
    let not_theirs = || Invalid::new("contact", "Choose a contact of this customer.");
    let id = contact.ok_or_else(not_theirs)?;
    let c = app
        .store
        .contact_access(staff.company().id, ContactId(id))
        .await?
        .filter(|c| c.customer_id == customer.0)
        .ok_or_else(not_theirs)?;
    let email = rules::check_recipient_email(c.email.as_deref())?;
    let name = format!("{} {}", c.first_name, c.last_name)
        .trim()
        .to_owned();
    Ok((name, email))
}

/// What sending an estimate did.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The number.
    pub number: String,
    /// The address it went to.
    pub to: String,
}

/// Sends estimate `number` to `contact` of its customer: draft → pending (or, pending
/// after the customer asked for changes, sent again), an `EstimateSent` email with the
/// portal link queued. Refused when it has no lines (`empty`), is answered (`closed`),
/// or the contact is not the customer's or has no email (`Invalid`, field `contact`).
pub async fn send(
    app: &App,
    staff: &StaffActor,
    number: &str,
    contact: Option<i64>,
) -> Result<Sent, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let e = find(app, staff, number).await?;
    if !rules::estimate_sendable(e.detail.status) {
        return Err(AppError::conflict("closed", CLOSED));
    }
    if e.detail.lines.is_empty() {
        return Err(AppError::conflict(
            "empty",
            "Add at least one line before sending the estimate. Nothing was sent.",
        ));
    }
    let (name, email) = recipient(app, staff, e.customer, contact).await?;
    let company = staff.company();
    let link = app.links().portal(
        &company.slug,
        &format!("/estimates/{}", path_segment(&e.detail.number)),
    );
    let amount = money(company, e.detail.totals().total_minor);
    let mut tx = app.store.begin().await?;
    let at = doorstep_store::now();
    if !tx
        .mark_estimate_sent(company.id, (e.detail.id, e.detail.status), at)
        .await?
    {
        return Err(AppError::changed());
    }
    doorstep_mail::enqueue(
        &mut tx,
        company.id,
        EmailKind::EstimateSent,
        &email,
        &name,
        &[
            ("company_name", company.name.as_str()),
            ("contact_name", name.as_str()),
            ("estimate_number", e.detail.number.as_str()),
            ("amount", amount.as_str()),
            ("link", link.as_str()),
        ],
    )
    .await?;
    let action = if e.detail.status == EstimateStatus::Pending {
        "estimate.resent"
    } else {
        "estimate.sent"
    };
    let detail = serde_json::json!({"number": e.detail.number, "to": email, "total_minor": e.detail.totals().total_minor});
    let audit = staff.audit(action, ("estimate", e.detail.id.0), detail);
    tx.audit(company.id, &audit).await?;
    app.commit(tx, true).await?;
    Ok(Sent {
        number: e.detail.number,
        to: email,
    })
}

/// Converts approved estimate `number` into a new unscheduled job with the estimate's
/// selected lines (fixed ones and the options the customer ticked) and its discount;
/// the estimate becomes converted. Answers the job's number. Refused with a
/// `not_approved` conflict for any other status.
pub async fn convert(app: &App, staff: &StaffActor, number: &str) -> Result<String, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let e = find(app, staff, number).await?;
    if !e.detail.status.can_become(EstimateStatus::Converted) {
        return Err(AppError::conflict("not_approved", NOT_APPROVED));
    }
    let lines: Vec<NewLine> = e
        .detail
        .lines
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
    let total = e.detail.totals().total_minor;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let job_number = tx.next_number(company, Numbered::Job).await?;
    let job = tx
        .insert_job(
            company,
            &NewJob {
                customer: e.customer,
                site: e.site,
                asset: None,
                job_type: None,
                number: job_number.clone(),
                kind: JobKind::Service,
                status: JobStatus::Unscheduled,
                summary: e.detail.title.clone(),
                description: e.detail.scope.clone(),
                schedule_type: None,
                scheduled_start: None,
                scheduled_end: None,
                arrival_window_start: None,
                arrival_window_end: None,
                completed_at: None,
                work_order_notes: String::new(),
                customer_notes: String::new(),
                external_ref: None,
                invoice_notes: String::new(),
                po_number: String::new(),
                custom_fields: "{}".into(),
                total_minor: total,
                created_at: doorstep_store::now(),
            },
        )
        .await?;
    tx.insert_lines(company, LineOwner::Job(job), &lines)
        .await?;
    tx.set_job_discount(company, job, e.detail.discount_minor)
        .await?;
    if !tx
        .mark_estimate_converted(company, e.detail.id, job)
        .await?
    {
        return Err(AppError::changed());
    }
    let detail =
        serde_json::json!({"number": e.detail.number, "job": job_number, "total_minor": total});
    let audit = staff.audit("estimate.converted", ("estimate", e.detail.id.0), detail);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(job_number)
}
