//! The priced lines of an estimate or invoice as documents (pages and PDFs) show them.

use doorstep_core::ids::CompanyId;
use doorstep_core::totals::{PricedLine, Totals, totals_with_discount};

use crate::{Store, StoreError, on_pool};

/// One priced line of a document.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DocLine {
    /// Row id (optional lines are ticked by it).
    pub id: i64,
    /// `service`, `product`, `labour`, `material` or `fee`.
    pub kind: String,
    /// What is done or sold.
    pub description: String,
    /// Quantity in thousandths.
    pub quantity_milli: i64,
    /// Unit price, minor units.
    pub unit_price_minor: i64,
    /// Tax name, if taxed.
    pub tax_name: Option<String>,
    /// Tax rate in basis points.
    pub tax_rate_bp: i64,
    /// An optional line the customer may tick (estimates).
    pub is_optional: bool,
    /// Whether the line counts (always, unless an optional line is unticked).
    pub is_selected: bool,
}

impl DocLine {
    /// The line as the totals need it.
    pub fn priced(&self) -> PricedLine {
        PricedLine {
            quantity_milli: self.quantity_milli,
            unit_price_minor: self.unit_price_minor,
            tax_name: self.tax_name.clone(),
            tax_rate_bp: self.tax_rate_bp,
        }
    }

    /// Quantity × unit price, minor units.
    pub fn amount_minor(&self) -> i64 {
        self.priced().amount_minor()
    }

    /// The quantity for people: `2`, `1.5`, `0.25`.
    pub fn quantity(&self) -> String {
        let whole = self.quantity_milli / 1000;
        let frac = (self.quantity_milli % 1000).abs();
        if frac == 0 {
            whole.to_string()
        } else {
            let digits = format!("{frac:03}");
            format!("{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// Totals of the lines that count (every fixed line, and optional lines `chosen` says)
/// less the document's discount, taken off before tax.
pub fn totals_of(
    lines: &[DocLine],
    chosen: impl Fn(&DocLine) -> bool,
    discount_minor: i64,
) -> Totals {
    let priced: Vec<PricedLine> = lines
        .iter()
        .filter(|l| !l.is_optional || chosen(l))
        .map(DocLine::priced)
        .collect();
    totals_with_discount(&priced, discount_minor)
}

/// Which document's lines to read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DocOwner {
    Job(i64),
    Estimate(i64),
    Invoice(i64),
}

impl Store {
    /// The lines of a document the caller has already found in scope, in order.
    pub(crate) async fn doc_lines(
        &self,
        company: CompanyId,
        owner: DocOwner,
    ) -> Result<Vec<DocLine>, StoreError> {
        let (column, id) = match owner {
            DocOwner::Job(id) => ("job_id", id),
            DocOwner::Estimate(id) => ("estimate_id", id),
            DocOwner::Invoice(id) => ("invoice_id", id),
        };
        let sql = format!(
            "SELECT id, kind, description, quantity_milli, unit_price_minor, tax_name, tax_rate_bp, \
             is_optional, is_selected FROM line_items WHERE company_id = $1 AND {column} = $2 \
             ORDER BY position, id"
        );
        let rows =
            on_pool!(self, p => sqlx::query_as(&sql).bind(company.0).bind(id).fetch_all(p).await)?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::{DocLine, totals_of};

    fn line(id: i64, qty: i64, price: i64, optional: bool) -> DocLine {
        DocLine {
            id,
            kind: "service".into(),
            description: format!("line {id}"),
            quantity_milli: qty,
            unit_price_minor: price,
            tax_name: Some("Tax".into()),
            tax_rate_bp: 1000,
            is_optional: optional,
            is_selected: !optional,
        }
    }

    #[test]
    fn only_ticked_optional_lines_count() {
        let lines = [line(1, 1000, 10_000, false), line(2, 2000, 500, true)];
        assert_eq!(totals_of(&lines, |_| false, 0).total_minor, 11_000);
        assert_eq!(totals_of(&lines, |l| l.id == 2, 0).total_minor, 12_100);
    }

    #[test]
    fn quantities_read_like_people_write_them() {
        assert_eq!(line(1, 1500, 0, false).quantity(), "1.5");
        assert_eq!(line(1, 2000, 0, false).quantity(), "2");
        assert_eq!(line(1, 250, 0, false).quantity(), "0.25");
    }
}
