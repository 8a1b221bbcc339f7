//! The built-in test processor: what the demo (and a company in test mode) pays with.
//! It opens "hosted" pages served by Doorstep itself (`/pay/test/{session}`, clearly
//! marked TEST MODE), where the card number 4242 4242 4242 4242 succeeds and
//! 4000 0000 0000 0002 is declined. It never moves money. Completing a page produces the
//! same Stripe-shaped event a real processor sends, which the caller signs with the
//! company's test webhook secret and hands to the same webhook use case, so the test
//! processor exercises the very path real payments take.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::PaymentError;
use crate::provider::{
    CheckoutRequest, CheckoutSession, OffSessionCharge, PaymentIntent, PaymentProvider, Refund,
    RefundRequest, SavedMethod, SetupRequest,
};

/// The card number that pays.
pub const CARD_SUCCEEDS: &str = "4242424242424242";
/// The card number that is declined.
pub const CARD_DECLINED: &str = "4000000000000002";
/// What a declined test card says, as Stripe words it.
pub const DECLINE_MESSAGE: &str = "Your card was declined.";
/// The path of a test session's hosted page.
pub const PAGE_PREFIX: &str = "/pay/test/";
/// The card number that saves, but whose later charges are declined (Stripe's
/// "attaches, charges fail" test card).
pub const CARD_CHARGE_DECLINED: &str = "4000000000000341";
/// The path of a test setup session's hosted page (saving a card).
pub const SETUP_PAGE_PREFIX: &str = "/payment-methods/test/";

/// What a typed test card does on a setup page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupOutcome {
    /// The card is saved (see [`charges_fail`] for the one whose charges fail).
    Saved {
        /// Its last four digits.
        last4: &'static str,
    },
    /// The card is declined: nothing is saved.
    Declined,
}

/// Reads a typed card number on a setup page: 4242… and 4000 0000 0000 0341 save (the
/// latter's charges are declined), 4000 0000 0000 0002 is declined; anything else is a
/// message for the person.
pub fn setup_outcome(typed: &str) -> Result<SetupOutcome, &'static str> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    match digits.as_str() {
        CARD_SUCCEEDS => Ok(SetupOutcome::Saved { last4: "4242" }),
        CARD_CHARGE_DECLINED => Ok(SetupOutcome::Saved { last4: "0341" }),
        CARD_DECLINED => Ok(SetupOutcome::Declined),
        "" => Err("Enter a card number."),
        _ => Err(
            "In test mode only the test cards work: 4242 4242 4242 4242 saves, 4000 0000 0000 0341 saves but its charges are declined, 4000 0000 0000 0002 is declined.",
        ),
    }
}

/// Whether the test processor declines off-session charges of saved method `method`
/// (one saved with 4000 0000 0000 0341). Decided by the method's id alone, so a charge
/// gives the same answer on any server process and after a restart.
pub fn charges_fail(method: &str) -> bool {
    method.starts_with("pm_test_0341_")
}

/// What a typed test card does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardOutcome {
    /// The payment goes through.
    Pays,
    /// The card is declined.
    Declined,
}

/// Reads a typed card number (spaces and dashes allowed): the two test cards, else a
/// message for the person.
pub fn card_outcome(typed: &str) -> Result<CardOutcome, &'static str> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    match digits.as_str() {
        CARD_SUCCEEDS => Ok(CardOutcome::Pays),
        CARD_DECLINED => Ok(CardOutcome::Declined),
        "" => Err("Enter a card number."),
        _ => Err(
            "In test mode only the test cards work: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined.",
        ),
    }
}

/// The test processor; clones share its sessions.
#[derive(Debug, Clone, Default)]
pub struct TestProcessor {
    sessions: Arc<Mutex<BTreeMap<String, CheckoutSession>>>,
    methods: Arc<Mutex<BTreeMap<String, Vec<SavedMethod>>>>,
}

impl TestProcessor {
    /// A test processor with no sessions.
    pub fn new() -> Self {
        TestProcessor::default()
    }

    /// The session id a test checkout for `reference` gets.
    pub fn session_id(reference: &str) -> String {
        format!("cs_test_{reference}")
    }

    /// The Stripe-shaped event that completing test session `session` with `card` makes
    /// (`checkout.session.completed`, or `payment_intent.payment_failed` for the declined
    /// card), with id `event_id`, at `now` (Unix seconds). The session as the processor
    /// then reads it back is updated too.
    pub fn completion_event(
        &self,
        session: &CheckoutSession,
        card: CardOutcome,
        event_id: &str,
        now: i64,
    ) -> Vec<u8> {
        let reference = session.client_reference_id.clone().unwrap_or_default();
        let intent = format!("pi_test_{reference}");
        let amount = session.amount_total.unwrap_or(0);
        let currency = session.currency.clone().unwrap_or_default();
        let (kind, object, after) = match card {
            CardOutcome::Pays => {
                let mut done = session.clone();
                done.status = "complete".into();
                done.payment_status = "paid".into();
                done.payment_intent = Some(intent.clone());
                done.url = None;
                let object = json!({
                    "id": session.id, "object": "checkout.session", "status": "complete",
                    "payment_status": "paid", "amount_total": amount, "currency": currency,
                    "payment_intent": intent, "client_reference_id": reference,
                    "metadata": session.metadata,
                });
                ("checkout.session.completed", object, done)
            }
            CardOutcome::Declined => {
                let object = json!({
                    "id": intent, "object": "payment_intent", "status": "requires_payment_method",
                    "amount": amount, "amount_received": 0, "currency": currency,
                    "metadata": session.metadata,
                    "last_payment_error": {"type": "card_error", "code": "card_declined",
                        "decline_code": "generic_decline", "message": DECLINE_MESSAGE},
                });
                ("payment_intent.payment_failed", object, session.clone())
            }
        };
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.insert(after.id.clone(), after);
        }
        json!({
            "id": event_id, "object": "event", "type": kind, "created": now,
            "livemode": false, "data": {"object": object},
        })
        .to_string()
        .into_bytes()
    }

    /// The Stripe-shaped event that completing test setup session `session` with a card
    /// ending `last4` makes (`checkout.session.completed` in setup mode), with id
    /// `event_id`, at `now` (Unix seconds). The card is saved to the session's customer
    /// as `pm_test_{last4}_{event_id}` (what [`PaymentProvider::saved_methods`] then
    /// lists), expiring in December of `exp_year`.
    pub fn setup_completion_event(
        &self,
        session: &CheckoutSession,
        last4: &str,
        exp_year: i32,
        event_id: &str,
        now: i64,
    ) -> Vec<u8> {
        let customer = session.customer.clone().unwrap_or_default();
        let method = SavedMethod {
            id: format!("pm_test_{last4}_{event_id}"),
            kind: "card".into(),
            brand: "visa".into(),
            last4: last4.into(),
            exp_month: Some(12),
            exp_year: Some(exp_year),
        };
        if let Ok(mut methods) = self.methods.lock() {
            methods.entry(customer.clone()).or_default().push(method);
        }
        let mut done = session.clone();
        done.status = "complete".into();
        done.payment_status = "no_payment_required".into();
        done.url = None;
        done.setup_intent = Some(format!("seti_test_{event_id}"));
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.insert(done.id.clone(), done.clone());
        }
        let object = json!({
            "id": session.id, "object": "checkout.session", "mode": "setup",
            "status": "complete", "payment_status": "no_payment_required",
            "customer": customer, "setup_intent": done.setup_intent,
            "metadata": session.metadata,
        });
        json!({
            "id": event_id, "object": "event", "type": "checkout.session.completed",
            "created": now, "livemode": false, "data": {"object": object},
        })
        .to_string()
        .into_bytes()
    }
}

impl PaymentProvider for TestProcessor {
    async fn create_checkout(
        &self,
        request: &CheckoutRequest,
    ) -> Result<CheckoutSession, PaymentError> {
        let total = request.total_minor()?;
        let id = TestProcessor::session_id(&request.client_reference_id);
        let mut sessions = self
            .sessions
            .lock()
            .map_err(|_| PaymentError::Unavailable("test processor state".into()))?;
        let session = sessions
            .entry(id.clone())
            .or_insert_with(|| CheckoutSession {
                url: Some(format!("{PAGE_PREFIX}{id}")),
                id,
                status: "open".into(),
                payment_status: "unpaid".into(),
                amount_total: Some(total),
                currency: Some(request.currency.clone()),
                payment_intent: None,
                setup_intent: None,
                customer: request.customer.clone(),
                client_reference_id: Some(request.client_reference_id.clone()),
                metadata: request.metadata.clone(),
            });
        Ok(session.clone())
    }

    async fn checkout(&self, id: &str) -> Result<CheckoutSession, PaymentError> {
        let sessions = self
            .sessions
            .lock()
            .map_err(|_| PaymentError::Unavailable("test processor state".into()))?;
        sessions.get(id).cloned().ok_or(PaymentError::Refused {
            status: 404,
            kind: "invalid_request_error/resource_missing".into(),
            message: format!("No such checkout.session: '{id}'"),
        })
    }

    async fn create_customer(
        &self,
        idempotency_key: &str,
        _email: &str,
        _name: &str,
        _metadata: &BTreeMap<String, String>,
    ) -> Result<String, PaymentError> {
        Ok(format!("cus_test_{idempotency_key}"))
    }

    async fn create_setup(&self, request: &SetupRequest) -> Result<CheckoutSession, PaymentError> {
        let id = TestProcessor::session_id(&request.idempotency_key);
        let mut sessions = self
            .sessions
            .lock()
            .map_err(|_| PaymentError::Unavailable("test processor state".into()))?;
        let session = sessions
            .entry(id.clone())
            .or_insert_with(|| CheckoutSession {
                url: Some(format!("{SETUP_PAGE_PREFIX}{id}")),
                id,
                status: "open".into(),
                payment_status: "no_payment_required".into(),
                amount_total: None,
                currency: Some(request.currency.clone()),
                payment_intent: None,
                setup_intent: None,
                customer: Some(request.customer.clone()),
                client_reference_id: None,
                metadata: BTreeMap::new(),
            });
        Ok(session.clone())
    }

    async fn saved_methods(&self, customer: &str) -> Result<Vec<SavedMethod>, PaymentError> {
        let methods = self
            .methods
            .lock()
            .map_err(|_| PaymentError::Unavailable("test processor state".into()))?;
        Ok(methods.get(customer).cloned().unwrap_or_default())
    }

    async fn remove_method(
        &self,
        _idempotency_key: &str,
        method: &str,
    ) -> Result<(), PaymentError> {
        let mut methods = self
            .methods
            .lock()
            .map_err(|_| PaymentError::Unavailable("test processor state".into()))?;
        for list in methods.values_mut() {
            list.retain(|m| m.id != method);
        }
        Ok(())
    }

    async fn charge_saved(&self, charge: &OffSessionCharge) -> Result<PaymentIntent, PaymentError> {
        if charge.amount_minor <= 0 || charge.amount_minor > crate::provider::MAX_AMOUNT_MINOR {
            return Err(PaymentError::Invalid(
                "The amount is not one the processor can charge.".into(),
            ));
        }
        if charges_fail(&charge.payment_method) {
            return Err(PaymentError::Declined {
                code: "card_declined".into(),
                message: DECLINE_MESSAGE.into(),
            });
        }
        Ok(PaymentIntent {
            id: format!("pi_test_{}", charge.idempotency_key),
            status: "succeeded".into(),
            amount_minor: charge.amount_minor,
            amount_received_minor: charge.amount_minor,
            currency: charge.currency.clone(),
            metadata: charge.metadata.clone(),
        })
    }

    async fn refund(&self, request: &RefundRequest) -> Result<Refund, PaymentError> {
        Ok(Refund {
            id: format!("re_test_{}", request.idempotency_key),
            status: "succeeded".into(),
            amount_minor: request.amount_minor.unwrap_or(0),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::provider::{CheckoutLine, MethodKinds};
    use crate::webhook::{sign, verify};

    fn request() -> CheckoutRequest {
        CheckoutRequest {
            idempotency_key: "k1".into(),
            currency: "usd".into(),
            lines: vec![CheckoutLine {
                name: "Invoice I-1046".into(),
                amount_minor: 11700,
            }],
            customer: None,
            success_url: "/pay/return".into(),
            cancel_url: "/invoices".into(),
            client_reference_id: "ref1".into(),
            metadata: BTreeMap::from([("checkout".into(), "ref1".into())]),
            methods: MethodKinds {
                card: true,
                us_bank_account: false,
            },
            save_method: false,
        }
    }

    #[test]
    fn the_two_test_cards_and_anything_else() {
        assert_eq!(card_outcome("4242 4242 4242 4242"), Ok(CardOutcome::Pays));
        assert_eq!(
            card_outcome("4000-0000-0000-0002"),
            Ok(CardOutcome::Declined)
        );
        assert!(card_outcome("5555 5555 5555 4444").is_err());
        assert!(card_outcome(" ").is_err());
    }

    #[tokio::test]
    async fn a_paid_page_makes_a_completed_event_and_reads_back_paid() {
        let p = TestProcessor::new();
        let session = p.create_checkout(&request()).await.unwrap();
        assert_eq!(session.url.as_deref(), Some("/pay/test/cs_test_ref1"));
        assert!(!p.checkout(&session.id).await.unwrap().is_paid());
        let body = p.completion_event(&session, CardOutcome::Pays, "evt_1", 1_000);
        let event = verify(
            &body,
            Some(&sign(&body, "whsec_t", 1_000)),
            "whsec_t",
            1_000,
        )
        .unwrap();
        assert_eq!(event.kind, "checkout.session.completed");
        let read = event.checkout_session().unwrap();
        assert!(read.is_paid());
        assert_eq!(read.amount_total, Some(11700));
        assert!(p.checkout(&session.id).await.unwrap().is_paid());
    }

    #[tokio::test]
    async fn a_declined_card_makes_a_failed_payment_event() {
        let p = TestProcessor::new();
        let session = p.create_checkout(&request()).await.unwrap();
        let body = p.completion_event(&session, CardOutcome::Declined, "evt_2", 1_000);
        let event = verify(
            &body,
            Some(&sign(&body, "whsec_t", 1_000)),
            "whsec_t",
            1_000,
        )
        .unwrap();
        assert_eq!(event.kind, "payment_intent.payment_failed");
        assert_eq!(event.failure_message().as_deref(), Some(DECLINE_MESSAGE));
        let intent = event.payment_intent().unwrap();
        assert_eq!(
            intent.metadata.get("checkout").map(String::as_str),
            Some("ref1")
        );
        assert!(!p.checkout(&session.id).await.unwrap().is_paid());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod setup_tests {
    use super::*;
    use crate::provider::MethodKinds;
    use crate::webhook::{sign, verify};

    #[tokio::test]
    async fn a_setup_page_saves_the_card_and_charges_follow_its_number() {
        assert_eq!(
            setup_outcome("4242 4242 4242 4242"),
            Ok(SetupOutcome::Saved { last4: "4242" })
        );
        assert_eq!(
            setup_outcome("4000 0000 0000 0341"),
            Ok(SetupOutcome::Saved { last4: "0341" })
        );
        assert_eq!(
            setup_outcome("4000000000000002"),
            Ok(SetupOutcome::Declined)
        );
        assert!(setup_outcome("1234").is_err());
        let p = TestProcessor::new();
        let session = p
            .create_setup(&SetupRequest {
                idempotency_key: "setup-r1".into(),
                customer: "cus_test_1".into(),
                currency: "usd".into(),
                success_url: "/payment-methods".into(),
                cancel_url: "/payment-methods".into(),
                methods: MethodKinds {
                    card: true,
                    us_bank_account: false,
                },
            })
            .await
            .unwrap();
        assert_eq!(
            session.url.as_deref(),
            Some("/payment-methods/test/cs_test_setup-r1")
        );
        let body = p.setup_completion_event(&session, "4242", 2030, "evt_9", 1_000);
        let event = verify(
            &body,
            Some(&sign(&body, "whsec_t", 1_000)),
            "whsec_t",
            1_000,
        )
        .unwrap();
        assert_eq!(event.kind, "checkout.session.completed");
        let read = event.checkout_session().unwrap();
        assert_eq!(read.customer.as_deref(), Some("cus_test_1"));
        assert!(read.setup_intent.is_some() && !read.is_paid());
        let saved = p.saved_methods("cus_test_1").await.unwrap();
        assert_eq!(saved.len(), 1);
        assert_eq!(saved[0].last4, "4242");
        let charge = |m: &str| OffSessionCharge {
            idempotency_key: "autopay-1".into(),
            amount_minor: 500,
            currency: "usd".into(),
            customer: "cus_test_1".into(),
            payment_method: m.into(),
            metadata: BTreeMap::new(),
        };
        assert_eq!(
            p.charge_saved(&charge(&saved[0].id)).await.unwrap().status,
            "succeeded"
        );
        assert!(matches!(
            p.charge_saved(&charge("pm_test_0341_evt_1")).await,
            Err(PaymentError::Declined { .. })
        ));
        p.remove_method("rm-1", &saved[0].id).await.unwrap();
        assert!(p.saved_methods("cus_test_1").await.unwrap().is_empty());
    }
}
