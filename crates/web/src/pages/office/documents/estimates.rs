//! `/office/estimates`: the company's estimates (filters by status, search by number or
//! customer, keyset paging), a new estimate, one estimate with its lines, totals, the
//! customer's approval (signature name, time, address) or decline, the conversation
//! about it (change requests), and the actions its status allows: edit, edit lines,
//! send (again, after changes), convert an approved one to a job.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::documents::estimates::{self, EstimateInput, EstimateText};
use doorstep_app::documents::{currency, today};
use doorstep_app::error::FieldErrors;
use doorstep_core::documents::{estimate_editable, estimate_sendable};
use doorstep_core::status::EstimateStatus;
use doorstep_store::office_documents::{DocFilter, OfficeEstimate};
use serde::Deserialize;

use super::{LineView, Recipient, TotalsView, notice, recipients, render};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::{day, money};
use crate::extract::{Form, Path, Query};
use crate::kit::cursors::{after_or_message, cursor};
use crate::kit::urls::path_segment;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

const PAGE: i64 = 50;

struct Row {
    number: String,
    href: String,
    title: String,
    customer: String,
    issued_on: String,
    status: &'static str,
    status_class: &'static str,
    total: String,
}

#[derive(Template)]
#[template(path = "office/documents/estimates.html")]
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

pub(crate) fn status_class(s: EstimateStatus) -> &'static str {
    match s {
        EstimateStatus::Pending => "warning",
        EstimateStatus::Approved | EstimateStatus::Converted => "success",
        EstimateStatus::Declined | EstimateStatus::Expired => "danger",
        EstimateStatus::Draft => "info",
    }
}

/// `GET /office/estimates`.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let status = query
        .status
        .as_deref()
        .filter(|s| EstimateStatus::parse(s).is_ok())
        .map(str::to_owned);
    let q = query.q.clone().unwrap_or_default();
    let filter = DocFilter {
        status: status.clone(),
        search: Some(q.clone()),
    };
    let (after, message) = after_or_message(query.after.as_deref());
    let mut rows = state
        .store
        .office_estimates_page(staff.company.id, &filter, after, PAGE + 1)
        .await?;
    let next = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| {
            let qs: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("status", status.as_deref().unwrap_or("")),
                    ("q", q.as_str()),
                    ("after", &cursor(r.issued_on, r.id)),
                ])
                .finish();
            format!("/office/estimates?{qs}")
        })
    } else {
        None
    };
    let cur = &staff.company.currency;
    let today = today(&staff.company);
    let rows = rows
        .into_iter()
        .map(|r| {
            let s = EstimateStatus::parse(&r.status)
                .unwrap_or(EstimateStatus::Draft)
                .as_seen(r.expires_on, today);
            Row {
                href: format!("/office/estimates/{}", path_segment(&r.number)),
                title: r.title,
                customer: r.customer_name,
                issued_on: r.issued_on.to_string(),
                status: s.label(),
                status_class: status_class(s),
                total: money(r.total_minor, cur),
                number: r.number,
            }
        })
        .collect();
    let statuses = EstimateStatus::ALL
        .iter()
        .map(|s| (s.as_str(), s.label(), status.as_deref() == Some(s.as_str())))
        .collect();
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

/// The estimate form's values and messages.
#[derive(Default)]
struct Draft {
    customer: String,
    site: String,
    title: String,
    scope: String,
    issued_on: String,
    valid_until: String,
    deposit: String,
    notes: String,
    errors: FieldErrors,
}

impl Draft {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field)
    }
}

#[derive(Template)]
#[template(path = "office/documents/estimate_form.html")]
struct FormPage {
    chrome: OfficeChrome,
    heading: String,
    action: String,
    back: String,
    draft: Draft,
    sites: Vec<(String, String)>,
}

/// The form as posted.
#[derive(Deserialize, Default)]
pub struct EstimateForm {
    #[serde(default)]
    customer: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    deposit: String,
    #[serde(default)]
    notes: String,
}

impl EstimateForm {
    fn draft(&self, errors: FieldErrors) -> Draft {
        Draft {
            customer: self.customer.clone(),
            site: self.site.clone(),
            title: self.title.clone(),
            scope: self.scope.clone(),
            issued_on: self.issued_on.clone(),
            valid_until: self.valid_until.clone(),
            deposit: self.deposit.clone(),
            notes: self.notes.clone(),
            errors,
        }
    }

    fn text(&self) -> EstimateText<'_> {
        EstimateText {
            customer: &self.customer,
            site: &self.site,
            title: &self.title,
            scope: &self.scope,
            issued_on: &self.issued_on,
            valid_until: &self.valid_until,
            deposit: &self.deposit,
            notes: &self.notes,
        }
    }
}

/// The active sites of customer `number`, for the form's choice.
pub(crate) async fn site_choices(
    state: &AppState,
    staff: &SignedInStaff,
    customer_number: &str,
) -> Result<Vec<(String, String)>, WebError> {
    let company = staff.company.id;
    let Some(c) = state
        .store
        .customer_by_number(company, customer_number.trim())
        .await?
    else {
        return Ok(Vec::new());
    };
    Ok(state
        .store
        .sites_of_customer(company, doorstep_core::ids::CustomerId(c.id), None)
        .await?
        .into_iter()
        .map(|s| (s.id.to_string(), format!("{} — {}", s.name, s.line1)))
        .collect())
}

async fn form_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    (heading, action, back): (String, String, String),
    draft: Draft,
) -> Result<FormPage, WebError> {
    let sites = site_choices(state, staff, &draft.customer).await?;
    Ok(FormPage {
        chrome: OfficeChrome::of(staff, csrf),
        heading,
        action,
        back,
        draft,
        sites,
    })
}

/// `?customer=` on the new-document pages.
#[derive(Deserialize, Default)]
pub struct NewQuery {
    customer: Option<String>,
}

/// `GET /office/estimates/new`.
pub async fn new_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<NewQuery>,
) -> Result<Response, WebError> {
    let draft = Draft {
        customer: query.customer.unwrap_or_default(),
        issued_on: today(&staff.company).to_string(),
        ..Draft::default()
    };
    let where_ = (
        "New estimate".to_owned(),
        "/office/estimates/new".to_owned(),
        "/office/estimates".to_owned(),
    );
    let page = form_page(&state, &staff, &csrf, where_, draft).await?;
    render(&page, StatusCode::OK)
}

fn refused_field(e: &AppError) -> Option<FieldErrors> {
    e.invalid().map(|i| FieldErrors(vec![i.clone()]))
}

/// `POST /office/estimates/new`.
pub async fn create(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<EstimateForm>,
) -> Result<Response, WebError> {
    let where_ = (
        "New estimate".to_owned(),
        "/office/estimates/new".to_owned(),
        "/office/estimates".to_owned(),
    );
    let input = match EstimateInput::parse(
        &form.text(),
        today(&staff.company),
        currency(&staff.company),
    ) {
        Ok(i) => i,
        Err(errors) => {
            let page = form_page(&state, &staff, &csrf, where_, form.draft(errors)).await?;
            return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    match estimates::create(&state.app, &staff.actor, input).await {
        Ok(number) => Ok(Redirect::to(&format!(
            "/office/estimates/{}/lines",
            path_segment(&number)
        ))
        .into_response()),
        Err(e) => match refused_field(&e) {
            Some(errors) => {
                let page = form_page(&state, &staff, &csrf, where_, form.draft(errors)).await?;
                render(&page, StatusCode::UNPROCESSABLE_ENTITY)
            }
            None => Err(e.into()),
        },
    }
}

async fn load(
    state: &AppState,
    staff: &SignedInStaff,
    number: &str,
) -> Result<OfficeEstimate, WebError> {
    state
        .store
        .office_estimate(staff.company.id, number)
        .await?
        .ok_or(WebError::NotFound)
}

/// `GET /office/estimates/{number}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let e = load(&state, &staff, &number).await?;
    if !estimate_editable(e.detail.status) {
        return Err(AppError::conflict("closed", estimates::CLOSED).into());
    }
    let cur = currency(&staff.company);
    let d = &e.detail;
    let draft = Draft {
        customer: e.customer_number.clone(),
        site: e.site.map(|s| s.0.to_string()).unwrap_or_default(),
        title: d.title.clone(),
        scope: d.scope.clone(),
        issued_on: d.issued_on.to_string(),
        valid_until: d.expires_on.map(|x| x.to_string()).unwrap_or_default(),
        deposit: doorstep_core::deposits::deposit_input(
            state
                .store
                .estimate_deposit(staff.company.id, &d.number)
                .await?
                .map_or(
                    doorstep_core::deposits::Deposit::Fixed(d.deposit_minor),
                    |x| x.rule(),
                ),
            cur,
        ),
        notes: d.notes.clone(),
        errors: FieldErrors::default(),
    };
    let base = format!("/office/estimates/{}", path_segment(&number));
    let where_ = (
        format!("Edit estimate {number}"),
        format!("{base}/edit"),
        base,
    );
    let page = form_page(&state, &staff, &csrf, where_, draft).await?;
    render(&page, StatusCode::OK)
}

/// `POST /office/estimates/{number}/edit`.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(form): Form<EstimateForm>,
) -> Result<Response, WebError> {
    load(&state, &staff, &number).await?;
    let base = format!("/office/estimates/{}", path_segment(&number));
    let where_ = (
        format!("Edit estimate {number}"),
        format!("{base}/edit"),
        base.clone(),
    );
    let input = match EstimateInput::parse(
        &form.text(),
        today(&staff.company),
        currency(&staff.company),
    ) {
        Ok(i) => i,
        Err(errors) => {
            let page = form_page(&state, &staff, &csrf, where_, form.draft(errors)).await?;
            return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    match estimates::edit(&state.app, &staff.actor, &number, input).await {
        Ok(()) => Ok(Redirect::to(&format!("{base}?done=saved")).into_response()),
        Err(e) => match refused_field(&e) {
            Some(errors) => {
                let page = form_page(&state, &staff, &csrf, where_, form.draft(errors)).await?;
                render(&page, StatusCode::UNPROCESSABLE_ENTITY)
            }
            None => Err(e.into()),
        },
    }
}

struct Message {
    from_customer: bool,
    author: String,
    body: String,
    at: String,
}

#[derive(Template)]
#[template(path = "office/documents/estimate.html")]
struct ShowPage {
    chrome: OfficeChrome,
    e: OfficeEstimate,
    href: String,
    status: &'static str,
    status_class: &'static str,
    lines: Vec<LineView>,
    totals: TotalsView,
    deposit: Option<String>,
    /// Approved with a deposit: `(paid, text)`, "Deposit paid $X on <date>" or the
    /// deposit still due.
    deposit_state: Option<(bool, String)>,
    sent_at: Option<String>,
    approval: Option<(String, String, String, String)>,
    decline: Option<(String, String)>,
    messages: Vec<Message>,
    editable: bool,
    sendable: bool,
    convertible: bool,
    recipients: Vec<Recipient>,
    contact_error: Option<String>,
    refusal: Option<String>,
    notice: Option<&'static str>,
    portal_href: String,
}

/// `?done=` after an action.
#[derive(Deserialize, Default)]
pub struct ShowQuery {
    done: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    e: OfficeEstimate,
    chosen_contact: Option<i64>,
    contact_error: Option<String>,
    refusal: Option<String>,
    notice: Option<&'static str>,
) -> Result<ShowPage, WebError> {
    let cur = staff.company.currency.clone();
    let d = &e.detail;
    let seen = d.status_seen(today(&staff.company));
    let messages = state
        .store
        .office_estimate_messages(staff.company.id, d.id)
        .await?
        .into_iter()
        .map(|m| Message {
            from_customer: m.from_customer,
            author: m.author,
            body: m.body,
            at: crate::display::when(&staff.company.time_zone, m.at),
        })
        .collect();
    let approval = d.approval.as_ref().map(|a| {
        (
            a.signed_name.clone(),
            crate::display::when(&staff.company.time_zone, a.at),
            a.ip.clone(),
            money(a.total_minor.unwrap_or(d.totals().total_minor), &cur),
        )
    });
    let decline = d
        .decline
        .as_ref()
        .map(|(at, reason)| (day(&staff.company.time_zone, *at), reason.clone()));
    let stored = state
        .store
        .estimate_deposit(staff.company.id, &d.number)
        .await?;
    let rule = stored.as_ref().map_or(
        doorstep_core::deposits::Deposit::Fixed(d.deposit_minor),
        |x| x.rule(),
    );
    let deposit = match rule {
        doorstep_core::deposits::Deposit::None => None,
        doorstep_core::deposits::Deposit::Fixed(m) => Some(money(m, &cur)),
        doorstep_core::deposits::Deposit::Percent(_) => Some(format!(
            "{} of the approved total",
            rule.percent_label().unwrap_or_default()
        )),
    };
    let deposit_state = stored.and_then(|x| {
        if x.is_paid() {
            let on = x
                .deposit_paid_at
                .map(|t| day(&staff.company.time_zone, t))
                .unwrap_or_default();
            let receipt = x
                .payment_number
                .as_deref()
                .map(|n| format!(" (receipt {n})"))
                .unwrap_or_default();
            let applied = if x.deposit_applied_minor > 0 {
                format!(
                    "; {} credited to the job's invoice",
                    money(x.deposit_applied_minor, &cur)
                )
            } else {
                "; it will be credited to the job's invoice when it is sent".to_owned()
            };
            Some((
                true,
                format!(
                    "Deposit paid {} on {on}{receipt}{applied}",
                    money(x.deposit_paid_minor, &cur)
                ),
            ))
        } else if x.due_minor() > 0
            && matches!(seen, EstimateStatus::Approved | EstimateStatus::Converted)
        {
            Some((
                false,
                format!("Approved, deposit due: {}", money(x.due_minor(), &cur)),
            ))
        } else {
            None
        }
    });
    let mut recipients = recipients(state, staff.company.id, e.customer).await?;
    super::choose(&mut recipients, chosen_contact);
    Ok(ShowPage {
        chrome: OfficeChrome::of(staff, csrf),
        href: format!("/office/estimates/{}", path_segment(&d.number)),
        portal_href: format!("/estimates/{}", path_segment(&d.number)),
        status: seen.label(),
        status_class: status_class(seen),
        lines: d.lines.iter().map(|l| LineView::of(l, &cur)).collect(),
        totals: TotalsView::of(&d.totals(), &cur),
        deposit,
        deposit_state,
        sent_at: e.sent_at.map(|t| day(&staff.company.time_zone, t)),
        approval,
        decline,
        messages,
        editable: estimate_editable(d.status),
        sendable: estimate_sendable(d.status),
        convertible: d.status.can_become(EstimateStatus::Converted),
        recipients,
        contact_error,
        refusal,
        notice,
        e,
    })
}

/// `GET /office/estimates/{number}`.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let e = load(&state, &staff, &number).await?;
    let page = show_page(
        &state,
        &staff,
        &csrf,
        e,
        None,
        None,
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

/// `POST /office/estimates/{number}/send`.
pub async fn send(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(form): Form<SendForm>,
) -> Result<Response, WebError> {
    load(&state, &staff, &number).await?;
    let contact = form.contact.trim().parse::<i64>().ok();
    match estimates::send(&state.app, &staff.actor, &number, contact).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/office/estimates/{}?done=sent",
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
            let e = load(&state, &staff, &number).await?;
            let page = show_page(&state, &staff, &csrf, e, contact, field, refusal, None).await?;
            render(&page, status)
        }
    }
}

/// `POST /office/estimates/{number}/convert`.
pub async fn convert(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    load(&state, &staff, &number).await?;
    match estimates::convert(&state.app, &staff.actor, &number).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/office/estimates/{}?done=converted",
            path_segment(&number)
        ))
        .into_response()),
        Err(AppError::Conflict { message, .. }) => {
            let e = load(&state, &staff, &number).await?;
            let page = show_page(&state, &staff, &csrf, e, None, None, Some(message), None).await?;
            render(&page, StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}
