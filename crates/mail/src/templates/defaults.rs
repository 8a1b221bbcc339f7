//! The wording every company starts with.

use super::EmailKind;

pub(super) struct Template {
    pub kind: &'static str,
    pub label: &'static str,
    pub subject: &'static str,
    pub body: &'static str,
    pub placeholders: &'static [&'static str],
}

pub(super) fn template(kind: EmailKind) -> &'static Template {
    match kind {
        EmailKind::Invitation => &INVITATION,
        EmailKind::PasswordReset => &PASSWORD_RESET,
        EmailKind::SignInLink => &SIGN_IN_LINK,
        EmailKind::VerifyEmail => &VERIFY_EMAIL,
        EmailKind::StaffSetup => &STAFF_SETUP,
        EmailKind::RequestReceivedCompany => &REQUEST_RECEIVED_COMPANY,
        EmailKind::RequestReceivedCustomer => &REQUEST_RECEIVED_CUSTOMER,
        EmailKind::RequestDeclined => &REQUEST_DECLINED,
        EmailKind::EstimateSent => &ESTIMATE_SENT,
        EmailKind::InvoiceAvailable => &INVOICE_AVAILABLE,
        EmailKind::PaymentReceipt => &PAYMENT_RECEIPT,
        EmailKind::VisitReminder => &VISIT_REMINDER,
        EmailKind::SupportReply => &SUPPORT_REPLY,
        EmailKind::EstimateApproved => &ESTIMATE_APPROVED,
        EmailKind::EstimateDeclined => &ESTIMATE_DECLINED,
        EmailKind::EstimateChangesRequested => &ESTIMATE_CHANGES_REQUESTED,
        EmailKind::SupportCustomerWrote => &SUPPORT_CUSTOMER_WROTE,
        EmailKind::VisitRescheduled => &VISIT_RESCHEDULED,
        EmailKind::VisitCancelled => &VISIT_CANCELLED,
        EmailKind::TimeProposed => &TIME_PROPOSED,
        EmailKind::ProposalAnswered => &PROPOSAL_ANSWERED,
        EmailKind::AccessLocked => &ACCESS_LOCKED,
        EmailKind::RequestAccepted => &REQUEST_ACCEPTED,
        EmailKind::JobOnTheWay => &JOB_ON_THE_WAY,
        EmailKind::JobCompleted => &JOB_COMPLETED,
        EmailKind::PaymentRefunded => &PAYMENT_REFUNDED,
        EmailKind::AutopayFailed => &AUTOPAY_FAILED,
        EmailKind::VisitRescheduledCustomer => &VISIT_RESCHEDULED_CUSTOMER,
        EmailKind::VisitCancelledCustomer => &VISIT_CANCELLED_CUSTOMER,
    }
}

static PAYMENT_REFUNDED: Template = Template {
    kind: "payment_refunded",
    label: "Refund",
    subject: "{{company_name}} refunded {{amount}} of your payment",
    body: "Hello {{contact_name}},

{{company_name}} refunded {{amount}} of your payment {{payment_number}} of {{payment_date}} \
to {{method}}. Depending on your bank it shows on your statement within 5 to 10 business days.

{{applied}}

Your payment history is in the portal:
{{link}}

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "amount",
        "payment_number",
        "payment_date",
        "method",
        "applied",
        "link",
    ],
};

static INVITATION: Template = Template {
    kind: "invitation",
    label: "Portal invitation",
    subject: "You're invited to the {{company_name}} customer portal",
    body: "Hello {{contact_name}},

{{company_name}} has invited you to its customer portal, where you can follow your jobs, \
see estimates and invoices, and request service.

To choose your password and sign in, open this link:
{{link}}

The link works once and expires {{expires}}. If you were not expecting this invitation, \
you can ignore this email.

{{company_name}}
",
    placeholders: &["company_name", "contact_name", "link", "expires"],
};

static PASSWORD_RESET: Template = Template {
    kind: "password_reset",
    label: "Password reset",
    subject: "Reset your {{company_name}} portal password",
    body: "Hello {{contact_name}},

Someone asked to reset the password of your {{company_name}} portal account. To choose a new \
password, open this link:
{{link}}

The link works once and expires {{expires}}. If you did not ask for this, you can ignore this \
email; your password stays as it is.

{{company_name}}
",
    placeholders: &["company_name", "contact_name", "link", "expires"],
};

static SIGN_IN_LINK: Template = Template {
    kind: "sign_in_link",
    label: "Sign-in link",
    subject: "Your sign-in link for {{company_name}}",
    body: "Hello {{contact_name}},

To sign in to the {{company_name}} customer portal, open this link and confirm:
{{link}}

The link works once and expires {{expires}}. If you did not ask to sign in, you can ignore \
this email.

{{company_name}}
",
    placeholders: &["company_name", "contact_name", "link", "expires"],
};

static VERIFY_EMAIL: Template = Template {
    kind: "verify_email",
    label: "Email address confirmation",
    subject: "Confirm your email address for {{company_name}}",
    body: "Hello {{contact_name}},

Please confirm that this is your email address for the {{company_name}} customer portal by \
opening this link:
{{link}}

The link expires {{expires}}. If you did not make this change, please contact {{company_name}}.

{{company_name}}
",
    placeholders: &["company_name", "contact_name", "link", "expires"],
};

static STAFF_SETUP: Template = Template {
    kind: "staff_setup",
    label: "Staff account setup",
    subject: "Set up your {{company_name}} office account",
    body: "Hello {{contact_name}},

An office account was created for you at {{company_name}}. To choose your password, open \
this link:
{{link}}

The link works once and expires {{expires}}.

{{company_name}}
",
    placeholders: &["company_name", "contact_name", "link", "expires"],
};

static REQUEST_RECEIVED_COMPANY: Template = Template {
    kind: "request_received_company",
    label: "Request received (office copy)",
    subject: "New portal request {{request_number}} from {{customer_name}}",
    body: "A new service request came in through the portal.

Request: {{request_number}}
Estimate: {{estimate_number}}
Customer: {{customer_name}}
Contact: {{contact_name}}, {{contact_email}}, {{contact_phone}}
Site: {{site}}
Preferred: {{preferred}}
PO number: {{po_number}}

{{details}}

Open it in the office:
{{link}}
",
    placeholders: &[
        "company_name",
        "request_number",
        "customer_name",
        "contact_name",
        "contact_email",
        "contact_phone",
        "site",
        "po_number",
        "details",
        "link",
        "estimate_number",
        "preferred",
    ],
};

static REQUEST_RECEIVED_CUSTOMER: Template = Template {
    kind: "request_received_customer",
    label: "Request received (customer copy)",
    subject: "We received your request {{request_number}}",
    body: "Hello {{contact_name}},

Thank you: {{company_name}} received your request {{request_number}} and will get back to you \
soon. Here is what you sent:

Location: {{location}}
Contact for the visit: {{visit_contact}}
Preferred: {{preferred}}
Estimate: {{estimate_number}}

{{details}}

The office will confirm the date and time with you.

You can follow it in the portal:
{{link}}

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "request_number",
        "details",
        "link",
        "location",
        "visit_contact",
        "preferred",
        "estimate_number",
    ],
};

static REQUEST_DECLINED: Template = Template {
    kind: "request_declined",
    label: "Request declined",
    subject: "Your request {{request_number}} to {{company_name}}",
    body: "Hello {{contact_name}},

We are sorry: {{company_name}} cannot take on your request {{request_number}}.

{{reason}}

If anything changes, you are welcome to send a new request from the portal:
{{link}}

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "request_number",
        "reason",
        "link",
    ],
};

static ESTIMATE_SENT: Template = Template {
    kind: "estimate_sent",
    label: "Estimate sent",
    subject: "Estimate {{estimate_number}} from {{company_name}}",
    body: "Hello {{contact_name}},

{{company_name}} sent you estimate {{estimate_number}} for {{amount}}. You can read it, and \
approve or decline it, in the portal:
{{link}}

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "estimate_number",
        "amount",
        "link",
    ],
};

static INVOICE_AVAILABLE: Template = Template {
    kind: "invoice_available",
    label: "Invoice available",
    subject: "Invoice {{invoice_number}} from {{company_name}}",
    body: "Hello {{contact_name}},

Invoice {{invoice_number}} for {{amount}} is available in the portal. It is due {{due_date}}.
{{link}}

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "invoice_number",
        "amount",
        "due_date",
        "link",
    ],
};

static PAYMENT_RECEIPT: Template = Template {
    kind: "payment_receipt",
    label: "Payment receipt",
    subject: "Receipt for your payment to {{company_name}}",
    body: "Hello {{contact_name}},

Thank you: {{company_name}} received your payment of {{amount}} on {{payment_date}} for \
{{invoice_number}}.

Receipt {{payment_number}}, paid by {{method}}:
{{applied}}

Your payment history is in the portal:
{{link}}

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "amount",
        "payment_date",
        "invoice_number",
        "payment_number",
        "method",
        "applied",
        "link",
    ],
};

static VISIT_REMINDER: Template = Template {
    kind: "visit_reminder",
    label: "Visit reminder",
    subject: "Reminder: {{company_name}} visit on {{visit_date}}",
    body: "Hello {{contact_name}},

This is a reminder that {{company_name}} is scheduled to visit {{site}} on {{visit_date}}, \
{{visit_time}}.

Details are in the portal:
{{link}}

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "site",
        "visit_date",
        "visit_time",
        "link",
    ],
};

static SUPPORT_REPLY: Template = Template {
    kind: "support_reply",
    label: "Support reply",
    subject: "Re: {{support_subject}}",
    body: "Hello {{contact_name}},

{{company_name}} replied to your support request {{support_number}} \"{{support_subject}}\":

{{reply}}

Status: {{status}}

Read and answer it in the portal:
{{link}}

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "support_subject",
        "reply",
        "link",
        "support_number",
        "status",
    ],
};

static ESTIMATE_APPROVED: Template = Template {
    kind: "estimate_approved",
    label: "Estimate approved (office copy)",
    subject: "Estimate {{estimate_number}} approved by {{customer_name}}",
    body: "{{customer_name}} approved estimate {{estimate_number}} in the portal.

Estimate: {{estimate_number}} ({{estimate_title}})
Signed by: {{signed_name}} ({{contact_email}})
Approved at: {{approved_at}} from {{ip}}
Subtotal: {{subtotal}}
Tax: {{tax}}
Total approved: {{total}}
Optional items chosen: {{options}}
",
    placeholders: &[
        "company_name",
        "customer_name",
        "estimate_number",
        "estimate_title",
        "signed_name",
        "contact_email",
        "approved_at",
        "ip",
        "subtotal",
        "tax",
        "total",
        "options",
    ],
};

static ESTIMATE_DECLINED: Template = Template {
    kind: "estimate_declined",
    label: "Estimate declined (office copy)",
    subject: "Estimate {{estimate_number}} declined by {{customer_name}}",
    body:
        "{{customer_name}} declined estimate {{estimate_number}} ({{estimate_title}}) in the portal.

Declined by: {{contact_name}} ({{contact_email}})
Reason: {{reason}}
",
    placeholders: &[
        "company_name",
        "customer_name",
        "estimate_number",
        "estimate_title",
        "contact_name",
        "contact_email",
        "reason",
    ],
};

static ESTIMATE_CHANGES_REQUESTED: Template = Template {
    kind: "estimate_changes_requested",
    label: "Estimate changes requested (office copy)",
    subject: "Changes requested to estimate {{estimate_number}} by {{customer_name}}",
    body:
        "{{customer_name}} asked for changes to estimate {{estimate_number}} ({{estimate_title}}). \
The estimate stays pending.

From: {{contact_name}} ({{contact_email}})

{{message}}
",
    placeholders: &[
        "company_name",
        "customer_name",
        "estimate_number",
        "estimate_title",
        "contact_name",
        "contact_email",
        "message",
    ],
};

static SUPPORT_CUSTOMER_WROTE: Template = Template {
    kind: "support_customer_wrote",
    label: "Support request from a customer (office copy)",
    subject: "Support {{support_number}} from {{customer_name}}: {{support_subject}}",
    body: "{{contact_name}} ({{customer_name}}) wrote on support request {{support_number}} \
\"{{support_subject}}\":

{{message}}

Status: {{status}}
Files attached: {{files}}

Open it in the office:
{{link}}
",
    placeholders: &[
        "company_name",
        "customer_name",
        "contact_name",
        "support_number",
        "support_subject",
        "message",
        "status",
        "files",
        "link",
    ],
};

static VISIT_RESCHEDULED: Template = Template {
    kind: "visit_rescheduled",
    label: "Visit rescheduled by the customer (office copy)",
    subject: "Job {{job_number}}: {{customer_name}} rescheduled the visit",
    body:
        "{{customer_name}} changed the visit for job {{job_number}} ({{job_summary}}) in the portal.

Was: {{old_time}}
Now: {{new_time}}

By: {{contact_name}} ({{contact_email}})
",
    placeholders: &[
        "company_name",
        "customer_name",
        "job_number",
        "job_summary",
        "old_time",
        "new_time",
        "contact_name",
        "contact_email",
    ],
};

static VISIT_CANCELLED: Template = Template {
    kind: "visit_cancelled",
    label: "Visit cancelled by the customer (office copy)",
    subject: "Job {{job_number}}: {{customer_name}} cancelled the visit",
    body: "{{customer_name}} cancelled the visit for job {{job_number}} ({{job_summary}}) in the portal.

Visit: {{old_time}}
Reason: {{reason}}

By: {{contact_name}} ({{contact_email}})
",
    placeholders: &[
        "company_name",
        "customer_name",
        "job_number",
        "job_summary",
        "old_time",
        "reason",
        "contact_name",
        "contact_email",
    ],
};

static TIME_PROPOSED: Template = Template {
    kind: "time_proposed",
    label: "Another time proposed for a request",
    subject: "{{company_name}} proposes another time for request {{request_number}}",
    body: "Hello {{contact_name}},

{{company_name}} proposes another time for your service request {{request_number}}:

{{proposed_time}}

{{note}}

Accept or decline it in the portal:
{{link}}

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "request_number",
        "proposed_time",
        "note",
        "link",
    ],
};

static PROPOSAL_ANSWERED: Template = Template {
    kind: "proposal_answered",
    label: "Proposed time answered (office copy)",
    subject: "Request {{request_number}}: {{customer_name}} {{answer}} the proposed time",
    body: "{{customer_name}} {{answer}} the time proposed for request {{request_number}}: {{proposed_time}}.

Reason: {{reason}}

By: {{contact_name}} ({{contact_email}})
",
    placeholders: &[
        "company_name",
        "customer_name",
        "request_number",
        "answer",
        "proposed_time",
        "reason",
        "contact_name",
        "contact_email",
    ],
};

static ACCESS_LOCKED: Template = Template {
    kind: "access_locked",
    label: "Portal access locked (to the contact)",
    subject: "Your access to the {{company_name}} portal is locked",
    body: "Hello {{contact_name}},

Someone, probably you, just tried to sign in to the {{company_name}} customer portal with \
your email address and your password. Your access to the portal is locked, so the sign-in \
did not go through. For your security the sign-in page never says that an account is \
locked, so this email is how you hear about it.

To have your access restored, contact {{whom_to_contact}}.

If it was not you, someone else knows your password: ask {{company_name}} for a new one \
when your access is restored.

{{company_name}}
",
    placeholders: &["company_name", "contact_name", "whom_to_contact"],
};

static REQUEST_ACCEPTED: Template = Template {
    kind: "request_accepted",
    label: "Request accepted (to the customer)",
    subject: "Your request {{request_number}} to {{company_name}} was accepted",
    body: "Hello {{contact_name}},

{{company_name}} has accepted your request {{request_number}}: it is now {{made}}.

You can follow it in the portal:
{{link}}

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "request_number",
        "made",
        "link",
    ],
};

static JOB_ON_THE_WAY: Template = Template {
    kind: "job_on_the_way",
    label: "Job on the way (to the customer)",
    subject: "{{company_name}} is on the way: job {{job_number}}",
    body: "Hello {{contact_name}},

{{company_name}} is on the way to {{site}} for job {{job_number}} ({{job_summary}}).

Follow the job in the portal:
{{link}}

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "job_number",
        "job_summary",
        "site",
        "link",
    ],
};

static JOB_COMPLETED: Template = Template {
    kind: "job_completed",
    label: "Job completed (to the customer)",
    subject: "Job {{job_number}} is completed",
    body: "Hello {{contact_name}},

{{company_name}} has completed job {{job_number}} ({{job_summary}}) at {{site}}.

The details are in the portal:
{{link}}

Thank you,
{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "job_number",
        "job_summary",
        "site",
        "link",
    ],
};

static AUTOPAY_FAILED: Template = Template {
    kind: "autopay_failed",
    label: "Autopay payment declined",
    subject: "Your automatic payment of invoice {{invoice_number}} did not go through",
    body: "Hello {{contact_name}},

{{company_name}} tried to charge {{amount}} for invoice {{invoice_number}}, due \
{{due_date}}, to your {{method}} with autopay, and the payment was declined: {{reason}}

Nothing was charged and the invoice is still open. Please pay it in the portal, or \
update your saved card there:
{{link}}

If you have questions, just reply to this email.

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "amount",
        "invoice_number",
        "due_date",
        "method",
        "reason",
        "link",
    ],
};

static VISIT_RESCHEDULED_CUSTOMER: Template = Template {
    kind: "visit_rescheduled_customer",
    label: "Visit rescheduled by the customer (to the customer)",
    subject: "Your visit for job {{job_number}}: {{new_time}}",
    body: "Hello {{contact_name}},

You changed the visit for job {{job_number}} ({{job_summary}}) in the {{company_name}} portal.

Was: {{old_time}}
Now: {{new_time}}

{{next_step}}

The job in the portal:
{{link}}

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "job_number",
        "job_summary",
        "old_time",
        "new_time",
        "next_step",
        "link",
    ],
};

static VISIT_CANCELLED_CUSTOMER: Template = Template {
    kind: "visit_cancelled_customer",
    label: "Visit cancelled by the customer (to the customer)",
    subject: "Your visit for job {{job_number}} is cancelled",
    body: "Hello {{contact_name}},

You cancelled the visit for job {{job_number}} ({{job_summary}}) in the {{company_name}} portal.

Visit: {{old_time}}
Your reason: {{reason}}

The office has been told. To have the work done after all, request service again in the portal.

The job in the portal:
{{link}}

{{company_name}}
",
    placeholders: &[
        "company_name",
        "contact_name",
        "job_number",
        "job_summary",
        "old_time",
        "reason",
        "link",
    ],
};
