//! The office's pages for estimates and invoices, the line editor of jobs, estimates and
//! invoices, and the company's tax rates. Totals are `core::totals::totals_with_discount`
//! through the store's documents, the one sum the portal pages and PDFs show too.

pub mod estimates;
pub mod invoices;
pub mod lines;
pub mod tax_rates;

use axum::http::StatusCode;
use axum::response::Response;
use doorstep_core::documents::rate_input;
use doorstep_core::totals::Totals;
use doorstep_store::doc_lines::DocLine;

use crate::WebError;
use crate::display::money;

/// A priced line as the office's document pages show it.
pub(crate) struct LineView {
    pub(crate) description: String,
    pub(crate) quantity: String,
    pub(crate) unit_price: String,
    pub(crate) tax: String,
    pub(crate) amount: String,
    pub(crate) optional: bool,
    pub(crate) chosen: bool,
}

impl LineView {
    pub(crate) fn of(l: &DocLine, currency: &str) -> LineView {
        LineView {
            description: l.description.clone(),
            quantity: l.quantity(),
            unit_price: money(l.unit_price_minor, currency),
            tax: match &l.tax_name {
                Some(name) => format!("{name} ({}%)", rate_input(l.tax_rate_bp)),
                None => "—".into(),
            },
            amount: money(l.amount_minor(), currency),
            optional: l.is_optional,
            chosen: l.is_selected,
        }
    }
}

/// Subtotal, discount, taxes and total as the office's pages show them.
pub(crate) struct TotalsView {
    pub(crate) subtotal: String,
    pub(crate) discount: Option<String>,
    pub(crate) taxes: Vec<(String, String)>,
    pub(crate) total: String,
}

impl TotalsView {
    pub(crate) fn of(t: &Totals, currency: &str) -> TotalsView {
        TotalsView {
            subtotal: money(t.subtotal_minor, currency),
            discount: (t.discount_minor > 0).then(|| money(-t.discount_minor, currency)),
            taxes: t
                .taxes
                .iter()
                .map(|(name, rate, amount)| {
                    (
                        format!("{name} ({}%)", rate_input(*rate)),
                        money(*amount, currency),
                    )
                })
                .collect(),
            total: money(t.total_minor, currency),
        }
    }
}

/// A contact offered as a recipient.
pub(crate) struct Recipient {
    pub(crate) id: i64,
    pub(crate) label: String,
    pub(crate) has_email: bool,
    pub(crate) selected: bool,
}

/// Marks `chosen` (or, by default, the first contact with an email) as selected.
pub(crate) fn choose(recipients: &mut [Recipient], chosen: Option<i64>) -> Option<i64> {
    let pick = chosen.or_else(|| recipients.iter().find(|r| r.has_email).map(|r| r.id));
    for r in recipients.iter_mut() {
        r.selected = Some(r.id) == pick;
    }
    pick
}

/// The contacts of a customer as recipients, those with an email first.
pub(crate) async fn recipients(
    state: &crate::AppState,
    company: doorstep_core::ids::CompanyId,
    customer: doorstep_core::ids::CustomerId,
) -> Result<Vec<Recipient>, WebError> {
    let mut out: Vec<Recipient> = state
        .store
        .contacts_of_customer(company, customer)
        .await?
        .into_iter()
        .map(|c| {
            let name = format!("{} {}", c.first_name, c.last_name)
                .trim()
                .to_owned();
            let email = c.email.unwrap_or_default();
            Recipient {
                selected: false,
                id: c.id,
                has_email: !email.trim().is_empty(),
                label: if email.trim().is_empty() {
                    format!("{name} (no email)")
                } else {
                    format!("{name} <{email}>")
                },
            }
        })
        .collect();
    out.sort_by_key(|r| !r.has_email);
    Ok(out)
}

pub(crate) fn render(
    page: &impl askama::Template,
    status: StatusCode,
) -> Result<Response, WebError> {
    crate::kit::render::page_with(status, page)
}

/// `?done=` notices shared by the document pages.
pub(crate) fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "created" => Some("Created as a draft. Add its lines, then send it."),
        "saved" => Some("Saved."),
        "lines" => Some("Lines saved."),
        "sent" => Some("Sent. The customer was emailed a link to it in the portal."),
        "converted" => Some("Converted to a job."),
        "voided" => Some("Voided."),
        _ => None,
    }
}
