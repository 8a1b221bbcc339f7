//! The equipment forms of a customer's page (issue 20): add and edit an asset, retire it
//! (after asking), and add, edit and remove its maintenance schedules (removing asks
//! first). Each write is one use case of `doorstep_app::assets`, the same the API calls.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::assets::{self, Asset, AssetFields, Schedule, ScheduleFields};
use doorstep_app::error::FieldErrors;
use doorstep_core::ids::{AssetId, CustomerId, MaintenanceScheduleId};
use doorstep_store::asset_book::{AssetRow, ScheduleRow};
use doorstep_store::customer_reads::CustomerDetail;

use super::{Draft, account, page_of, render};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path, field};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "office/asset_form.html")]
struct AssetPage {
    chrome: OfficeChrome,
    customer_name: String,
    customer_href: String,
    editing: bool,
    action: String,
    /// The sites to choose from: `(id, name)`.
    sites: Vec<(String, String)>,
    draft: Draft,
}

#[derive(Template)]
#[template(path = "office/maintenance_form.html")]
struct SchedulePage {
    chrome: OfficeChrome,
    customer_name: String,
    customer_href: String,
    asset_name: String,
    editing: bool,
    action: String,
    draft: Draft,
}

fn asset_fields(pairs: &[(String, String)]) -> AssetFields {
    let f = |name| field(pairs, name).to_owned();
    AssetFields {
        kind: f("kind"),
        name: f("name"),
        make: f("make"),
        model: f("model"),
        serial_number: f("serial_number"),
        site: f("site"),
        installed_on: f("installed_on"),
        rental_start_on: f("rental_start_on"),
        rental_end_on: f("rental_end_on"),
        notes: f("notes"),
    }
}

fn schedule_fields(pairs: &[(String, String)]) -> ScheduleFields {
    let f = |name| field(pairs, name).to_owned();
    ScheduleFields {
        title: f("title"),
        interval_days: f("interval_days"),
        last_done_on: f("last_done_on"),
        next_due_on: f("next_due_on"),
    }
}

fn pairs_of<const N: usize>(values: [(&str, String); N]) -> Vec<(String, String)> {
    values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn text_of<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn refusal(err: AppError) -> Result<FieldErrors, AppError> {
    match err {
        AppError::Invalid(e) => Ok(FieldErrors(vec![e])),
        other => Err(other),
    }
}

/// Asset `id` of the signed-in company and its account, or 404.
async fn asset_and_account(
    state: &AppState,
    staff: &SignedInStaff,
    id: i64,
) -> Result<(AssetRow, CustomerDetail), WebError> {
    staff
        .actor
        .require(doorstep_core::authz::OfficeArea::DayToDay)?;
    let company = staff.company.id;
    let asset = state
        .store
        .asset(company, AssetId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let summary = state
        .store
        .customer_summary(company, CustomerId(asset.customer_id))
        .await?
        .ok_or(WebError::NotFound)?;
    let customer = account(state, staff, &summary.number).await?;
    Ok((asset, customer))
}

/// Schedule `id` of the signed-in company, its asset and its account, or 404.
async fn schedule_and_asset(
    state: &AppState,
    staff: &SignedInStaff,
    id: i64,
) -> Result<(ScheduleRow, AssetRow, CustomerDetail), WebError> {
    let schedule = state
        .store
        .schedule(staff.company.id, MaintenanceScheduleId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let (asset, customer) = asset_and_account(state, staff, schedule.asset_id).await?;
    Ok((schedule, asset, customer))
}

/// The active sites of the account to choose from, and `current` even when deactivated.
async fn site_choices(
    state: &AppState,
    staff: &SignedInStaff,
    customer: &CustomerDetail,
    current: Option<i64>,
) -> Result<Vec<(String, String)>, WebError> {
    let sites = state
        .store
        .sites_of_account(staff.company.id, CustomerId(customer.id))
        .await?;
    Ok(sites
        .into_iter()
        .filter(|s| s.active || Some(s.id) == current)
        .map(|s| (s.id.to_string(), s.name))
        .collect())
}

async fn asset_page(
    state: &AppState,
    (staff, csrf): (&SignedInStaff, &str),
    customer: &CustomerDetail,
    asset: Option<&AssetRow>,
    draft: Draft,
) -> Result<AssetPage, WebError> {
    let customer_href = page_of(&customer.number);
    let sites = site_choices(state, staff, customer, asset.and_then(|a| a.site_id)).await?;
    Ok(AssetPage {
        chrome: OfficeChrome::of(staff, csrf),
        customer_name: customer.name.clone(),
        editing: asset.is_some(),
        action: match asset {
            Some(a) => format!("/office/assets/{}/edit", a.id),
            None => format!("{customer_href}/assets/new"),
        },
        customer_href,
        sites,
        draft,
    })
}

fn schedule_page(
    (staff, csrf): (&SignedInStaff, &str),
    customer: &CustomerDetail,
    asset: &AssetRow,
    schedule: Option<i64>,
    draft: Draft,
) -> SchedulePage {
    SchedulePage {
        chrome: OfficeChrome::of(staff, csrf),
        customer_name: customer.name.clone(),
        customer_href: page_of(&customer.number),
        asset_name: asset.name.clone(),
        editing: schedule.is_some(),
        action: match schedule {
            Some(id) => format!("/office/maintenance/{id}/edit"),
            None => format!("/office/assets/{}/maintenance/new", asset.id),
        },
        draft,
    }
}

fn back_to(customer: &CustomerDetail, done: &str) -> Response {
    let to = format!("{}?done={done}#equipment", page_of(&customer.number));
    Redirect::to(&to).into_response()
}

/// `GET /office/customers/{number}/assets/new`.
pub async fn new_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let customer = account(&state, &staff, &number).await?;
    let page = asset_page(&state, (&staff, &csrf), &customer, None, Draft::default()).await?;
    render(&page, StatusCode::OK)
}

/// `POST /office/customers/{number}/assets/new`.
pub async fn create(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let customer = account(&state, &staff, &number).await?;
    let today = assets::today(&staff.actor);
    let errors = match Asset::parse(&asset_fields(&pairs), today) {
        Ok(asset) => {
            match assets::add(&state.app, &staff.actor, CustomerId(customer.id), asset).await {
                Ok(_) => return Ok(back_to(&customer, "asset_added")),
                Err(err) => refusal(err)?,
            }
        }
        Err(errors) => errors,
    };
    let draft = Draft::of(pairs, errors);
    let page = asset_page(&state, (&staff, &csrf), &customer, None, draft).await?;
    render(&page, StatusCode::UNPROCESSABLE_ENTITY)
}

/// `GET /office/assets/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (a, customer) = asset_and_account(&state, &staff, id).await?;
    let pairs = pairs_of([
        ("kind", a.kind.clone()),
        ("name", a.name.clone()),
        ("make", a.make.clone()),
        ("model", a.model.clone()),
        ("serial_number", a.serial_number.clone()),
        ("site", text_of(a.site_id)),
        ("installed_on", text_of(a.installed_on)),
        ("rental_start_on", text_of(a.rental_start_on)),
        ("rental_end_on", text_of(a.rental_end_on)),
        ("notes", a.notes.clone()),
    ]);
    let draft = Draft::of(pairs, FieldErrors::default());
    let page = asset_page(&state, (&staff, &csrf), &customer, Some(&a), draft).await?;
    render(&page, StatusCode::OK)
}

/// `POST /office/assets/{id}/edit`.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (a, customer) = asset_and_account(&state, &staff, id).await?;
    let today = assets::today(&staff.actor);
    let errors = match Asset::parse(&asset_fields(&pairs), today) {
        Ok(asset) => match assets::edit(&state.app, &staff.actor, AssetId(a.id), asset).await {
            Ok(()) => return Ok(back_to(&customer, "asset_saved")),
            Err(err) => refusal(err)?,
        },
        Err(errors) => errors,
    };
    let draft = Draft::of(pairs, errors);
    let page = asset_page(&state, (&staff, &csrf), &customer, Some(&a), draft).await?;
    render(&page, StatusCode::UNPROCESSABLE_ENTITY)
}

/// `GET /office/assets/{id}/retire`: asks first.
pub async fn confirm_retire(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (a, customer) = asset_and_account(&state, &staff, id).await?;
    super::confirm(
        &staff,
        &csrf,
        (
            format!("Retire {}?", a.name),
            "The asset leaves the customer's portal and takes no more changes or maintenance; its jobs and history keep it. This cannot be undone.".into(),
        ),
        (format!("/office/assets/{}/retire", a.id), "Retire asset"),
        page_of(&customer.number),
    )
}

/// `POST /office/assets/{id}/retire`.
pub async fn retire(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (a, customer) = asset_and_account(&state, &staff, id).await?;
    assets::retire(&state.app, &staff.actor, AssetId(a.id)).await?;
    Ok(back_to(&customer, "asset_retired"))
}

/// `GET /office/assets/{id}/maintenance/new`.
pub async fn new_schedule_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (a, customer) = asset_and_account(&state, &staff, id).await?;
    let page = schedule_page((&staff, &csrf), &customer, &a, None, Draft::default());
    render(&page, StatusCode::OK)
}

/// `POST /office/assets/{id}/maintenance/new`.
pub async fn create_schedule(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (a, customer) = asset_and_account(&state, &staff, id).await?;
    let today = assets::today(&staff.actor);
    let errors = match Schedule::parse(&schedule_fields(&pairs), today) {
        Ok(s) => match assets::add_schedule(&state.app, &staff.actor, AssetId(a.id), s).await {
            Ok(_) => return Ok(back_to(&customer, "maintenance_added")),
            Err(err) => refusal(err)?,
        },
        Err(errors) => errors,
    };
    let draft = Draft::of(pairs, errors);
    let page = schedule_page((&staff, &csrf), &customer, &a, None, draft);
    render(&page, StatusCode::UNPROCESSABLE_ENTITY)
}

/// `GET /office/maintenance/{id}/edit`.
pub async fn edit_schedule_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (m, a, customer) = schedule_and_asset(&state, &staff, id).await?;
    let pairs = pairs_of([
        ("title", m.title.clone()),
        ("interval_days", m.interval_days.to_string()),
        ("last_done_on", text_of(m.last_done_on)),
        ("next_due_on", m.next_due_on.to_string()),
    ]);
    let draft = Draft::of(pairs, FieldErrors::default());
    let page = schedule_page((&staff, &csrf), &customer, &a, Some(m.id), draft);
    render(&page, StatusCode::OK)
}

/// `POST /office/maintenance/{id}/edit`.
pub async fn save_schedule(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (m, a, customer) = schedule_and_asset(&state, &staff, id).await?;
    let today = assets::today(&staff.actor);
    let errors = match Schedule::parse(&schedule_fields(&pairs), today) {
        Ok(s) => {
            let id = MaintenanceScheduleId(m.id);
            match assets::edit_schedule(&state.app, &staff.actor, id, s).await {
                Ok(()) => return Ok(back_to(&customer, "maintenance_saved")),
                Err(err) => refusal(err)?,
            }
        }
        Err(errors) => errors,
    };
    let draft = Draft::of(pairs, errors);
    let page = schedule_page((&staff, &csrf), &customer, &a, Some(m.id), draft);
    render(&page, StatusCode::UNPROCESSABLE_ENTITY)
}

/// `GET /office/maintenance/{id}/remove`: asks first.
pub async fn confirm_remove_schedule(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (m, a, customer) = schedule_and_asset(&state, &staff, id).await?;
    super::confirm(
        &staff,
        &csrf,
        (
            format!("Remove the maintenance \"{}\" of {}?", m.title, a.name),
            "It will no longer be due; jobs already done for it stay in the history.".into(),
        ),
        (
            format!("/office/maintenance/{}/remove", m.id),
            "Remove maintenance",
        ),
        page_of(&customer.number),
    )
}

/// `POST /office/maintenance/{id}/remove`.
pub async fn remove_schedule(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (m, _, customer) = schedule_and_asset(&state, &staff, id).await?;
    assets::remove_schedule(&state.app, &staff.actor, MaintenanceScheduleId(m.id)).await?;
    Ok(back_to(&customer, "maintenance_removed"))
}
