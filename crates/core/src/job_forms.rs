//! Job forms (checklists) the office keeps on a job, and the rules for a job's files: what
//! a checklist may hold, and when it may still change.

use crate::validation::Invalid;

/// Longest checklist title, in characters.
pub const FORM_TITLE_MAX: usize = 120;
/// Longest checklist item, in characters.
pub const FORM_ITEM_MAX: usize = 200;
/// Most items on one checklist.
pub const FORM_ITEMS_MAX: usize = 50;
/// Longest note on a checklist, in characters.
pub const FORM_NOTE_MAX: usize = 2000;
/// Most files the office adds to a job at once.
pub const JOB_FILES_AT_ONCE: usize = 4;

/// A checklist's title: trimmed, present, one line.
pub fn parse_form_title(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Invalid::new("title", "Enter a title for the checklist."));
    }
    if s.chars().count() > FORM_TITLE_MAX || s.chars().any(char::is_control) {
        return Err(Invalid::new(
            "title",
            format!("Keep the title to one line of {FORM_TITLE_MAX} characters or fewer."),
        ));
    }
    Ok(s.to_owned())
}

/// A checklist's items typed one per line: blank lines are skipped; at least one and at
/// most [`FORM_ITEMS_MAX`], each at most [`FORM_ITEM_MAX`] characters.
pub fn parse_form_items(raw: &str) -> Result<Vec<String>, Invalid> {
    let items: Vec<String> = raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if items.is_empty() {
        return Err(Invalid::new(
            "items",
            "Type at least one item, one per line.",
        ));
    }
    if items.len() > FORM_ITEMS_MAX {
        return Err(Invalid::new(
            "items",
            format!(
                "A checklist holds at most {FORM_ITEMS_MAX} items; you typed {}.",
                items.len()
            ),
        ));
    }
    if let Some(long) = items
        .iter()
        .find(|i| i.chars().count() > FORM_ITEM_MAX || i.chars().any(char::is_control))
    {
        let start: String = long.chars().take(30).collect();
        return Err(Invalid::new(
            "items",
            format!(
                "Keep each item to {FORM_ITEM_MAX} characters or fewer (\u{201c}{start}\u{2026}\u{201d} is longer)."
            ),
        ));
    }
    Ok(items)
}

/// A checklist's note: trimmed, at most [`FORM_NOTE_MAX`] characters, line breaks kept.
pub fn parse_form_note(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let bad_control = s
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t');
    if s.chars().count() > FORM_NOTE_MAX || bad_control {
        return Err(Invalid::new(
            "note",
            format!("Keep the note to {FORM_NOTE_MAX} characters or fewer."),
        ));
    }
    Ok(s.replace("\r\n", "\n"))
}

/// The ticked items of a checklist of `count` items from the indexes a form sent:
/// an index that is not one of the items is refused.
pub fn ticked_items(count: usize, sent: &[&str]) -> Result<Vec<bool>, Invalid> {
    let mut ticked = vec![false; count];
    for raw in sent {
        let slot = raw
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|i| ticked.get_mut(i));
        match slot {
            Some(t) => *t = true,
            None => return Err(Invalid::new("items", "Tick items of this checklist only.")),
        }
    }
    Ok(ticked)
}

/// Whether a checklist may still change: only until it is marked completed.
pub fn form_open(completed: bool) -> bool {
    !completed
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn titles_items_and_notes_are_checked() {
        assert_eq!(parse_form_title("  Safety check ").unwrap(), "Safety check");
        assert_eq!(parse_form_title(" ").unwrap_err().field, "title");
        assert!(parse_form_title(&"x".repeat(FORM_TITLE_MAX + 1)).is_err());
        assert!(parse_form_title("a\nb").is_err());
        assert_eq!(
            parse_form_items("Gas off\n\n  Vent clear \r\n").unwrap(),
            ["Gas off", "Vent clear"]
        );
        assert_eq!(parse_form_items(" \n ").unwrap_err().field, "items");
        assert!(parse_form_items(&"a\n".repeat(FORM_ITEMS_MAX + 1)).is_err());
        assert!(parse_form_items(&"y".repeat(FORM_ITEM_MAX + 1)).is_err());
        assert_eq!(parse_form_note(" ok\r\nfine ").unwrap(), "ok\nfine");
        assert!(parse_form_note(&"n".repeat(FORM_NOTE_MAX + 1)).is_err());
        assert!(parse_form_note("bell\u{7}").is_err());
    }

    #[test]
    fn ticks_name_items_of_the_checklist() {
        assert_eq!(ticked_items(3, &["0", "2"]).unwrap(), [true, false, true]);
        assert_eq!(ticked_items(2, &[]).unwrap(), [false, false]);
        assert!(ticked_items(2, &["2"]).is_err());
        assert!(ticked_items(2, &["x"]).is_err());
        assert!(form_open(false) && !form_open(true));
    }
}
