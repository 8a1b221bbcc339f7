//! The company's own details as the office edits them (name, addresses, website, currency,
//! payment terms, time zone) and the rules that keep a company administrable: it always
//! has an active administrator, and nobody deactivates themself.

use crate::Invalid;
use crate::ids::StaffUserId;
use crate::money::Currency;
use crate::status::StaffRole;

/// The longest company name accepted.
pub const NAME_MAX: usize = 120;
/// The longest address line, city, region, postal code or country accepted.
pub const LINE_MAX: usize = 120;
/// The longest phone number accepted.
pub const PHONE_MAX: usize = 40;
/// The longest website address accepted.
pub const WEBSITE_MAX: usize = 200;
/// The longest payment terms, in days.
pub const PAYMENT_TERMS_MAX: u32 = 365;

/// The currencies a company may bill in: ISO 4217 codes whose amounts every page, email
/// and PDF can print.
pub const CURRENCIES: &[&str] = &[
    "USD", "CAD", "EUR", "GBP", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "JPY", "MXN",
    "ZAR", "SGD", "HKD",
];

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// The company's name: required, at most [`NAME_MAX`] characters, one line.
pub fn check_name(raw: &str) -> Result<String, Invalid> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Invalid::new("name", "Enter the company's name."));
    }
    if name.chars().count() > NAME_MAX || has_control(name) {
        return Err(Invalid::new(
            "name",
            format!("Use at most {NAME_MAX} characters on one line."),
        ));
    }
    Ok(name.to_owned())
}

/// An optional one-line text field (`field`): at most `max` characters, trimmed.
pub fn check_line(field: &'static str, raw: &str, max: usize) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.chars().count() > max || has_control(value) {
        return Err(Invalid::new(
            field,
            format!("Use at most {max} characters on one line."),
        ));
    }
    Ok(value.to_owned())
}

/// An optional phone number: digits with the usual separators (`+ - . ( )`, spaces, an
/// `x` before an extension).
pub fn check_phone(raw: &str) -> Result<String, Invalid> {
    let phone = raw.trim();
    let ok_chars = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-.()xX".contains(c));
    if phone.chars().count() > PHONE_MAX || !ok_chars {
        return Err(Invalid::new(
            "phone",
            "Enter a phone number of digits, spaces and + - ( ), like +1 555 010 0100.",
        ));
    }
    Ok(phone.to_owned())
}

/// An optional website: an `http://` or `https://` address with a host name and nothing
/// that could break out of a link.
pub fn check_website(raw: &str) -> Result<String, Invalid> {
    let site = raw.trim();
    if site.is_empty() {
        return Ok(String::new());
    }
    let bad = || {
        Invalid::new(
            "website",
            "Enter a web address starting with https://, like https://example.com.",
        )
    };
    let lower = site.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host_name = host.split(':').next().unwrap_or("");
    let host_ok = !host_name.is_empty()
        && host_name.contains('.')
        && !host_name.starts_with('.')
        && !host_name.ends_with('.')
        && host_name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    let chars_ok = !site
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>\"'`\\".contains(c));
    if site.len() > WEBSITE_MAX || !host_ok || !chars_ok || rest.contains('@') {
        return Err(bad());
    }
    Ok(site.to_owned())
}

/// The currency, one of [`CURRENCIES`].
pub fn check_currency(raw: &str) -> Result<Currency, Invalid> {
    let currency = Currency::parse(raw)?;
    if !CURRENCIES.contains(&currency.code()) {
        return Err(Invalid::new(
            "currency",
            format!("Choose one of {}.", CURRENCIES.join(", ")),
        ));
    }
    Ok(currency)
}

/// Payment terms: whole days, 0 (due on receipt) to [`PAYMENT_TERMS_MAX`].
pub fn check_payment_terms(raw: &str) -> Result<u32, Invalid> {
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|d| *d <= PAYMENT_TERMS_MAX)
        .ok_or_else(|| {
            Invalid::new(
                "payment_terms_days",
                format!("Enter whole days from 0 (due on receipt) to {PAYMENT_TERMS_MAX}."),
            )
        })
}

/// The time zone: an IANA name such as `America/New_York`, answered with its canonical
/// spelling. (The one place the office's typed zone is judged; `local_time` keeps the
/// zone itself.)
pub fn check_time_zone(raw: &str) -> Result<String, Invalid> {
    crate::local_time::Zone::parse(raw)
        .map(|zone| zone.name().to_owned())
        .map_err(|e| Invalid::new("timezone", e.message))
}

/// The longest document number prefix.
pub const PREFIX_MAX: usize = 8;

/// A document number prefix (`INV-` in `INV-1043`): 1 to [`PREFIX_MAX`] letters, digits
/// or dashes, kept as typed apart from surrounding spaces. `field` names the form field.
pub fn check_number_prefix(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let prefix = raw.trim();
    let ok = (1..=PREFIX_MAX).contains(&prefix.chars().count())
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !ok {
        return Err(Invalid::new(
            field,
            format!("Use 1 to {PREFIX_MAX} letters, digits or dashes, such as INV-."),
        ));
    }
    Ok(prefix.to_owned())
}

/// Why a change to the staff was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffRefusal {
    /// It would leave the company without an active administrator.
    LastAdmin,
    /// An administrator may not deactivate themself.
    Yourself,
}

impl StaffRefusal {
    /// A stable code for the clash.
    pub fn code(self) -> &'static str {
        match self {
            StaffRefusal::LastAdmin => "last_admin",
            StaffRefusal::Yourself => "yourself",
        }
    }

    /// What to tell the administrator.
    pub fn message(self) -> &'static str {
        match self {
            StaffRefusal::LastAdmin => {
                "This is the company's only active administrator. Make someone else an administrator first."
            }
            StaffRefusal::Yourself => {
                "You cannot deactivate yourself. Ask another administrator to do it."
            }
        }
    }
}

/// A staff member as the staff rules see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    /// Who.
    pub id: StaffUserId,
    /// Their role now.
    pub role: StaffRole,
    /// Whether they are active (not deactivated).
    pub active: bool,
}

impl Member {
    fn is_active_admin(&self) -> bool {
        self.active && self.role == StaffRole::Admin
    }
}

/// Whether `target` may be given `role`, when the company has `active_admins` active
/// administrators (counting `target`).
pub fn may_change_role(
    target: Member,
    role: StaffRole,
    active_admins: usize,
) -> Result<(), StaffRefusal> {
    if target.is_active_admin() && role != StaffRole::Admin && active_admins <= 1 {
        return Err(StaffRefusal::LastAdmin);
    }
    Ok(())
}

/// Whether administrator `actor` may deactivate `target`, when the company has
/// `active_admins` active administrators (counting `target`).
pub fn may_deactivate(
    actor: StaffUserId,
    target: Member,
    active_admins: usize,
) -> Result<(), StaffRefusal> {
    if actor == target.id {
        return Err(StaffRefusal::Yourself);
    }
    if target.is_active_admin() && active_admins <= 1 {
        return Err(StaffRefusal::LastAdmin);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_required_and_bounded() {
        assert_eq!(check_name("  Acme Heating "), Ok("Acme Heating".to_owned()));
        assert!(check_name("   ").is_err());
        assert!(check_name(&"x".repeat(NAME_MAX + 1)).is_err());
        assert!(check_name("Acme\nHeating").is_err());
        assert!(check_name(&"é".repeat(NAME_MAX)).is_ok());
    }

    #[test]
    fn lines_and_phones_are_bounded() {
        assert_eq!(
            check_line("city", " Springfield ", LINE_MAX),
            Ok("Springfield".into())
        );
        assert_eq!(check_line("city", "", LINE_MAX), Ok(String::new()));
        assert!(check_line("city", "a\tb", LINE_MAX).is_err());
        assert!(check_line("city", &"a".repeat(LINE_MAX + 1), LINE_MAX).is_err());
        assert_eq!(
            check_phone(" +1 (555) 010-0100 x12 "),
            Ok("+1 (555) 010-0100 x12".into())
        );
        assert_eq!(check_phone(""), Ok(String::new()));
        assert!(check_phone("call me").is_err());
        assert!(check_phone(&"1".repeat(PHONE_MAX + 1)).is_err());
    }

    #[test]
    fn websites_are_http_or_https_with_a_host() {
        for ok in [
            "https://example.com",
            "http://example.com/about?x=1",
            "https://www.acme-heating.co.uk/",
            "HTTPS://Example.com",
            "https://example.com:8443/x",
        ] {
            assert_eq!(check_website(ok), Ok(ok.to_owned()), "{ok}");
        }
        assert_eq!(check_website("  "), Ok(String::new()));
        for bad in [
            "example.com",
            "javascript:alert(1)",
            "ftp://example.com",
            "https://",
            "https://localhost",
            "https://exa mple.com",
            "https://example.com/\"onmouseover=x",
            "https://user@evil.com",
            "https://.com",
            "data:text/html,hi",
        ] {
            assert_eq!(
                check_website(bad).map_err(|e| e.field),
                Err("website"),
                "{bad}"
            );
        }
        let long = format!("https://example.com/{}", "a".repeat(WEBSITE_MAX));
        assert!(check_website(&long).is_err());
    }

    #[test]
    fn currencies_come_from_the_known_list() {
        assert_eq!(
            check_currency("eur").map(|c| c.code().to_owned()),
            Ok("EUR".into())
        );
        assert_eq!(check_currency("USD"), Ok(Currency::USD));
        assert!(check_currency("XYZ").is_err());
        assert!(check_currency("dollars").is_err());
        assert!(check_currency("").is_err());
    }

    #[test]
    fn payment_terms_are_zero_to_a_year() {
        assert_eq!(check_payment_terms("0"), Ok(0));
        assert_eq!(check_payment_terms(" 30 "), Ok(30));
        assert_eq!(check_payment_terms("365"), Ok(365));
        for bad in ["366", "-1", "", "30 days", "1.5"] {
            assert_eq!(
                check_payment_terms(bad).map_err(|e| e.field),
                Err("payment_terms_days"),
                "{bad}"
            );
        }
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(
            check_time_zone("America/New_York"),
            Ok("America/New_York".into())
        );
        assert_eq!(
            check_time_zone(" Europe/London "),
            Ok("Europe/London".into())
        );
        assert_eq!(check_time_zone("UTC"), Ok("UTC".into()));
        for bad in [
            "",
            "Mars/Olympus_Mons",
            "Europe/\nLondon",
            "../../etc/passwd",
            "New York",
        ] {
            assert_eq!(
                check_time_zone(bad).map_err(|e| e.field),
                Err("timezone"),
                "{bad}"
            );
        }
    }

    fn member(id: i64, role: StaffRole, active: bool) -> Member {
        Member {
            id: StaffUserId(id),
            role,
            active,
        }
    }

    #[test]
    fn the_last_active_admin_stays_an_admin() {
        let admin = member(1, StaffRole::Admin, true);
        assert_eq!(
            may_change_role(admin, StaffRole::Office, 1),
            Err(StaffRefusal::LastAdmin)
        );
        assert_eq!(may_change_role(admin, StaffRole::Office, 2), Ok(()));
        assert_eq!(may_change_role(admin, StaffRole::Admin, 1), Ok(()));
        let office = member(2, StaffRole::Office, true);
        assert_eq!(may_change_role(office, StaffRole::Admin, 1), Ok(()));
        // A deactivated admin is not counted, so demoting one is fine.
        let gone = member(3, StaffRole::Admin, false);
        assert_eq!(may_change_role(gone, StaffRole::Office, 1), Ok(()));
    }

    #[test]
    fn nobody_deactivates_themself_or_the_last_admin() {
        let me = StaffUserId(1);
        assert_eq!(
            may_deactivate(me, member(1, StaffRole::Admin, true), 2),
            Err(StaffRefusal::Yourself)
        );
        assert_eq!(
            may_deactivate(me, member(2, StaffRole::Admin, true), 1),
            Err(StaffRefusal::LastAdmin)
        );
        assert_eq!(
            may_deactivate(me, member(2, StaffRole::Admin, true), 2),
            Ok(())
        );
        assert_eq!(
            may_deactivate(me, member(3, StaffRole::Office, true), 1),
            Ok(())
        );
        assert_eq!(StaffRefusal::LastAdmin.code(), "last_admin");
    }

    #[test]
    fn number_prefixes_are_short_letters_digits_and_dashes() {
        use super::check_number_prefix;
        assert_eq!(
            check_number_prefix("invoice_prefix", " INV- ")
                .ok()
                .as_deref(),
            Some("INV-")
        );
        assert_eq!(
            check_number_prefix("job_prefix", "J").ok().as_deref(),
            Some("J")
        );
        assert_eq!(
            check_number_prefix("job_prefix", "2026-WO-")
                .ok()
                .as_deref(),
            Some("2026-WO-")
        );
        for bad in ["", "   ", "INVOICE-NO", "IN V", "INV/", "ÉST-", "<b>"] {
            assert!(check_number_prefix("job_prefix", bad).is_err(), "{bad:?}");
        }
    }
}
