//! The customer's answers to the guided "Request service" form, and the rules each step
//! checks before the next: pure, so the web layer and the tests share them.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::Invalid;
use crate::status::ScheduleType;

/// Longest description accepted.
pub const DESCRIPTION_MAX: usize = 4000;
/// Longest short text (names, address lines, PO number) accepted.
pub const SHORT_MAX: usize = 200;
/// Longest purchase order number, whoever types it: the customer on the request form or
/// the office converting the request to a job (which keeps the request's PO).
pub const PO_NUMBER_MAX: usize = SHORT_MAX;

/// Everything typed or picked so far; kept server-side as one JSON document per draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestAnswers {
    /// Preferred date as typed (`YYYY-MM-DD`).
    pub date: String,
    /// `am`, `pm`, `all_day` or `exact`.
    pub schedule: String,
    /// `HH:MM` for an exact time.
    pub time: String,
    /// A published availability window chosen instead of a date.
    pub window: Option<i64>,
    /// One of the account's sites.
    pub site: Option<i64>,
    /// A new address instead of a site.
    pub new_address: bool,
    /// New address: street.
    pub line1: String,
    /// New address: city.
    pub city: String,
    /// New address: region.
    pub region: String,
    /// New address: postal code.
    pub postal_code: String,
    /// One of the account's contacts.
    pub contact: Option<i64>,
    /// A new contact instead.
    pub new_contact: bool,
    /// New contact: full name.
    pub contact_name: String,
    /// New contact: email.
    pub contact_email: String,
    /// New contact: phone.
    pub contact_phone: String,
    /// The job type asked for.
    pub job_type: Option<i64>,
    /// A product or service of the requestable catalogue.
    pub item: Option<i64>,
    /// What needs doing.
    pub description: String,
    /// Purchase order number.
    pub po_number: String,
    /// For a sub-customer.
    pub sub_customer: bool,
    /// Steps validated so far (1..=5); the summary needs all of them.
    pub done: u8,
}

/// Reads a typed preferred date and checks it is at least `lead_days` after `today`.
pub fn check_date(raw: &str, today: Date, lead_days: u32) -> Result<Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Choose the date you would like us to come.".into());
    }
    let day = Date::parse(raw, &format)
        .map_err(|_| "Enter the date as YYYY-MM-DD, for example 2030-04-15.".to_owned())?;
    if day < today {
        return Err("That date is in the past. Choose a later date.".into());
    }
    let earliest = earliest_date(today, lead_days);
    if day < earliest {
        return Err(format!(
            "The earliest date we can take is {}.",
            crate::local_time::date(earliest)
        ));
    }
    Ok(day)
}

/// The first date a request may ask for.
pub fn earliest_date(today: Date, lead_days: u32) -> Date {
    today
        .checked_add(Duration::days(i64::from(lead_days)))
        .unwrap_or(today)
}

/// Reads the schedule type.
pub fn check_schedule(raw: &str) -> Result<ScheduleType, String> {
    ScheduleType::parse(raw.trim()).map_err(|_| "Choose a time of day.".to_owned())
}

/// Reads an exact time `HH:MM` (24-hour clock).
pub fn check_time(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let format = time::macros::format_description!("[hour]:[minute]");
    time::Time::parse(raw, &format)
        .map(|t| format!("{:02}:{:02}", t.hour(), t.minute()))
        .map_err(|_| "Enter the time as HH:MM, for example 09:30.".to_owned())
}

/// Checks a required one-line text: present, short, no control characters.
pub fn check_short(raw: &str, required: Option<&str>) -> Result<String, String> {
    let value = raw.trim().to_owned();
    if value.is_empty() {
        return match required {
            Some(message) => Err(message.to_owned()),
            None => Ok(value),
        };
    }
    if value.chars().count() > SHORT_MAX || value.chars().any(char::is_control) {
        return Err(format!(
            "Keep this under {SHORT_MAX} characters, on one line."
        ));
    }
    Ok(value)
}

/// Reads a purchase order number (optional): one line of at most [`PO_NUMBER_MAX`]
/// characters, trimmed. The one rule for the customer's request form and the office's
/// conversion, so a request the customer could send can always be converted.
pub fn parse_po_number(raw: &str) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.chars().count() > PO_NUMBER_MAX || value.chars().any(char::is_control) {
        return Err(Invalid::new(
            "po_number",
            format!("Keep the PO number under {PO_NUMBER_MAX} characters, on one line."),
        ));
    }
    Ok(value.to_owned())
}

/// Checks the description: required and not too long.
pub fn check_description(raw: &str) -> Result<String, String> {
    let value = raw.trim().to_owned();
    if value.is_empty() {
        return Err("Describe what needs doing.".into());
    }
    if value.chars().count() > DESCRIPTION_MAX {
        return Err(format!(
            "Keep the description under {DESCRIPTION_MAX} characters."
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn past_dates_and_dates_inside_the_lead_time_are_refused() {
        let today = date!(2030 - 04 - 10);
        assert!(check_date("2030-04-09", today, 0).is_err_and(|m| m.contains("past")));
        assert!(check_date("2030-04-10", today, 1).is_err_and(|m| m.contains("Apr 11, 2030")));
        assert_eq!(
            check_date("2030-04-11", today, 1),
            Ok(date!(2030 - 04 - 11))
        );
        assert_eq!(check_date(" 2030-04-10 ", today, 0), Ok(today));
        assert!(check_date("", today, 0).is_err());
        assert!(check_date("10/04/2030", today, 0).is_err());
    }

    #[test]
    fn schedule_types_and_times_are_read_strictly() {
        assert_eq!(check_schedule("am"), Ok(ScheduleType::Am));
        assert!(check_schedule("noon").is_err());
        assert_eq!(check_time("09:05").as_deref(), Ok("09:05"));
        assert!(check_time("25:00").is_err());
    }

    #[test]
    fn descriptions_are_required_and_short_texts_are_one_line() {
        assert!(check_description("   ").is_err());
        assert_eq!(check_description(" Leak ").as_deref(), Ok("Leak"));
        assert!(check_short("a\nb", None).is_err());
        assert_eq!(check_short("", None).as_deref(), Ok(""));
        assert!(check_short("", Some("needed")).is_err());
    }

    #[test]
    fn a_po_number_the_customer_may_send_the_office_may_keep() {
        let longest = "P".repeat(PO_NUMBER_MAX);
        assert_eq!(
            parse_po_number(&format!(" {longest} ")),
            Ok(longest.clone())
        );
        assert!(check_short(&longest, None).is_ok());
        let over = format!("{longest}P");
        assert_eq!(
            parse_po_number(&over).map_err(|e| e.field),
            Err("po_number")
        );
        assert!(parse_po_number("PO\n7").is_err());
        assert_eq!(parse_po_number("  ").as_deref(), Ok(""));
    }

    #[test]
    fn answers_from_an_older_draft_take_defaults() {
        let a: RequestAnswers =
            serde_json::from_str(r#"{"date":"2030-01-01"}"#).unwrap_or_default();
        assert_eq!(a.date, "2030-01-01");
        assert_eq!(a.done, 0);
    }
}
