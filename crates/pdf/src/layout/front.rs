//! The top of the first page: logo, company, title, customer and facts. Drawn as rows that
//! flow onto the next page if an (absurdly) long address or fact does not fit, so nothing is
//! ever drawn over the footer or off the page.

use super::{BODY, BODY_LEADING, INK, LOGO_BOX, MUTED, Op, Rgb, Sheet, baseline};
use crate::font::{Face, encode};
use crate::wrap::wrap;

/// A line of text placed in a row: from `x` rightwards, or ending at `x` when `right`.
struct Piece {
    x: f32,
    right: bool,
    face: Face,
    size: f32,
    color: Rgb,
    text: Vec<u8>,
}

/// One row of the header: its height and what is written on it.
struct Row {
    leading: f32,
    pieces: Vec<Piece>,
}

/// Rows of lines of `text` wrapped to `width`, all in one style.
fn rows(text: &str, style: (Face, f32, f32, Rgb), x: f32, right: bool, width: f32) -> Vec<Row> {
    let (face, size, leading, color) = style;
    let pieces = wrap(text, face, size, width).into_iter();
    let piece = move |text| Piece {
        x,
        right,
        face,
        size,
        color,
        text,
    };
    pieces
        .map(|text| Row {
            leading,
            pieces: vec![piece(text)],
        })
        .collect()
}

impl Sheet<'_> {
    /// Draws a row at the current position, on a new page if it does not fit here.
    fn flow(&mut self, row: Row) {
        self.ensure(row.leading);
        for piece in row.pieces {
            let y = baseline(self.y, row.leading, piece.size);
            let Piece {
                x,
                right,
                face,
                size,
                color,
                text,
            } = piece;
            if right {
                self.text_right(x, y, face, size, color, text);
            } else {
                self.text(x, y, face, size, color, text);
            }
        }
        self.y -= row.leading;
    }

    /// Logo top-left, the company's name and details top-right, then the title.
    pub(super) fn header(&mut self, logo: Option<(u32, u32)>) {
        let top = self.y;
        let mut logo_bottom = top;
        if let Some((w, h)) = logo {
            let (w, h) = (w as f32, h as f32);
            let scale = (LOGO_BOX.0 / w).min(LOGO_BOX.1 / h);
            let (w, h) = (w * scale, h * scale);
            self.push(Op::Logo {
                x: self.left,
                y: top - h,
                w,
                h,
            });
            logo_bottom = top - h;
        }
        let block = self.width()
            - if logo.is_some() {
                LOGO_BOX.0 + 20.0
            } else {
                0.0
            };
        let company = &self.doc.company;
        let name = rows(
            &company.name,
            (Face::Bold, 13.0, 16.0, INK),
            self.right,
            true,
            block,
        );
        let style = (Face::Regular, BODY, BODY_LEADING, MUTED);
        let right = self.right;
        let lines = company
            .lines
            .iter()
            .flat_map(|l| rows(l, style, right, true, block));
        for row in name.into_iter().chain(lines) {
            self.flow(row);
        }
        if self.pages.len() == 1 {
            self.y = self.y.min(logo_bottom);
        }
        self.y -= 22.0;
        let style = (Face::Bold, 20.0, 24.0, self.title_color);
        for row in rows(&self.doc.title, style, self.left, false, self.width()) {
            self.flow(row);
        }
        self.y -= 12.0;
    }

    /// "Bill to" on the left, the labelled facts on the right, row beside row.
    pub(super) fn parties(&mut self) {
        let customer = &self.doc.customer;
        let (left, column) = (self.left, self.width() * 0.5 - 12.0);
        let mut bill_to = Vec::new();
        if !customer.name.is_empty() || !customer.lines.is_empty() {
            bill_to.extend(rows(
                "BILL TO",
                (Face::Bold, 7.5, 12.0, MUTED),
                left,
                false,
                column,
            ));
            bill_to.extend(rows(
                &customer.name,
                (Face::Bold, 10.0, 13.0, INK),
                left,
                false,
                column,
            ));
            let style = (Face::Regular, BODY, BODY_LEADING, INK);
            bill_to.extend(
                customer
                    .lines
                    .iter()
                    .flat_map(|l| rows(l, style, left, false, column)),
            );
        }

        let facts_x = self.left + self.width() * 0.55;
        let facts_width = self.right - facts_x;
        let widest = self
            .doc
            .facts
            .iter()
            .map(|(l, _)| Face::Regular.width(&encode(l), BODY));
        let label_width = (widest.fold(0.0, f32::max) + 12.0).min(facts_width * 0.5);
        let mut facts = Vec::new();
        for (label, value) in &self.doc.facts {
            let labels = rows(
                label,
                (Face::Regular, BODY, 13.0, MUTED),
                facts_x,
                false,
                label_width - 8.0,
            );
            let values = rows(
                value,
                (Face::Bold, BODY, 13.0, INK),
                self.right,
                true,
                facts_width - label_width,
            );
            let (mut labels, mut values) = (labels.into_iter(), values.into_iter());
            loop {
                let pieces: Vec<Piece> = labels
                    .next()
                    .into_iter()
                    .chain(values.next())
                    .flat_map(|r| r.pieces)
                    .collect();
                if pieces.is_empty() {
                    break;
                }
                facts.push(Row {
                    leading: 13.0,
                    pieces,
                });
            }
        }

        let (mut bill_to, mut facts) = (bill_to.into_iter(), facts.into_iter());
        loop {
            let (a, b) = (bill_to.next(), facts.next());
            if a.is_none() && b.is_none() {
                break;
            }
            let leading = a.iter().chain(&b).map(|r| r.leading).fold(0.0, f32::max);
            let pieces = a.into_iter().chain(b).flat_map(|r| r.pieces).collect();
            self.flow(Row { leading, pieces });
        }
        self.y -= 20.0;
    }
}
