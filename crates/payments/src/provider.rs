//! The provider trait the application layer calls, and the plain types it speaks in.
//! Amounts are integer minor units of `currency` (a lower-case ISO 4217 code).

use std::collections::BTreeMap;
use std::future::Future;

use crate::PaymentError;

/// The largest amount one charge may carry (Stripe's limit for two-decimal currencies:
/// eight digits of minor units).
pub const MAX_AMOUNT_MINOR: i64 = 99_999_999;

/// Which kinds of payment method a hosted page may offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodKinds {
    /// Cards.
    pub card: bool,
    /// US bank accounts (ACH debits), when the company enables them.
    pub us_bank_account: bool,
}

/// One line of a hosted checkout page: an invoice (or a deposit, or a tip) and its amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutLine {
    /// What the customer sees, e.g. "Invoice I-1046".
    pub name: String,
    /// Amount in minor units, above zero.
    pub amount_minor: i64,
}

/// A hosted checkout page to open for paying one or several invoices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutRequest {
    /// The same key for the same attempt, so a retried request never opens two pages.
    pub idempotency_key: String,
    /// Lower-case ISO 4217 code.
    pub currency: String,
    /// What is being paid; the total is their sum.
    pub lines: Vec<CheckoutLine>,
    /// The processor's customer id, when the customer has one (saved methods).
    pub customer: Option<String>,
    /// Where the processor sends the browser after paying; `{CHECKOUT_SESSION_ID}` is
    /// replaced by Stripe.
    pub success_url: String,
    /// Where the processor sends the browser when the customer gives up.
    pub cancel_url: String,
    /// Doorstep's reference for the attempt, echoed in webhooks.
    pub client_reference_id: String,
    /// Echoed in the webhook and on the payment: company, invoices, attempt.
    pub metadata: BTreeMap<String, String>,
    /// Which methods to offer.
    pub methods: MethodKinds,
    /// Keep the method for later charges (autopay) when the customer pays.
    pub save_method: bool,
}

impl CheckoutRequest {
    /// The total to charge: the sum of the lines, each checked.
    pub fn total_minor(&self) -> Result<i64, PaymentError> {
        if self.lines.is_empty() {
            return Err(PaymentError::Invalid("Nothing to pay.".into()));
        }
        let mut total: i64 = 0;
        for line in &self.lines {
            if line.amount_minor <= 0 {
                return Err(PaymentError::Invalid(format!(
                    "{} has no amount to pay.",
                    line.name
                )));
            }
            total = total
                .checked_add(line.amount_minor)
                .filter(|t| *t <= MAX_AMOUNT_MINOR)
                .ok_or_else(|| {
                    PaymentError::Invalid("The amount is too large for one payment.".into())
                })?;
        }
        Ok(total)
    }
}

/// A hosted page for saving a payment method without paying (Checkout in setup mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupRequest {
    /// The same key for the same attempt.
    pub idempotency_key: String,
    /// The processor's customer id the method is saved to.
    pub customer: String,
    /// Lower-case ISO 4217 code of the charges the method will pay.
    pub currency: String,
    /// Where the browser returns after saving.
    pub success_url: String,
    /// Where the browser returns when the customer gives up.
    pub cancel_url: String,
    /// Which methods to offer.
    pub methods: MethodKinds,
}

/// A hosted checkout page as the processor reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutSession {
    /// The processor's id (`cs_...`).
    pub id: String,
    /// The page to send the browser to, while the session is open.
    pub url: Option<String>,
    /// `open`, `complete` or `expired`.
    pub status: String,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: String,
    /// The total in minor units (payment mode).
    pub amount_total: Option<i64>,
    /// Lower-case ISO 4217 code.
    pub currency: Option<String>,
    /// The payment this session made (`pi_...`), once there is one.
    pub payment_intent: Option<String>,
    /// The setup this session made (`seti_...`), in setup mode.
    pub setup_intent: Option<String>,
    /// The processor's customer id.
    pub customer: Option<String>,
    /// Doorstep's reference for the attempt.
    pub client_reference_id: Option<String>,
    /// The metadata given at creation.
    pub metadata: BTreeMap<String, String>,
}

impl CheckoutSession {
    /// Whether the money is in: the only state in which invoices may be marked paid.
    pub fn is_paid(&self) -> bool {
        self.status == "complete" && self.payment_status == "paid"
    }
}

/// A saved payment method, as the portal lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedMethod {
    /// The processor's id (`pm_...`).
    pub id: String,
    /// `card` or `us_bank_account`.
    pub kind: String,
    /// Card brand (`visa`) or bank name.
    pub brand: String,
    /// The last four digits.
    pub last4: String,
    /// Card expiry month, 1–12.
    pub exp_month: Option<u32>,
    /// Card expiry year.
    pub exp_year: Option<i32>,
}

/// An off-session charge of a saved method (autopay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffSessionCharge {
    /// The same key for the same invoice and due date, so autopay never charges twice.
    pub idempotency_key: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Lower-case ISO 4217 code.
    pub currency: String,
    /// The processor's customer id.
    pub customer: String,
    /// The saved method (`pm_...`).
    pub payment_method: String,
    /// Echoed in webhooks.
    pub metadata: BTreeMap<String, String>,
}

/// A payment as the processor reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentIntent {
    /// The processor's id (`pi_...`).
    pub id: String,
    /// `succeeded`, `processing`, `requires_payment_method`, ...
    pub status: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Amount received so far, in minor units.
    pub amount_received_minor: i64,
    /// Lower-case ISO 4217 code.
    pub currency: String,
    /// The metadata given at creation.
    pub metadata: BTreeMap<String, String>,
}

/// A full or partial refund of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The same key for the same refund, so a retried click never refunds twice.
    pub idempotency_key: String,
    /// The payment to refund (`pi_...`).
    pub payment_intent: String,
    /// Amount in minor units; the whole payment when `None`.
    pub amount_minor: Option<i64>,
}

/// A refund as the processor reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// The processor's id (`re_...`).
    pub id: String,
    /// `pending`, `succeeded`, `failed` or `canceled`.
    pub status: String,
    /// Amount in minor units.
    pub amount_minor: i64,
}

/// What Doorstep asks of a card processor. Every call that changes something carries
/// the caller's idempotency key, so retrying after a timeout never charges twice.
pub trait PaymentProvider: Send + Sync {
    /// Opens a hosted page to pay `request`'s lines.
    fn create_checkout(
        &self,
        request: &CheckoutRequest,
    ) -> impl Future<Output = Result<CheckoutSession, PaymentError>> + Send;

    /// Reads a hosted page back: the verified processor read the portal's return page uses.
    fn checkout(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<CheckoutSession, PaymentError>> + Send;

    /// Creates the processor's customer for saved methods; returns its id.
    fn create_customer(
        &self,
        idempotency_key: &str,
        email: &str,
        name: &str,
        metadata: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<String, PaymentError>> + Send;

    /// Opens a hosted page to save a payment method without paying.
    fn create_setup(
        &self,
        request: &SetupRequest,
    ) -> impl Future<Output = Result<CheckoutSession, PaymentError>> + Send;

    /// The saved methods of a processor customer.
    fn saved_methods(
        &self,
        customer: &str,
    ) -> impl Future<Output = Result<Vec<SavedMethod>, PaymentError>> + Send;

    /// Forgets a saved method.
    fn remove_method(
        &self,
        idempotency_key: &str,
        method: &str,
    ) -> impl Future<Output = Result<(), PaymentError>> + Send;

    /// Charges a saved method without the customer present (autopay).
    fn charge_saved(
        &self,
        charge: &OffSessionCharge,
    ) -> impl Future<Output = Result<PaymentIntent, PaymentError>> + Send;

    /// Refunds all or part of a payment.
    fn refund(
        &self,
        request: &RefundRequest,
    ) -> impl Future<Output = Result<Refund, PaymentError>> + Send;
}
