//! Autopay over the real server (issue 19): two `doorstep serve` processes on one
//! database, both sweeping every 20 ms on a test clock, charge an invoice due today
//! exactly once (payment, receipt), and a card whose charges are declined leaves its
//! invoice unpaid, emails the account once and lists the invoice on the office's
//! follow-up page, linked.

use std::process::Stdio;
use std::time::Duration;

use doorstep_store::Store;
use doorstep_testkit::{Backend, both_backends, fresh_database};
use tokio::io::{AsyncBufReadExt, BufReader};

/// `doorstep serve` on `db_url` with the test clock; its port.
async fn serve(db_url: &str, dir: &std::path::Path) -> (tokio::process::Child, u16) {
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
        .env("DOORSTEP_TEST_FAKE_NOW", "2031-01-14T18:00:00Z")
        .env("DOORSTEP_TEST_REMINDER_SWEEP_MS", "20")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().expect("a line");
    let addr = line
        .trim_start_matches("Listening on http://")
        .split_whitespace()
        .next()
        .unwrap();
    let port = addr
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (child, port)
}

async fn scalar(store: &Store, sql: &str, company: i64) -> i64 {
    doorstep_store::on_pool!(store, p => sqlx::query_scalar(sql).bind(company).fetch_one(p).await)
        .unwrap()
}

async fn exec(store: &Store, sql: &str, a: i64, b: &str) {
    doorstep_store::on_pool!(store, p => sqlx::query(sql).bind(a).bind(b).execute(p).await.map(|_| ()))
        .unwrap();
}

both_backends! {
    async fn two_servers_charge_autopay_once_and_list_the_decline(backend: Backend) {
        let db = fresh_database(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        doorstep::demo::seed(&store, &doorstep_web::FileStore::new(dir.path().to_path_buf()), doorstep_web::PasswordCost::TestOnly)
            .await
            .unwrap();
        let acme = store.company_by_slug("acme").await.unwrap().unwrap().id.0;
        let dana = scalar(&store, "SELECT MIN(customer_id) FROM contacts WHERE company_id = $1 AND email = 'dana@example.test'", acme).await;
        // Another account with an unpaid invoice and a company contact with an email.
        let other = scalar(&store, "SELECT MIN(i.customer_id) FROM invoices i WHERE i.company_id = $1 AND i.status = 'unpaid' \
            AND i.total_minor > i.paid_minor AND i.customer_id NOT IN (SELECT customer_id FROM contacts WHERE company_id = $1 AND email = 'dana@example.test') \
            AND EXISTS (SELECT 1 FROM contacts c WHERE c.customer_id = i.customer_id AND c.role = 'company' AND c.email IS NOT NULL AND c.deactivated_at IS NULL)", acme).await;
        let invoice_of = |customer: i64| {
            let store = store.clone();
            async move {
                doorstep_store::on_pool!(store, p => sqlx::query_scalar::<_, String>(
                    "SELECT number FROM invoices WHERE company_id = $1 AND customer_id = $2 AND status = 'unpaid' \
                     AND total_minor > paid_minor ORDER BY id LIMIT 1")
                    .bind(acme).bind(customer).fetch_one(p).await).unwrap()
            }
        };
        let (paying, declined) = (invoice_of(dana).await, invoice_of(other).await);
        // Both accounts: a test card, the default, autopay on; their invoice due on the
        // test clock's day in Chicago (Jan 14 2031).
        for (customer, method) in [(dana, "pm_test_4242_it"), (other, "pm_test_0341_it")] {
            exec(&store, "UPDATE payment_methods SET is_default = FALSE, autopay = FALSE WHERE customer_id = $1 AND processor <> $2", customer, "test").await;
            doorstep_store::on_pool!(store, p => sqlx::query(
                "INSERT INTO payment_methods (company_id, customer_id, processor, processor_ref, kind, brand, last4, exp_month, exp_year, is_default, autopay, created_at) \
                 VALUES ($1, $2, 'test', $3, 'card', 'Visa', $4, 12, 2034, TRUE, TRUE, $5)")
                .bind(acme).bind(customer).bind(method).bind(&method[8..12]).bind(doorstep_store::db_time(doorstep_store::now()))
                .execute(p).await.map(|_| ())).unwrap();
        }
        for number in [&paying, &declined] {
            doorstep_store::on_pool!(store, p => sqlx::query("UPDATE invoices SET due_on = $1 WHERE company_id = $2 AND number = $3")
                .bind(time::macros::date!(2031 - 01 - 14)).bind(acme).bind(number).execute(p).await.map(|_| ())).unwrap();
        }
        let receipts = scalar(&store, "SELECT COUNT(*) FROM email_outbox WHERE company_id = $1 AND kind = 'payment_receipt'", acme).await;

        let (mut a, port) = serve(&db.url, dir.path()).await;
        let (mut b, _) = serve(&db.url, dir.path()).await;
        let mut waited = 0;
        while scalar(&store, "SELECT COUNT(*) FROM autopay_charges WHERE company_id = $1 AND status <> 'charging'", acme).await < 2 {
            assert!(waited < 600, "the autopay charges were not made in 30 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
            waited += 1;
        }
        // Let both sweep many more times.
        tokio::time::sleep(Duration::from_millis(500)).await;
        b.kill().await.unwrap();

        assert_eq!(scalar(&store, "SELECT COUNT(*) FROM autopay_charges WHERE company_id = $1", acme).await, 2);
        assert_eq!(scalar(&store, "SELECT COUNT(*) FROM payments WHERE company_id = $1 AND reference = 'Autopay'", acme).await, 1);
        let paid: String = doorstep_store::on_pool!(store, p => sqlx::query_scalar(
            "SELECT status FROM invoices WHERE company_id = $1 AND number = $2").bind(acme).bind(&paying).fetch_one(p).await).unwrap();
        assert_eq!(paid, "paid");
        let unpaid: String = doorstep_store::on_pool!(store, p => sqlx::query_scalar(
            "SELECT status FROM invoices WHERE company_id = $1 AND number = $2").bind(acme).bind(&declined).fetch_one(p).await).unwrap();
        assert_eq!(unpaid, "unpaid");
        assert!(scalar(&store, "SELECT COUNT(*) FROM email_outbox WHERE company_id = $1 AND kind = 'payment_receipt'", acme).await > receipts);
        let failed_emails = scalar(&store, "SELECT COUNT(*) FROM email_outbox WHERE company_id = $1 AND kind = 'autopay_failed'", acme).await;
        let recipients = scalar(&store, "SELECT COUNT(DISTINCT to_address) FROM email_outbox WHERE company_id = $1 AND kind = 'autopay_failed'", acme).await;
        assert!(failed_emails >= 1 && failed_emails == recipients, "one failure email per recipient: {failed_emails} / {recipients}");

        // The office's follow-up list shows the declined invoice, linked.
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .resolve("acme.localhost", std::net::SocketAddr::from(([127, 0, 0, 1], port)))
            .build()
            .unwrap();
        let base = format!("http://acme.localhost:{port}");
        let token = crate::helpers::csrf_of(&client, &format!("{base}/office")).await;
        let res = client.post(format!("{base}/office/sign-in")).header("origin", &base)
            .form(&[("email", "office@acme.test"), ("password", doorstep::demo::DEMO_PASSWORD), ("csrf_token", &token)])
            .send().await.unwrap();
        assert_eq!(res.status(), 303);
        let page = client.get(format!("{base}/office/payments/autopay-failures")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let doc = crate::helpers::html(&page.text().await.unwrap());
        let rows = crate::helpers::text_of(&doc, "[data-testid=autopay-failures]").unwrap();
        assert!(rows.contains(&declined), "{rows}");
        assert!(rows.contains("Your card was declined."), "{rows}");
        assert!(!rows.contains(&paying), "{rows}");
        let link = scraper::Selector::parse(&format!("a[href='/office/invoices/{declined}']")).unwrap();
        assert!(doc.select(&link).next().is_some());
        a.kill().await.unwrap();
    }
}
