//! Sign-in's rules that are not about storage: which email an attempt names, how long a
//! throttled person is told to wait, and whom a person who cannot sign in should call.

use time::{Duration, OffsetDateTime};

use crate::Invalid;
use crate::email::EmailAddress;

/// The email an attempt is for: the normalised address when it is one, else what was
/// typed, trimmed and lower-cased (so an attempt with a malformed address is still
/// counted, and counted once whatever its case).
pub fn attempted_email(raw: &str) -> String {
    EmailAddress::parse(raw)
        .map(|e| e.to_string())
        .unwrap_or_else(|_| raw.trim().to_lowercase())
}

/// Checks that a sign-in form has both an email and a password; answers the email as
/// typed (trimmed).
pub fn require_email_and_password(email: &str, password: &str) -> Result<String, Invalid> {
    let email = email.trim();
    if email.is_empty() || password.is_empty() {
        return Err(Invalid::new("email", "Enter your email and your password."));
    }
    Ok(email.to_owned())
}

/// Whole minutes to tell a person to wait until `until`, rounded up, at least one.
pub fn minutes_to_wait(until: OffsetDateTime, now: OffsetDateTime) -> i64 {
    let left: Duration = until - now;
    (left.whole_seconds().max(1) + 59) / 60
}

/// Whom to contact, for messages such as the sign-in page's and the locked-access email:
/// "Acme at (555) 010-1000 or hello@acme.test", leaving out what the company has not
/// filled in (just its name when it gave neither).
pub fn whom_to_contact(name: &str, phone: &str, email: &str) -> String {
    let ways: Vec<&str> = [phone.trim(), email.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if ways.is_empty() {
        name.to_owned()
    } else {
        format!("{name} at {}", ways.join(" or "))
    }
}

/// The page to return to after signing in, when `raw` (a path the visitor asked for before
/// being sent to sign in) is safe to send the browser to: a path on this host only — never
/// `//host` or `/\host`, which browsers read as another site —, of the audience signing in
/// (office paths for staff, portal paths for contacts), and not a sign-in or sign-out page.
pub fn return_path(raw: &str, office: bool) -> Option<&str> {
    const MAX: usize = 2000;
    let path = raw.split(['?', '#']).next().unwrap_or("");
    let safe = raw.len() <= MAX
        && raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.contains('\\')
        && !raw.chars().any(char::is_control);
    let in_office = path == "/office" || path.starts_with("/office/");
    let signing = [
        "/sign-in",
        "/sign-out",
        "/office/sign-in",
        "/office/sign-out",
        "/office/two-factor",
    ]
    .iter()
    .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    (safe && in_office == office && !signing && path != "/" && path != "/office").then_some(raw)
}

#[cfg(test)]
mod tests {
    use super::{
        attempted_email, minutes_to_wait, require_email_and_password, return_path, whom_to_contact,
    };
    use time::{Duration, OffsetDateTime};

    #[test]
    fn an_attempt_names_its_email_normalised_even_when_malformed() {
        assert_eq!(attempted_email(" Dana@Example.TEST "), "dana@example.test");
        assert_eq!(attempted_email(" Not An Email "), "not an email");
    }

    #[test]
    fn both_fields_are_needed() {
        assert_eq!(
            require_email_and_password(" a@b.co ", "x"),
            Ok("a@b.co".to_owned())
        );
        let err = require_email_and_password("  ", "x")
            .err()
            .map(|e| e.message);
        assert_eq!(err.as_deref(), Some("Enter your email and your password."));
        assert!(require_email_and_password("a@b.co", "").is_err());
    }

    #[test]
    fn waits_are_told_in_whole_minutes_rounded_up() {
        let now = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(minutes_to_wait(now + Duration::seconds(1), now), 1);
        assert_eq!(minutes_to_wait(now - Duration::seconds(5), now), 1);
        assert_eq!(minutes_to_wait(now + Duration::seconds(60), now), 1);
        assert_eq!(minutes_to_wait(now + Duration::seconds(61), now), 2);
        assert_eq!(minutes_to_wait(now + Duration::minutes(15), now), 15);
    }

    #[test]
    fn whom_to_contact_names_only_the_ways_given() {
        assert_eq!(
            whom_to_contact("Acme", "(555) 010-1000", "hello@acme.test"),
            "Acme at (555) 010-1000 or hello@acme.test"
        );
        assert_eq!(
            whom_to_contact("Acme", " ", "hello@acme.test"),
            "Acme at hello@acme.test"
        );
        assert_eq!(whom_to_contact("Acme", "", ""), "Acme");
    }

    #[test]
    fn only_same_host_paths_of_the_audience_are_returned_to() {
        assert_eq!(return_path("/invoices", false), Some("/invoices"));
        assert_eq!(
            return_path("/invoices?page=2", false),
            Some("/invoices?page=2")
        );
        assert_eq!(
            return_path("/office/customers", true),
            Some("/office/customers")
        );
        for (raw, office) in [
            ("//evil.example/x", false),
            ("/\\evil.example", false),
            ("https://evil.example/", false),
            ("invoices", false),
            ("", false),
            ("/x\nSet-Cookie: a=b", false),
            ("/office/customers", false),
            ("/invoices", true),
            ("/sign-in", false),
            ("/sign-in/two-factor", false),
            ("/office/two-factor", true),
            ("/", false),
            ("/office", true),
        ] {
            assert_eq!(return_path(raw, office), None, "{raw:?}");
        }
        assert_eq!(return_path(&format!("/{}", "a".repeat(2000)), false), None);
    }
}
