//! Sending stored files: a header-safe filename, a fixed type, `nosniff` and private caching.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::{AppState, WebError};

/// A week: files are immutable under their key, and the cache is the browser's own.
const CACHE: &str = "private, max-age=604800, immutable";

/// A filename safe in a header: ASCII letters, digits and `.-_` kept, the rest `_`, with
/// the full name as RFC 5987 UTF-8 for browsers that read it.
pub fn content_disposition(inline: bool, filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let ascii = if ascii.trim_matches(['.', '_']).is_empty() {
        "file".to_owned()
    } else {
        ascii
    };
    let encoded: String = form_urlencoded::byte_serialize(filename.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Sends stored bytes with a fixed type, the given disposition, `nosniff` and private caching.
pub async fn send(
    state: &AppState,
    key: &str,
    content_type: &str,
    disposition: String,
) -> Result<Response, WebError> {
    let bytes = state.files.read(key).await.map_err(|err| {
        if err.kind() == std::io::ErrorKind::NotFound {
            WebError::NotFound
        } else {
            WebError::internal(err)
        }
    })?;
    // Stored types were decided from content at upload; anything unexpected goes as bytes.
    let content_type = HeaderValue::from_str(content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&disposition)
        .unwrap_or(HeaderValue::from_static("attachment; filename=\"file\""));
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn filenames_cannot_break_the_header() {
        assert_eq!(
            content_disposition(false, "report \"final\".pdf\r\nX: y"),
            "attachment; filename=\"report__final_.pdf__X__y\"; filename*=UTF-8''report%20%22final%22.pdf%0D%0AX%3A%20y"
        );
        assert_eq!(
            content_disposition(true, "..").split(';').nth(1),
            Some(" filename=\"file\"")
        );
    }
}
