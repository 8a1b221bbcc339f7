//! The router: every route of the product, and the layers every request passes.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware;
use axum::routing::{get, post};
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::csrf::{self, CookieSecurity};
use crate::pages::{assets, health, office, portal};
use crate::security::{RandomRequestId, header_layers};
use crate::{AppState, Tenant, WebError, metrics};

/// Bodies above this are refused with 413 before being read whole.
const BODY_LIMIT: usize = 1024 * 1024;

/// Builds the application's router over `state`.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(portal::sign_in::root))
        .route(
            "/sign-in",
            get(portal::sign_in::show).post(portal::sign_in::submit),
        )
        .route("/sign-out", post(portal::sign_out::this_browser))
        .route("/sign-out/everywhere", post(portal::sign_out::everywhere))
        .route(
            "/forgot-password",
            get(portal::password_links::forgot).post(portal::password_links::request_reset),
        )
        .route(
            "/invite/{token}",
            get(portal::password_links::show_invite).post(portal::password_links::accept_invite),
        )
        .route(
            "/reset/{token}",
            get(portal::password_links::show_reset).post(portal::password_links::reset),
        )
        .route(
            "/accounts",
            get(portal::accounts::show).post(portal::accounts::choose),
        )
        .route("/office", get(office::sign_in::show))
        .route("/office/sign-in", post(office::sign_in::submit))
        .route("/office/sign-out", post(office::sign_in::sign_out))
        .route("/office/customers", get(office::customers::list))
        .route("/office/customers/{number}", get(office::customers::show))
        .route(
            "/office/contacts/{id}/access",
            post(office::contact_access::act),
        )
        .route(
            "/office/setup/{token}",
            get(office::setup::show).post(office::setup::submit),
        )
        .route("/brand.css", get(assets::brand_css))
        .route("/brand/logo", get(assets::logo))
        .route("/static/app.css", get(assets::app_css))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .fallback(fallback);

    let security = CookieSecurity {
        https: state.config.https,
    };
    let mut app = routes
        .layer(middleware::from_fn(move |request, next| {
            csrf::protect(security, request, next)
        }))
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
        .with_state(state);
    for layer in header_layers() {
        app = app.layer(layer);
    }
    app
}

/// Unknown paths: a 404 page, telling apart an unknown company from an unknown page.
async fn fallback(tenant: Result<Tenant, WebError>) -> WebError {
    match tenant {
        Ok(_) => WebError::NotFound,
        Err(err) => err,
    }
}

/// Serves the application on `listener` until `shutdown` completes, then lets requests
/// in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
