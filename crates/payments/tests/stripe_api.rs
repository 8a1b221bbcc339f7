//! The Stripe adapter against a local HTTP server that answers as Stripe's API reference
//! documents (form-encoded requests, JSON objects, `{"error": {...}}` failures, idempotent
//! replays), recording every request so the tests see exactly what was sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use doorstep_payments::stripe::Stripe;
use doorstep_payments::{
    CheckoutLine, CheckoutRequest, MethodKinds, OffSessionCharge, PaymentError, PaymentProvider,
    RefundRequest, SetupRequest,
};
use serde_json::{Value, json};

const KEY: &str = "sk_test_doorstep";

/// One request as the fake received it.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    idempotency_key: Option<String>,
    authorization: Option<String>,
    version: Option<String>,
    form: Vec<(String, String)>,
}

impl Seen {
    fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Fake {
    seen: Vec<Seen>,
    /// Idempotency key → (body sent, answer given): Stripe replays the first answer.
    replays: HashMap<String, (Bytes, u16, Value)>,
    sessions: HashMap<String, Value>,
    next: u32,
    unavailable: bool,
}

type Shared = Arc<Mutex<Fake>>;

fn error(status: u16, kind: &str, code: Option<&str>, message: &str) -> (u16, Value) {
    let mut e = json!({"type": kind, "message": message});
    if let Some(code) = code {
        e["code"] = json!(code);
    }
    (status, json!({ "error": e }))
}

fn metadata(form: &[(String, String)], prefix: &str) -> Value {
    let mut out = serde_json::Map::new();
    for (k, v) in form {
        if let Some(name) = k
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('['))
            .and_then(|r| r.strip_suffix(']'))
            .filter(|name| !name.contains('['))
        {
            out.insert(name.to_owned(), json!(v));
        }
    }
    Value::Object(out)
}

/// Answers one request the way Stripe's API reference describes.
fn stripe_answer(
    fake: &mut Fake,
    method: &Method,
    path: &str,
    form: &[(String, String)],
) -> (u16, Value) {
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    fake.next += 1;
    let n = fake.next;
    match (method.as_str(), path) {
        ("POST", "/v1/checkout/sessions") => {
            let mode = field("mode").unwrap_or_default();
            let mut total = 0i64;
            let mut i = 0;
            while let Some(amount) = field(&format!("line_items[{i}][price_data][unit_amount]")) {
                let qty: i64 = field(&format!("line_items[{i}][quantity]"))
                    .unwrap()
                    .parse()
                    .unwrap();
                total += amount.parse::<i64>().unwrap() * qty;
                i += 1;
            }
            let id = format!("cs_test_{n}");
            let session = json!({
                "id": id, "object": "checkout.session", "mode": mode,
                "url": format!("https://checkout.stripe.com/c/pay/{id}"),
                "status": "open", "payment_status": "unpaid",
                "amount_total": if mode == "payment" { json!(total) } else { Value::Null },
                "currency": field("currency").or_else(|| field("line_items[0][price_data][currency]")),
                "customer": field("customer"), "payment_intent": null, "setup_intent": null,
                "client_reference_id": field("client_reference_id"),
                "metadata": metadata(form, "metadata"),
            });
            fake.sessions.insert(id, session.clone());
            (200, session)
        }
        ("GET", p) if p.starts_with("/v1/checkout/sessions/") => {
            match fake.sessions.get(&p["/v1/checkout/sessions/".len()..]) {
                Some(s) => (200, s.clone()),
                None => error(
                    404,
                    "invalid_request_error",
                    Some("resource_missing"),
                    "No such checkout.session",
                ),
            }
        }
        ("POST", "/v1/customers") => (
            200,
            json!({"id": format!("cus_{n}"), "object": "customer", "email": field("email")}),
        ),
        ("GET", p) if p.starts_with("/v1/customers/") && p.ends_with("/payment_methods") => (
            200,
            json!({
                "object": "list", "has_more": false, "url": p,
                "data": [
                    {"id": "pm_1", "object": "payment_method", "type": "card",
                     "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}},
                    {"id": "pm_2", "object": "payment_method", "type": "us_bank_account",
                     "us_bank_account": {"bank_name": "STRIPE TEST BANK", "last4": "6789"}}
                ]
            }),
        ),
        ("POST", p) if p.starts_with("/v1/payment_methods/") && p.ends_with("/detach") => (
            200,
            json!({"id": p.split('/').nth(3), "object": "payment_method", "customer": null}),
        ),
        ("POST", "/v1/payment_intents") => {
            if field("payment_method").as_deref() == Some("pm_card_chargeDeclined") {
                let (status, mut body) = error(
                    402,
                    "card_error",
                    Some("card_declined"),
                    "Your card was declined.",
                );
                body["error"]["decline_code"] = json!("generic_decline");
                return (status, body);
            }
            let amount: i64 = field("amount").unwrap().parse().unwrap();
            (
                200,
                json!({"id": format!("pi_{n}"), "object": "payment_intent", "status": "succeeded",
                         "amount": amount, "amount_received": amount, "currency": field("currency"),
                         "metadata": metadata(form, "metadata")}),
            )
        }
        ("GET", "/v1/balance") => (
            200,
            json!({"object": "balance", "livemode": false,
                   "available": [{"amount": 12_345, "currency": "usd", "source_types": {"card": 12_345}}],
                   "pending": [{"amount": 0, "currency": "usd"}]}),
        ),
        ("POST", "/v1/refunds") => {
            let amount: i64 = field("amount").map(|a| a.parse().unwrap()).unwrap_or(11700);
            (
                200,
                json!({"id": format!("re_{n}"), "object": "refund", "status": "succeeded", "amount": amount,
                         "payment_intent": field("payment_intent")}),
            )
        }
        _ => error(
            404,
            "invalid_request_error",
            None,
            "Unrecognized request URL",
        ),
    }
}

async fn handle(
    State(fake): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let mut fake = fake.lock().unwrap();
    fake.seen.push(Seen {
        method: method.clone(),
        path: uri.path().to_owned(),
        idempotency_key: header("idempotency-key"),
        authorization: header("authorization"),
        version: header("stripe-version"),
        form: form.clone(),
    });
    let (status, value) = if fake.unavailable {
        error(503, "api_error", None, "Stripe is down")
    } else if header("authorization").as_deref() != Some(&format!("Bearer {KEY}")) {
        error(
            401,
            "invalid_request_error",
            None,
            "Invalid API Key provided",
        )
    } else if let Some(key) = header("idempotency-key").filter(|_| method == Method::POST) {
        match fake.replays.get(&key) {
            Some((first, status, value)) if *first == body => (*status, value.clone()),
            Some(_) => error(
                400,
                "idempotency_error",
                None,
                "Keys for idempotent requests can only be used with the same parameters they were first used with.",
            ),
            None => {
                let (status, value) = stripe_answer(&mut fake, &method, uri.path(), &form);
                fake.replays
                    .insert(key, (body.clone(), status, value.clone()));
                (status, value)
            }
        }
    } else {
        stripe_answer(&mut fake, &method, uri.path(), &form)
    };
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        value.to_string(),
    )
        .into_response()
}

async fn fake_stripe() -> (Shared, SocketAddr) {
    let fake: Shared = Arc::default();
    let app = Router::new()
        .route("/{*path}", axum::routing::any(handle))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (fake, addr)
}

fn client(addr: SocketAddr, key: &str) -> Stripe {
    Stripe::new(key, Some(&format!("http://{addr}"))).unwrap()
}

fn pay_two_invoices(key: &str) -> CheckoutRequest {
    CheckoutRequest {
        idempotency_key: key.into(),
        currency: "usd".into(),
        lines: vec![
            CheckoutLine {
                name: "Invoice I-1046".into(),
                amount_minor: 11700,
            },
            CheckoutLine {
                name: "Invoice I-1047".into(),
                amount_minor: 24_555,
            },
        ],
        customer: None,
        success_url: "https://acme.example/payments/return?session={CHECKOUT_SESSION_ID}".into(),
        cancel_url: "https://acme.example/invoices".into(),
        client_reference_id: "attempt-7".into(),
        metadata: BTreeMap::from([
            ("company".into(), "acme".into()),
            ("invoices".into(), "I-1046,I-1047".into()),
        ]),
        methods: MethodKinds {
            card: true,
            us_bank_account: true,
        },
        save_method: false,
    }
}

#[tokio::test]
async fn a_checkout_is_created_with_the_documented_fields_and_one_idempotency_key() {
    let (fake, addr) = fake_stripe().await;
    let stripe = client(addr, KEY);
    let session = stripe
        .create_checkout(&pay_two_invoices("pay-attempt-7"))
        .await
        .unwrap();
    assert_eq!(session.amount_total, Some(36_255));
    assert_eq!(session.status, "open");
    assert!(!session.is_paid());
    assert_eq!(
        session.url.as_deref(),
        Some(format!("https://checkout.stripe.com/c/pay/{}", session.id).as_str())
    );
    assert_eq!(
        session.metadata.get("invoices").map(String::as_str),
        Some("I-1046,I-1047")
    );

    let seen = fake.lock().unwrap().seen[0].clone();
    assert_eq!(
        (seen.method.as_str(), seen.path.as_str()),
        ("POST", "/v1/checkout/sessions")
    );
    assert_eq!(seen.idempotency_key.as_deref(), Some("pay-attempt-7"));
    assert_eq!(
        seen.authorization.as_deref(),
        Some("Bearer sk_test_doorstep")
    );
    assert_eq!(
        seen.version.as_deref(),
        Some(doorstep_payments::stripe::API_VERSION)
    );
    for (name, value) in [
        ("mode", "payment"),
        ("line_items[0][price_data][currency]", "usd"),
        (
            "line_items[0][price_data][product_data][name]",
            "Invoice I-1046",
        ),
        ("line_items[0][price_data][unit_amount]", "11700"),
        ("line_items[0][quantity]", "1"),
        ("line_items[1][price_data][unit_amount]", "24555"),
        ("payment_method_types[0]", "card"),
        ("payment_method_types[1]", "us_bank_account"),
        ("client_reference_id", "attempt-7"),
        ("metadata[invoices]", "I-1046,I-1047"),
        ("payment_intent_data[metadata][company]", "acme"),
        (
            "success_url",
            "https://acme.example/payments/return?session={CHECKOUT_SESSION_ID}",
        ),
    ] {
        assert_eq!(seen.field(name), Some(value), "{name}");
    }
    assert_eq!(seen.field("payment_intent_data[setup_future_usage]"), None);

    // A retry after a timeout sends the same key and gets the same page, not a second one.
    let again = stripe
        .create_checkout(&pay_two_invoices("pay-attempt-7"))
        .await
        .unwrap();
    assert_eq!(again.id, session.id);
    assert_eq!(fake.lock().unwrap().sessions.len(), 1);

    // Read back: the verified processor read a return page relies on.
    let read = stripe.checkout(&session.id).await.unwrap();
    assert_eq!(read, session);
}

#[tokio::test]
async fn saving_the_method_asks_for_off_session_use_and_a_customer() {
    let (fake, addr) = fake_stripe().await;
    let stripe = client(addr, KEY);
    let mut request = pay_two_invoices("pay-and-save");
    request.save_method = true;
    request.methods = MethodKinds {
        card: true,
        us_bank_account: false,
    };
    stripe.create_checkout(&request).await.unwrap();
    let seen = fake.lock().unwrap().seen[0].clone();
    assert_eq!(
        seen.field("payment_intent_data[setup_future_usage]"),
        Some("off_session")
    );
    assert_eq!(seen.field("customer_creation"), Some("always"));
    assert_eq!(seen.field("payment_method_types[1]"), None);
}

#[tokio::test]
async fn refusals_are_sorted_by_what_to_do_next() {
    let (fake, addr) = fake_stripe().await;
    // A key reused with other parameters: Stripe's idempotency error, not a second charge.
    let stripe = client(addr, KEY);
    stripe
        .create_checkout(&pay_two_invoices("k-1"))
        .await
        .unwrap();
    let mut other = pay_two_invoices("k-1");
    other.lines.pop();
    match stripe.create_checkout(&other).await {
        Err(PaymentError::Refused {
            status: 400, kind, ..
        }) => assert_eq!(kind, "idempotency_error"),
        got => panic!("expected an idempotency refusal, got {got:?}"),
    }
    // A wrong key.
    match client(addr, "sk_test_wrong").checkout("cs_test_1").await {
        Err(PaymentError::Refused {
            status: 401,
            message,
            ..
        }) => assert!(message.contains("Invalid API Key")),
        got => panic!("expected 401, got {got:?}"),
    }
    // An unknown object.
    match stripe.checkout("cs_test_missing").await {
        Err(PaymentError::Refused {
            status: 404, kind, ..
        }) => assert_eq!(kind, "invalid_request_error/resource_missing"),
        got => panic!("expected 404, got {got:?}"),
    }
    // A declined off-session charge: the decline code and a message fit for the customer.
    let charge = OffSessionCharge {
        idempotency_key: "autopay-I-1046-2026-12-06".into(),
        amount_minor: 11700,
        currency: "usd".into(),
        customer: "cus_1".into(),
        payment_method: "pm_card_chargeDeclined".into(),
        metadata: BTreeMap::new(),
    };
    let declined = stripe.charge_saved(&charge).await.unwrap_err();
    assert_eq!(
        declined,
        PaymentError::Declined {
            code: "generic_decline".into(),
            message: "Your card was declined.".into()
        }
    );
    assert!(!declined.is_retryable());
    // Stripe down: retryable with the same key.
    fake.lock().unwrap().unavailable = true;
    let down = stripe
        .create_checkout(&pay_two_invoices("k-2"))
        .await
        .unwrap_err();
    assert!(
        matches!(down, PaymentError::Unavailable(_)) && down.is_retryable(),
        "{down:?}"
    );
    // Nothing listening at all.
    let nobody = Stripe::new(KEY, Some("http://127.0.0.1:9")).unwrap();
    assert!(
        nobody
            .checkout("cs_test_1")
            .await
            .unwrap_err()
            .is_retryable()
    );
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let (fake, addr) = fake_stripe().await;
    let stripe = client(addr, KEY);
    let mut zero = pay_two_invoices("k");
    zero.lines[1].amount_minor = 0;
    let mut upper = pay_two_invoices("k");
    upper.currency = "USD".into();
    let mut header_break = pay_two_invoices("k\r\nX-Evil: 1");
    header_break.currency = "usd".into();
    let mut huge = pay_two_invoices("k");
    huge.lines[0].amount_minor = 99_999_999;
    let mut none = pay_two_invoices("k");
    none.methods = MethodKinds {
        card: false,
        us_bank_account: false,
    };
    for request in [zero, upper, header_break, huge, none] {
        assert!(
            matches!(
                stripe.create_checkout(&request).await,
                Err(PaymentError::Invalid(_))
            ),
            "{request:?}"
        );
    }
    assert!(matches!(
        stripe.checkout("../v1/customers").await,
        Err(PaymentError::Invalid(_))
    ));
    assert!(matches!(
        stripe.saved_methods("cus_1/../x").await,
        Err(PaymentError::Invalid(_))
    ));
    let refund = RefundRequest {
        idempotency_key: "r".into(),
        payment_intent: "pi_1".into(),
        amount_minor: Some(0),
    };
    assert!(matches!(
        stripe.refund(&refund).await,
        Err(PaymentError::Invalid(_))
    ));
    assert!(Stripe::new("", None).is_err());
    assert!(Stripe::new("sk_test x", None).is_err());
    assert!(Stripe::new(KEY, Some("ftp://stripe")).is_err());
    assert!(fake.lock().unwrap().seen.is_empty());
}

#[tokio::test]
async fn saved_methods_setup_autopay_and_refunds() {
    let (fake, addr) = fake_stripe().await;
    let stripe = client(addr, KEY);
    let customer = stripe
        .create_customer(
            "customer-C-1",
            "dana@example.test",
            "Dana Whitfield",
            &BTreeMap::from([("customer".into(), "C-1".into())]),
        )
        .await
        .unwrap();
    assert!(customer.starts_with("cus_"));

    let setup = stripe
        .create_setup(&SetupRequest {
            idempotency_key: "setup-1".into(),
            customer: customer.clone(),
            currency: "usd".into(),
            success_url: "https://acme.example/payment-methods?saved=1".into(),
            cancel_url: "https://acme.example/payment-methods".into(),
            methods: MethodKinds {
                card: true,
                us_bank_account: false,
            },
        })
        .await
        .unwrap();
    assert_eq!(setup.amount_total, None);

    let methods = stripe.saved_methods(&customer).await.unwrap();
    assert_eq!(methods.len(), 2);
    assert_eq!(
        (
            methods[0].brand.as_str(),
            methods[0].last4.as_str(),
            methods[0].exp_month,
            methods[0].exp_year
        ),
        ("visa", "4242", Some(12), Some(2030))
    );
    assert_eq!(
        (methods[1].kind.as_str(), methods[1].last4.as_str()),
        ("us_bank_account", "6789")
    );

    let paid = stripe
        .charge_saved(&OffSessionCharge {
            idempotency_key: "autopay-I-1050".into(),
            amount_minor: 4500,
            currency: "usd".into(),
            customer: customer.clone(),
            payment_method: "pm_1".into(),
            metadata: BTreeMap::from([("invoices".into(), "I-1050".into())]),
        })
        .await
        .unwrap();
    assert_eq!(
        (paid.status.as_str(), paid.amount_received_minor),
        ("succeeded", 4500)
    );

    let refund = stripe
        .refund(&RefundRequest {
            idempotency_key: "refund-P-9-1".into(),
            payment_intent: paid.id.clone(),
            amount_minor: Some(1500),
        })
        .await
        .unwrap();
    assert_eq!(
        (refund.status.as_str(), refund.amount_minor),
        ("succeeded", 1500)
    );
    stripe.remove_method("detach-pm_1", "pm_1").await.unwrap();

    let seen = fake.lock().unwrap().seen.clone();
    let setup_sent = seen
        .iter()
        .find(|s| s.field("mode") == Some("setup"))
        .unwrap();
    assert_eq!(setup_sent.field("customer"), Some(customer.as_str()));
    assert_eq!(setup_sent.field("currency"), Some("usd"));
    let charge_sent = seen
        .iter()
        .find(|s| s.path == "/v1/payment_intents")
        .unwrap();
    assert_eq!(
        (
            charge_sent.field("off_session"),
            charge_sent.field("confirm")
        ),
        (Some("true"), Some("true"))
    );
    let refund_sent = seen.iter().find(|s| s.path == "/v1/refunds").unwrap();
    assert_eq!(
        (
            refund_sent.field("amount"),
            refund_sent.idempotency_key.as_deref()
        ),
        (Some("1500"), Some("refund-P-9-1"))
    );
    assert!(
        seen.iter()
            .any(|s| s.path == "/v1/payment_methods/pm_1/detach")
    );
    // Every POST carried an idempotency key; no GET did.
    assert!(
        seen.iter()
            .all(|s| (s.method == Method::POST) == s.idempotency_key.is_some())
    );
}

/// "Test connection" reads the balance with the key as a Bearer token: the mode and the
/// available funds on success, Stripe's own message for a wrong key, and a 5xx sorted as
/// "try again"; every POST of the whole exchange carried an Idempotency-Key.
#[tokio::test]
async fn the_balance_proves_the_key_and_every_post_is_idempotent() {
    let (fake, addr) = fake_stripe().await;
    let balance = client(addr, KEY).balance().await.unwrap();
    assert!(!balance.livemode);
    assert_eq!(balance.available, vec![("usd".to_owned(), 12_345)]);
    {
        let seen = fake.lock().unwrap();
        let read = seen.seen.last().unwrap();
        assert_eq!(read.method, Method::GET);
        assert_eq!(read.path, "/v1/balance");
        assert_eq!(
            read.authorization.as_deref(),
            Some("Bearer sk_test_doorstep")
        );
        assert_eq!(
            read.version.as_deref(),
            Some(doorstep_payments::stripe::API_VERSION)
        );
    }
    match client(addr, "sk_test_wrong").balance().await {
        Err(PaymentError::Refused {
            status: 401,
            message,
            ..
        }) => assert!(message.contains("Invalid API Key provided")),
        got => panic!("expected Stripe's 401, got {got:?}"),
    }
    // Refund and checkout POSTs: form-encoded, each with its key.
    let stripe = client(addr, KEY);
    stripe
        .create_checkout(&pay_two_invoices("pay-attempt-9"))
        .await
        .unwrap();
    let refund = stripe
        .refund(&RefundRequest {
            idempotency_key: "refund-1-0-500".into(),
            payment_intent: "pi_42".into(),
            amount_minor: Some(500),
        })
        .await
        .unwrap();
    assert_eq!(
        (refund.amount_minor, refund.status.as_str()),
        (500, "succeeded")
    );
    {
        let seen = fake.lock().unwrap();
        let posts: Vec<&Seen> = seen
            .seen
            .iter()
            .filter(|s| s.method == Method::POST)
            .collect();
        assert_eq!(posts.len(), 2);
        assert!(posts.iter().all(|s| s.idempotency_key.is_some()));
        let r = posts.iter().find(|s| s.path == "/v1/refunds").unwrap();
        assert_eq!(r.idempotency_key.as_deref(), Some("refund-1-0-500"));
        assert_eq!(r.field("payment_intent"), Some("pi_42"));
        assert_eq!(r.field("amount"), Some("500"));
    }
    fake.lock().unwrap().unavailable = true;
    let down = client(addr, KEY).balance().await.unwrap_err();
    assert!(down.is_retryable(), "{down:?}");
}
