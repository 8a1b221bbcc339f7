//! The table of lines: columns by weight, wrapped cells, rows that move or split at page
//! breaks, and the header row repeated on every page the table runs onto.

use super::{
    CELL, CELL_LEADING, CELL_PAD_X, CELL_PAD_Y, HAIRLINE, HEAD, HEAD_LEADING, INK, Op, Sheet,
    baseline,
};
use crate::Align;
use crate::font::Face;
use crate::wrap::wrap;

impl Sheet<'_> {
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

    pub(super) fn table(&mut self) {
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
}

/// The number of lines of the tallest cell (at least one, so an empty row still shows).
fn lines_of(cells: &[Vec<Vec<u8>>]) -> usize {
    cells.iter().map(Vec::len).max().unwrap_or(0).max(1)
}
