//! Laying a document out on pages: where each piece of text, rule and the logo goes. The result
//! is a list of drawing operations per page that `write` turns into PDF.

use crate::font::{Face, encode};
use crate::wrap::wrap;
use crate::{Align, Document};

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

    /// Logo top-left, the company's name and details top-right, then the title.
    fn header(&mut self, logo: Option<(u32, u32)>) {
        let top = self.y;
        let mut logo_height: f32 = 0.0;
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
            logo_height = h;
        }
        let block = if logo.is_some() {
            self.width() - LOGO_BOX.0 - 20.0
        } else {
            self.width()
        };
        let company = &self.doc.company;
        let mut y = top;
        for line in wrap(&company.name, Face::Bold, 13.0, block) {
            self.text_right(
                self.right,
                baseline(y, 16.0, 13.0),
                Face::Bold,
                13.0,
                INK,
                line,
            );
            y -= 16.0;
        }
        for line in company
            .lines
            .iter()
            .flat_map(|l| wrap(l, Face::Regular, BODY, block))
        {
            self.text_right(
                self.right,
                baseline(y, BODY_LEADING, BODY),
                Face::Regular,
                BODY,
                MUTED,
                line,
            );
            y -= BODY_LEADING;
        }
        self.y = top - logo_height.max(top - y) - 22.0;
        for line in wrap(&self.doc.title, Face::Bold, 20.0, self.width()) {
            let color = self.title_color;
            self.text(
                self.left,
                baseline(self.y, 24.0, 20.0),
                Face::Bold,
                20.0,
                color,
                line,
            );
            self.y -= 24.0;
        }
        self.y -= 12.0;
    }

    /// "Bill to" on the left, the labelled facts on the right.
    fn parties(&mut self) {
        let top = self.y;
        let customer = &self.doc.customer;
        let column = self.width() * 0.5 - 12.0;
        let mut y = top;
        if !customer.name.is_empty() || !customer.lines.is_empty() {
            let label = encode("BILL TO");
            self.text(
                self.left,
                baseline(y, 12.0, 7.5),
                Face::Bold,
                7.5,
                MUTED,
                label,
            );
            y -= 12.0;
            for line in wrap(&customer.name, Face::Bold, 10.0, column) {
                self.text(
                    self.left,
                    baseline(y, 13.0, 10.0),
                    Face::Bold,
                    10.0,
                    INK,
                    line,
                );
                y -= 13.0;
            }
            for line in customer
                .lines
                .iter()
                .flat_map(|l| wrap(l, Face::Regular, BODY, column))
            {
                self.text(
                    self.left,
                    baseline(y, BODY_LEADING, BODY),
                    Face::Regular,
                    BODY,
                    INK,
                    line,
                );
                y -= BODY_LEADING;
            }
        }
        let facts_x = self.left + self.width() * 0.55;
        let facts_width = self.right - facts_x;
        let widest = self
            .doc
            .facts
            .iter()
            .map(|(l, _)| Face::Regular.width(&encode(l), BODY));
        let label_width = (widest.fold(0.0, f32::max) + 12.0).min(facts_width * 0.5);
        let mut fy = top;
        for (label, value) in &self.doc.facts {
            let labels = wrap(label, Face::Regular, BODY, label_width - 8.0);
            let values = wrap(value, Face::Bold, BODY, facts_width - label_width);
            let rows = labels.len().max(values.len());
            for (k, line) in labels.into_iter().enumerate() {
                let base = baseline(fy - k as f32 * 13.0, 13.0, BODY);
                self.text(facts_x, base, Face::Regular, BODY, MUTED, line);
            }
            for (k, line) in values.into_iter().enumerate() {
                let base = baseline(fy - k as f32 * 13.0, 13.0, BODY);
                self.text_right(self.right, base, Face::Bold, BODY, INK, line);
            }
            fy -= rows as f32 * 13.0;
        }
        self.y = y.min(fy) - 20.0;
    }

    /// Left edge and width of each column, by weight (0 counts as 1).
    fn columns(&self) -> Vec<(f32, f32)> {
        let weights: Vec<f32> = self
            .doc
            .table
            .columns
            .iter()
            .map(|c| f32::from(c.weight.max(1)))
            .collect();
        let total: f32 = weights.iter().sum();
        let mut x = self.left;
        weights
            .iter()
            .map(|w| {
                let width = self.width() * w / total;
                let column = (x, width);
                x += width;
                column
            })
            .collect()
    }

    fn table(&mut self) {
        let table = &self.doc.table;
        if table.columns.is_empty() {
            return;
        }
        let geometry = self.columns();
        let inner = |i: usize| (geometry[i].1 - 2.0 * CELL_PAD_X).max(0.0);
        let header: Vec<Vec<Vec<u8>>> = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| wrap(&c.title, Face::Bold, HEAD, inner(i)))
            .collect();
        let header_height = lines_of(&header) as f32 * HEAD_LEADING + 2.0 * CELL_PAD_Y;
        // The header never sits alone at the foot of a page.
        self.ensure(header_height + CELL_LEADING + 2.0 * CELL_PAD_Y);
        self.table_header(&geometry, &header, header_height);
        for row in &table.rows {
            let cells: Vec<Vec<Vec<u8>>> = row
                .iter()
                .enumerate()
                .map(|(i, cell)| wrap(cell, Face::Regular, CELL, inner(i)))
                .collect();
            self.table_row(&geometry, &cells, &header, header_height);
        }
    }

    fn table_header(&mut self, geometry: &[(f32, f32)], header: &[Vec<Vec<u8>>], height: f32) {
        let (left, width, tint) = (self.left, self.width(), self.tint);
        self.push(Op::Fill {
            x: left,
            y: self.y - height,
            w: width,
            h: height,
            color: tint,
        });
        self.cells(
            geometry,
            header,
            0..lines_of(header),
            Face::Bold,
            HEAD,
            HEAD_LEADING,
        );
        self.y -= height;
        self.at_table_top = true;
    }

    /// Draws a row, moving it to the next page when it does not fit, and splitting it between
    /// lines only when it is taller than a whole page.
    fn table_row(
        &mut self,
        geometry: &[(f32, f32)],
        cells: &[Vec<Vec<u8>>],
        header: &[Vec<Vec<u8>>],
        header_height: f32,
    ) {
        let lines = lines_of(cells);
        let mut start = 0;
        while start < lines {
            let remaining = lines - start;
            if self.fits(remaining as f32 * CELL_LEADING + 2.0 * CELL_PAD_Y) {
                self.row_part(geometry, cells, start..lines);
                return;
            }
            let room_on_new = self.page_room() - header_height - 2.0 * CELL_PAD_Y;
            let fit_here = ((self.y - self.bottom - 2.0 * CELL_PAD_Y) / CELL_LEADING).floor();
            let fit_here = fit_here.max(0.0) as usize;
            let whole_fits_on_new = remaining as f32 * CELL_LEADING <= room_on_new;
            if (!whole_fits_on_new || self.at_table_top) && fit_here > 0 {
                self.row_part(geometry, cells, start..start + fit_here);
                start += fit_here;
            } else if self.at_table_top {
                // Not even one line fits under a fresh header: draw one rather than loop.
                self.row_part(geometry, cells, start..start + 1);
                start += 1;
            }
            if start < lines {
                self.new_page();
                self.table_header(geometry, header, header_height);
            }
        }
    }

    fn row_part(
        &mut self,
        geometry: &[(f32, f32)],
        cells: &[Vec<Vec<u8>>],
        range: std::ops::Range<usize>,
    ) {
        let height = range.len() as f32 * CELL_LEADING + 2.0 * CELL_PAD_Y;
        self.cells(geometry, cells, range, Face::Regular, CELL, CELL_LEADING);
        let (x1, x2, y) = (self.left, self.right, self.y - height);
        self.push(Op::Rule {
            x1,
            x2,
            y,
            width: 0.5,
            color: HAIRLINE,
        });
        self.y -= height;
        self.at_table_top = false;
    }

    /// Lines `range` of each cell, aligned as its column says, from the current top.
    fn cells(
        &mut self,
        geometry: &[(f32, f32)],
        cells: &[Vec<Vec<u8>>],
        range: std::ops::Range<usize>,
        face: Face,
        size: f32,
        leading: f32,
    ) {
        let columns = &self.doc.table.columns;
        for (i, cell) in cells.iter().enumerate() {
            let (x, width) = geometry[i];
            let lines = cell.iter().enumerate().skip(range.start).take(range.len());
            for (k, line) in lines {
                let y = baseline(
                    self.y - CELL_PAD_Y - (k - range.start) as f32 * leading,
                    leading,
                    size,
                );
                match columns[i].align {
                    Align::Left => self.text(x + CELL_PAD_X, y, face, size, INK, line.clone()),
                    Align::Right => {
                        self.text_right(x + width - CELL_PAD_X, y, face, size, INK, line.clone())
                    }
                }
            }
        }
    }

    /// The totals block on the right, kept on one page when it can be.
    fn totals(&mut self) {
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
    fn notes(&mut self) {
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

/// The number of lines of the tallest cell (at least one, so an empty row still shows).
fn lines_of(cells: &[Vec<Vec<u8>>]) -> usize {
    cells.iter().map(Vec::len).max().unwrap_or(0).max(1)
}
