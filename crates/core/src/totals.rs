//! Line, tax and document totals, in minor units with explicit rounding.

/// One priced line as the totals need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    /// Quantity in thousandths (1.5 hours = 1500), so fractional quantities stay exact.
    pub quantity_milli: i64,
    /// Price of one unit in minor units.
    pub unit_price_minor: i64,
    /// The tax's name, if the line is taxed.
    pub tax_name: Option<String>,
    /// The tax rate in basis points (8.25% = 825).
    pub tax_rate_bp: i64,
}

impl PricedLine {
    /// Quantity × unit price, rounded half away from zero to the minor unit.
    pub fn amount_minor(&self) -> i64 {
        div_round(
            i128::from(self.quantity_milli) * i128::from(self.unit_price_minor),
            1000,
        )
    }
}

/// Subtotal, each tax, and the total of a document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    /// Sum of the line amounts before tax.
    pub subtotal_minor: i64,
    /// One entry per tax name and rate, in first-seen order, rounded per tax.
    pub taxes: Vec<(String, i64, i64)>,
    /// Subtotal plus taxes.
    pub total_minor: i64,
}

/// Adds up `lines`: tax is computed on each tax's taxable base, then rounded once,
/// which is how invoices from accounting systems come out.
pub fn totals<'a>(lines: impl IntoIterator<Item = &'a PricedLine>) -> Totals {
    let mut subtotal = 0_i64;
    let mut bases: Vec<(String, i64, i64)> = Vec::new();
    for line in lines {
        let amount = line.amount_minor();
        subtotal += amount;
        if let Some(name) = &line.tax_name {
            match bases
                .iter_mut()
                .find(|(n, rate, _)| n == name && *rate == line.tax_rate_bp)
            {
                Some((_, _, base)) => *base += amount,
                None => bases.push((name.clone(), line.tax_rate_bp, amount)),
            }
        }
    }
    let taxes: Vec<(String, i64, i64)> = bases
        .into_iter()
        .map(|(name, rate, base)| {
            let tax = div_round(i128::from(base) * i128::from(rate), 10_000);
            (name, rate, tax)
        })
        .collect();
    let total = subtotal + taxes.iter().map(|(_, _, t)| t).sum::<i64>();
    Totals {
        subtotal_minor: subtotal,
        taxes,
        total_minor: total,
    }
}

fn div_round(numerator: i128, denominator: i128) -> i64 {
    let half = denominator / 2;
    let rounded = if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        (numerator - half) / denominator
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

#[cfg(test)]
mod tests {
    use super::{PricedLine, totals};

    fn line(qty: i64, price: i64, tax: Option<(&str, i64)>) -> PricedLine {
        PricedLine {
            quantity_milli: qty,
            unit_price_minor: price,
            tax_name: tax.map(|(n, _)| n.to_owned()),
            tax_rate_bp: tax.map(|(_, r)| r).unwrap_or(0),
        }
    }

    #[test]
    fn fractional_quantities_round_half_up_to_the_cent() {
        assert_eq!(line(1500, 9_999, None).amount_minor(), 14_999); // 149.985 -> 149.99
        assert_eq!(line(333, 100, None).amount_minor(), 33);
    }

    #[test]
    fn taxes_are_grouped_by_name_and_rounded_once() {
        let lines = [
            line(1000, 10_000, Some(("Sales tax", 825))),
            line(2000, 2_550, Some(("Sales tax", 825))),
            line(1000, 5_000, None),
        ];
        let t = totals(&lines);
        assert_eq!(t.subtotal_minor, 20_100);
        assert_eq!(t.taxes, vec![("Sales tax".to_owned(), 825, 1_246)]); // 15100 * 8.25% = 1245.75
        assert_eq!(t.total_minor, 21_346);
    }

    #[test]
    fn an_empty_document_totals_zero() {
        assert_eq!(totals(&[]).total_minor, 0);
    }
}
