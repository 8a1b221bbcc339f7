//! Response headers every page carries, and request ids.

use axum::http::{HeaderName, HeaderValue, Request, header};
use tower_http::request_id::{MakeRequestId, RequestId};
use tower_http::set_header::SetResponseHeaderLayer;

/// No inline script or style anywhere; only our own files; never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

pub use doorstep_app::crypto::random_hex;

/// The header layers applied to every response; a handler may set its own
/// `Cache-Control` (static files), otherwise nothing is cached.
pub fn header_layers() -> Vec<SetResponseHeaderLayer<HeaderValue>> {
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=()",
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (header::CACHE_CONTROL, "no-store"),
    ];
    fixed
        .into_iter()
        .map(|(name, value)| {
            SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
        })
        .collect()
}

/// The longest request id taken from a client (or a proxy in front of us).
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// Whether a client-supplied request id may be logged and echoed: 1 to 64 characters of
/// `[A-Za-z0-9-]`, so it cannot forge log lines or carry markup.
pub fn is_well_formed_request_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID_LEN
        && id.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// Removes a malformed `x-request-id` (and every repeat of the header), so that
/// [`RandomRequestId`] makes a new one.
pub async fn drop_malformed_request_id(
    mut request: axum::extract::Request,
) -> axum::extract::Request {
    let mut ids = request.headers().get_all(REQUEST_ID).iter();
    let keep = match (ids.next(), ids.next()) {
        (Some(id), None) => is_well_formed_request_id(id.as_bytes()),
        _ => false,
    };
    if !keep {
        request.headers_mut().remove(REQUEST_ID);
    }
    request
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Gives each request a random id, echoed in `x-request-id` and the logs.
#[derive(Clone, Copy, Default)]
pub struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&random_hex(8))
            .ok()
            .map(RequestId::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_short_plain_tokens() {
        assert!(is_well_formed_request_id(b"lb-7f3a-0001"));
        assert!(is_well_formed_request_id("a".repeat(64).as_bytes()));
        for bad in ["", "a b", "a\tb", "<script>", "a/b", "a_b", "é"] {
            assert!(!is_well_formed_request_id(bad.as_bytes()), "{bad:?}");
        }
        assert!(!is_well_formed_request_id("a".repeat(65).as_bytes()));
    }
}
