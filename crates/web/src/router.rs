//! The router: every route of the product, and the layers every request passes.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::guard;
use crate::csrf;
use crate::pages::{assets, central, health, office, portal, security, two_factor, webhooks};
use crate::security::{RandomRequestId, drop_malformed_request_id, header_layers};
use crate::server::{ServeOptions, serve_app};
use crate::uploads::UPLOAD_BODY_LIMIT;
use crate::{AppState, Tenant, WebError, api, edge, error_chrome, metrics};

/// Bodies above this are refused with 413 before being read whole.
const BODY_LIMIT: usize = 1024 * 1024;

/// Routes that take file uploads, and so bodies up to [`UPLOAD_BODY_LIMIT`].
pub(crate) const UPLOAD_PATHS: &[&str] = &[
    "/support/new",
    "/support/{number}/comments",
    "/office/support/{number}/reply",
    "/requests/new/{draft}/photos",
    "/office/jobs/{number}/files",
    "/office/customers/import",
    "/office/branding/logo",
    "/api/v1/jobs/{id}/files",
    // import (issue 18)
    "/office/import/{kind}",
];

/// Raises the body limit of upload routes; every other route keeps [`BODY_LIMIT`].
fn body_limit(path: &str, route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    if UPLOAD_PATHS.contains(&path) {
        route.layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
    } else if path == csrf::WEBHOOK_PATH {
        route.layer(DefaultBodyLimit::max(webhooks::WEBHOOK_BODY_LIMIT))
    } else {
        route
    }
}

/// Who may reach a route: enforced by the router (`auth::guard`) before the handler runs,
/// and checked route by route by the permission-matrix test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, on any host (health, the stylesheet).
    Anyone,
    /// Anyone on a company's host (sign-in pages, emailed links, branding).
    Visitor,
    /// A signed-in portal login, whichever account it acts for.
    Login,
    /// A signed-in contact acting for an account.
    Contact,
    /// Any office staff member.
    Staff,
    /// Any office staff member, also one who still owes the second factor their company
    /// requires: the setup of that factor, and signing out.
    StaffSetup,
    /// Office administrators only.
    Admin,
    /// The JSON API: an API key (`Authorization: Bearer`), never a session
    /// (`api::auth`); refusals are problem+json.
    Api,
}

/// One route of the application and its access rule.
#[derive(Debug, Clone, Copy)]
pub struct RouteRule {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path template, as axum matches it.
    pub path: &'static str,
    /// Who may use it.
    pub access: Access,
}

/// Declares every route once: the router is built from this list and [`ROUTES`] is
/// exported from it, so a route cannot exist without an access rule.
macro_rules! routes {
    ($( $method:ident $path:literal => $handler:path, $access:ident; )*) => {
        /// Every route of the application with its access rule.
        pub const ROUTES: &[RouteRule] = &[
            $( RouteRule { method: stringify!($method), path: $path, access: Access::$access }, )*
        ];

        fn route_table(state: &AppState) -> Router<AppState> {
            let mut router = Router::new();
            $(
                let route = routes!(@method $method, $handler).route_layer(
                    middleware::from_fn_with_state(state.clone(), |s, r, n| {
                        guard::enforce(Access::$access, s, r, n)
                    }),
                );
                router = router.route($path, body_limit($path, route));
            )*
            router
        }
    };
    (@method GET, $handler:path) => { get($handler) };
    (@method POST, $handler:path) => { post($handler) };
    (@method PATCH, $handler:path) => { axum::routing::patch($handler) };
    (@method PUT, $handler:path) => { axum::routing::put($handler) };
    (@method DELETE, $handler:path) => { axum::routing::delete($handler) };
}

routes! {
    GET  "/" => portal::sign_in::root, Visitor;
    GET  "/sign-in" => portal::sign_in::show, Visitor;
    POST "/sign-in" => portal::sign_in::submit, Visitor;
    GET  "/sign-in/link" => portal::sign_in_link::form, Visitor;
    POST "/sign-in/link" => portal::sign_in_link::request, Visitor;
    GET  "/sign-in/link/{token}" => portal::sign_in_link::confirm, Visitor;
    POST "/sign-in/link/{token}" => portal::sign_in_link::sign_in, Visitor;
    GET  "/sign-up" => portal::sign_up::form, Visitor;
    POST "/sign-up" => portal::sign_up::request, Visitor;
    GET  "/verify/{token}" => portal::sign_up::details, Visitor;
    POST "/verify/{token}" => portal::sign_up::create, Visitor;
    GET  "/forgot-password" => portal::password_links::forgot, Visitor;
    POST "/forgot-password" => portal::password_links::request_reset, Visitor;
    GET  "/invite/{token}" => portal::password_links::show_invite, Visitor;
    POST "/invite/{token}" => portal::password_links::accept_invite, Visitor;
    GET  "/reset/{token}" => portal::password_links::show_reset, Visitor;
    POST "/reset/{token}" => portal::password_links::reset, Visitor;
    POST "/sign-out" => portal::sign_out::this_browser, Login;
    POST "/sign-out/everywhere" => portal::sign_out::everywhere, Login;
    GET  "/sign-in/two-factor" => two_factor::show, Visitor;
    POST "/sign-in/two-factor" => two_factor::submit, Visitor;
    GET  "/security" => security::portal_show, Contact;
    POST "/security/two-factor/start" => security::portal_start, Contact;
    POST "/security/two-factor/confirm" => security::portal_confirm, Contact;
    POST "/security/two-factor/disable" => security::portal_disable, Contact;
    POST "/security/recovery-codes" => security::portal_codes, Contact;
    GET  "/accounts" => portal::accounts::show, Login;
    POST "/accounts" => portal::accounts::choose, Login;
    GET  "/estimates" => portal::estimates::list, Contact;
    GET  "/estimates/{number}" => portal::estimates::show, Contact;
    GET  "/estimates/{number}/pdf" => portal::pdfs::estimate, Contact;
    POST "/estimates/{number}/approve" => portal::estimate_answers::approve, Contact;
    GET  "/estimates/{number}/decline" => portal::estimate_answers::decline_form, Contact;
    POST "/estimates/{number}/decline" => portal::estimate_answers::decline, Contact;
    POST "/estimates/{number}/changes" => portal::estimate_answers::request_changes, Contact;
    GET  "/invoices" => portal::invoices::list, Contact;
    GET  "/invoices/{number}" => portal::invoices::show, Contact;
    GET  "/invoices/{number}/pdf" => portal::pdfs::invoice, Contact;
    GET  "/statement" => portal::statement::show, Contact;
    GET  "/statement/pdf" => portal::pdfs::statement, Contact;
    GET  "/jobs" => portal::jobs::list::list, Contact;
    GET  "/jobs/{number}" => portal::jobs::detail::show, Contact;
    GET  "/service-history" => portal::jobs::history::service, Contact;
    GET  "/sales-history" => portal::jobs::history::sales, Contact;
    GET  "/files/{id}" => portal::files::full, Contact;
    GET  "/files/{id}/thumb" => portal::files::thumb, Contact;
    GET  "/office" => office::sign_in::show, Visitor;
    POST "/office/sign-in" => office::sign_in::submit, Visitor;
    GET  "/office/setup/{token}" => office::setup::show, Visitor;
    POST "/office/setup/{token}" => office::setup::submit, Visitor;
    POST "/office/sign-out" => office::sign_in::sign_out, StaffSetup;
    GET  "/office/two-factor" => two_factor::show, Visitor;
    POST "/office/two-factor" => two_factor::submit, Visitor;
    GET  "/office/security" => security::office_show, StaffSetup;
    POST "/office/security/two-factor/start" => security::office_start, StaffSetup;
    POST "/office/security/two-factor/confirm" => security::office_confirm, StaffSetup;
    POST "/office/security/two-factor/disable" => security::office_disable, StaffSetup;
    POST "/office/security/recovery-codes" => security::office_codes, StaffSetup;
    POST "/office/security/policy" => security::office_policy, Admin;
    GET  "/office/customers" => office::customers::list, Staff;
    GET  "/office/customers/{number}" => office::customers::show, Staff;
    POST "/office/contacts/{id}/access" => office::contact_access::act, Staff;
    GET  "/office/email-templates" => office::email_templates::list, Admin;
    GET  "/office/email-templates/{kind}" => office::email_templates::edit, Admin;
    POST "/office/email-templates/{kind}" => office::email_templates::save, Admin;
    GET  "/office/outbox" => office::outbox::list, Admin;
    GET  "/office/outbox/{id}" => office::outbox::show, Admin;
    GET  "/brand.css" => assets::brand_css, Visitor;
    GET  "/brand/logo" => assets::logo, Visitor;
    GET  "/static/app.css" => assets::app_css, Anyone;
    GET  "/static/estimate.js" => assets::estimate_js, Anyone;
    GET  "/healthz" => health::healthz, Anyone;
    GET  "/readyz" => health::readyz, Anyone;
    GET  "/requests" => portal::requests::list::list, Contact;
    GET  "/requests/new" => portal::requests::steps::start, Contact;
    POST "/requests/new" => portal::requests::steps::begin, Contact;
    GET  "/requests/new/{draft}/{step}" => portal::requests::steps::show, Contact;
    POST "/requests/new/{draft}/{step}" => portal::requests::steps::save, Contact;
    POST "/requests/new/{draft}/submit" => portal::requests::submit::submit, Contact;
    GET  "/requests/{number}" => portal::requests::list::show, Contact;
    GET  "/office/requests" => office::requests::list::list, Staff;
    GET  "/office/requests/events" => office::requests::events::stream, Staff;
    GET  "/office/requests/{number}" => office::requests::detail::show, Staff;
    GET  "/office/requests/{number}/photos/{id}" => office::requests::detail::photo_full, Staff;
    GET  "/office/requests/{number}/photos/{id}/thumb" => office::requests::detail::photo_thumb, Staff;
    GET  "/office/requests/{number}/job" => office::requests::answers::job_form, Staff;
    POST "/office/requests/{number}/job" => office::requests::answers::create_job, Staff;
    GET  "/office/requests/{number}/estimate" => office::requests::answers::estimate_form, Staff;
    POST "/office/requests/{number}/estimate" => office::requests::answers::create_estimate, Staff;
    GET  "/office/requests/{number}/rental" => office::requests::rental::form, Staff;
    POST "/office/requests/{number}/rental" => office::requests::rental::create, Staff;
    POST "/office/requests/{number}/decline" => office::requests::answers::decline, Staff;
    GET  "/static/requests-badge.js" => assets::requests_badge_js, Anyone;
    GET  "/support" => portal::support::list, Contact;
    GET  "/support/new" => portal::support::new_form, Contact;
    POST "/support/new" => portal::support::create, Contact;
    GET  "/support/{number}" => portal::support::show, Contact;
    POST "/support/{number}/comments" => portal::support::comment, Contact;
    GET  "/office/support" => office::support::list, Staff;
    GET  "/office/support/{number}" => office::support::show, Staff;
    POST "/office/support/{number}/reply" => office::support::reply, Staff;
    POST "/office/support/{number}/status" => office::support::set_status, Staff;
    GET  "/office/support/files/{id}" => office::support::file, Staff;
    GET  "/office/catalogue" => office::catalogue::list, Admin;
    POST "/office/catalogue" => office::catalogue::add, Admin;
    GET  "/office/catalogue/{id}" => office::catalogue::edit, Admin;
    POST "/office/catalogue/{id}" => office::catalogue::save, Admin;
    POST "/office/catalogue/{id}/visibility" => office::catalogue::visibility, Admin;
    GET  "/office/availability" => office::availability::list, Staff;
    POST "/office/availability" => office::availability::create, Staff;
    GET  "/office/availability/{id}" => office::availability::show, Staff;
    POST "/office/availability/{id}/capacity" => office::availability::capacity, Staff;
    GET  "/requests/new/{draft}/photos" => portal::requests::photos::show, Contact;
    POST "/requests/new/{draft}/photos" => portal::requests::photos::upload, Contact;
    POST "/requests/new/{draft}/photos/{photo}/remove" => portal::requests::photos::remove, Contact;
    GET  "/requests/new/{draft}/photos/{photo}" => portal::requests::photo_files::draft_full, Contact;
    GET  "/requests/new/{draft}/photos/{photo}/thumb" => portal::requests::photo_files::draft_thumb, Contact;
    GET  "/requests/{number}/photos/{photo}" => portal::requests::photo_files::request_full, Contact;
    GET  "/requests/{number}/photos/{photo}/thumb" => portal::requests::photo_files::request_thumb, Contact;
    GET  "/jobs/{number}/reschedule" => portal::visits::reschedule::form, Contact;
    POST "/jobs/{number}/reschedule" => portal::visits::reschedule::submit, Contact;
    GET  "/jobs/{number}/cancel" => portal::visits::cancel::form, Contact;
    POST "/jobs/{number}/cancel" => portal::visits::cancel::submit, Contact;
    GET  "/requests/{number}/proposal" => portal::proposal::show, Contact;
    POST "/requests/{number}/proposal" => portal::proposal::answer, Contact;
    POST "/office/requests/{number}/propose" => office::requests::propose::propose, Staff;
    GET  "/office/settings/visits" => office::visit_settings::show, Admin;
    POST "/office/settings/visits" => office::visit_settings::save, Admin;

    // customers, contacts and sites (issue 17)
    GET  "/office/customers/new" => office::customers::accounts::new_form, Staff;
    POST "/office/customers/new" => office::customers::accounts::create, Staff;
    GET  "/office/customers/{number}/edit" => office::customers::accounts::edit_form, Staff;
    POST "/office/customers/{number}/edit" => office::customers::accounts::save, Staff;
    GET  "/office/customers/{number}/deactivate" => office::customers::accounts::confirm_deactivate, Staff;
    POST "/office/customers/{number}/deactivate" => office::customers::accounts::deactivate, Staff;
    POST "/office/customers/{number}/reactivate" => office::customers::accounts::reactivate, Staff;
    GET  "/office/customers/{number}/contacts/new" => office::customers::contacts::new_form, Staff;
    POST "/office/customers/{number}/contacts/new" => office::customers::contacts::create, Staff;
    GET  "/office/contacts/{id}/edit" => office::customers::contacts::edit_form, Staff;
    POST "/office/contacts/{id}/edit" => office::customers::contacts::save, Staff;
    GET  "/office/contacts/{id}/deactivate" => office::customers::contacts::confirm_deactivate, Staff;
    POST "/office/contacts/{id}/deactivate" => office::customers::contacts::deactivate, Staff;
    POST "/office/contacts/{id}/reactivate" => office::customers::contacts::reactivate, Staff;
    GET  "/office/customers/{number}/sites/new" => office::customers::sites::new_form, Staff;
    POST "/office/customers/{number}/sites/new" => office::customers::sites::create, Staff;
    GET  "/office/sites/{id}/edit" => office::customers::sites::edit_form, Staff;
    POST "/office/sites/{id}/edit" => office::customers::sites::save, Staff;
    GET  "/office/sites/{id}/deactivate" => office::customers::sites::confirm_deactivate, Staff;
    POST "/office/sites/{id}/deactivate" => office::customers::sites::deactivate, Staff;
    POST "/office/sites/{id}/reactivate" => office::customers::sites::reactivate, Staff;

    // jobs (issue 17)
    GET  "/office/jobs" => office::jobs::list::list, Staff;
    GET  "/office/jobs/new" => office::jobs::new::form, Staff;
    POST "/office/jobs/new" => office::jobs::new::create, Staff;
    GET  "/office/jobs/{number}" => office::jobs::show::show, Staff;
    GET  "/office/jobs/{number}/edit" => office::jobs::edit::form, Staff;
    POST "/office/jobs/{number}/edit" => office::jobs::edit::save, Staff;
    GET  "/office/jobs/{number}/schedule" => office::jobs::schedule::form, Staff;
    POST "/office/jobs/{number}/schedule" => office::jobs::schedule::save, Staff;
    POST "/office/jobs/{number}/unschedule" => office::jobs::schedule::unschedule, Staff;
    POST "/office/jobs/{number}/status" => office::jobs::status::move_status, Staff;
    POST "/office/jobs/{number}/crew" => office::jobs::crew::save, Staff;
    POST "/office/jobs/{number}/technicians" => office::jobs::crew::add, Staff;
    GET  "/jobs/events" => portal::jobs::events::stream, Contact;
    GET  "/static/job-status.js" => assets::job_status_js, Anyone;

    // estimates and invoices (issue 17)
    GET  "/office/estimates" => office::documents::estimates::list, Staff;
    GET  "/office/estimates/new" => office::documents::estimates::new_form, Staff;
    POST "/office/estimates/new" => office::documents::estimates::create, Staff;
    GET  "/office/estimates/{number}" => office::documents::estimates::show, Staff;
    GET  "/office/estimates/{number}/edit" => office::documents::estimates::edit_form, Staff;
    POST "/office/estimates/{number}/edit" => office::documents::estimates::save, Staff;
    POST "/office/estimates/{number}/send" => office::documents::estimates::send, Staff;
    POST "/office/estimates/{number}/convert" => office::documents::estimates::convert, Staff;
    GET  "/office/estimates/{number}/lines" => office::documents::lines::estimate_form, Staff;
    POST "/office/estimates/{number}/lines" => office::documents::lines::estimate_save, Staff;
    GET  "/office/invoices" => office::documents::invoices::list, Staff;
    GET  "/office/invoices/new" => office::documents::invoices::new_form, Staff;
    POST "/office/invoices/new" => office::documents::invoices::create, Staff;
    GET  "/office/invoices/{number}" => office::documents::invoices::show, Staff;
    GET  "/office/invoices/{number}/edit" => office::documents::invoices::edit_form, Staff;
    POST "/office/invoices/{number}/edit" => office::documents::invoices::save, Staff;
    POST "/office/invoices/{number}/send" => office::documents::invoices::send, Staff;
    GET  "/office/invoices/{number}/void" => office::documents::invoices::void_form, Staff;
    POST "/office/invoices/{number}/void" => office::documents::invoices::void, Staff;
    GET  "/office/invoices/{number}/lines" => office::documents::lines::invoice_form, Staff;
    POST "/office/invoices/{number}/lines" => office::documents::lines::invoice_save, Staff;
    GET  "/office/jobs/{number}/lines" => office::documents::lines::job_form, Staff;
    POST "/office/jobs/{number}/lines" => office::documents::lines::job_save, Staff;
    GET  "/office/tax-rates" => office::documents::tax_rates::list, Admin;
    POST "/office/tax-rates" => office::documents::tax_rates::add, Admin;
    POST "/office/tax-rates/{id}" => office::documents::tax_rates::save, Admin;

    // payments (issues 17 and 19)
    GET  "/office/payments" => office::payments::list::list, Staff;
    GET  "/office/payments/new" => office::payments::record::form, Staff;
    POST "/office/payments/new" => office::payments::record::submit, Staff;
    POST "/office/payments/credit" => office::payments::record::apply_credit, Staff;
    GET  "/office/payments/{number}" => office::payments::receipt::show, Staff;
    GET  "/payments" => portal::payments::history, Contact;

    // company setup: details, staff, audit log (issue 18)
    GET  "/office/company" => office::company::details::show, Admin;
    POST "/office/company" => office::company::details::save, Admin;
    GET  "/office/staff" => office::company::staff::list, Admin;
    POST "/office/staff" => office::company::staff::invite, Admin;
    POST "/office/staff/{id}/resend" => office::company::staff::resend, Admin;
    POST "/office/staff/{id}/role" => office::company::staff::role, Admin;
    GET  "/office/staff/{id}/deactivate" => office::company::staff::confirm_deactivate, Admin;
    POST "/office/staff/{id}/deactivate" => office::company::staff::deactivate, Admin;
    POST "/office/staff/{id}/reactivate" => office::company::staff::reactivate, Admin;
    GET  "/office/audit" => office::company::audit::list, Admin;
    GET  "/office/audit.csv" => office::company::audit::csv, Admin;

    // look and time (issue 15)

    // media (issue 17)
    POST "/office/jobs/{number}/files" => office::jobs::files::upload, Staff;
    GET  "/office/jobs/{number}/files/{id}" => office::jobs::files::full, Staff;
    GET  "/office/jobs/{number}/files/{id}/thumb" => office::jobs::files::thumb, Staff;
    POST "/office/jobs/{number}/files/{id}/visibility" => office::jobs::files::visibility, Staff;
    GET  "/office/jobs/{number}/files/{id}/remove" => office::jobs::files::confirm_remove, Staff;
    POST "/office/jobs/{number}/files/{id}/remove" => office::jobs::files::remove, Staff;
    POST "/office/jobs/{number}/forms" => office::jobs::forms::add, Staff;
    POST "/office/jobs/{number}/forms/{id}" => office::jobs::forms::save, Staff;
    GET  "/static/office-nav.js" => assets::office_nav_js, Anyone;
    // import (issue 18)
    GET  "/office/customers/import" => office::customers::import::form, Staff;
    POST "/office/customers/import" => office::customers::import::dry_run, Staff;
    GET  "/office/customers/import/template.csv" => office::customers::import::template, Staff;
    POST "/office/customers/import/start" => office::customers::import::start, Staff;
    GET  "/office/customers/import/{id}" => office::customers::import::show, Staff;
    GET  "/office/customers/import/{id}/progress" => office::customers::import::progress, Staff;
    POST "/office/customers/import/{id}/restart" => office::customers::import::restart, Staff;
    POST "/office/customers/import/check" => office::customers::import::check_columns, Staff;
    GET  "/static/import-progress.js" => office::customers::import::script, Anyone;
    // setup (issue 18)
    GET  "/office/branding" => office::onboarding::branding::show, Admin;
    POST "/office/branding/colours" => office::onboarding::branding::save_colours, Admin;
    POST "/office/branding/logo" => office::onboarding::branding::upload_logo, Admin;
    GET  "/office/branding/logo/remove" => office::onboarding::branding::confirm_remove, Admin;
    POST "/office/branding/logo/remove" => office::onboarding::branding::remove_logo, Admin;
    GET  "/office/settings/portal" => office::onboarding::switches::show, Admin;
    POST "/office/settings/portal" => office::onboarding::switches::save, Admin;
    POST "/office/onboarding/dismiss" => office::onboarding::checklist::dismiss, Admin;
    POST "/office/contacts/{id}/view-as" => office::onboarding::view_as::start, Staff;
    POST "/office/view-as/stop" => office::onboarding::view_as::stop, Staff;
    // pay (issue 19)
    POST "/invoices/pay" => portal::pay::pay_selected, Contact;
    POST "/invoices/{number}/pay" => portal::pay::pay_one, Contact;
    GET  "/pay/return/{reference}" => portal::pay::returned, Contact;
    GET  "/pay/test/{session}" => portal::pay::test_form, Contact;
    POST "/pay/test/{session}" => portal::pay::test_submit, Contact;
    POST "/webhooks/stripe" => webhooks::stripe, Visitor;
    // hooks (issue 20)
    GET  "/office/webhooks" => office::webhooks::list, Admin;
    POST "/office/webhooks" => office::webhooks::add, Admin;
    GET  "/office/webhooks/{id}" => office::webhooks::show, Admin;
    POST "/office/webhooks/{id}/events" => office::webhooks::save_events, Admin;
    POST "/office/webhooks/{id}/secret" => office::webhooks::reveal, Admin;
    POST "/office/webhooks/{id}/active" => office::webhooks::active, Admin;
    GET  "/office/webhooks/{id}/delete" => office::webhooks::confirm_delete, Admin;
    POST "/office/webhooks/{id}/delete" => office::webhooks::delete, Admin;
    POST "/office/webhooks/deliveries/{id}/redeliver" => office::webhooks::redeliver, Admin;
    // procs (issue 19)
    GET  "/office/settings/payments" => office::procs::settings::show, Admin;
    POST "/office/settings/payments" => office::procs::settings::save, Admin;
    POST "/office/settings/payments/test" => office::procs::settings::test, Admin;
    GET  "/office/payments/{number}/refund" => office::procs::refund::confirm, Admin;
    POST "/office/payments/{number}/refund" => office::procs::refund::submit, Admin;
    // cards (issue 19)
    GET  "/payment-methods" => portal::cards::list, Contact;
    POST "/payment-methods/add" => portal::cards::add, Contact;
    GET  "/payment-methods/remove" => portal::cards::confirm_remove, Contact;
    POST "/payment-methods/remove" => portal::cards::remove, Contact;
    POST "/payment-methods/default" => portal::cards::make_default, Contact;
    POST "/payment-methods/autopay" => portal::cards::autopay, Contact;
    GET  "/payment-methods/test/{session}" => portal::cards::test_form, Contact;
    POST "/payment-methods/test/{session}" => portal::cards::test_submit, Contact;
    GET  "/office/payments/autopay-failures" => office::payments::autopay_failures::list, Staff;
    // deposits (issue 19)
    POST "/estimates/{number}/deposit" => portal::deposits::pay_deposit, Contact;
    // polish (issue 15)
    GET  "/static/{file}" => assets::hashed, Anyone;
    // api (issue 20)
    GET  "/office/api-keys" => office::api_keys::list, Admin;
    POST "/office/api-keys" => office::api_keys::create, Admin;
    GET  "/office/api-keys/{id}/revoke" => office::api_keys::confirm_revoke, Admin;
    POST "/office/api-keys/{id}/revoke" => office::api_keys::revoke, Admin;
    GET  "/api/docs" => api::docs, Admin;
    GET  "/api/v1/openapi.json" => api::openapi_json, Visitor;
    GET  "/api/v1/customers" => api::customers::list, Api;
    POST "/api/v1/customers" => api::customers::create, Api;
    GET  "/api/v1/customers/{id}" => api::customers::show, Api;
    PATCH "/api/v1/customers/{id}" => api::customers::update, Api;
    PUT  "/api/v1/customers/external/{external_ref}" => api::customers::upsert, Api;
    // domains (issue 18)
    GET  "/office/company/domains" => office::company::domains::list, Admin;
    POST "/office/company/domains" => office::company::domains::add, Admin;
    GET  "/office/company/domains/{id}/remove" => office::company::domains::confirm_remove, Admin;
    POST "/office/company/domains/{id}/remove" => office::company::domains::remove, Admin;
    GET  "/find-your-portal" => central::form, Anyone;
    POST "/find-your-portal" => central::request, Anyone;
    // api-jobs (issue 20)
    GET  "/api/v1/jobs" => api::jobs::list, Api;
    POST "/api/v1/jobs" => api::jobs::create, Api;
    GET  "/api/v1/jobs/{id}" => api::jobs::show, Api;
    PATCH "/api/v1/jobs/{id}" => api::jobs::update, Api;
    PUT  "/api/v1/jobs/external/{external_ref}" => api::jobs::upsert, Api;
    POST "/api/v1/jobs/{id}/status" => api::jobs::status, Api;
    PUT  "/api/v1/jobs/{id}/technicians" => api::jobs::technicians, Api;
    // charts (issue 18)
    GET  "/office/onboarding" => office::onboarding::checklist::page, Admin;
    // api-billing (issue 20)
    GET  "/api/v1/invoices" => api::invoices::list, Api;
    POST "/api/v1/invoices" => api::invoices::create, Api;
    GET  "/api/v1/invoices/{id}" => api::invoices::show, Api;
    PATCH "/api/v1/invoices/{id}" => api::invoices::update, Api;
    PUT  "/api/v1/invoices/external/{external_ref}" => api::invoices::upsert, Api;
    POST "/api/v1/invoices/{id}/send" => api::invoices::send, Api;
    POST "/api/v1/invoices/{id}/void" => api::invoices::void, Api;
    POST "/api/v1/invoices/{id}/payments" => api::payments::create, Api;
    GET  "/api/v1/payments" => api::payments::list, Api;
    GET  "/api/v1/payments/{id}" => api::payments::show, Api;
    // api-job-files (issue 20)
    GET  "/api/v1/jobs/{id}/files" => api::job_files::list, Api;
    POST "/api/v1/jobs/{id}/files" => api::job_files::add, Api;
    GET  "/api/v1/jobs/{id}/files/{file_id}" => api::job_files::show, Api;
    GET  "/api/v1/jobs/{id}/files/{file_id}/content" => api::job_files::content, Api;
    PATCH "/api/v1/jobs/{id}/files/{file_id}" => api::job_files::visibility, Api;
    DELETE "/api/v1/jobs/{id}/files/{file_id}" => api::job_files::remove, Api;
    // api-assets (issue 20)
    GET  "/api/v1/assets" => api::assets::list, Api;
    POST "/api/v1/assets" => api::assets::create, Api;
    GET  "/api/v1/assets/{id}" => api::assets::show, Api;
    PATCH "/api/v1/assets/{id}" => api::assets::update, Api;
    GET  "/api/v1/assets/{id}/maintenance-schedules" => api::assets::schedules, Api;
    POST "/api/v1/assets/{id}/maintenance-schedules" => api::assets::create_schedule, Api;
    PATCH "/api/v1/maintenance-schedules/{id}" => api::assets::update_schedule, Api;
    DELETE "/api/v1/maintenance-schedules/{id}" => api::assets::delete_schedule, Api;
    GET  "/office/customers/{number}/assets/new" => office::customers::equipment::new_form, Staff;
    POST "/office/customers/{number}/assets/new" => office::customers::equipment::create, Staff;
    GET  "/office/assets/{id}/edit" => office::customers::equipment::edit_form, Staff;
    POST "/office/assets/{id}/edit" => office::customers::equipment::save, Staff;
    GET  "/office/assets/{id}/retire" => office::customers::equipment::confirm_retire, Staff;
    POST "/office/assets/{id}/retire" => office::customers::equipment::retire, Staff;
    GET  "/office/assets/{id}/maintenance/new" => office::customers::equipment::new_schedule_form, Staff;
    POST "/office/assets/{id}/maintenance/new" => office::customers::equipment::create_schedule, Staff;
    GET  "/office/maintenance/{id}/edit" => office::customers::equipment::edit_schedule_form, Staff;
    POST "/office/maintenance/{id}/edit" => office::customers::equipment::save_schedule, Staff;
    GET  "/office/maintenance/{id}/remove" => office::customers::equipment::confirm_remove_schedule, Staff;
    POST "/office/maintenance/{id}/remove" => office::customers::equipment::remove_schedule, Staff;
    // api-people (issue 20)
    GET  "/api/v1/contacts" => api::contacts::list, Api;
    POST "/api/v1/contacts" => api::contacts::create, Api;
    GET  "/api/v1/contacts/{id}" => api::contacts::show, Api;
    PATCH "/api/v1/contacts/{id}" => api::contacts::update, Api;
    PUT  "/api/v1/contacts/external/{external_ref}" => api::contacts::upsert, Api;
    POST "/api/v1/contacts/{id}/access" => api::contact_access::change, Api;
    GET  "/api/v1/sites" => api::sites::list, Api;
    POST "/api/v1/sites" => api::sites::create, Api;
    GET  "/api/v1/sites/{id}" => api::sites::show, Api;
    PATCH "/api/v1/sites/{id}" => api::sites::update, Api;
    // api-estimates (issue 20)
    GET  "/api/v1/estimates" => api::estimates::list, Api;
    POST "/api/v1/estimates" => api::estimates::create, Api;
    GET  "/api/v1/estimates/{id}" => api::estimates::show, Api;
    PATCH "/api/v1/estimates/{id}" => api::estimates::update, Api;
    PUT  "/api/v1/estimates/external/{external_ref}" => api::estimates::upsert, Api;
    POST "/api/v1/estimates/{id}/send" => api::estimates::send, Api;
    POST "/api/v1/estimates/{id}/convert" => api::estimates::convert, Api;
    GET  "/api/v1/catalogue-items" => api::catalogue::list, Api;
    POST "/api/v1/catalogue-items" => api::catalogue::create, Api;
    GET  "/api/v1/catalogue-items/{id}" => api::catalogue::show, Api;
    PATCH "/api/v1/catalogue-items/{id}" => api::catalogue::update, Api;
    GET  "/api/v1/jobs/{id}/lines" => api::job_lines::show, Api;
    PUT  "/api/v1/jobs/{id}/lines" => api::job_lines::replace, Api;
    POST "/api/v1/jobs/{id}/schedule" => api::job_schedule::schedule, Api;
    POST "/api/v1/jobs/{id}/unschedule" => api::job_schedule::unschedule, Api;
    // import (issue 18)
    GET  "/office/import" => office::import_hub::page, Staff;
    GET  "/office/import/{kind}/template.csv" => office::import_hub::template, Staff;
    POST "/office/import/{kind}" => office::imports::upload::dry_run, Staff;
    POST "/office/import/{kind}/start" => office::imports::upload::start, Staff;
    GET  "/office/export/{kind}" => office::exports::csv, Staff;
    // api-requests (issue 20)
    GET  "/api/v1/service-requests" => api::service_requests::list, Api;
    GET  "/api/v1/service-requests/{id}" => api::service_requests::show, Api;
    POST "/api/v1/service-requests/{id}/convert" => api::service_requests::convert, Api;
    POST "/api/v1/service-requests/{id}/decline" => api::service_requests::decline, Api;
    GET  "/api/v1/support-requests" => api::support_requests::list, Api;
    GET  "/api/v1/support-requests/{id}" => api::support_requests::show, Api;
    POST "/api/v1/support-requests/{id}/comments" => api::support_requests::reply, Api;
    POST "/api/v1/support-requests/{id}/status" => api::support_requests::status, Api;
    GET  "/api/v1/webhook-endpoints" => api::webhook_endpoints::list, Api;
    POST "/api/v1/webhook-endpoints" => api::webhook_endpoints::create, Api;
    GET  "/api/v1/webhook-endpoints/{id}" => api::webhook_endpoints::show, Api;
    PATCH "/api/v1/webhook-endpoints/{id}" => api::webhook_endpoints::update, Api;
    DELETE "/api/v1/webhook-endpoints/{id}" => api::webhook_endpoints::delete, Api;
    GET  "/api/v1/webhook-endpoints/{id}/deliveries" => api::webhook_endpoints::deliveries, Api;
    POST "/api/v1/webhook-deliveries/{id}/redeliver" => api::webhook_endpoints::redeliver, Api;
    // import-pages (issue 18)
    GET  "/office/import/{kind}" => office::imports::upload::form, Staff;
    POST "/office/import/{kind}/check" => office::imports::upload::check_columns, Staff;
    GET  "/office/import/{kind}/{id}" => office::imports::show::show, Staff;
    GET  "/office/import/{kind}/{id}/progress" => office::imports::show::progress, Staff;
    POST "/office/import/{kind}/{id}/restart" => office::imports::show::restart, Staff;
}

/// Builds the application's router over `state`.
pub fn router(state: AppState) -> Router {
    let routes = route_table(&state).fallback(fallback);

    let mut app = routes
        .layer(middleware::from_fn_with_state(state.clone(), csrf::protect))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error_chrome::in_company_frame,
        ))
        .layer(middleware::from_fn(edge::refuse_control_characters))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default();
                let request_id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    route = %route,
                    request_id = %request_id,
                    company = tracing::field::Empty,
                )
            }),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
        .layer(middleware::map_request(drop_malformed_request_id))
        .with_state(state);
    for layer in header_layers() {
        app = app.layer(layer);
    }
    app
}

/// Unknown paths: a 404 page, telling apart an unknown company from an unknown page; under
/// `/api/` of a company, a problem, as every API answer is.
async fn fallback(uri: axum::http::Uri, tenant: Result<Tenant, WebError>) -> Response {
    match tenant {
        Ok(_) if uri.path().starts_with("/api/") => {
            api::problem::Problem::not_found().into_response()
        }
        Ok(_) => WebError::NotFound.into_response(),
        Err(err) => err.into_response(),
    }
}

/// The operations listener's router: `/metrics` only. It is bound to its own address
/// (loopback by default), never reachable through a company's host.
pub fn operations_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(health::metrics))
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes, then drains for the
/// grace period (see [`crate::server`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_app(listener, router(state), options, shutdown).await
}
