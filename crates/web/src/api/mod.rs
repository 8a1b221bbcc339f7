//! The JSON API, `/api/v1` (issue 20): authenticated by API keys (`Authorization: Bearer`,
//! see [`auth`]), refusals as RFC 9457 problems ([`problem`]), cursor pagination
//! ([`paging`]), `Idempotency-Key` on POST and PUT ([`idempotency`]). Every write calls
//! the office's own use case. The OpenAPI 3.1 document is generated from the handlers'
//! annotations ([`ApiDoc`]), served at `/api/v1/openapi.json` and listed at `/api/docs`.

pub mod auth;
pub mod customers;
pub mod idempotency;
pub mod invoices;
pub mod job_files;
pub mod jobs;
pub mod kit;
pub mod lines;
pub mod paging;
pub mod payments;
pub mod problem;
// api-assets (issue 20)
pub mod assets;
// api-people (issue 20)
pub mod contact_access;
pub mod contacts;
pub mod sites;
// api-estimates (issue 20)
pub mod catalogue;
pub mod estimates;
pub mod job_lines;
pub mod job_schedule;
// api-requests (issue 20)
pub mod service_requests;
pub mod support_requests;
pub mod webhook_endpoints;

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::WebError;
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::views::OfficeChrome;

/// The API's OpenAPI document, from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Doorstep API",
        version = "1",
        description = "The JSON API of one company's Doorstep, on its own host. Authenticate with an API key made in the office (Settings → API keys): `Authorization: Bearer dsk_live_…`. Refusals are RFC 9457 problem details (`application/problem+json`)."
    ),
    paths(
        customers::list,
        customers::create,
        customers::show,
        customers::update,
        customers::upsert,
        // api-jobs
        jobs::list, jobs::create, jobs::show, jobs::update, jobs::upsert, jobs::status, jobs::technicians,
        // api-billing
        invoices::list, invoices::create, invoices::show, invoices::update, invoices::upsert, invoices::send, invoices::void,
        payments::create, payments::list, payments::show,
        // api-job-files
        job_files::list, job_files::add, job_files::show, job_files::content, job_files::visibility, job_files::remove,
        // api-assets (issue 20)
        assets::list, assets::create, assets::show, assets::update, assets::schedules, assets::create_schedule, assets::update_schedule, assets::delete_schedule,
        // api-people (issue 20)
        contacts::list, contacts::create, contacts::show, contacts::update, contacts::upsert, contact_access::change,
        sites::list, sites::create, sites::show, sites::update,
        // api-estimates (issue 20)
        estimates::list, estimates::create, estimates::show, estimates::update, estimates::upsert, estimates::send, estimates::convert,
        catalogue::list, catalogue::create, catalogue::show, catalogue::update,
        job_lines::show, job_lines::replace, job_schedule::schedule, job_schedule::unschedule,
        // api-requests (issue 20)
        service_requests::list, service_requests::show, service_requests::convert, service_requests::decline,
        support_requests::list, support_requests::show, support_requests::reply, support_requests::status,
        webhook_endpoints::list, webhook_endpoints::create, webhook_endpoints::show, webhook_endpoints::update,
        webhook_endpoints::delete, webhook_endpoints::deliveries, webhook_endpoints::redeliver,
    ),
    components(schemas(problem::Problem, problem::FieldError,
        // api-jobs
        jobs::Job, jobs::JobList, jobs::JobInput, jobs::StatusInput, jobs::CrewInput, jobs::Technician,
        // api-job-files
        job_files::JobFile, job_files::JobFileList, job_files::JobFilesUpload, job_files::VisibilityInput,
        // api-assets (issue 20)
        assets::Asset, assets::AssetList, assets::AssetInput, assets::MaintenanceSchedule, assets::MaintenanceScheduleList, assets::MaintenanceScheduleInput,
        // api-people (issue 20)
        contacts::Contact, contacts::ContactList, contacts::ContactInput, contact_access::AccessInput,
        sites::Site, sites::SiteList, sites::SiteInput,
        // api-estimates (issue 20)
        estimates::Estimate, estimates::EstimateSummary, estimates::EstimateList, estimates::EstimateInput, estimates::SendInput,
        catalogue::CatalogueItem, catalogue::CatalogueItemList, catalogue::CatalogueItemInput,
        job_lines::JobLines, job_lines::JobLinesInput, job_schedule::ScheduleInput,
        // api-requests (issue 20)
        service_requests::ServiceRequest, service_requests::ServiceRequestList, service_requests::RequestPhoto,
        service_requests::ConvertInput, service_requests::Conversion, service_requests::DeclineInput,
        support_requests::SupportRequest, support_requests::SupportRequestList, support_requests::SupportComment,
        support_requests::ReplyInput, support_requests::TicketStatusInput,
        webhook_endpoints::WebhookEndpoint, webhook_endpoints::AddedEndpoint, webhook_endpoints::WebhookEndpointList,
        webhook_endpoints::EndpointInput, webhook_endpoints::EndpointPatch, webhook_endpoints::WebhookDelivery,
        webhook_endpoints::WebhookDeliveryList,
    )),
    modifiers(&BearerKey),
    tags((name = "customers", description = "Customer accounts"),
        // api-jobs
        (name = "jobs", description = "Jobs: details, status moves, crew"),
        // api-billing
        (name = "invoices", description = "Invoices: drafts with lines, sent, void"),
        (name = "payments", description = "Payments received, and offline ones recorded"),
        // api-assets (issue 20)
        (name = "assets", description = "Customers' equipment and rentals, and their maintenance schedules"),
        // api-people (issue 20)
        (name = "contacts", description = "Customers' contacts and their portal access"),
        (name = "sites", description = "Customers' service addresses"),
        // api-estimates (issue 20)
        (name = "estimates", description = "Estimates: drafts with lines, sent, converted to jobs"),
        (name = "catalogue", description = "The catalogue of products and services the portal offers"),
        // api-requests (issue 20)
        (name = "service-requests", description = "Service requests customers sent: convert to a job or an estimate, decline"),
        (name = "support-requests", description = "Support tickets: comments, staff replies, status moves"),
        (name = "webhooks", description = "Webhook endpoints (an administrator's), their delivery logs, redelivery"),
    ),
)]
pub struct ApiDoc;

/// Declares the bearer key scheme.
struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("dsk_live_…")
                        .build(),
                ),
            );
        }
    }
}

/// `GET /api/v1/openapi.json`: the OpenAPI 3.1 document.
pub async fn openapi_json() -> Response {
    let body = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned());
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// One endpoint as the docs page lists it.
struct Endpoint {
    method: &'static str,
    path: String,
    summary: String,
    anchor: String,
}

#[derive(Template)]
#[template(path = "office/api/docs.html")]
struct DocsPage {
    chrome: OfficeChrome,
    endpoints: Vec<Endpoint>,
    problems: Vec<(&'static str, u16, &'static str)>,
    burst: u32,
    per_minute: u32,
}

/// The endpoints of the OpenAPI document, in its order.
fn endpoints() -> Vec<Endpoint> {
    let doc = ApiDoc::openapi();
    let mut out = Vec::new();
    for (path, item) in &doc.paths.paths {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                let summary = op
                    .summary
                    .clone()
                    .or_else(|| op.description.clone())
                    .unwrap_or_default();
                let anchor = format!("{method}{path}")
                    .to_lowercase()
                    .replace(|c: char| !c.is_ascii_alphanumeric(), "-");
                out.push(Endpoint {
                    method,
                    path: path.clone(),
                    summary,
                    anchor,
                });
            }
        }
    }
    out
}

/// `GET /api/docs`: the API's endpoints, how to authenticate and what refusals mean.
pub async fn docs(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    let rate = state.config.api_rate;
    let page = DocsPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        endpoints: endpoints(),
        problems: problem::KINDS.to_vec(),
        burst: rate.burst as u32,
        per_minute: (rate.per_second * 60.0) as u32,
    };
    crate::kit::render::page(&page)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_with_every_endpoint() {
        let doc: serde_json::Value =
            serde_json::from_str(&ApiDoc::openapi().to_json().unwrap()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"]["/api/v1/customers"]["get"].is_object());
        assert!(doc["paths"]["/api/v1/customers/{id}"]["patch"].is_object());
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
        // Any call may be refused for its address or headers, its key or its rate.
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for status in ["400", "401", "429"] {
                    assert!(
                        op["responses"][status].is_object(),
                        "{method} {path} {status}"
                    );
                }
            }
        }
        // A call with an Idempotency-Key may hear that the key is in use (409) or was used
        // for another request (422).
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let idempotent = op["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
                if idempotent {
                    for status in ["409", "422"] {
                        assert!(
                            op["responses"][status].is_object(),
                            "{method} {path} {status}"
                        );
                    }
                }
            }
        }
        // The shared refusals are problems like the ones written out.
        let refused = &doc["paths"]["/api/v1/customers"]["get"]["responses"];
        for status in ["400", "401", "429"] {
            assert_eq!(
                refused[status]["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{status}"
            );
        }
        assert_eq!(
            endpoints().len(),
            5 + 7 + 10
            // api-job-files (issue 20)
            + 6
            // api-assets (issue 20)
            + 8
            // api-people (issue 20)
            + 10
            // api-estimates (issue 20)
            + 15
            // api-requests (issue 20)
            + 15
        );
    }
}
