//! `/api/v1/contacts`: list, read, create, update (deactivate and reactivate as the
//! `active` field) and upsert by external id, through the office's own use cases
//! (`doorstep_app::customers::contacts`); a contact's portal access is in
//! [`super::contact_access`].
//!
//! axum's own `Path` and `Query` are used on purpose (see [`super::customers`]).
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use doorstep_app::customers::contacts::{self, Contact as Checked, ContactFields};
use doorstep_app::{ApiActor, AppError, StaffActor};
use doorstep_core::ids::{ContactId, CustomerId};
use doorstep_core::portal_access::PortalAccess;
use doorstep_store::api_people::{ApiContact, PeopleFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Api;
use super::kit::{
    answer, api_names, created, id_of, json, json_body, list_query, page_of, present, refused,
    write,
};
use super::paging::{ListQuery, rfc3339};
use super::problem::{Clash, Problem, Reading, Writing};
use crate::AppState;

/// A contact of a customer account, with its portal access.
#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    /// Id (use it in `/api/v1/contacts/{id}`).
    pub id: i64,
    /// The customer's id.
    pub customer_id: i64,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email (lower-case); portal access needs one.
    pub email: Option<String>,
    /// Phone.
    pub phone: String,
    /// `company` (sees the whole account) or `site` (sees only its sites).
    pub role: String,
    /// The sites a site contact looks after.
    pub site_ids: Vec<i64>,
    /// Receives invoices.
    pub is_billing: bool,
    /// The contact's id in your other system (unique per company).
    pub external_ref: Option<String>,
    /// Whether the contact is active (a deactivated one has no portal access).
    pub active: bool,
    /// `none`, `invited` (no password chosen yet), `active` or `locked`.
    pub portal_access: String,
    /// When the person last signed in to the portal (RFC 3339), if ever.
    pub last_sign_in_at: Option<String>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339), its portal access included.
    pub updated_at: String,
}

impl Contact {
    fn of(c: ApiContact, site_ids: Vec<i64>) -> Contact {
        let access = PortalAccess::of(
            c.active,
            c.portal_enabled,
            c.has_login,
            c.has_password,
            c.locked,
        );
        Contact {
            id: c.id,
            customer_id: c.customer_id,
            first_name: c.first_name,
            last_name: c.last_name,
            email: c.email,
            phone: c.phone,
            role: c.role,
            site_ids,
            is_billing: c.is_billing,
            external_ref: c.external_ref,
            active: c.active,
            portal_access: access.as_str().to_owned(),
            last_sign_in_at: c.last_sign_in_at.map(rfc3339),
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }
}

/// A page of contacts, by change time.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactList {
    /// The contacts.
    pub data: Vec<Contact>,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The contact and site lists' own filter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerFilter {
    /// Only this customer's.
    #[param(value_type = Option<i64>)]
    pub customer_id: Option<String>,
}

impl CustomerFilter {
    /// The filter checked, a wrong one answered as a problem.
    pub fn check(
        query: Result<Query<CustomerFilter>, QueryRejection>,
    ) -> Result<Option<CustomerId>, Problem> {
        let Query(q) =
            query.map_err(|e| Problem::field("invalid-parameter", "query", e.body_text()))?;
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
}

/// A contact's fields as sent. Absent fields keep their value on update (`PATCH`) and
/// are empty on create; `null` clears `email` and `external_ref`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// The customer's id (required to create; a contact stays with its customer).
    pub customer_id: Option<i64>,
    /// Given name (required to create).
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Email; portal access needs one, and it cannot change while access is on.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Phone.
    pub phone: Option<String>,
    /// `company` (the default) or `site`.
    pub role: Option<String>,
    /// The customer's active sites a site contact looks after (at least one).
    pub site_ids: Option<Vec<i64>>,
    /// Receives invoices.
    pub is_billing: Option<bool>,
    /// The contact's id in your other system (unique per company).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub external_ref: Option<Option<String>>,
    /// `false` deactivates the contact (its portal access and sessions end), `true`
    /// reactivates it (access stays off until enabled).
    pub active: Option<bool>,
}

impl ContactInput {
    /// Whether it sends any of the contact's fields (not only `active` or `customer_id`).
    fn edits(&self) -> bool {
        self.first_name.is_some()
            || self.last_name.is_some()
            || self.email.is_some()
            || self.phone.is_some()
            || self.role.is_some()
            || self.site_ids.is_some()
            || self.is_billing.is_some()
            || self.external_ref.is_some()
    }

    /// `f` with what this input sends put over it.
    fn over(&self, mut f: ContactFields) -> ContactFields {
        let set = |to: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                to.clone_from(v);
            }
        };
        set(&mut f.first_name, &self.first_name);
        set(&mut f.last_name, &self.last_name);
        if let Some(e) = &self.email {
            f.email = e.clone().unwrap_or_default();
        }
        set(&mut f.phone, &self.phone);
        set(&mut f.role, &self.role);
        if let Some(s) = &self.site_ids {
            f.sites.clone_from(s);
        }
        if let Some(b) = self.is_billing {
            f.is_billing = b;
        }
        if let Some(r) = &self.external_ref {
            f.external_ref = Some(r.clone().unwrap_or_default());
        }
        f
    }
}

/// The fields of a new contact before any are sent.
fn blank() -> ContactFields {
    ContactFields {
        role: "company".into(),
        ..ContactFields::default()
    }
}

/// The fields of contact `c` as the office form would hold them (its external id kept).
fn fields_of(c: &Contact) -> ContactFields {
    ContactFields {
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        email: c.email.clone().unwrap_or_default(),
        phone: c.phone.clone(),
        role: c.role.clone(),
        sites: c.site_ids.clone(),
        is_billing: c.is_billing,
        external_ref: None,
    }
}

/// The form's field names the API spells otherwise.
const RENAMES: &[(&str, &str)] = &[("sites", "site_ids")];

fn check(fields: &ContactFields) -> Result<Checked, Problem> {
    Checked::parse(fields).map_err(|e| Problem::fields(&api_names(e, RENAMES)))
}

/// A use case's refusal as a problem: an email the contact cannot have (none when
/// enabling access, a new one while access is on) is refused on `email`, as the office
/// shows it next to the email.
pub(crate) fn refusal(err: AppError) -> Problem {
    match err {
        AppError::Conflict {
            reason: "portal_email" | "no_email",
            message,
        } => Problem::field("validation", "email", message),
        other => refused(other, RENAMES),
    }
}

/// A new record's account refused on `customer_id` when it is not the company's.
pub(crate) fn on_customer(err: AppError) -> AppError {
    match err {
        AppError::NotFound => doorstep_core::Invalid::new(
            "customer_id",
            "There is no such customer for this API key's company.",
        )
        .into(),
        other => other,
    }
}

/// Contact `id` of the key's company, as the API shows it.
pub(crate) async fn read(
    state: &AppState,
    actor: &ApiActor,
    id: ContactId,
) -> Result<Contact, Problem> {
    let company = actor.company().id;
    let c = state
        .store
        .api_contact(company, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let sites = state.store.api_contact_sites(company, &[c.id]).await?;
    Ok(Contact::of(c, sites.into_iter().map(|(_, s)| s).collect()))
}

/// Reactivates contact `id` when `want` is to have it active and it is not (before any
/// edit: the office edits only active contacts).
async fn wake(
    state: &AppState,
    office: &StaffActor,
    id: ContactId,
    active: bool,
    want: Option<bool>,
) -> Result<(), Problem> {
    if want == Some(true) && !active {
        contacts::reactivate(&state.app, office, id)
            .await
            .map_err(refusal)?;
    }
    Ok(())
}

/// Deactivates contact `id` when `want` is to have it inactive and it is active.
async fn sleep(
    state: &AppState,
    office: &StaffActor,
    id: ContactId,
    active: bool,
    want: Option<bool>,
) -> Result<(), Problem> {
    if want == Some(false) && active {
        contacts::deactivate(&state.app, office, id)
            .await
            .map_err(refusal)?;
    }
    Ok(())
}

/// List contacts by change time, optionally of one customer.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ListQuery, CustomerFilter),
    responses(
        (status = 200, description = "A page of contacts", body = ContactList),
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
            let company = actor.company().id;
            let filter = PeopleFilter {
                customer,
                since: page.since,
                after: page.after,
            };
            let rows = state
                .store
                .api_contacts(company, &filter, page.limit + 1)
                .await?;
            let (rows, next_cursor) = page_of(rows, &page, |c| (c.updated_at, c.id));
            let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
            let ties = state.store.api_contact_sites(company, &ids).await?;
            let data = rows
                .into_iter()
                .map(|c| {
                    let sites = ties
                        .iter()
                        .filter(|(contact, _)| *contact == c.id)
                        .map(|(_, s)| *s)
                        .collect();
                    Contact::of(c, sites)
                })
                .collect();
            Ok(json(StatusCode::OK, &ContactList { data, next_cursor }))
        }
        .await,
    )
}

/// Read one contact, with its portal access.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "The contact's id")),
    responses(
        (status = 200, description = "The contact", body = Contact),
        Reading,
        (status = 404, description = "No such contact of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let c = read(&state, &actor, id_of(&id, ContactId)?).await?;
            Ok(json(StatusCode::OK, &c))
        }
        .await,
    )
}

/// Add a contact to a customer (without portal access: enable it with
/// `POST /api/v1/contacts/{id}/access`).
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    request_body = ContactInput,
    responses(
        (status = 201, description = "Made", body = Contact),
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
    let path = "/api/v1/contacts";
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        path,
        &body,
        || async {
            let input: ContactInput = json_body(&body)?;
            let contact = check(&input.over(blank()))?;
            let Some(customer) = input.customer_id else {
                return Err(Problem::field(
                    "validation",
                    "customer_id",
                    "Name the customer whose contact this is.",
                ));
            };
            if input.active == Some(false) {
                return Err(Problem::field(
                    "validation",
                    "active",
                    "A contact is made active; deactivate it afterwards.",
                ));
            }
            let office = actor.writer()?;
            let id = contacts::add(&state.app, office, CustomerId(customer), contact)
                .await
                .map_err(|e| refusal(on_customer(e)))?;
            let c = read(&state, &actor, id).await?;
            Ok(created(&format!("{path}/{}", c.id), &c))
        },
    )
    .await
}

/// Change some of a contact's fields (the ones sent); `active` deactivates or
/// reactivates it.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "The contact's id")),
    request_body = ContactInput,
    responses(
        (status = 200, description = "Saved", body = Contact),
        Writing,
        (status = 404, description = "No such contact of this company", body = Problem, content_type = "application/problem+json"),
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
            let id = id_of(&id, ContactId)?;
            let current = read(&state, &actor, id).await?;
            let input: ContactInput = json_body(&body)?;
            if input.customer_id.is_some_and(|c| c != current.customer_id) {
                return Err(refusal(contacts::stays_with_account()));
            }
            let contact = check(&input.over(fields_of(&current)))?;
            wake(&state, office, id, current.active, input.active).await?;
            if input.edits() {
                contacts::edit(&state.app, office, id, contact)
                    .await
                    .map_err(refusal)?;
            }
            sleep(&state, office, id, current.active, input.active).await?;
            let c = read(&state, &actor, id).await?;
            Ok(json(StatusCode::OK, &c))
        }
        .await,
    )
}

/// Create or update the contact with this external id (your other system's id).
#[utoipa::path(put, path = "/api/v1/contacts/external/{external_ref}", tag = "contacts",
    params(
        ("external_ref" = String, Path, description = "The contact's id in your other system"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = ContactInput,
    responses(
        (status = 200, description = "Updated", body = Contact),
        (status = 201, description = "Made (`customer_id` is required then)", body = Contact),
        Writing,
        Clash,
    ),
    security(("bearer" = [])))]
pub async fn upsert(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/contacts/external/{reference}");
    write(
        &state,
        &actor,
        &headers,
        Method::PUT,
        &path,
        &body,
        || async {
            let mut input: ContactInput = json_body(&body)?;
            input.external_ref = Some(Some(reference.clone()));
            let office = actor.writer()?;
            // An update keeps the fields not sent, as PATCH does.
            let current = match state
                .store
                .contact_by_external_ref(actor.company().id, reference.trim())
                .await?
            {
                Some(id) => Some(read(&state, &actor, id).await?),
                None => None,
            };
            let start = current.as_ref().map_or_else(blank, fields_of);
            let contact = check(&input.over(start))?;
            if let Some(c) = &current
                && input.customer_id.is_none_or(|id| id == c.customer_id)
            {
                wake(&state, office, ContactId(c.id), c.active, input.active).await?;
            } else if current.is_none() && input.active == Some(false) {
                return Err(Problem::field(
                    "validation",
                    "active",
                    "A contact is made active; deactivate it afterwards.",
                ));
            }
            let customer = input.customer_id.map(CustomerId);
            let (id, made) =
                contacts::upsert_by_external_ref(&state.app, office, customer, contact)
                    .await
                    .map_err(|e| refusal(on_customer(e)))?;
            if let Some(c) = &current {
                sleep(&state, office, id, c.active, input.active).await?;
            }
            let c = read(&state, &actor, id).await?;
            let status = if made {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(json(status, &c))
        },
    )
    .await
}
