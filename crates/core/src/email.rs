//! Email addresses as the portal accepts them.

use crate::Invalid;

/// A syntactically plausible email address, trimmed and lower-cased so that
/// one person is one login whatever case they type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses what a person typed; refuses anything that could not receive mail
    /// or could smuggle a header (whitespace, control characters).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().to_lowercase();
        let bad = || {
            Invalid::new(
                "email",
                "Enter a valid email address, like name@example.com.",
            )
        };
        if value.is_empty() {
            return Err(Invalid::new("email", "Enter an email address."));
        }
        if value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = value.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(bad());
        }
        Ok(Self(value))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::EmailAddress;

    #[test]
    fn normalises_case_and_surrounding_space() {
        let email = EmailAddress::parse("  Dana@Example.TEST ").map(|e| e.as_str().to_owned());
        assert_eq!(email, Ok("dana@example.test".to_owned()));
    }

    #[test]
    fn refuses_addresses_that_cannot_receive_mail() {
        for raw in [
            "",
            "dana",
            "dana@",
            "@example.test",
            "dana@localhost",
            "da na@example.test",
            "dana@example.test\r\nBcc: x@y.z",
            "dana@.example.test",
            "dana@example..test",
        ] {
            assert!(EmailAddress::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }
}
