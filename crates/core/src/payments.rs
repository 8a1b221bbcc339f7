//! Money applied to invoices: the one settlement rule every way of paying uses (the
//! office recording cash or a check today, a processor's webhook tomorrow).
//!
//! A payment is split across invoices the payer chose: each share at most that invoice's
//! balance, the shares together at most the payment; what is left becomes account credit
//! only when the office asks for it, otherwise the payment is refused. Account credit
//! pays an invoice the same way (at most the credit, at most the balance). An invoice is
//! paid in full when what was paid reaches its total.

use time::Date;

use crate::catalogue::parse_price;
use crate::money::{Currency, Money};
use crate::status::PaymentMethodKind;
use crate::validation::Invalid;

/// Who took the money: the office (recorded by staff) or a processor online.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Recorded by the office: cash, a check, a bank transfer, a card taken by phone.
    Office,
    /// Taken by a payment processor.
    Online,
}

impl Channel {
    /// The stored form (`payments.channel`).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Office => "office",
            Channel::Online => "online",
        }
    }
}

/// How the office was paid, as it records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeMethod {
    /// Cash.
    Cash,
    /// A check, with its number.
    Check,
    /// A bank transfer (wire, direct deposit).
    BankTransfer,
    /// A card read out over the phone and charged by the office.
    PhoneCard,
}

impl OfficeMethod {
    /// Every method, in the order the form offers them.
    pub const ALL: [OfficeMethod; 4] = [
        OfficeMethod::Cash,
        OfficeMethod::Check,
        OfficeMethod::BankTransfer,
        OfficeMethod::PhoneCard,
    ];

    /// The form's value.
    pub fn as_str(self) -> &'static str {
        match self {
            OfficeMethod::Cash => "cash",
            OfficeMethod::Check => "check",
            OfficeMethod::BankTransfer => "bank_transfer",
            OfficeMethod::PhoneCard => "card_by_phone",
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        method_label(self.stored(), Channel::Office.as_str())
    }

    /// Reads the form's value.
    pub fn parse(raw: &str) -> Result<OfficeMethod, Invalid> {
        OfficeMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == raw.trim())
            .ok_or_else(|| Invalid::new("method", "Choose how the customer paid."))
    }

    /// The stored method (a bank transfer is stored as `ach`, a card by phone as `card`,
    /// both on the office channel).
    pub fn stored(self) -> PaymentMethodKind {
        match self {
            OfficeMethod::Cash => PaymentMethodKind::Cash,
            OfficeMethod::Check => PaymentMethodKind::Check,
            OfficeMethod::BankTransfer => PaymentMethodKind::Ach,
            OfficeMethod::PhoneCard => PaymentMethodKind::Card,
        }
    }
}

/// How a stored payment reads: its method as taken on `channel`.
pub fn method_label(method: PaymentMethodKind, channel: &str) -> &'static str {
    let office = channel == Channel::Office.as_str();
    match method {
        PaymentMethodKind::Card if office => "Card by phone",
        PaymentMethodKind::Card => "Card",
        PaymentMethodKind::Ach if office => "Bank transfer",
        PaymentMethodKind::Ach => "Bank transfer (ACH)",
        PaymentMethodKind::Cash => "Cash",
        PaymentMethodKind::Check => "Check",
        PaymentMethodKind::Credit => "Account credit",
    }
}

/// How a stored payment reads, from its stored text (`card`, `office`).
pub fn stored_method_label(method: &str, channel: &str) -> &'static str {
    PaymentMethodKind::parse(method)
        .map(|m| method_label(m, channel))
        .unwrap_or("Payment")
}

/// The longest reference (check number, transfer reference) kept.
pub const REFERENCE_MAX: usize = 60;

/// Reads a payment amount as typed into minor units: required and above zero.
pub fn parse_amount(raw: &str, currency: Currency) -> Result<i64, Invalid> {
    if raw.trim().is_empty() {
        return Err(Invalid::new("amount", "Enter the amount received."));
    }
    let minor = read_amount("amount", raw, currency)?;
    if minor <= 0 {
        return Err(Invalid::new(
            "amount",
            "Enter an amount above zero, such as 45 or 45.50.",
        ));
    }
    Ok(minor)
}

/// Reads the share of a payment for one invoice as typed; empty means nothing for it.
pub fn parse_share(raw: &str, currency: Currency) -> Result<i64, Invalid> {
    read_amount("allocation", raw, currency)
}

fn read_amount(field: &'static str, raw: &str, currency: Currency) -> Result<i64, Invalid> {
    parse_price(raw, currency).map_err(|e| {
        let message = if e.message.contains("12.50") {
            "Write the amount with a point for cents, like 12.50; commas only separate thousands, like 1,250.00."
        } else {
            "Enter an amount such as 45 or 45.50 (no minus sign, at most the currency's decimals)."
        };
        Invalid::new(field, message)
    })
}

/// Checks the reference: a check needs its number (`#` dropped, stored as `Check #1234`);
/// the others take an optional reference. One line, at most [`REFERENCE_MAX`] characters.
pub fn parse_reference(raw: &str, method: OfficeMethod) -> Result<String, Invalid> {
    let typed = raw.trim();
    if typed.chars().any(char::is_control) {
        return Err(Invalid::new("reference", "Keep the reference on one line."));
    }
    if typed.chars().count() > REFERENCE_MAX {
        return Err(Invalid::new(
            "reference",
            format!("Keep the reference under {REFERENCE_MAX} characters."),
        ));
    }
    if method == OfficeMethod::Check {
        let number = typed.trim_start_matches('#').trim();
        if number.is_empty() {
            return Err(Invalid::new("reference", "Enter the check number."));
        }
        return Ok(format!("Check #{number}"));
    }
    Ok(typed.to_owned())
}

/// Reads the day the money was received (`2025-03-04`): required, and not after `today`
/// (the company's today).
pub fn parse_received_on(raw: &str, today: Date) -> Result<Date, Invalid> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = Date::parse(raw.trim(), &format).map_err(|_| {
        Invalid::new(
            "received_on",
            "Enter the day the payment was received, such as 2025-03-04.",
        )
    })?;
    if day > today {
        return Err(Invalid::new(
            "received_on",
            "A payment cannot be received in the future; enter today or an earlier day.",
        ));
    }
    Ok(day)
}

/// One invoice the payer chose: what is owed on it and what the office puts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    /// What is owed on the invoice now, minor units.
    pub balance_minor: i64,
    /// What of the payment goes to it, minor units (0: nothing).
    pub amount_minor: i64,
}

/// A payment split: the share for each invoice (in the order given, zeros kept) and what
/// becomes account credit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// Minor units for each invoice, in the order of the shares.
    pub applied: Vec<i64>,
    /// Minor units added to the account's credit.
    pub to_credit: i64,
}

/// Splits a payment of `amount` across `shares`. Refused, with each message beside its
/// field, when a share is negative or above its invoice's balance (`allocation`, with the
/// index of the share), when the shares exceed the payment (`amount`), or when part of the
/// payment is left over and `keep_credit` is off (`amount`).
pub fn settle(
    amount: i64,
    shares: &[Share],
    keep_credit: bool,
    currency: Currency,
) -> Result<Settlement, Vec<(Option<usize>, Invalid)>> {
    let money = |m: i64| Money::new(m, currency).display();
    let mut errors = Vec::new();
    for (i, s) in shares.iter().enumerate() {
        if s.amount_minor < 0 {
            errors.push((
                Some(i),
                Invalid::new("allocation", "Enter an amount of zero or more."),
            ));
        } else if s.amount_minor > s.balance_minor.max(0) {
            errors.push((
                Some(i),
                Invalid::new(
                    "allocation",
                    format!(
                        "At most {} is owed on this invoice.",
                        money(s.balance_minor.max(0))
                    ),
                ),
            ));
        }
    }
    let applied_total: i64 = shares.iter().map(|s| s.amount_minor.max(0)).sum();
    if amount <= 0 {
        errors.push((None, Invalid::new("amount", "Enter an amount above zero.")));
    } else if applied_total > amount {
        errors.push((
            None,
            Invalid::new(
                "amount",
                format!(
                    "The amounts applied to invoices ({}) are more than the payment ({}).",
                    money(applied_total),
                    money(amount)
                ),
            ),
        ));
    } else if applied_total < amount && !keep_credit {
        let owed: i64 = shares.iter().map(|s| s.balance_minor.max(0)).sum();
        let message = if owed > 0 && amount > owed {
            format!(
                "This payment is more than the balance due ({}). Lower it, or tick “Keep the rest as account credit”.",
                money(owed)
            )
        } else {
            format!(
                "{} of this payment is not applied to an invoice. Apply it to the invoices below, or tick “Keep the rest as account credit”.",
                money(amount - applied_total)
            )
        };
        errors.push((None, Invalid::new("amount", message)));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Settlement {
        applied: shares.iter().map(|s| s.amount_minor).collect(),
        to_credit: amount - applied_total,
    })
}

/// What of the account's `credit` goes to an invoice owing `balance` when the office
/// applies `amount`: at most the credit and at most the balance.
pub fn credit_to_apply(
    amount: i64,
    credit: i64,
    balance: i64,
    currency: Currency,
) -> Result<i64, Invalid> {
    let money = |m: i64| Money::new(m, currency).display();
    if amount <= 0 {
        return Err(Invalid::new("credit_amount", "Enter an amount above zero."));
    }
    if amount > credit {
        return Err(Invalid::new(
            "credit_amount",
            format!("The account has only {} of credit.", money(credit.max(0))),
        ));
    }
    if amount > balance {
        return Err(Invalid::new(
            "credit_amount",
            format!("At most {} is owed on this invoice.", money(balance.max(0))),
        ));
    }
    Ok(amount)
}

/// Whether an invoice of `total` is paid in full once `paid` has been paid on it.
pub fn is_paid_in_full(total: i64, paid: i64) -> bool {
    paid >= total
}

/// Checks a refund of `amount` (minor units, from [`parse_refund`] or the whole rest)
/// against what is left to refund of a payment: above zero and never more than is left.
pub fn check_refund(amount: i64, refundable: i64, currency: Currency) -> Result<(), Invalid> {
    if refundable <= 0 {
        return Err(Invalid::new(
            "amount",
            "This payment is already refunded in full.",
        ));
    }
    if amount <= 0 {
        return Err(Invalid::new(
            "amount",
            "Enter an amount above zero, such as 45 or 45.50.",
        ));
    }
    if amount > refundable {
        return Err(Invalid::new(
            "amount",
            format!(
                "{} is more than the {} left to refund of this payment.",
                Money::new(amount, currency).display(),
                Money::new(refundable, currency).display()
            ),
        ));
    }
    Ok(())
}

/// Reads a refund amount as typed: empty means the whole rest (`refundable`).
pub fn parse_refund(raw: &str, refundable: i64, currency: Currency) -> Result<i64, Invalid> {
    let amount = if raw.trim().is_empty() {
        refundable
    } else {
        read_amount("amount", raw, currency)?
    };
    check_refund(amount, refundable, currency)?;
    Ok(amount)
}

/// How a processor's card brand reads to a person (`visa` → "Visa", `amex` →
/// "American Express"); an unknown brand keeps its words, first letter up.
pub fn card_brand(brand: &str) -> String {
    match brand.trim().to_lowercase().as_str() {
        "visa" => "Visa".into(),
        "mastercard" => "Mastercard".into(),
        "amex" | "american_express" => "American Express".into(),
        "discover" => "Discover".into(),
        "diners" => "Diners Club".into(),
        "jcb" => "JCB".into(),
        "unionpay" => "UnionPay".into(),
        "" | "unknown" => "Card".into(),
        _ => {
            let words = brand.trim().replace('_', " ");
            let mut chars = words.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => "Card".into(),
            }
        }
    }
}

/// Whether a card valid through month `exp_month` of `exp_year` has expired on `today`
/// (a card works through the last day of its month). No expiry (a bank account) never
/// expires.
pub fn card_expired(exp_month: Option<i64>, exp_year: Option<i64>, today: Date) -> bool {
    match (exp_month, exp_year) {
        (Some(m), Some(y)) => {
            let now = i64::from(today.year()) * 12 + i64::from(u8::from(today.month()));
            y * 12 + m < now
        }
        _ => false,
    }
}

#[cfg(test)]
mod card_tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn brands_read_as_people_say_them() {
        assert_eq!(card_brand("visa"), "Visa");
        assert_eq!(card_brand("amex"), "American Express");
        assert_eq!(card_brand("Visa"), "Visa");
        assert_eq!(card_brand("first_harbor"), "First harbor");
        assert_eq!(card_brand(""), "Card");
    }

    #[test]
    fn a_card_works_through_the_last_day_of_its_month() {
        assert!(!card_expired(Some(8), Some(2030), date!(2030 - 08 - 31)));
        assert!(card_expired(Some(8), Some(2030), date!(2030 - 09 - 01)));
        assert!(card_expired(Some(12), Some(2029), date!(2030 - 01 - 01)));
        assert!(!card_expired(None, None, date!(2030 - 01 - 01)));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::macros::date;

    use super::*;

    const USD: Currency = Currency::USD;

    fn share(balance_minor: i64, amount_minor: i64) -> Share {
        Share {
            balance_minor,
            amount_minor,
        }
    }

    #[test]
    fn a_payment_splits_across_invoices_up_to_each_balance() {
        let s = settle(
            15_000,
            &[share(11_700, 11_700), share(8_000, 3_300)],
            false,
            USD,
        )
        .unwrap();
        assert_eq!(s.applied, [11_700, 3_300]);
        assert_eq!(s.to_credit, 0);
        let partial = settle(5_000, &[share(11_700, 5_000)], false, USD).unwrap();
        assert_eq!(partial.applied, [5_000]);
    }

    #[test]
    fn a_share_above_its_balance_is_refused_beside_that_invoice() {
        let err = settle(
            20_000,
            &[share(5_000, 5_000), share(11_700, 15_000)],
            true,
            USD,
        )
        .unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].0, Some(1));
        assert_eq!(err[0].1.field, "allocation");
        assert!(err[0].1.message.contains("$117.00"), "{}", err[0].1.message);
    }

    #[test]
    fn the_rest_becomes_credit_only_when_the_office_asks() {
        let err = settle(15_000, &[share(11_700, 11_700)], false, USD).unwrap_err();
        assert_eq!(err[0].0, None);
        assert_eq!(err[0].1.field, "amount");
        assert!(
            err[0]
                .1
                .message
                .contains("more than the balance due ($117.00)"),
            "{}",
            err[0].1.message
        );
        assert!(err[0].1.message.contains("account credit"));
        let s = settle(15_000, &[share(11_700, 11_700)], true, USD).unwrap();
        assert_eq!(s.to_credit, 3_300);
        let all_credit = settle(2_500, &[], true, USD).unwrap();
        assert_eq!((all_credit.applied.len(), all_credit.to_credit), (0, 2_500));
        let unapplied = settle(2_500, &[share(11_700, 0)], false, USD).unwrap_err();
        assert!(
            unapplied[0]
                .1
                .message
                .contains("$25.00 of this payment is not applied")
        );
    }

    #[test]
    fn shares_above_the_payment_are_refused() {
        let err = settle(1_000, &[share(5_000, 2_000)], true, USD).unwrap_err();
        assert_eq!(err[0].1.field, "amount");
        assert!(
            err[0]
                .1
                .message
                .contains("($20.00) are more than the payment ($10.00)")
        );
        let negative = settle(1_000, &[share(5_000, -1)], true, USD).unwrap_err();
        assert_eq!(negative[0].0, Some(0));
    }

    #[test]
    fn credit_pays_at_most_itself_and_the_balance() {
        assert_eq!(credit_to_apply(3_000, 5_000, 4_000, USD), Ok(3_000));
        assert!(
            credit_to_apply(6_000, 5_000, 9_000, USD)
                .unwrap_err()
                .message
                .contains("only $50.00 of credit")
        );
        assert!(
            credit_to_apply(4_500, 5_000, 4_000, USD)
                .unwrap_err()
                .message
                .contains("At most $40.00")
        );
        assert_eq!(
            credit_to_apply(0, 5_000, 4_000, USD).unwrap_err().field,
            "credit_amount"
        );
    }

    #[test]
    fn an_invoice_is_paid_when_what_was_paid_reaches_its_total() {
        assert!(!is_paid_in_full(11_700, 5_000));
        assert!(is_paid_in_full(11_700, 11_700));
    }

    #[test]
    fn amounts_are_required_positive_and_read_like_prices() {
        assert_eq!(parse_amount(" $1,250.50 ", USD), Ok(125_050));
        assert_eq!(parse_amount("", USD).unwrap_err().field, "amount");
        assert_eq!(parse_amount("0", USD).unwrap_err().field, "amount");
        assert!(parse_amount("-5", USD).is_err());
        assert!(
            parse_amount("12,50", USD)
                .unwrap_err()
                .message
                .contains("12.50")
        );
        assert_eq!(parse_share("", USD), Ok(0));
        assert_eq!(parse_share("x", USD).unwrap_err().field, "allocation");
    }

    #[test]
    fn a_check_needs_its_number_and_references_stay_short() {
        assert_eq!(
            parse_reference("#1234", OfficeMethod::Check),
            Ok("Check #1234".to_owned())
        );
        assert_eq!(
            parse_reference(" ", OfficeMethod::Check).unwrap_err().field,
            "reference"
        );
        assert_eq!(parse_reference("", OfficeMethod::Cash), Ok(String::new()));
        assert!(parse_reference(&"x".repeat(61), OfficeMethod::BankTransfer).is_err());
        assert!(parse_reference("a\nb", OfficeMethod::BankTransfer).is_err());
    }

    #[test]
    fn a_payment_is_never_received_in_the_future() {
        let today = date!(2025 - 03 - 04);
        assert_eq!(parse_received_on("2025-03-04", today), Ok(today));
        assert_eq!(
            parse_received_on("2025-03-01", today),
            Ok(date!(2025 - 03 - 01))
        );
        assert!(
            parse_received_on("2025-03-05", today)
                .unwrap_err()
                .message
                .contains("future")
        );
        assert_eq!(
            parse_received_on("03/04/2025", today).unwrap_err().field,
            "received_on"
        );
    }

    #[test]
    fn methods_read_as_the_office_took_them() {
        assert_eq!(
            OfficeMethod::parse("bank_transfer"),
            Ok(OfficeMethod::BankTransfer)
        );
        assert!(OfficeMethod::parse("bitcoin").is_err());
        assert_eq!(OfficeMethod::BankTransfer.stored(), PaymentMethodKind::Ach);
        assert_eq!(OfficeMethod::BankTransfer.label(), "Bank transfer");
        assert_eq!(OfficeMethod::PhoneCard.label(), "Card by phone");
        assert_eq!(stored_method_label("card", "online"), "Card");
        assert_eq!(stored_method_label("ach", "online"), "Bank transfer (ACH)");
        assert_eq!(stored_method_label("credit", "office"), "Account credit");
    }

    #[test]
    fn a_refund_is_above_zero_and_never_more_than_is_left() {
        use super::{check_refund, parse_refund};
        let usd = Currency::USD;
        assert_eq!(parse_refund("", 7800, usd), Ok(7800));
        assert_eq!(parse_refund("12.50", 7800, usd), Ok(1250));
        assert_eq!(parse_refund("78", 7800, usd), Ok(7800));
        let over = parse_refund("78.01", 7800, usd).unwrap_err();
        assert_eq!(over.field, "amount");
        assert!(
            over.message.contains("$78.01 is more than the $78.00 left"),
            "{}",
            over.message
        );
        assert!(parse_refund("0", 7800, usd).is_err());
        assert!(parse_refund("-5", 7800, usd).is_err());
        assert!(parse_refund("abc", 7800, usd).is_err());
        assert!(
            check_refund(100, 0, usd)
                .unwrap_err()
                .message
                .contains("already refunded")
        );
        assert!(check_refund(1, 1, usd).is_ok());
    }
}
