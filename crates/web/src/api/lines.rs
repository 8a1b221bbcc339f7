//! Priced lines of an invoice or an estimate as the API reads and takes them: integers
//! (thousandths of a quantity, minor units of money, basis points of a tax rate) turned
//! into the text the office's line editor checks, so the API and the editor share one
//! rule (`doorstep_app::documents::lines::Lines::parse`).

use doorstep_app::documents::lines::{LineRow, Lines};
use doorstep_core::catalogue::price_input;
use doorstep_core::documents::LineOwnerKind;
use doorstep_core::money::Currency;
use doorstep_core::totals::Totals as Sums;
use doorstep_store::doc_lines::DocLine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::{FieldError, Problem};

/// One priced line.
#[derive(Debug, Serialize, ToSchema)]
pub struct Line {
    /// What is done or sold.
    pub description: String,
    /// Quantity in thousandths (1500 = 1.5).
    pub quantity_milli: i64,
    /// Unit price, minor units.
    pub unit_price_minor: i64,
    /// The tax's name, when taxed.
    pub tax_name: Option<String>,
    /// The tax rate in basis points (825 = 8.25 %); 0 when untaxed.
    pub tax_rate_bp: i64,
    /// An optional line the customer may tick (estimates only).
    pub optional: bool,
    /// Whether it counts in the total (always, unless an optional line is unticked).
    pub selected: bool,
    /// Quantity × unit price, minor units, before tax.
    pub amount_minor: i64,
}

impl From<&DocLine> for Line {
    fn from(l: &DocLine) -> Line {
        Line {
            description: l.description.clone(),
            quantity_milli: l.quantity_milli,
            unit_price_minor: l.unit_price_minor,
            tax_name: l.tax_name.clone(),
            tax_rate_bp: l.tax_rate_bp,
            optional: l.is_optional,
            selected: l.is_selected,
            amount_minor: l.priced().amount_minor(),
        }
    }
}

/// One tax of a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tax {
    /// Its name.
    pub name: String,
    /// Its rate in basis points.
    pub rate_bp: i64,
    /// The tax, minor units.
    pub amount_minor: i64,
}

/// A document's sums, from its lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct Totals {
    /// The lines that count, before discount and tax, minor units.
    pub subtotal_minor: i64,
    /// The discount taken off before tax, minor units.
    pub discount_minor: i64,
    /// Each tax.
    pub taxes: Vec<Tax>,
    /// All taxes, minor units.
    pub tax_minor: i64,
}

impl From<&Sums> for Totals {
    fn from(t: &Sums) -> Totals {
        Totals {
            subtotal_minor: t.subtotal_minor,
            discount_minor: t.discount_minor,
            taxes: t
                .taxes
                .iter()
                .map(|(name, rate_bp, amount_minor)| Tax {
                    name: name.clone(),
                    rate_bp: *rate_bp,
                    amount_minor: *amount_minor,
                })
                .collect(),
            tax_minor: t.tax_minor(),
        }
    }
}

/// A line as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    /// What is done or sold (required).
    pub description: String,
    /// Quantity in thousandths (1000 when absent).
    pub quantity_milli: Option<i64>,
    /// Unit price, minor units (0 when absent).
    pub unit_price_minor: Option<i64>,
    /// The tax's name ("Tax" when a rate is sent without one).
    pub tax_name: Option<String>,
    /// The tax rate in basis points; absent = untaxed.
    pub tax_rate_bp: Option<i64>,
    /// An optional line the customer may tick (estimates only).
    #[serde(default)]
    pub optional: bool,
}

/// `value` thousandths (or hundredths, `places`) as decimal text, sign kept.
pub(super) fn decimal(value: i64, places: u32) -> String {
    let scale = 10_u64.pow(places);
    let abs = value.unsigned_abs();
    let sign = if value < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = places as usize
    )
}

impl LineInput {
    fn row(&self, currency: Currency) -> LineRow {
        LineRow {
            description: self.description.clone(),
            quantity: decimal(self.quantity_milli.unwrap_or(1000), 3),
            unit_price: price_input(self.unit_price_minor.unwrap_or(0), currency),
            tax_name: self.tax_name.clone().unwrap_or_default(),
            tax_rate: self
                .tax_rate_bp
                .map(|bp| decimal(bp, 2))
                .unwrap_or_default(),
            optional: self.optional,
            catalogue_item: None,
        }
    }
}

impl From<&DocLine> for LineInput {
    /// A stored line as it would be sent again (a discount or field sent alone keeps
    /// the lines).
    fn from(l: &DocLine) -> LineInput {
        LineInput {
            description: l.description.clone(),
            quantity_milli: Some(l.quantity_milli),
            unit_price_minor: Some(l.unit_price_minor),
            tax_name: l.tax_name.clone(),
            tax_rate_bp: l.tax_name.as_ref().map(|_| l.tax_rate_bp),
            optional: l.is_optional,
        }
    }
}

/// The editor's field names as the API spells them.
fn api_field(field: &str) -> &str {
    match field {
        "quantity" => "quantity_milli",
        "unit_price" => "unit_price_minor",
        "tax_rate" => "tax_rate_bp",
        other => other,
    }
}

/// `lines` and `discount_minor` of a document of `kind`, checked by the editor's rules;
/// refused as a 422 naming `lines[i].field`, `discount_minor` or `lines`.
pub fn checked(
    kind: LineOwnerKind,
    lines: &[LineInput],
    discount_minor: i64,
    currency: Currency,
) -> Result<Lines, Problem> {
    let rows: Vec<LineRow> = lines.iter().map(|l| l.row(currency)).collect();
    Lines::parse(
        kind,
        &rows,
        &price_input(discount_minor, currency),
        currency,
    )
    .map_err(|e| {
        let mut errors = Vec::new();
        for (i, row) in &e.rows {
            for f in &row.0 {
                errors.push(FieldError {
                    field: format!("lines[{i}].{}", api_field(f.field)),
                    message: f.message.clone(),
                });
            }
        }
        if let Some(m) = e.discount {
            errors.push(FieldError {
                field: "discount_minor".into(),
                message: m,
            });
        }
        if let Some(m) = e.general {
            errors.push(FieldError {
                field: "lines".into(),
                message: m,
            });
        }
        let mut p = Problem::new("validation", "Some fields were refused; see `errors`.");
        p.errors = errors;
        p
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_become_the_editors_text() {
        assert_eq!(decimal(1500, 3), "1.500");
        assert_eq!(decimal(825, 2), "8.25");
        assert_eq!(decimal(-5, 3), "-0.005");
    }
}
