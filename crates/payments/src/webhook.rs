//! Stripe's webhook signatures (<https://docs.stripe.com/webhooks#verify-manually>):
//! `Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]`, each `v1` an HMAC-SHA256 of
//! `"<t>.<raw body>"` keyed with the endpoint's signing secret. Nothing in a body is read
//! before its signature and timestamp check out; comparisons are constant-time.

use ring::hmac;
use serde::Deserialize;

use crate::PaymentError;
use crate::provider::{CheckoutSession, PaymentIntent};

/// How far a signature's timestamp may be from now, as Stripe's own libraries allow:
/// a captured delivery cannot be replayed later.
pub const TOLERANCE_SECS: i64 = 300;

/// A verified event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stripe's id (`evt_...`): the key that makes handling idempotent.
    pub id: String,
    /// `checkout.session.completed`, `payment_intent.succeeded`, `charge.refunded`, ...
    pub kind: String,
    /// When Stripe made the event, in Unix seconds (events may arrive out of order).
    pub created: i64,
    /// Whether it happened with live keys.
    pub livemode: bool,
    object: serde_json::Value,
}

#[derive(Deserialize)]
struct RawEvent {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    created: i64,
    #[serde(default)]
    livemode: bool,
    data: RawData,
}

#[derive(Deserialize)]
struct RawData {
    object: serde_json::Value,
}

/// The refund state of a charge (`charge.refunded`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RefundedCharge {
    /// The charge (`ch_...`).
    pub id: String,
    /// The payment it belongs to (`pi_...`).
    #[serde(default)]
    pub payment_intent: Option<String>,
    /// Charged, in minor units.
    pub amount: i64,
    /// Refunded so far, in minor units: the total, not this refund's part.
    pub amount_refunded: i64,
}

impl Event {
    /// The event's object as a checkout session (`checkout.session.*`).
    pub fn checkout_session(&self) -> Result<CheckoutSession, PaymentError> {
        self.object_as::<crate::stripe::objects::StripeCheckoutSession>()
            .map(Into::into)
    }

    /// The event's object as a payment (`payment_intent.*`).
    pub fn payment_intent(&self) -> Result<PaymentIntent, PaymentError> {
        self.object_as::<crate::stripe::objects::StripePaymentIntent>()
            .map(Into::into)
    }

    /// The event's object as a refunded charge (`charge.refunded`).
    pub fn refunded_charge(&self) -> Result<RefundedCharge, PaymentError> {
        self.object_as::<RefundedCharge>()
    }

    /// What the processor said about a failed payment (`last_payment_error.message` of
    /// `payment_intent.payment_failed`), fit to show the customer.
    pub fn failure_message(&self) -> Option<String> {
        self.object
            .get("last_payment_error")
            .and_then(|e| e.get("message"))
            .and_then(|m| m.as_str())
            .map(str::to_owned)
    }

    fn object_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, PaymentError> {
        serde_json::from_value(self.object.clone())
            .map_err(|e| PaymentError::BadResponse(format!("{} object: {e}", self.kind)))
    }
}

/// Checks `header` (the `Stripe-Signature` value) over `payload` with `secret` at
/// `now_unix`, then reads the event.
pub fn verify(
    payload: &[u8],
    header: Option<&str>,
    secret: &str,
    now_unix: i64,
) -> Result<Event, PaymentError> {
    let header = header.ok_or(PaymentError::BadSignature("no Stripe-Signature header"))?;
    if secret.is_empty() {
        return Err(PaymentError::BadSignature(
            "no signing secret is configured",
        ));
    }
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => {
                if timestamp.is_some() {
                    return Err(PaymentError::BadSignature("more than one timestamp"));
                }
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| PaymentError::BadSignature("malformed timestamp"))?,
                );
            }
            Some(("v1", value)) => {
                // A malformed v1 cannot match; others in the header still may.
                if let Ok(bytes) = hex::decode(value) {
                    signatures.push(bytes);
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(PaymentError::BadSignature("no timestamp"))?;
    if signatures.is_empty() {
        return Err(PaymentError::BadSignature("no v1 signature"));
    }
    if (now_unix - timestamp).abs() > TOLERANCE_SECS {
        return Err(PaymentError::BadSignature(
            "timestamp outside the tolerance",
        ));
    }
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let signed = signed_payload(timestamp, payload);
    if !signatures
        .iter()
        .any(|s| hmac::verify(&key, &signed, s).is_ok())
    {
        return Err(PaymentError::BadSignature("signature mismatch"));
    }
    let raw: RawEvent = serde_json::from_slice(payload)
        .map_err(|e| PaymentError::BadResponse(format!("event: {e}")))?;
    Ok(Event {
        id: raw.id,
        kind: raw.kind,
        created: raw.created,
        livemode: raw.livemode,
        object: raw.data.object,
    })
}

/// The `Stripe-Signature` value for `payload` at `timestamp`: what Stripe sends, and what
/// the built-in test processor sends through the same webhook path.
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, &signed_payload(timestamp, payload));
    format!("t={timestamp},v1={}", hex::encode(tag.as_ref()))
}

fn signed_payload(timestamp: i64, payload: &[u8]) -> Vec<u8> {
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(payload);
    signed
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const NOW: i64 = 1_765_000_000;

    fn body() -> Vec<u8> {
        br#"{"id":"evt_1","object":"event","type":"checkout.session.completed","created":1765000000,"livemode":false,
            "data":{"object":{"id":"cs_1","object":"checkout.session","status":"complete","payment_status":"paid",
            "amount_total":11700,"currency":"usd","payment_intent":"pi_1","metadata":{"invoices":"I-1046"}}}}"#
            .to_vec()
    }

    #[test]
    fn a_signed_event_is_read() {
        let header = sign(&body(), SECRET, NOW);
        let event = verify(&body(), Some(&header), SECRET, NOW + 10).unwrap();
        assert_eq!(
            (event.id.as_str(), event.kind.as_str()),
            ("evt_1", "checkout.session.completed")
        );
        let session = event.checkout_session().unwrap();
        assert!(session.is_paid());
        assert_eq!(session.amount_total, Some(11700));
        assert_eq!(session.payment_intent.as_deref(), Some("pi_1"));
        assert_eq!(
            session.metadata.get("invoices").map(String::as_str),
            Some("I-1046")
        );
    }

    #[test]
    fn any_matching_v1_among_several_is_enough() {
        let good = sign(&body(), SECRET, NOW);
        let v1 = good.split_once(",v1=").unwrap().1;
        let header = format!("t={NOW},v1={},v1={v1},v0=abc", "00".repeat(32));
        assert!(verify(&body(), Some(&header), SECRET, NOW).is_ok());
    }

    #[test]
    fn tampering_a_wrong_secret_or_an_old_timestamp_is_refused() {
        let header = sign(&body(), SECRET, NOW);
        let mut tampered = body();
        tampered[10] ^= 1;
        /// Body, header, secret, now, and the reason given.
        type Case<'a> = (&'a [u8], Option<&'a str>, &'a str, i64, &'static str);
        let cases: [Case; 7] = [
            (&tampered, Some(&header), SECRET, NOW, "signature mismatch"),
            (
                &body(),
                Some(&header),
                "whsec_other",
                NOW,
                "signature mismatch",
            ),
            (
                &body(),
                Some(&header),
                SECRET,
                NOW + TOLERANCE_SECS + 1,
                "timestamp outside the tolerance",
            ),
            (
                &body(),
                Some(&header),
                SECRET,
                NOW - TOLERANCE_SECS - 1,
                "timestamp outside the tolerance",
            ),
            (&body(), None, SECRET, NOW, "no Stripe-Signature header"),
            (&body(), Some("v1=00"), SECRET, NOW, "no timestamp"),
            (
                &body(),
                Some(&format!("t={NOW}")),
                SECRET,
                NOW,
                "no v1 signature",
            ),
        ];
        for (payload, header, secret, now, why) in cases {
            assert_eq!(
                verify(payload, header, secret, now),
                Err(PaymentError::BadSignature(why))
            );
        }
        assert_eq!(
            verify(&body(), Some(&header), "", NOW),
            Err(PaymentError::BadSignature(
                "no signing secret is configured"
            ))
        );
    }

    #[test]
    fn a_refund_event_reads_the_refunded_total() {
        let payload = br#"{"id":"evt_2","type":"charge.refunded","created":1,"data":{"object":
            {"id":"ch_1","object":"charge","payment_intent":"pi_1","amount":11700,"amount_refunded":5000}}}"#;
        let event = verify(payload, Some(&sign(payload, SECRET, NOW)), SECRET, NOW).unwrap();
        let charge = event.refunded_charge().unwrap();
        assert_eq!((charge.amount, charge.amount_refunded), (11700, 5000));
        assert_eq!(charge.payment_intent.as_deref(), Some("pi_1"));
    }
}
