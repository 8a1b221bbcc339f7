//! After the table: the totals block and the headed notes.

use super::{BODY, BODY_LEADING, INK, Op, Sheet, baseline};
use crate::font::{Face, encode};
use crate::wrap::wrap;

impl Sheet<'_> {
    /// The totals block on the right, kept on one page when it can be.
    pub(super) fn totals(&mut self) {
        let totals = &self.doc.totals;
        if totals.is_empty() {
            return;
        }
        let style = |strong: bool| {
            if strong {
                (Face::Bold, 10.5, 15.0)
            } else {
                (Face::Regular, 9.5, 14.0)
            }
        };
        let block = self.width() * 0.45;
        let x = self.right - block;
        let amounts = totals.iter().map(|t| {
            let (face, size, _) = style(t.strong);
            face.width(&encode(&t.amount), size)
        });
        let amount_width = amounts.fold(0.0, f32::max);
        let label_width = (block - amount_width - 12.0).max(block * 0.4);
        let rows: Vec<(Vec<Vec<u8>>, bool, &str)> = totals
            .iter()
            .map(|t| {
                let (face, size, _) = style(t.strong);
                (
                    wrap(&t.label, face, size, label_width),
                    t.strong,
                    t.amount.as_str(),
                )
            })
            .collect();
        let height: f32 = rows
            .iter()
            .map(|(l, s, _)| l.len() as f32 * style(*s).2 + 2.0)
            .sum();
        self.y -= 10.0;
        if !self.fits(height + 4.0) && height + 4.0 <= self.page_room() {
            self.new_page();
        }
        let mut ruled = false;
        for (labels, strong, amount) in rows {
            let (face, size, leading) = style(strong);
            self.ensure(labels.len() as f32 * leading + 4.0);
            if strong && !ruled {
                let (right, y, accent) = (self.right, self.y - 1.0, self.accent);
                self.push(Op::Rule {
                    x1: x,
                    x2: right,
                    y,
                    width: 1.0,
                    color: accent,
                });
                self.y -= 4.0;
                ruled = true;
            }
            let first = baseline(self.y, leading, size);
            self.text_right(self.right, first, face, size, INK, encode(amount));
            for line in labels {
                self.text(x, baseline(self.y, leading, size), face, size, INK, line);
                self.y -= leading;
            }
            self.y -= 2.0;
        }
    }

    /// Headed paragraphs across the page, breaking between lines.
    pub(super) fn notes(&mut self) {
        self.y -= 16.0;
        for (heading, body) in &self.doc.notes {
            let heading = wrap(heading, Face::Bold, 9.5, self.width());
            let body = wrap(body, Face::Regular, BODY, self.width());
            // A heading keeps at least two lines of its text with it.
            let keep = heading.len() as f32 * 14.0 + body.len().min(2) as f32 * BODY_LEADING;
            self.ensure(keep);
            for line in heading {
                let color = self.title_color;
                self.text(
                    self.left,
                    baseline(self.y, 14.0, 9.5),
                    Face::Bold,
                    9.5,
                    color,
                    line,
                );
                self.y -= 14.0;
            }
            for line in body {
                self.ensure(BODY_LEADING);
                self.text(
                    self.left,
                    baseline(self.y, BODY_LEADING, BODY),
                    Face::Regular,
                    BODY,
                    INK,
                    line,
                );
                self.y -= BODY_LEADING;
            }
            self.y -= 10.0;
        }
    }
}
