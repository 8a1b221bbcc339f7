//! Cross-site request forgery protection for every state-changing request.
//!
//! Two independent checks, applied by middleware so no handler can forget them:
//! the request's `Origin` (or, lacking it, `Referer`) must be this site's public origin —
//! the configured scheme and port and this very host — and a form's `csrf_token` field
//! (urlencoded or multipart, or an `x-csrf-token` header) must equal the token of the
//! browser's session. A browser with a session cookie gets a token derived from that
//! cookie's secret, so it changes at every sign-in and is worthless in any other session;
//! a browser without one (sign-in, sign-up, forgotten password) gets the random value of a
//! `SameSite=Strict` pre-session cookie (double submit). GET and HEAD never change anything.
//!
//! Upload routes are checked before their bodies are read: the session must be live and of
//! the route's kind (a visitor is sent to sign in with nothing read), the token must be in
//! the form's first 64 KiB, and only [`UPLOAD_SLOTS`](crate::uploads::UPLOAD_SLOTS) upload
//! bodies are read at once in the whole server.

use axum::body::{Body, Bytes, to_bytes};
use std::convert::Infallible;

use axum::extract::{
    DefaultBodyLimit, FromRequest, FromRequestParts, MatchedPath, Multipart, Request, State,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use doorstep_store::sessions::SessionOwner;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tower::{Layer, ServiceExt, service_fn};

use crate::auth::session::{current_session, session_token};
use crate::router::UPLOAD_PATHS;
use crate::security::random_hex;
use crate::state::WebConfig;
use crate::uploads::upload_slot;
use crate::{AppState, Tenant, WebError};

/// The largest form body the check will read; larger bodies get 413 as elsewhere.
const MAX_FORM: usize = 1024 * 1024;
/// How far into an upload's body its token is looked for (forms put it first).
const TOKEN_WINDOW: usize = 64 * 1024;

/// The CSRF token for forms on this response's page.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// Whether the session cookies are `Secure` (https), which decides cookie name prefixes.
#[derive(Clone, Copy, Debug)]
pub struct CookieSecurity {
    /// Public URLs use https.
    pub https: bool,
}

impl CookieSecurity {
    /// The CSRF cookie's name: `__Host-` prefixed when served over https.
    pub fn csrf_cookie(&self) -> &'static str {
        if self.https {
            "__Host-doorstep-csrf"
        } else {
            "doorstep-csrf"
        }
    }
}

/// The form token of the browser holding session cookie `session`: a one-way function of
/// the cookie's 256-bit secret (which never leaves the cookie), so it is fresh at every
/// sign-in, differs between sessions, and reveals nothing of the session.
pub fn session_csrf_token(session: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"doorstep csrf token\0")
        .chain_update(session.as_bytes())
        .finalize();
    hex::encode(&digest[..16])
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, StatusCode> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| v.len() == 32 && v.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `host[:port]` as a name and a port (`default` when none is written).
fn split_authority(authority: &str, default: u16) -> Option<(&str, u16)> {
    if authority.is_empty() || authority.contains(['@', '[', ']']) {
        return None;
    }
    match authority.split_once(':') {
        Some((name, port)) => Some((name, port.parse().ok()?)),
        None => Some((authority, default)),
    }
}

/// Whether the request's `Origin` (or `Referer`) is this site's public origin: the
/// configured scheme and public port, and the host the request is addressed to.
fn same_origin(headers: &HeaderMap, config: &WebConfig) -> bool {
    let (scheme, default_port) = if config.https {
        ("https", 443)
    } else {
        ("http", 80)
    };
    let public_port = config.public_port.unwrap_or(default_port);
    let Some((host, _)) = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| split_authority(h, default_port))
    else {
        return false;
    };
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    let Some(rest) = origin
        .and_then(|o| o.strip_prefix(scheme))
        .and_then(|o| o.strip_prefix("://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    split_authority(authority, default_port)
        .is_some_and(|(name, port)| name.eq_ignore_ascii_case(host) && port == public_port)
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn forbidden() -> Response {
    crate::WebError::Forbidden(
        "This form has expired or came from another site. Go back, reload the page and try again.",
    )
    .into_response()
}

fn content_type(request: &Request) -> &str {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Whether the request is for a route that takes file uploads.
fn is_upload_route(request: &Request) -> bool {
    request
        .extensions()
        .get::<MatchedPath>()
        .is_some_and(|p| UPLOAD_PATHS.contains(&p.as_str()))
}

/// The text field `name` of a buffered multipart body; the body is read again by the handler.
async fn multipart_field(headers: &HeaderMap, body: Bytes, name: &str) -> Option<String> {
    let mut request = Request::new(Body::from(body));
    *request.headers_mut() = headers.clone();
    // The body was already read within the route's limit; left to itself the extractor
    // applies axum's 2 MB default and refuses every larger upload before its first field.
    let read = DefaultBodyLimit::disable().layer(service_fn(|request: Request| async move {
        Ok::<_, Infallible>(Multipart::from_request(request, &()).await.ok())
    }));
    let mut multipart = read.oneshot(request).await.ok()??;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(name) && field.file_name().is_none() {
            return field.text().await.ok();
        }
    }
    None
}

/// The text field `name` from the first [`TOKEN_WINDOW`] bytes of a multipart body, read
/// as they arrive; the request comes back whole, the bytes read put in front of the rest.
async fn leading_field(request: Request, name: &str) -> (Option<String>, Request) {
    let (parts, body) = request.into_parts();
    let mut stream = body.into_data_stream();
    let mut head = Vec::new();
    let mut failed = None;
    let mut found = None;
    while head.len() < TOKEN_WINDOW {
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(err)) => {
                failed = Some(err);
                break;
            }
            None => break,
        }
        let window = &head[..head.len().min(TOKEN_WINDOW)];
        found = multipart_field(&parts.headers, Bytes::copy_from_slice(window), name).await;
        if found.is_some() {
            break;
        }
    }
    let read =
        futures_util::stream::iter(std::iter::once(Ok(Bytes::from(head))).chain(failed.map(Err)));
    let body = Body::from_stream(read.chain(stream));
    (found, Request::from_parts(parts, body))
}

/// An upload is read only for a live, fully signed-in session of the route's kind (staff
/// for the office, a portal login elsewhere); anyone else is sent to sign in, unread.
async fn require_uploader(parts: &mut Parts, state: &AppState) -> Result<(), WebError> {
    let Tenant(company) = Tenant::from_request_parts(parts, state).await?;
    let office = parts.uri.path().starts_with("/office");
    let start = if office { "/office" } else { "/sign-in" };
    let session = current_session(parts, state, &company)
        .await?
        .ok_or(WebError::SignInRequired(start))?;
    let right_kind = matches!(session.owner, SessionOwner::Staff(_)) == office;
    // Staff viewing the portal as a contact upload nothing: told so, as for every write.
    if !right_kind
        && !office
        && state
            .store
            .viewing_contact(company.id, &session.id_hash)
            .await?
            .is_some()
    {
        return Err(WebError::Forbidden(crate::auth::guard::READ_ONLY));
    }
    if !right_kind || session.two_factor_pending {
        return Err(WebError::SignInRequired(start));
    }
    Ok(())
}

/// The JSON API's routes: authenticated by `Authorization: Bearer` alone, no CSRF check.
pub const API_PREFIX: &str = "/api/v1/";

/// The one route exempt from CSRF checks: the processor signs it instead.
pub const WEBHOOK_PATH: &str = "/webhooks/stripe";

/// Middleware: refuses cross-site or token-less unsafe requests, and hands every request
/// its CSRF token (setting the pre-session cookie when the browser has neither cookie).
pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let security = CookieSecurity {
        https: state.config.https,
    };
    let session = session_token(request.headers(), security.https);
    let pre_session = cookie_value(request.headers(), security.csrf_cookie());
    let expected = match session.as_deref() {
        Some(session) => Some(session_csrf_token(session)),
        None => pre_session.clone(),
    };
    // The processor's webhook carries no session or token: its signature is checked
    // by the use case instead (`pages::webhooks`).
    if request.method() == Method::POST && request.uri().path() == WEBHOOK_PATH {
        return next.run(request).await;
    }
    // The JSON API is called with a key, never a session cookie (`api::auth` reads no
    // cookie), so a forged request gains nothing: no token to check.
    if request.uri().path().starts_with(API_PREFIX) {
        return next.run(request).await;
    }
    let token = expected.clone().unwrap_or_else(|| random_hex(16));
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let mut request = request;
    let mut upload_permit = None;
    if unsafe_method {
        if !same_origin(request.headers(), &state.config) {
            tracing::warn!("refused a cross-site or origin-less state-changing request");
            return forbidden();
        }
        let Some(expected) = expected.as_deref() else {
            return forbidden();
        };
        let upload = is_upload_route(&request);
        if upload {
            let (mut parts, body) = request.into_parts();
            if let Err(err) = require_uploader(&mut parts, &state).await {
                return err.into_response();
            }
            request = Request::from_parts(parts, body);
        }
        let header_token = request
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let is_form = content_type(&request).starts_with("application/x-www-form-urlencoded");
        let is_multipart = content_type(&request).starts_with("multipart/form-data");
        let presented = match (header_token, is_form) {
            (Some(t), _) => Some(t),
            (None, false) if is_multipart && upload => {
                let (found, whole) = leading_field(request, "csrf_token").await;
                request = whole;
                found
            }
            (None, false) if is_multipart => {
                let (parts, body) = request.into_parts();
                let bytes = match to_bytes(body, MAX_FORM).await {
                    Ok(b) => b,
                    Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
                };
                let found = multipart_field(&parts.headers, bytes.clone(), "csrf_token").await;
                request = Request::from_parts(parts, Body::from(bytes));
                found
            }
            (None, true) => {
                let (parts, body) = request.into_parts();
                let bytes = match to_bytes(body, MAX_FORM).await {
                    Ok(b) => b,
                    Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
                };
                let found = form_field(&bytes, "csrf_token");
                request = Request::from_parts(parts, Body::from(bytes));
                found
            }
            (None, false) => None,
        };
        if !presented.is_some_and(|p| constant_time_eq(&p, expected)) {
            tracing::warn!("refused a state-changing request without a valid CSRF token");
            return forbidden();
        }
        if upload {
            match upload_slot().await {
                Ok(permit) => upload_permit = Some(permit),
                Err(err) => return err.into_response(),
            }
        }
    }
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    // The body has been read (or dropped) by now: the slot is free for the next upload.
    drop(upload_permit);
    if session.is_none() && pre_session.is_none() {
        let cookie = Cookie::build((security.csrf_cookie(), token))
            .path("/")
            .http_only(true)
            .secure(security.https)
            .same_site(SameSite::Strict)
            .build();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{
        constant_time_eq, leading_field, multipart_field, same_origin, session_csrf_token,
    };
    use crate::state::{PasswordCost, WebConfig};
    use axum::body::Bytes;
    use axum::http::{HeaderMap, HeaderValue, header};

    fn multipart(parts: &[(&str, Option<&str>, &str)]) -> (HeaderMap, Bytes) {
        let mut body = String::new();
        for (name, filename, value) in parts {
            let file = filename
                .map(|f| format!("; filename=\"{f}\""))
                .unwrap_or_default();
            body.push_str(&format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str("--XyZ--\r\n");
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=XyZ"),
        );
        (headers, Bytes::from(body))
    }

    #[tokio::test]
    async fn the_token_is_found_in_a_multipart_form_but_not_in_a_file() {
        let (headers, body) = multipart(&[
            ("description", None, "leak"),
            ("photo", Some("a.jpg"), "bytes"),
            ("csrf_token", None, "abc123"),
        ]);
        assert_eq!(
            multipart_field(&headers, body, "csrf_token")
                .await
                .as_deref(),
            Some("abc123")
        );
        // A file whose field is named like the token is not a token.
        let (headers, body) = multipart(&[("csrf_token", Some("t.txt"), "abc123")]);
        assert_eq!(multipart_field(&headers, body, "csrf_token").await, None);
        let (headers, body) = multipart(&[("other", None, "x")]);
        assert_eq!(multipart_field(&headers, body, "csrf_token").await, None);
    }

    #[tokio::test]
    async fn the_token_is_found_beside_a_file_larger_than_axums_default_limit() {
        let photo = "x".repeat(3 * 1024 * 1024);
        let (headers, body) = multipart(&[
            ("csrf_token", None, "abc123"),
            ("photos", Some("big.jpg"), &photo),
        ]);
        assert_eq!(
            multipart_field(&headers, body, "csrf_token")
                .await
                .as_deref(),
            Some("abc123")
        );
    }

    #[tokio::test]
    async fn an_uploads_token_is_read_from_its_start_and_the_body_comes_back_whole() {
        let photo = "x".repeat(3 * 1024 * 1024);
        let (headers, body) = multipart(&[
            ("csrf_token", None, "abc123"),
            ("photos", Some("big.jpg"), &photo),
        ]);
        // Sent in 8 KiB pieces, as a network delivers it.
        let pieces: Vec<Result<Bytes, std::io::Error>> = body
            .chunks(8 * 1024)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let mut request = axum::extract::Request::new(axum::body::Body::from_stream(
            futures_util::stream::iter(pieces),
        ));
        *request.headers_mut() = headers;
        let (found, request) = leading_field(request, "csrf_token").await;
        assert_eq!(found.as_deref(), Some("abc123"));
        let again = axum::body::to_bytes(request.into_body(), usize::MAX).await;
        assert_eq!(again.ok(), Some(body), "nothing lost or doubled");
        // A token beyond the first 64 KiB is not looked for.
        let (headers, body) = multipart(&[
            ("photos", Some("big.jpg"), &photo),
            ("csrf_token", None, "abc123"),
        ]);
        let mut request = axum::extract::Request::new(axum::body::Body::from(body));
        *request.headers_mut() = headers;
        assert_eq!(leading_field(request, "csrf_token").await.0, None);
    }

    fn headers(host: &str, origin: Option<&str>, referer: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::HOST,
            HeaderValue::from_str(host).unwrap_or(HeaderValue::from_static("")),
        );
        if let Some(o) = origin {
            h.insert(
                header::ORIGIN,
                HeaderValue::from_str(o).unwrap_or(HeaderValue::from_static("")),
            );
        }
        if let Some(r) = referer {
            h.insert(
                header::REFERER,
                HeaderValue::from_str(r).unwrap_or(HeaderValue::from_static("")),
            );
        }
        h
    }

    fn config(https: bool, public_port: Option<u16>) -> WebConfig {
        WebConfig {
            base_domain: "localhost".into(),
            single_company: None,
            public_port,
            https,
            data_dir: std::path::PathBuf::new(),
            password_cost: PasswordCost::TestOnly,
            session_idle: time::Duration::hours(1),
            session_lifetime: time::Duration::days(1),
            invite_ttl: time::Duration::days(1),
            reset_ttl: time::Duration::hours(1),
            api_rate: Default::default(),
        }
    }

    #[test]
    fn only_this_exact_host_is_same_origin() {
        let http = config(false, Some(8080));
        let same = |host, origin, referer| same_origin(&headers(host, origin, referer), &http);
        assert!(same(
            "acme.localhost:8080",
            Some("http://acme.localhost:8080"),
            None
        ));
        assert!(same(
            "acme.localhost:8080",
            None,
            Some("http://acme.localhost:8080/x?y")
        ));
        assert!(!same(
            "acme.localhost:8080",
            Some("http://bolt.localhost:8080"),
            None
        ));
        assert!(!same(
            "acme.localhost:8080",
            Some("http://acme.localhost:8080.evil.test"),
            None
        ));
        assert!(!same("acme.localhost:8080", Some("null"), None));
        assert!(!same("acme.localhost:8080", None, None));
    }

    #[test]
    fn the_scheme_and_port_must_be_the_public_ones() {
        let http = config(false, Some(8080));
        let same = |origin| same_origin(&headers("acme.localhost:8080", Some(origin), None), &http);
        assert!(!same("https://acme.localhost:8080"));
        assert!(!same("http://acme.localhost:8081"));
        assert!(!same("http://acme.localhost"));
        assert!(!same("ftp://acme.localhost:8080"));
        assert!(!same("http://user@acme.localhost:8080"));
        // Behind a proxy on https's default port, with or without the port written.
        let https = config(true, None);
        let same = |host, origin| same_origin(&headers(host, Some(origin), None), &https);
        assert!(same("acme.example.com", "https://acme.example.com"));
        assert!(same("acme.example.com", "https://ACME.example.com:443"));
        assert!(!same("acme.example.com", "http://acme.example.com"));
        assert!(!same("acme.example.com", "https://acme.example.com:8443"));
    }

    #[test]
    fn session_tokens_differ_between_sessions_and_hide_the_session() {
        let a = session_csrf_token(&"a".repeat(64));
        let b = session_csrf_token(&"b".repeat(64));
        assert_ne!(a, b);
        assert_eq!(a, session_csrf_token(&"a".repeat(64)));
        assert_eq!(a.len(), 32);
        assert!(!a.contains("aaaa"));
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
