//! API keys (issue 20): how a key's secret looks, what the office sees of it, and its
//! scopes. A key is `dsk_live_` followed by 64 hex digits (256 random bits); only its
//! SHA-256 is stored, and the office sees the first eight digits to recognise it.

use crate::validation::Invalid;

/// Every key starts with this.
pub const KEY_PREFIX: &str = "dsk_live_";

/// How many hex digits of the secret the office sees.
const SHOWN: usize = 8;

/// The key made from `random_hex` (64 hex digits).
pub fn key_from_random(random_hex: &str) -> String {
    format!("{KEY_PREFIX}{random_hex}")
}

/// What the office list shows of `key` (`dsk_live_ab12cd34`).
pub fn shown_prefix(key: &str) -> String {
    key.chars().take(KEY_PREFIX.len() + SHOWN).collect()
}

/// Whether `token` has a key's shape (checked before any lookup).
pub fn looks_like_key(token: &str) -> bool {
    token
        .strip_prefix(KEY_PREFIX)
        .is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A key's scopes: every key reads; `write` also creates and changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scopes {
    /// May create and change records.
    pub write: bool,
}

impl Scopes {
    /// Parses the office's choice (`read` or `write`) or the stored form (`read write`).
    /// The command line's list (`read,write`) is read alike: words split by commas or
    /// spaces, each `read` or `write`, at least one.
    pub fn parse(raw: &str) -> Result<Scopes, Invalid> {
        let words: Vec<&str> = raw
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() || words.iter().any(|w| !matches!(*w, "read" | "write")) {
            return Err(Invalid::new(
                "scopes",
                "Choose what the key may do: read only, or read and write.",
            ));
        }
        Ok(Scopes {
            write: words.contains(&"write"),
        })
    }

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        if self.write { "read write" } else { "read" }
    }

    /// How the office list says it.
    pub fn label(self) -> &'static str {
        if self.write {
            "Read and write"
        } else {
            "Read only"
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_its_prefix_and_64_hex_digits() {
        let key = key_from_random(&"ab".repeat(32));
        assert!(looks_like_key(&key));
        assert_eq!(shown_prefix(&key), "dsk_live_abababab");
        assert!(!looks_like_key("dsk_live_abc"));
        assert!(!looks_like_key(&format!("dsk_test_{}", "a".repeat(64))));
        assert!(!looks_like_key(&format!("dsk_live_{}", "g".repeat(64))));
    }

    #[test]
    fn scopes_are_read_or_read_and_write() {
        assert!(!Scopes::parse("read").unwrap().write);
        assert!(Scopes::parse("write").unwrap().write);
        assert_eq!(Scopes::parse("read write").unwrap().as_str(), "read write");
        assert_eq!(Scopes::parse("admin").unwrap_err().field, "scopes");
        assert!(Scopes::parse("read,write").unwrap().write);
        assert!(!Scopes::parse(" read ").unwrap().write);
        for bad in ["", ",", "read,admin", "read;write"] {
            assert!(Scopes::parse(bad).is_err(), "{bad:?}");
        }
    }
}
