//! The office's priced documents: what a line, an estimate and an invoice may hold, read
//! from what people type. Quantities are thousandths, rates basis points, money minor
//! units (prices are read by [`crate::catalogue::parse_price`]); totals are
//! [`crate::totals::totals_with_discount`].

use time::Date;

use crate::Invalid;
use crate::catalogue::parse_price;
use crate::money::Currency;
use crate::status::{EstimateStatus, InvoiceStatus};

/// Longest line description, in characters.
pub const DESCRIPTION_MAX: usize = 500;
/// Most lines on one document.
pub const LINES_MAX: usize = 100;
/// Longest title, tax name or void reason, in characters.
pub const NAME_MAX: usize = 120;
/// Longest scope or notes, in characters.
pub const TEXT_MAX: usize = 5000;
/// The largest quantity (in units): a million of anything is a typing slip.
const QUANTITY_MAX: i64 = 1_000_000;

/// Whose lines are edited: the optional flag exists only on estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOwnerKind {
    /// A job's products and services.
    Job,
    /// An estimate: lines may be optional for the customer to tick.
    Estimate,
    /// An invoice.
    Invoice,
}

/// One line as typed, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    /// What is done or sold.
    pub description: String,
    /// Quantity in thousandths.
    pub quantity_milli: i64,
    /// Unit price, minor units.
    pub unit_price_minor: i64,
    /// The tax's name and rate in basis points, if taxed.
    pub tax: Option<(String, i64)>,
    /// An optional line the customer may tick (estimates only).
    pub is_optional: bool,
}

/// A line as typed: each field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineText<'a> {
    /// Description.
    pub description: &'a str,
    /// Quantity, e.g. `1.5`.
    pub quantity: &'a str,
    /// Unit price, e.g. `45.00`.
    pub unit_price: &'a str,
    /// Tax name (empty: "Tax" when a rate is given).
    pub tax_name: &'a str,
    /// Tax rate in percent, e.g. `8.25`; empty means untaxed.
    pub tax_rate: &'a str,
    /// The optional box ticked.
    pub optional: bool,
}

impl LineText<'_> {
    /// Whether every field was left empty (a blank row of the editor, skipped).
    pub fn is_blank(&self) -> bool {
        [
            self.description,
            self.quantity,
            self.unit_price,
            self.tax_name,
            self.tax_rate,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

/// Checks a typed line for `owner` in `currency`; every wrong field at once, each under
/// its own name (`description`, `quantity`, `unit_price`, `tax_name`, `tax_rate`,
/// `optional`).
pub fn parse_line(
    owner: LineOwnerKind,
    text: &LineText<'_>,
    currency: Currency,
) -> Result<LineInput, Vec<Invalid>> {
    let mut errors = Vec::new();
    let description = check_description(text.description).map_err(|e| errors.push(e));
    let quantity = parse_quantity(text.quantity).map_err(|e| errors.push(e));
    let price = parse_price(text.unit_price, currency)
        .map_err(|e| errors.push(Invalid::new("unit_price", e.message)));
    let tax = parse_tax(text.tax_name, text.tax_rate).map_err(|e| errors.push(e));
    if text.optional && owner != LineOwnerKind::Estimate {
        errors.push(Invalid::new(
            "optional",
            "Only an estimate's lines can be optional.",
        ));
    }
    match (description, quantity, price, tax) {
        (Ok(description), Ok(quantity_milli), Ok(unit_price_minor), Ok(tax))
            if errors.is_empty() =>
        {
            Ok(LineInput {
                description,
                quantity_milli,
                unit_price_minor,
                tax,
                is_optional: text.optional,
            })
        }
        _ => Err(errors),
    }
}

/// A line's description: required, at most [`DESCRIPTION_MAX`] characters.
pub fn check_description(raw: &str) -> Result<String, Invalid> {
    let d = raw.trim().replace("\r\n", "\n");
    if d.is_empty() {
        return Err(Invalid::new("description", "Describe the work or item."));
    }
    if d.chars().count() > DESCRIPTION_MAX || d.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Invalid::new(
            "description",
            format!("Keep the description under {DESCRIPTION_MAX} characters."),
        ));
    }
    Ok(d)
}

/// A quantity as typed (`2`, `1.5`, `0.125`) in thousandths: 0 or more, at most three
/// decimals; empty means 1. Negative quantities are refused (a credit is a payment's
/// business, not a line's).
pub fn parse_quantity(raw: &str) -> Result<i64, Invalid> {
    let q = raw.trim();
    if q.is_empty() {
        return Ok(1000);
    }
    if q.starts_with('-') {
        return Err(Invalid::new("quantity", "The quantity cannot be negative."));
    }
    decimal_thousandths(q, 3)
        .filter(|m| *m <= QUANTITY_MAX * 1000)
        .ok_or_else(|| {
            Invalid::new(
                "quantity",
                "Enter a quantity such as 2 or 1.5 (at most three decimals).",
            )
        })
}

/// A tax rate as typed in percent (`8.25`, `8.25%`) in basis points: 0 to 100 %, at most
/// two decimals.
pub fn parse_rate(raw: &str, field: &'static str) -> Result<i64, Invalid> {
    let r = raw.trim().trim_end_matches('%').trim();
    if r.starts_with('-') {
        return Err(Invalid::new(field, "A tax rate cannot be negative."));
    }
    let bp = decimal_thousandths(r, 2)
        .map(|m| m / 10)
        .ok_or_else(|| Invalid::new(field, "Enter a rate in percent, such as 8.25."))?;
    if bp > 10_000 {
        return Err(Invalid::new(field, "A tax rate cannot be over 100%."));
    }
    Ok(bp)
}

/// A line's tax: none when no rate is typed; else its name (default "Tax") and rate.
fn parse_tax(name: &str, rate: &str) -> Result<Option<(String, i64)>, Invalid> {
    if rate.trim().is_empty() {
        return Ok(None);
    }
    let bp = parse_rate(rate, "tax_rate")?;
    let name = name.trim();
    let name = if name.is_empty() { "Tax" } else { name };
    if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        return Err(Invalid::new(
            "tax_name",
            format!("Keep the tax name under {NAME_MAX} characters."),
        ));
    }
    Ok(Some((name.to_owned(), bp)))
}

/// A company tax rate's name: required, one line, at most [`NAME_MAX`] characters.
pub fn check_tax_name(raw: &str) -> Result<String, Invalid> {
    let n = raw.trim();
    if n.is_empty() {
        return Err(Invalid::new("name", "Name the tax, e.g. Sales tax."));
    }
    if n.chars().count() > NAME_MAX || n.chars().any(char::is_control) {
        return Err(Invalid::new(
            "name",
            format!("Keep the name on one line and under {NAME_MAX} characters."),
        ));
    }
    Ok(n.to_owned())
}

/// `digits[.decimals]` with at most `places` decimals, as thousandths (places ≤ 3).
fn decimal_thousandths(s: &str, places: usize) -> Option<i64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |x: &str| x.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty())
        || !digits(whole)
        || !digits(frac)
        || frac.len() > places
        || whole.len() > 12
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = format!("{frac:0<3}").parse().ok()?;
    whole.checked_mul(1000)?.checked_add(frac)
}

/// A quantity in thousandths as people type it: `2`, `1.5`.
pub fn quantity_input(milli: i64) -> String {
    let (whole, frac) = (milli / 1000, (milli % 1000).abs());
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:03}").trim_end_matches('0'))
    }
}

/// A rate in basis points as people type it: `8.25`, `10`.
pub fn rate_input(bp: i64) -> String {
    let (whole, frac) = (bp / 100, (bp % 100).abs());
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:02}").trim_end_matches('0'))
    }
}

/// A document discount as typed, minor units (`field` `discount`): like a price; it
/// cannot exceed `subtotal_minor`.
pub fn parse_discount(raw: &str, currency: Currency, subtotal_minor: i64) -> Result<i64, Invalid> {
    let d = parse_price(raw, currency).map_err(|e| Invalid::new("discount", e.message))?;
    if d > subtotal_minor.max(0) {
        return Err(Invalid::new(
            "discount",
            "The discount cannot be more than the subtotal.",
        ));
    }
    Ok(d)
}

/// An optional free text (scope, notes) of at most [`TEXT_MAX`] characters.
pub fn check_text(raw: &str, field: &'static str) -> Result<String, Invalid> {
    let t = raw.trim().replace("\r\n", "\n");
    if t.chars().count() > TEXT_MAX {
        return Err(Invalid::new(
            field,
            format!("Keep it under {TEXT_MAX} characters."),
        ));
    }
    Ok(t)
}

/// A required one-line title of at most [`NAME_MAX`] characters.
pub fn check_title(raw: &str) -> Result<String, Invalid> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(Invalid::new("title", "Give the estimate a title."));
    }
    if t.chars().count() > NAME_MAX || t.chars().any(char::is_control) {
        return Err(Invalid::new(
            "title",
            format!("Keep the title on one line and under {NAME_MAX} characters."),
        ));
    }
    Ok(t.to_owned())
}

/// A date as the form sends it (`2026-03-10`); empty is `None`.
pub fn parse_date(raw: &str, field: &'static str) -> Result<Option<Date>, Invalid> {
    let r = raw.trim();
    if r.is_empty() {
        return Ok(None);
    }
    let f = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(r, &f)
        .map(Some)
        .map_err(|_| Invalid::new(field, "Enter a date as YYYY-MM-DD."))
}

/// An invoice is due on or after the day it is issued.
pub fn check_due(issued_on: Date, due_on: Date) -> Result<(), Invalid> {
    if due_on < issued_on {
        return Err(Invalid::new(
            "due_on",
            "The due date cannot be before the issue date.",
        ));
    }
    Ok(())
}

/// Payment terms: the days after issue an invoice is due. The customer's own terms when
/// it has them, else the company's; never negative. `true` when they are the customer's.
pub fn payment_terms(customer_days: Option<i64>, company_days: i64) -> (i64, bool) {
    match customer_days {
        Some(d) => (d.max(0), true),
        None => (company_days.max(0), false),
    }
}

/// The due date of an invoice issued on `issued_on` under `terms_days` of terms.
pub fn due_by_terms(issued_on: Date, terms_days: i64) -> Date {
    issued_on.saturating_add(time::Duration::days(terms_days.clamp(0, 3650)))
}

/// An estimate is valid until a day on or after the day it is issued.
pub fn check_valid_until(issued_on: Date, valid_until: Option<Date>) -> Result<(), Invalid> {
    match valid_until {
        Some(last) if last < issued_on => Err(Invalid::new(
            "valid_until",
            "“Valid until” cannot be before the issue date.",
        )),
        _ => Ok(()),
    }
}

/// An invoice's lines (and its dates, notes and discount) change only while it is a draft:
/// once sent, the customer has seen it.
pub fn invoice_editable(status: InvoiceStatus) -> bool {
    status == InvoiceStatus::Draft
}

/// An estimate changes while the office prepares it or the customer is still answering
/// (a revision after "request changes"); once answered or converted it stays as signed.
pub fn estimate_editable(status: EstimateStatus) -> bool {
    matches!(status, EstimateStatus::Draft | EstimateStatus::Pending)
}

/// An estimate is sent from draft, and sent again (revised) while pending.
pub fn estimate_sendable(status: EstimateStatus) -> bool {
    estimate_editable(status)
}

/// An estimate can be sent only to a contact with an email address.
pub fn check_recipient_email(email: Option<&str>) -> Result<String, Invalid> {
    match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Ok(e.to_owned()),
        None => Err(Invalid::new(
            "contact",
            "This contact has no email address. Add one to the contact, or choose another.",
        )),
    }
}

/// A void needs a reason (one line, at most [`NAME_MAX`] characters).
pub fn check_void_reason(raw: &str) -> Result<String, Invalid> {
    let r = raw.trim();
    if r.is_empty() {
        return Err(Invalid::new("reason", "Say why the invoice is void."));
    }
    if r.chars().count() > NAME_MAX * 4 || r.chars().any(|c| c.is_control()) {
        return Err(Invalid::new(
            "reason",
            "Keep the reason to one line under 480 characters.",
        ));
    }
    Ok(r.to_owned())
}

/// A draft or unpaid invoice with nothing paid on it may be voided; a paid one (or one
/// with payments recorded) may not: its money has to be handled first.
pub fn invoice_voidable(status: InvoiceStatus, paid_minor: i64) -> bool {
    matches!(status, InvoiceStatus::Draft | InvoiceStatus::Unpaid) && paid_minor == 0
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_customers_terms_win_over_the_companys() {
        assert_eq!(payment_terms(Some(14), 30), (14, true));
        assert_eq!(payment_terms(Some(0), 30), (0, true), "due on receipt");
        assert_eq!(payment_terms(None, 30), (30, false));
        assert_eq!(payment_terms(None, -5), (0, false));
        assert_eq!(
            due_by_terms(date!(2026 - 01 - 20), 14),
            date!(2026 - 02 - 03)
        );
        assert_eq!(
            due_by_terms(date!(2026 - 01 - 20), 0),
            date!(2026 - 01 - 20)
        );
        assert_eq!(
            due_by_terms(date!(2026 - 02 - 15), 30),
            date!(2026 - 03 - 17)
        );
    }

    fn text<'a>(q: &'a str, p: &'a str, rate: &'a str) -> LineText<'a> {
        LineText {
            description: "Pump out",
            quantity: q,
            unit_price: p,
            tax_name: "",
            tax_rate: rate,
            optional: false,
        }
    }

    fn fields(r: Result<LineInput, Vec<Invalid>>) -> Vec<&'static str> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_line_reads_quantity_price_and_tax() {
        let l = parse_line(
            LineOwnerKind::Invoice,
            &text("1.5", "45.50", "8.25"),
            Currency::USD,
        );
        assert_eq!(
            l,
            Ok(LineInput {
                description: "Pump out".into(),
                quantity_milli: 1500,
                unit_price_minor: 4550,
                tax: Some(("Tax".into(), 825)),
                is_optional: false,
            })
        );
        let untaxed = parse_line(LineOwnerKind::Job, &text("", "", ""), Currency::USD);
        assert_eq!(untaxed.map(|l| (l.quantity_milli, l.tax)), Ok((1000, None)));
    }

    #[test]
    fn negative_quantities_and_over_three_decimals_are_refused() {
        let own = LineOwnerKind::Invoice;
        assert_eq!(
            fields(parse_line(own, &text("-1", "10", ""), Currency::USD)),
            ["quantity"]
        );
        assert_eq!(
            fields(parse_line(own, &text("1.2345", "10", ""), Currency::USD)),
            ["quantity"]
        );
        assert_eq!(parse_quantity("0"), Ok(0));
        assert_eq!(parse_quantity("0.125"), Ok(125));
        assert!(parse_quantity("abc").is_err());
        assert!(parse_quantity("10000000").is_err());
    }

    #[test]
    fn tax_rates_run_from_zero_to_a_hundred_percent() {
        assert_eq!(parse_rate("8.25", "r"), Ok(825));
        assert_eq!(parse_rate("8.25%", "r"), Ok(825));
        assert_eq!(parse_rate("100", "r"), Ok(10_000));
        assert_eq!(parse_rate("0", "r"), Ok(0));
        assert_eq!(
            parse_rate("100.01", "r").map_err(|e| e.message),
            Err("A tax rate cannot be over 100%.".to_owned())
        );
        assert!(parse_rate("-1", "r").is_err());
        assert!(parse_rate("8.255", "r").is_err());
        let own = LineOwnerKind::Estimate;
        assert_eq!(
            fields(parse_line(own, &text("1", "10", "101"), Currency::USD)),
            ["tax_rate"]
        );
    }

    #[test]
    fn every_wrong_field_is_named_and_only_estimates_take_optional_lines() {
        let mut t = text("-2", "abc", "150");
        t.description = " ";
        t.optional = true;
        assert_eq!(
            fields(parse_line(LineOwnerKind::Invoice, &t, Currency::USD)),
            [
                "description",
                "quantity",
                "unit_price",
                "tax_rate",
                "optional"
            ]
        );
        let mut ok = text("1", "10", "");
        ok.optional = true;
        assert!(
            parse_line(LineOwnerKind::Estimate, &ok, Currency::USD).is_ok_and(|l| l.is_optional)
        );
        assert!(parse_line(LineOwnerKind::Job, &ok, Currency::USD).is_err());
        assert!(check_description(&"x".repeat(DESCRIPTION_MAX + 1)).is_err());
        assert!(!text("", "", "").is_blank());
        let blank = LineText::default();
        assert!(blank.is_blank());
    }

    #[test]
    fn inputs_read_back_as_typed() {
        assert_eq!(quantity_input(1500), "1.5");
        assert_eq!(quantity_input(2000), "2");
        assert_eq!(rate_input(825), "8.25");
        assert_eq!(rate_input(1000), "10");
        assert_eq!(rate_input(850), "8.5");
    }

    #[test]
    fn dates_and_discounts() {
        let issued = date!(2026 - 03 - 10);
        assert!(check_due(issued, date!(2026 - 03 - 10)).is_ok());
        assert_eq!(
            check_due(issued, date!(2026 - 03 - 09)).map_err(|e| e.field),
            Err("due_on")
        );
        assert!(check_valid_until(issued, None).is_ok());
        assert!(check_valid_until(issued, Some(date!(2026 - 03 - 09))).is_err());
        assert_eq!(parse_date("2026-03-10", "d"), Ok(Some(issued)));
        assert_eq!(parse_date("", "d"), Ok(None));
        assert!(parse_date("10/03/2026", "d").is_err());
        assert_eq!(parse_discount("5.00", Currency::USD, 10_000), Ok(500));
        assert!(parse_discount("200", Currency::USD, 10_000).is_err());
        assert!(parse_discount("-1", Currency::USD, 10_000).is_err());
    }

    #[test]
    fn document_states() {
        use EstimateStatus as E;
        use InvoiceStatus as I;
        assert!(invoice_editable(I::Draft));
        assert!(!invoice_editable(I::Unpaid));
        assert!(estimate_editable(E::Pending) && estimate_sendable(E::Draft));
        assert!(!estimate_editable(E::Approved) && !estimate_sendable(E::Converted));
        assert!(invoice_voidable(I::Unpaid, 0) && invoice_voidable(I::Draft, 0));
        assert!(!invoice_voidable(I::Paid, 100) && !invoice_voidable(I::Unpaid, 100));
        assert!(!invoice_voidable(I::Void, 0));
        assert!(check_recipient_email(None).is_err());
        assert!(check_recipient_email(Some(" ")).is_err());
        assert_eq!(check_recipient_email(Some("a@b.c")).as_deref(), Ok("a@b.c"));
        assert!(check_void_reason("").is_err());
        assert!(check_tax_name("").is_err());
    }
}
