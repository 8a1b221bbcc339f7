//! What can go wrong talking to a processor, sorted by what the caller does next.

/// A processor call that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// Refused before any request: the amount, currency or address cannot be sent.
    #[error("{0}")]
    Invalid(String),
    /// The card or bank refused the charge; the message is fit to show the customer.
    #[error("declined: {message}")]
    Declined {
        /// The processor's decline code (`card_declined`, `insufficient_funds`, ...).
        code: String,
        /// The processor's explanation.
        message: String,
    },
    /// The processor refused the request itself (bad key, unknown object, reused
    /// idempotency key with other parameters): retrying the same request will not help.
    #[error("refused by the processor ({status}): {message}")]
    Refused {
        /// The HTTP status answered.
        status: u16,
        /// The processor's error type and code, e.g. `invalid_request_error/resource_missing`.
        kind: String,
        /// The processor's explanation.
        message: String,
    },
    /// The processor could not be reached or answered 429/5xx: the same request (same
    /// idempotency key) may be retried later.
    #[error("processor unavailable: {0}")]
    Unavailable(String),
    /// The processor answered something this adapter cannot read.
    #[error("unexpected answer from the processor: {0}")]
    BadResponse(String),
    /// A webhook whose signature or timestamp does not check out; nothing in it was read.
    #[error("webhook refused: {0}")]
    BadSignature(&'static str),
}

impl PaymentError {
    /// Whether sending the same request again (with the same idempotency key) may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, PaymentError::Unavailable(_))
    }
}
