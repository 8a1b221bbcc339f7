//! `/api/v1/catalogue-items`: the requestable catalogue (products and services) listed by
//! change time, read, added, changed, hidden and shown again, through the office's own
//! use cases (`doorstep_app::settings::catalogue`). Those are an administrator's: a
//! write key acts as the administrator who made it ([`ApiActor::admin`]).
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use doorstep_app::ApiActor;
use doorstep_app::documents::currency;
use doorstep_app::settings::catalogue::{self, Item};
use doorstep_core::catalogue::price_input;
use doorstep_core::ids::CatalogueItemId;
use doorstep_store::api_estimates::ApiCatalogueItem;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Api;
use super::kit::{answer, api_names, created, id_of, json, json_body, list_query, page_of, write};
use super::paging::{ListQuery, rfc3339};
use super::problem::{Clash, Problem, Reading, Writing};
use crate::AppState;

/// A catalogue item.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueItem {
    /// Id (use it in `/api/v1/catalogue-items/{id}`).
    pub id: i64,
    /// `product` or `service`.
    pub kind: String,
    /// Name (unique per company, letter case aside); old requests keep it.
    pub name: String,
    /// Longer description.
    pub description: String,
    /// Unit price in minor units of `currency`.
    pub unit_price_minor: i64,
    /// The company's currency (ISO 4217).
    pub currency: String,
    /// Whether customers may pick it in the portal (hidden items are kept, never deleted).
    pub show_in_portal: bool,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

impl CatalogueItem {
    fn of(i: ApiCatalogueItem, actor: &ApiActor) -> CatalogueItem {
        CatalogueItem {
            id: i.id,
            kind: i.kind,
            name: i.name,
            description: i.description,
            unit_price_minor: i.unit_price_minor,
            currency: actor.company().currency.clone(),
            show_in_portal: i.show_in_portal,
            created_at: rfc3339(i.created_at),
            updated_at: rfc3339(i.updated_at),
        }
    }
}

/// A page of catalogue items, by change time.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueItemList {
    /// The items, shown and hidden.
    pub data: Vec<CatalogueItem>,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// An item's fields as sent. Absent fields keep their value on update (`PATCH`); `kind`
/// and `name` are required to create.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueItemInput {
    /// `product` or `service`.
    pub kind: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Longer description.
    pub description: Option<String>,
    /// Unit price, minor units (0 when absent on create).
    pub unit_price_minor: Option<i64>,
    /// Offered in the portal (true when absent on create); `false` hides it.
    pub show_in_portal: Option<bool>,
}

/// The form's field names the API spells otherwise.
const RENAMES: &[(&str, &str)] = &[("price", "unit_price_minor")];

/// `input` over `current` (or the defaults, to create), checked as the office's form is.
fn check(
    actor: &ApiActor,
    input: &CatalogueItemInput,
    current: Option<&ApiCatalogueItem>,
) -> Result<Item, Problem> {
    let money = currency(actor.company());
    let kind = input
        .kind
        .clone()
        .or(current.map(|c| c.kind.clone()))
        .unwrap_or_default();
    let name = input
        .name
        .clone()
        .or(current.map(|c| c.name.clone()))
        .unwrap_or_default();
    let description = input
        .description
        .clone()
        .or(current.map(|c| c.description.clone()))
        .unwrap_or_default();
    let price = input
        .unit_price_minor
        .or(current.map(|c| c.unit_price_minor))
        .unwrap_or(0);
    let shown = input
        .show_in_portal
        .or(current.map(|c| c.show_in_portal))
        .unwrap_or(true);
    Item::parse(
        &kind,
        &name,
        &description,
        &price_input(price, money),
        shown,
        money,
    )
    .map_err(|e| Problem::fields(&api_names(e, RENAMES)))
}

async fn find(
    state: &AppState,
    actor: &ApiActor,
    id: CatalogueItemId,
) -> Result<ApiCatalogueItem, Problem> {
    state
        .store
        .api_catalogue_item(actor.company().id, id)
        .await?
        .ok_or_else(Problem::not_found)
}

fn refused(err: doorstep_app::AppError) -> Problem {
    super::kit::refused(err, RENAMES)
}

/// List catalogue items (shown and hidden) by change time.
#[utoipa::path(get, path = "/api/v1/catalogue-items", tag = "catalogue", params(ListQuery),
    responses(
        (status = 200, description = "A page of catalogue items", body = CatalogueItemList),
        Reading,
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Api(actor): Api,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    answer(
        async {
            let page = list_query(query)?;
            let rows = state
                .store
                .api_catalogue_items(actor.company().id, page.since, page.after, page.limit + 1)
                .await?;
            let (rows, next_cursor) = page_of(rows, &page, |i| (i.updated_at, i.id));
            let data = rows
                .into_iter()
                .map(|i| CatalogueItem::of(i, &actor))
                .collect();
            Ok(json(
                StatusCode::OK,
                &CatalogueItemList { data, next_cursor },
            ))
        }
        .await,
    )
}

/// Read one catalogue item.
#[utoipa::path(get, path = "/api/v1/catalogue-items/{id}", tag = "catalogue",
    params(("id" = i64, Path, description = "The item's id")),
    responses(
        (status = 200, description = "The item", body = CatalogueItem),
        Reading,
        (status = 404, description = "No such item of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let i = find(&state, &actor, id_of(&id, CatalogueItemId)?).await?;
            Ok(json(StatusCode::OK, &CatalogueItem::of(i, &actor)))
        }
        .await,
    )
}

/// Add an item to the catalogue (an administrator's change: the key's maker's).
#[utoipa::path(post, path = "/api/v1/catalogue-items", tag = "catalogue",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    request_body = CatalogueItemInput,
    responses(
        (status = 201, description = "Added", body = CatalogueItem),
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
    let path = "/api/v1/catalogue-items";
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        path,
        &body,
        || async {
            let input: CatalogueItemInput = json_body(&body)?;
            let item = check(&actor, &input, None)?;
            let admin = actor.admin()?;
            let id = catalogue::add(&state.app, admin, item)
                .await
                .map_err(refused)?;
            let i = find(&state, &actor, id).await?;
            Ok(created(
                &format!("{path}/{}", i.id),
                &CatalogueItem::of(i, &actor),
            ))
        },
    )
    .await
}

/// Change some of an item's fields (the ones sent); `show_in_portal` alone hides or
/// shows it as the office's button does.
#[utoipa::path(patch, path = "/api/v1/catalogue-items/{id}", tag = "catalogue",
    params(("id" = i64, Path, description = "The item's id")),
    request_body = CatalogueItemInput,
    responses(
        (status = 200, description = "Saved", body = CatalogueItem),
        Writing,
        (status = 404, description = "No such item of this company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another item has this name", body = Problem, content_type = "application/problem+json"),
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
            let admin = actor.admin()?;
            let id = id_of(&id, CatalogueItemId)?;
            let current = find(&state, &actor, id).await?;
            let input: CatalogueItemInput = json_body(&body)?;
            let only_shown = input.kind.is_none()
                && input.name.is_none()
                && input.description.is_none()
                && input.unit_price_minor.is_none();
            match input.show_in_portal {
                Some(shown) if only_shown => {
                    if shown != current.show_in_portal {
                        catalogue::set_shown(&state.app, admin, id, shown)
                            .await
                            .map_err(refused)?;
                    }
                }
                _ => {
                    let item = check(&actor, &input, Some(&current))?;
                    catalogue::edit(&state.app, admin, id, item)
                        .await
                        .map_err(refused)?;
                }
            }
            let i = find(&state, &actor, id).await?;
            Ok(json(StatusCode::OK, &CatalogueItem::of(i, &actor)))
        }
        .await,
    )
}
