//! Addresses pages build and link to.

pub use doorstep_app::links::path_segment;

/// The portal's proposal page for request `number` (the office links to it in emails).
pub(crate) fn proposal_href(number: &str) -> String {
    format!("/requests/{}/proposal", path_segment(number))
}
