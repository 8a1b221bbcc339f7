//! The office home's weekly charts: an empty company shows an empty state per chart; seeded
//! rows show up in the table behind each chart in the right week, another company's never.

use doorstep_core::charts::last_weeks;
use doorstep_core::ids::CustomerId;
use doorstep_testkit::{Backend, both_backends};
use time::OffsetDateTime;

use crate::helpers::{TestApp, html, office, seed_people};
use crate::jobs::seed_jobs;

/// The cells of the table behind `chart`, row by row.
fn table(doc: &scraper::Html, chart: &str) -> Vec<Vec<String>> {
    let rows = scraper::Selector::parse(&format!(
        "[data-testid=chart-{chart}] [data-testid=chart-table] tbody tr"
    ))
    .unwrap();
    let cells = scraper::Selector::parse("td").unwrap();
    doc.select(&rows)
        .map(|r| {
            r.select(&cells)
                .map(|c| c.text().collect::<String>().trim().to_owned())
                .collect()
        })
        .collect()
}

async fn exec(app: &TestApp, sql: &str, company: i64, at: OffsetDateTime) {
    let at = doorstep_store::db_time(at);
    doorstep_store::on_pool!(app.store, p => sqlx::query(sql).bind(company).bind(at).execute(p).await.map(|_| ())).unwrap();
}

async fn request(
    app: &TestApp,
    company: doorstep_core::ids::CompanyId,
    customer: CustomerId,
    number: &str,
    at: OffsetDateTime,
) {
    use doorstep_core::status::RequestStatus;
    use doorstep_store::requests::NewServiceRequest;
    let mut tx = app.store.begin().await.unwrap();
    tx.insert_service_request(
        company,
        &NewServiceRequest {
            customer,
            site: None,
            contact: None,
            submitted_by: None,
            number: number.into(),
            status: RequestStatus::New,
            preferred_date: None,
            schedule_type: None,
            job_type: None,
            description: "Leak".into(),
            po_number: String::new(),
            estimate: None,
            converted_job: None,
            decline_reason: String::new(),
            created_at: at,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

both_backends! {
    async fn each_chart_has_a_table_with_the_weeks_numbers_and_no_other_company_rows(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let client = office(&app).await;
        let home = || async { html(&client.get(app.url("acme", "/office")).send().await.unwrap().text().await.unwrap()) };

        // Nothing yet: an empty state per chart, no drawing, no table.
        let doc = home().await;
        let empty = scraper::Selector::parse("[data-testid=chart-empty]").unwrap();
        assert_eq!(doc.select(&empty).count(), 4);
        assert!(doc.select(&scraper::Selector::parse("svg.chart").unwrap()).next().is_none());

        seed_jobs(&app, &people).await;
        let acme = app.store.company_by_slug("acme").await.unwrap().unwrap();
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        let weeks = last_weeks(&acme.time_zone, doorstep_core::local_time::today(&acme.time_zone, doorstep_store::now()), 12);
        // A moment inside this week and one inside the week three weeks back.
        let this = weeks[11].from + time::Duration::minutes(1);
        let back = weeks[8].until - time::Duration::minutes(1);
        let bolt_customer: i64 = doorstep_store::on_pool!(app.store, p => sqlx::query_scalar("SELECT id FROM customers WHERE company_id = $1").bind(bolt.id.0).fetch_one(p).await).unwrap();

        for (n, at) in [("R-1", this), ("R-2", this), ("R-3", this), ("R-4", back)] {
            request(&app, people.acme, people.household, n, at).await;
        }
        for n in ["R-1", "R-2", "R-3", "R-4", "R-5"] {
            request(&app, bolt.id, CustomerId(bolt_customer), n, this).await;
        }

        let payment = |number: &str, amount: i64, status: &str, customer: i64| format!(
            "INSERT INTO payments (company_id, customer_id, number, amount_minor, method, status, reference, received_at, created_at) \
             VALUES ($1, {customer}, '{number}', {amount}, 'check', '{status}', '', $2, $2)");
        let h = people.household.0;
        exec(&app, &payment("P-1", 10000, "succeeded", h), people.acme.0, this).await;
        exec(&app, &payment("P-2", 2550, "succeeded", h), people.acme.0, this).await;
        exec(&app, &payment("P-3", 7000, "failed", h), people.acme.0, this).await;
        exec(&app, &payment("P-4", 4000, "succeeded", h), people.acme.0, back).await;
        exec(&app, &payment("P-1", 99900, "succeeded", bolt_customer), bolt.id.0, this).await;

        let support = |number: &str, status: &str, customer: i64| format!(
            "INSERT INTO support_requests (company_id, customer_id, number, subject, description, status, created_at, updated_at) \
             VALUES ($1, {customer}, '{number}', 'Gate', 'Code', '{status}', $2, $2)");
        exec(&app, &support("S-1", "open", h), people.acme.0, this).await;
        exec(&app, &support("S-2", "closed", h), people.acme.0, this).await;
        exec(&app, &support("S-3", "resolved", h), people.acme.0, this).await;
        exec(&app, &support("S-1", "open", bolt_customer), bolt.id.0, this).await;

        let rating = |job: &str, stars: i64| format!(
            "INSERT INTO ratings (company_id, customer_id, job_id, stars, comment, created_at) \
             SELECT company_id, customer_id, id, {stars}, '', $2 FROM jobs WHERE company_id = $1 AND number = '{job}'");
        exec(&app, &rating("H-1", 5), people.acme.0, this).await;
        exec(&app, &rating("B-1", 4), people.acme.0, this).await;
        exec(&app, &rating("B-1", 1), bolt.id.0, this).await;

        let doc = home().await;
        assert_eq!(doc.select(&empty).count(), 0);
        assert_eq!(doc.select(&scraper::Selector::parse("svg.chart[role=img]").unwrap()).count(), 4);

        let requests = table(&doc, "requests");
        assert_eq!(requests.len(), 12);
        assert_eq!(requests[0][0], doorstep_core::local_time::date(weeks[0].monday));
        assert_eq!(requests[11][1], "3");
        assert_eq!(requests[8][1], "1");
        assert!(requests.iter().enumerate().all(|(i, r)| i == 8 || i == 11 || r[1] == "0"), "{requests:?}");

        let payments = table(&doc, "payments");
        assert_eq!(payments[11][1..], ["$125.50".to_owned(), "2".to_owned()]);
        assert_eq!(payments[8][1..], ["$40.00".to_owned(), "1".to_owned()]);
        assert_eq!(payments[0][1..], ["$0.00".to_owned(), "0".to_owned()]);

        let support = table(&doc, "support");
        assert_eq!(support[11][1..], ["3".to_owned(), "1".to_owned(), "2".to_owned()]);

        let ratings = table(&doc, "ratings");
        assert_eq!(ratings[11][1..], ["4.5".to_owned(), "2".to_owned()]);
        assert_eq!(ratings[10][1], "—");

        let text = doc.root_element().text().collect::<String>();
        assert!(!text.contains("$999.00") && !text.contains("$1,124.50"), "Bolt's payment is not Acme's");
        assert!(text.contains("4 requests in the last 12 weeks."));
    }
}
