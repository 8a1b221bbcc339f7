//! `doorstep_app::payments::online`: paying invoices through a processor. A verified
//! webhook pays once however often (and however concurrently) it is delivered; a bad
//! signature or an old timestamp changes nothing; a second tab is refused before the
//! processor is called; void, paid, another account's invoices, amounts above the
//! balance and site contacts are refused; a declined card leaves the invoice unpaid; a
//! refund webhook puts the balance back; Stripe is called with the right amounts and
//! idempotency key (a local server answering as Stripe's API does).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};

use doorstep_app::payments::online::{self, PayInvoices, PaymentSettingsForm};
use doorstep_app::payments::online_webhook::{self, WebhookOutcome};
use doorstep_app::{App, AppError, ContactActor};
use doorstep_core::money::Currency;
use doorstep_payments::test_processor::CardOutcome;
use doorstep_payments::webhook::sign;
use doorstep_payments::{CheckoutSession, TestProcessor};
use doorstep_store::invoices::InvoiceRow;
use doorstep_testkit::{Backend, both_backends};

use crate::world::World;

const TABLES: &[&str] = &[
    "payments",
    "payment_allocations",
    "checkout_sessions",
    "processor_events",
];
const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const PAYS: &str = "4242 4242 4242 4242";
const DECLINED: &str = "4000 0000 0000 0002";

/// Dana, her account's open invoices (oldest due first), her credit set to zero so the
/// amounts are the balances.
async fn dana(w: &World) -> (ContactActor, Vec<InvoiceRow>) {
    let dana = w.dana().await;
    doorstep_store::on_pool!(w.store, p => sqlx::query("UPDATE customers SET credit_minor = 0 WHERE id = $1")
        .bind(dana.customer().0).execute(p).await.map(|_| ()))
    .unwrap();
    let open = w
        .store
        .open_invoices_of_payer(w.acme.id, dana.customer())
        .await
        .unwrap();
    assert!(open.len() >= 2, "the demo household owes on two invoices");
    (dana, open)
}

fn pay(numbers: &[&str], amount: &str) -> PayInvoices {
    let numbers: Vec<String> = numbers.iter().map(|n| (*n).to_owned()).collect();
    PayInvoices::parse(&numbers, amount, Currency::USD).unwrap()
}

async fn invoice(w: &World, number: &str) -> (String, i64, i64) {
    doorstep_store::on_pool!(w.store, p => sqlx::query_as(
        "SELECT status, paid_minor, total_minor FROM invoices WHERE company_id = $1 AND number = $2")
        .bind(w.acme.id.0).bind(number).fetch_one(p).await)
    .unwrap()
}

async fn count(w: &World, sql: &str) -> i64 {
    let id = w.acme.id.0;
    doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(sql).bind(id).fetch_one(p).await)
        .unwrap()
}

/// The completed-checkout event the test processor sends for `reference`, signed now.
fn completed(w: &World, reference: &str, amount: i64, event: &str) -> (Vec<u8>, String) {
    let session = CheckoutSession {
        id: TestProcessor::session_id(reference),
        url: None,
        status: "open".into(),
        payment_status: "unpaid".into(),
        amount_total: Some(amount),
        currency: Some("usd".into()),
        payment_intent: None,
        setup_intent: None,
        customer: None,
        client_reference_id: Some(reference.into()),
        metadata: Default::default(),
    };
    let now = doorstep_store::now().unix_timestamp();
    let body = TestProcessor::new().completion_event(&session, CardOutcome::Pays, event, now);
    let secret = online::test_webhook_secret(&w.app, w.acme.id);
    let header = sign(&body, &secret, now);
    (body, header)
}

async fn deliver(
    app: &App,
    w: &World,
    body: &[u8],
    header: &str,
) -> Result<WebhookOutcome, AppError> {
    online_webhook::handle_webhook(app, &w.acme, body, Some(header), IP).await
}

both_backends! {
    /// Dana pays one invoice with the test card: the test processor's event goes through
    /// the webhook path; the invoice is paid, one online payment with its allocation,
    /// audited, a receipt queued; the same event delivered five times more changes
    /// nothing, and the return page (a verified read) changes nothing either.
    async fn a_good_webhook_pays_once_however_often_it_comes(backend: Backend) {
        let w = World::demo(backend).await;
        let (dana, open) = dana(&w).await;
        let inv = &open[0];
        let started = online::start_checkout(&w.app, &dana, pay(&[&inv.number], "")).await.unwrap();
        assert!(started.url.starts_with("/pay/test/cs_test_"), "{}", started.url);
        let payments = w.rows("payments").await;
        let emails = w.emails(&w.acme).await.len();
        let (body, header) = completed(&w, &started.reference, inv.balance_minor(), "evt_once");
        let mut outcomes = Vec::new();
        for _ in 0..5 {
            outcomes.push(deliver(&w.app, &w, &body, &header).await.unwrap());
        }
        assert_eq!(outcomes[0], WebhookOutcome::Settled);
        assert!(outcomes[1..].iter().all(|o| *o == WebhookOutcome::Duplicate), "{outcomes:?}");
        let (status, paid, total) = invoice(&w, &inv.number).await;
        assert_eq!((status.as_str(), paid), ("paid", total));
        assert_eq!(w.rows("payments").await, payments + 1);
        assert_eq!(w.last_audit(&w.acme).await, ("payment.online".to_owned(), "Test processor".to_owned()));
        let mail = w.emails(&w.acme).await;
        assert_eq!(mail.len(), emails + 1);
        assert_eq!(mail.last().unwrap().0, "payment_receipt");
        // A second event for the same checkout (another id) and the return page: nothing more.
        let (again, h2) = completed(&w, &started.reference, inv.balance_minor(), "evt_other");
        assert_eq!(deliver(&w.app, &w, &again, &h2).await.unwrap(), WebhookOutcome::Settled);
        let state = online::confirm_return(&w.app, &dana, &started.reference).await.unwrap();
        assert_eq!(state.checkout.status, "paid");
        assert!(state.checkout.payment_number.is_some());
        assert_eq!(w.rows("payments").await, payments + 1);
        assert_eq!(w.emails(&w.acme).await.len(), emails + 1);
    }

    /// The same event delivered twenty times at once pays once.
    async fn twenty_concurrent_deliveries_pay_once(backend: Backend) {
        let w = World::demo(backend).await;
        let (dana, open) = dana(&w).await;
        let inv = &open[0];
        let started = online::start_checkout(&w.app, &dana, pay(&[&inv.number], "")).await.unwrap();
        let payments = w.rows("payments").await;
        let (body, header) = completed(&w, &started.reference, inv.balance_minor(), "evt_many");
        let acme = w.acme.clone();
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (app, acme, body, header) = (w.app.clone(), acme.clone(), body.clone(), header.clone());
            tasks.push(tokio::spawn(async move {
                online_webhook::handle_webhook(&app, &acme, &body, Some(&header), IP).await
            }));
        }
        let mut settled = 0;
        for t in tasks {
            match t.await.unwrap().unwrap() {
                WebhookOutcome::Settled => settled += 1,
                WebhookOutcome::Duplicate => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(settled, 1);
        assert_eq!(w.rows("payments").await, payments + 1);
        assert_eq!(count(&w, "SELECT COUNT(*) FROM processor_events WHERE company_id = $1").await, 1);
        let (status, paid, total) = invoice(&w, &inv.number).await;
        assert_eq!((status.as_str(), paid), ("paid", total));
    }

    /// A tampered body, another secret, an old timestamp, no header: refused, nothing written.
    async fn a_bad_signature_or_an_old_timestamp_changes_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let (dana, open) = dana(&w).await;
        let inv = &open[0];
        let started = online::start_checkout(&w.app, &dana, pay(&[&inv.number], "")).await.unwrap();
        let (body, header) = completed(&w, &started.reference, inv.balance_minor(), "evt_bad");
        let before = w.snapshot(TABLES).await;
        let mut tampered = body.clone();
        let at = tampered.len() / 2;
        tampered[at] ^= 1;
        let old = doorstep_store::now().unix_timestamp() - 301;
        let secret = online::test_webhook_secret(&w.app, w.acme.id);
        let cases: Vec<(Vec<u8>, Option<String>)> = vec![
            (tampered, Some(header.clone())),
            (body.clone(), Some(sign(&body, "whsec_someone_else", doorstep_store::now().unix_timestamp()))),
            (body.clone(), Some(sign(&body, &secret, old))),
            (body.clone(), None),
        ];
        for (b, h) in cases {
            let e = online_webhook::handle_webhook(&w.app, &w.acme, &b, h.as_deref(), IP).await.unwrap_err();
            assert_eq!(e.invalid().map(|i| i.field), Some("signature"), "{e:?}");
        }
        assert_eq!(w.snapshot(TABLES).await, before);
        assert_eq!(invoice(&w, &inv.number).await.0, "unpaid");
    }

    /// Two tabs: the second checkout for the same invoice is refused (nothing written);
    /// once the first is declined, a new one may be opened.
    async fn a_second_tab_is_refused_and_a_declined_card_leaves_the_invoice_unpaid(backend: Backend) {
        let w = World::demo(backend).await;
        let (dana, open) = dana(&w).await;
        let (a, b) = (&open[0], &open[1]);
        let first = online::start_checkout(&w.app, &dana, pay(&[&a.number], "")).await.unwrap();
        let before = w.snapshot(TABLES).await;
        let e = online::start_checkout(&w.app, &dana, pay(&[&b.number, &a.number], "")).await.unwrap_err();
        assert_eq!(e.conflict_reason(), Some("open_checkout"), "{e:?}");
        assert!(e.to_string().contains(&a.number), "{e}");
        assert_eq!(w.snapshot(TABLES).await, before);
        // Declined: the checkout fails with the processor's reason; the invoice stays unpaid.
        let session = first.url.trim_start_matches("/pay/test/");
        let bad = online_webhook::pay_test_checkout(&w.app, &dana, session, "1234").await.unwrap_err();
        assert_eq!(bad.invalid().map(|i| i.field), Some("card"));
        let reference = online_webhook::pay_test_checkout(&w.app, &dana, session, DECLINED).await.unwrap();
        let state = online::confirm_return(&w.app, &dana, &reference).await.unwrap();
        assert_eq!(state.checkout.status, "failed");
        assert_eq!(state.checkout.failure, "Your card was declined.");
        assert_eq!(invoice(&w, &a.number).await.0, "unpaid");
        assert_eq!(w.last_audit(&w.acme).await.0, "payment.declined");
        // Now both invoices at once, paid with the good card.
        let both = online::start_checkout(&w.app, &dana, pay(&[&a.number, &b.number], "")).await.unwrap();
        let session = both.url.trim_start_matches("/pay/test/");
        online_webhook::pay_test_checkout(&w.app, &dana, session, PAYS).await.unwrap();
        assert_eq!(invoice(&w, &a.number).await.0, "paid");
        assert_eq!(invoice(&w, &b.number).await.0, "paid");
    }

    /// Void and paid invoices, above the balance, part of it (not allowed), a site
    /// contact, another account's invoice, nothing chosen: each refused, nothing written.
    async fn refusals_say_why_and_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let (dana, open) = dana(&w).await;
        let inv = &open[0];
        let before = w.snapshot(TABLES).await;
        let above = format!("{}.00", inv.balance_minor() / 100 + 1);
        let e = online::start_checkout(&w.app, &dana, pay(&[&inv.number], &above)).await.unwrap_err();
        assert_eq!(e.invalid().map(|i| i.field), Some("amount"));
        assert!(e.invalid().unwrap().message.contains("more than the balance"), "{e:?}");
        let e = online::start_checkout(&w.app, &dana, pay(&[&inv.number], "1.00")).await.unwrap_err();
        assert!(e.invalid().unwrap().message.contains("whole balance"), "{e:?}");
        // A paid invoice and a void one of the same account.
        let paid: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT number FROM invoices WHERE company_id = $1 AND customer_id = $2 AND status = 'paid' ORDER BY id LIMIT 1")
            .bind(w.acme.id.0).bind(dana.customer().0).fetch_one(p).await).unwrap();
        let e = online::start_checkout(&w.app, &dana, pay(&[&paid], "")).await.unwrap_err();
        assert_eq!(e.conflict_reason(), Some("paid"), "{e:?}");
        let void = &open[1].number;
        doorstep_store::on_pool!(w.store, p => sqlx::query("UPDATE invoices SET status = 'void' WHERE company_id = $1 AND number = $2")
            .bind(w.acme.id.0).bind(void).execute(p).await.map(|_| ())).unwrap();
        let e = online::start_checkout(&w.app, &dana, pay(&[void], "")).await.unwrap_err();
        assert_eq!(e.conflict_reason(), Some("void"), "{e:?}");
        assert!(e.to_string().contains("Nothing was charged"), "{e}");
        // Another account's invoice is not found; so is anything for a site contact.
        let other: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT number FROM invoices WHERE company_id = $1 AND customer_id <> $2 AND status = 'unpaid' ORDER BY id LIMIT 1")
            .bind(w.acme.id.0).bind(dana.customer().0).fetch_one(p).await).unwrap();
        let e = online::start_checkout(&w.app, &dana, pay(&[&other], "")).await.unwrap_err();
        assert!(matches!(e, AppError::NotFound), "{e:?}");
        let sam = w.sam().await;
        let e = online::start_checkout(&w.app, &sam, pay(&[&inv.number], "")).await.unwrap_err();
        assert!(matches!(e, AppError::NotFound), "{e:?}");
        assert!(PayInvoices::parse(&[], "", Currency::USD).is_err());
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// A refund webhook (`charge.refunded`, the running total) takes the money back off
    /// the invoice, which owes it again; the same event again changes nothing.
    async fn a_refund_webhook_puts_the_balance_back(backend: Backend) {
        let w = World::demo(backend).await;
        let (dana, open) = dana(&w).await;
        let inv = &open[0];
        let started = online::start_checkout(&w.app, &dana, pay(&[&inv.number], "")).await.unwrap();
        let session = started.url.trim_start_matches("/pay/test/");
        online_webhook::pay_test_checkout(&w.app, &dana, session, PAYS).await.unwrap();
        let (_, paid, total) = invoice(&w, &inv.number).await;
        assert_eq!(paid, total);
        let now = doorstep_store::now().unix_timestamp();
        let body = format!(
            r#"{{"id":"evt_refund_1","type":"charge.refunded","created":{now},"data":{{"object":
            {{"id":"ch_1","object":"charge","payment_intent":"pi_test_{}","amount":{},"amount_refunded":500}}}}}}"#,
            started.reference, inv.balance_minor()
        )
        .into_bytes();
        let header = sign(&body, &online::test_webhook_secret(&w.app, w.acme.id), now);
        assert_eq!(deliver(&w.app, &w, &body, &header).await.unwrap(), WebhookOutcome::Refunded);
        assert_eq!(deliver(&w.app, &w, &body, &header).await.unwrap(), WebhookOutcome::Duplicate);
        let (status, paid_after, _) = invoice(&w, &inv.number).await;
        assert_eq!((status.as_str(), paid_after), ("unpaid", total - 500));
        assert_eq!(w.last_audit(&w.acme).await.0, "payment.refunded");
    }

    /// Stripe: the checkout is created over its API with the invoice's balance and the
    /// checkout's idempotency key; a second tab is refused without a second request; the
    /// return page reads the session back and settles it; Stripe's own webhook for it
    /// then changes nothing.
    async fn stripe_checkout_has_the_right_amounts_and_idempotency_key(backend: Backend) {
        let w = World::demo(backend).await;
        let (dana, open) = dana(&w).await;
        let inv = &open[0];
        let (seen, base) = fake_stripe::start().await;
        let app = w.app.clone().with_stripe_api_base(&base);
        let olivia = w.olivia().await;
        online::configure(&app, olivia.admin().unwrap(), &PaymentSettingsForm {
            processor: "stripe".into(),
            stripe_secret_key: "sk_test_123".into(),
            webhook_secret: "whsec_stripe".into(),
            allow_partial: false,
            ach_enabled: true,
        }).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "payments.configured");
        let started = online::start_checkout(&app, &dana, pay(&[&inv.number], "")).await.unwrap();
        assert_eq!(started.url, "https://checkout.stripe.test/c/cs_fake_1");
        {
            let seen = seen.lock().unwrap();
            assert_eq!(seen.len(), 1);
            let (key, form) = &seen[0];
            assert_eq!(key, &format!("checkout-{}", started.reference));
            let field = |n: &str| form.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
            assert_eq!(field("line_items[0][price_data][unit_amount]"), Some(inv.balance_minor().to_string()));
            assert_eq!(field("line_items[0][price_data][currency]").as_deref(), Some("usd"));
            assert_eq!(field("client_reference_id"), Some(started.reference.clone()));
            assert_eq!(field("payment_method_types[1]").as_deref(), Some("us_bank_account"));
        }
        let e = online::start_checkout(&app, &dana, pay(&[&inv.number], "")).await.unwrap_err();
        assert_eq!(e.conflict_reason(), Some("open_checkout"));
        assert_eq!(seen.lock().unwrap().len(), 1, "the second tab never reached Stripe");
        let payments = w.rows("payments").await;
        let state = online::confirm_return(&app, &dana, &started.reference).await.unwrap();
        assert_eq!(state.checkout.status, "paid");
        assert_eq!(invoice(&w, &inv.number).await.0, "paid");
        assert_eq!(w.rows("payments").await, payments + 1);
        let now = doorstep_store::now().unix_timestamp();
        let body = format!(
            r#"{{"id":"evt_s1","type":"checkout.session.completed","created":{now},"data":{{"object":
            {{"id":"cs_fake_1","object":"checkout.session","status":"complete","payment_status":"paid","amount_total":{},"currency":"usd","payment_intent":"pi_fake_1"}}}}}}"#,
            inv.balance_minor()
        ).into_bytes();
        let test_secret_header = sign(&body, &online::test_webhook_secret(&w.app, w.acme.id), now);
        assert!(deliver(&app, &w, &body, &test_secret_header).await.is_err(), "Stripe's secret now");
        let header = sign(&body, "whsec_stripe", now);
        assert_eq!(deliver(&app, &w, &body, &header).await.unwrap(), WebhookOutcome::Settled);
        assert_eq!(w.rows("payments").await, payments + 1);
    }
}

/// A local server answering the two Checkout Session calls as Stripe's API documents
/// them: it records each POST's `Idempotency-Key` and form, and reads a session back paid.
mod fake_stripe {
    use super::*;
    use axum::Router;
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::HeaderMap;
    use axum::routing::{get, post};

    fn json(v: serde_json::Value) -> axum::response::Response {
        use axum::response::IntoResponse;
        (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            v.to_string(),
        )
            .into_response()
    }

    pub type Seen = Arc<Mutex<Vec<(String, Vec<(String, String)>)>>>;

    async fn create(
        State(seen): State<Seen>,
        headers: HeaderMap,
        body: Bytes,
    ) -> axum::response::Response {
        let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
        let key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let total: i64 = form
            .iter()
            .filter(|(k, _)| k.ends_with("[price_data][unit_amount]"))
            .map(|(_, v)| v.parse::<i64>().unwrap())
            .sum();
        let reference = form
            .iter()
            .find(|(k, _)| k == "client_reference_id")
            .map(|(_, v)| v.clone());
        seen.lock().unwrap().push((key, form));
        json(serde_json::json!({
            "id": "cs_fake_1", "object": "checkout.session", "url": "https://checkout.stripe.test/c/cs_fake_1",
            "status": "open", "payment_status": "unpaid", "amount_total": total, "currency": "usd",
            "client_reference_id": reference, "metadata": {},
        }))
    }

    async fn read(State(seen): State<Seen>) -> axum::response::Response {
        let total: i64 = seen.lock().unwrap().first().map_or(0, |(_, form)| {
            form.iter()
                .filter(|(k, _)| k.ends_with("[price_data][unit_amount]"))
                .map(|(_, v)| v.parse::<i64>().unwrap())
                .sum()
        });
        json(serde_json::json!({
            "id": "cs_fake_1", "object": "checkout.session", "url": null,
            "status": "complete", "payment_status": "paid", "amount_total": total, "currency": "usd",
            "payment_intent": "pi_fake_1", "metadata": {},
        }))
    }

    pub async fn start() -> (Seen, String) {
        let seen: Seen = Arc::default();
        let app = Router::new()
            .route("/v1/checkout/sessions", post(create))
            .route("/v1/checkout/sessions/{id}", get(read))
            .with_state(seen.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (seen, format!("http://{addr}"))
    }
}
