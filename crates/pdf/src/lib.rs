//! Doorstep's printable documents: an invoice, an estimate or an account statement, described
//! as plain data, rendered to PDF bytes.
//!
//! The crate does no I/O and knows nothing of the database: the web layer fills a [`Document`]
//! (with amounts already formatted as money) and sends what [`render`] returns. Text is set in
//! the standard Helvetica faces with WinAnsiEncoding, so no font is embedded: Latin-1 and the
//! euro sign print as typed, any other character prints as '?'. Output is deterministic: the
//! same document gives the same bytes.

mod font;
mod layout;
mod logo;
mod wrap;
mod write;

/// A document to print: an invoice, an estimate or a statement.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The heading, e.g. "Invoice INV-1042"; also the PDF's title.
    pub title: String,
    /// The company issuing the document: name, then address, phone and email lines.
    pub company: Party,
    /// The company's logo (PNG or JPEG bytes), drawn top-left and scaled to fit; skipped when
    /// the bytes are not an image we can decode.
    pub logo_png: Option<Vec<u8>>,
    /// The brand colour for the title and rules; a neutral blue when `None`.
    pub accent: Option<(u8, u8, u8)>,
    /// Who the document is for ("Bill to").
    pub customer: Party,
    /// Labelled facts beside the customer: ("Issued", "12 Mar 2026"), ("Due", ...).
    pub facts: Vec<(String, String)>,
    /// The lines.
    pub table: Table,
    /// Subtotal, each tax, total, paid, balance due: in order, `strong` ones in bold.
    pub totals: Vec<Total>,
    /// Headed paragraphs after the totals: ("Notes", ...), ("Terms", ...).
    pub notes: Vec<(String, String)>,
    /// A line at the foot of every page, e.g. the company registration or a thank-you.
    pub footer: String,
    /// The paper size.
    pub paper: Paper,
}

/// A company or a customer: a name and the lines under it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    /// Printed in bold.
    pub name: String,
    /// Address, phone, email, tax number...: one line each (long ones wrap).
    pub lines: Vec<String>,
}

/// The lines of a document: columns and rows of pre-formatted cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The columns, left to right.
    pub columns: Vec<Column>,
    /// One cell per column in each row; long cells wrap within their column.
    pub rows: Vec<Vec<String>>,
}

/// A column of the table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Column {
    /// The header, repeated at the top of every page the table runs onto.
    pub title: String,
    /// Right for amounts and quantities.
    pub align: Align,
    /// Width relative to the other columns' weights; 0 counts as 1.
    pub weight: u8,
}

/// How a column's text sits in its cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Align {
    /// Text starts at the left edge.
    #[default]
    Left,
    /// Text ends at the right edge (numbers).
    Right,
}

/// One line of the totals block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Total {
    /// "Subtotal", "VAT 20%", "Balance due".
    pub label: String,
    /// The formatted amount, e.g. "€1,234.50".
    pub amount: String,
    /// Bold, with a rule above the first strong line.
    pub strong: bool,
}

/// The paper a document is laid out for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Paper {
    /// 210 × 297 mm.
    #[default]
    A4,
    /// 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in points.
    fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// Why a document could not be rendered: the description itself is inconsistent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// A row does not have one cell per column.
    #[error("row {row} of the table has {cells} cells for {columns} columns")]
    RowWidth {
        /// The row's index, from 0.
        row: usize,
        /// How many cells it has.
        cells: usize,
        /// How many columns the table has.
        columns: usize,
    },
}

/// Renders the document to the bytes of a PDF file.
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    let columns = doc.table.columns.len();
    if let Some((row, cells)) = doc
        .table
        .rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.len() != columns)
    {
        return Err(PdfError::RowWidth {
            row,
            cells: cells.len(),
            columns,
        });
    }
    let logo = doc.logo_png.as_deref().and_then(logo::decode);
    let pages = layout::lay_out(doc, logo.as_ref().map(|l| (l.width, l.height)));
    Ok(write::write(doc, &pages, logo.as_ref()))
}
