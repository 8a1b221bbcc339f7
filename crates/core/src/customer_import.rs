//! The rules of a customers CSV file (issue 18): what a file must be (UTF-8, comma
//! separated, at most [`MAX_FILE_BYTES`] and [`MAX_ROWS`] rows), which columns it may
//! have, and how each row is numbered as a spreadsheet shows it. Each row's values are
//! then checked by the same rules as the customer form (`customers::check_*`).

use crate::Invalid;

/// The largest file accepted, checked before it is read.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// The most rows one file may carry.
pub const MAX_ROWS: usize = 200_000;
/// Bad rows an answer lists at most (the count says how many there were).
pub const MAX_ROW_ERRORS: usize = 200;

/// A column a file may have, as the template names it: (header, the form field its
/// value is checked as, what to write in it).
pub type Column = (&'static str, &'static str, &'static str);

/// The columns a customers file may have, as the template names them: (header, the form
/// field its value is checked as, what to write in it).
pub const COLUMNS: [Column; 14] = [
    ("name", "name", "Required: the household or business name."),
    (
        "type",
        "kind",
        "residential or commercial; empty means residential.",
    ),
    ("email", "email", "The account's email address."),
    ("phone", "phone", "Main phone."),
    ("mobile", "mobile_phone", "Second phone."),
    ("billing_line1", "billing_line1", "Billing street."),
    (
        "billing_line2",
        "billing_line2",
        "Billing street, second line.",
    ),
    ("billing_city", "billing_city", "City."),
    ("billing_region", "billing_region", "State or region."),
    ("billing_postal_code", "billing_postal_code", "Postal code."),
    (
        "external_ref",
        "external_ref",
        "The id in your other system: a row whose reference (or customer number) a customer already has updates that customer.",
    ),
    ("notes", "notes", "Office notes."),
    ("tax_exempt", "tax_exempt", "yes or no; empty means no."),
    (
        "payment_terms_days",
        "payment_terms_days",
        "Days an invoice is due, 0 to 365; empty means the company's terms.",
    ),
];

/// One data row of the file: its row number as a spreadsheet shows it (the header is
/// row 1) and a value for each of [`COLUMNS`] (empty for a column the file lacks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    /// Row number as a spreadsheet shows it.
    pub row: usize,
    /// Values in the order of the kind's columns ([`COLUMNS`] for customers).
    pub values: Vec<String>,
    /// The kind's columns the values follow.
    pub columns: &'static [Column],
}

impl CsvRow {
    /// The value of column `header` (one of the kind's columns).
    pub fn get(&self, header: &str) -> &str {
        self.columns
            .iter()
            .position(|(h, _, _)| *h == header)
            .and_then(|i| self.values.get(i))
            .map_or("", String::as_str)
    }
}

/// A row the import refuses: its number, the column, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Row number as a spreadsheet shows it; 0 for the file as a whole.
    pub row: usize,
    /// The column's header, or empty for the row as a whole.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

impl RowError {
    /// The error of form field `field` (as `Invalid` names it) on `row`.
    pub fn of_field(row: usize, e: &Invalid) -> Self {
        RowError {
            row,
            column: column_of_field(e.field).to_owned(),
            message: e.message.clone(),
        }
    }

    /// How a page lists it: `Row 17: email — Enter an email address…`.
    pub fn line(&self) -> String {
        if self.row == 0 {
            self.message.clone()
        } else if self.column.is_empty() {
            format!("Row {}: {}", self.row, self.message)
        } else {
            format!("Row {}: {} — {}", self.row, self.column, self.message)
        }
    }
}

/// The header of the column whose values are checked as form field `field`.
pub fn column_of_field(field: &str) -> &str {
    COLUMNS
        .iter()
        .find(|(_, f, _)| *f == field)
        .map_or(field, |(h, _, _)| h)
}

/// The downloadable template: the header and one example row.
pub fn template_csv() -> String {
    let header: Vec<&str> = COLUMNS.iter().map(|(h, _, _)| *h).collect();
    format!(
        "{}\r\n{}\r\n",
        header.join(","),
        "Ada Lovelace,residential,ada@example.com,+1 555 0100,,12 Analytical Way,,Springfield,IL,62701,CRM-0001,Gate code 1234,no,30"
    )
}

/// The file's field name in [`Invalid`]s about the file as a whole.
const FILE: &str = "file";

/// The file's text: refuses one over [`MAX_FILE_BYTES`], one not in UTF-8 (a byte order
/// mark is allowed), an empty one and one whose header is not comma separated.
fn decode(bytes: &[u8]) -> Result<&str, Invalid> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        Invalid::new(
            FILE,
            format!(
                "The file is not UTF-8 text: line {line} has a character in another encoding (Latin-1 or Windows-1252, perhaps). Save it as \"CSV UTF-8\" and upload it again."
            ),
        )
    })?;
    let first_line = text.lines().next().unwrap_or("").trim();
    if first_line.is_empty() {
        return Err(Invalid::new(
            FILE,
            "The file is empty: its first row must name the columns (download the template).",
        ));
    }
    if !first_line.contains(',') {
        for (sep, name) in [(';', "semicolons"), ('\t', "tabs"), ('|', "vertical bars")] {
            if first_line.contains(sep) {
                return Err(Invalid::new(
                    FILE,
                    format!(
                        "The columns are separated by {name}, not commas. Save the file as CSV with commas (\"CSV UTF-8 (comma delimited)\") and upload it again."
                    ),
                ));
            }
        }
    }
    Ok(text)
}

pub use crate::import_mapping::Mapping;

/// The file's header and its first `n` rows as they will be read (for the mapping
/// page), after the same checks of the file as a whole as [`read_csv`].
pub fn peek(bytes: &[u8], n: usize) -> Result<(Vec<String>, Vec<Vec<String>>), Invalid> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|_| unreadable())?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records().take(n) {
        let record = record.map_err(|_| unreadable())?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok((header, rows))
}

/// Reads a customers file: refuses one over [`MAX_FILE_BYTES`], one not in UTF-8 (a byte
/// order mark is allowed), one whose header is not comma separated, one whose header
/// names an unknown column, repeats one or lacks `name`, an empty one and one over
/// [`MAX_ROWS`] rows. Rows whose count of values differs from the header's are answered
/// as [`RowError`]s; fully empty rows are skipped (their numbers still count).
pub fn read_csv(bytes: &[u8]) -> Result<(Vec<CsvRow>, Vec<RowError>), Invalid> {
    read_mapped(bytes, None)
}

/// [`read_csv`] with the columns read as `mapping` says (`None`: by their headers).
pub fn read_mapped(
    bytes: &[u8],
    mapping: Option<&Mapping>,
) -> Result<(Vec<CsvRow>, Vec<RowError>), Invalid> {
    read_columns(bytes, mapping, &COLUMNS, "customers")
}

/// Reads a file of `what` (`contacts`, `sites`…) whose columns are `columns` (the first
/// one required), by the same rules as a customers file ([`read_csv`]).
pub fn read_columns(
    bytes: &[u8],
    mapping: Option<&Mapping>,
    columns: &'static [Column],
    what: &str,
) -> Result<(Vec<CsvRow>, Vec<RowError>), Invalid> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|_| unreadable())?.clone();
    let mut index: Vec<Option<usize>> = vec![None; columns.len()];
    if let Some(mapping) = mapping {
        if mapping.0.len() != header.len() {
            return Err(Invalid::new(
                FILE,
                "The file's columns changed since they were matched; upload it again.",
            ));
        }
        for (i, c) in mapping.0.iter().enumerate() {
            if let Some(c) = c.and_then(|c| index.get_mut(c)) {
                *c = Some(i);
            }
        }
    }
    for (i, raw) in header.iter().enumerate().filter(|_| mapping.is_none()) {
        let name = raw.trim().to_lowercase().replace([' ', '-'], "_");
        if name.is_empty() {
            continue;
        }
        let Some(c) = columns.iter().position(|(h, _, _)| *h == name) else {
            return Err(Invalid::new(
                FILE,
                format!(
                    "Column {} (\"{}\") is not one this import knows. The columns are: {}.",
                    i + 1,
                    raw.trim(),
                    columns
                        .iter()
                        .map(|(h, _, _)| *h)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        if index[c].is_some() {
            return Err(Invalid::new(
                FILE,
                format!("The column \"{name}\" appears twice in the first row."),
            ));
        }
        index[c] = Some(i);
    }
    if index[0].is_none() {
        return Err(Invalid::new(
            FILE,
            format!(
                "The first row must name the columns, and one must be \"{}\" (download the template).",
                columns.first().map_or("name", |(h, _, _)| *h)
            ),
        ));
    }
    let width = header.len();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let row = n + 2;
        let record = record.map_err(|_| unreadable())?;
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(Invalid::new(
                FILE,
                format!("The file has more than {MAX_ROWS} rows; split it into smaller files."),
            ));
        }
        if record.len() != width {
            errors.push(RowError {
                row,
                column: String::new(),
                message: format!(
                    "it has {} values but the first row names {width} columns.",
                    record.len()
                ),
            });
            continue;
        }
        let values = index
            .iter()
            .map(|i| {
                let raw = i.and_then(|i| record.get(i)).unwrap_or("");
                crate::import_kinds::unescape_cell(raw).to_owned()
            })
            .collect();
        rows.push(CsvRow {
            row,
            values,
            columns,
        });
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(Invalid::new(
            FILE,
            format!("The file has no rows of {what} under its first row."),
        ));
    }
    Ok((rows, errors))
}

/// How often a running import records its progress (its heartbeat).
pub const IMPORT_HEARTBEAT: time::Duration = time::Duration::seconds(1);

/// How long an import's heartbeat may be silent before it counts as stopped (its node
/// went away mid-run, so its transaction rolled back). Generous: on SQLite the heartbeat
/// cannot be written while the import's own transaction holds the write lock.
pub const IMPORT_LEASE: time::Duration = time::Duration::minutes(2);

/// Whether an import still queued or running, last heard of at `heartbeat`, has
/// stopped by `now`.
pub fn import_stopped(heartbeat: time::OffsetDateTime, now: time::OffsetDateTime) -> bool {
    now - heartbeat > IMPORT_LEASE
}

/// The message for a file over [`MAX_FILE_BYTES`].
pub fn too_large() -> Invalid {
    Invalid::new(
        FILE,
        format!(
            "The file is larger than {} MB; split it into smaller files.",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
}

fn unreadable() -> Invalid {
    Invalid::new(
        FILE,
        "The file could not be read as CSV. Save it from your spreadsheet as \"CSV UTF-8\" and upload it again.",
    )
}

/// The `type` column: `residential` or `commercial` in any letter case; empty means
/// residential. Answers the form's value (checked by `CustomerKind::parse`).
pub fn kind_value(raw: &str) -> String {
    let v = raw.trim().to_lowercase();
    if v.is_empty() {
        "residential".to_owned()
    } else {
        v
    }
}

/// The `tax_exempt` column: yes/no, true/false, 1/0, y/n in any letter case; empty means no.
pub fn check_yes_no(field: &'static str, raw: &str) -> Result<bool, Invalid> {
    match raw.trim().to_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => Ok(false),
        "yes" | "y" | "true" | "1" => Ok(true),
        _ => Err(Invalid::new(field, "Enter yes or no.")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn a_mapping_reads_columns_under_any_header() {
        use super::{COLUMNS, Mapping, peek, read_mapped};
        use crate::import_mapping::guess;
        let file = b"Full Name;x\n".to_vec();
        assert!(peek(&file, 5).unwrap_err().message.contains("semicolons"));
        let file = b"Client,E-mail,Junk\nAda,ada@example.test,zz\nBo,,yy\n";
        let (header, rows) = peek(file, 5).unwrap();
        assert_eq!(header, ["Client", "E-mail", "Junk"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(guess(&COLUMNS, "E-mail"), Some(2));
        assert_eq!(guess(&COLUMNS, "Client"), None);
        assert!(
            Mapping::parse(&COLUMNS, &["", "email", ""])
                .unwrap_err()
                .summary()
                .contains("name")
        );
        assert!(
            Mapping::parse(&COLUMNS, &["name", "name", ""])
                .unwrap_err()
                .summary()
                .contains("Two columns")
        );
        let m = Mapping::parse(&COLUMNS, &["name", "email", ""]).unwrap();
        assert_eq!(
            Mapping::from_text(&COLUMNS, &m.to_text(&COLUMNS)).unwrap(),
            m
        );
        let (rows, errors) = read_mapped(file, Some(&m)).unwrap();
        assert!(errors.is_empty());
        assert_eq!(
            (
                rows[0].get("name"),
                rows[0].get("email"),
                rows[0].get("notes")
            ),
            ("Ada", "ada@example.test", "")
        );
        let short = Mapping::parse(&COLUMNS, &["name"]).unwrap();
        assert!(read_mapped(file, Some(&short)).is_err());
    }

    #[test]
    fn an_import_stops_when_its_lease_runs_out() {
        let at = time::macros::datetime!(2030-01-01 12:00 UTC);
        assert!(!super::import_stopped(at, at + super::IMPORT_LEASE));
        assert!(super::import_stopped(
            at,
            at + super::IMPORT_LEASE + time::Duration::seconds(1)
        ));
    }

    use super::*;

    #[test]
    fn a_good_file_reads_with_spreadsheet_row_numbers() {
        let file =
            "\u{feff}Name,Email,Type\r\nAda,ada@example.com,Commercial\r\n,,\r\n\"Bo, Jr\",,\r\n";
        let (rows, errors) = read_csv(file.as_bytes()).unwrap();
        assert!(errors.is_empty());
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].row, rows[0].get("name")), (2, "Ada"));
        assert_eq!(rows[0].get("type"), "Commercial");
        assert_eq!(rows[0].get("phone"), "");
        assert_eq!((rows[1].row, rows[1].get("name")), (4, "Bo, Jr"));
    }

    #[test]
    fn the_template_reads_back() {
        let (rows, errors) = read_csv(template_csv().as_bytes()).unwrap();
        assert!(errors.is_empty());
        assert_eq!(rows[0].get("external_ref"), "CRM-0001");
    }

    #[test]
    fn wrong_files_are_refused_with_the_reason() {
        let semi = read_csv(b"name;email\nAda;a@b.c\n").unwrap_err();
        assert!(semi.message.contains("semicolons"), "{}", semi.message);
        let tabs = read_csv(b"name\temail\nAda\ta@b.c\n").unwrap_err();
        assert!(tabs.message.contains("tabs"));
        let latin1 = read_csv(b"name,city\nAda,Z\xfcrich\n").unwrap_err();
        assert!(latin1.message.contains("not UTF-8") && latin1.message.contains("line 2"));
        assert!(read_csv(b"").unwrap_err().message.contains("empty"));
        assert!(
            read_csv(b"name,colour\nAda,red\n")
                .unwrap_err()
                .message
                .contains("colour")
        );
        assert!(
            read_csv(b"email\na@b.c\n")
                .unwrap_err()
                .message
                .contains("\"name\"")
        );
        assert!(
            read_csv(b"name,name\nA,B\n")
                .unwrap_err()
                .message
                .contains("twice")
        );
        assert!(read_csv(b"name\n").unwrap_err().message.contains("no rows"));
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert!(read_csv(&big).unwrap_err().message.contains("20 MB"));
    }

    #[test]
    fn a_row_of_the_wrong_width_is_named() {
        let (rows, errors) = read_csv(b"name,email\nAda,a@b.c\nBo\n").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(errors[0].row, 3);
        assert!(errors[0].line().starts_with("Row 3: it has 1 values"));
    }

    #[test]
    fn yes_no_and_kind_values() {
        assert_eq!(check_yes_no("tax_exempt", " Yes "), Ok(true));
        assert_eq!(check_yes_no("tax_exempt", ""), Ok(false));
        assert!(check_yes_no("tax_exempt", "maybe").is_err());
        assert_eq!(kind_value(""), "residential");
        assert_eq!(kind_value("Commercial"), "commercial");
        assert_eq!(column_of_field("mobile_phone"), "mobile");
        assert_eq!(column_of_field("kind"), "type");
        let e = RowError::of_field(17, &Invalid::new("email", "not an email address"));
        assert_eq!(e.line(), "Row 17: email — not an email address");
    }
}
