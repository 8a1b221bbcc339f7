//! Response headers every page carries, and request ids.

use axum::http::{HeaderName, HeaderValue, Request, header};
use rand::RngCore;
use tower_http::request_id::{MakeRequestId, RequestId};
use tower_http::set_header::SetResponseHeaderLayer;

/// No inline script or style anywhere; only our own files; never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

/// Random bytes as lower-case hex, from the OS-seeded CSPRNG.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0_u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

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
