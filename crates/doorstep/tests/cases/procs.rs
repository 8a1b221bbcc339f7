//! `doorstep_app::payments::{processor, refund}`: the office's processor settings (secrets
//! never read back, only "ends in …"; the instance's `DOORSTEP_STRIPE_*` used when a
//! company has none), "test connection" against a local server answering as Stripe's
//! API does (Bearer key, Stripe's own error message), and refunds through the processor
//! (asked with an Idempotency-Key, recorded once even when the `charge.refunded` webhook
//! reports the same refund). Refusals: an office member who is not an administrator,
//! another company's payment, more than is left, a payment taken offline.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};

use doorstep_app::payments::online::{self, PayInvoices, PaymentSettingsForm};
use doorstep_app::payments::online_webhook::{self, WebhookOutcome};
use doorstep_app::payments::processor::{self, SecretSource};
use doorstep_app::payments::refund::{self, RefundForm};
use doorstep_app::{App, AppError, ContactActor};
use doorstep_core::money::Currency;
use doorstep_payments::webhook::sign;
use doorstep_testkit::{Backend, both_backends};

use crate::world::World;

const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const TABLES: &[&str] = &[
    "payments",
    "payment_allocations",
    "payment_settings",
    "invoices",
];

fn stripe_form(key: &str, webhook: &str) -> PaymentSettingsForm {
    PaymentSettingsForm {
        processor: "stripe".into(),
        stripe_secret_key: key.into(),
        webhook_secret: webhook.into(),
        allow_partial: false,
        ach_enabled: false,
    }
}

fn test_mode() -> PaymentSettingsForm {
    PaymentSettingsForm {
        processor: "test".into(),
        ..Default::default()
    }
}

fn amount(a: &str) -> RefundForm {
    RefundForm { amount: a.into() }
}

async fn invoice(w: &World, number: &str) -> (String, i64, i64) {
    doorstep_store::on_pool!(w.store, p => sqlx::query_as(
        "SELECT status, paid_minor, total_minor FROM invoices WHERE company_id = $1 AND number = $2")
        .bind(w.acme.id.0).bind(number).fetch_one(p).await)
    .unwrap()
}

/// Dana (credit set to zero) pays her oldest open invoice with the test card; the
/// payment's receipt number and the invoice's number.
async fn dana_pays(w: &World, app: &App) -> (ContactActor, String, String, i64) {
    let dana = w.dana().await;
    doorstep_store::on_pool!(w.store, p => sqlx::query("UPDATE customers SET credit_minor = 0 WHERE id = $1")
        .bind(dana.customer().0).execute(p).await.map(|_| ()))
    .unwrap();
    let olivia = w.olivia().await;
    online::configure(app, olivia.admin().unwrap(), &test_mode())
        .await
        .unwrap();
    let open = w
        .store
        .open_invoices_of_payer(w.acme.id, dana.customer())
        .await
        .unwrap();
    let inv = open[0].clone();
    let cmd = PayInvoices::parse(std::slice::from_ref(&inv.number), "", Currency::USD).unwrap();
    let started = online::start_checkout(app, &dana, cmd).await.unwrap();
    let session = started.url.trim_start_matches("/pay/test/");
    online_webhook::pay_test_checkout(app, &dana, session, "4242 4242 4242 4242")
        .await
        .unwrap();
    let number: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
        "SELECT number FROM payments WHERE company_id = $1 AND processor_ref = $2")
        .bind(w.acme.id.0).bind(format!("pi_test_{}", started.reference)).fetch_one(p).await)
    .unwrap();
    (dana, number, inv.number.clone(), inv.balance_minor())
}

both_backends! {
    /// The administrator saves Stripe's key and webhook secret: they are stored sealed,
    /// read back only as "ends in …"; leaving the fields empty keeps them. Bad shapes, a
    /// missing key and an office member who is not an administrator are refused and
    /// write nothing.
    async fn settings_keep_secrets_write_only(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        online::configure(&w.app, olivia.admin().unwrap(), &stripe_form("sk_test_abcd1234", "whsec_wxyz9876")).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "payments.configured");
        let sealed: (String, String) = doorstep_store::on_pool!(w.store, p => sqlx::query_as(
            "SELECT stripe_secret_sealed, webhook_secret_sealed FROM payment_settings WHERE company_id = $1")
            .bind(w.acme.id.0).fetch_one(p).await).unwrap();
        assert!(!sealed.0.contains("sk_test_abcd1234") && !sealed.1.contains("whsec_wxyz9876"), "stored sealed");
        let view = processor::processor_settings(&w.app, olivia.admin().unwrap()).await.unwrap();
        assert_eq!(view.processor, "stripe");
        assert_eq!(view.stripe_secret_key, SecretSource::Saved { ends_in: "1234".into() });
        assert_eq!(view.webhook_secret, SecretSource::Saved { ends_in: "9876".into() });
        assert!(view.webhook_url.ends_with("/webhooks/stripe") && view.webhook_url.contains("acme"), "{}", view.webhook_url);
        // Empty fields keep what is saved; the switches change.
        let mut keep = stripe_form("", "");
        keep.allow_partial = true;
        keep.ach_enabled = true;
        online::configure(&w.app, olivia.admin().unwrap(), &keep).await.unwrap();
        let view = processor::processor_settings(&w.app, olivia.admin().unwrap()).await.unwrap();
        assert_eq!(view.stripe_secret_key, SecretSource::Saved { ends_in: "1234".into() });
        assert!(view.allow_partial && view.ach_enabled);

        let before = w.snapshot(TABLES).await;
        let refused = |form: PaymentSettingsForm, field: &'static str| {
            let w = &w;
            let olivia = &olivia;
            async move {
                match online::configure(&w.app, olivia.admin().unwrap(), &form).await {
                    Err(AppError::Invalid(e)) => assert_eq!(e.field, field, "{}", e.message),
                    other => panic!("expected {field} refused, got {other:?}"),
                }
            }
        };
        refused(stripe_form("pk_test_publishable", ""), "stripe_secret_key").await;
        refused(stripe_form("", "not-a-secret"), "webhook_secret").await;
        refused(stripe_form("sk_test with space", ""), "stripe_secret_key").await;
        refused(PaymentSettingsForm { processor: "paypal".into(), ..Default::default() }, "processor").await;
        // Another company (Bolt) has no key saved and the instance none either.
        let bolt = w.staff("bolt", "office@bolt.test").await;
        match online::configure(&w.app, bolt.admin().unwrap(), &stripe_form("", "whsec_1")).await {
            Err(AppError::Invalid(e)) => assert_eq!(e.field, "stripe_secret_key"),
            other => panic!("{other:?}"),
        }
        // Oscar works in the office but is not an administrator.
        assert!(matches!(w.oscar().await.admin(), Err(AppError::NotFound)));
        assert_eq!(w.snapshot(TABLES).await, before, "nothing written by a refusal");
        let bolt_view = processor::processor_settings(&w.app, bolt.admin().unwrap()).await.unwrap();
        assert_eq!(bolt_view.stripe_secret_key, SecretSource::Missing, "Acme's key is Acme's");
    }

    /// "Test connection" reads Stripe's balance with the saved key (Bearer): success with
    /// the mode; a wrong key answers Stripe's own message; nothing to test is said so.
    /// The instance's key is used when the company saved none.
    async fn test_connection_asks_stripe(backend: Backend) {
        let w = World::demo(backend).await;
        let (seen, base) = fake_stripe::start().await;
        let app = w.app.clone().with_stripe_api_base(&base);
        let olivia = w.olivia().await;
        let none = PaymentSettingsForm { processor: "none".into(), ..Default::default() };
        online::configure(&app, olivia.admin().unwrap(), &none).await.unwrap();
        let e = processor::test_connection(&app, olivia.admin().unwrap()).await.unwrap_err();
        assert_eq!(e.conflict_reason(), Some("not_configured"));
        online::configure(&app, olivia.admin().unwrap(), &test_mode()).await.unwrap();
        let ok = processor::test_connection(&app, olivia.admin().unwrap()).await.unwrap();
        assert!(ok.message.contains("Test mode works"), "{}", ok.message);
        online::configure(&app, olivia.admin().unwrap(), &stripe_form(fake_stripe::KEY, "whsec_1")).await.unwrap();
        let ok = processor::test_connection(&app, olivia.admin().unwrap()).await.unwrap();
        assert!(ok.message.contains("Connected to Stripe (test mode"), "{}", ok.message);
        assert_eq!(seen.lock().unwrap().last().unwrap().authorization, format!("Bearer {}", fake_stripe::KEY));
        online::configure(&app, olivia.admin().unwrap(), &stripe_form("sk_test_wrong", "")).await.unwrap();
        match processor::test_connection(&app, olivia.admin().unwrap()).await {
            Err(AppError::Conflict { reason: "processor", message }) => {
                assert!(message.contains("Invalid API Key provided"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        // Bolt saved nothing: the instance's key and secret are used.
        let env_app = app.clone().with_stripe_defaults(Some(fake_stripe::KEY), Some("whsec_instance"));
        let bolt = w.staff("bolt", "office@bolt.test").await;
        online::configure(&env_app, bolt.admin().unwrap(), &stripe_form("", "")).await.unwrap();
        let view = processor::processor_settings(&env_app, bolt.admin().unwrap()).await.unwrap();
        assert_eq!((view.stripe_secret_key, view.webhook_secret), (SecretSource::Instance, SecretSource::Instance));
        processor::test_connection(&env_app, bolt.admin().unwrap()).await.unwrap();
        assert!(seen.lock().unwrap().iter().all(|s| s.method == "GET" && s.path == "/v1/balance"));
    }

    /// A part refund through the test processor takes the money back off the invoice
    /// (owed again), is audited and emailed; the processor's `charge.refunded` webhook for
    /// the same refund changes nothing; more than is left is refused; the rest empties it.
    async fn a_refund_is_recorded_once(backend: Backend) {
        let w = World::demo(backend).await;
        let (_dana, number, inv, paid) = dana_pays(&w, &w.app).await;
        let olivia = w.olivia().await;
        let (status, on_invoice, _) = invoice(&w, &inv).await;
        assert_eq!(status, "paid");
        let emails = w.emails(&w.acme).await.len();
        let done = refund::refund(&w.app, olivia.admin().unwrap(), &number, &amount("5.00")).await.unwrap();
        assert_eq!((done.amount_minor, done.refunded_total_minor), (500, 500));
        let (status, paid_now, _) = invoice(&w, &inv).await;
        assert_eq!((status.as_str(), paid_now), ("unpaid", on_invoice - 500));
        assert_eq!(w.last_audit(&w.acme).await, ("payment.refunded".to_owned(), "office@acme.test".to_owned()));
        let queued = w.emails(&w.acme).await;
        assert!(queued.len() > emails && queued[emails..].iter().all(|(k, _)| k == "payment_refunded"), "{queued:?}");

        // The processor's webhook for the same refund (running total 500): nothing twice.
        let before = w.snapshot(TABLES).await;
        let now = doorstep_store::now().unix_timestamp();
        let intent: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT processor_ref FROM payments WHERE company_id = $1 AND number = $2")
            .bind(w.acme.id.0).bind(&number).fetch_one(p).await).unwrap();
        let body = format!(
            r#"{{"id":"evt_r1","type":"charge.refunded","created":{now},"data":{{"object":
            {{"id":"ch_1","object":"charge","payment_intent":"{intent}","amount":{paid},"amount_refunded":500}}}}}}"#
        ).into_bytes();
        let header = sign(&body, &online::test_webhook_secret(&w.app, w.acme.id), now);
        let outcome = online_webhook::handle_webhook(&w.app, &w.acme, &body, Some(&header), IP).await.unwrap();
        assert_eq!(outcome, WebhookOutcome::Duplicate);
        let mut after = w.snapshot(TABLES).await;
        after.retain(|(t, _)| t != "audit_events");
        let mut before_no_audit = before.clone();
        before_no_audit.retain(|(t, _)| t != "audit_events");
        assert_eq!(after, before_no_audit);
        assert_eq!(invoice(&w, &inv).await.1, on_invoice - 500);

        // More than is left: refused before the processor, nothing written.
        let before = w.snapshot(TABLES).await;
        match refund::refund(&w.app, olivia.admin().unwrap(), &number, &amount(&format!("{}", paid))).await {
            Err(AppError::Invalid(e)) => {
                assert_eq!(e.field, "amount");
                assert!(e.message.contains("left to refund"), "{}", e.message);
            }
            other => panic!("{other:?}"),
        }
        assert!(refund::refund(&w.app, olivia.admin().unwrap(), &number, &amount("0")).await.is_err());
        assert!(refund::refund(&w.app, olivia.admin().unwrap(), &number, &amount("abc")).await.is_err());
        assert_eq!(w.snapshot(TABLES).await, before);

        // The rest (empty amount): refunded in full, the invoice owes everything again.
        let done = refund::refund(&w.app, olivia.admin().unwrap(), &number, &amount("")).await.unwrap();
        assert_eq!(done.refunded_total_minor, paid);
        assert_eq!(invoice(&w, &inv).await.1, on_invoice - paid);
        let status: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT status FROM payments WHERE company_id = $1 AND number = $2")
            .bind(w.acme.id.0).bind(&number).fetch_one(p).await).unwrap();
        assert_eq!(status, "refunded");
        let before = w.snapshot(TABLES).await;
        match refund::refund(&w.app, olivia.admin().unwrap(), &number, &amount("")).await {
            Err(AppError::Invalid(e)) => assert!(e.message.contains("already refunded"), "{}", e.message),
            other => panic!("{other:?}"),
        }
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// Refusals: an office member who is not an administrator, another company's
    /// administrator (404), a payment taken offline (said why); nothing written.
    async fn refunds_are_refused_where_they_must_be(backend: Backend) {
        let w = World::demo(backend).await;
        let (_dana, number, _inv, _paid) = dana_pays(&w, &w.app).await;
        let before = w.snapshot(TABLES).await;
        assert!(matches!(w.oscar().await.admin(), Err(AppError::NotFound)));
        let bolt = w.staff("bolt", "office@bolt.test").await;
        assert!(matches!(
            refund::refund(&w.app, bolt.admin().unwrap(), &number, &amount("1")).await,
            Err(AppError::NotFound)
        ));
        let olivia = w.olivia().await;
        assert!(matches!(
            refund::refund(&w.app, olivia.admin().unwrap(), "P-999999", &amount("1")).await,
            Err(AppError::NotFound)
        ));
        let cash: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT number FROM payments WHERE company_id = $1 AND processor IS NULL AND method <> 'credit' ORDER BY id LIMIT 1")
            .bind(w.acme.id.0).fetch_one(p).await).unwrap();
        let e = refund::refund(&w.app, olivia.admin().unwrap(), &cash, &amount("1")).await.unwrap_err();
        assert_eq!(e.conflict_reason(), Some("offline"));
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// Through Stripe: the refund is a form-encoded POST /v1/refunds with the payment's
    /// intent, the amount, the Bearer key and an Idempotency-Key made of the payment and
    /// what was refunded before (a retried click replays, never refunds twice); Stripe's
    /// refusal is shown and records nothing.
    async fn a_stripe_refund_is_idempotent(backend: Backend) {
        let w = World::demo(backend).await;
        let (seen, base) = fake_stripe::start().await;
        let app = w.app.clone().with_stripe_api_base(&base);
        let dana = w.dana().await;
        let olivia = w.olivia().await;
        online::configure(&app, olivia.admin().unwrap(), &stripe_form(fake_stripe::KEY, "whsec_1")).await.unwrap();
        let open = w.store.open_invoices_of_payer(w.acme.id, dana.customer()).await.unwrap();
        let inv = open[0].clone();
        let cmd = PayInvoices::parse(std::slice::from_ref(&inv.number), "", Currency::USD).unwrap();
        let started = online::start_checkout(&app, &dana, cmd).await.unwrap();
        online::confirm_return(&app, &dana, &started.reference).await.unwrap();
        let (id, number): (i64, String) = doorstep_store::on_pool!(w.store, p => sqlx::query_as(
            "SELECT id, number FROM payments WHERE company_id = $1 AND processor_ref = 'pi_fake_1'")
            .bind(w.acme.id.0).fetch_one(p).await).unwrap();
        // Stripe refuses: its words, nothing recorded.
        let before = w.snapshot(TABLES).await;
        fake_stripe::refuse_refunds(&seen, true);
        match refund::refund(&app, olivia.admin().unwrap(), &number, &amount("1.00")).await {
            Err(AppError::Conflict { reason: "processor", message }) => {
                assert!(message.contains("Charge has already been refunded") && message.contains("Nothing was refunded"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(w.snapshot(TABLES).await, before);
        fake_stripe::refuse_refunds(&seen, false);
        refund::refund(&app, olivia.admin().unwrap(), &number, &amount("1.00")).await.unwrap();
        let posts: Vec<fake_stripe::Seen> =
            seen.lock().unwrap().iter().filter(|s| s.method == "POST").cloned().collect();
        assert!(posts.iter().all(|s| !s.idempotency_key.is_empty()), "every POST has a key");
        assert!(posts.iter().all(|s| s.authorization == format!("Bearer {}", fake_stripe::KEY)));
        let r: Vec<_> = posts.iter().filter(|s| s.path == "/v1/refunds").collect();
        assert_eq!(r.len(), 2, "the refused one and the good one");
        assert_eq!(r[0].idempotency_key, r[1].idempotency_key, "the retry replays the same key");
        assert_eq!(r[1].idempotency_key, format!("refund-{id}-0-100"));
        let field = |n: &str| r[1].form.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        assert_eq!(field("payment_intent").as_deref(), Some("pi_fake_1"));
        assert_eq!(field("amount").as_deref(), Some("100"));
        assert_eq!(invoice(&w, &inv.number).await.1, inv.paid_minor + inv.balance_minor() - 100);
    }
}

/// A local server answering as Stripe's API documents: Checkout Sessions (create, read
/// back paid), Refunds and the Balance; a wrong key is Stripe's 401 error object.
mod fake_stripe {
    use super::*;
    use axum::Router;
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::{HeaderMap, Method, StatusCode, Uri};
    use axum::response::{IntoResponse, Response};

    pub const KEY: &str = "sk_test_procs";

    #[derive(Debug, Clone)]
    pub struct Seen {
        pub method: String,
        pub path: String,
        pub authorization: String,
        pub idempotency_key: String,
        pub form: Vec<(String, String)>,
    }

    #[derive(Default)]
    pub struct Fake {
        seen: Vec<Seen>,
        refuse_refunds: bool,
    }

    pub type Shared = Arc<Mutex<Fake>>;

    impl Fake {
        pub fn last(&self) -> Option<&Seen> {
            self.seen.last()
        }
        pub fn iter(&self) -> std::slice::Iter<'_, Seen> {
            self.seen.iter()
        }
    }

    pub fn refuse_refunds(fake: &Shared, on: bool) {
        fake.lock().unwrap().refuse_refunds = on;
    }

    fn answer(status: u16, v: serde_json::Value) -> Response {
        (
            StatusCode::from_u16(status).unwrap(),
            [("content-type", "application/json")],
            v.to_string(),
        )
            .into_response()
    }

    async fn handle(
        State(fake): State<Shared>,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let header = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
        let field = |n: &str| form.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let mut fake = fake.lock().unwrap();
        fake.seen.push(Seen {
            method: method.to_string(),
            path: uri.path().to_owned(),
            authorization: header("authorization"),
            idempotency_key: header("idempotency-key"),
            form: form.clone(),
        });
        if header("authorization") != format!("Bearer {KEY}") {
            return answer(
                401,
                serde_json::json!({"error": {"type": "invalid_request_error",
                "message": "Invalid API Key provided: sk_test_****rong"}}),
            );
        }
        if method == Method::POST && header("idempotency-key").is_empty() {
            return answer(
                400,
                serde_json::json!({"error": {"type": "invalid_request_error", "message": "this fake wants an Idempotency-Key"}}),
            );
        }
        let total: i64 = fake
            .seen
            .iter()
            .find(|s| s.path == "/v1/checkout/sessions")
            .map_or(0, |s| {
                s.form
                    .iter()
                    .filter(|(k, _)| k.ends_with("[price_data][unit_amount]"))
                    .map(|(_, v)| v.parse::<i64>().unwrap())
                    .sum()
            });
        match (method.as_str(), uri.path()) {
            ("GET", "/v1/balance") => answer(
                200,
                serde_json::json!({"object": "balance", "livemode": false,
                "available": [{"amount": 0, "currency": "usd"}], "pending": []}),
            ),
            ("POST", "/v1/checkout/sessions") => answer(
                200,
                serde_json::json!({
                "id": "cs_fake_1", "object": "checkout.session", "url": "https://checkout.stripe.test/c/cs_fake_1",
                "status": "open", "payment_status": "unpaid", "amount_total": total, "currency": "usd",
                "client_reference_id": field("client_reference_id"), "metadata": {}}),
            ),
            ("GET", "/v1/checkout/sessions/cs_fake_1") => answer(
                200,
                serde_json::json!({
                "id": "cs_fake_1", "object": "checkout.session", "url": null,
                "status": "complete", "payment_status": "paid", "amount_total": total, "currency": "usd",
                "payment_intent": "pi_fake_1", "metadata": {}}),
            ),
            ("POST", "/v1/refunds") if fake.refuse_refunds => answer(
                400,
                serde_json::json!({"error": {
                "type": "invalid_request_error", "code": "charge_already_refunded",
                "message": "Charge has already been refunded."}}),
            ),
            ("POST", "/v1/refunds") => answer(
                200,
                serde_json::json!({
                "id": "re_fake_1", "object": "refund", "status": "succeeded",
                "amount": field("amount").unwrap().parse::<i64>().unwrap(),
                "payment_intent": field("payment_intent")}),
            ),
            _ => answer(
                404,
                serde_json::json!({"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}}),
            ),
        }
    }

    pub async fn start() -> (Shared, String) {
        let fake: Shared = Arc::default();
        let app = Router::new()
            .route("/{*path}", axum::routing::any(handle))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (fake, format!("http://{addr}"))
    }
}
