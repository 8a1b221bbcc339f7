//! `Idempotency-Key` on POST and PUT: the first answer to a key is kept with the hash of
//! its request (method, path, body); sending the same request with the same key again
//! returns that answer (`Idempotent-Replayed: true`) and changes nothing; the same key
//! with another request is refused (422); while the first is still running, 409. A
//! failure on the server's side keeps nothing, so the retry runs again. Keys are the
//! company's: 1 to 255 visible ASCII characters.

use std::future::Future;

use axum::body::{Bytes, to_bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use doorstep_app::ApiActor;
use doorstep_store::api::IdempotencyClaim;
use sha2::{Digest, Sha256};

use super::problem::{PROBLEM_JSON, Problem};
use crate::AppState;

/// The largest answer kept for replays.
const MAX_KEPT: usize = 256 * 1024;

/// Runs `run` once per `Idempotency-Key` (or every time when the request has none).
pub async fn once<F, Fut>(
    state: &AppState,
    actor: &ApiActor,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    body: &Bytes,
    run: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Response>,
{
    let Some(raw) = headers.get("idempotency-key") else {
        return run().await;
    };
    let key = match raw.to_str() {
        Ok(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => k,
        _ => {
            return Problem::field(
                "invalid-parameter",
                "Idempotency-Key",
                "`Idempotency-Key` is 1 to 255 visible ASCII characters (a UUID is ideal).",
            )
            .into_response();
        }
    };
    let hash = hex::encode(
        Sha256::new()
            .chain_update(method.as_str().as_bytes())
            .chain_update(b" ")
            .chain_update(path.as_bytes())
            .chain_update(b"\n")
            .chain_update(body)
            .finalize(),
    );
    let app = &state.app;
    match doorstep_app::api_keys::claim(app, actor, key, &hash).await {
        Err(err) => Problem::from(err).into_response(),
        Ok(IdempotencyClaim::Seen { request_hash, .. }) if request_hash != hash => Problem::new(
            "idempotency-key-reused",
            "This Idempotency-Key was already used for a different request; use a new key for a new request.",
        )
        .into_response(),
        Ok(IdempotencyClaim::Seen { response: None, .. }) => Problem::new(
            "idempotency-key-in-use",
            "The first request with this Idempotency-Key is still running; try again shortly.",
        )
        .into_response(),
        Ok(IdempotencyClaim::Seen {
            response: Some((status, body)),
            ..
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let kind = if status.is_success() {
                "application/json"
            } else {
                PROBLEM_JSON
            };
            let mut response = (status, body).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            response
        }
        Ok(IdempotencyClaim::New) => {
            let response = run().await;
            if response.status().is_server_error() {
                if let Err(err) = doorstep_app::api_keys::release(app, actor, key).await {
                    tracing::error!(error = %err, "could not release an idempotency key");
                }
                return response;
            }
            let (parts, body) = response.into_parts();
            let bytes = match to_bytes(body, MAX_KEPT).await {
                Ok(b) => b,
                Err(_) => {
                    let _ = doorstep_app::api_keys::release(app, actor, key).await;
                    return Problem::new("internal", "The answer was too large to keep.")
                        .into_response();
                }
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if let Err(err) =
                doorstep_app::api_keys::keep(app, actor, key, parts.status.as_u16(), &text).await
            {
                tracing::error!(error = %err, "could not keep an idempotent answer");
            }
            Response::from_parts(parts, axum::body::Body::from(bytes))
        }
    }
}
