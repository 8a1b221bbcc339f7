//! Rules of the credentials a person manages: when a second factor may be turned off, and
//! what a self sign-up's details must look like.

use crate::Invalid;
use crate::settings::PortalSettings;

/// Whether someone may turn their second factor off: everyone may, except office staff
/// of a company that requires it of them.
pub fn may_turn_off_second_factor(is_staff: bool, settings: &PortalSettings) -> bool {
    !(is_staff && settings.require_staff_two_factor)
}

/// Longest accepted name, phone or organisation of a sign-up, in characters.
pub const SIGN_UP_FIELD_MAX: usize = 100;

/// A required one-line name (`what` as the person reads it: "first name"), trimmed.
pub fn parse_sign_up_name(field: &'static str, what: &str, raw: &str) -> Result<String, Invalid> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(Invalid::new(field, format!("Enter your {what}.")));
    }
    if v.chars().count() > SIGN_UP_FIELD_MAX {
        return Err(Invalid::new(
            field,
            format!("Keep your {what} under {SIGN_UP_FIELD_MAX} characters."),
        ));
    }
    // A line break in a name would end up in email headers and greetings.
    if v.chars().any(char::is_control) {
        return Err(Invalid::new(
            field,
            format!("Keep your {what} on one line."),
        ));
    }
    Ok(v.to_owned())
}

/// An optional one-line value (an organisation), trimmed; empty when not given.
pub fn parse_sign_up_line(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let v = raw.trim();
    if v.chars().count() > SIGN_UP_FIELD_MAX {
        return Err(Invalid::new(
            field,
            format!("Keep this under {SIGN_UP_FIELD_MAX} characters."),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(Invalid::new(field, "Keep this on one line."));
    }
    Ok(v.to_owned())
}

/// An optional phone number: digits, spaces and `+ - ( ) .` only.
pub fn parse_sign_up_phone(raw: &str) -> Result<String, Invalid> {
    let v = parse_sign_up_line("phone", raw)?;
    if v.chars()
        .any(|c| !(c.is_ascii_digit() || " +-().".contains(c)))
    {
        return Err(Invalid::new(
            "phone",
            "Use digits, spaces and + - ( ) only.",
        ));
    }
    Ok(v)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn staff_of_a_company_that_requires_a_second_factor_may_not_turn_it_off() {
        let mut settings = PortalSettings::default();
        assert!(may_turn_off_second_factor(true, &settings));
        assert!(may_turn_off_second_factor(false, &settings));
        settings.require_staff_two_factor = true;
        assert!(!may_turn_off_second_factor(true, &settings));
        assert!(
            may_turn_off_second_factor(false, &settings),
            "the rule is for office staff, not customers"
        );
    }

    #[test]
    fn sign_up_names_are_present_short_and_on_one_line() {
        assert_eq!(
            parse_sign_up_name("first_name", "first name", "  Ada ").unwrap(),
            "Ada"
        );
        assert_eq!(
            parse_sign_up_name("first_name", "first name", " ")
                .unwrap_err()
                .message,
            "Enter your first name."
        );
        assert!(parse_sign_up_name("last_name", "last name", &"x".repeat(101)).is_err());
        assert!(parse_sign_up_name("last_name", "last name", "a\nb").is_err());
        assert_eq!(parse_sign_up_line("organisation", "").unwrap(), "");
        assert!(parse_sign_up_line("organisation", "a\rb").is_err());
    }

    #[test]
    fn sign_up_phones_use_phone_characters_only() {
        assert_eq!(
            parse_sign_up_phone(" +1 (555) 010-0100 ").unwrap(),
            "+1 (555) 010-0100"
        );
        assert_eq!(parse_sign_up_phone("").unwrap(), "");
        assert_eq!(parse_sign_up_phone("call me").unwrap_err().field, "phone");
    }
}
