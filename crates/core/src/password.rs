//! The password rules (ASVS 2.1): length, not among the most common passwords, no
//! composition rules, nothing truncated.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::Invalid;

/// The 10,000 most common passwords (SecLists, MIT licence; see data/common-passwords.LICENSE).
const COMMON: &str = include_str!("../data/common-passwords.txt");

fn common() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Whether `password` is one of the most common passwords (ignoring case).
pub fn is_common(password: &str) -> bool {
    common().contains(&password.to_lowercase())
}

/// Fewest characters a password may have.
pub const MIN_CHARS: usize = 12;
/// Most characters a password may have; well above the 64 people must be able to use.
pub const MAX_CHARS: usize = 128;

/// Checks a new password against the length rules; counts characters, not bytes.
pub fn check_new_password(password: &str) -> Result<(), Invalid> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(Invalid::new(
            "password",
            format!("Use at least {MIN_CHARS} characters."),
        ));
    }
    if chars > MAX_CHARS {
        return Err(Invalid::new(
            "password",
            format!("Use at most {MAX_CHARS} characters."),
        ));
    }
    if is_common(password) {
        return Err(Invalid::new(
            "password",
            "This password is one of the most commonly used, so it is easy to guess. Choose another.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_new_password;

    #[test]
    fn eleven_characters_are_refused_and_twelve_accepted() {
        assert!(check_new_password("abcdefghijk").is_err());
        assert!(check_new_password("abcdefghijkl").is_ok());
    }

    #[test]
    fn sixty_four_characters_and_unicode_are_accepted() {
        assert!(check_new_password(&"x".repeat(64)).is_ok());
        assert!(check_new_password("ñandú-über-café").is_ok());
    }

    #[test]
    fn one_of_the_ten_thousand_most_common_passwords_is_refused_in_any_case() {
        assert!(check_new_password("qwerty123456").is_err());
        assert!(check_new_password("QwErTyQwErTy").is_err());
        assert!(check_new_password("1qaz2wsx3edc").is_err());
        assert!(super::is_common("password"));
        assert!(!super::is_common("pipes and valves 64"));
    }

    #[test]
    fn overly_long_passwords_are_refused_not_truncated() {
        assert!(check_new_password(&"x".repeat(129)).is_err());
    }
}
