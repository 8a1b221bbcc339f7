//! Issue 14, the data points: window places that leak on a move (3), writers that wait
//! for a second pooled connection while holding one (11), control characters in sign-up
//! names (10d), ambiguous amounts (10f), and unique clashes or malformed form values that
//! answered a 500 page or axum's plain text (10g).

use std::time::{Duration as StdDuration, Instant};

use doorstep_core::authz::ContactScope;
use doorstep_core::ids::{CompanyId, CustomerId, JobId, SiteId};
use doorstep_core::status::{ContactRole, ScheduleType};
use doorstep_store::availability::NewWindow;
use doorstep_store::visits::{MoveOutcome, VisitMove};
use doorstep_testkit::{Backend, both_backends};
use time::Duration;
use tokio::task::JoinSet;

use crate::helpers::office;
use crate::helpers::{PASSWORD, People, TestApp, csrf_of, html, seed_people, sign_in, text_of};
use crate::sign_up::allow_sign_up;
use crate::visits::{morning, today, visit};

/// How long one write may take while 2 × the pool's size of them run at once.
const BOUND: StdDuration = StdDuration::from_secs(5);
/// Twice the test pool (`db_pool_size: 4`).
const WRITERS: usize = 8;

/// Acme's people, `jobs` scheduled visits of the household (`V-1`...) and three windows
/// ten days ahead (AM, PM, all day) of `capacity` places each.
async fn seed_visits(app: &TestApp, jobs: usize, capacity: i64) -> (People, Vec<i64>) {
    let people = seed_people(app).await;
    let acme = people.acme;
    let sites = app
        .store
        .sites_of_customer(acme, people.household, None)
        .await
        .unwrap();
    let home = SiteId(sites.iter().find(|s| s.name == "Home").unwrap().id);
    let mut tx = app.store.begin().await.unwrap();
    for n in 1..=jobs {
        tx.insert_job(
            acme,
            &visit(people.household, home, &format!("V-{n}"), morning(5)),
        )
        .await
        .unwrap();
    }
    let day = today() + Duration::days(10);
    let mut windows = Vec::new();
    for slot in ["am", "pm", "all_day"] {
        let w = NewWindow {
            date: day,
            slot: slot.into(),
            start_time: String::new(),
            end_time: String::new(),
            capacity,
        };
        windows.push(tx.create_window(acme, &w).await.unwrap());
    }
    tx.commit().await.unwrap();
    (people, windows)
}

fn household(people: &People) -> ContactScope {
    ContactScope {
        customer: people.household,
        role: ContactRole::Company,
        sites: vec![],
    }
}

/// Moves visit `number` into `window` the way the reschedule page does, from the place
/// it holds now; commits only a move that happened.
async fn store_move(
    store: &doorstep_store::Store,
    acme: CompanyId,
    scope: &ContactScope,
    number: &str,
    window: i64,
) -> Result<MoveOutcome, doorstep_store::StoreError> {
    let visit = store
        .visit_for_contact(acme, scope, number)
        .await?
        .expect("the visit");
    let start = (today() + Duration::days(10)).midnight().assume_utc();
    let to = VisitMove {
        window,
        slot: ScheduleType::AllDay,
        start,
        end: start + Duration::hours(10),
        today: today(),
    };
    let mut tx = store.begin().await?;
    let outcome = tx
        .move_visit(
            acme,
            scope,
            JobId(visit.id),
            visit.availability_window_id,
            &to,
        )
        .await?;
    if outcome == MoveOutcome::Moved {
        tx.commit().await?;
    }
    Ok(outcome)
}

/// Asserts every window's `booked` is the number of bookings that exist in it.
async fn assert_places_match_bookings(app: &TestApp, acme: CompanyId, windows: &[i64]) {
    for w in windows {
        let booked = app
            .store
            .office_window(acme, *w)
            .await
            .unwrap()
            .unwrap()
            .booked;
        let bookings = app.store.window_bookings(acme, *w).await.unwrap().len() as i64;
        assert_eq!(
            booked, bookings,
            "window {w}: booked {booked}, bookings {bookings}"
        );
    }
}

async fn booked(app: &TestApp, acme: CompanyId, window: i64) -> i64 {
    app.store
        .office_window(acme, window)
        .await
        .unwrap()
        .unwrap()
        .booked
}

async fn dana_on(app: &TestApp, account: CustomerId) -> reqwest::Client {
    let client = app.client(&["acme"]);
    sign_in(app, &client, "acme", "dana@example.test").await;
    app.submit(
        &client,
        "acme",
        "/accounts",
        "/accounts",
        &[("customer", &account.0.to_string())],
    )
    .await;
    client
}

/// One request of a concurrent batch: a form or a multipart body, posted with a token.
#[derive(Clone)]
struct Post {
    url: String,
    origin: String,
    form: Vec<(String, String)>,
    multipart: bool,
}

/// Posts every request at once and answers each one's status and how long it took.
async fn all_at_once(
    client: &reqwest::Client,
    token: &str,
    posts: Vec<Post>,
) -> Vec<(u16, StdDuration, String)> {
    let mut set = JoinSet::new();
    for p in posts {
        let client = client.clone();
        let token = token.to_owned();
        set.spawn(async move {
            let mut fields = p.form.clone();
            fields.push(("csrf_token".into(), token));
            let req = client.post(&p.url).header("origin", &p.origin);
            let req = if p.multipart {
                let refs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let (content_type, body) = crate::helpers::multipart_body(&refs, "files", &[]);
                req.header("content-type", content_type).body(body)
            } else {
                req.form(&fields)
            };
            let started = Instant::now();
            let res = tokio::time::timeout(StdDuration::from_secs(30), req.send())
                .await
                .expect("an answer within 30 s")
                .unwrap();
            let status = res.status().as_u16();
            let took = started.elapsed();
            (status, took, p.url)
        });
    }
    let mut out = Vec::new();
    while let Some(done) = set.join_next().await {
        out.push(done.unwrap());
    }
    out
}

fn assert_all_quick(what: &str, answers: &[(u16, StdDuration, String)], expected: u16) {
    assert_eq!(answers.len(), WRITERS, "{what}");
    for (status, took, url) in answers {
        assert_eq!(
            *status, expected,
            "{what}: {url} answered {status} after {took:?}"
        );
        assert!(*took < BOUND, "{what}: {url} took {took:?}");
    }
}

fn post(app: &TestApp, path: &str, form: &[(&str, &str)], multipart: bool) -> Post {
    Post {
        url: app.url("acme", path),
        origin: app.origin("acme"),
        form: form
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        multipart,
    }
}

/// Adds a catalogue item through the office page; answers the status and the page.
async fn add_item(
    app: &TestApp,
    office: &reqwest::Client,
    name: &str,
    price: &str,
) -> (u16, String) {
    let res = app
        .submit(
            office,
            "acme",
            "/office/catalogue",
            "/office/catalogue",
            &[
                ("kind", "service"),
                ("name", name),
                ("description", ""),
                ("price", price),
                ("show_in_portal", "on"),
            ],
        )
        .await;
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn price_of(app: &TestApp, acme: CompanyId, name: &str) -> Option<i64> {
    app.store
        .catalogue_page(acme, None, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.name == name)
        .map(|i| i.unit_price_minor)
}

/// Whether an answer is the branded HTML error page rather than plain text.
fn is_branded_page(content_type: &str, body: &str) -> bool {
    content_type.starts_with("text/html") && text_of(&html(body), "main .card h1").is_some()
}

both_backends! {
    // Point 3.
    async fn moving_a_visit_into_the_window_it_holds_takes_no_second_place(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let (people, w) = seed_visits(&app, 1, 3).await;
        let (acme, scope) = (people.acme, household(&people));
        assert_eq!(store_move(&app.store, acme, &scope, "V-1", w[0]).await.unwrap(), MoveOutcome::Moved);
        for _ in 0..3 {
            let again = store_move(&app.store, acme, &scope, "V-1", w[0]).await.unwrap();
            assert_eq!(again, MoveOutcome::Moved, "the window it holds always has its place");
            assert_eq!(booked(&app, acme, w[0]).await, 1, "one visit, one place");
        }
        assert_eq!(store_move(&app.store, acme, &scope, "V-1", w[1]).await.unwrap(), MoveOutcome::Moved);
        assert_eq!((booked(&app, acme, w[0]).await, booked(&app, acme, w[1]).await), (0, 1));
        assert_places_match_bookings(&app, acme, &w).await;
    }

    async fn concurrent_and_crossing_moves_keep_every_window_count_equal_to_its_bookings(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let (people, w) = seed_visits(&app, 6, 6).await;
        let (acme, scope) = (people.acme, household(&people));
        // V-1..V-3 in AM, V-4..V-6 in PM.
        for n in 1..=6 {
            let to = if n <= 3 { w[0] } else { w[1] };
            store_move(&app.store, acme, &scope, &format!("V-{n}"), to).await.unwrap();
        }
        for round in 0..3 {
            let mut set = JoinSet::new();
            for n in 1..=6_usize {
                // Each visit is moved by two tabs at once: to the other window (crossing
                // the visits moving the other way) and into the one it holds or the third.
                let targets = [w[(n + round) % 2], w[(n + round + 1) % 3]];
                for to in targets {
                    let store = app.store.clone();
                    let scope = scope.clone();
                    set.spawn(async move {
                        tokio::time::timeout(StdDuration::from_secs(20), store_move(&store, acme, &scope, &format!("V-{n}"), to))
                            .await
                            .expect("a move finishes")
                    });
                }
            }
            while let Some(done) = set.join_next().await {
                let outcome = done.unwrap().expect("no move fails (no deadlock, no error)");
                assert_ne!(outcome, MoveOutcome::WindowFull, "six places fit six visits");
            }
            assert_places_match_bookings(&app, acme, &w).await;
        }
        let total: i64 = [booked(&app, acme, w[0]).await, booked(&app, acme, w[1]).await, booked(&app, acme, w[2]).await].iter().sum();
        assert_eq!(total, 6, "six visits hold six places");
    }

    async fn rescheduling_into_the_held_window_through_the_page_takes_no_second_place(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let (people, w) = seed_visits(&app, 1, 3).await;
        let acme = people.acme;
        let dana = dana_on(&app, people.household).await;
        let am = w[0].to_string();
        for _ in 0..3 {
            let res = app.submit(&dana, "acme", "/jobs/V-1/reschedule", "/jobs/V-1/reschedule", &[("window", &am)]).await;
            assert_eq!(res.status(), 303);
            assert_eq!(booked(&app, acme, w[0]).await, 1, "Booked 1 of 3 with one booking");
        }
        // Two tabs at once, into the held window and away from it.
        let token = csrf_of(&dana, &app.url("acme", "/jobs/V-1/reschedule")).await;
        let posts = vec![
            post(&app, "/jobs/V-1/reschedule", &[("window", &am)], false),
            post(&app, "/jobs/V-1/reschedule", &[("window", &w[1].to_string())], false),
        ];
        for (status, _, url) in all_at_once(&dana, &token, posts).await {
            assert!(status == 303 || status == 409, "{url}: {status}");
        }
        assert_places_match_bookings(&app, acme, &w).await;
        assert_eq!(booked(&app, acme, w[0]).await + booked(&app, acme, w[1]).await, 1);
    }

    // Point 11: 2 × the pool's size of writers of each write path at once.
    async fn twice_the_pool_of_customers_opening_support_tickets_at_once_all_succeed_quickly(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let dana = dana_on(&app, people.household).await;
        let token = csrf_of(&dana, &app.url("acme", "/support/new")).await;
        let posts = (0..WRITERS)
            .map(|n| post(&app, "/support/new", &[("subject", &format!("At once {n}")), ("description", "All together now")], true))
            .collect();
        let answers = all_at_once(&dana, &token, posts).await;
        assert_all_quick("support tickets", &answers, 303);
        let mail = app.store.outbox_page(people.acme, None, 50).await.unwrap();
        assert_eq!(mail.len(), WRITERS, "the office is told of each");
    }

    async fn twice_the_pool_of_support_comments_and_office_replies_at_once_all_succeed_quickly(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let dana = dana_on(&app, people.household).await;
        let token = csrf_of(&dana, &app.url("acme", "/support/new")).await;
        let mut numbers = Vec::new();
        for n in 0..WRITERS {
            let p = post(&app, "/support/new", &[("subject", &format!("Ticket {n}")), ("description", "Please help")], true);
            let answers = all_at_once(&dana, &token, vec![p]).await;
            assert_eq!(answers.len(), 1);
            assert_eq!(answers[0].0, 303);
        }
        let list = dana.get(app.url("acme", "/support")).send().await.unwrap().text().await.unwrap();
        let doc = html(&list);
        let sel = scraper::Selector::parse("a[href^='/support/S-']").unwrap();
        for a in doc.select(&sel) {
            let href = a.value().attr("href").unwrap().to_owned();
            if !numbers.contains(&href) {
                numbers.push(href);
            }
        }
        assert_eq!(numbers.len(), WRITERS, "{numbers:?}");
        let comments = numbers.iter()
            .map(|href| post(&app, &format!("{href}/comments"), &[("body", "Any news?")], true))
            .collect();
        assert_all_quick("support comments", &all_at_once(&dana, &token, comments).await, 303);

        let office = office(&app).await;
        let office_token = csrf_of(&office, &app.url("acme", "/office/support")).await;
        let replies = numbers.iter()
            .map(|href| post(&app, &format!("/office{href}/reply"), &[("body", "On our way"), ("status", "open")], true))
            .collect();
        assert_all_quick("office replies", &all_at_once(&office, &office_token, replies).await, 303);
        let statuses = numbers.iter()
            .map(|href| post(&app, &format!("/office{href}/status"), &[("status", "closed")], false))
            .collect();
        assert_all_quick("office status changes", &all_at_once(&office, &office_token, statuses).await, 303);
    }

    async fn twice_the_pool_of_reschedules_then_cancellations_at_once_all_succeed_quickly(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let (people, w) = seed_visits(&app, WRITERS, WRITERS as i64).await;
        let dana = dana_on(&app, people.household).await;
        let token = csrf_of(&dana, &app.url("acme", "/jobs/V-1/reschedule")).await;
        let window = w[2].to_string();
        let moves = (1..=WRITERS)
            .map(|n| post(&app, &format!("/jobs/V-{n}/reschedule"), &[("window", &window)], false))
            .collect();
        assert_all_quick("reschedules", &all_at_once(&dana, &token, moves).await, 303);
        assert_eq!(booked(&app, people.acme, w[2]).await, WRITERS as i64);
        let cancels = (1..=WRITERS)
            .map(|n| post(&app, &format!("/jobs/V-{n}/cancel"), &[("reason", "Away that week"), ("confirm", "yes")], false))
            .collect();
        assert_all_quick("cancellations", &all_at_once(&dana, &token, cancels).await, 303);
        assert_places_match_bookings(&app, people.acme, &w).await;
        assert_eq!(booked(&app, people.acme, w[2]).await, 0);
    }

    async fn twice_the_pool_of_office_proposals_then_customer_answers_at_once_all_succeed_quickly(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let acme = people.acme;
        let dana_contact = app.store.contacts_of_customer(acme, people.household).await.unwrap()[0].id;
        let contact = Some(doorstep_core::ids::ContactId(dana_contact));
        let mut tx = app.store.begin().await.unwrap();
        for n in 1..=WRITERS {
            tx.insert_service_request(acme, &doorstep_store::requests::NewServiceRequest {
                customer: people.household, site: None, contact, submitted_by: contact, number: format!("R-{n}"),
                status: doorstep_core::status::RequestStatus::New,
                preferred_date: Some(today() + Duration::days(3)), schedule_type: Some(ScheduleType::Am),
                job_type: None, description: format!("Tap {n}"), po_number: String::new(), estimate: None,
                converted_job: None, decline_reason: String::new(), created_at: doorstep_store::now(),
            }).await.unwrap();
        }
        tx.commit().await.unwrap();
        let office = office(&app).await;
        let office_token = csrf_of(&office, &app.url("acme", "/office/requests/R-1")).await;
        let day = (today() + Duration::days(6)).to_string();
        let proposals = (1..=WRITERS)
            .map(|n| post(&app, &format!("/office/requests/R-{n}/propose"), &[("date", &day), ("schedule_type", "pm")], false))
            .collect();
        assert_all_quick("office proposals", &all_at_once(&office, &office_token, proposals).await, 303);
        let dana = dana_on(&app, people.household).await;
        let token = csrf_of(&dana, &app.url("acme", "/requests/R-1/proposal")).await;
        let answers = (1..=WRITERS)
            .map(|n| post(&app, &format!("/requests/R-{n}/proposal"), &[("answer", "accept")], false))
            .collect();
        assert_all_quick("proposal answers", &all_at_once(&dana, &token, answers).await, 303);
        for n in 1..=WRITERS {
            let r = app.store.request_proposal_for_office(acme, &format!("R-{n}")).await.unwrap().unwrap();
            assert_eq!(r.proposal_status.as_deref(), Some("accepted"), "R-{n}");
        }
    }

    async fn twice_the_pool_of_request_submissions_at_once_all_succeed_quickly(backend: Backend) {
        let f = crate::requests::setup(backend).await;
        let dana = crate::requests::browser(&f, "dana@example.test", Some(f.people.household)).await;
        let mut drafts = Vec::new();
        for n in 0..WRITERS {
            let base = crate::requests::fill_to_photos(&f, &dana, f.home, &format!("Leak {n}")).await;
            let (status, _, _) = crate::request_photos::post_photos(&f, &dana, &base, "continue", &[]).await;
            assert_eq!(status, 303);
            drafts.push(base);
        }
        let token = csrf_of(&dana, &f.app.url("acme", &format!("{}/summary", drafts[0]))).await;
        let posts = drafts.iter().map(|base| post(&f.app, &format!("{base}/submit"), &[], false)).collect();
        assert_all_quick("request submissions", &all_at_once(&dana, &token, posts).await, 303);
        let mail = f.app.store.outbox_page(f.people.acme, None, 50).await.unwrap();
        assert_eq!(mail.len(), 2 * WRITERS, "the office's and the customer's copy of each");
    }

    // Point 10d.
    async fn a_sign_up_name_with_a_line_break_is_refused_next_to_the_field(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        allow_sign_up(&app, people.acme).await;
        let client = app.client(&["acme"]);
        let sent = app.submit(&client, "acme", "/sign-up", "/sign-up", &[("email", "nora@example.test")]).await;
        assert_eq!(sent.status(), 200);
        let outbox = app.store.outbox_page(people.acme, None, 10).await.unwrap();
        let link = outbox[0].body_text.split_whitespace().find(|w| w.starts_with("http://")).unwrap();
        let path = link.trim_start_matches(&app.origin("acme")).to_owned();
        for (first, last) in [("Nora\r\nBcc: all@example.test", "Quist"), ("Nora", "Qu\r\nist")] {
            let res = app.submit(&client, "acme", &path, &path, &[
                ("first_name", first), ("last_name", last), ("phone", ""), ("organisation", ""), ("password", PASSWORD),
            ]).await;
            assert_eq!(res.status(), 422, "{first:?} {last:?}");
            let doc = html(&res.text().await.unwrap());
            let message = text_of(&doc, "#first_name-error").or_else(|| text_of(&doc, "#last_name-error")).unwrap();
            assert!(message.contains("one line"), "{message}");
        }
        // Other control characters never reach the form: the edge answers the branded 400.
        let res = app.submit(&client, "acme", &path, &path, &[
            ("first_name", "Nora"), ("last_name", "Qu\u{7}ist"), ("phone", ""), ("organisation", ""), ("password", PASSWORD),
        ]).await;
        assert_eq!(res.status(), 400);
        assert!(app.store.customers_page(people.acme, Some("quist"), None, 10).await.unwrap().is_empty(), "nothing saved");
    }

    // Point 10f.
    async fn ambiguous_catalogue_prices_are_refused_and_plain_ones_read_as_typed(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let office = office(&app).await;
        for (n, typed) in ["12,50", "1.234,5", "1,2345", "12 50"].iter().enumerate() {
            let name = format!("Ambiguous {n}");
            let (status, body) = add_item(&app, &office, &name, typed).await;
            assert_eq!(status, 422, "{typed}");
            let message = text_of(&html(&body), "#price-error").unwrap();
            assert!(message.contains("12.50"), "{typed}: {message}");
            assert_eq!(price_of(&app, people.acme, &name).await, None, "{typed} saved nothing");
        }
        for (n, (typed, minor)) in [("12.50", 1250), ("1,250.00", 125_000), ("1250", 125_000), ("$1,250", 125_000)].iter().enumerate() {
            let name = format!("Plain {n}");
            let (status, _) = add_item(&app, &office, &name, typed).await;
            assert_eq!(status, 303, "{typed}");
            assert_eq!(price_of(&app, people.acme, &name).await, Some(*minor), "{typed}");
        }
    }

    // Point 10g.
    async fn a_duplicate_catalogue_name_answers_409_with_the_form_and_a_message(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let office = office(&app).await;
        assert_eq!(add_item(&app, &office, "Drain cleaning", "95").await.0, 303);
        assert_eq!(add_item(&app, &office, "Boiler service", "120").await.0, 303);
        for name in ["Drain cleaning", "drain CLEANING"] {
            let (status, body) = add_item(&app, &office, name, "80").await;
            assert_eq!(status, 409, "{name}");
            let doc = html(&body);
            assert!(text_of(&doc, "#name-error").unwrap().contains("already"), "{body}");
            let kept = scraper::Selector::parse("input#name").unwrap();
            assert_eq!(doc.select(&kept).next().unwrap().value().attr("value"), Some(name), "the form keeps what was typed");
        }
        // Renaming another item onto the name clashes the same way.
        let items = app.store.catalogue_page(people.acme, None, 10).await.unwrap();
        let boiler = items.iter().find(|i| i.name == "Boiler service").unwrap().id;
        let page = format!("/office/catalogue/{boiler}");
        let res = app.submit(&office, "acme", &page, &page, &[("kind", "service"), ("name", "Drain cleaning"), ("description", ""), ("price", "120")]).await;
        assert_eq!(res.status(), 409);
        let doc = html(&res.text().await.unwrap());
        assert!(text_of(&doc, "#name-error").unwrap().contains("already"));
        let names: Vec<String> = app.store.catalogue_page(people.acme, None, 10).await.unwrap().into_iter().map(|i| i.name).collect();
        assert_eq!(names.iter().filter(|n| n.eq_ignore_ascii_case("drain cleaning")).count(), 1, "{names:?}");
    }

    async fn malformed_form_and_query_values_answer_the_branded_page_not_plain_text(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let dana = dana_on(&app, people.household).await;
        let token = csrf_of(&dana, &app.url("acme", "/accounts")).await;
        // A number field that is not a number, and a missing required field.
        for form in [vec![("customer", "abc"), ("csrf_token", token.as_str())], vec![("csrf_token", token.as_str())]] {
            let res = dana.post(app.url("acme", "/accounts")).header("origin", app.origin("acme")).form(&form).send().await.unwrap();
            let status = res.status().as_u16();
            assert!(status == 400 || status == 422, "{form:?}: {status}");
            let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
            let body = res.text().await.unwrap();
            assert!(is_branded_page(&content_type, &body), "{form:?}: {content_type} {body}");
        }
        let office = office(&app).await;
        for path in ["/office/catalogue?after_name=a&after_id=abc", "/office/catalogue/abc", "/office/customers?after_id=x"] {
            let res = office.get(app.url("acme", path)).send().await.unwrap();
            let status = res.status().as_u16();
            assert!(status == 400 || status == 404 || status == 422, "{path}: {status}");
            let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
            let body = res.text().await.unwrap();
            assert!(is_branded_page(&content_type, &body), "{path}: {content_type} {body}");
        }
    }
}
