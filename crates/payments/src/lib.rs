//! Doorstep's card-processor adapter. Card data never touches Doorstep: the processor's
//! hosted page collects it, and Doorstep learns of a payment only from a webhook whose
//! signature checks out (or from reading the processor back), never from a browser.
//!
//! [`PaymentProvider`] is what the application layer calls; [`stripe::Stripe`] speaks
//! Stripe's public REST API (form-encoded POSTs, each with an `Idempotency-Key`), and
//! [`webhook`] checks Stripe's `Stripe-Signature` scheme before an event is read.

pub mod error;
pub mod provider;
pub mod stripe;
pub mod test_processor;
pub mod webhook;

pub use error::PaymentError;
pub use provider::{
    CheckoutLine, CheckoutRequest, CheckoutSession, MethodKinds, OffSessionCharge, PaymentIntent,
    PaymentProvider, Refund, RefundRequest, SavedMethod, SetupRequest,
};
pub use test_processor::TestProcessor;
