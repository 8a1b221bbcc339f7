//! Support tickets' rules: what a subject and a comment may be, who may write on a
//! ticket in which status, and where a ticket moves when someone writes or the office
//! sets its status. Kept free of I/O so the portal, the office and the API agree.

use crate::Invalid;
use crate::status::SupportStatus;

/// Longest subject, in characters: one line that fits an email subject.
pub const SUBJECT_MAX: usize = 120;

/// Longest description or comment, in characters.
pub const BODY_MAX: usize = 5000;

/// Most files attached to one ticket or one comment.
pub const FILES_MAX: usize = 4;

/// A subject as stored: trimmed, present, one line, at most [`SUBJECT_MAX`] characters.
pub fn parse_subject(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Invalid::new(
            "subject",
            "Give your request a short subject.",
        ));
    }
    if s.chars().count() > SUBJECT_MAX {
        return Err(Invalid::new(
            "subject",
            format!("Keep the subject to {SUBJECT_MAX} characters or fewer."),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(Invalid::new(
            "subject",
            "The subject must be a single line of text.",
        ));
    }
    Ok(s.to_owned())
}

/// A description or comment as stored: trimmed, present, at most [`BODY_MAX`] characters;
/// line breaks are kept, other control characters refused.
pub fn parse_body(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        let message = if field == "description" {
            "Describe what you need help with."
        } else {
            "Write your message."
        };
        return Err(Invalid::new(field, message));
    }
    if s.chars().count() > BODY_MAX {
        return Err(Invalid::new(
            field,
            format!("Keep it to {BODY_MAX} characters or fewer."),
        ));
    }
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Invalid::new(
            field,
            "The text holds characters it cannot have.",
        ));
    }
    Ok(s.to_owned())
}

/// Whether anyone may still add a comment: a closed ticket is finished, and a new
/// question is a new ticket.
pub fn may_comment(status: SupportStatus) -> bool {
    status != SupportStatus::Closed
}

/// The status after the customer writes on a ticket in `status`. A ticket that was
/// waiting on the customer, or that the office marked resolved, goes back to `Open`:
/// the ball is in the office's court again and `Open` is what its inbox filters for
/// "needs someone". A ticket the office is already working on stays as it is.
pub fn after_customer_comment(status: SupportStatus) -> SupportStatus {
    match status {
        SupportStatus::WaitingOnCustomer | SupportStatus::Resolved => SupportStatus::Open,
        other => other,
    }
}

/// The status after the office replies to a ticket in `from`, choosing `chosen` on the
/// reply form: a reply may move the ticket anywhere but to `Closed` (closing is a status
/// change of its own, so a reply never ends the conversation by accident); no choice keeps
/// the ticket's own status.
pub fn after_office_reply(from: SupportStatus, chosen: Option<SupportStatus>) -> SupportStatus {
    chosen
        .filter(|s| *s != SupportStatus::Closed)
        .unwrap_or(from)
}

/// Whether the office may move a ticket from `from` to `to`: any change but to the
/// same status, and a closed ticket only back to open (reopening it).
pub fn office_may_set(from: SupportStatus, to: SupportStatus) -> Result<(), Invalid> {
    if from == to {
        return Err(Invalid::new(
            "status",
            format!("The ticket is already \u{201c}{}\u{201d}.", to.label()),
        ));
    }
    if from == SupportStatus::Closed && to != SupportStatus::Open {
        return Err(Invalid::new(
            "status",
            "A closed ticket can only be reopened (set to Open).",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use SupportStatus::*;

    #[test]
    fn an_office_reply_moves_a_ticket_anywhere_but_closed() {
        assert_eq!(after_office_reply(Open, None), Open);
        assert_eq!(
            after_office_reply(Open, Some(WaitingOnCustomer)),
            WaitingOnCustomer
        );
        assert_eq!(after_office_reply(InProgress, Some(Closed)), InProgress);
        assert_eq!(after_office_reply(Resolved, Some(Open)), Open);
    }

    #[test]
    fn subjects_are_required_single_line_and_limited() {
        assert_eq!(
            parse_subject("  Leaking tap \t").as_deref(),
            Ok("Leaking tap")
        );
        assert_eq!(parse_subject("   ").map_err(|e| e.field), Err("subject"));
        assert!(parse_subject(&"x".repeat(SUBJECT_MAX)).is_ok());
        assert!(parse_subject(&"x".repeat(SUBJECT_MAX + 1)).is_err());
        assert!(parse_subject("Help\r\nBcc: evil@x.test").is_err());
    }

    #[test]
    fn bodies_are_required_keep_lines_and_are_limited() {
        assert_eq!(parse_body("description", " a\nb ").as_deref(), Ok("a\nb"));
        let empty = parse_body("description", "\n ").map_err(|e| e.field);
        assert_eq!(empty, Err("description"));
        assert_eq!(
            parse_body("body", "").map_err(|e| e.message),
            Err("Write your message.".to_owned())
        );
        assert!(parse_body("body", &"é".repeat(BODY_MAX)).is_ok());
        assert!(parse_body("body", &"é".repeat(BODY_MAX + 1)).is_err());
        assert!(parse_body("body", "bell\u{7}").is_err());
    }

    #[test]
    fn nobody_writes_on_a_closed_ticket() {
        assert!(!may_comment(Closed));
        for s in [Open, InProgress, WaitingOnCustomer, Resolved] {
            assert!(may_comment(s), "{s:?}");
        }
    }

    #[test]
    fn a_customer_answer_puts_a_waiting_or_resolved_ticket_back_to_open() {
        assert_eq!(after_customer_comment(WaitingOnCustomer), Open);
        assert_eq!(after_customer_comment(Resolved), Open);
        assert_eq!(after_customer_comment(InProgress), InProgress);
        assert_eq!(after_customer_comment(Open), Open);
    }

    #[test]
    fn the_office_changes_status_freely_but_only_reopens_a_closed_ticket() {
        assert!(office_may_set(Open, WaitingOnCustomer).is_ok());
        assert!(office_may_set(Resolved, InProgress).is_ok());
        assert!(office_may_set(InProgress, Closed).is_ok());
        assert!(office_may_set(Open, Open).is_err());
        assert!(office_may_set(Closed, Open).is_ok());
        assert!(office_may_set(Closed, InProgress).is_err());
    }
}
