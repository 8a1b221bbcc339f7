//! The office's pages for company setup (issue 18, administrators only): the company's
//! details ([`details`]), its team ([`staff`]) and the audit log with its CSV export
//! ([`audit`]).

pub mod audit;
pub mod details;
pub mod domains;
pub mod staff;
