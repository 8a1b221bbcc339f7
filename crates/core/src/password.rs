//! The password rules (ASVS 2.1): length only, no composition rules, nothing truncated.

use crate::Invalid;

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
    fn overly_long_passwords_are_refused_not_truncated() {
        assert!(check_new_password(&"x".repeat(129)).is_err());
    }
}
