//! A customer's answers to an estimate: what a signature, a decline reason and a change
//! request may be, and which answer an estimate in which status takes. Kept free of I/O
//! so the portal, the API and the office agree.

use time::Date;

use crate::Invalid;
use crate::status::EstimateStatus;

/// Longest typed signature (a full name), in characters.
pub const SIGNATURE_MAX: usize = 120;

/// Longest decline reason or change request, in characters.
pub const TEXT_MAX: usize = 2000;

/// What the customer answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Signs the estimate: it becomes approved.
    Approve,
    /// Refuses it: it becomes declined.
    Decline,
    /// Asks the office for changes: it stays pending.
    RequestChanges,
}

impl Answer {
    /// The status the estimate moves to, if the answer moves it.
    pub fn becomes(self) -> Option<EstimateStatus> {
        match self {
            Answer::Approve => Some(EstimateStatus::Approved),
            Answer::Decline => Some(EstimateStatus::Declined),
            Answer::RequestChanges => None,
        }
    }
}

/// Whether an estimate stored as `status`, whose last day is `expires_on`, takes
/// `answer` on `today`: the move must be one [`EstimateStatus::can_become`] allows from
/// the status the customer sees (a pending estimate past its last day reads as expired),
/// and a change request needs the estimate still pending.
pub fn may_answer(
    answer: Answer,
    status: EstimateStatus,
    expires_on: Option<Date>,
    today: Date,
) -> bool {
    let seen = status.as_seen(expires_on, today);
    match answer.becomes() {
        Some(next) => seen.can_become(next),
        None => seen == EstimateStatus::Pending,
    }
}

/// A typed signature as stored: trimmed, present, at most [`SIGNATURE_MAX`] characters,
/// one line.
pub fn parse_signature(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Invalid::new("signed_name", "Type your full name to sign."));
    }
    if s.chars().count() > SIGNATURE_MAX || s.chars().any(char::is_control) {
        return Err(Invalid::new(
            "signed_name",
            "That name is too long or holds characters a name cannot have.",
        ));
    }
    Ok(s.to_owned())
}

/// A decline reason as stored: trimmed, optional, at most [`TEXT_MAX`] characters.
pub fn parse_decline_reason(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.chars().count() > TEXT_MAX {
        return Err(Invalid::new(
            "reason",
            format!("Keep the reason under {TEXT_MAX} characters."),
        ));
    }
    Ok(s.to_owned())
}

/// A change request as stored: trimmed, present, at most [`TEXT_MAX`] characters.
pub fn parse_change_request(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Invalid::new(
            "message",
            "Write what you would like changed.",
        ));
    }
    if s.chars().count() > TEXT_MAX {
        return Err(Invalid::new(
            "message",
            format!("Keep the message under {TEXT_MAX} characters."),
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use EstimateStatus::*;

    #[test]
    fn only_a_pending_unexpired_estimate_takes_an_answer_and_only_once() {
        let today = date!(2025 - 03 - 10);
        for answer in [Answer::Approve, Answer::Decline, Answer::RequestChanges] {
            assert!(may_answer(answer, Pending, Some(today), today));
            assert!(may_answer(answer, Pending, None, today));
            assert!(!may_answer(
                answer,
                Pending,
                Some(date!(2025 - 03 - 09)),
                today
            ));
            for answered in [Approved, Declined, Expired, Converted, Draft] {
                assert!(!may_answer(answer, answered, None, today), "{answered:?}");
            }
        }
        assert_eq!(Answer::RequestChanges.becomes(), None);
        assert_eq!(Answer::Approve.becomes(), Some(Approved));
    }

    #[test]
    fn signatures_are_required_one_line_and_limited() {
        assert_eq!(
            parse_signature("  Dana Whitaker ").as_deref(),
            Ok("Dana Whitaker")
        );
        assert_eq!(
            parse_signature(" ").map_err(|e| e.field),
            Err("signed_name")
        );
        assert!(parse_signature(&"x".repeat(SIGNATURE_MAX)).is_ok());
        assert!(parse_signature(&"x".repeat(SIGNATURE_MAX + 1)).is_err());
        assert!(parse_signature("Dana\u{7}").is_err());
    }

    #[test]
    fn a_reason_is_optional_and_a_change_request_is_not() {
        assert_eq!(parse_decline_reason("  ").as_deref(), Ok(""));
        assert!(parse_decline_reason(&"x".repeat(TEXT_MAX + 1)).is_err());
        assert_eq!(parse_change_request(" brass ").as_deref(), Ok("brass"));
        assert_eq!(
            parse_change_request("").map_err(|e| e.field),
            Err("message")
        );
        assert!(parse_change_request(&"x".repeat(TEXT_MAX + 1)).is_err());
    }
}
