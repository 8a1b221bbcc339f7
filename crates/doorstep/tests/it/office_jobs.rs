//! The office's job pages over HTTP on both engines: the list's filters and search, a new
//! job, the job page and its status buttons (cancel asks first, a refused move says why),
//! another company's job is 404, and the portal's live stream carries a status move to
//! the contacts who may see the job and to nobody else.

use std::time::Duration;

use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{TestApp, html, office, seed_people, sign_in, text_of};
use crate::jobs::seed_jobs;

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, scraper::Html) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    let status = res.status().as_u16();
    (status, html(&res.text().await.unwrap()))
}

fn numbers(doc: &scraper::Html) -> Vec<String> {
    let sel = scraper::Selector::parse("[data-testid=jobs] tbody tr td:first-child a").unwrap();
    doc.select(&sel)
        .map(|a| a.text().next().unwrap_or("").trim().to_owned())
        .collect()
}

/// A portal browser signed in as `email`, acting for `account` when given.
async fn contact(app: &TestApp, email: &str, account: Option<i64>) -> reqwest::Client {
    let client = app.client(&["acme"]);
    sign_in(app, &client, "acme", email).await;
    if let Some(c) = account {
        app.submit(
            &client,
            "acme",
            "/accounts",
            "/accounts",
            &[("customer", &c.to_string())],
        )
        .await;
    }
    client
}

/// Reads the event stream `res` until `want` appears (true) or `within` passes (false);
/// everything read, for checks of what it must not carry.
async fn read_until(res: &mut reqwest::Response, want: &str, within: Duration) -> (bool, String) {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, res.chunk()).await {
            Ok(Ok(Some(bytes))) => {
                seen.push_str(&String::from_utf8_lossy(&bytes));
                if seen.contains(want) {
                    return (true, seen);
                }
            }
            _ => return (false, seen),
        }
    }
}

both_backends! {
    /// The list shows the company's jobs newest first, filters by status and searches
    /// numbers, summaries and customers; nothing found says so.
    async fn the_job_list_filters_and_searches(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_jobs(&app, &people).await;
        let staff = office(&app).await;
        let (status, doc) = page(&app, &staff, "/office/jobs").await;
        assert_eq!(status, 200);
        let all = numbers(&doc);
        for n in ["H-1", "H-2", "B-1", "P-1"] {
            assert!(all.contains(&n.to_owned()), "{n} in {all:?}");
        }
        let (_, doc) = page(&app, &staff, "/office/jobs?status=scheduled").await;
        let mut scheduled = numbers(&doc);
        scheduled.sort();
        assert_eq!(scheduled, ["H-2", "P-1"]);
        let (_, doc) = page(&app, &staff, "/office/jobs?q=b-1").await;
        assert_eq!(numbers(&doc), ["B-1"]);
        let (_, doc) = page(&app, &staff, "/office/jobs?q=harbor&status=completed").await;
        let mut harbor = numbers(&doc);
        harbor.sort();
        assert_eq!(harbor, ["B-1", "B-2"]);
        let (_, doc) = page(&app, &staff, "/office/jobs?q=nothing-like-this").await;
        assert!(text_of(&doc, "[data-testid=empty]").unwrap().contains("No job matches"));
        let (status, doc) = page(&app, &staff, "/office/jobs?status=bogus&from=x").await;
        assert_eq!(status, 400);
        assert!(numbers(&doc).len() >= 4, "what is valid still applies");
    }

    /// A job is created from the form (a wrong field is marked, nothing saved), opens on
    /// its page, is scheduled and moved; cancelling asks first; a move the rules refuse
    /// says why; another company's or a made-up number is 404.
    async fn the_office_runs_a_job_from_its_page(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_jobs(&app, &people).await;
        let staff = office(&app).await;
        let customer = people.household.0.to_string();
        let (status, doc) = page(&app, &staff, &format!("/office/jobs/new?customer={customer}")).await;
        assert_eq!(status, 200);
        assert!(text_of(&doc, "h1").unwrap().contains("New job for"));
        let res = app.submit(&staff, "acme", "/office/jobs/new", "/office/jobs/new",
            &[("customer", &customer), ("summary", "")]).await;
        assert_eq!(res.status(), 422);
        assert!(text_of(&html(&res.text().await.unwrap()), "#summary-error").is_some());
        let res = app.submit(&staff, "acme", "/office/jobs/new", "/office/jobs/new",
            &[("customer", &customer), ("summary", "Fix the gate"), ("work_order_notes", "Side entrance"),
              ("customer_notes", "We call first")]).await;
        assert_eq!(res.status(), 303);
        let at = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(at.starts_with("/office/jobs/J-"), "{at}");
        let (status, doc) = page(&app, &staff, &at).await;
        assert_eq!(status, 200);
        assert_eq!(text_of(&doc, "[data-testid=job-status]").as_deref(), Some("Unscheduled"));
        assert!(text_of(&doc, "[data-testid=work-order-notes]").unwrap().contains("Side entrance"));
        // Schedule: a bad one is marked, a good one moves it to scheduled.
        let res = app.submit(&staff, "acme", &at, &format!("{at}/schedule"),
            &[("date", "2030-02-31"), ("schedule_type", "am")]).await;
        assert_eq!(res.status(), 422);
        assert!(text_of(&html(&res.text().await.unwrap()), "#date-error").is_some());
        let res = app.submit(&staff, "acme", &at, &format!("{at}/schedule"),
            &[("date", "2030-03-04"), ("schedule_type", "pm")]).await;
        assert_eq!(res.status(), 303);
        let (_, doc) = page(&app, &staff, &at).await;
        assert_eq!(text_of(&doc, "[data-testid=job-status]").as_deref(), Some("Scheduled"));
        assert!(text_of(&doc, "[data-testid=job-visit]").unwrap().contains("Mar 4, 2030"));
        // Cancel asks first and changes nothing until confirmed.
        let res = app.submit(&staff, "acme", &at, &format!("{at}/status"), &[("status", "cancelled")]).await;
        assert_eq!(res.status(), 200);
        assert!(text_of(&html(&res.text().await.unwrap()), "[data-testid=confirm-cancel]").is_some());
        let (_, doc) = page(&app, &staff, &at).await;
        assert_eq!(text_of(&doc, "[data-testid=job-status]").as_deref(), Some("Scheduled"));
        let res = app.submit(&staff, "acme", &at, &format!("{at}/status"), &[("status", "completed")]).await;
        assert_eq!(res.status(), 303);
        let (_, doc) = page(&app, &staff, &at).await;
        assert_eq!(text_of(&doc, "[data-testid=job-status]").as_deref(), Some("Completed"));
        assert!(text_of(&doc, "[data-testid=timeline]").unwrap().contains("Completed"));
        // Completed → on the way is refused with the reason.
        let res = app.submit(&staff, "acme", &at, &format!("{at}/status"), &[("status", "on_the_way")]).await;
        assert_eq!(res.status(), 422);
        let doc = html(&res.text().await.unwrap());
        assert!(text_of(&doc, "[data-testid=refusal]").unwrap().contains("final"));
        // Another company's or a made-up number: 404 on every page and form.
        for path in ["/office/jobs/X-1", "/office/jobs/X-1/edit", "/office/jobs/X-1/schedule"] {
            assert_eq!(page(&app, &staff, path).await.0, 404, "{path}");
        }
        let res = app.submit(&staff, "acme", "/office/jobs", "/office/jobs/X-1/status", &[("status", "completed")]).await;
        assert_eq!(res.status(), 404);
        // The customer sees the notes meant for them, never the internal ones.
        let dana = contact(&app, "dana@example.test", Some(people.household.0)).await;
        let number = at.trim_start_matches("/office/jobs/");
        let res = dana.get(app.url("acme", &format!("/jobs/{number}"))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let body = res.text().await.unwrap();
        assert!(body.contains("We call first") && !body.contains("Side entrance"));
    }

    /// The portal's stream carries a status move within a second to a contact who may see
    /// the job; a site contact's stream never carries a job of another site, and another
    /// account's job page is 404.
    async fn the_live_stream_sees_moves_and_is_scoped(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_jobs(&app, &people).await;
        let staff = office(&app).await;
        let dana = contact(&app, "dana@example.test", Some(people.harbor.0)).await;
        let sam = contact(&app, "sam@example.test", None).await;
        // A Bayview job (Sam's site) to move alongside Pier's P-1 (not his).
        let bayview = app.store.sites_of_customer(people.acme, people.harbor, None).await.unwrap()
            .into_iter().find(|s| s.name.contains("Bayview")).unwrap().id;
        let res = app.submit(&staff, "acme", "/office/jobs/new", "/office/jobs/new",
            &[("customer", &people.harbor.0.to_string()), ("site", &bayview.to_string()), ("summary", "Bay check")]).await;
        assert_eq!(res.status(), 303);
        let bay = res.headers()["location"].to_str().unwrap().trim_start_matches("/office/jobs/").to_owned();
        app.submit(&staff, "acme", "/office/jobs", &format!("/office/jobs/{bay}/schedule"),
            &[("date", "2030-03-04"), ("schedule_type", "am")]).await;

        let mut dana_stream = dana.get(app.url("acme", "/jobs/events")).send().await.unwrap();
        assert_eq!(dana_stream.status(), 200);
        assert!(dana_stream.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let mut sam_stream = sam.get(app.url("acme", "/jobs/events")).send().await.unwrap();
        assert_eq!(sam_stream.status(), 200);

        let started = tokio::time::Instant::now();
        let res = app.submit(&staff, "acme", "/office/jobs", "/office/jobs/P-1/status", &[("status", "on_the_way")]).await;
        assert_eq!(res.status(), 303);
        let (seen, _) = read_until(&mut dana_stream, "\"number\":\"P-1\",\"status\":\"on_the_way\"", Duration::from_secs(5)).await;
        assert!(seen, "Dana's stream carries P-1's move");
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
        let res = app.submit(&staff, "acme", "/office/jobs", &format!("/office/jobs/{bay}/status"), &[("status", "on_the_way")]).await;
        assert_eq!(res.status(), 303);
        // The stream also sends what moved just before it opened (the visit being scheduled).
        let want = format!("\"number\":\"{bay}\",\"status\":\"on_the_way\"");
        let (seen, text) = read_until(&mut sam_stream, &want, Duration::from_secs(5)).await;
        assert!(seen, "Sam's stream carries his site's job: {text}");
        assert!(!text.contains("P-1"), "Sam's stream never carries another site's job: {text}");
        assert!(text.contains("On the way"));
        // Another account's job is 404 to Dana acting for her household.
        let household = contact(&app, "dana@example.test", Some(people.household.0)).await;
        let res = household.get(app.url("acme", "/jobs/P-1")).send().await.unwrap();
        assert_eq!(res.status(), 404);
        // The page works without JavaScript: the status of its load, the timeline.
        let res = dana.get(app.url("acme", "/jobs/P-1")).send().await.unwrap();
        let doc = html(&res.text().await.unwrap());
        assert_eq!(text_of(&doc, "[data-testid=job-status]").as_deref(), Some("On the way"));
        assert!(text_of(&doc, "[data-testid=job-timeline]").unwrap().contains("On the way"));
    }
}
