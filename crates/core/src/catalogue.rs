//! The requestable catalogue's rules (seed 004): what a product or service needs to be
//! offered, and prices typed by people read into minor units.

use crate::Invalid;
use crate::money::Currency;

/// Longest name of a catalogue item.
pub const NAME_MAX: usize = 120;
/// Longest description of a catalogue item.
pub const DESCRIPTION_MAX: usize = 2000;

/// Whether the item is a product (which rental or asset needs service) or a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A product, e.g. a rental unit type.
    Product,
    /// A service, e.g. "pump out".
    Service,
}

impl ItemKind {
    /// The stored form.
    pub fn as_str(&self) -> &'static str {
        match self {
            ItemKind::Product => "product",
            ItemKind::Service => "service",
        }
    }

    /// As people read it.
    pub fn label(&self) -> &'static str {
        match self {
            ItemKind::Product => "Product",
            ItemKind::Service => "Service",
        }
    }

    /// Parses the stored or posted form.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "product" => Ok(ItemKind::Product),
            "service" => Ok(ItemKind::Service),
            _ => Err(Invalid::new("kind", "Choose product or service.")),
        }
    }
}

/// Checks a name: required, one line, at most [`NAME_MAX`] characters; answers it trimmed.
pub fn check_name(raw: &str) -> Result<String, Invalid> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Invalid::new("name", "Give the item a name."));
    }
    if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        return Err(Invalid::new(
            "name",
            format!("Keep the name on one line and under {NAME_MAX} characters."),
        ));
    }
    Ok(name.to_owned())
}

/// Checks a description: optional, at most [`DESCRIPTION_MAX`] characters.
pub fn check_description(raw: &str) -> Result<String, Invalid> {
    let d = raw.trim().replace("\r\n", "\n");
    if d.chars().count() > DESCRIPTION_MAX {
        return Err(Invalid::new(
            "description",
            format!("Keep the description under {DESCRIPTION_MAX} characters."),
        ));
    }
    Ok(d)
}

/// Reads a price as typed (`45`, `45.5`, `1,250.00`, `$45`) into minor units of
/// `currency`; empty means 0. Negative amounts and extra decimals are refused, and so are
/// amounts a person could have meant two ways: a comma is only ever a thousands
/// separator between groups of three digits before the point, so `12,50` and `1.234,5`
/// (decimal commas) are refused rather than read as 1,250 or 1.2345.
pub fn parse_price(raw: &str, currency: Currency) -> Result<i64, Invalid> {
    let bad = || {
        Invalid::new(
            "price",
            "Enter a price such as 45 or 45.50 (no minus sign, at most the currency's decimals).",
        )
    };
    let ambiguous = || {
        Invalid::new(
            "price",
            "Write the price with a point for cents, like 12.50; commas only separate thousands, like 1,250.00.",
        )
    };
    let typed = raw.trim();
    let typed = typed
        .strip_prefix(currency.symbol())
        .unwrap_or(typed)
        .trim_start();
    if typed.is_empty() {
        return Ok(0);
    }
    let (whole, frac) = typed.split_once('.').unwrap_or((typed, ""));
    if frac.contains([',', '.']) || frac.chars().any(char::is_whitespace) {
        return Err(ambiguous());
    }
    // Thousands separators (commas, or spaces) only between groups of three digits.
    let groups: Vec<&str> = whole.split([',', ' ']).collect();
    if groups.len() > 1 {
        let first = groups.first().map_or(0, |g| g.len());
        if !(1..=3).contains(&first) || groups.iter().skip(1).any(|g| g.len() != 3) {
            return Err(ambiguous());
        }
    }
    let whole: String = groups.concat();
    let exp = currency.exponent() as usize;
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && frac.is_empty()
        || !digits(&whole)
        || !digits(frac)
        || frac.len() > exp
        || whole.len() > 12
    {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let padded = format!("{frac:0<exp$}");
    let frac: i64 = if padded.is_empty() {
        0
    } else {
        padded.parse().map_err(|_| bad())?
    };
    whole
        .checked_mul(10_i64.pow(exp as u32))
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(bad)
}

/// Writes minor units back as a form shows them: `45.50`, `1200` for zero-decimal
/// currencies, `-0.50` below zero (the sign kept, so a check refuses it).
pub fn price_input(minor: i64, currency: Currency) -> String {
    let exp = currency.exponent();
    if exp == 0 {
        return minor.to_string();
    }
    let scale = 10_u64.pow(exp);
    let abs = minor.unsigned_abs();
    let sign = if minor < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = exp as usize
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn prices_typed_by_people_become_minor_units() {
        let usd = Currency::USD;
        assert_eq!(parse_price("45", usd), Ok(4500));
        assert_eq!(parse_price("45.5", usd), Ok(4550));
        assert_eq!(parse_price(" $1,250.00 ", usd), Ok(125_000));
        assert_eq!(parse_price(".75", usd), Ok(75));
        assert_eq!(parse_price("", usd), Ok(0));
        for bad in ["-5", "4.555", "abc", "1.2.3", ".", "9999999999999"] {
            assert_eq!(parse_price(bad, usd).unwrap_err().field, "price", "{bad}");
        }
        assert_eq!(parse_price("1,250", usd), Ok(125_000));
        assert_eq!(parse_price("12,345,678.9", usd), Ok(1_234_567_890));
        assert_eq!(parse_price("1 250.00", usd), Ok(125_000));
    }

    #[test]
    fn amounts_with_a_decimal_comma_are_refused_not_misread() {
        let usd = Currency::USD;
        for typed in [
            "12,50", "1.234,5", "1,2345", "12 50", ",50", "1,", "1,,250", "1,250,5", "1.250,00",
        ] {
            let err = parse_price(typed, usd).unwrap_err();
            assert_eq!(err.field, "price", "{typed}");
            assert!(err.message.contains("12.50"), "{typed}: {}", err.message);
        }
        let eur = Currency::parse("EUR").unwrap_or(Currency::USD);
        assert_eq!(parse_price("€ 1,250.50", eur), Ok(125_050));
        assert!(parse_price("€12,50", eur).is_err());
        let jpy = Currency::parse("JPY").unwrap_or(Currency::USD);
        assert_eq!(parse_price("1200", jpy), Ok(1200));
        assert!(parse_price("1200.5", jpy).is_err());
        assert_eq!(price_input(4550, usd), "45.50");
        assert_eq!(price_input(1200, jpy), "1200");
        assert_eq!(price_input(-50, usd), "-0.50");
        assert_eq!(price_input(-1250, usd), "-12.50");
    }

    #[test]
    fn names_are_required_single_line_and_bounded() {
        assert_eq!(check_name("  Pump out "), Ok("Pump out".to_owned()));
        assert_eq!(check_name("  ").unwrap_err().field, "name");
        assert!(check_name("a\nb").is_err());
        assert!(check_name(&"x".repeat(NAME_MAX + 1)).is_err());
        assert!(check_description(&"x".repeat(DESCRIPTION_MAX + 1)).is_err());
        assert_eq!(check_description(" a\r\nb "), Ok("a\nb".to_owned()));
        assert_eq!(ItemKind::parse("product"), Ok(ItemKind::Product));
        assert!(ItemKind::parse("rental").is_err());
    }
}
