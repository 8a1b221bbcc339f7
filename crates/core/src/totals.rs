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

/// Subtotal, the discount, each tax, and the total of a document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    /// Sum of the line amounts before the discount and tax.
    pub subtotal_minor: i64,
    /// The document's discount as taken off (never more than the subtotal, never negative).
    pub discount_minor: i64,
    /// One entry per tax name and rate, in first-seen order, rounded per tax.
    pub taxes: Vec<(String, i64, i64)>,
    /// Subtotal less the discount, plus taxes.
    pub total_minor: i64,
}

impl Totals {
    /// The sum of the taxes.
    pub fn tax_minor(&self) -> i64 {
        self.taxes.iter().map(|(_, _, t)| t).sum()
    }
}

/// Adds up `lines` with no discount; see [`totals_with_discount`].
pub fn totals<'a>(lines: impl IntoIterator<Item = &'a PricedLine>) -> Totals {
    totals_with_discount(lines, 0)
}

/// Adds up `lines` less a document discount of `discount_minor` taken off before tax:
/// the discount (held between 0 and the subtotal) lowers each tax's taxable base in
/// proportion to that base's share of the subtotal (rounded half away from zero), then
/// each tax is computed on its base and rounded once, which is how invoices from
/// accounting systems come out. The page, the PDF and the emails all read this one sum.
pub fn totals_with_discount<'a>(
    lines: impl IntoIterator<Item = &'a PricedLine>,
    discount_minor: i64,
) -> Totals {
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
    let discount = discount_minor.clamp(0, subtotal.max(0));
    let taxes: Vec<(String, i64, i64)> = bases
        .into_iter()
        .map(|(name, rate, base)| {
            let share = if subtotal > 0 {
                div_round(
                    i128::from(discount) * i128::from(base),
                    i128::from(subtotal),
                )
            } else {
                0
            };
            let tax = div_round(i128::from(base - share) * i128::from(rate), 10_000);
            (name, rate, tax)
        })
        .collect();
    let total = subtotal - discount + taxes.iter().map(|(_, _, t)| t).sum::<i64>();
    Totals {
        subtotal_minor: subtotal,
        discount_minor: discount,
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
    use super::{PricedLine, totals, totals_with_discount};

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
    fn a_discount_comes_off_before_tax_in_proportion_to_each_base() {
        // 200.00 taxed at 8.25%, 100.00 untaxed; 30.00 off: the taxed base loses 20.00.
        let lines = [
            line(2000, 10_000, Some(("Sales tax", 825))),
            line(1000, 10_000, None),
        ];
        let t = totals_with_discount(&lines, 3_000);
        assert_eq!(t.subtotal_minor, 30_000);
        assert_eq!(t.discount_minor, 3_000);
        assert_eq!(t.taxes, vec![("Sales tax".to_owned(), 825, 1_485)]); // 18000 * 8.25%
        assert_eq!(t.total_minor, 30_000 - 3_000 + 1_485);
        assert_eq!(t.tax_minor(), 1_485);
    }

    #[test]
    fn a_discount_share_rounds_to_the_cent_and_never_exceeds_the_subtotal() {
        // 1/3 of 10.00 off a 3-way split: 3.33 per base, each tax rounded once.
        let lines = [
            line(1000, 1_000, Some(("A", 1000))),
            line(1000, 1_000, Some(("B", 1000))),
            line(1000, 1_000, Some(("C", 1000))),
        ];
        let t = totals_with_discount(&lines, 1_000);
        // Each base 1000 - round(1000*1000/3000 = 333.33) = 667; 10% = 66.7 -> 67.
        assert_eq!(
            t.taxes.iter().map(|(_, _, x)| *x).collect::<Vec<_>>(),
            [67, 67, 67]
        );
        assert_eq!(t.total_minor, 3_000 - 1_000 + 201);
        let all = totals_with_discount(&lines, 99_999);
        assert_eq!((all.discount_minor, all.total_minor), (3_000, 0));
        let none = totals_with_discount(&lines, -5);
        assert_eq!(none.discount_minor, 0);
        assert_eq!(totals(&lines), totals_with_discount(&lines, 0));
    }

    #[test]
    fn an_empty_document_totals_zero() {
        assert_eq!(totals(&[]).total_minor, 0);
    }
}
