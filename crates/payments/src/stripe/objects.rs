//! The parts of Stripe's JSON objects Doorstep reads, and their conversion to the
//! adapter's types. Unknown fields are ignored, as Stripe adds fields without notice.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::provider::{CheckoutSession, PaymentIntent, Refund, SavedMethod};

/// A field Stripe gives as an id, or as the whole object when expanded.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum IdOrObject {
    Id(String),
    Object { id: String },
}

impl IdOrObject {
    fn id(self) -> String {
        match self {
            IdOrObject::Id(id) | IdOrObject::Object { id } => id,
        }
    }
}

/// `{"error": {...}}`, Stripe's answer to every failed request.
#[derive(Debug, Deserialize)]
pub(crate) struct ErrorBody {
    pub(crate) error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ErrorDetail {
    #[serde(rename = "type", default)]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) code: Option<String>,
    #[serde(default)]
    pub(crate) decline_code: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<String>,
}

/// `checkout.session`.
#[derive(Debug, Deserialize)]
pub(crate) struct StripeCheckoutSession {
    id: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    payment_status: Option<String>,
    #[serde(default)]
    amount_total: Option<i64>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    payment_intent: Option<IdOrObject>,
    #[serde(default)]
    setup_intent: Option<IdOrObject>,
    #[serde(default)]
    customer: Option<IdOrObject>,
    #[serde(default)]
    client_reference_id: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

impl From<StripeCheckoutSession> for CheckoutSession {
    fn from(s: StripeCheckoutSession) -> Self {
        CheckoutSession {
            id: s.id,
            url: s.url,
            status: s.status.unwrap_or_default(),
            payment_status: s.payment_status.unwrap_or_default(),
            amount_total: s.amount_total,
            currency: s.currency,
            payment_intent: s.payment_intent.map(IdOrObject::id),
            setup_intent: s.setup_intent.map(IdOrObject::id),
            customer: s.customer.map(IdOrObject::id),
            client_reference_id: s.client_reference_id,
            metadata: s.metadata,
        }
    }
}

/// An object with only an id (`customer`, a detached `payment_method`).
#[derive(Debug, Deserialize)]
pub(crate) struct Created {
    pub(crate) id: String,
}

/// `payment_method`.
#[derive(Debug, Deserialize)]
pub(crate) struct StripePaymentMethod {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    card: Option<Card>,
    #[serde(default)]
    us_bank_account: Option<BankAccount>,
}

#[derive(Debug, Deserialize)]
struct Card {
    #[serde(default)]
    brand: String,
    #[serde(default)]
    last4: String,
    #[serde(default)]
    exp_month: Option<u32>,
    #[serde(default)]
    exp_year: Option<i32>,
}

#[derive(Debug, Deserialize)]
struct BankAccount {
    #[serde(default)]
    bank_name: Option<String>,
    #[serde(default)]
    last4: String,
}

impl From<StripePaymentMethod> for SavedMethod {
    fn from(m: StripePaymentMethod) -> Self {
        match (m.card, m.us_bank_account) {
            (Some(card), _) => SavedMethod {
                id: m.id,
                kind: m.kind,
                brand: card.brand,
                last4: card.last4,
                exp_month: card.exp_month,
                exp_year: card.exp_year,
            },
            (None, Some(bank)) => SavedMethod {
                id: m.id,
                kind: m.kind,
                brand: bank.bank_name.unwrap_or_default(),
                last4: bank.last4,
                exp_month: None,
                exp_year: None,
            },
            (None, None) => SavedMethod {
                id: m.id,
                kind: m.kind,
                brand: String::new(),
                last4: String::new(),
                exp_month: None,
                exp_year: None,
            },
        }
    }
}

/// `{"object": "list", "data": [...], "has_more": ...}`.
#[derive(Debug, Deserialize)]
pub(crate) struct List<T> {
    pub(crate) data: Vec<T>,
}

/// `payment_intent`.
#[derive(Debug, Deserialize)]
pub(crate) struct StripePaymentIntent {
    id: String,
    status: String,
    amount: i64,
    #[serde(default)]
    amount_received: i64,
    currency: String,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

impl From<StripePaymentIntent> for PaymentIntent {
    fn from(p: StripePaymentIntent) -> Self {
        PaymentIntent {
            id: p.id,
            status: p.status,
            amount_minor: p.amount,
            amount_received_minor: p.amount_received,
            currency: p.currency,
            metadata: p.metadata,
        }
    }
}

/// `refund`.
#[derive(Debug, Deserialize)]
pub(crate) struct StripeRefund {
    id: String,
    #[serde(default)]
    status: Option<String>,
    amount: i64,
}

impl From<StripeRefund> for Refund {
    fn from(r: StripeRefund) -> Self {
        Refund {
            id: r.id,
            status: r.status.unwrap_or_default(),
            amount_minor: r.amount,
        }
    }
}

/// `balance`.
#[derive(Debug, Deserialize)]
pub(crate) struct StripeBalance {
    #[serde(default)]
    livemode: bool,
    #[serde(default)]
    available: Vec<BalanceAmount>,
}

#[derive(Debug, Deserialize)]
struct BalanceAmount {
    amount: i64,
    currency: String,
}

impl From<StripeBalance> for super::Balance {
    fn from(b: StripeBalance) -> Self {
        super::Balance {
            livemode: b.livemode,
            available: b
                .available
                .into_iter()
                .map(|a| (a.currency, a.amount))
                .collect(),
        }
    }
}
