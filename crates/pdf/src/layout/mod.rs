//! Laying a document out on pages: where each piece of text, rule and the logo goes. The result
//! is a list of drawing operations per page that `write` turns into PDF.

mod closing;
mod front;
mod table;

use crate::Document;
use crate::font::{Face, encode};
use crate::wrap::wrap;

/// A colour, each component in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgb(pub(crate) f32, pub(crate) f32, pub(crate) f32);

/// One thing drawn on a page; coordinates in points from the bottom-left corner.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// Encoded text starting at `x` on the baseline `y`.
    Text {
        x: f32,
        y: f32,
        face: Face,
        size: f32,
        color: Rgb,
        text: Vec<u8>,
    },
    /// A filled rectangle.
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    /// A horizontal rule.
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
        color: Rgb,
    },
    /// The logo, stretched to this box (the box keeps its proportions).
    Logo { x: f32, y: f32, w: f32, h: f32 },
}

const MARGIN_X: f32 = 42.0;
const MARGIN_TOP: f32 = 42.0;
const MARGIN_BOTTOM: f32 = 34.0;
const LOGO_BOX: (f32, f32) = (160.0, 60.0);
/// Space the "continued" heading takes at the top of pages after the first.
const CONTINUED: f32 = 24.0;

const INK: Rgb = Rgb(0.13, 0.13, 0.13);
const MUTED: Rgb = Rgb(0.40, 0.40, 0.40);
const HAIRLINE: Rgb = Rgb(0.80, 0.80, 0.80);
const DEFAULT_ACCENT: (u8, u8, u8) = (0x1f, 0x4e, 0x8c);

const BODY: f32 = 9.0;
const BODY_LEADING: f32 = 12.0;
const CELL: f32 = 9.0;
const CELL_LEADING: f32 = 11.5;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 4.0;
const HEAD: f32 = 8.5;
const HEAD_LEADING: f32 = 11.0;
const FOOT: f32 = 8.0;
const FOOT_LEADING: f32 = 10.0;

/// The baseline of a line of text of `size` centred in a line box of `leading` whose top is
/// `top` (0.718 is Helvetica's cap height).
fn baseline(top: f32, leading: f32, size: f32) -> f32 {
    top - (leading + 0.718 * size) / 2.0
}

/// The pages of the document, each a list of operations.
pub(crate) fn lay_out(doc: &Document, logo: Option<(u32, u32)>) -> Vec<Vec<Op>> {
    let (width, height) = doc.paper.size();
    let (r, g, b) = doc.accent.unwrap_or(DEFAULT_ACCENT);
    let accent = Rgb(
        f32::from(r) / 255.0,
        f32::from(g) / 255.0,
        f32::from(b) / 255.0,
    );
    let luminance = 0.2126 * accent.0 + 0.7152 * accent.1 + 0.0722 * accent.2;
    let mix = |c: f32| c * 0.12 + 0.88;
    let footer = wrap(
        &doc.footer,
        Face::Regular,
        FOOT,
        width - 2.0 * MARGIN_X - 90.0,
    );
    let footer_height = footer.len() as f32 * FOOT_LEADING;
    let mut sheet = Sheet {
        doc,
        left: MARGIN_X,
        right: width - MARGIN_X,
        top: height - MARGIN_TOP,
        bottom: MARGIN_BOTTOM + footer_height + 14.0,
        accent,
        // A pale brand colour would make an unreadable title: print it in ink instead.
        title_color: if luminance > 0.6 { INK } else { accent },
        tint: Rgb(mix(accent.0), mix(accent.1), mix(accent.2)),
        pages: Vec::new(),
        y: 0.0,
        at_table_top: false,
    };
    sheet.new_page();
    sheet.header(logo);
    sheet.parties();
    sheet.table();
    sheet.totals();
    sheet.notes();
    sheet.footers(&footer);
    sheet.pages
}

struct Sheet<'a> {
    doc: &'a Document,
    left: f32,
    right: f32,
    /// The top of the body on every page.
    top: f32,
    /// The lowest the body may reach, above the footer.
    bottom: f32,
    accent: Rgb,
    title_color: Rgb,
    tint: Rgb,
    pages: Vec<Vec<Op>>,
    /// The top of the free space on the current page.
    y: f32,
    /// Whether nothing but the table header is on this page yet (a row that does not fit
    /// here is split rather than moved, so a huge row cannot loop forever).
    at_table_top: bool,
}

impl Sheet<'_> {
    fn width(&self) -> f32 {
        self.right - self.left
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn text(&mut self, x: f32, y: f32, face: Face, size: f32, color: Rgb, text: Vec<u8>) {
        if !text.is_empty() {
            self.push(Op::Text {
                x,
                y,
                face,
                size,
                color,
                text,
            });
        }
    }

    fn text_right(&mut self, right: f32, y: f32, face: Face, size: f32, color: Rgb, text: Vec<u8>) {
        let x = right - face.width(&text, size);
        self.text(x, y, face, size, color, text);
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top;
        if self.pages.len() > 1 {
            let title = encode(&self.doc.title);
            let y = baseline(self.top, 12.0, BODY);
            self.text(self.left, y, Face::Bold, BODY, MUTED, title);
            self.y -= CONTINUED;
        }
    }

    fn fits(&self, height: f32) -> bool {
        self.y - height >= self.bottom
    }

    /// The height of the body on a page after the first.
    fn page_room(&self) -> f32 {
        self.top - CONTINUED - self.bottom
    }

    /// Starts a new page unless `height` fits on this one.
    fn ensure(&mut self, height: f32) {
        if !self.fits(height) {
            self.new_page();
        }
    }

    /// The footer line and "Page N of M" on every page, now that the count is known.
    fn footers(&mut self, footer: &[Vec<u8>]) {
        let count = self.pages.len();
        let top = MARGIN_BOTTOM + footer.len() as f32 * FOOT_LEADING;
        let (left, right) = (self.left, self.right);
        for (n, page) in self.pages.iter_mut().enumerate() {
            page.push(Op::Rule {
                x1: left,
                x2: right,
                y: top + 6.0,
                width: 0.5,
                color: HAIRLINE,
            });
            for (k, line) in footer.iter().enumerate() {
                let y = baseline(top - k as f32 * FOOT_LEADING, FOOT_LEADING, FOOT);
                let text = line.clone();
                page.push(Op::Text {
                    x: left,
                    y,
                    face: Face::Regular,
                    size: FOOT,
                    color: MUTED,
                    text,
                });
            }
            let number = encode(&format!("Page {} of {count}", n + 1));
            let x = right - Face::Regular.width(&number, FOOT);
            let y = baseline(top, FOOT_LEADING, FOOT);
            page.push(Op::Text {
                x,
                y,
                face: Face::Regular,
                size: FOOT,
                color: MUTED,
                text: number,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, Party, Table, Total};

    fn busy_document() -> Document {
        let long = "a rather long description of the work done ".repeat(200);
        let mut rows: Vec<Vec<String>> = (0..120)
            .map(|i| {
                vec![
                    format!("Line {i} with some words"),
                    "1".into(),
                    "€9.00".into(),
                ]
            })
            .collect();
        rows.insert(7, vec![long.clone(), "1".into(), "€1,000,000.00".into()]);
        let column = |title: &str, align, weight| Column {
            title: title.into(),
            align,
            weight,
        };
        Document {
            title: "Statement of account for a customer with a long name".into(),
            company: Party {
                name: "Bolt Electric".into(),
                lines: vec![long.clone()],
            },
            customer: Party {
                name: "Zoë".into(),
                lines: vec!["1 Main St".into()],
            },
            facts: vec![("Balance".into(), "€1,234.50".into())],
            table: Table {
                columns: vec![
                    column("Description", crate::Align::Left, 0),
                    column("Qty", crate::Align::Right, 1),
                    column("Amount", crate::Align::Right, 2),
                ],
                rows,
            },
            totals: vec![Total {
                label: "Total".into(),
                amount: "€9.00".into(),
                strong: true,
            }],
            notes: vec![("Terms".into(), long)],
            footer: "Thank you".into(),
            ..Document::default()
        }
    }

    #[test]
    fn everything_stays_inside_the_margins_and_body_text_above_the_footer() {
        let doc = busy_document();
        let pages = lay_out(&doc, Some((300, 100)));
        assert!(pages.len() > 4);
        let (width, height) = doc.paper.size();
        let body_bottom = MARGIN_BOTTOM + FOOT_LEADING + 14.0;
        for (n, page) in pages.iter().enumerate() {
            for op in page {
                if let Op::Text {
                    x,
                    y,
                    face,
                    size,
                    text,
                    ..
                } = op
                {
                    let right = x + face.width(text, *size);
                    assert!(
                        *x >= MARGIN_X - 0.01 && right <= width - MARGIN_X + 0.01,
                        "{op:?}"
                    );
                    assert!(*y <= height - MARGIN_TOP, "page {n}: {op:?}");
                    if *size != FOOT {
                        assert!(*y >= body_bottom, "page {n}: {op:?} in the footer");
                    }
                }
            }
        }
    }

    #[test]
    fn each_page_after_the_first_starts_with_the_title_then_the_table_header() {
        let mut doc = busy_document();
        doc.company.lines = vec!["1 Main Street".into()];
        let pages = lay_out(&doc, None);
        assert!(pages.len() > 4);
        for page in &pages[1..] {
            let texts: Vec<&[u8]> = page
                .iter()
                .filter_map(|op| match op {
                    Op::Text { text, .. } => Some(text.as_slice()),
                    _ => None,
                })
                .collect();
            assert!(texts[0].starts_with(b"Statement of account"));
            if texts.iter().any(|t| t.starts_with(b"Line ")) {
                assert_eq!(texts[1], b"Description");
            }
        }
    }
}
