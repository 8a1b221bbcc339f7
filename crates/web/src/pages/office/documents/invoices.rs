//! `/office/invoices`: the company's invoices (filters by status, overdue included:
//! unpaid past the due date, the portal's one rule `InvoiceState::of`), search by number
//! or customer, keyset paging; a new invoice from scratch, for a customer, or from a job
//! (its lines); one invoice with its lines and totals; edit and send while draft; void
//! with a reason after a confirmation step.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::documents::invoices::{self, InvoiceInput, InvoiceText, VoidReason};
use doorstep_app::documents::today;
use doorstep_app::error::FieldErrors;
use doorstep_core::documents::{invoice_editable, invoice_voidable};
use doorstep_core::status::{InvoiceState, InvoiceStatus};
use doorstep_store::office_documents::{DocFilter, OfficeInvoice};
use serde::Deserialize;

use super::estimates::site_choices;
use super::{LineView, Recipient, TotalsView, notice, recipients, render};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::{day, money};
use crate::extract::{Form, Path, Query};
use crate::kit::cursors::{after_or_message, cursor};
use crate::kit::urls::path_segment;
use crate::pages::office::payments::invoice_part::{InvoicePayments, invoice_payments};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

const PAGE: i64 = 50;

pub(crate) fn state_class(s: InvoiceState) -> &'static str {
    match s {
        InvoiceState::Overdue => "danger",
        InvoiceState::Unpaid => "warning",
        InvoiceState::Paid => "success",
        InvoiceState::Draft => "info",
        InvoiceState::Void => "",
    }
}

struct Row {
    number: String,
    href: String,
    customer: String,
    issued_on: String,
    due_on: String,
    state: &'static str,
    state_class: &'static str,
    total: String,
    balance: String,
}

#[derive(Template)]
#[template(path = "office/documents/invoices.html")]
struct ListPage {
    chrome: OfficeChrome,
    rows: Vec<Row>,
    statuses: Vec<(&'static str, &'static str, bool)>,
    q: String,
    next: Option<String>,
    message: Option<&'static str>,
}

/// The list's query string.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    q: Option<String>,
    after: Option<String>,
}

/// `GET /office/invoices`.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let status = query
        .status
        .as_deref()
        .filter(|s| *s == "overdue" || InvoiceStatus::parse(s).is_ok())
        .map(str::to_owned);
    let q = query.q.clone().unwrap_or_default();
    let filter = DocFilter {
        status: status.clone(),
        search: Some(q.clone()),
    };
    let today = today(&staff.company);
    let (after, message) = after_or_message(query.after.as_deref());
    let mut rows = state
        .store
        .office_invoices_page(staff.company.id, &filter, today, after, PAGE + 1)
        .await?;
    let next = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| {
            let qs: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("status", status.as_deref().unwrap_or("")),
                    ("q", q.as_str()),
                    ("after", &cursor(r.row.issued_on, r.row.id)),
                ])
                .finish();
            format!("/office/invoices?{qs}")
        })
    } else {
        None
    };
    let cur = &staff.company.currency;
    let rows = rows
        .into_iter()
        .map(|r| {
            let s = r.row.state(today);
            Row {
                href: format!("/office/invoices/{}", path_segment(&r.row.number)),
                customer: r.customer_name,
                issued_on: r.row.issued_on.to_string(),
                due_on: r.row.due_on.to_string(),
                state: s.label(),
                state_class: state_class(s),
                total: money(r.row.total_minor, cur),
                balance: money(r.row.balance_minor(), cur),
                number: r.row.number,
            }
        })
        .collect();
    let mut statuses: Vec<(&'static str, &'static str, bool)> = InvoiceStatus::ALL
        .iter()
        .map(|s| (s.as_str(), s.label(), status.as_deref() == Some(s.as_str())))
        .collect();
    statuses.insert(
        2,
        ("overdue", "Overdue", status.as_deref() == Some("overdue")),
    );
    let page = ListPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        rows,
        statuses,
        q,
        next,
        message,
    };
    render(&page, StatusCode::OK)
}

/// The invoice form's values and messages.
#[derive(Default)]
struct Draft {
    customer: String,
    site: String,
    issued_on: String,
    due_on: String,
    notes: String,
    job: String,
    errors: FieldErrors,
}

impl Draft {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field)
    }
}

#[derive(Template)]
#[template(path = "office/documents/invoice_form.html")]
struct FormPage {
    chrome: OfficeChrome,
    heading: String,
    action: String,
    back: String,
    draft: Draft,
    sites: Vec<(String, String)>,
    job_summary: Option<String>,
    /// What an empty due date means: the payment terms in force.
    terms_hint: String,
}

/// The form as posted.
#[derive(Deserialize, Default)]
pub struct InvoiceForm {
    #[serde(default)]
    customer: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    job: String,
}

impl InvoiceForm {
    fn draft(&self, errors: FieldErrors) -> Draft {
        Draft {
            customer: self.customer.clone(),
            site: self.site.clone(),
            issued_on: self.issued_on.clone(),
            due_on: self.due_on.clone(),
            notes: self.notes.clone(),
            job: self.job.clone(),
            errors,
        }
    }

    fn text(&self) -> InvoiceText<'_> {
        InvoiceText {
            customer: &self.customer,
            site: &self.site,
            issued_on: &self.issued_on,
            due_on: &self.due_on,
            notes: &self.notes,
        }
    }
}

async fn form_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    (heading, action, back): (String, String, String),
    mut draft: Draft,
    prefill_due: bool,
) -> Result<FormPage, WebError> {
    let mut job_summary = None;
    if !draft.job.is_empty() {
        let (job, _) = state
            .store
            .job_for_lines(staff.company.id, draft.job.trim())
            .await?
            .ok_or(WebError::NotFound)?;
        draft.customer = job.customer_number.clone();
        job_summary = Some(format!(
            "{} · {} ({})",
            job.number, job.summary, job.customer_name
        ));
    }
    let sites = site_choices(state, staff, &draft.customer).await?;
    let (days, own) = invoices::terms_of(&state.app, staff.company.id, &draft.customer).await?;
    let terms_hint = if own {
        format!("Empty: due {days} days after issue, this customer's payment terms.")
    } else {
        format!(
            "Empty: due {days} days after issue, the company's payment terms (unless the customer has its own)."
        )
    };
    let issued = doorstep_core::documents::parse_date(&draft.issued_on, "issued_on");
    if let (true, Ok(Some(issued))) = (prefill_due && draft.due_on.is_empty(), issued) {
        draft.due_on = doorstep_core::documents::due_by_terms(issued, days).to_string();
    }
    Ok(FormPage {
        terms_hint,
        chrome: OfficeChrome::of(staff, csrf),
        heading,
        action,
        back,
        draft,
        sites,
        job_summary,
    })
}

/// `?job=` or `?customer=` on the new-invoice page.
#[derive(Deserialize, Default)]
pub struct NewQuery {
    job: Option<String>,
    customer: Option<String>,
}

fn new_where() -> (String, String, String) {
    (
        "New invoice".to_owned(),
        "/office/invoices/new".to_owned(),
        "/office/invoices".to_owned(),
    )
}

/// `GET /office/invoices/new`: blank, for `?customer={number}`, or from `?job={number}`.
pub async fn new_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<NewQuery>,
) -> Result<Response, WebError> {
    let today = today(&staff.company);
    let draft = Draft {
        customer: query.customer.unwrap_or_default(),
        job: query.job.unwrap_or_default(),
        issued_on: today.to_string(),
        ..Draft::default()
    };
    let page = form_page(&state, &staff, &csrf, new_where(), draft, true).await?;
    render(&page, StatusCode::OK)
}

/// `POST /office/invoices/new`.
pub async fn create(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<InvoiceForm>,
) -> Result<Response, WebError> {
    let input = match InvoiceInput::parse(&form.text(), today(&staff.company)) {
        Ok(i) => i,
        Err(errors) => {
            let page = form_page(
                &state,
                &staff,
                &csrf,
                new_where(),
                form.draft(errors),
                false,
            )
            .await?;
            return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let job = Some(form.job.trim()).filter(|j| !j.is_empty());
    match invoices::create(&state.app, &staff.actor, input, job).await {
        Ok(number) => {
            let to = if job.is_some() {
                format!("/office/invoices/{}?done=created", path_segment(&number))
            } else {
                format!("/office/invoices/{}/lines", path_segment(&number))
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(AppError::Invalid(i)) => {
            let page = form_page(
                &state,
                &staff,
                &csrf,
                new_where(),
                form.draft(FieldErrors(vec![i])),
                false,
            )
            .await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}

async fn load(
    state: &AppState,
    staff: &SignedInStaff,
    number: &str,
) -> Result<OfficeInvoice, WebError> {
    state
        .store
        .office_invoice(staff.company.id, number)
        .await?
        .ok_or(WebError::NotFound)
}

fn edit_where(number: &str) -> (String, String, String) {
    let base = format!("/office/invoices/{}", path_segment(number));
    (
        format!("Edit invoice {number}"),
        format!("{base}/edit"),
        base,
    )
}

/// `GET /office/invoices/{number}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let i = load(&state, &staff, &number).await?;
    if !invoice_editable(i.status()) {
        return Err(AppError::conflict("sent", invoices::SENT).into());
    }
    let draft = Draft {
        customer: i.customer_number.clone(),
        site: i.site.map(|s| s.0.to_string()).unwrap_or_default(),
        issued_on: i.detail.row.issued_on.to_string(),
        due_on: i.detail.row.due_on.to_string(),
        notes: i.detail.notes.clone(),
        ..Draft::default()
    };
    let page = form_page(&state, &staff, &csrf, edit_where(&number), draft, false).await?;
    render(&page, StatusCode::OK)
}

/// `POST /office/invoices/{number}/edit`.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(mut form): Form<InvoiceForm>,
) -> Result<Response, WebError> {
    load(&state, &staff, &number).await?;
    form.job.clear();
    let input = match InvoiceInput::parse(&form.text(), today(&staff.company)) {
        Ok(i) => i,
        Err(errors) => {
            let page = form_page(
                &state,
                &staff,
                &csrf,
                edit_where(&number),
                form.draft(errors),
                false,
            )
            .await?;
            return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    match invoices::edit(&state.app, &staff.actor, &number, input).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/office/invoices/{}?done=saved",
            path_segment(&number)
        ))
        .into_response()),
        Err(AppError::Invalid(i)) => {
            let page = form_page(
                &state,
                &staff,
                &csrf,
                edit_where(&number),
                form.draft(FieldErrors(vec![i])),
                false,
            )
            .await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "office/documents/invoice.html")]
struct ShowPage {
    chrome: OfficeChrome,
    i: OfficeInvoice,
    href: String,
    state: &'static str,
    state_class: &'static str,
    lines: Vec<LineView>,
    totals: TotalsView,
    paid: String,
    balance: String,
    sent_at: Option<String>,
    void: Option<(String, String)>,
    editable: bool,
    voidable: bool,
    recipients: Vec<Recipient>,
    contact_error: Option<String>,
    refusal: Option<String>,
    notice: Option<&'static str>,
    payments: InvoicePayments,
}

/// `?done=` after an action.
#[derive(Deserialize, Default)]
pub struct ShowQuery {
    done: Option<String>,
}

async fn show_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    i: OfficeInvoice,
    (chosen_contact, contact_error): (Option<i64>, Option<String>),
    refusal: Option<String>,
    notice: Option<&'static str>,
) -> Result<ShowPage, WebError> {
    let cur = staff.company.currency.clone();
    let s = i.detail.row.state(today(&staff.company));
    let mut recipients = recipients(state, staff.company.id, i.customer).await?;
    super::choose(&mut recipients, chosen_contact);
    // Payments are taken while the invoice is sent and not yet settled.
    let open = i.detail.row.status == "unpaid";
    let payments = invoice_payments(
        state,
        &staff.company,
        i.detail.id,
        &i.detail.row.number,
        open,
    )
    .await?;
    Ok(ShowPage {
        payments,
        chrome: OfficeChrome::of(staff, csrf),
        href: format!("/office/invoices/{}", path_segment(&i.detail.row.number)),
        state: s.label(),
        state_class: state_class(s),
        lines: i
            .detail
            .lines
            .iter()
            .map(|l| LineView::of(l, &cur))
            .collect(),
        totals: TotalsView::of(&i.detail.totals(), &cur),
        paid: money(i.detail.row.paid_minor, &cur),
        balance: money(i.detail.row.balance_minor(), &cur),
        sent_at: i.sent_at.map(|t| day(&staff.company.time_zone, t)),
        void: i
            .void
            .as_ref()
            .map(|(at, reason)| (day(&staff.company.time_zone, *at), reason.clone())),
        editable: invoice_editable(i.status()),
        voidable: invoice_voidable(i.status(), i.detail.row.paid_minor),
        recipients,
        contact_error,
        refusal,
        notice,
        i,
    })
}

/// `GET /office/invoices/{number}`.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let i = load(&state, &staff, &number).await?;
    let page = show_page(
        &state,
        &staff,
        &csrf,
        i,
        (None, None),
        None,
        notice(query.done.as_deref()),
    )
    .await?;
    render(&page, StatusCode::OK)
}

/// The send form.
#[derive(Deserialize, Default)]
pub struct SendForm {
    #[serde(default)]
    contact: String,
}

/// `POST /office/invoices/{number}/send`.
pub async fn send(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(form): Form<SendForm>,
) -> Result<Response, WebError> {
    load(&state, &staff, &number).await?;
    let contact = form.contact.trim().parse::<i64>().ok();
    // The PDF attached to the email carries the company's logo, read from the files.
    let logo = match &staff.company.logo_key {
        Some(key) => state.files.read(key).await.ok(),
        None => None,
    };
    match invoices::send(&state.app, &staff.actor, &number, contact, logo).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/office/invoices/{}?done=sent",
            path_segment(&number)
        ))
        .into_response()),
        Err(err) => {
            let (status, field, refusal) = match &err {
                AppError::Invalid(i) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(i.message.clone()),
                    None,
                ),
                AppError::Conflict { message, .. } => {
                    (StatusCode::CONFLICT, None, Some(message.clone()))
                }
                _ => return Err(err.into()),
            };
            let i = load(&state, &staff, &number).await?;
            let page = show_page(&state, &staff, &csrf, i, (contact, field), refusal, None).await?;
            render(&page, status)
        }
    }
}

#[derive(Template)]
#[template(path = "office/documents/invoice_void.html")]
struct VoidPage {
    chrome: OfficeChrome,
    href: String,
    number: String,
    total: String,
    reason: String,
    reason_error: Option<String>,
}

/// `GET /office/invoices/{number}/void`: the confirmation step.
pub async fn void_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let i = load(&state, &staff, &number).await?;
    if !invoice_voidable(i.status(), i.detail.row.paid_minor) {
        return Err(AppError::conflict("not_voidable", invoices::NOT_VOIDABLE).into());
    }
    let page = VoidPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        href: format!("/office/invoices/{}", path_segment(&number)),
        total: money(i.detail.row.total_minor, &staff.company.currency),
        number,
        reason: String::new(),
        reason_error: None,
    };
    render(&page, StatusCode::OK)
}

/// The void form.
#[derive(Deserialize, Default)]
pub struct VoidForm {
    #[serde(default)]
    reason: String,
}

/// `POST /office/invoices/{number}/void`.
pub async fn void(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(form): Form<VoidForm>,
) -> Result<Response, WebError> {
    let i = load(&state, &staff, &number).await?;
    let reason = match VoidReason::parse(&form.reason) {
        Ok(r) => r,
        Err(e) => {
            let page = VoidPage {
                chrome: OfficeChrome::of(&staff, &csrf),
                href: format!("/office/invoices/{}", path_segment(&number)),
                total: money(i.detail.row.total_minor, &staff.company.currency),
                number,
                reason: form.reason,
                reason_error: Some(e.message),
            };
            return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    match invoices::void(&state.app, &staff.actor, &number, reason).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/office/invoices/{}?done=voided",
            path_segment(&number)
        ))
        .into_response()),
        Err(AppError::Conflict { message, .. }) => {
            let page =
                show_page(&state, &staff, &csrf, i, (None, None), Some(message), None).await?;
            render(&page, StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}
