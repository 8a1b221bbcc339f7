//! The table of lines: columns by weight, wrapped cells, rows that move or split at page
//! breaks, and the header row repeated on every page the table runs onto.

use std::ops::Range;

use super::{
    CELL, CELL_LEADING, CELL_PAD_X, CELL_PAD_Y, HAIRLINE, HEAD, HEAD_LEADING, INK, Op, Sheet,
    baseline,
};
use crate::Align;
use crate::font::Face;
use crate::wrap::wrap;

/// The wrapped lines of each cell of a row.
type Cells = Vec<Vec<Vec<u8>>>;

/// What every page of the table shares: where the columns are and the header row.
struct Grid {
    /// Left edge and width of each column.
    columns: Vec<(f32, f32)>,
    header: Cells,
    header_height: f32,
}

impl Grid {
    /// The width text has in column `i`.
    fn inner(&self, i: usize) -> f32 {
        (self.columns[i].1 - 2.0 * CELL_PAD_X).max(0.0)
    }
}

impl Sheet<'_> {
    /// Left edge and width of each column, by weight (0 counts as 1).
    fn column_edges(&self) -> Vec<(f32, f32)> {
        let columns = &self.doc.table.columns;
        let weights: Vec<f32> = columns.iter().map(|c| f32::from(c.weight.max(1))).collect();
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
        let mut grid = Grid {
            columns: self.column_edges(),
            header: Vec::new(),
            header_height: 0.0,
        };
        grid.header = (table.columns.iter().enumerate())
            .map(|(i, c)| wrap(&c.title, Face::Bold, HEAD, grid.inner(i)))
            .collect();
        grid.header_height = lines_of(&grid.header) as f32 * HEAD_LEADING + 2.0 * CELL_PAD_Y;
        // The header never sits alone at the foot of a page.
        self.ensure(grid.header_height + CELL_LEADING + 2.0 * CELL_PAD_Y);
        self.table_header(&grid);
        for row in &table.rows {
            let cells: Cells = (row.iter().enumerate())
                .map(|(i, cell)| wrap(cell, Face::Regular, CELL, grid.inner(i)))
                .collect();
            self.table_row(&grid, &cells);
        }
    }

    fn table_header(&mut self, grid: &Grid) {
        let (x, w, h, color) = (self.left, self.width(), grid.header_height, self.tint);
        self.push(Op::Fill {
            x,
            y: self.y - h,
            w,
            h,
            color,
        });
        let range = 0..lines_of(&grid.header);
        self.cells(
            &grid.columns,
            &grid.header,
            range,
            (Face::Bold, HEAD, HEAD_LEADING),
        );
        self.y -= h;
        self.at_table_top = true;
    }

    /// Draws a row, moving it to the next page when it does not fit, and splitting it between
    /// lines only when it is taller than a whole page.
    fn table_row(&mut self, grid: &Grid, cells: &Cells) {
        let lines = lines_of(cells);
        let mut start = 0;
        while start < lines {
            let remaining = lines - start;
            if self.fits(remaining as f32 * CELL_LEADING + 2.0 * CELL_PAD_Y) {
                self.row_part(grid, cells, start..lines);
                return;
            }
            let room_on_new = self.page_room() - grid.header_height - 2.0 * CELL_PAD_Y;
            let fit_here = ((self.y - self.bottom - 2.0 * CELL_PAD_Y) / CELL_LEADING).floor();
            let fit_here = fit_here.max(0.0) as usize;
            let whole_fits_on_new = remaining as f32 * CELL_LEADING <= room_on_new;
            if (!whole_fits_on_new || self.at_table_top) && fit_here > 0 {
                self.row_part(grid, cells, start..start + fit_here);
                start += fit_here;
            } else if self.at_table_top {
                // Not even one line fits under a fresh header: draw one rather than loop.
                self.row_part(grid, cells, start..start + 1);
                start += 1;
            }
            if start < lines {
                self.new_page();
                self.table_header(grid);
            }
        }
    }

    /// Lines `range` of a row, with the hairline under them.
    fn row_part(&mut self, grid: &Grid, cells: &Cells, range: Range<usize>) {
        let height = range.len() as f32 * CELL_LEADING + 2.0 * CELL_PAD_Y;
        self.cells(
            &grid.columns,
            cells,
            range,
            (Face::Regular, CELL, CELL_LEADING),
        );
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

    /// Lines `range` of each cell in (face, size, leading), aligned as its column says, from
    /// the current top.
    fn cells(
        &mut self,
        columns: &[(f32, f32)],
        cells: &Cells,
        range: Range<usize>,
        (face, size, leading): (Face, f32, f32),
    ) {
        let doc = self.doc;
        for (i, cell) in cells.iter().enumerate() {
            let (x, width) = columns[i];
            for (k, line) in cell.iter().enumerate().skip(range.start).take(range.len()) {
                let top = self.y - CELL_PAD_Y - (k - range.start) as f32 * leading;
                let y = baseline(top, leading, size);
                let line = line.clone();
                match doc.table.columns[i].align {
                    Align::Left => self.text(x + CELL_PAD_X, y, face, size, INK, line),
                    Align::Right => {
                        self.text_right(x + width - CELL_PAD_X, y, face, size, INK, line)
                    }
                }
            }
        }
    }
}

/// The number of lines of the tallest cell (at least one, so an empty row still shows).
fn lines_of(cells: &Cells) -> usize {
    cells.iter().map(Vec::len).max().unwrap_or(0).max(1)
}
