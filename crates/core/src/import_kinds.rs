//! The kinds of records a CSV file imports and exports (issue 18): each kind's columns,
//! in the order its template and its export write them, so an exported file imports
//! back unchanged. A row of contacts or sites names its customer in `customer` (the
//! customer's external reference, or its number).
//!
//! Cells are written formula-injection safe: a value a spreadsheet would run as a
//! formula (starting with `=`, `+`, `-` or `@`), or one starting with `'`, gets a `'`
//! in front; reading a file takes that one `'` off again, so the value comes back as it was.

use crate::customer_import::{COLUMNS, Column};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// Customer accounts.
    Customers,
    /// Contacts of customer accounts.
    Contacts,
    /// Sites (service addresses) of customer accounts.
    Sites,
    // import-jobs (issue 18)
    /// Jobs of customer accounts, found again by their external reference.
    Jobs,
    // import-invoices (issue 18)
    /// Invoices, one row per line item.
    Invoices,
}

/// A contacts file's columns: contacts are matched by their customer and email (or,
/// without an email, their name), which is how a re-import finds them.
pub const CONTACT_COLUMNS: [Column; 7] = [
    (
        "customer",
        "customer",
        "Required: the customer's external reference or number (C-1001).",
    ),
    ("first_name", "first_name", "Required: given name."),
    ("last_name", "last_name", "Family name."),
    (
        "email",
        "email",
        "Email; a row whose customer already has a contact with this email updates that contact.",
    ),
    ("phone", "phone", "Phone."),
    (
        "role",
        "role",
        "company (sees the whole account); empty means company. A site contact already there keeps its sites.",
    ),
    ("billing", "is_billing", "yes or no: receives invoices."),
];

/// A sites file's columns.
pub const SITE_COLUMNS: [Column; 9] = [
    (
        "customer",
        "customer",
        "Required: the customer's external reference or number (C-1001).",
    ),
    (
        "name",
        "site_name",
        "Required: the site's name (Home, Warehouse 2).",
    ),
    ("line1", "line1", "Required: street."),
    ("line2", "line2", "Street, second line."),
    ("city", "city", "City."),
    ("region", "region", "State or region."),
    ("postal_code", "postal_code", "Postal code."),
    ("access_notes", "access_notes", "Gate codes, dogs, parking."),
    (
        "external_ref",
        "external_ref",
        "The site's id in your other system: a row whose reference a site already has updates that site (without one, the customer's site of the same name).",
    ),
];

// import-jobs (issue 18)
/// A jobs file's columns: a job is found again by its external reference (what the
/// export writes, or the job's number for a job without one), and stays with its
/// customer. Visits are not imported: the schedule form gives a job its visit time.
pub const JOB_COLUMNS: [Column; 8] = [
    (
        "external_ref",
        "external_ref",
        "Required: the job's id in your other system; a row whose reference (or number, J-1001) a job already has updates that job.",
    ),
    (
        "customer",
        "customer",
        "Required: the customer's external reference or number (C-1001); a job cannot move to another customer.",
    ),
    (
        "site",
        "site",
        "The site's external reference or name, one of the customer's sites; empty for none.",
    ),
    ("summary", "summary", "Required: one line."),
    ("description", "description", "Longer description."),
    (
        "status",
        "status",
        "unscheduled (the default), completed or cancelled for a new job; a job already there keeps its status, so give the one it has.",
    ),
    (
        "work_order_notes",
        "work_order_notes",
        "Internal notes for the crew.",
    ),
    (
        "customer_notes",
        "customer_notes",
        "Notes the customer sees in the portal.",
    ),
];

impl ImportKind {
    /// Every kind, in the order the import page lists them.
    pub const ALL: [ImportKind; 5] = [
        ImportKind::Customers,
        ImportKind::Contacts,
        ImportKind::Sites,
        // import-jobs (issue 18)
        ImportKind::Jobs,
        // import-invoices (issue 18)
        ImportKind::Invoices,
    ];

    /// The kind a path segment or the `imports.kind` column names.
    pub fn parse(raw: &str) -> Option<ImportKind> {
        ImportKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// Its name in paths and in `imports.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Customers => "customers",
            ImportKind::Contacts => "contacts",
            ImportKind::Sites => "sites",
            // import-jobs (issue 18)
            ImportKind::Jobs => "jobs",
            // import-invoices (issue 18)
            ImportKind::Invoices => "invoices",
        }
    }

    /// How a page names it.
    pub fn label(self) -> &'static str {
        match self {
            ImportKind::Customers => "Customers",
            ImportKind::Contacts => "Contacts",
            ImportKind::Sites => "Sites",
            // import-jobs (issue 18)
            ImportKind::Jobs => "Jobs",
            // import-invoices (issue 18)
            ImportKind::Invoices => "Invoices",
        }
    }

    /// Its columns, in file order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            ImportKind::Customers => &COLUMNS,
            ImportKind::Contacts => &CONTACT_COLUMNS,
            ImportKind::Sites => &SITE_COLUMNS,
            // import-jobs (issue 18)
            ImportKind::Jobs => &JOB_COLUMNS,
            // import-invoices (issue 18)
            ImportKind::Invoices => &crate::invoice_import::INVOICE_COLUMNS,
        }
    }

    /// The downloadable template: the header and one example row.
    pub fn template_csv(self) -> String {
        match self {
            ImportKind::Customers => crate::customer_import::template_csv(),
            ImportKind::Contacts => csv_text(
                self.columns(),
                &[&[
                    "CRM-0001",
                    "Ada",
                    "Lovelace",
                    "ada@example.com",
                    "+1 555 0100",
                    "company",
                    "yes",
                ]],
            ),
            ImportKind::Sites => csv_text(
                self.columns(),
                &[&[
                    "CRM-0001",
                    "Home",
                    "12 Analytical Way",
                    "",
                    "Springfield",
                    "IL",
                    "62701",
                    "Gate code 1234",
                    "SITE-0001",
                ]],
            ),
            // import-jobs (issue 18)
            ImportKind::Jobs => csv_text(
                self.columns(),
                &[&[
                    "JOB-0001",
                    "CRM-0001",
                    "SITE-0001",
                    "Replace the kitchen tap",
                    "Dripping since March.",
                    "completed",
                    "Shut-off valve under the sink.",
                    "",
                ]],
            ),
            // import-invoices (issue 18)
            ImportKind::Invoices => {
                let rows = crate::invoice_import::TEMPLATE_ROWS;
                let rows: Vec<&[&str]> = rows.iter().map(|r| &r[..]).collect();
                csv_text(self.columns(), &rows)
            }
        }
    }
}

/// `columns`' header then `rows`, each cell made safe ([`csv_line`]).
pub fn csv_text(columns: &[Column], rows: &[&[&str]]) -> String {
    let mut out = csv_line(columns.iter().map(|(h, _, _)| *h));
    for row in rows {
        out.push_str(&csv_line(row.iter().copied()));
    }
    out
}

/// One CSV line (CRLF ended) of `cells`: each quoted when it holds a comma, a quote or
/// a line break, and prefixed with `'` when a spreadsheet would run it as a formula.
pub fn csv_line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut line = String::new();
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let safe = if cell.starts_with(['=', '+', '-', '@', '\'']) {
            format!("'{cell}")
        } else {
            cell.to_owned()
        };
        if safe.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&safe.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(&safe);
        }
    }
    line.push_str("\r\n");
    line
}

/// A cell as read from a file: the `'` an export put in front of a value a spreadsheet
/// would run as a formula taken off again.
pub fn unescape_cell(raw: &str) -> &str {
    match raw.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\'']) => rest,
        _ => raw,
    }
}

/// The `billing` column and other yes/no cells as an export writes them.
pub fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::customer_import::read_columns;

    #[test]
    fn formulas_are_defused_and_read_back_unchanged() {
        let line = csv_line(["=SUM(A1)", "+1 555", "-3", "@x", "'q", "plain", "a,\"b\""]);
        assert_eq!(
            line,
            "'=SUM(A1),'+1 555,'-3,'@x,''q,plain,\"a,\"\"b\"\"\"\r\n"
        );
        for v in ["=SUM(A1)", "+1 555", "-3", "@x", "'q", "plain", "'plain"] {
            let cell = csv_line([v]);
            let cell = cell.trim_end().trim_matches('"');
            assert_eq!(unescape_cell(cell), v);
        }
    }

    #[test]
    fn every_template_reads_back() {
        for kind in ImportKind::ALL {
            let (rows, errors) =
                read_columns(kind.template_csv().as_bytes(), None, kind.columns(), "rows").unwrap();
            assert!(errors.is_empty(), "{kind:?}");
            assert!(!rows.is_empty(), "{kind:?}");
            assert_eq!(ImportKind::parse(kind.as_str()), Some(kind));
        }
    }
}
