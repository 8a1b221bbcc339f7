//! Money in integer minor units (cents), never floating point.

use crate::Invalid;

/// An ISO 4217 currency code a company bills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollars, the default for a new company.
    pub const USD: Currency = Currency(*b"USD");

    /// Parses a three-letter code such as `USD` or `eur`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let upper = raw.trim().to_ascii_uppercase();
        match upper.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => Ok(Self([*a, *b, *c])),
            _ => Err(Invalid::new(
                "currency",
                "Use a three-letter currency code such as USD.",
            )),
        }
    }

    /// The code, e.g. `USD`.
    pub fn code(&self) -> &str {
        // The bytes are checked ASCII letters at construction.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// How many decimal places the currency's minor unit has.
    pub fn exponent(&self) -> u32 {
        match &self.0 {
            b"JPY" | b"KRW" | b"CLP" | b"ISK" | b"VND" => 0,
            b"BHD" | b"KWD" | b"OMR" | b"JOD" | b"TND" => 3,
            _ => 2,
        }
    }

    /// The symbol shown before amounts; the code itself when there is none in common use.
    pub fn symbol(&self) -> &str {
        match &self.0 {
            b"USD" | b"CAD" | b"AUD" | b"NZD" | b"MXN" => "$",
            b"EUR" => "€",
            b"GBP" => "£",
            b"JPY" => "¥",
            _ => self.code(),
        }
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount of money: minor units of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    /// The amount in the currency's minor unit (cents for USD); negative for credits.
    pub minor: i64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// An amount of `minor` units of `currency`.
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Formats for people: `$1,234.56`, `-$5.00`, `¥1,200`.
    pub fn display(&self) -> String {
        let exp = self.currency.exponent();
        let scale = 10_u64.pow(exp);
        let abs = self.minor.unsigned_abs();
        let whole = group_thousands(abs / scale);
        let sign = if self.minor < 0 { "-" } else { "" };
        let symbol = self.currency.symbol();
        let sep = if symbol.len() == 3 && symbol.is_ascii() {
            " "
        } else {
            ""
        };
        if exp == 0 {
            format!("{sign}{symbol}{sep}{whole}")
        } else {
            let frac = abs % scale;
            format!(
                "{sign}{symbol}{sep}{whole}.{frac:0width$}",
                width = exp as usize
            )
        }
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Currency, Money};

    #[test]
    fn formats_dollars_with_cents_and_thousands() {
        assert_eq!(Money::new(123_456, Currency::USD).display(), "$1,234.56");
        assert_eq!(Money::new(5, Currency::USD).display(), "$0.05");
        assert_eq!(Money::new(-500, Currency::USD).display(), "-$5.00");
        assert_eq!(
            Money::new(100_000_000, Currency::USD).display(),
            "$1,000,000.00"
        );
    }

    #[test]
    fn formats_currencies_without_minor_units() {
        let yen = Currency::parse("jpy").map(|c| Money::new(1200, c).display());
        assert_eq!(yen, Ok("¥1,200".to_owned()));
    }

    #[test]
    fn uncommon_currencies_show_their_code() {
        let chf = Currency::parse("CHF").map(|c| Money::new(1050, c).display());
        assert_eq!(chf, Ok("CHF 10.50".to_owned()));
    }

    #[test]
    fn refuses_codes_that_are_not_three_letters() {
        for raw in ["", "US", "USDX", "U5D", "€€€"] {
            assert!(Currency::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }
}
