//! Outgoing webhooks: the events a company may subscribe to, what an endpoint's URL must
//! look like, and how long a failed delivery waits before it is tried again.

use crate::validation::Invalid;

/// Every event Doorstep sends, in the order the office lists them.
pub const EVENTS: [&str; 10] = [
    "request.created",
    "request.declined",
    "estimate.approved",
    "estimate.declined",
    "invoice.paid",
    "payment.succeeded",
    "payment.refunded",
    "job.status_changed",
    "support.updated",
    "contact.signed_up",
];

/// Longest URL accepted.
pub const MAX_URL_CHARS: usize = 2000;

/// How long a delivery is retried before it is marked failed.
pub const RETRY_WINDOW: time::Duration = time::Duration::hours(24);

/// Whether `event` is one Doorstep sends.
pub fn is_event(event: &str) -> bool {
    EVENTS.contains(&event)
}

/// Checks the chosen events: at least one, each known; answers them in [`EVENTS`] order
/// without repeats.
pub fn check_events<'a>(chosen: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, Invalid> {
    let chosen: Vec<&str> = chosen.into_iter().map(str::trim).collect();
    if let Some(unknown) = chosen.iter().find(|e| !is_event(e)) {
        return Err(Invalid::new(
            "events",
            format!("“{unknown}” is not an event Doorstep sends."),
        ));
    }
    let events: Vec<String> = EVENTS
        .iter()
        .filter(|e| chosen.contains(e))
        .map(|e| (*e).to_owned())
        .collect();
    if events.is_empty() {
        return Err(Invalid::new("events", "Choose at least one event."));
    }
    Ok(events)
}

/// Checks an endpoint URL: `https://` with a host, or plain `http://` only to this
/// machine (`localhost`, `127.0.0.1`, `[::1]`, for development and tests). Answers it
/// trimmed.
pub fn check_url(url: &str) -> Result<String, Invalid> {
    let url = url.trim();
    let bad = |m: &str| Invalid::new("url", m);
    if url.is_empty() {
        return Err(bad("Enter the URL that receives the events."));
    }
    if url.chars().count() > MAX_URL_CHARS {
        return Err(bad("That URL is too long."));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("A URL has no spaces."));
    }
    let lower = url.to_ascii_lowercase();
    let (secure, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(bad("Use an https:// URL."));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(bad("Leave the user name and password out of the URL."));
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return Err(bad("The URL needs a host name."));
    }
    if !secure && !matches!(host, "localhost" | "127.0.0.1" | "::1") {
        return Err(bad(
            "Use an https:// URL (plain http:// only reaches this machine).",
        ));
    }
    Ok(url.to_owned())
}

/// How long to wait after failed attempt number `attempts` (1 for the first): 30
/// seconds, doubling, at most two hours; deliveries older than [`RETRY_WINDOW`] are
/// not retried (see [`give_up`]).
pub fn retry_delay(attempts: i64) -> time::Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 8) as u32;
    time::Duration::seconds(30i64 << doublings).min(time::Duration::hours(2))
}

/// Whether a delivery first queued at `created` should be given up on when its next
/// attempt would come at `next`.
pub fn give_up(created: time::OffsetDateTime, next: time::OffsetDateTime) -> bool {
    next - created > RETRY_WINDOW
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn events_are_checked_ordered_and_deduplicated() {
        assert_eq!(
            check_events(["invoice.paid", "request.created", "invoice.paid"]).unwrap(),
            vec!["request.created".to_owned(), "invoice.paid".to_owned()]
        );
        assert_eq!(check_events([]).unwrap_err().field, "events");
        assert!(check_events(["invoice.sent"]).is_err());
        assert_eq!(check_events(EVENTS).unwrap().len(), 10);
    }

    #[test]
    fn urls_are_https_or_loopback_http() {
        assert_eq!(
            check_url(" https://example.com/hooks ").unwrap(),
            "https://example.com/hooks"
        );
        assert!(check_url("http://127.0.0.1:8080/in").is_ok());
        assert!(check_url("http://localhost/in").is_ok());
        assert!(check_url("http://[::1]:9/in").is_ok());
        assert!(check_url("http://example.com/in").is_err());
        assert!(check_url("http://127.0.0.1.example.com/in").is_err());
        assert!(check_url("ftp://example.com").is_err());
        assert!(check_url("https://").is_err());
        assert!(check_url("https://user:pw@example.com").is_err());
        assert!(check_url("https://exa mple.com").is_err());
        assert!(check_url("").is_err());
    }

    #[test]
    fn retries_double_from_thirty_seconds_within_a_day() {
        let secs: Vec<i64> = (1..=10).map(|a| retry_delay(a).whole_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3840, 7200, 7200]);
        let t = time::OffsetDateTime::UNIX_EPOCH;
        assert!(!give_up(t, t + time::Duration::hours(23)));
        assert!(give_up(t, t + time::Duration::hours(25)));
    }
}
