//! Which of a kind's columns each column of an uploaded file is read as (issue 18), for
//! every kind alike: guessed from the file's headers, chosen by the person on the mapping
//! page, checked (each required column chosen, none chosen twice) and stored with the
//! import as text. A kind's columns are its `ImportKind::columns()`; a column is required
//! when it is the first (the one a file must have) or its help starts with "Required", so
//! a new kind's required columns are enforced the moment its columns say so.

use crate::customer_import::Column;
use crate::validation::Invalid;

/// Which of the kind's columns each column of a file is read as (`None`: ignored), by
/// position in the kind's columns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mapping(pub Vec<Option<usize>>);

/// Why a mapping chosen on the page is refused, each reason where the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MappingErrors {
    /// (column of the file, message): a choice that is no column of the kind, or one
    /// made for two columns.
    pub columns: Vec<(usize, String)>,
    /// (header of a required column, message): required, and no column is read as it.
    pub missing: Vec<(&'static str, String)>,
}

impl MappingErrors {
    /// Every message in one sentence run, for a page or an error with one place to say it.
    pub fn summary(&self) -> String {
        let mut seen: Vec<&str> = Vec::new();
        for m in self.columns.iter().map(|(_, m)| m.as_str()) {
            if !seen.contains(&m) {
                seen.push(m);
            }
        }
        seen.extend(self.missing.iter().map(|(_, m)| m.as_str()));
        seen.join(" ")
    }

    /// The message about column `i` of the file, if any.
    pub fn of_column(&self, i: usize) -> Option<&str> {
        self.columns
            .iter()
            .find(|(c, _)| *c == i)
            .map(|(_, m)| m.as_str())
    }

    /// The message about required column `header`, if it was left out.
    pub fn of_missing(&self, header: &str) -> Option<&str> {
        self.missing
            .iter()
            .find(|(h, _)| *h == header)
            .map(|(_, m)| m.as_str())
    }
}

/// Whether column `i` of `columns` must be read from some column of the file.
pub fn is_required(columns: &[Column], i: usize) -> bool {
    i == 0
        || columns
            .get(i)
            .is_some_and(|(_, _, help)| help.starts_with("Required"))
}

/// The headers of `columns` that must be read from some column of the file.
pub fn required(columns: &[Column]) -> Vec<&'static str> {
    columns
        .iter()
        .enumerate()
        .filter(|(i, _)| is_required(columns, *i))
        .map(|(_, (h, _, _))| *h)
        .collect()
}

impl Mapping {
    /// Checks a mapping chosen on the page (one of `columns`' headers, or empty for
    /// Ignore, for each column of the file): every required column read from a column,
    /// and none from two.
    pub fn parse(columns: &'static [Column], chosen: &[&str]) -> Result<Mapping, MappingErrors> {
        let mut errors = MappingErrors::default();
        let mut out = Vec::with_capacity(chosen.len());
        for (i, c) in chosen.iter().enumerate() {
            let c = c.trim();
            if c.is_empty() {
                out.push(None);
                continue;
            }
            match columns.iter().position(|(h, _, _)| *h == c) {
                Some(at) => out.push(Some(at)),
                None => {
                    errors
                        .columns
                        .push((i, format!("\"{c}\" is not a column of this import.")));
                    out.push(None);
                }
            }
        }
        for (i, c) in out.iter().enumerate() {
            let Some(c) = c else { continue };
            if out.iter().filter(|o| **o == Some(*c)).count() > 1 {
                let header = columns.get(*c).map_or("", |(h, _, _)| *h);
                errors.columns.push((
                    i,
                    format!("Two columns are read as \"{header}\"; choose it for one only."),
                ));
            }
        }
        for (at, (header, _, _)) in columns.iter().enumerate() {
            if is_required(columns, at) && !out.contains(&Some(at)) {
                errors.missing.push((
                    *header,
                    format!("Choose the column that holds {header}: it is required."),
                ));
            }
        }
        if errors.columns.is_empty() && errors.missing.is_empty() {
            Ok(Mapping(out))
        } else {
            Err(errors)
        }
    }

    /// The stored form: each column's chosen header (or nothing), comma separated.
    pub fn to_text(&self, columns: &[Column]) -> String {
        (0..self.0.len())
            .map(|i| self.field_of(columns, i))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The mapping of [`Mapping::to_text`], checked again (field `file` when refused).
    pub fn from_text(columns: &'static [Column], text: &str) -> Result<Mapping, Invalid> {
        Mapping::parse(columns, &text.split(',').collect::<Vec<_>>())
            .map_err(|e| Invalid::new("file", e.summary()))
    }

    /// The header of `columns` that column `i` of the file is read as, empty when ignored.
    pub fn field_of(&self, columns: &[Column], i: usize) -> &'static str {
        self.0
            .get(i)
            .copied()
            .flatten()
            .and_then(|c| columns.get(c))
            .map_or("", |(h, _, _)| *h)
    }
}

/// The column of `columns` a file's header names, if any: its header or its form field's
/// name, in any letter case, with or without spaces, hyphens and underscores (`E-mail`,
/// `First Name`, `Billing City`).
pub fn guess(columns: &[Column], raw: &str) -> Option<usize> {
    let bare = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let name = bare(raw);
    if name.is_empty() {
        return None;
    }
    columns
        .iter()
        .position(|(h, _, _)| bare(h) == name)
        .or_else(|| columns.iter().position(|(_, f, _)| bare(f) == name))
}

/// The column of `columns` each of a file's `headers` is first read as ([`guess`]; empty
/// for none, and for a header naming a column an earlier header already took).
pub fn guess_all(columns: &[Column], headers: &[String]) -> Vec<&'static str> {
    let mut taken = Vec::new();
    headers
        .iter()
        .map(|h| match guess(columns, h) {
            Some(c) if !taken.contains(&c) => {
                taken.push(c);
                columns.get(c).map_or("", |(h, _, _)| *h)
            }
            _ => "",
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::import_kinds::{CONTACT_COLUMNS, SITE_COLUMNS};

    #[test]
    fn required_columns_come_from_the_columns_help() {
        assert_eq!(required(&crate::customer_import::COLUMNS), ["name"]);
        assert_eq!(required(&CONTACT_COLUMNS), ["customer", "first_name"]);
        assert_eq!(required(&SITE_COLUMNS), ["customer", "name", "line1"]);
    }

    #[test]
    fn renamed_headers_are_guessed_once_each() {
        let headers: Vec<String> = ["Customer Ref", "First Name", "E-mail", "Email", "Billing"]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(
            guess_all(&CONTACT_COLUMNS, &headers),
            ["", "first_name", "email", "", "billing"]
        );
        assert_eq!(
            guess(&SITE_COLUMNS, "Site Name"),
            Some(1),
            "by its form field"
        );
        assert_eq!(guess(&SITE_COLUMNS, "  "), None);
    }

    #[test]
    fn a_chosen_mapping_names_each_problem_where_it_is() {
        let e = Mapping::parse(
            &CONTACT_COLUMNS,
            &["first_name", "email", "first_name", "colour"],
        )
        .unwrap_err();
        assert_eq!(e.of_column(0), e.of_column(2));
        assert!(e.of_column(0).unwrap().contains("Two columns"));
        assert!(e.of_column(3).unwrap().contains("\"colour\""));
        assert!(e.of_column(1).is_none());
        assert!(
            e.of_missing("customer")
                .unwrap()
                .contains("customer: it is required")
        );
        assert!(e.of_missing("first_name").is_none());
        assert_eq!(e.summary().matches("Two columns").count(), 1);

        let m = Mapping::parse(&CONTACT_COLUMNS, &["customer", "", "first_name"]).unwrap();
        assert_eq!(m.to_text(&CONTACT_COLUMNS), "customer,,first_name");
        assert_eq!(
            Mapping::from_text(&CONTACT_COLUMNS, "customer,,first_name").unwrap(),
            m
        );
        assert!(Mapping::from_text(&CONTACT_COLUMNS, ",,first_name").is_err());
        assert_eq!(m.field_of(&CONTACT_COLUMNS, 2), "first_name");
        assert_eq!(m.field_of(&CONTACT_COLUMNS, 1), "");
    }
}
