//! Who calls the API: `Authorization: Bearer <key>` only. The router's guard hands every
//! `Access::Api` route to [`enforce`], which turns the key into an [`ApiActor`] through
//! `doorstep_app::api_keys::authenticate` (the only way to build one) and applies the
//! key's rate limit. Session cookies are never read here: a browser's session cannot
//! call the API, and so the API needs no CSRF token.
//!
//! The rate limit is a token bucket per key, in this process's memory: [`BURST`]
//! requests at once, refilled at [`PER_SECOND`] a second unless the operator set
//! `DOORSTEP_API_RATE_BURST` / `DOORSTEP_API_RATE_PER_SECOND` ([`ApiRate`]). Over it,
//! `429` with `Retry-After` (whole seconds). Several server processes each keep their
//! own buckets.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use doorstep_app::ApiActor;
use sha2::{Digest, Sha256};

use super::problem::Problem;
use crate::{AppState, Tenant};

/// Requests a key may make at once.
pub const BURST: f64 = 300.0;
/// Requests a key gains back each second (300 a minute sustained).
pub const PER_SECOND: f64 = 5.0;

/// A key's rate: requests at once and requests gained back each second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ApiRate {
    /// Requests a key may make at once (at least 1).
    pub burst: f64,
    /// Requests a key gains back each second (more than 0).
    pub per_second: f64,
}

impl Default for ApiRate {
    fn default() -> Self {
        ApiRate {
            burst: BURST,
            per_second: PER_SECOND,
        }
    }
}

/// Tokens left in a key's bucket and when it was last filled, by the key's hash.
type Buckets = HashMap<[u8; 32], (f64, Instant)>;

/// Each key's bucket.
static BUCKETS: LazyLock<Mutex<Buckets>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Takes a token from the bucket of key `id`; `Err(seconds)` to wait when it is empty.
fn take(id: [u8; 32], rate: ApiRate) -> Result<(), u64> {
    let now = Instant::now();
    let mut buckets = BUCKETS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let (tokens, at) = buckets.entry(id).or_insert((rate.burst, now));
    *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate.per_second).min(rate.burst);
    *at = now;
    if *tokens >= 1.0 {
        *tokens -= 1.0;
        Ok(())
    } else {
        Err(((1.0 - *tokens) / rate.per_second).ceil().max(1.0) as u64)
    }
}

fn unauthorized(detail: &str) -> Response {
    let mut response = Problem::new("unauthorized", detail).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"doorstep\""),
    );
    response
}

/// The bearer token of the request, if it has one.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn peer_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED))
}

/// Runs the request on only with a live key of the host's company, within its rate.
pub async fn enforce(state: &AppState, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let company = match Tenant::from_request_parts(&mut parts, state).await {
        Ok(Tenant(company)) => company,
        Err(_) => return Problem::not_found().into_response(),
    };
    let Some(token) = bearer(&parts).map(str::to_owned) else {
        return unauthorized("Send the API key as `Authorization: Bearer <key>`.");
    };
    let ip = peer_ip(&parts);
    let actor = match doorstep_app::api_keys::authenticate(&state.app, &company, &token, ip).await {
        Ok(actor) => actor,
        Err(doorstep_app::AppError::NotFound) => {
            return unauthorized("This API key is unknown, revoked, or not this company's.");
        }
        Err(err) => return Problem::from(err).into_response(),
    };
    if let Err(wait) = take(
        Sha256::digest(token.as_bytes()).into(),
        state.config.api_rate,
    ) {
        let mut response = Problem::new(
            "rate-limited",
            format!("This key made too many requests; try again in {wait} s."),
        )
        .into_response();
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    parts.extensions.insert(actor);
    next.run(Request::from_parts(parts, body)).await
}

/// The API key calling, as the guard resolved it.
pub struct Api(pub ApiActor);

impl<S: Send + Sync> FromRequestParts<S> for Api {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Problem> {
        parts
            .extensions
            .get::<ApiActor>()
            .cloned()
            .map(Api)
            .ok_or_else(|| Problem::new("unauthorized", "No API key was checked."))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_burst_then_waits() {
        let id = [7_u8; 32];
        let rate = ApiRate::default();
        for _ in 0..BURST as usize {
            assert!(take(id, rate).is_ok());
        }
        assert_eq!(take(id, rate), Err(1));
        assert!(
            take([8_u8; 32], rate).is_ok(),
            "another key has its own bucket"
        );
        let slow = ApiRate {
            burst: 2.0,
            per_second: 0.25,
        };
        let other = [9_u8; 32];
        assert!(take(other, slow).is_ok() && take(other, slow).is_ok());
        assert_eq!(
            take(other, slow),
            Err(4),
            "the configured rate sets the wait"
        );
    }
}
