//! Deposits asked when an estimate is approved, and tips added when paying an invoice of
//! a completed job (issue 19). Amounts are integer minor units.
//!
//! **Rounding.** A percentage is kept in basis points (25 % = 2500) and applied to an
//! amount in minor units with the exact integer product, rounded to the nearest minor
//! unit, halves up (12.5 cents becomes 13 cents): `(amount × bp + 5000) / 10000`. A
//! deposit is never more than the approved total (a fixed deposit above it asks for the
//! total); a tip is never more than what it is added to.

use crate::catalogue::parse_price;
use crate::money::Currency;
use crate::payments::parse_amount;
use crate::validation::Invalid;

/// One hundred percent, in basis points.
pub const FULL_BP: i64 = 10_000;

/// The tip percentages the payment page offers.
pub const TIP_PRESETS: [i64; 3] = [10, 15, 20];

/// `bp` basis points of `amount_minor`, rounded to the nearest minor unit, halves up.
pub fn percent_of(amount_minor: i64, bp: i64) -> i64 {
    if amount_minor <= 0 || bp <= 0 {
        return 0;
    }
    let exact = i128::from(amount_minor) * i128::from(bp);
    i64::try_from((exact + i128::from(FULL_BP / 2)) / i128::from(FULL_BP)).unwrap_or(i64::MAX)
}

/// The deposit an estimate asks for, as the office typed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deposit {
    /// No deposit.
    None,
    /// A fixed amount, minor units.
    Fixed(i64),
    /// A share of the approved total, basis points (1 to 10 000).
    Percent(i64),
}

impl Deposit {
    /// The stored pair (`deposit_minor`, `deposit_percent_bp`): a percentage wins.
    pub fn from_stored(fixed_minor: i64, percent_bp: i64) -> Deposit {
        if percent_bp > 0 {
            Deposit::Percent(percent_bp.min(FULL_BP))
        } else if fixed_minor > 0 {
            Deposit::Fixed(fixed_minor)
        } else {
            Deposit::None
        }
    }

    /// The stored pair (`deposit_minor`, `deposit_percent_bp`).
    pub fn stored(self) -> (i64, i64) {
        match self {
            Deposit::None => (0, 0),
            Deposit::Fixed(m) => (m, 0),
            Deposit::Percent(bp) => (0, bp),
        }
    }

    /// What is due on approving for `total_minor`: the fixed amount (at most the total)
    /// or the percentage of the total (rounded as the module says).
    pub fn due(self, total_minor: i64) -> i64 {
        let total = total_minor.max(0);
        match self {
            Deposit::None => 0,
            Deposit::Fixed(m) => m.clamp(0, total),
            Deposit::Percent(bp) => percent_of(total, bp).min(total),
        }
    }

    /// The percentage as people read it (`25%`, `12.5%`), if it is one.
    pub fn percent_label(self) -> Option<String> {
        match self {
            Deposit::Percent(bp) => Some(bp_label(bp)),
            _ => None,
        }
    }
}

fn bp_label(bp: i64) -> String {
    let (whole, rest) = (bp / 100, bp % 100);
    if rest == 0 {
        format!("{whole}%")
    } else if rest % 10 == 0 {
        format!("{whole}.{}%", rest / 10)
    } else {
        format!("{whole}.{rest:02}%")
    }
}

/// Reads the deposit as the office types it: empty for none, an amount (`1500`,
/// `1,500.00`) or a percentage of the approved total (`25%`, `12.5 %`: above 0, at most
/// 100, at most two decimals).
pub fn parse_deposit(raw: &str, currency: Currency) -> Result<Deposit, Invalid> {
    let typed = raw.trim();
    if let Some(number) = typed.strip_suffix('%') {
        let bad = || {
            Invalid::new(
                "deposit",
                "Enter a percentage above 0 and at most 100, such as 25% or 12.5%.",
            )
        };
        let number = number.trim();
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty()
            || frac.len() > 2
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || whole.len() > 3
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        let bp = whole * 100 + frac;
        if bp <= 0 || bp > FULL_BP {
            return Err(bad());
        }
        return Ok(Deposit::Percent(bp));
    }
    let minor = parse_price(typed, currency).map_err(|e| Invalid::new("deposit", e.message))?;
    Ok(if minor > 0 {
        Deposit::Fixed(minor)
    } else {
        Deposit::None
    })
}

/// The deposit as the office's form shows it back.
pub fn deposit_input(d: Deposit, currency: Currency) -> String {
    match d {
        Deposit::None => String::new(),
        Deposit::Fixed(m) => crate::catalogue::price_input(m, currency),
        Deposit::Percent(bp) => bp_label(bp),
    }
}

/// The tip a customer chose on the payment page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tip {
    /// No tip.
    None,
    /// One of [`TIP_PRESETS`], percent of the amount paid.
    Percent(i64),
    /// An amount typed, minor units.
    Amount(i64),
}

impl Tip {
    /// The tip in minor units when paying `amount_minor`: a preset's share rounded as
    /// the module says, or the amount typed.
    pub fn amount(self, amount_minor: i64) -> i64 {
        match self {
            Tip::None => 0,
            Tip::Percent(p) => percent_of(amount_minor, p * 100),
            Tip::Amount(m) => m,
        }
    }
}

/// Reads the tip: `choice` is empty or `none`, a preset (`10`, `15`, `20`) or `amount`
/// with `typed` the amount (above zero).
pub fn parse_tip(choice: &str, typed: &str, currency: Currency) -> Result<Tip, Invalid> {
    match choice.trim() {
        "" | "none" | "0" => Ok(Tip::None),
        "amount" => parse_amount(typed, currency)
            .map(Tip::Amount)
            .map_err(|_| Invalid::new("tip_amount", "Enter the tip, such as 10 or 12.50.")),
        p => match p.parse::<i64>() {
            Ok(n) if TIP_PRESETS.contains(&n) => Ok(Tip::Percent(n)),
            _ => Err(Invalid::new("tip", "Choose one of the tips offered.")),
        },
    }
}

/// Checks a tip of `tip_minor` on a payment of `amount_minor`: at most the amount paid.
pub fn check_tip(tip_minor: i64, amount_minor: i64) -> Result<i64, Invalid> {
    if tip_minor > amount_minor {
        Err(Invalid::new(
            "tip_amount",
            "A tip can be at most the amount you are paying.",
        ))
    } else {
        Ok(tip_minor.max(0))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const USD: Currency = Currency::USD;

    #[test]
    fn a_percentage_rounds_to_the_nearest_minor_unit_halves_up() {
        assert_eq!(percent_of(10_000, 2500), 2500);
        // 15 % of $0.83 is 12.45 cents: 12 cents.
        assert_eq!(percent_of(83, 1500), 12);
        // 15 % of $0.90 is 13.5 cents: halves go up, 14 cents.
        assert_eq!(percent_of(90, 1500), 14);
        // 12.5 % of $1.00 is 12.5 cents: 13.
        assert_eq!(percent_of(100, 1250), 13);
        assert_eq!(percent_of(0, 2500), 0);
        assert_eq!(percent_of(-100, 2500), 0);
        assert_eq!(percent_of(i64::MAX, 10_000), i64::MAX);
    }

    #[test]
    fn a_deposit_is_fixed_or_a_share_and_never_more_than_the_total() {
        assert_eq!(Deposit::Fixed(150_000).due(400_000), 150_000);
        assert_eq!(Deposit::Fixed(150_000).due(100_000), 100_000);
        assert_eq!(Deposit::Percent(2500).due(123_457), 30_864);
        assert_eq!(Deposit::Percent(10_000).due(123_457), 123_457);
        assert_eq!(Deposit::None.due(123_457), 0);
        assert_eq!(Deposit::Fixed(500).due(0), 0);
        assert_eq!(Deposit::from_stored(500, 0), Deposit::Fixed(500));
        assert_eq!(Deposit::from_stored(500, 2500), Deposit::Percent(2500));
        assert_eq!(Deposit::from_stored(0, 0), Deposit::None);
        assert_eq!(Deposit::Percent(2500).stored(), (0, 2500));
    }

    #[test]
    fn the_office_types_an_amount_or_a_percentage() {
        assert_eq!(parse_deposit("", USD).unwrap(), Deposit::None);
        assert_eq!(parse_deposit("0", USD).unwrap(), Deposit::None);
        assert_eq!(
            parse_deposit("1,500.00", USD).unwrap(),
            Deposit::Fixed(150_000)
        );
        assert_eq!(parse_deposit("25%", USD).unwrap(), Deposit::Percent(2500));
        assert_eq!(
            parse_deposit(" 12.5 %", USD).unwrap(),
            Deposit::Percent(1250)
        );
        assert_eq!(
            parse_deposit("100%", USD).unwrap(),
            Deposit::Percent(10_000)
        );
        for bad in ["0%", "101%", "12.345%", "-5%", "%", "abc%", "1e2%"] {
            assert_eq!(
                parse_deposit(bad, USD).unwrap_err().field,
                "deposit",
                "{bad}"
            );
        }
        assert_eq!(parse_deposit("-5", USD).unwrap_err().field, "deposit");
        assert_eq!(deposit_input(Deposit::Percent(1250), USD), "12.5%");
        assert_eq!(deposit_input(Deposit::Percent(1205), USD), "12.05%");
        assert_eq!(deposit_input(Deposit::Fixed(150_000), USD), "1500.00");
        assert_eq!(
            Deposit::Percent(2500).percent_label().as_deref(),
            Some("25%")
        );
    }

    #[test]
    fn a_tip_is_a_preset_share_or_an_amount() {
        assert_eq!(parse_tip("", "", USD).unwrap(), Tip::None);
        assert_eq!(parse_tip("15", "", USD).unwrap(), Tip::Percent(15));
        assert_eq!(
            parse_tip("amount", "12.50", USD).unwrap(),
            Tip::Amount(1250)
        );
        assert_eq!(
            parse_tip("amount", "", USD).unwrap_err().field,
            "tip_amount"
        );
        assert_eq!(
            parse_tip("amount", "-3", USD).unwrap_err().field,
            "tip_amount"
        );
        assert_eq!(parse_tip("17", "", USD).unwrap_err().field, "tip");
        // 15 % of $117.00 is $17.55; of $0.90 it is 13.5 cents, 14.
        assert_eq!(Tip::Percent(15).amount(11_700), 1755);
        assert_eq!(Tip::Percent(15).amount(90), 14);
        assert_eq!(Tip::Amount(500).amount(11_700), 500);
        assert_eq!(Tip::None.amount(11_700), 0);
        assert_eq!(check_tip(500, 11_700), Ok(500));
        assert_eq!(check_tip(11_701, 11_700).unwrap_err().field, "tip_amount");
    }
}
