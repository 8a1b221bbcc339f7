//! The portal's jobs: the list, one job, and the service and sales histories.

pub mod detail;
pub mod events;
pub mod history;
pub mod list;
pub mod query;

use doorstep_core::status::JobStatus;

/// The badge style of a status.
pub fn status_class(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Completed => "badge success",
        JobStatus::Cancelled => "badge danger",
        JobStatus::OnTheWay | JobStatus::InProgress => "badge info",
        JobStatus::Unscheduled | JobStatus::Scheduled => "badge",
    }
}

/// A site's name and address on one line.
pub fn location(name: Option<&str>, line1: Option<&str>, city: Option<&str>) -> String {
    [name, line1, city]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}
