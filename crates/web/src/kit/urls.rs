//! Addresses pages build and link to.

/// Percent-encodes one path segment (numbers are the company's own and may hold anything).
pub fn path_segment(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// The portal's proposal page for request `number` (the office links to it in emails).
pub(crate) fn proposal_href(number: &str) -> String {
    format!("/requests/{}/proposal", path_segment(number))
}
