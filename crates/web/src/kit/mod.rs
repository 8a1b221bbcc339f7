//! What the office's and the portal's pages share, so neither audience imports the
//! other's pages: rendering, addresses, dates, list cursors, file sending, support threads
//! and how visit times read. `pages/office` and `pages/portal` import from here, never from
//! each other (the test in `pages` refuses it).

pub mod cursors;
pub mod dates;
pub mod files;
pub mod render;
pub mod schedule;
pub mod threads;
pub mod urls;
