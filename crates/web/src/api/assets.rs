//! `/api/v1/assets` and their maintenance schedules: list (by change time, filtered by
//! customer), read (with its schedules), create, PATCH (retiring included), and a
//! schedule's list, create, PATCH and DELETE — through the office's own use cases
//! (`doorstep_app::assets`), so the rules (dates, when maintenance is next due, a retired
//! asset taking no changes) and the audit records are the office's.
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use doorstep_app::ApiActor;
use doorstep_app::assets::{self, Asset as AssetCase, AssetFields, Schedule, ScheduleFields};
use doorstep_core::ids::{AssetId, CustomerId, MaintenanceScheduleId};
use doorstep_store::asset_book::{AssetRow, ChangedFilter, ScheduleRow};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};

use super::auth::Api;
use super::kit::{
    answer, api_names, created, id_of, json, json_body, list_query, page_of, present, refused,
    write,
};
use super::paging::{ListQuery, rfc3339};
use super::problem::{Clash, Problem, ReadOnly, Reading, Writing};
use crate::AppState;

/// A recurring maintenance or inspection of an asset.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaintenanceSchedule {
    /// Id (use it in `/api/v1/maintenance-schedules/{id}`).
    pub id: i64,
    /// The asset's id.
    pub asset_id: i64,
    /// What is done, e.g. `Annual service`.
    pub title: String,
    /// Days between two services.
    pub interval_days: i64,
    /// The last service (`YYYY-MM-DD`).
    pub last_done_on: Option<String>,
    /// The next service (`YYYY-MM-DD`).
    pub next_due_on: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

impl MaintenanceSchedule {
    fn of(m: ScheduleRow) -> MaintenanceSchedule {
        MaintenanceSchedule {
            id: m.id,
            asset_id: m.asset_id,
            title: m.title,
            interval_days: m.interval_days,
            last_done_on: m.last_done_on.map(day),
            next_due_on: day(m.next_due_on),
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
        }
    }
}

/// A customer's piece of equipment or rental unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct Asset {
    /// Id (use it in `/api/v1/assets/{id}`).
    pub id: i64,
    /// The customer's id.
    pub customer_id: i64,
    /// The site where it stands.
    pub site_id: Option<i64>,
    /// `equipment` or `rental`.
    pub kind: String,
    /// What people call it.
    pub name: String,
    /// Manufacturer.
    pub make: String,
    /// Model.
    pub model: String,
    /// Serial number.
    pub serial_number: String,
    /// When it was installed (`YYYY-MM-DD`).
    pub installed_on: Option<String>,
    /// Rental start (`YYYY-MM-DD`; rentals only).
    pub rental_start_on: Option<String>,
    /// Rental end (`YYYY-MM-DD`; rentals only).
    pub rental_end_on: Option<String>,
    /// The office's notes.
    pub notes: String,
    /// Whether it is retired (out of use: no longer in the portal, no more changes).
    pub retired: bool,
    /// When it was retired (RFC 3339).
    pub retired_at: Option<String>,
    /// Its maintenance schedules, soonest due first (only on a single asset's read and
    /// writes; empty in lists).
    pub maintenance_schedules: Vec<MaintenanceSchedule>,
    /// When it was recorded (RFC 3339).
    pub created_at: String,
    /// When it or its maintenance last changed (RFC 3339).
    pub updated_at: String,
}

fn day(d: Date) -> String {
    d.to_string()
}

impl Asset {
    fn of(a: AssetRow, schedules: Vec<ScheduleRow>) -> Asset {
        Asset {
            id: a.id,
            customer_id: a.customer_id,
            site_id: a.site_id,
            kind: a.kind,
            name: a.name,
            make: a.make,
            model: a.model,
            serial_number: a.serial_number,
            installed_on: a.installed_on.map(day),
            rental_start_on: a.rental_start_on.map(day),
            rental_end_on: a.rental_end_on.map(day),
            notes: a.notes,
            retired: a.retired_at.is_some(),
            retired_at: a.retired_at.map(rfc3339),
            maintenance_schedules: schedules.into_iter().map(MaintenanceSchedule::of).collect(),
            created_at: rfc3339(a.created_at),
            updated_at: rfc3339(a.updated_at),
        }
    }
}

/// A page of assets, by change time.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetList {
    /// The assets.
    pub data: Vec<Asset>,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A page of an asset's maintenance schedules, by change time.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaintenanceScheduleList {
    /// The schedules.
    pub data: Vec<MaintenanceSchedule>,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The asset list's own filter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssetFilterQuery {
    /// Only this customer's assets.
    #[param(value_type = Option<i64>)]
    pub customer_id: Option<String>,
}

/// An asset's fields as sent. Absent fields keep their value on update (`PATCH`) and are
/// empty on create; `null` clears the site and the dates.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetInput {
    /// The customer's id (required to create; an asset cannot move to another customer).
    pub customer_id: Option<i64>,
    /// One of the customer's active sites.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub site_id: Option<Option<i64>>,
    /// `equipment` (when absent on create) or `rental`.
    pub kind: Option<String>,
    /// What people call it (required to create).
    pub name: Option<String>,
    /// Manufacturer.
    pub make: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Serial number.
    pub serial_number: Option<String>,
    /// When it was installed (`YYYY-MM-DD`, not in the future).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date)]
    pub installed_on: Option<Option<String>>,
    /// Rental start (`YYYY-MM-DD`; rentals only).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date)]
    pub rental_start_on: Option<Option<String>>,
    /// Rental end (`YYYY-MM-DD`, not before the start; rentals only).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date)]
    pub rental_end_on: Option<Option<String>>,
    /// The office's notes.
    pub notes: Option<String>,
    /// `true` retires the asset (on `PATCH` only; a retired asset cannot come back).
    pub retired: Option<bool>,
}

/// A maintenance schedule's fields as sent. Absent fields keep their value on `PATCH`;
/// `next_due_on` absent or `null` is one interval after the last service (or today) —
/// on `PATCH` too, when the interval or the last service changes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceScheduleInput {
    /// What is done (required to create).
    pub title: Option<String>,
    /// Days between two services, 1 to 3650 (required to create).
    pub interval_days: Option<i64>,
    /// The last service (`YYYY-MM-DD`, not in the future).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date)]
    pub last_done_on: Option<Option<String>>,
    /// The next service (`YYYY-MM-DD`, after the last one).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date)]
    pub next_due_on: Option<Option<String>>,
}

/// The form's field names the API spells otherwise.
const RENAMES: &[(&str, &str)] = &[("customer", "customer_id"), ("site", "site_id")];

fn text_of<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn fields_of(a: &AssetRow) -> AssetFields {
    AssetFields {
        kind: a.kind.clone(),
        name: a.name.clone(),
        make: a.make.clone(),
        model: a.model.clone(),
        serial_number: a.serial_number.clone(),
        site: text_of(a.site_id),
        installed_on: text_of(a.installed_on),
        rental_start_on: text_of(a.rental_start_on),
        rental_end_on: text_of(a.rental_end_on),
        notes: a.notes.clone(),
    }
}

impl AssetInput {
    /// Whether it changes a field (besides `retired`).
    fn edits(&self) -> bool {
        self.site_id.is_some()
            || self.kind.is_some()
            || self.name.is_some()
            || self.make.is_some()
            || self.model.is_some()
            || self.serial_number.is_some()
            || self.installed_on.is_some()
            || self.rental_start_on.is_some()
            || self.rental_end_on.is_some()
            || self.notes.is_some()
    }

    /// `f` with what this input sends put over it.
    fn over(&self, mut f: AssetFields) -> AssetFields {
        let set = |to: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                to.clone_from(v);
            }
        };
        let clear = |to: &mut String, v: &Option<Option<String>>| {
            if let Some(v) = v {
                *to = v.clone().unwrap_or_default();
            }
        };
        if let Some(s) = self.site_id {
            f.site = text_of(s);
        }
        set(&mut f.kind, &self.kind);
        set(&mut f.name, &self.name);
        set(&mut f.make, &self.make);
        set(&mut f.model, &self.model);
        set(&mut f.serial_number, &self.serial_number);
        set(&mut f.notes, &self.notes);
        clear(&mut f.installed_on, &self.installed_on);
        clear(&mut f.rental_start_on, &self.rental_start_on);
        clear(&mut f.rental_end_on, &self.rental_end_on);
        f
    }
}

impl MaintenanceScheduleInput {
    /// `f` with what this input sends put over it.
    fn over(self, mut f: ScheduleFields) -> ScheduleFields {
        // A new interval or last service moves the due date unless one is sent with it.
        if (self.interval_days.is_some() || self.last_done_on.is_some())
            && self.next_due_on.is_none()
        {
            f.next_due_on.clear();
        }
        if let Some(t) = self.title {
            f.title = t;
        }
        if let Some(i) = self.interval_days {
            f.interval_days = i.to_string();
        }
        if let Some(l) = self.last_done_on {
            f.last_done_on = l.unwrap_or_default();
        }
        if let Some(n) = self.next_due_on {
            f.next_due_on = n.unwrap_or_default();
        }
        f
    }
}

fn schedule_fields_of(m: &ScheduleRow) -> ScheduleFields {
    ScheduleFields {
        title: m.title.clone(),
        interval_days: m.interval_days.to_string(),
        last_done_on: text_of(m.last_done_on),
        next_due_on: day(m.next_due_on),
    }
}

async fn find(state: &AppState, actor: &ApiActor, id: AssetId) -> Result<AssetRow, Problem> {
    state
        .store
        .asset(actor.company().id, id)
        .await?
        .ok_or_else(Problem::not_found)
}

async fn read(state: &AppState, actor: &ApiActor, id: AssetId) -> Result<Asset, Problem> {
    let a = find(state, actor, id).await?;
    let company = actor.company().id;
    let mut schedules = state
        .store
        .schedules_of_customer(company, CustomerId(a.customer_id))
        .await?;
    schedules.retain(|m| m.asset_id == a.id);
    Ok(Asset::of(a, schedules))
}

async fn find_schedule(
    state: &AppState,
    actor: &ApiActor,
    id: MaintenanceScheduleId,
) -> Result<ScheduleRow, Problem> {
    state
        .store
        .schedule(actor.company().id, id)
        .await?
        .ok_or_else(Problem::not_found)
}

fn customer_filter(q: AssetFilterQuery) -> Result<Option<CustomerId>, Problem> {
    match q.customer_id.as_deref() {
        None => Ok(None),
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(|id| Some(CustomerId(id)))
            .ok_or_else(|| {
                Problem::field(
                    "invalid-parameter",
                    "customer_id",
                    "`customer_id` is a customer's id.",
                )
            }),
    }
}

/// List assets by change time.
#[utoipa::path(get, path = "/api/v1/assets", tag = "assets", params(ListQuery, AssetFilterQuery),
    responses(
        (status = 200, description = "A page of assets", body = AssetList),
        Reading,
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Api(actor): Api,
    query: Result<Query<ListQuery>, QueryRejection>,
    filter: Result<Query<AssetFilterQuery>, QueryRejection>,
) -> Response {
    answer(
        async {
            let page = list_query(query)?;
            let Query(filter) =
                filter.map_err(|e| Problem::field("invalid-parameter", "query", e.body_text()))?;
            let customer = customer_filter(filter)?;
            let changed = ChangedFilter {
                since: page.since,
                after: page.after,
            };
            let rows = state
                .store
                .assets_changed(actor.company().id, customer, changed, page.limit + 1)
                .await?;
            let (rows, next_cursor) = page_of(rows, &page, |a| (a.updated_at, a.id));
            let data = rows.into_iter().map(|a| Asset::of(a, Vec::new())).collect();
            Ok(json(StatusCode::OK, &AssetList { data, next_cursor }))
        }
        .await,
    )
}

/// Read one asset, with its maintenance schedules.
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = i64, Path, description = "The asset's id")),
    responses(
        (status = 200, description = "The asset", body = Asset),
        Reading,
        (status = 404, description = "No such asset of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let a = read(&state, &actor, id_of(&id, AssetId)?).await?;
            Ok(json(StatusCode::OK, &a))
        }
        .await,
    )
}

/// Record an asset of a customer.
#[utoipa::path(post, path = "/api/v1/assets", tag = "assets",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    request_body = AssetInput,
    responses(
        (status = 201, description = "Recorded", body = Asset),
        Writing,
        Clash,
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Api(actor): Api,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = "/api/v1/assets";
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        path,
        &body,
        || async {
            let input: AssetInput = json_body(&body)?;
            let fields = input.over(AssetFields::default());
            let asset = AssetCase::parse(&fields, assets::today(actor.writer()?))
                .map_err(|e| Problem::fields(&api_names(e, RENAMES)))?;
            if input.retired.is_some() {
                return Err(Problem::field(
                    "validation",
                    "retired",
                    "An asset is recorded in use; retire it with PATCH.",
                ));
            }
            let customer = input.customer_id.ok_or_else(|| {
                Problem::field("validation", "customer_id", "Send the customer's id.")
            })?;
            let id = assets::add(&state.app, actor.writer()?, CustomerId(customer), asset)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let a = read(&state, &actor, id).await?;
            Ok(created(&format!("{path}/{}", a.id), &a))
        },
    )
    .await
}

/// Change some of an asset's fields (the ones sent), or retire it with `"retired": true`.
#[utoipa::path(patch, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = i64, Path, description = "The asset's id")),
    request_body = AssetInput,
    responses(
        (status = 200, description = "Saved", body = Asset),
        Writing,
        (status = 404, description = "No such asset of this company", body = Problem, content_type = "application/problem+json"),
        Clash,
    ),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    answer(
        async {
            let office = actor.writer()?;
            let id = id_of(&id, AssetId)?;
            let current = find(&state, &actor, id).await?;
            let input: AssetInput = json_body(&body)?;
            if input.customer_id.is_some_and(|c| c != current.customer_id) {
                return Err(Problem::field(
                    "validation",
                    "customer_id",
                    "An asset cannot move to another customer.",
                ));
            }
            let retired = current.retired_at.is_some();
            if input.retired == Some(false) && retired {
                return Err(Problem::field(
                    "validation",
                    "retired",
                    "A retired asset cannot be put back in use; record it again.",
                ));
            }
            if input.edits() {
                let asset =
                    AssetCase::parse(&input.over(fields_of(&current)), assets::today(office))
                        .map_err(|e| Problem::fields(&api_names(e, RENAMES)))?;
                assets::edit(&state.app, office, id, asset)
                    .await
                    .map_err(|e| refused(e, RENAMES))?;
            }
            if input.retired == Some(true) && !retired {
                assets::retire(&state.app, office, id)
                    .await
                    .map_err(|e| refused(e, RENAMES))?;
            }
            Ok(json(StatusCode::OK, &read(&state, &actor, id).await?))
        }
        .await,
    )
}

/// List an asset's maintenance schedules by change time.
#[utoipa::path(get, path = "/api/v1/assets/{id}/maintenance-schedules", tag = "assets",
    params(("id" = i64, Path, description = "The asset's id"), ListQuery),
    responses(
        (status = 200, description = "A page of the asset's schedules", body = MaintenanceScheduleList),
        Reading,
        (status = 404, description = "No such asset of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn schedules(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    answer(
        async {
            let id = id_of(&id, AssetId)?;
            find(&state, &actor, id).await?;
            let page = list_query(query)?;
            let changed = ChangedFilter {
                since: page.since,
                after: page.after,
            };
            let rows = state
                .store
                .schedules_changed(actor.company().id, id, changed, page.limit + 1)
                .await?;
            let (rows, next_cursor) = page_of(rows, &page, |m| (m.updated_at, m.id));
            let data = rows.into_iter().map(MaintenanceSchedule::of).collect();
            Ok(json(
                StatusCode::OK,
                &MaintenanceScheduleList { data, next_cursor },
            ))
        }
        .await,
    )
}

/// Schedule recurring maintenance of an asset.
#[utoipa::path(post, path = "/api/v1/assets/{id}/maintenance-schedules", tag = "assets",
    params(
        ("id" = i64, Path, description = "The asset's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = MaintenanceScheduleInput,
    responses(
        (status = 201, description = "Scheduled", body = MaintenanceSchedule),
        Writing,
        (status = 404, description = "No such asset of this company", body = Problem, content_type = "application/problem+json"),
        Clash,
    ),
    security(("bearer" = [])))]
pub async fn create_schedule(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/assets/{id}/maintenance-schedules");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let office = actor.writer()?;
            let asset = id_of(&id, AssetId)?;
            find(&state, &actor, asset).await?;
            let input: MaintenanceScheduleInput = json_body(&body)?;
            let schedule = Schedule::parse(
                &input.over(ScheduleFields::default()),
                assets::today(office),
            )
            .map_err(|e| Problem::fields(&e))?;
            let made = assets::add_schedule(&state.app, office, asset, schedule)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let m = find_schedule(&state, &actor, made).await?;
            Ok(created(
                &format!("/api/v1/maintenance-schedules/{}", m.id),
                &MaintenanceSchedule::of(m),
            ))
        },
    )
    .await
}

/// Change some of a maintenance schedule's fields (the ones sent).
#[utoipa::path(patch, path = "/api/v1/maintenance-schedules/{id}", tag = "assets",
    params(("id" = i64, Path, description = "The schedule's id")),
    request_body = MaintenanceScheduleInput,
    responses(
        (status = 200, description = "Saved", body = MaintenanceSchedule),
        Writing,
        (status = 404, description = "No such schedule of this company", body = Problem, content_type = "application/problem+json"),
        Clash,
    ),
    security(("bearer" = [])))]
pub async fn update_schedule(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    answer(
        async {
            let office = actor.writer()?;
            let id = id_of(&id, MaintenanceScheduleId)?;
            let current = find_schedule(&state, &actor, id).await?;
            let input: MaintenanceScheduleInput = json_body(&body)?;
            let schedule = Schedule::parse(
                &input.over(schedule_fields_of(&current)),
                assets::today(office),
            )
            .map_err(|e| Problem::fields(&e))?;
            assets::edit_schedule(&state.app, office, id, schedule)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let m = find_schedule(&state, &actor, id).await?;
            Ok(json(StatusCode::OK, &MaintenanceSchedule::of(m)))
        }
        .await,
    )
}

/// Remove a maintenance schedule.
#[utoipa::path(delete, path = "/api/v1/maintenance-schedules/{id}", tag = "assets",
    params(("id" = i64, Path, description = "The schedule's id")),
    responses(
        (status = 204, description = "Removed"),
        Reading,
        ReadOnly,
        (status = 404, description = "No such schedule of this company", body = Problem, content_type = "application/problem+json"),
        Clash,
    ),
    security(("bearer" = [])))]
pub async fn delete_schedule(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let office = actor.writer()?;
            let id = id_of(&id, MaintenanceScheduleId)?;
            assets::remove_schedule(&state.app, office, id)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}
