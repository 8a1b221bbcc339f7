//! A company's portal settings: seed 003's list, and the rest of product.md §3.

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// Every switch the office has over what its customers see and may do.
///
/// Stored as one JSON document per company; fields missing from an older document
/// take their defaults, so adding a switch never needs a data migration, and a key no
/// longer here (`show_language_switch`, `payment_history_date_filter` and
/// `visible_custom_fields`, which no page read: the portal has one language, always
/// offers the payment history's date filter, and shows no custom job fields) is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PortalSettings {
    /// Show the account's credit balance.
    pub show_credit: bool,
    /// Show sub-customers of the account.
    pub show_sub_customers: bool,
    /// Tick "sub-customer" by default on new requests.
    pub sub_customer_checked_on_requests: bool,
    /// Show pickup addresses (rentals).
    pub show_pickup_address: bool,
    /// Show service addresses.
    pub show_service_address: bool,
    /// Let customers attach files.
    pub allow_uploads: bool,
    /// Let customers request service ("can create job").
    pub can_create_job: bool,
    /// Show completed service jobs.
    pub show_service_history: bool,
    /// Show product sales.
    pub show_sales_history: bool,
    /// Let customers pay online.
    pub can_make_payment: bool,
    /// Show past payments.
    pub show_payment_history: bool,
    /// Show saved payment methods.
    pub show_payment_method: bool,
    /// Show the schedule date of jobs.
    pub show_schedule_date: bool,
    /// Show the schedule type (AM/PM/...) of jobs.
    pub show_schedule_type: bool,
    /// Show the job type of jobs.
    pub show_job_type: bool,
    /// The company's own word for "job type"; empty means the default label.
    pub job_type_label: String,
    /// Let customers type a new address when requesting service.
    pub show_new_address_field: bool,
    /// Show completed job forms (checklists).
    pub show_completed_job_forms: bool,
    /// Show estimates.
    pub show_estimates: bool,
    /// Let company contacts approve or decline estimates.
    pub allow_estimate_approval: bool,
    /// Show invoices.
    pub show_invoices: bool,
    /// Show paid and void invoices as well as open ones (seed 004 shows only open ones).
    pub show_paid_void_invoices: bool,
    /// Show assets, equipment and rentals.
    pub show_assets: bool,
    /// Let customers open support requests.
    pub allow_support_requests: bool,
    /// Let customers message the office.
    pub allow_messages: bool,
    /// Let customers rate completed jobs.
    pub allow_ratings: bool,
    /// Let new customers create an account.
    pub allow_self_sign_up: bool,
    /// How many photos a request may carry (at most 4).
    pub photo_limit_per_request: u8,
    /// Job list columns the company hides.
    pub hidden_job_columns: Vec<String>,
    /// Hours before a visit after which the customer can no longer reschedule or cancel.
    pub reschedule_cutoff_hours: u32,
    /// Let customers reschedule or cancel visits before the cut-off.
    pub allow_reschedule: bool,
    /// Days ahead the earliest requested date must be.
    pub request_lead_days: u32,
    /// Office staff must use two-factor sign-in.
    pub require_staff_two_factor: bool,
    /// Let customers add a tip when paying an invoice of a completed job (issue 19).
    pub allow_tips: bool,
}

impl Default for PortalSettings {
    fn default() -> Self {
        Self {
            show_credit: true,
            show_sub_customers: false,
            sub_customer_checked_on_requests: false,
            show_pickup_address: false,
            show_service_address: true,
            allow_uploads: true,
            can_create_job: true,
            show_service_history: true,
            show_sales_history: true,
            can_make_payment: true,
            show_payment_history: true,
            show_payment_method: true,
            show_schedule_date: true,
            show_schedule_type: true,
            show_job_type: true,
            job_type_label: String::new(),
            show_new_address_field: true,
            show_completed_job_forms: true,
            show_estimates: true,
            allow_estimate_approval: true,
            show_invoices: true,
            show_paid_void_invoices: true,
            show_assets: true,
            allow_support_requests: true,
            allow_messages: true,
            allow_ratings: true,
            allow_self_sign_up: false,
            photo_limit_per_request: 4,
            hidden_job_columns: Vec::new(),
            reschedule_cutoff_hours: 24,
            allow_reschedule: true,
            request_lead_days: 1,
            require_staff_two_factor: false,
            allow_tips: false,
        }
    }
}

impl PortalSettings {
    /// The word the portal uses for "job type".
    pub fn job_type_label(&self) -> &str {
        match self.job_type_label.trim() {
            "" => "Job type",
            label => label,
        }
    }

    /// The photo limit, never above the product's hard cap of four.
    pub fn photo_limit(&self) -> u8 {
        self.photo_limit_per_request.min(4)
    }
}

/// One on/off switch of the portal settings page: its key (the form field and the
/// settings document's field), what it is called, what it does, and how to read and set it.
#[derive(Clone, Copy)]
pub struct Switch {
    /// The settings document's field, also the form's.
    pub key: &'static str,
    /// What the page calls it.
    pub label: &'static str,
    /// One line on what customers see when it is on.
    pub explanation: &'static str,
    /// Reads it.
    pub get: fn(&PortalSettings) -> bool,
    /// Sets it.
    pub set: fn(&mut PortalSettings, bool),
}

impl std::fmt::Debug for Switch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key)
    }
}

macro_rules! switches {
    ($( $key:ident, $label:literal, $explanation:literal; )*) => {
        /// The switches the portal settings page offers: each one the portal obeys at once
        /// (a test flips each and checks the portal's pages).
        pub const PORTAL_SWITCHES: &[Switch] = &[
            $( Switch {
                key: stringify!($key),
                label: $label,
                explanation: $explanation,
                get: |s| s.$key,
                set: |s, on| s.$key = on,
            }, )*
        ];
    };
}

switches! {
    allow_self_sign_up, "Self sign-up",
        "New customers can create a portal account from the sign-in page; the office links it to their customer record.";
    can_create_job, "Service requests",
        "Customers can request service and answer the times the office proposes.";
    show_estimates, "Estimates",
        "Company contacts see their estimates.";
    show_invoices, "Invoices and statement",
        "Company contacts see their invoices and account statement.";
    show_payment_history, "Payment history",
        "Company contacts see the payments they have made.";
    show_service_history, "Service history",
        "Customers see their completed service jobs.";
    show_sales_history, "Sales history",
        "Customers see the products they bought.";
    allow_support_requests, "Support requests",
        "Company contacts can open support requests and follow the office's replies.";
    allow_tips, "Tips",
        "When paying an invoice of a completed job online, customers may add a tip (10, 15 or 20 % or an amount of their choosing); tips are recorded apart from the invoice.";
}

/// The switch called `key`, if the page offers one.
pub fn switch(key: &str) -> Option<&'static Switch> {
    PORTAL_SWITCHES.iter().find(|s| s.key == key)
}

/// The longest cut-off before a visit an administrator may set: thirty days.
pub const CUTOFF_HOURS_MAX: u32 = 720;

/// Reads the cut-off before a visit as typed: whole hours from 0 to [`CUTOFF_HOURS_MAX`].
pub fn parse_cutoff_hours(raw: &str) -> Result<u32, Invalid> {
    match raw.trim().parse::<u32>() {
        Ok(h) if h <= CUTOFF_HOURS_MAX => Ok(h),
        _ => Err(Invalid::new(
            "cutoff_hours",
            format!("Enter a whole number of hours from 0 to {CUTOFF_HOURS_MAX}."),
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{PortalSettings, parse_cutoff_hours};

    #[test]
    fn a_document_with_the_removed_switches_still_reads() {
        let stored = r#"{"show_language_switch": false, "payment_history_date_filter": false,
            "visible_custom_fields": ["po"], "show_credit": false}"#;
        let settings: PortalSettings = serde_json::from_str(stored).unwrap();
        assert!(!settings.show_credit);
        assert_eq!(
            PortalSettings {
                show_credit: true,
                ..settings
            },
            PortalSettings::default()
        );
    }

    #[test]
    fn the_cut_off_is_whole_hours_up_to_thirty_days() {
        assert_eq!(parse_cutoff_hours(" 24 "), Ok(24));
        assert_eq!(parse_cutoff_hours("0"), Ok(0));
        assert_eq!(parse_cutoff_hours("720"), Ok(720));
        for bad in ["721", "-1", "1.5", "", "a day"] {
            let err = parse_cutoff_hours(bad).unwrap_err();
            assert_eq!(err.field, "cutoff_hours", "{bad}");
            assert!(err.message.contains("whole number"), "{bad}");
        }
    }

    #[test]
    fn an_older_settings_document_takes_defaults_for_new_switches() {
        let parsed: PortalSettings =
            serde_json::from_str(r#"{"show_credit": false}"#).unwrap_or_default();
        assert!(!parsed.show_credit);
        assert!(parsed.show_invoices);
        assert_eq!(parsed.photo_limit(), 4);
    }

    #[test]
    fn the_photo_limit_never_exceeds_four() {
        let settings = PortalSettings {
            photo_limit_per_request: 9,
            ..PortalSettings::default()
        };
        assert_eq!(settings.photo_limit(), 4);
    }

    #[test]
    fn each_switch_reads_and_sets_its_own_field() {
        for sw in super::PORTAL_SWITCHES {
            let mut settings = PortalSettings::default();
            let before = serde_json::to_value(&settings).unwrap();
            let was = (sw.get)(&settings);
            (sw.set)(&mut settings, !was);
            assert_eq!((sw.get)(&settings), !was, "{}", sw.key);
            let after = serde_json::to_value(&settings).unwrap();
            assert_eq!(after[sw.key], serde_json::json!(!was), "{}", sw.key);
            assert_eq!(before[sw.key], serde_json::json!(was), "{}", sw.key);
        }
        assert!(super::switch("allow_self_sign_up").is_some());
        assert!(super::switch("require_staff_two_factor").is_none());
    }

    #[test]
    fn the_job_type_label_can_be_renamed() {
        let mut settings = PortalSettings::default();
        assert_eq!(settings.job_type_label(), "Job type");
        settings.job_type_label = "Service kind".into();
        assert_eq!(settings.job_type_label(), "Service kind");
    }
}
