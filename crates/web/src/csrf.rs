//! Cross-site request forgery protection for every state-changing request.
//!
//! Two independent checks, applied by middleware so no handler can forget them:
//! the request's `Origin` (or, lacking it, `Referer`) must be this very host, and a
//! form's `csrf_token` field (urlencoded or multipart, or an `x-csrf-token` header) must equal the random value of
//! the `SameSite=Strict` CSRF cookie (double submit). GET and HEAD never change anything.

use axum::body::{Body, Bytes, to_bytes};
use std::convert::Infallible;

use axum::extract::{
    DefaultBodyLimit, FromRequest, FromRequestParts, MatchedPath, Multipart, Request,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use tower::{Layer, ServiceExt, service_fn};

use crate::router::UPLOAD_PATHS;
use crate::security::random_hex;
use crate::uploads::UPLOAD_BODY_LIMIT;

/// The largest form body the check will read; larger bodies get 413 as elsewhere.
const MAX_FORM: usize = 1024 * 1024;

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

fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    match origin {
        Some(value) => {
            let rest = value
                .strip_prefix("https://")
                .or_else(|| value.strip_prefix("http://"))
                .unwrap_or("");
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            authority.eq_ignore_ascii_case(host)
        }
        None => false,
    }
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

/// Upload routes read large multipart bodies; every other route keeps the form limit.
fn multipart_limit(request: &Request) -> usize {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    if path.is_some_and(|p| UPLOAD_PATHS.contains(&p)) {
        UPLOAD_BODY_LIMIT
    } else {
        MAX_FORM
    }
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

/// Middleware: refuses cross-site or token-less unsafe requests, and hands every request
/// its CSRF token (setting the cookie when the browser has none yet).
pub async fn protect(security: CookieSecurity, request: Request, next: Next) -> Response {
    let existing = cookie_value(request.headers(), security.csrf_cookie());
    let token = existing.clone().unwrap_or_else(|| random_hex(16));
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let mut request = request;
    if unsafe_method {
        if !same_origin(request.headers()) {
            tracing::warn!("refused a cross-site or origin-less state-changing request");
            return forbidden();
        }
        let Some(expected) = existing.as_deref() else {
            return forbidden();
        };
        let header_token = request
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        let is_multipart = content_type(&request).starts_with("multipart/form-data");
        let presented = match (header_token, is_form) {
            (Some(t), _) => Some(t),
            (None, false) if is_multipart => {
                let limit = multipart_limit(&request);
                let (parts, body) = request.into_parts();
                let bytes = match to_bytes(body, limit).await {
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
    }
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    if existing.is_none() {
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
    use super::{constant_time_eq, multipart_field, same_origin};
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

    #[test]
    fn only_this_exact_host_is_same_origin() {
        assert!(same_origin(&headers(
            "acme.localhost:8080",
            Some("http://acme.localhost:8080"),
            None
        )));
        assert!(same_origin(&headers(
            "acme.localhost:8080",
            None,
            Some("http://acme.localhost:8080/x?y")
        )));
        assert!(!same_origin(&headers(
            "acme.localhost:8080",
            Some("http://bolt.localhost:8080"),
            None
        )));
        assert!(!same_origin(&headers(
            "acme.localhost:8080",
            Some("http://acme.localhost:8080.evil.test"),
            None
        )));
        assert!(!same_origin(&headers(
            "acme.localhost:8080",
            Some("null"),
            None
        )));
        assert!(!same_origin(&headers("acme.localhost:8080", None, None)));
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
