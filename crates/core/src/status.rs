//! The statuses and kinds records move through, with the moves the domain allows.

use time::Date;

use crate::Invalid;

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal, $label:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant,)* }

        impl $name {
            /// Every value, in lifecycle order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The value as stored and sent over the API.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// The value as shown to people.
            pub fn label(&self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }

            /// Parses the stored form.
            pub fn parse(raw: &str) -> Result<Self, Invalid> {
                match raw { $($text => Ok($name::$variant),)* _ => Err(Invalid::new($field, format!("Unknown {}: {raw:?}.", $field))) }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

text_enum!(
    /// Where a job stands.
    JobStatus, "status" {
        /// Accepted but not yet on the calendar.
        Unscheduled = "unscheduled", "Unscheduled";
        /// On the calendar.
        Scheduled = "scheduled", "Scheduled";
        /// A technician is driving over.
        OnTheWay = "on_the_way", "On the way";
        /// Work has started on site.
        InProgress = "in_progress", "In progress";
        /// Work is done.
        Completed = "completed", "Completed";
        /// Called off.
        Cancelled = "cancelled", "Cancelled";
    }
);

impl JobStatus {
    /// Whether the job is finished one way or the other.
    pub fn is_closed(&self) -> bool {
        matches!(self, JobStatus::Completed | JobStatus::Cancelled)
    }
}

text_enum!(
    /// Whether a job is a service visit or a product sale (seed 003's two histories).
    JobKind, "kind" {
        /// Work done at a site.
        Service = "service", "Service";
        /// Goods sold.
        Sale = "sale", "Sale";
    }
);

text_enum!(
    /// How precisely a visit's time is set.
    ScheduleType, "schedule_type" {
        /// Any time before noon.
        Am = "am", "Morning (AM)";
        /// Any time after noon.
        Pm = "pm", "Afternoon (PM)";
        /// Any time that day.
        AllDay = "all_day", "All day";
        /// At a stated time.
        Exact = "exact", "Exact time";
    }
);

text_enum!(
    /// Where an estimate stands.
    EstimateStatus, "status" {
        /// Being written by the office; not shown to the customer.
        Draft = "draft", "Draft";
        /// Sent, awaiting the customer's answer.
        Pending = "pending", "Pending";
        /// Accepted by the customer.
        Approved = "approved", "Approved";
        /// Refused by the customer.
        Declined = "declined", "Declined";
        /// Past its expiry date without an answer.
        Expired = "expired", "Expired";
        /// Turned into a job.
        Converted = "converted", "Converted";
    }
);

impl EstimateStatus {
    /// Whether an estimate may move from `self` to `next`; approval and decline are final.
    pub fn can_become(&self, next: EstimateStatus) -> bool {
        use EstimateStatus::*;
        matches!(
            (self, next),
            (Draft, Pending)
                | (Pending, Approved)
                | (Pending, Declined)
                | (Pending, Expired)
                | (Approved, Converted)
        )
    }
}

impl EstimateStatus {
    /// The status the customer sees on `today`: a pending estimate past its expiry date
    /// reads as expired even before the office's records catch up.
    pub fn as_seen(&self, expires_on: Option<Date>, today: Date) -> EstimateStatus {
        match (self, expires_on) {
            (EstimateStatus::Pending, Some(last_day)) if today > last_day => {
                EstimateStatus::Expired
            }
            _ => *self,
        }
    }

    /// Whether the customer may still approve or decline on `today`.
    pub fn is_answerable(&self, expires_on: Option<Date>, today: Date) -> bool {
        self.as_seen(expires_on, today) == EstimateStatus::Pending
    }
}

impl EstimateStatus {
    /// The customer's word for this status: a pending estimate is awaiting their answer (one
    /// name in every portal list, page, PDF and the dashboard; the office keeps "Pending").
    pub fn customer_label(&self) -> &'static str {
        match self {
            EstimateStatus::Pending => "Awaiting your answer",
            other => other.label(),
        }
    }
}

text_enum!(
    /// Where an invoice stands; "overdue" is derived from the due date, not stored.
    InvoiceStatus, "status" {
        /// Being written; not shown to the customer.
        Draft = "draft", "Draft";
        /// Sent and not fully paid.
        Unpaid = "unpaid", "Unpaid";
        /// Settled in full.
        Paid = "paid", "Paid";
        /// Cancelled; nothing is owed.
        Void = "void", "Void";
    }
);

/// An invoice as the customer sees it: "overdue" is an unpaid invoice past its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceState {
    /// Sent, not fully paid, not yet due.
    Unpaid,
    /// Unpaid past its due date.
    Overdue,
    /// Settled in full.
    Paid,
    /// Cancelled.
    Void,
    /// Not yet sent (never shown in the portal).
    Draft,
}

impl InvoiceState {
    /// The state of an invoice with `status` due on `due_on`, seen on `today`.
    pub fn of(status: InvoiceStatus, due_on: Date, today: Date) -> InvoiceState {
        match status {
            InvoiceStatus::Unpaid if today > due_on => InvoiceState::Overdue,
            InvoiceStatus::Unpaid => InvoiceState::Unpaid,
            InvoiceStatus::Paid => InvoiceState::Paid,
            InvoiceStatus::Void => InvoiceState::Void,
            InvoiceStatus::Draft => InvoiceState::Draft,
        }
    }

    /// The state as shown to people.
    pub fn label(&self) -> &'static str {
        match self {
            InvoiceState::Unpaid => "Unpaid",
            InvoiceState::Overdue => "Overdue",
            InvoiceState::Paid => "Paid",
            InvoiceState::Void => "Void",
            InvoiceState::Draft => "Draft",
        }
    }

    /// Whether money is still owed.
    pub fn is_open(&self) -> bool {
        matches!(self, InvoiceState::Unpaid | InvoiceState::Overdue)
    }
}

text_enum!(
    /// Where a portal service request stands in the office's inbox (seed 004).
    RequestStatus, "status" {
        /// Not yet opened by the office.
        New = "new", "New";
        /// Opened by the office.
        Read = "read", "Read";
        /// Turned into a job, estimate or rental.
        Completed = "completed", "Completed";
        /// Refused; the customer must resubmit.
        Declined = "declined", "Declined";
    }
);

impl RequestStatus {
    /// Whether a request may move from `self` to `next`; a declined request never comes back.
    pub fn can_become(&self, next: RequestStatus) -> bool {
        use RequestStatus::*;
        matches!(
            (self, next),
            (New, Read) | (New | Read, Completed) | (New | Read, Declined)
        )
    }

    /// Whether the office may still turn the request into a job or an estimate: never once
    /// declined (the customer resubmits) nor a second time once completed.
    pub fn may_convert(&self) -> bool {
        self.can_become(RequestStatus::Completed)
    }

    /// Whether the office may still decline the request.
    pub fn may_decline(&self) -> bool {
        self.can_become(RequestStatus::Declined)
    }
}

impl RequestStatus {
    /// The customer's word for this status: "Read" is the office's word; to the customer a
    /// read request is being reviewed, and one the office took on was accepted.
    pub fn customer_label(&self) -> &'static str {
        match self {
            RequestStatus::New => "Sent",
            RequestStatus::Read => "Being reviewed",
            RequestStatus::Completed => "Accepted",
            RequestStatus::Declined => "Declined",
        }
    }
}

text_enum!(
    /// Where a support ticket stands (seed 002).
    SupportStatus, "status" {
        /// Waiting for the office.
        Open = "open", "Open";
        /// The office is on it.
        InProgress = "in_progress", "In progress";
        /// The office needs the customer.
        WaitingOnCustomer = "waiting_on_customer", "Waiting on customer";
        /// Fixed.
        Resolved = "resolved", "Resolved";
        /// Done with.
        Closed = "closed", "Closed";
    }
);

text_enum!(
    /// A contact's reach within its customer account.
    ContactRole, "role" {
        /// Sees everything the portal settings allow for the account.
        Company = "company", "Company contact";
        /// Sees only its own sites' jobs and requests.
        Site = "site", "Site contact";
    }
);

text_enum!(
    /// A staff member's reach within the office.
    StaffRole, "role" {
        /// Everything, including settings, staff, API keys and webhooks.
        Admin = "admin", "Administrator";
        /// Day-to-day work: customers, requests, jobs, billing, messages.
        Office = "office", "Office staff";
    }
);

text_enum!(
    /// How a payment was made.
    PaymentMethodKind, "method" {
        /// A card through the payment processor.
        Card = "card", "Card";
        /// A bank debit (ACH) through the payment processor.
        Ach = "ach", "Bank transfer (ACH)";
        /// Cash recorded by the office.
        Cash = "cash", "Cash";
        /// A cheque recorded by the office.
        Check = "check", "Check";
        /// Account credit applied.
        Credit = "credit", "Account credit";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_read_their_own_words_for_statuses() {
        assert_eq!(RequestStatus::Read.customer_label(), "Being reviewed");
        assert_eq!(RequestStatus::Completed.customer_label(), "Accepted");
        assert_eq!(
            EstimateStatus::Pending.customer_label(),
            "Awaiting your answer"
        );
        assert_eq!(EstimateStatus::Approved.customer_label(), "Approved");
    }

    #[test]
    fn every_status_round_trips_through_its_stored_form() {
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Ok(*s));
        }
        for s in SupportStatus::ALL {
            assert_eq!(SupportStatus::parse(s.as_str()), Ok(*s));
        }
        assert!(JobStatus::parse("done").is_err());
    }

    #[test]
    fn a_declined_request_can_never_be_completed() {
        assert!(RequestStatus::New.can_become(RequestStatus::Read));
        assert!(RequestStatus::Read.can_become(RequestStatus::Completed));
        assert!(!RequestStatus::Declined.can_become(RequestStatus::Completed));
        assert!(!RequestStatus::Declined.can_become(RequestStatus::Read));
        assert!(!RequestStatus::Completed.can_become(RequestStatus::Declined));
    }

    #[test]
    fn declined_or_completed_requests_can_never_be_converted() {
        assert!(RequestStatus::New.may_convert());
        assert!(RequestStatus::Read.may_convert());
        assert!(!RequestStatus::Declined.may_convert());
        assert!(!RequestStatus::Completed.may_convert());
        assert!(RequestStatus::Read.may_decline());
        assert!(!RequestStatus::Declined.may_decline());
        assert!(!RequestStatus::Completed.may_decline());
    }

    #[test]
    fn estimate_answers_are_final() {
        assert!(EstimateStatus::Pending.can_become(EstimateStatus::Approved));
        assert!(!EstimateStatus::Approved.can_become(EstimateStatus::Declined));
        assert!(!EstimateStatus::Declined.can_become(EstimateStatus::Approved));
        assert!(!EstimateStatus::Expired.can_become(EstimateStatus::Approved));
    }

    #[test]
    fn a_pending_estimate_past_its_last_day_reads_as_expired() {
        use time::macros::date;
        let last = Some(date!(2025 - 03 - 10));
        let p = EstimateStatus::Pending;
        assert_eq!(
            p.as_seen(last, date!(2025 - 03 - 10)),
            EstimateStatus::Pending
        );
        assert!(p.is_answerable(last, date!(2025 - 03 - 10)));
        assert_eq!(
            p.as_seen(last, date!(2025 - 03 - 11)),
            EstimateStatus::Expired
        );
        assert!(!p.is_answerable(last, date!(2025 - 03 - 11)));
        assert!(p.is_answerable(None, date!(2030 - 01 - 01)));
        assert!(!EstimateStatus::Approved.is_answerable(None, date!(2025 - 01 - 01)));
    }

    #[test]
    fn an_unpaid_invoice_past_its_due_date_is_overdue() {
        use time::macros::date;
        let due = date!(2025 - 03 - 10);
        let seen = |s, today| InvoiceState::of(s, due, today);
        assert_eq!(seen(InvoiceStatus::Unpaid, due), InvoiceState::Unpaid);
        assert_eq!(
            seen(InvoiceStatus::Unpaid, date!(2025 - 03 - 11)),
            InvoiceState::Overdue
        );
        assert_eq!(
            seen(InvoiceStatus::Paid, date!(2025 - 09 - 11)),
            InvoiceState::Paid
        );
        assert!(!InvoiceState::Void.is_open());
        assert!(InvoiceState::Overdue.is_open());
    }

    #[test]
    fn statuses_serialise_as_their_stored_form() {
        let json = serde_json::to_string(&JobStatus::OnTheWay).unwrap_or_default();
        assert_eq!(json, "\"on_the_way\"");
    }
}
