//! Rules of issue 17 over the real server. The invoice form's due date defaults to the
//! customer's payment terms, else the company's. Visit reminders with two server processes on one database: the real binary twice,
//! both sweeping often on a test clock (`DOORSTEP_TEST_FAKE_NOW`,
//! `DOORSTEP_TEST_REMINDER_SWEEP_MS`, honoured by debug builds only), and each reminder
//! queued in the outbox exactly once.

use std::process::Stdio;
use std::time::Duration;

use doorstep_store::{Store, db_time};
use doorstep_testkit::{Backend, both_backends, fresh_database};
use time::macros::datetime;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Visits made for the test: three batches of the sweep's claim and a bit.
const VISITS: i64 = 330;

/// `doorstep serve` on `db_url` with the test clock; its stderr (the logs) goes to `log`.
async fn serve(
    db_url: &str,
    dir: &std::path::Path,
    log: &std::path::Path,
) -> tokio::process::Child {
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
        .env("DOORSTEP_LOG", "info")
        .env("DOORSTEP_LOG_FORMAT", "json")
        .env("DOORSTEP_TEST_FAKE_NOW", "2031-01-14T18:00:00Z")
        .env("DOORSTEP_TEST_REMINDER_SWEEP_MS", "20")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().expect("a line");
    assert!(line.starts_with("Listening on http://"), "{line}");
    child
}

/// The reminders a process says it queued (its "visit reminders queued" log lines).
fn logged(log: &std::path::Path) -> i64 {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .filter(|l| l.contains("visit reminders queued"))
        .filter_map(|l| {
            let at = l.find("\"sent\":")? + 7;
            let digits: String = l[at..].chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<i64>().ok()
        })
        .sum()
}

async fn scalar(store: &Store, sql: &str, company: i64) -> i64 {
    doorstep_store::on_pool!(store, p => sqlx::query_scalar(sql).bind(company).fetch_one(p).await)
        .unwrap()
}

both_backends! {
    /// Two `doorstep serve` processes on one database sweep every 20 ms on a clock set to
    /// the day before the visits: every visit is claimed once and the outbox holds exactly
    /// one reminder per visit (Dana is the only contact of the account who wants them).
    async fn two_server_processes_queue_each_reminder_once(backend: Backend) {
        let db = fresh_database(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        doorstep::demo::seed(&store, &doorstep_web::FileStore::new(dir.path().to_path_buf()), doorstep_web::PasswordCost::TestOnly)
            .await
            .unwrap();
        let acme = store.company_by_slug("acme").await.unwrap().unwrap().id.0;
        let customer = scalar(&store, "SELECT customer_id FROM contacts WHERE company_id = $1 AND email = 'dana@example.test'", acme).await;
        let before = scalar(&store, "SELECT COUNT(*) FROM email_outbox WHERE company_id = $1 AND kind = 'visit_reminder'", acme).await;

        // Both servers run (the second reads the secret key the first wrote) before the
        // visits exist, so their sweeps race for them.
        let (log_a, log_b) = (dir.path().join("a.log"), dir.path().join("b.log"));
        let mut a = serve(&db.url, dir.path(), &log_a).await;
        let mut b = serve(&db.url, dir.path(), &log_b).await;

        // Visits on Jan 15 2031 (Acme is in Chicago: its tomorrow at 12:00 CST on Jan 14).
        let start = datetime!(2031-01-15 16:00 UTC);
        doorstep_store::on_pool!(store, p => sqlx::query(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $1) \
             INSERT INTO jobs (company_id, customer_id, number, status, summary, schedule_type, \
             scheduled_start, scheduled_end, job_date, created_at, updated_at) \
             SELECT $2, $3, 'J-' || (70000 + n), 'scheduled', 'Furnace tune-up', 'exact', $4, $5, $4, $6, $6 FROM g")
            .bind(VISITS).bind(acme).bind(customer)
            .bind(db_time(start)).bind(db_time(start + time::Duration::hours(2))).bind(doorstep_store::now())
            .execute(p).await.map(|_| ())).unwrap();

        let claimed_sql = "SELECT COUNT(*) FROM jobs WHERE company_id = $1 AND number LIKE 'J-7____' AND reminder_sent_at IS NOT NULL";
        let mut waited = 0;
        while scalar(&store, claimed_sql, acme).await < VISITS {
            assert!(waited < 600, "the visits were not all claimed in 30 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
            waited += 1;
        }
        // Let both sweep many more times over the claimed visits.
        tokio::time::sleep(Duration::from_millis(500)).await;
        a.kill().await.unwrap();
        b.kill().await.unwrap();

        let after = scalar(&store, "SELECT COUNT(*) FROM email_outbox WHERE company_id = $1 AND kind = 'visit_reminder'", acme).await;
        assert_eq!(after - before, VISITS, "one reminder per visit, none twice");
        let to_dana = scalar(&store, "SELECT COUNT(*) FROM email_outbox WHERE company_id = $1 AND kind = 'visit_reminder' AND to_address = 'dana@example.test'", acme).await;
        assert_eq!(to_dana - before.min(to_dana), VISITS);
        let distinct = scalar(&store, "SELECT COUNT(DISTINCT event_id) FROM email_outbox WHERE company_id = $1 AND kind = 'visit_reminder'", acme).await;
        assert_eq!(distinct, after);
        // What each process says it did adds up to the visits: each was claimed by one.
        let (by_a, by_b) = (logged(&log_a), logged(&log_b));
        assert_eq!(by_a + by_b, VISITS, "a: {by_a}, b: {by_b}");
        eprintln!("{backend:?}: process a queued {by_a}, process b {by_b}");
    }
}

both_backends! {
    /// The new-invoice form for a customer with its own terms fills the due date by them
    /// and says so; for one without, by the company's; an empty due date saved is counted
    /// by the same rule.
    async fn the_invoice_form_defaults_to_the_customers_payment_terms(backend: Backend) {
        use crate::helpers::{TestApp, html, office, seed_people, text_of};
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let admin = office(&app).await;
        let set = |sql: &'static str, days: i64, id: i64| {
            let store = app.store.clone();
            async move {
                doorstep_store::on_pool!(store, p => sqlx::query(sql).bind(days).bind(id).execute(p).await.map(|_| ())).unwrap();
            }
        };
        set("UPDATE companies SET payment_terms_days = $1 WHERE id = $2", 21, people.acme.0).await;
        let today = doorstep_core::local_time::today(&doorstep_core::local_time::Zone::parse(
            &app.store.company_details(people.acme).await.unwrap().unwrap().timezone).unwrap(), time::OffsetDateTime::now_utc());
        let form = |customer: &'static str| {
            let admin = admin.clone();
            let url = app.url("acme", &format!("/office/invoices/new?customer={customer}"));
            async move { html(&admin.get(url).send().await.unwrap().text().await.unwrap()) }
        };
        let due = |doc: &scraper::Html| {
            doc.select(&scraper::Selector::parse("#due_on").unwrap()).next().unwrap().value().attr("value").unwrap().to_owned()
        };
        let doc = form("C-1").await;
        assert_eq!(due(&doc), (today + time::Duration::days(21)).to_string());
        assert!(text_of(&doc, "#due_on-hint").unwrap().contains("21 days after issue, the company's"));
        set("UPDATE customers SET payment_terms_days = $1 WHERE id = $2", 7, people.household.0).await;
        let doc = form("C-1").await;
        assert_eq!(due(&doc), (today + time::Duration::days(7)).to_string());
        assert!(text_of(&doc, "#due_on-hint").unwrap().contains("7 days after issue, this customer's"));
        // Saved with the due date left empty: the same rule.
        let res = app.submit(&admin, "acme", "/office/invoices/new", "/office/invoices/new",
            &[("customer", "C-1"), ("issued_on", "2030-01-10"), ("due_on", "")]).await;
        assert_eq!(res.status().as_u16(), 303);
        let number = res.headers()["location"].to_str().unwrap().trim_start_matches("/office/invoices/").trim_end_matches("/lines").to_owned();
        let i = app.store.office_invoice(people.acme, &number).await.unwrap().unwrap();
        assert_eq!(i.detail.row.due_on.to_string(), "2030-01-17");
    }
}
