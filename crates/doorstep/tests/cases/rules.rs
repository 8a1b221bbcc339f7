//! Rules of issue 17: visit reminders on the company's own "tomorrow" (its time zone,
//! around midnight), and invoice payment terms per customer.

use doorstep_app::StaffActor;
use doorstep_app::jobs::{self, NewJob, NewJobForm, ScheduleOrder};
use doorstep_core::local_time::Zone;
use doorstep_testkit::{Backend, both_backends};
use time::macros::datetime;

use crate::world::World;

/// A new job for Dana's account scheduled on `date` ("am" or "pm" window) read in `zone`.
async fn visit_on(w: &World, staff: &StaffActor, zone: &Zone, date: &str, window: &str) -> String {
    let customer = w.dana().await.customer().0.to_string();
    let f = NewJobForm {
        customer: &customer,
        summary: "Service the furnace",
        ..NewJobForm::default()
    };
    let number = jobs::create(&w.app, staff, NewJob::parse(&f).unwrap())
        .await
        .unwrap()
        .number;
    let order = ScheduleOrder::parse(zone, date, window, "", "").unwrap();
    jobs::schedule(&w.app, staff, &number, order).await.unwrap();
    number
}

/// Moves Acme to `zone` (what the company settings page saves).
async fn set_zone(w: &World, zone: &str) {
    doorstep_store::on_pool!(w.store, p => sqlx::query("UPDATE companies SET timezone = $1 WHERE id = $2")
        .bind(zone).bind(w.acme.id.0).execute(p).await.map(|_| ()))
    .unwrap();
}

fn reminders(emails: &[(String, String)]) -> usize {
    emails.iter().filter(|(k, _)| k == "visit_reminder").count()
}

both_backends! {
    /// Chicago (UTC-5 in June): at 23:59 on Jun 9 local the Jun 11 visit is not due
    /// (UTC already says Jun 10, whose tomorrow is Jun 11); at 23:00 on Jun 10 local
    /// (04:00 UTC on Jun 11, whose UTC tomorrow would be Jun 12) it is, once.
    async fn chicago_is_reminded_on_its_own_day_before(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        set_zone(&w, "America/Chicago").await;
        let zone = Zone::parse("America/Chicago").unwrap();
        visit_on(&w, &oscar, &zone, "2030-06-11", "pm").await;
        let before = reminders(&w.emails(&w.acme).await);
        let at = |t| jobs::send_visit_reminders(&w.app, t);
        assert_eq!(at(datetime!(2030-06-09 23:59 -5)).await.unwrap(), 0, "two days before in Chicago");
        assert_eq!(at(datetime!(2030-06-10 00:00 -5)).await.unwrap(), 1, "Chicago's day before begins");
        assert_eq!(at(datetime!(2030-06-10 23:00 -5)).await.unwrap(), 0, "already sent");
        assert_eq!(reminders(&w.emails(&w.acme).await), before + 1);

        // Another visit on Jun 11, swept after UTC's midnight (UTC's tomorrow is then
        // Jun 12): still Chicago's day before.
        visit_on(&w, &oscar, &zone, "2030-06-11", "am").await;
        assert_eq!(at(datetime!(2030-06-10 23:30 -5)).await.unwrap(), 1);
        assert_eq!(at(datetime!(2030-06-10 23:31 -5)).await.unwrap(), 0);
        assert_eq!(reminders(&w.emails(&w.acme).await), before + 2);
    }

    /// Auckland (UTC+12 in June): at 23:30 on Jun 10 local (11:30 UTC on Jun 10, whose
    /// UTC tomorrow holds the visit) the Jun 12 visit is not due; half an hour after
    /// Auckland's midnight it is, exactly once. Across DST's end (Apr 6 2031, a day of 25
    /// hours) a visit late that day is still "tomorrow" on Apr 5.
    async fn auckland_is_reminded_on_its_own_day_before(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        set_zone(&w, "Pacific/Auckland").await;
        let zone = Zone::parse("Pacific/Auckland").unwrap();
        visit_on(&w, &oscar, &zone, "2030-06-12", "am").await;
        let before = reminders(&w.emails(&w.acme).await);
        let at = |t| jobs::send_visit_reminders(&w.app, t);
        assert_eq!(at(datetime!(2030-06-10 23:30 +12)).await.unwrap(), 0, "Jun 10 in Auckland");
        assert_eq!(at(datetime!(2030-06-11 00:30 +12)).await.unwrap(), 1, "Jun 11 in Auckland");
        assert_eq!(at(datetime!(2030-06-11 23:59 +12)).await.unwrap(), 0, "already sent");
        assert_eq!(reminders(&w.emails(&w.acme).await), before + 1);

        // DST ends in Auckland on Sun Apr 6 2031 (a 25-hour day).
        visit_on(&w, &oscar, &zone, "2031-04-06", "pm").await;
        assert_eq!(at(datetime!(2031-04-04 23:59 +13)).await.unwrap(), 0);
        assert_eq!(at(datetime!(2031-04-05 00:01 +13)).await.unwrap(), 1);
        assert_eq!(at(datetime!(2031-04-05 12:00 +13)).await.unwrap(), 0);
        assert_eq!(reminders(&w.emails(&w.acme).await), before + 2);
    }
}

/// `sql` with `$1` = `a`, `$2` = `b`, on the test's database.
async fn exec(w: &World, sql: &str, a: i64, b: i64) {
    doorstep_store::on_pool!(w.store, p => sqlx::query(sql).bind(a).bind(b).execute(p).await.map(|_| ())).unwrap();
}

async fn number_of(w: &World, sql: &str, a: i64, b: i64) -> String {
    doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(sql).bind(a).bind(b).fetch_one(p).await).unwrap()
}

both_backends! {
    /// An invoice with no due date typed is due by the customer's own payment terms,
    /// else the company's; a typed date wins; editing with the date emptied counts it
    /// again; and the office form shows that default.
    async fn invoices_are_due_by_the_customers_terms_else_the_companys(backend: Backend) {
        use doorstep_app::documents::invoices::{self, InvoiceInput, InvoiceText};
        use time::macros::date;
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let dana_customer = w.dana().await.customer().0;
        let own = number_of(&w, "SELECT number FROM customers WHERE company_id = $1 AND id = $2", w.acme.id.0, dana_customer).await;
        let other = number_of(&w, "SELECT number FROM customers WHERE company_id = $1 AND id <> $2 AND payment_terms_days IS NULL ORDER BY id LIMIT 1", w.acme.id.0, dana_customer).await;
        exec(&w, "UPDATE customers SET payment_terms_days = $2 WHERE id = $1", dana_customer, 14).await;
        exec(&w, "UPDATE companies SET payment_terms_days = $2 WHERE id = $1", w.acme.id.0, 21).await;
        assert_eq!(invoices::terms_of(&w.app, w.acme.id, &own).await.unwrap(), (14, true));
        assert_eq!(invoices::terms_of(&w.app, w.acme.id, &other).await.unwrap(), (21, false));
        assert_eq!(invoices::terms_of(&w.app, w.acme.id, "").await.unwrap(), (21, false));

        let issued = date!(2030 - 03 - 10);
        let make = |customer: &str, due: &str| {
            let text = InvoiceText { customer, issued_on: "2030-03-10", due_on: due, ..InvoiceText::default() };
            InvoiceInput::parse(&text, issued).unwrap()
        };
        let due = |n: String| {
            let w = &w;
            async move { w.store.office_invoice(w.acme.id, &n).await.unwrap().unwrap().detail.row.due_on }
        };
        let a = invoices::create(&w.app, &oscar, make(&own, ""), None).await.unwrap();
        assert_eq!(due(a.clone()).await, date!(2030 - 03 - 24), "the customer's 14 days");
        let b = invoices::create(&w.app, &oscar, make(&other, ""), None).await.unwrap();
        assert_eq!(due(b).await, date!(2030 - 03 - 31), "the company's 21 days");
        let c = invoices::create(&w.app, &oscar, make(&own, "2030-05-01"), None).await.unwrap();
        assert_eq!(due(c).await, date!(2030 - 05 - 01), "as typed");
        // The customer's terms change; the draft's date emptied on edit counts them again.
        exec(&w, "UPDATE customers SET payment_terms_days = $2 WHERE id = $1", dana_customer, 0).await;
        invoices::edit(&w.app, &oscar, &a, make(&own, "")).await.unwrap();
        assert_eq!(due(a).await, issued, "due on receipt");
    }
}
