//! Priced lines: how the demo writes them, and their totals as the portal will compute them.

use doorstep_core::totals::{PricedLine, totals};
use doorstep_store::jobs::NewLine;

/// The tax charged on products and materials.
pub(crate) const SALES_TAX: &str = "Sales tax";
/// 8.25 %, in basis points.
pub(crate) const SALES_TAX_BP: i64 = 825;

/// One line of a work template, priced in cents; quantities in thousandths.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Item {
    /// Hours of labour at the company's hourly rate.
    Labour(&'static str, i64),
    /// Parts used on the job (taxed).
    Part(&'static str, i64, i64),
    /// Goods sold (taxed).
    Product(&'static str, i64, i64),
    /// A flat-priced service (untaxed).
    Service(&'static str, i64),
    /// A fee such as a trip charge (untaxed).
    Fee(&'static str, i64),
}

impl Item {
    /// The line, with labour priced at `hourly_rate` cents.
    pub(crate) fn line(&self, hourly_rate: i64) -> NewLine {
        match *self {
            Item::Labour(d, hours) => labour(d, hours, hourly_rate),
            Item::Part(d, qty, price) => taxed("material", d, qty, price),
            Item::Product(d, qty, price) => taxed("product", d, qty, price),
            Item::Service(d, price) => untaxed("service", d, 1000, price),
            Item::Fee(d, price) => untaxed("fee", d, 1000, price),
        }
    }
}

/// The lines of `items`, labour at `hourly_rate`.
pub(crate) fn lines_of(items: &[Item], hourly_rate: i64) -> Vec<NewLine> {
    items.iter().map(|i| i.line(hourly_rate)).collect()
}

/// Labour: `hours_milli` thousandths of an hour at `rate` cents, untaxed.
pub(crate) fn labour(description: &str, hours_milli: i64, rate: i64) -> NewLine {
    untaxed("labour", description, hours_milli, rate)
}

/// A taxed line of `kind` (`product` or `material`).
pub(crate) fn taxed(kind: &str, description: &str, qty_milli: i64, price: i64) -> NewLine {
    NewLine {
        tax_name: Some(SALES_TAX.to_owned()),
        tax_rate_bp: SALES_TAX_BP,
        ..untaxed(kind, description, qty_milli, price)
    }
}

/// An untaxed line of `kind`.
pub(crate) fn untaxed(kind: &str, description: &str, qty_milli: i64, price: i64) -> NewLine {
    NewLine {
        catalogue_item: None,
        kind: kind.to_owned(),
        description: description.to_owned(),
        quantity_milli: qty_milli,
        unit_price_minor: price,
        tax_name: None,
        tax_rate_bp: 0,
        is_optional: false,
        is_selected: true,
    }
}

/// An optional estimate line the customer has not ticked yet.
pub(crate) fn optional(line: NewLine) -> NewLine {
    NewLine {
        is_optional: true,
        is_selected: false,
        ..line
    }
}

/// The total of the lines that count: every line but unticked optional ones.
pub(crate) fn total_of(lines: &[NewLine]) -> i64 {
    let priced: Vec<PricedLine> = lines
        .iter()
        .filter(|l| !l.is_optional || l.is_selected)
        .map(|l| PricedLine {
            quantity_milli: l.quantity_milli,
            unit_price_minor: l.unit_price_minor,
            tax_name: l.tax_name.clone(),
            tax_rate_bp: l.tax_rate_bp,
        })
        .collect();
    totals(&priced).total_minor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_tax_products_and_skip_unticked_options() {
        let lines = vec![
            labour("Labour", 1500, 12_500),                   // 187.50
            taxed("material", "Valve", 2000, 1_000),          // 20.00 + 1.65 tax
            optional(untaxed("service", "Extra", 1000, 999)), // not ticked
        ];
        assert_eq!(total_of(&lines), 18_750 + 2_000 + 165);
    }
}
