//! What the form field macros (`templates/fields.html`) need from Rust: a field's id.

use std::fmt::Display;

/// The id of a field: `id` when the page gives one (two forms on a page), else its `name`.
pub fn id(name: impl Display, id: impl Display) -> String {
    let id = id.to_string();
    if id.is_empty() { name.to_string() } else { id }
}

/// No error: the default of a field that is never refused on its own (a checkbox).
pub const NO_ERROR: Option<&str> = None;

/// Whether a macro argument was given (not the empty default): a number or a non-empty text.
pub fn given(value: impl Display) -> bool {
    !value.to_string().is_empty()
}

/// Whether an input of this `kind` shows the value typed (a password or a file never does).
pub fn keeps_value(kind: impl Display) -> bool {
    !matches!(kind.to_string().as_str(), "password" | "file")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_field_is_known_by_its_name_unless_given_an_id() {
        assert_eq!(super::id("email", ""), "email");
        assert_eq!(super::id("email", "invite-email"), "invite-email");
        assert!(super::given(120));
        assert!(!super::given(""));
        assert!(super::keeps_value("email"));
        assert!(!super::keeps_value("password"));
    }
}
