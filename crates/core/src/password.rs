//! The password rules (ASVS 2.1): length, not among the most common passwords, no
//! composition rules, nothing truncated.
//!
//! The list holds few passwords of 12 characters or more, so on its own it caught almost
//! nothing once the length rule applied: `password1234`, `Sunshine!!!!` and
//! `passwordpassword` are list passwords padded or repeated up to the length. So a new
//! password is also refused when what is left after taking off leading and trailing
//! digits, symbols and spaces, or the piece it repeats, is on the list; and when it is
//! made of a handful of characters (`aaaaaaaaaaaa`) or of a short piece repeated.

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
    if is_repetitive(password) {
        return Err(Invalid::new(
            "password",
            "This password repeats a few characters, so it is easy to guess. Choose another; a few unrelated words make a strong one.",
        ));
    }
    if is_padded_common(password) {
        return Err(Invalid::new(
            "password",
            "This password is a commonly used one with a few characters added or repeated, so it is easy to guess. Choose another; a few unrelated words make a strong one.",
        ));
    }
    Ok(())
}

/// Fewest different characters a password must use.
const MIN_DISTINCT: usize = 5;
/// A piece shorter than this, repeated, makes the password repetitive.
const MIN_PIECE: usize = 6;

/// The shortest piece `chars` is made of, repeated whole at least twice, if any.
fn repeated_piece(chars: &[char]) -> Option<&[char]> {
    (1..=chars.len() / 2)
        .filter(|len| chars.len().is_multiple_of(*len))
        .find(|&len| chars.chunks(len).all(|c| c == &chars[..len]))
        .map(|len| &chars[..len])
}

/// Whether the password is made of a handful of characters, or of a short piece repeated.
fn is_repetitive(password: &str) -> bool {
    let chars: Vec<char> = password.to_lowercase().chars().collect();
    let distinct: HashSet<&char> = chars.iter().collect();
    distinct.len() < MIN_DISTINCT || repeated_piece(&chars).is_some_and(|p| p.len() < MIN_PIECE)
}

/// Whether a list password is what remains once leading and trailing digits, symbols and
/// spaces are taken off, or once a repetition is reduced to its piece.
fn is_padded_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    let mut candidates = vec![core.to_owned()];
    for text in [lower.as_str(), core] {
        let chars: Vec<char> = text.chars().collect();
        if let Some(piece) = repeated_piece(&chars) {
            candidates.push(piece.iter().collect());
        }
    }
    // Words of three letters or fewer are on the list too ("abc"); padding one up to the
    // length still leaves most of the password to guess, so only longer cores count.
    candidates
        .iter()
        .any(|c| c.chars().count() >= 4 && is_common(c))
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
        let long = "the quick brown fox jumps over the lazy dog while pipes hum 4 ok";
        assert_eq!(long.chars().count(), 64);
        assert!(check_new_password(long).is_ok());
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

    #[test]
    fn repeated_characters_and_short_repeated_pieces_are_refused() {
        for weak in [
            "aaaaaaaaaaaa",
            "abababababab",
            "aaaaaaaaaaab",
            "abcabcabcabc",
            "1212 1212 1212",
        ] {
            assert!(check_new_password(weak).is_err(), "{weak}");
        }
        assert!(
            check_new_password("xyzzy plugh xyzzy plugh").is_ok(),
            "a long piece twice is fine"
        );
    }

    #[test]
    fn list_passwords_padded_or_repeated_to_the_length_are_refused() {
        for weak in [
            "passwordpassword",
            "iloveyou2024",
            "Sunshine!!!!",
            "2024monkey!!",
            "Password1234",
            "dragondragon",
        ] {
            let err = check_new_password(weak).err();
            assert!(err.is_some(), "{weak}");
        }
        for fine in [
            "correct horse battery",
            "pipes and valves 64",
            "a kettle of fish and chips",
            "nina's own password",
        ] {
            assert!(check_new_password(fine).is_ok(), "{fine}");
        }
    }
}
