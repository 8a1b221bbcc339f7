//! Issue 19's office processor pages over HTTP, and Stripe's webhook delivered to two
//! server processes sharing one PostgreSQL database.
//! - `/office/settings/payments`: the secrets are write-only (never echoed, "ends in …"),
//!   a bad key is refused next to its field, "test connection" shows Stripe's answer (a
//!   local server answering as Stripe does, reached through `DOORSTEP_STRIPE_API_BASE`).
//! - `/office/payments/{number}/refund`: asked first, more than is left refused with the
//!   typed amount kept, a part refund recorded and shown on the payment.
//! - The same signed `checkout.session.completed` event, delivered at once and again and
//!   again to two `doorstep serve` processes, pays once.

use std::net::SocketAddr;
use std::process::Stdio;

use doorstep_core::ids::{CustomerId, InvoiceId};
use doorstep_store::Store;
use doorstep_store::online_payments::{NewCheckout, PaymentSettingsRow};
use doorstep_testkit::{Backend, both_backends, fresh_database};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::billing_data::seed_billing;
use crate::estimates::dana_on;
use crate::helpers::{TestApp, html, office, seed_people, text_of};

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A local server answering `GET /v1/balance` as Stripe does: the balance for the
/// right Bearer key, Stripe's 401 error object for any other.
async fn fake_stripe_balance(key: &'static str) -> String {
    use axum::http::HeaderMap;
    use axum::response::IntoResponse;
    let app = axum::Router::new().route(
        "/v1/balance",
        axum::routing::get(move |headers: HeaderMap| async move {
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            if auth == format!("Bearer {key}") {
                (axum::http::StatusCode::OK, [("content-type", "application/json")],
                 r#"{"object":"balance","livemode":false,"available":[{"amount":0,"currency":"usd"}],"pending":[]}"#).into_response()
            } else {
                (axum::http::StatusCode::UNAUTHORIZED, [("content-type", "application/json")],
                 r#"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****"}}"#).into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

both_backends! {
    async fn the_settings_page_keeps_secrets_write_only_and_tests_the_connection(backend: Backend) {
        let base = fake_stripe_balance("sk_test_good1234").await;
        let app = TestApp::spawn_with(backend, |s| s.stripe.api_base = Some(base.clone())).await;
        seed_people(&app).await;
        let admin = office(&app).await;
        let page = admin.get(app.url("acme", "/office/settings/payments")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let body = page.text().await.unwrap();
        assert!(body.contains("href=\"/office/settings/payments\""), "the Settings menu links it");
        assert!(body.contains("/webhooks/stripe</code>"), "the webhook address to give Stripe");
        assert_eq!(text_of(&html(&body), "[data-testid=key-state]").as_deref(), Some("Not set."));

        // A publishable key is refused next to its field and not echoed back.
        let res = app.submit(&admin, "acme", "/office/settings/payments", "/office/settings/payments",
            &[("processor", "stripe"), ("stripe_secret_key", "pk_test_publishable"), ("webhook_secret", "whsec_abc")]).await;
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("starts with sk_"), "{body}");
        assert!(!body.contains("pk_test_publishable") && !body.contains("whsec_abc"), "typed secrets are never sent back");

        // Saved: shown only by the end; never in the page.
        let res = app.submit(&admin, "acme", "/office/settings/payments", "/office/settings/payments",
            &[("processor", "stripe"), ("stripe_secret_key", "sk_test_good1234"), ("webhook_secret", "whsec_signing5678"), ("ach_enabled", "on")]).await;
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/office/settings/payments?saved=1"));
        let body = admin.get(app.url("acme", "/office/settings/payments?saved=1")).send().await.unwrap().text().await.unwrap();
        assert!(body.contains("Set, ends in 1234") && body.contains("Set, ends in 5678"), "{body}");
        assert!(!body.contains("sk_test_good1234") && !body.contains("whsec_signing5678"));

        // Test connection: Stripe answers to the saved key.
        let res = app.submit(&admin, "acme", "/office/settings/payments", "/office/settings/payments/test", &[]).await;
        assert_eq!(res.status(), 200);
        let body = res.text().await.unwrap();
        let said = text_of(&html(&body), "[data-testid=connection]").unwrap();
        assert!(said.contains("Connected to Stripe (test mode"), "{said}");
        // A wrong key: Stripe's own words.
        app.submit(&admin, "acme", "/office/settings/payments", "/office/settings/payments",
            &[("processor", "stripe"), ("stripe_secret_key", "sk_test_wrong")]).await;
        let res = app.submit(&admin, "acme", "/office/settings/payments", "/office/settings/payments/test", &[]).await;
        let said = text_of(&html(&res.text().await.unwrap()), "[data-testid=connection]").unwrap();
        assert!(said.contains("Stripe refused (401): Invalid API Key provided"), "{said}");
    }

    async fn the_office_refunds_part_of_an_online_payment(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        let mut tx = app.store.begin().await.unwrap();
        tx.set_payment_settings(people.acme, &PaymentSettingsRow { processor: "test".into(), ..Default::default() }).await.unwrap();
        tx.commit().await.unwrap();
        let dana = dana_on(&app, people.household).await;
        let res = app.submit(&dana, "acme", "/invoices/I-1", "/invoices/I-1/pay", &[]).await;
        let hosted = location(&res);
        app.submit(&dana, "acme", &hosted, &hosted, &[("card", "4242 4242 4242 4242")]).await;
        let (number, amount): (String, i64) = doorstep_store::on_pool!(app.store, p => sqlx::query_as(
            "SELECT number, amount_minor FROM payments WHERE company_id = $1 AND processor = 'test'")
            .bind(people.acme.0).fetch_one(p).await).unwrap();

        let admin = office(&app).await;
        let payment = format!("/office/payments/{number}");
        let body = admin.get(app.url("acme", &payment)).send().await.unwrap().text().await.unwrap();
        assert!(body.contains(&format!("href=\"{payment}/refund\"")), "the payment offers a refund");
        let ask = admin.get(app.url("acme", &format!("{payment}/refund"))).send().await.unwrap();
        assert_eq!(ask.status(), 200);
        let ask = ask.text().await.unwrap();
        assert!(ask.contains("cannot be undone") && ask.contains("the card it was paid with"));

        // More than was paid: refused, the typed amount kept, nothing refunded.
        let too_much = format!("{}.01", amount / 100);
        let res = app.submit(&admin, "acme", &format!("{payment}/refund"), &format!("{payment}/refund"), &[("amount", &too_much)]).await;
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("left to refund of this payment") && body.contains(&format!("value=\"{too_much}\"")), "{body}");

        let res = app.submit(&admin, "acme", &format!("{payment}/refund"), &format!("{payment}/refund"), &[("amount", "10.00")]).await;
        assert_eq!((res.status().as_u16(), location(&res)), (303, format!("{payment}?done=refunded")));
        let body = admin.get(app.url("acme", &location(&res))).send().await.unwrap().text().await.unwrap();
        assert!(body.contains("Refunded through the processor"));
        assert_eq!(text_of(&html(&body), "[data-testid=payment-refunded]").as_deref(), Some("$10.00"));
        let status: String = doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(
            "SELECT status FROM invoices WHERE company_id = $1 AND number = 'I-1'")
            .bind(people.acme.0).fetch_one(p).await).unwrap();
        assert_eq!(status, "unpaid", "I-1 owes the refunded $10 again");
    }
}

/// `doorstep serve` on `db_url` taking Stripe's key and webhook secret from the
/// environment; its address.
async fn serve(db_url: &str, dir: &std::path::Path) -> (tokio::process::Child, SocketAddr) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_doorstep"))
        .args([
            "serve",
            "--database-url",
            db_url,
            "--bind",
            "127.0.0.1:0",
            "--metrics-bind",
            "off",
        ])
        .env("DOORSTEP_DATA_DIR", dir)
        .env("DOORSTEP_LOG", "warn")
        .env("DOORSTEP_STRIPE_SECRET_KEY", "sk_test_instance")
        .env("DOORSTEP_STRIPE_WEBHOOK_SECRET", "whsec_two_processes")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().expect("a line");
    let addr = line
        .strip_prefix("Listening on http://")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|a| a.trim_end_matches('/').parse::<SocketAddr>().ok())
        .unwrap_or_else(|| panic!("{line}"));
    (child, addr)
}

async fn count(store: &Store, sql: &str, company: i64) -> i64 {
    doorstep_store::on_pool!(store, p => sqlx::query_scalar(sql).bind(company).fetch_one(p).await)
        .unwrap()
}

/// Two server processes on one PostgreSQL database, Stripe configured from the
/// environment: the same signed `checkout.session.completed`, 10 times at once to each
/// and then 5 more times in turn, pays the invoice once: one payment, one receipt, one
/// event recorded, every delivery answered 200.
#[tokio::test]
async fn two_server_processes_pay_a_webhook_once() {
    let db = fresh_database(Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    doorstep::demo::seed(
        &store,
        &doorstep_web::FileStore::new(dir.path().to_path_buf()),
        doorstep_web::PasswordCost::TestOnly,
    )
    .await
    .unwrap();
    let acme = store.company_by_slug("acme").await.unwrap().unwrap().id;
    let (customer, contact): (i64, i64) = doorstep_store::on_pool!(store, p => sqlx::query_as(
        "SELECT customer_id, id FROM contacts WHERE company_id = $1 AND email = 'dana@example.test'")
        .bind(acme.0).fetch_one(p).await).unwrap();
    let open = store
        .open_invoices_of_payer(acme, CustomerId(customer))
        .await
        .unwrap();
    let inv = open[0].clone();
    let amount = inv.balance_minor();
    // Stripe with no key of Acme's own (the instance's), and an open checkout as the
    // portal leaves it once Stripe answered.
    let mut tx = store.begin().await.unwrap();
    tx.set_payment_settings(
        acme,
        &PaymentSettingsRow {
            processor: "stripe".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    doorstep_store::on_tx!(tx, c => sqlx::query("UPDATE customers SET credit_minor = 0 WHERE id = $1")
        .bind(customer).execute(&mut *c).await.map(|_| ())).unwrap();
    let checkout = tx
        .insert_checkout(
            acme,
            &NewCheckout {
                customer: CustomerId(customer),
                contact,
                processor: "stripe",
                reference: "two-processes-1".into(),
                amount_minor: amount,
                credit_minor: 0,
                currency: "usd".into(),
                invoices: vec![(InvoiceId(inv.id), amount)],
                kind: "invoices",
                estimate: None,
                tip_minor: 0,
            },
        )
        .await
        .unwrap();
    tx.set_checkout_session(
        acme,
        checkout,
        "cs_two_1",
        Some("https://checkout.stripe.test/c/cs_two_1"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let payments_before = count(
        &store,
        "SELECT COUNT(*) FROM payments WHERE company_id = $1",
        acme.0,
    )
    .await;
    let receipts_before = count(
        &store,
        "SELECT COUNT(*) FROM email_outbox WHERE company_id = $1 AND kind = 'payment_receipt'",
        acme.0,
    )
    .await;

    let (mut a, addr_a) = serve(&db.url, dir.path()).await;
    let (mut b, addr_b) = serve(&db.url, dir.path()).await;
    let now = doorstep_store::now().unix_timestamp();
    let body = format!(
        r#"{{"id":"evt_two_1","object":"event","type":"checkout.session.completed","created":{now},"data":{{"object":
        {{"id":"cs_two_1","object":"checkout.session","status":"complete","payment_status":"paid","amount_total":{amount},"currency":"usd","payment_intent":"pi_two_1","client_reference_id":"two-processes-1"}}}}}}"#
    );
    let signature = doorstep_payments::webhook::sign(body.as_bytes(), "whsec_two_processes", now);
    let client_for = |addr: SocketAddr| {
        reqwest::Client::builder()
            .resolve("acme.localhost", addr)
            .build()
            .unwrap()
    };
    let (ca, cb) = (client_for(addr_a), client_for(addr_b));
    let deliver = |client: reqwest::Client, port: u16| {
        let body = body.clone();
        let signature = signature.clone();
        async move {
            client
                .post(format!("http://acme.localhost:{port}/webhooks/stripe"))
                .header("stripe-signature", signature)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let mut at_once = Vec::new();
    for _ in 0..10 {
        at_once.push(tokio::spawn(deliver(ca.clone(), addr_a.port())));
        at_once.push(tokio::spawn(deliver(cb.clone(), addr_b.port())));
    }
    for t in at_once {
        assert_eq!(t.await.unwrap(), 200);
    }
    for i in 0..5 {
        let (c, port) = if i % 2 == 0 {
            (ca.clone(), addr_a.port())
        } else {
            (cb.clone(), addr_b.port())
        };
        assert_eq!(deliver(c, port).await, 200);
    }
    // A forged copy (another secret) is refused by either process.
    let forged = doorstep_payments::webhook::sign(body.as_bytes(), "whsec_someone_else", now);
    let res = ca
        .post(format!(
            "http://acme.localhost:{}/webhooks/stripe",
            addr_a.port()
        ))
        .header("stripe-signature", forged)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    a.kill().await.unwrap();
    b.kill().await.unwrap();

    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM payments WHERE company_id = $1",
            acme.0
        )
        .await,
        payments_before + 1,
        "one payment"
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM payments WHERE company_id = $1 AND processor_ref = 'pi_two_1'",
            acme.0
        )
        .await,
        1
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM processor_events WHERE company_id = $1 AND event_id = 'evt_two_1'", acme.0).await, 1, "the event recorded once");
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM email_outbox WHERE company_id = $1 AND kind = 'payment_receipt'",
            acme.0
        )
        .await,
        receipts_before + 1,
        "one receipt"
    );
    let (status, paid): (String, i64) = doorstep_store::on_pool!(store, p => sqlx::query_as(
        "SELECT status, paid_minor FROM invoices WHERE company_id = $1 AND id = $2")
        .bind(acme.0).bind(inv.id).fetch_one(p).await)
    .unwrap();
    assert_eq!((status.as_str(), paid), ("paid", inv.paid_minor + amount));
}
