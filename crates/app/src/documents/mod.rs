//! Use cases of estimates and invoices the office writes, any office staff: the line
//! editor of a job, an estimate or an invoice (one use case), estimates (create, edit,
//! send, revise and send again, convert to a job), invoices (create from scratch or from
//! a job, edit while draft, send, void) and, administrators only, the company's tax
//! rates. Rules are `core::documents`; totals `core::totals::totals_with_discount`, the
//! one sum the pages, the PDFs and the emails show.

pub mod estimates;
// import-invoices (issue 18)
pub(crate) mod invoice_writes;
pub mod invoices;
pub mod lines;
pub mod printed;
pub mod tax_rates;

use doorstep_core::money::{Currency, Money};
use doorstep_store::companies::Company;

/// The company's currency.
pub fn currency(company: &Company) -> Currency {
    Currency::parse(&company.currency).unwrap_or(Currency::USD)
}

/// An amount in the company's currency, as emails show it.
pub(crate) fn money(company: &Company, minor: i64) -> String {
    Money::new(minor, currency(company)).display()
}

/// "Today" for the company's documents (the default issue date): the company's date.
pub fn today(company: &Company) -> time::Date {
    doorstep_core::local_time::today(&company.time_zone, doorstep_store::now())
}
