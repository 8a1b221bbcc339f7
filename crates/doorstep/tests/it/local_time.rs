//! Every date and time a company shows is on its own clock: the same instant reads
//! differently at a company in America/Chicago and one in Pacific/Auckland, and each
//! judges "today" (an invoice due today is overdue or not) by its own date.

use doorstep_core::ids::{CompanyId, CustomerId};
use doorstep_core::local_time::{self, Zone};
use doorstep_core::status::{InvoiceStatus, JobKind, JobStatus, ScheduleType, SupportStatus};
use doorstep_store::billing::NewInvoice;
use doorstep_store::jobs::NewJob;
use doorstep_testkit::{Backend, both_backends};
use time::{Duration, OffsetDateTime, Time};

use crate::cli::doorstep;
use crate::helpers::{TestApp, html, seed_people, sign_in, text_of};

fn zone(name: &str) -> Zone {
    Zone::parse(name).unwrap()
}

async fn set_zone(app: &TestApp, company: CompanyId, name: &str) {
    doorstep_store::on_pool!(app.store, p => sqlx::query("UPDATE companies SET timezone = $1 WHERE id = $2")
        .bind(name).bind(company.0).execute(p).await.map(|r| r.rows_affected()))
    .unwrap();
}

/// An instant a few days ahead at 21:30 UTC: mid-afternoon in Chicago, the next morning in
/// Auckland.
fn visit_instant() -> OffsetDateTime {
    let day = OffsetDateTime::now_utc().date() + Duration::days(3);
    day.with_time(Time::from_hms(21, 30, 0).unwrap())
        .assume_utc()
}

/// Gives `customer` of `company` job J-1 visited at `at` (exact time, one hour), invoice
/// I-1 due on `due`, and support request S-1 opened at `at`.
async fn seed_work(
    app: &TestApp,
    company: CompanyId,
    customer: CustomerId,
    at: OffsetDateTime,
    due: time::Date,
) {
    let mut tx = app.store.begin().await.unwrap();
    tx.insert_job(
        company,
        &NewJob {
            customer,
            site: None,
            asset: None,
            job_type: None,
            number: "J-1".into(),
            kind: JobKind::Service,
            status: JobStatus::Scheduled,
            summary: "Replace the water heater".into(),
            description: String::new(),
            schedule_type: Some(ScheduleType::Exact),
            scheduled_start: Some(at),
            scheduled_end: Some(at + Duration::hours(1)),
            arrival_window_start: None,
            arrival_window_end: None,
            completed_at: None,
            work_order_notes: String::new(),
            customer_notes: String::new(),
            external_ref: None,
            invoice_notes: String::new(),
            po_number: String::new(),
            custom_fields: "{}".into(),
            total_minor: 0,
            created_at: OffsetDateTime::now_utc() - Duration::days(1),
        },
    )
    .await
    .unwrap();
    tx.insert_invoice(
        company,
        &NewInvoice {
            customer,
            site: None,
            job: None,
            number: "I-1".into(),
            status: InvoiceStatus::Unpaid,
            issued_on: due - Duration::days(30),
            due_on: due,
            total_minor: 10_000,
            paid_minor: 0,
            notes: String::new(),
            paid_at: None,
            voided_at: None,
        },
    )
    .await
    .unwrap();
    tx.insert_support_request(
        company,
        customer,
        None,
        "S-1",
        "Noisy pipes",
        "They knock at night.",
        SupportStatus::Open,
        at - Duration::days(5),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn page(client: &reqwest::Client, url: String) -> String {
    let res = client.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

both_backends! {
    async fn the_same_instant_reads_on_each_company_clock_and_each_judges_its_own_today(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap().id;
        let bolt_customer = app.store.customer_by_number(bolt, "B-1").await.unwrap().unwrap();
        set_zone(&app, people.acme, "America/Chicago").await;
        set_zone(&app, bolt, "Pacific/Auckland").await;
        let (chicago, auckland) = (zone("America/Chicago"), zone("Pacific/Auckland"));

        let at = visit_instant();
        // Due on Chicago's today: not yet overdue there; in Auckland, whose date runs a day
        // ahead for most of the day, overdue once its date has moved on.
        let now = OffsetDateTime::now_utc();
        let due = local_time::today(&chicago, now);
        seed_work(&app, people.acme, people.household, at, due).await;
        seed_work(&app, bolt, CustomerId(bolt_customer.id), at, due).await;

        let acme = app.client(&["acme"]);
        sign_in(&app, &acme, "acme", "dana@example.test").await;
        app.submit(&acme, "acme", "/accounts", "/accounts", &[("customer", &people.household.0.to_string())]).await;
        let kiwi = app.client(&["bolt"]);
        let res = app.submit(&kiwi, "bolt", "/sign-in", "/sign-in",
            &[("email", "dana@example.test"), ("password", "bolt only password")]).await;
        assert_eq!(res.status(), 303);

        for (client, slug, zone) in [(&acme, "acme", &chicago), (&kiwi, "bolt", &auckland)] {
            let local = zone.local(at);
            let expected = local_time::date_time(zone, at);
            // The visit: the company's date and time, never UTC's.
            let job = page(client, app.url(slug, "/jobs/J-1")).await;
            assert!(job.contains(&expected), "{slug}: {expected} not on the job page");
            assert!(!job.contains("9:30 PM") && !job.contains("UTC"), "{slug}: a UTC time shows");
            // The list's date is the local date, with the ISO date for machines.
            let list = page(client, app.url(slug, "/jobs")).await;
            let iso = local_time::iso_date(local.date());
            assert!(list.contains(&format!("datetime=\"{iso}\"")), "{slug}: {iso}");
            assert!(list.contains(&local_time::date(local.date())), "{slug}");
            // The support request's time.
            let opened = local_time::date_time(zone, at - Duration::days(5));
            let support = page(client, app.url(slug, "/support")).await;
            assert!(support.contains(&opened), "{slug}: {opened} not in the support list");
            let thread = page(client, app.url(slug, "/support/S-1")).await;
            assert!(thread.contains(&opened), "{slug}: {opened} not in the thread");
            // The invoice's due date reads the same (a calendar date), its state by the
            // company's today.
            let invoice = html(&page(client, app.url(slug, "/invoices/I-1")).await);
            assert_eq!(text_of(&invoice, "[data-testid=invoice-due]").unwrap(), local_time::date(due));
            let overdue = local_time::today(zone, OffsetDateTime::now_utc()) > due;
            assert_eq!(
                text_of(&invoice, "[data-testid=invoice-status]").unwrap(),
                if overdue { "Overdue" } else { "Unpaid" },
                "{slug}"
            );
            if slug == "acme" {
                assert!(!overdue, "due on Chicago's today is not overdue in Chicago");
            }
        }
        // The two clocks really differ: Auckland's morning is Chicago's previous afternoon.
        assert_eq!(auckland.date_of(at), chicago.date_of(at) + Duration::days(1));
        assert_ne!(
            local_time::date_time(&chicago, at),
            local_time::date_time(&auckland, at)
        );
    }

    async fn company_create_takes_an_iana_time_zone_and_refuses_an_unknown_one(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let create = |slug: &'static str, tz: &'static str| {
            doorstep(&[
                "company", "create", "--slug", slug, "--name", "Kiwi Plumbing",
                "--admin-email", "office@kiwi.test", "--time-zone", tz,
                "--database-url", &app.db.url,
            ])
        };
        let bad = create("kiwi", "Auckland/Pacific");
        assert_eq!(bad.status.code(), Some(2));
        let err = String::from_utf8_lossy(&bad.stderr).to_string();
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains("--time-zone") && err.contains("Auckland/Pacific"), "{err}");
        assert!(app.store.company_by_slug("kiwi").await.unwrap().is_none());

        let good = create("kiwi", "pacific/auckland");
        assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
        let kiwi = app.store.company_by_slug("kiwi").await.unwrap().unwrap();
        assert_eq!(kiwi.time_zone.name(), "Pacific/Auckland");
        // Without the flag a company keeps UTC.
        let plain = doorstep(&[
            "company", "create", "--slug", "plain", "--name", "Plain Co",
            "--admin-email", "office@plain.test", "--database-url", &app.db.url,
        ]);
        assert!(plain.status.success());
        let plain = app.store.company_by_slug("plain").await.unwrap().unwrap();
        assert_eq!(plain.time_zone, Zone::utc());
    }
}
