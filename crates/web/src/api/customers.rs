//! `/api/v1/customers`: list, read, create, update and upsert by external id, through the
//! office's own use cases (`doorstep_app::customers::accounts`), so the API and the
//! office pages check the same rules.
//!
//! axum's own `Path` and `Query` are used on purpose: the pages' extractors answer a bad
//! value with the branded HTML page, the API with a problem. `Path<String>` takes any
//! segment (the handler answers a wrong id 404) and the query's rejection is turned into
//! a problem by hand.
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use doorstep_app::ApiActor;
use doorstep_app::customers::accounts::{self, Customer as Checked, CustomerFields};
use doorstep_core::ids::CustomerId;
use doorstep_store::api::ApiCustomer;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Api;
use super::kit::{
    answer, api_names, created, id_of, json, json_body, list_query, page_of, present, refused,
    write,
};
use super::paging::{ListQuery, rfc3339};
use super::problem::{Clash, Problem, Reading, Writing};
use crate::AppState;

/// A customer account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Customer {
    /// Id (use it in `/api/v1/customers/{id}`).
    pub id: i64,
    /// The office's number for it, e.g. `C-1001`.
    pub number: String,
    /// Household or business name.
    pub name: String,
    /// `residential` or `commercial`.
    pub kind: String,
    /// The parent account's number, for a sub-customer.
    pub parent_number: Option<String>,
    /// Account email.
    pub email: String,
    /// Main phone.
    pub phone: String,
    /// Second phone.
    pub mobile_phone: String,
    /// Billing street.
    pub billing_line1: String,
    /// Billing street, second line.
    pub billing_line2: String,
    /// Billing city.
    pub billing_city: String,
    /// Billing state or region.
    pub billing_region: String,
    /// Billing postal code.
    pub billing_postal_code: String,
    /// Notes for the office.
    pub notes: String,
    /// Exempt from sales tax.
    pub tax_exempt: bool,
    /// Days an invoice is due; `null` = the company's terms.
    pub payment_terms_days: Option<i64>,
    /// The account's id in your other system (unique per company).
    pub external_ref: Option<String>,
    /// Whether the account is active.
    pub active: bool,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

impl From<ApiCustomer> for Customer {
    fn from(c: ApiCustomer) -> Customer {
        Customer {
            id: c.id,
            number: c.number,
            name: c.name,
            kind: c.kind,
            parent_number: c.parent_number,
            email: c.email,
            phone: c.phone,
            mobile_phone: c.mobile_phone,
            billing_line1: c.billing_line1,
            billing_line2: c.billing_line2,
            billing_city: c.billing_city,
            billing_region: c.billing_region,
            billing_postal_code: c.billing_postal_code,
            notes: c.notes,
            tax_exempt: c.tax_exempt,
            payment_terms_days: c.payment_terms_days,
            external_ref: c.external_ref,
            active: c.active,
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }
}

/// A page of customers, by change time.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerList {
    /// The customers.
    pub data: Vec<Customer>,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A customer's fields as sent. Absent fields keep their value on update (`PATCH`) and
/// are empty on create; `null` clears `parent_number`, `payment_terms_days` and
/// `external_ref`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// Household or business name (required to create).
    pub name: Option<String>,
    /// `residential` (the default) or `commercial`.
    pub kind: Option<String>,
    /// The parent account's number, for a sub-customer.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub parent_number: Option<Option<String>>,
    /// Account email.
    pub email: Option<String>,
    /// Main phone.
    pub phone: Option<String>,
    /// Second phone.
    pub mobile_phone: Option<String>,
    /// Billing street.
    pub billing_line1: Option<String>,
    /// Billing street, second line.
    pub billing_line2: Option<String>,
    /// Billing city.
    pub billing_city: Option<String>,
    /// Billing state or region.
    pub billing_region: Option<String>,
    /// Billing postal code.
    pub billing_postal_code: Option<String>,
    /// Notes for the office.
    pub notes: Option<String>,
    /// Exempt from sales tax.
    pub tax_exempt: Option<bool>,
    /// Days an invoice is due; `null` = the company's terms.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub payment_terms_days: Option<Option<i64>>,
    /// The account's id in your other system (unique per company).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub external_ref: Option<Option<String>>,
}

impl CustomerInput {
    /// `fields` with what this input sends put over them.
    fn over(self, mut f: CustomerFields) -> CustomerFields {
        let set = |to: &mut String, v: Option<String>| {
            if let Some(v) = v {
                *to = v;
            }
        };
        set(&mut f.name, self.name);
        set(&mut f.kind, self.kind);
        if let Some(p) = self.parent_number {
            f.parent = p.unwrap_or_default();
        }
        set(&mut f.email, self.email);
        set(&mut f.phone, self.phone);
        set(&mut f.mobile_phone, self.mobile_phone);
        set(&mut f.billing_line1, self.billing_line1);
        set(&mut f.billing_line2, self.billing_line2);
        set(&mut f.billing_city, self.billing_city);
        set(&mut f.billing_region, self.billing_region);
        set(&mut f.billing_postal_code, self.billing_postal_code);
        set(&mut f.notes, self.notes);
        if let Some(t) = self.tax_exempt {
            f.tax_exempt = t;
        }
        if let Some(d) = self.payment_terms_days {
            f.payment_terms_days = d.map(|d| d.to_string()).unwrap_or_default();
        }
        if let Some(r) = self.external_ref {
            f.external_ref = r.unwrap_or_default();
        }
        f
    }
}

/// The fields of a new customer before any are sent.
fn blank() -> CustomerFields {
    CustomerFields {
        kind: "residential".into(),
        ..CustomerFields::default()
    }
}

/// The fields of `c` as the office form would hold them.
fn fields_of(c: &ApiCustomer) -> CustomerFields {
    CustomerFields {
        name: c.name.clone(),
        kind: c.kind.clone(),
        parent: c.parent_number.clone().unwrap_or_default(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        mobile_phone: c.mobile_phone.clone(),
        billing_line1: c.billing_line1.clone(),
        billing_line2: c.billing_line2.clone(),
        billing_city: c.billing_city.clone(),
        billing_region: c.billing_region.clone(),
        billing_postal_code: c.billing_postal_code.clone(),
        notes: c.notes.clone(),
        tax_exempt: c.tax_exempt,
        payment_terms_days: c
            .payment_terms_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
        external_ref: c.external_ref.clone().unwrap_or_default(),
    }
}

/// The form's field names the API spells otherwise.
const RENAMES: &[(&str, &str)] = &[("parent", "parent_number")];

fn check(fields: &CustomerFields) -> Result<Checked, Problem> {
    Checked::parse(fields).map_err(|e| Problem::fields(&api_names(e, RENAMES)))
}

async fn read(state: &AppState, actor: &ApiActor, id: CustomerId) -> Result<Customer, Problem> {
    state
        .store
        .api_customer(actor.company().id, id)
        .await?
        .map(Customer::from)
        .ok_or_else(Problem::not_found)
}

/// List customers by change time.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(ListQuery),
    responses(
        (status = 200, description = "A page of customers", body = CustomerList),
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
                .api_customers(actor.company().id, page.since, page.after, page.limit + 1)
                .await?;
            let (rows, next_cursor) = page_of(rows, &page, |c| (c.updated_at, c.id));
            let data = rows.into_iter().map(Customer::from).collect();
            Ok(json(StatusCode::OK, &CustomerList { data, next_cursor }))
        }
        .await,
    )
}

/// Read one customer.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The customer", body = Customer),
        Reading,
        (status = 404, description = "No such customer of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let c = read(&state, &actor, id_of(&id, CustomerId)?).await?;
            Ok(json(StatusCode::OK, &c))
        }
        .await,
    )
}

/// Create a customer (with the company's next number).
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    request_body = CustomerInput,
    responses(
        (status = 201, description = "Made", body = Customer),
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
    let path = "/api/v1/customers";
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        path,
        &body,
        || async {
            let input: CustomerInput = json_body(&body)?;
            let customer = check(&input.over(blank()))?;
            let office = actor.writer()?;
            let made = accounts::create(&state.app, office, customer)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let c = read(&state, &actor, made.id).await?;
            Ok(created(&format!("{path}/{}", c.id), &c))
        },
    )
    .await
}

/// Change some of a customer's fields (the ones sent).
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "The customer's id")),
    request_body = CustomerInput,
    responses(
        (status = 200, description = "Saved", body = Customer),
        Writing,
        (status = 404, description = "No such customer of this company", body = Problem, content_type = "application/problem+json"),
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
            let id = id_of(&id, CustomerId)?;
            let current = state
                .store
                .api_customer(actor.company().id, id)
                .await?
                .ok_or_else(Problem::not_found)?;
            let input: CustomerInput = json_body(&body)?;
            let customer = check(&input.over(fields_of(&current)))?;
            accounts::edit(&state.app, office, id, customer)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let c = read(&state, &actor, id).await?;
            Ok(json(StatusCode::OK, &c))
        }
        .await,
    )
}

/// Create or update the customer with this external id (your other system's id).
#[utoipa::path(put, path = "/api/v1/customers/external/{external_ref}", tag = "customers",
    params(
        ("external_ref" = String, Path, description = "The customer's id in your other system"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = CustomerInput,
    responses(
        (status = 200, description = "Updated", body = Customer),
        (status = 201, description = "Made", body = Customer),
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
    let path = format!("/api/v1/customers/external/{reference}");
    write(
        &state,
        &actor,
        &headers,
        Method::PUT,
        &path,
        &body,
        || async {
            let mut input: CustomerInput = json_body(&body)?;
            input.external_ref = Some(Some(reference.clone()));
            let office = actor.writer()?;
            // An update keeps the fields not sent, as PATCH does.
            let start = match state
                .store
                .customer_by_external_ref(actor.company().id, reference.trim())
                .await?
            {
                Some(id) => state
                    .store
                    .api_customer(actor.company().id, id)
                    .await?
                    .map_or_else(blank, |c| fields_of(&c)),
                None => blank(),
            };
            let customer = check(&input.over(start))?;
            let (made, created) = accounts::upsert_by_external_ref(&state.app, office, customer)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let c = read(&state, &actor, made.id).await?;
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(json(status, &c))
        },
    )
    .await
}
