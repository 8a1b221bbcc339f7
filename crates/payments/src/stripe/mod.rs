//! Stripe over its public REST API (<https://docs.stripe.com/api>): Checkout Sessions for
//! paying and for saving methods, Customers, PaymentMethods, PaymentIntents for autopay,
//! Refunds. Every POST carries the caller's `Idempotency-Key`; the API base URL is
//! configurable so tests point it at a local server that answers as Stripe documents.

mod form;
pub(crate) mod objects;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::PaymentError;
use crate::provider::{
    CheckoutRequest, CheckoutSession, MAX_AMOUNT_MINOR, MethodKinds, OffSessionCharge,
    PaymentIntent, PaymentProvider, Refund, RefundRequest, SavedMethod, SetupRequest,
};
use form::Form;
use objects::{
    Created, ErrorBody, List, StripeCheckoutSession, StripePaymentIntent, StripePaymentMethod,
    StripeRefund,
};

/// Stripe's production API.
pub const API_BASE: &str = "https://api.stripe.com";

/// The API version requests are written against, so a change of the account's default
/// version cannot change the shape of answers under us.
pub const API_VERSION: &str = "2024-06-20";

/// The largest answer read from Stripe; its objects are a few kilobytes.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// A Stripe account, spoken to with its secret key.
#[derive(Clone)]
pub struct Stripe {
    http: reqwest::Client,
    base: String,
    secret_key: String,
}

impl fmt::Debug for Stripe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key: a Debug print must not leak it into logs.
        f.debug_struct("Stripe")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Stripe {
    /// A client for the account of `secret_key`, at `api_base` (tests) or [`API_BASE`].
    pub fn new(secret_key: &str, api_base: Option<&str>) -> Result<Self, PaymentError> {
        let secret_key = secret_key.trim();
        if secret_key.is_empty()
            || secret_key
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(PaymentError::Invalid(
                "The Stripe secret key is empty or malformed.".into(),
            ));
        }
        let base = api_base
            .unwrap_or(API_BASE)
            .trim_end_matches('/')
            .to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(PaymentError::Invalid(
                "The Stripe API base must be an http(s) URL.".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
        Ok(Stripe {
            http,
            base,
            secret_key: secret_key.to_owned(),
        })
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &Form,
        idempotency_key: &str,
    ) -> Result<T, PaymentError> {
        check_idempotency_key(idempotency_key)?;
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.secret_key)
            .header("Stripe-Version", API_VERSION)
            .header("Idempotency-Key", idempotency_key)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form.encode());
        answer(request.send().await).await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, PaymentError> {
        let request = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.secret_key)
            .header("Stripe-Version", API_VERSION);
        answer(request.send().await).await
    }
}

/// An account's balance as `GET /v1/balance` reports it: what "test connection" reads,
/// since any valid secret key (restricted ones included) may read it and it moves nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// Whether the key is a live one (real money) rather than a test one.
    pub livemode: bool,
    /// Available funds per currency: (lower-case ISO 4217 code, minor units).
    pub available: Vec<(String, i64)>,
}

impl Stripe {
    /// Reads the account's balance: proves the key works and says which mode it is in.
    pub async fn balance(&self) -> Result<Balance, PaymentError> {
        let b: objects::StripeBalance = self.get("/v1/balance").await?;
        Ok(b.into())
    }
}

/// Reads Stripe's answer: the object on success, the error sorted by what to do next.
async fn answer<T: DeserializeOwned>(
    sent: Result<reqwest::Response, reqwest::Error>,
) -> Result<T, PaymentError> {
    let mut response = sent.map_err(|e| PaymentError::Unavailable(e.to_string()))?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| PaymentError::Unavailable(e.to_string()))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(PaymentError::BadResponse("the answer is too large".into()));
        }
        body.extend_from_slice(&chunk);
    }
    if (200..300).contains(&status) {
        return serde_json::from_slice(&body).map_err(|e| PaymentError::BadResponse(e.to_string()));
    }
    if status == 429 || status >= 500 {
        return Err(PaymentError::Unavailable(format!(
            "Stripe answered {status}"
        )));
    }
    let detail = serde_json::from_slice::<ErrorBody>(&body)
        .map_err(|_| {
            PaymentError::BadResponse(format!("Stripe answered {status} without an error object"))
        })?
        .error;
    let message = detail.message.unwrap_or_else(|| "No reason given.".into());
    if status == 402 || detail.kind == "card_error" {
        let code = detail
            .decline_code
            .or(detail.code)
            .unwrap_or_else(|| "card_declined".into());
        return Err(PaymentError::Declined { code, message });
    }
    let kind = match detail.code {
        Some(code) => format!("{}/{code}", detail.kind),
        None => detail.kind,
    };
    Err(PaymentError::Refused {
        status,
        kind,
        message,
    })
}

/// Idempotency keys are ours, but a header must never carry a line break.
fn check_idempotency_key(key: &str) -> Result<(), PaymentError> {
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(PaymentError::Invalid(
            "An idempotency key of 1–255 visible characters is required.".into(),
        ));
    }
    Ok(())
}

/// An id placed in a URL path: Stripe's ids are letters, digits and underscores.
fn path_id(id: &str) -> Result<&str, PaymentError> {
    if id.is_empty()
        || id.len() > 255
        || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(PaymentError::Invalid("That is not a processor id.".into()));
    }
    Ok(id)
}

fn check_currency(currency: &str) -> Result<(), PaymentError> {
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(PaymentError::Invalid(
            "The currency must be a lower-case ISO 4217 code.".into(),
        ));
    }
    Ok(())
}

fn method_types(form: &mut Form, methods: MethodKinds) -> Result<(), PaymentError> {
    let kinds = [
        ("card", methods.card),
        ("us_bank_account", methods.us_bank_account),
    ];
    let mut index = 0;
    for (kind, on) in kinds {
        if on {
            form.set(format!("payment_method_types[{index}]"), kind);
            index += 1;
        }
    }
    if index == 0 {
        return Err(PaymentError::Invalid(
            "No payment method is enabled.".into(),
        ));
    }
    Ok(())
}

impl PaymentProvider for Stripe {
    async fn create_checkout(
        &self,
        request: &CheckoutRequest,
    ) -> Result<CheckoutSession, PaymentError> {
        request.total_minor()?;
        check_currency(&request.currency)?;
        let mut form = Form::new();
        form.set("mode", "payment")
            .set("success_url", &request.success_url)
            .set("cancel_url", &request.cancel_url)
            .set("client_reference_id", &request.client_reference_id)
            .maybe("customer", request.customer.as_deref());
        method_types(&mut form, request.methods)?;
        for (i, line) in request.lines.iter().enumerate() {
            let p = format!("line_items[{i}]");
            form.set(format!("{p}[price_data][currency]"), &request.currency)
                .set(format!("{p}[price_data][product_data][name]"), &line.name)
                .set(format!("{p}[price_data][unit_amount]"), line.amount_minor)
                .set(format!("{p}[quantity]"), 1);
        }
        form.metadata("metadata", &request.metadata)
            .metadata("payment_intent_data[metadata]", &request.metadata);
        if request.save_method {
            form.set("payment_intent_data[setup_future_usage]", "off_session");
            if request.customer.is_none() {
                form.set("customer_creation", "always");
            }
        }
        let session: StripeCheckoutSession = self
            .post("/v1/checkout/sessions", &form, &request.idempotency_key)
            .await?;
        Ok(session.into())
    }

    async fn checkout(&self, id: &str) -> Result<CheckoutSession, PaymentError> {
        let session: StripeCheckoutSession = self
            .get(&format!("/v1/checkout/sessions/{}", path_id(id)?))
            .await?;
        Ok(session.into())
    }

    async fn create_customer(
        &self,
        idempotency_key: &str,
        email: &str,
        name: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<String, PaymentError> {
        let mut form = Form::new();
        form.set("email", email)
            .set("name", name)
            .metadata("metadata", metadata);
        let created: Created = self.post("/v1/customers", &form, idempotency_key).await?;
        Ok(created.id)
    }

    async fn create_setup(&self, request: &SetupRequest) -> Result<CheckoutSession, PaymentError> {
        check_currency(&request.currency)?;
        let mut form = Form::new();
        form.set("mode", "setup")
            .set("customer", path_id(&request.customer)?)
            .set("currency", &request.currency)
            .set("success_url", &request.success_url)
            .set("cancel_url", &request.cancel_url);
        method_types(&mut form, request.methods)?;
        let session: StripeCheckoutSession = self
            .post("/v1/checkout/sessions", &form, &request.idempotency_key)
            .await?;
        Ok(session.into())
    }

    async fn saved_methods(&self, customer: &str) -> Result<Vec<SavedMethod>, PaymentError> {
        let list: List<StripePaymentMethod> = self
            .get(&format!(
                "/v1/customers/{}/payment_methods?limit=100",
                path_id(customer)?
            ))
            .await?;
        Ok(list.data.into_iter().map(SavedMethod::from).collect())
    }

    async fn remove_method(&self, idempotency_key: &str, method: &str) -> Result<(), PaymentError> {
        let _: Created = self
            .post(
                &format!("/v1/payment_methods/{}/detach", path_id(method)?),
                &Form::new(),
                idempotency_key,
            )
            .await?;
        Ok(())
    }

    async fn charge_saved(&self, charge: &OffSessionCharge) -> Result<PaymentIntent, PaymentError> {
        check_currency(&charge.currency)?;
        if charge.amount_minor <= 0 || charge.amount_minor > MAX_AMOUNT_MINOR {
            return Err(PaymentError::Invalid(
                "The amount is not one Stripe can charge.".into(),
            ));
        }
        let mut form = Form::new();
        form.set("amount", charge.amount_minor)
            .set("currency", &charge.currency)
            .set("customer", path_id(&charge.customer)?)
            .set("payment_method", path_id(&charge.payment_method)?)
            .set("off_session", "true")
            .set("confirm", "true")
            .metadata("metadata", &charge.metadata);
        let intent: StripePaymentIntent = self
            .post("/v1/payment_intents", &form, &charge.idempotency_key)
            .await?;
        Ok(intent.into())
    }

    async fn refund(&self, request: &RefundRequest) -> Result<Refund, PaymentError> {
        if request
            .amount_minor
            .is_some_and(|a| a <= 0 || a > MAX_AMOUNT_MINOR)
        {
            return Err(PaymentError::Invalid(
                "The refund amount must be above zero.".into(),
            ));
        }
        let mut form = Form::new();
        form.set("payment_intent", path_id(&request.payment_intent)?);
        if let Some(amount) = request.amount_minor {
            form.set("amount", amount);
        }
        let refund: StripeRefund = self
            .post("/v1/refunds", &form, &request.idempotency_key)
            .await?;
        Ok(refund.into())
    }
}
