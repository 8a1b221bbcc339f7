//! `/office/{jobs|estimates|invoices}/{number}/lines`: the line editor. Every line is a
//! row of the form (server-rendered); "Add line" posts the form back with one more blank
//! row (no JavaScript needed) and keeps what was typed; "Save" replaces the lines through
//! one use case. A row may start from a catalogue item (its name and price fill the empty
//! fields) and take one of the company's tax rates, or a typed name and rate. Each
//! field's error shows next to it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::documents::currency;
use doorstep_app::documents::lines::{self, LineErrors, LineRow, Lines, Owner};
use doorstep_core::catalogue::price_input;
use doorstep_core::documents::{LineOwnerKind, quantity_input, rate_input};
use doorstep_core::ids::CatalogueItemId;
use doorstep_store::doc_lines::DocLine;

use super::{TotalsView, render};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::kit::urls::path_segment;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// Blank rows offered under the lines.
const BLANK_ROWS: usize = 1;

/// One row of the editor with its messages.
struct RowView {
    index: usize,
    place: usize,
    row: LineRow,
    catalogue: String,
    description_error: Option<String>,
    quantity_error: Option<String>,
    unit_price_error: Option<String>,
    tax_error: Option<String>,
    optional_error: Option<String>,
}

#[derive(Template)]
#[template(path = "office/documents/lines.html")]
struct EditorPage {
    chrome: OfficeChrome,
    title: String,
    back: String,
    action: String,
    rows: Vec<RowView>,
    count: usize,
    optional_allowed: bool,
    rates: Vec<(String, String)>,
    catalogue: Vec<(String, String)>,
    discount: String,
    discount_error: Option<String>,
    general_error: Option<String>,
    refusal: Option<String>,
    totals: Option<TotalsView>,
}

/// Which document, from the path's first segment.
#[derive(Clone, Copy)]
enum Kind {
    Job,
    Estimate,
    Invoice,
}

impl Kind {
    fn owner(self, number: &str) -> Owner<'_> {
        match self {
            Kind::Job => Owner::Job(number),
            Kind::Estimate => Owner::Estimate(number),
            Kind::Invoice => Owner::Invoice(number),
        }
    }

    fn base(self, number: &str) -> String {
        let segment = match self {
            Kind::Job => "jobs",
            Kind::Estimate => "estimates",
            Kind::Invoice => "invoices",
        };
        format!("/office/{segment}/{}", path_segment(number))
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Job => "job",
            Kind::Estimate => "estimate",
            Kind::Invoice => "invoice",
        }
    }
}

/// The document's lines and discount as stored, and whether they may change now.
async fn current(
    state: &AppState,
    staff: &SignedInStaff,
    kind: Kind,
    number: &str,
) -> Result<(Vec<DocLine>, i64, Option<String>), WebError> {
    let company = staff.company.id;
    Ok(match kind {
        Kind::Job => {
            let (job, lines) = state
                .store
                .job_for_lines(company, number)
                .await?
                .ok_or(WebError::NotFound)?;
            (lines, job.discount_minor, None)
        }
        Kind::Estimate => {
            let e = state
                .store
                .office_estimate(company, number)
                .await?
                .ok_or(WebError::NotFound)?;
            let closed = (!doorstep_core::documents::estimate_editable(e.detail.status))
                .then(|| lines::ESTIMATE_CLOSED.to_owned());
            (e.detail.lines, e.detail.discount_minor, closed)
        }
        Kind::Invoice => {
            let i = state
                .store
                .office_invoice(company, number)
                .await?
                .ok_or(WebError::NotFound)?;
            let sent = (!doorstep_core::documents::invoice_editable(i.status()))
                .then(|| lines::INVOICE_SENT.to_owned());
            (i.detail.lines, i.detail.discount_minor, sent)
        }
    })
}

fn row_of(l: &DocLine, cur: doorstep_core::money::Currency) -> LineRow {
    LineRow {
        description: l.description.clone(),
        quantity: quantity_input(l.quantity_milli),
        unit_price: price_input(l.unit_price_minor, cur),
        tax_name: l.tax_name.clone().unwrap_or_default(),
        tax_rate: if l.tax_name.is_some() {
            rate_input(l.tax_rate_bp)
        } else {
            String::new()
        },
        optional: l.is_optional,
        catalogue_item: None,
    }
}

#[allow(clippy::too_many_arguments)]
async fn editor(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    (kind, number): (Kind, &str),
    rows: Vec<LineRow>,
    discount: String,
    errors: LineErrors,
    refusal: Option<String>,
    totals: Option<TotalsView>,
) -> Result<EditorPage, WebError> {
    let company = staff.company.id;
    let rates = state
        .store
        .tax_rates(company, true)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.id.to_string(),
                format!("{} ({}%)", r.name, rate_input(r.rate_bp)),
            )
        })
        .collect();
    let catalogue = state
        .store
        .catalogue_page(company, None, 200)
        .await?
        .into_iter()
        .map(|i| (i.id.to_string(), i.name))
        .collect();
    let views: Vec<RowView> = rows
        .into_iter()
        .enumerate()
        .map(|(index, row)| {
            let e = errors.row(index);
            let get = |f: &str| e.and_then(|e| e.get(f));
            RowView {
                index,
                place: index + 1,
                catalogue: row
                    .catalogue_item
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                description_error: get("description"),
                quantity_error: get("quantity"),
                unit_price_error: get("unit_price"),
                tax_error: get("tax_rate").or_else(|| get("tax_name")),
                optional_error: get("optional"),
                row,
            }
        })
        .collect();
    let base = kind.base(number);
    Ok(EditorPage {
        chrome: OfficeChrome::of(staff, csrf),
        title: format!("Lines of {} {number}", kind.label()),
        action: format!("{base}/lines"),
        back: base,
        count: views.len(),
        rows: views,
        optional_allowed: matches!(kind, Kind::Estimate),
        rates,
        catalogue,
        discount,
        discount_error: errors.discount,
        general_error: errors.general,
        refusal,
        totals,
    })
}

async fn show(
    state: AppState,
    staff: SignedInStaff,
    csrf: String,
    kind: Kind,
    number: String,
) -> Result<Response, WebError> {
    let (stored, discount, refusal) = current(&state, &staff, kind, &number).await?;
    let cur = currency(&staff.company);
    let mut rows: Vec<LineRow> = stored.iter().map(|l| row_of(l, cur)).collect();
    rows.extend(std::iter::repeat_n(LineRow::default(), BLANK_ROWS));
    let totals = doorstep_store::doc_lines::totals_of(&stored, |l| l.is_selected, discount);
    let discount = if discount > 0 {
        price_input(discount, cur)
    } else {
        String::new()
    };
    let page = editor(
        &state,
        &staff,
        &csrf,
        (kind, &number),
        rows,
        discount,
        LineErrors::default(),
        refusal,
        Some(TotalsView::of(&totals, &staff.company.currency)),
    )
    .await?;
    render(&page, StatusCode::OK)
}

/// The rows as posted (`d0`, `q0`, `p0`, `tn0`, `tr0`, `rate0`, `c0`, `o0`, `x0` ...), with
/// catalogue items and company rates filled into the fields left empty; removed rows
/// dropped.
async fn posted_rows(
    state: &AppState,
    staff: &SignedInStaff,
    form: &[(String, String)],
) -> Result<Vec<LineRow>, WebError> {
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let count: usize = get("rows")
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
        .min(doorstep_core::documents::LINES_MAX + 20);
    let cur = currency(&staff.company);
    let company = staff.company.id;
    let mut rows = Vec::new();
    for i in 0..count {
        if get(&format!("x{i}")).is_some() {
            continue;
        }
        let text = |p: &str| get(&format!("{p}{i}")).unwrap_or("").to_owned();
        let mut row = LineRow {
            description: text("d"),
            quantity: text("q"),
            unit_price: text("p"),
            tax_name: text("tn"),
            tax_rate: text("tr"),
            optional: get(&format!("o{i}")).is_some(),
            catalogue_item: text("c").parse().ok(),
        };
        if let Some(id) = row.catalogue_item {
            match state
                .store
                .catalogue_item(company, CatalogueItemId(id))
                .await?
            {
                Some(item) => {
                    if row.description.trim().is_empty() {
                        row.description = item.name;
                    }
                    if row.unit_price.trim().is_empty() {
                        row.unit_price = price_input(item.unit_price_minor, cur);
                    }
                }
                None => row.catalogue_item = None,
            }
        }
        let chosen_rate = match text("rate").parse::<i64>() {
            Ok(id) if row.tax_rate.trim().is_empty() => state.store.tax_rate(company, id).await?,
            _ => None,
        };
        if let Some(r) = chosen_rate {
            row.tax_name = r.name;
            row.tax_rate = rate_input(r.rate_bp);
        }
        rows.push(row);
    }
    Ok(rows)
}

async fn save(
    state: AppState,
    staff: SignedInStaff,
    csrf: String,
    kind: Kind,
    number: String,
    form: Vec<(String, String)>,
) -> Result<Response, WebError> {
    // The document must be the company's before anything is read into the page.
    let (_, _, refusal) = current(&state, &staff, kind, &number).await?;
    let mut rows = posted_rows(&state, &staff, &form).await?;
    let discount = form
        .iter()
        .find(|(k, _)| k == "discount")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let adding = form.iter().any(|(k, v)| k == "action" && v == "add");
    let owner_kind = match kind {
        Kind::Job => LineOwnerKind::Job,
        Kind::Estimate => LineOwnerKind::Estimate,
        Kind::Invoice => LineOwnerKind::Invoice,
    };
    let cur = currency(&staff.company);
    let again = |rows, errors, refusal, status| {
        let (st, me, token, n) = (&state, &staff, &csrf, &number);
        let discount = discount.clone();
        async move {
            let page = editor(
                st,
                me,
                token,
                (kind, n),
                rows,
                discount,
                errors,
                refusal,
                None,
            )
            .await?;
            render(&page, status)
        }
    };
    if adding {
        rows.push(LineRow::default());
        return again(rows, LineErrors::default(), refusal, StatusCode::OK).await;
    }
    let parsed = match Lines::parse(owner_kind, &rows, &discount, cur) {
        Ok(l) => l,
        Err(errors) => {
            return again(rows, errors, refusal, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match lines::replace(&state.app, &staff.actor, kind.owner(&number), parsed).await {
        Ok(()) => Ok(Redirect::to(&format!("{}?done=lines", kind.base(&number))).into_response()),
        Err(AppError::Conflict { message, .. }) => {
            again(
                rows,
                LineErrors::default(),
                Some(message),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /office/jobs/{number}/lines`.
pub async fn job_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    show(state, staff, csrf, Kind::Job, number).await
}

/// `POST /office/jobs/{number}/lines`.
pub async fn job_save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(state, staff, csrf, Kind::Job, number, form).await
}

/// `GET /office/estimates/{number}/lines`.
pub async fn estimate_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    show(state, staff, csrf, Kind::Estimate, number).await
}

/// `POST /office/estimates/{number}/lines`.
pub async fn estimate_save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(state, staff, csrf, Kind::Estimate, number, form).await
}

/// `GET /office/invoices/{number}/lines`.
pub async fn invoice_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    show(state, staff, csrf, Kind::Invoice, number).await
}

/// `POST /office/invoices/{number}/lines`.
pub async fn invoice_save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(state, staff, csrf, Kind::Invoice, number, form).await
}
