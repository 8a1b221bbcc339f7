//! What the office's and the portal's pages share, so neither audience imports the
//! other's pages: rendering, addresses, dates, list cursors, file sending, support threads,
//! how visit times read, and text kept whole. `pages/office` and `pages/portal` import from
//! here, never from each other (the test in `pages` refuses it).

pub mod cursors;
pub mod dates;
pub mod fields;
pub mod files;
pub mod render;
pub mod schedule;
pub mod text;
pub mod threads;
pub mod urls;
