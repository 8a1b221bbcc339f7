//! `/api/v1/sites`: list, read, create and update (deactivate and reactivate as the
//! `active` field) a customer's service addresses, through the office's own use cases
//! (`doorstep_app::customers::sites`).
//!
//! axum's own `Path` and `Query` are used on purpose (see [`super::customers`]).
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use doorstep_app::ApiActor;
use doorstep_app::customers::sites::{self, Site as Checked, SiteFields};
use doorstep_core::ids::{CustomerId, SiteId};
use doorstep_store::api_people::{ApiSite, PeopleFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Api;
use super::contacts::{CustomerFilter, on_customer};
use super::kit::{
    answer, api_names, created, id_of, json, json_body, list_query, page_of, refused, write,
};
use super::paging::{ListQuery, rfc3339};
use super::problem::{Clash, Problem, Reading, Writing};
use crate::AppState;

/// A service address of a customer account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Site {
    /// Id (use it in `/api/v1/sites/{id}` and as a job's `site_id`).
    pub id: i64,
    /// The customer's id.
    pub customer_id: i64,
    /// A name people recognise ("Home", "Warehouse 2").
    pub name: String,
    /// Street.
    pub line1: String,
    /// Street, second line.
    pub line2: String,
    /// City.
    pub city: String,
    /// State or region.
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// Gate codes, dogs, parking.
    pub access_notes: String,
    /// Whether customers may pick it (a deactivated site keeps its jobs).
    pub active: bool,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

impl From<ApiSite> for Site {
    fn from(s: ApiSite) -> Site {
        Site {
            id: s.id,
            customer_id: s.customer_id,
            name: s.name,
            line1: s.line1,
            line2: s.line2,
            city: s.city,
            region: s.region,
            postal_code: s.postal_code,
            access_notes: s.access_notes,
            active: s.active,
            created_at: rfc3339(s.created_at),
            updated_at: rfc3339(s.updated_at),
        }
    }
}

/// A page of sites, by change time.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteList {
    /// The sites.
    pub data: Vec<Site>,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A site's fields as sent. Absent fields keep their value on update (`PATCH`) and are
/// empty on create.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    /// The customer's id (required to create; a site stays with its customer).
    pub customer_id: Option<i64>,
    /// A name people recognise (required to create).
    pub name: Option<String>,
    /// Street (required to create).
    pub line1: Option<String>,
    /// Street, second line.
    pub line2: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or region.
    pub region: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Gate codes, dogs, parking.
    pub access_notes: Option<String>,
    /// `false` deactivates the site (refused while a site contact looks after only it),
    /// `true` reactivates it.
    pub active: Option<bool>,
}

impl SiteInput {
    /// Whether it sends any of the site's fields (not only `active` or `customer_id`).
    fn edits(&self) -> bool {
        [
            &self.name,
            &self.line1,
            &self.line2,
            &self.city,
            &self.region,
            &self.postal_code,
            &self.access_notes,
        ]
        .iter()
        .any(|f| f.is_some())
    }

    /// `f` with what this input sends put over it.
    fn over(&self, mut f: SiteFields) -> SiteFields {
        let set = |to: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                to.clone_from(v);
            }
        };
        set(&mut f.name, &self.name);
        set(&mut f.line1, &self.line1);
        set(&mut f.line2, &self.line2);
        set(&mut f.city, &self.city);
        set(&mut f.region, &self.region);
        set(&mut f.postal_code, &self.postal_code);
        set(&mut f.access_notes, &self.access_notes);
        f
    }
}

/// The fields of site `s` as the office form would hold them.
fn fields_of(s: &Site) -> SiteFields {
    SiteFields {
        name: s.name.clone(),
        line1: s.line1.clone(),
        line2: s.line2.clone(),
        city: s.city.clone(),
        region: s.region.clone(),
        postal_code: s.postal_code.clone(),
        access_notes: s.access_notes.clone(),
    }
}

/// The form's field names the API spells otherwise.
const RENAMES: &[(&str, &str)] = &[("site_name", "name")];

fn check(fields: &SiteFields) -> Result<Checked, Problem> {
    Checked::parse(fields).map_err(|e| Problem::fields(&api_names(e, RENAMES)))
}

async fn read(state: &AppState, actor: &ApiActor, id: SiteId) -> Result<Site, Problem> {
    state
        .store
        .api_site(actor.company().id, id)
        .await?
        .map(Site::from)
        .ok_or_else(Problem::not_found)
}

/// List sites by change time, optionally of one customer.
#[utoipa::path(get, path = "/api/v1/sites", tag = "sites", params(ListQuery, CustomerFilter),
    responses(
        (status = 200, description = "A page of sites", body = SiteList),
        Reading,
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Api(actor): Api,
    query: Result<Query<ListQuery>, QueryRejection>,
    filter: Result<Query<CustomerFilter>, QueryRejection>,
) -> Response {
    answer(
        async {
            let page = list_query(query)?;
            let customer = CustomerFilter::check(filter)?;
            let filter = PeopleFilter {
                customer,
                since: page.since,
                after: page.after,
            };
            let rows = state
                .store
                .api_sites(actor.company().id, &filter, page.limit + 1)
                .await?;
            let (rows, next_cursor) = page_of(rows, &page, |s| (s.updated_at, s.id));
            let data = rows.into_iter().map(Site::from).collect();
            Ok(json(StatusCode::OK, &SiteList { data, next_cursor }))
        }
        .await,
    )
}

/// Read one site.
#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "sites",
    params(("id" = i64, Path, description = "The site's id")),
    responses(
        (status = 200, description = "The site", body = Site),
        Reading,
        (status = 404, description = "No such site of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let s = read(&state, &actor, id_of(&id, SiteId)?).await?;
            Ok(json(StatusCode::OK, &s))
        }
        .await,
    )
}

/// Add a site to a customer.
#[utoipa::path(post, path = "/api/v1/sites", tag = "sites",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    request_body = SiteInput,
    responses(
        (status = 201, description = "Made", body = Site),
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
    let path = "/api/v1/sites";
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        path,
        &body,
        || async {
            let input: SiteInput = json_body(&body)?;
            let site = check(&input.over(SiteFields::default()))?;
            let Some(customer) = input.customer_id else {
                return Err(Problem::field(
                    "validation",
                    "customer_id",
                    "Name the customer whose site this is.",
                ));
            };
            if input.active == Some(false) {
                return Err(Problem::field(
                    "validation",
                    "active",
                    "A site is made active; deactivate it afterwards.",
                ));
            }
            let office = actor.writer()?;
            let id = sites::add(&state.app, office, CustomerId(customer), site)
                .await
                .map_err(|e| refused(on_customer(e), RENAMES))?;
            let s = read(&state, &actor, id).await?;
            Ok(created(&format!("{path}/{}", s.id), &s))
        },
    )
    .await
}

/// Change some of a site's fields (the ones sent); `active` deactivates or reactivates it.
#[utoipa::path(patch, path = "/api/v1/sites/{id}", tag = "sites",
    params(("id" = i64, Path, description = "The site's id")),
    request_body = SiteInput,
    responses(
        (status = 200, description = "Saved", body = Site),
        Writing,
        (status = 404, description = "No such site of this company", body = Problem, content_type = "application/problem+json"),
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
            let id = id_of(&id, SiteId)?;
            let current = read(&state, &actor, id).await?;
            let input: SiteInput = json_body(&body)?;
            if input.customer_id.is_some_and(|c| c != current.customer_id) {
                return Err(Problem::field(
                    "validation",
                    "customer_id",
                    "A site stays with its customer; add a new site to the other customer instead.",
                ));
            }
            let site = check(&input.over(fields_of(&current)))?;
            let app = &state.app;
            // The active state first: its refusals (a site contact left with no site, a
            // deactivated customer) then leave the fields unsaved too. The office edits a
            // site whether it is active or not.
            match input.active {
                Some(true) if !current.active => sites::reactivate(app, office, id).await,
                Some(false) if current.active => sites::deactivate(app, office, id).await,
                _ => Ok(()),
            }
            .map_err(|e| refused(e, RENAMES))?;
            if input.edits() {
                sites::edit(app, office, id, site)
                    .await
                    .map_err(|e| refused(e, RENAMES))?;
            }
            let s = read(&state, &actor, id).await?;
            Ok(json(StatusCode::OK, &s))
        }
        .await,
    )
}
