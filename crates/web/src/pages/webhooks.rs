//! `POST /webhooks/stripe` on a company's host: the processor's deliveries. The company
//! is the host's (as for every page), so each company's endpoint is its own address and
//! its own signing secret; no session or CSRF token, the `Stripe-Signature` instead. A
//! bad signature or an old timestamp is 400 and changes nothing; a delivery handled
//! before is 200 (so the processor stops retrying) and changes nothing either.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::body::to_bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use doorstep_app::AppError;
use doorstep_app::payments::online_webhook::handle_webhook;

use crate::{AppState, Tenant};

/// The largest delivery read: Stripe's events are a few kilobytes.
pub const WEBHOOK_BODY_LIMIT: usize = 64 * 1024;

/// `POST /webhooks/stripe`.
pub async fn stripe(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    request: Request,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let headers: HeaderMap = request.headers().clone();
    let Ok(body) = to_bytes(request.into_body(), WEBHOOK_BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response();
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let ip = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    match handle_webhook(&state.app, &company, &body, signature, ip).await {
        Ok(outcome) => (StatusCode::OK, format!("{outcome:?}")).into_response(),
        Err(AppError::Invalid(e)) => {
            tracing::warn!(reason = %e.message, "refused a webhook delivery");
            (StatusCode::BAD_REQUEST, e.message).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "a webhook delivery failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response()
        }
    }
}
