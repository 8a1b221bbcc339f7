//! Who calls the API: `Authorization: Bearer <key>` only. The router's guard hands every
//! `Access::Api` route to [`enforce`], which turns the key into an [`ApiActor`] through
//! `doorstep_app::api_keys::authenticate` (the only way to build one) and applies the
//! key's rate limit. Session cookies are never read here: a browser's session cannot
//! call the API, and so the API needs no CSRF token.
//!
//! The rate limit is a token bucket per key, in this process's memory: [`BURST`]
//! requests at once, refilled at [`PER_SECOND`] a second. Over it, `429` with
//! `Retry-After` (whole seconds). Several server processes each keep their own buckets.
//! A deployment may set other numbers with `DOORSTEP_API_RATE_PER_SECOND` and
//! `DOORSTEP_API_RATE_BURST` (both read once, at the first API request; a value that is
//! not a positive number is ignored): the benchmark and schemathesis raise them, as an
//! operator may on purpose, never by default.

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

/// The rate in force: `(burst, per_second)`, [`BURST`] and [`PER_SECOND`] unless the
/// environment sets others.
static RATE: LazyLock<(f64, f64)> = LazyLock::new(|| {
    (
        from_env("DOORSTEP_API_RATE_BURST").unwrap_or(BURST),
        from_env("DOORSTEP_API_RATE_PER_SECOND").unwrap_or(PER_SECOND),
    )
});

/// A positive number from environment variable `name`.
fn from_env(name: &str) -> Option<f64> {
    std::env::var(name)
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0)
}

/// The rate in force: requests at once, and requests gained back each second.
pub fn rate() -> (f64, f64) {
    *RATE
}

/// Tokens left in a key's bucket and when it was last filled, by the key's hash.
type Buckets = HashMap<[u8; 32], (f64, Instant)>;

/// Each key's bucket.
static BUCKETS: LazyLock<Mutex<Buckets>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Takes a token from the bucket of key `id`; `Err(seconds)` to wait when it is empty.
fn take(id: [u8; 32]) -> Result<(), u64> {
    let (burst, per_second) = rate();
    let now = Instant::now();
    let mut buckets = BUCKETS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let (tokens, at) = buckets.entry(id).or_insert((burst, now));
    *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(burst);
    *at = now;
    if *tokens >= 1.0 {
        *tokens -= 1.0;
        Ok(())
    } else {
        Err(((1.0 - *tokens) / per_second).ceil().max(1.0) as u64)
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
    if let Err(wait) = take(Sha256::digest(token.as_bytes()).into()) {
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
        for _ in 0..rate().0 as usize {
            assert!(take(id).is_ok());
        }
        assert_eq!(take(id), Err(1));
        assert!(take([8_u8; 32]).is_ok(), "another key has its own bucket");
    }
}
