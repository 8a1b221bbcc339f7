//! Requesting service from the portal: the guided form keeps every answer, refuses bad or
//! crafted input next to the field with nothing saved, submits exactly once, creates the
//! request with an open estimate, queues both emails, and books windows without overbooking.

use doorstep_core::ids::CustomerId;
use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{People, TestApp, html, seed_people, sign_in, text_of};

pub(crate) struct Fixture {
    pub app: TestApp,
    pub people: People,
    job_type: i64,
    item: i64,
    hidden_item: i64,
    pub home: i64,
    pub bayview: i64,
}

pub(crate) async fn setup(backend: Backend) -> Fixture {
    let app = TestApp::spawn(backend).await;
    let people = seed_people(&app).await;
    let mut tx = app.store.begin().await.unwrap();
    let job_type = tx
        .insert_job_type(people.acme, "Repair", true, 1)
        .await
        .unwrap();
    let item = tx
        .insert_catalogue_item(people.acme, "service", "Boiler service", "", 9000, true)
        .await
        .unwrap()
        .0;
    let hidden_item = tx
        .insert_catalogue_item(people.acme, "product", "Old heater", "", 0, false)
        .await
        .unwrap()
        .0;
    tx.commit().await.unwrap();
    let home = app
        .store
        .sites_of_customer(people.acme, people.household, None)
        .await
        .unwrap()[0]
        .id;
    let bayview = app
        .store
        .sites_of_customer(people.acme, people.harbor, None)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name.starts_with("Bayview"))
        .unwrap()
        .id;
    Fixture {
        app,
        people,
        job_type,
        item,
        hidden_item,
        home,
        bayview,
    }
}

pub(crate) async fn browser(
    f: &Fixture,
    email: &str,
    account: Option<CustomerId>,
) -> reqwest::Client {
    let client = f.app.client(&["acme"]);
    sign_in(&f.app, &client, "acme", email).await;
    if let Some(account) = account {
        f.app
            .submit(
                &client,
                "acme",
                "/accounts",
                "/accounts",
                &[("customer", &account.0.to_string())],
            )
            .await;
    }
    client
}

pub(crate) fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

fn in_days(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(days)).to_string()
}

/// Posts `fields` to `path` (the form's own page gives the token); status, location, body.
pub(crate) async fn post(
    f: &Fixture,
    client: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let res = f.app.submit(client, "acme", page, action, fields).await;
    let status = res.status().as_u16();
    let to = location(&res);
    (status, to, res.text().await.unwrap())
}

pub(crate) async fn get(f: &Fixture, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client.get(f.app.url("acme", path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Walks steps 1–4 with good answers, then past the photos step without photos; returns
/// the draft's base path.
async fn fill(f: &Fixture, client: &reqwest::Client, site: i64, description: &str) -> String {
    let base = fill_to_photos(f, client, site, description).await;
    let (status, to, _) =
        crate::request_photos::post_photos(f, client, &base, "continue", &[]).await;
    assert_eq!(
        (status, to.as_str()),
        (303, format!("{base}/summary").as_str())
    );
    base
}

/// Walks steps 1–4 with good answers up to the photos step; returns the draft's base path.
pub(crate) async fn fill_to_photos(
    f: &Fixture,
    client: &reqwest::Client,
    site: i64,
    description: &str,
) -> String {
    let date = in_days(3);
    let (status, to, _) = post(
        f,
        client,
        "/requests/new",
        "/requests/new",
        &[("date", &date), ("schedule", "am")],
    )
    .await;
    assert_eq!(status, 303);
    let base = to.trim_end_matches("/address").to_owned();
    let site = site.to_string();
    let (_, to, _) = post(
        f,
        client,
        &format!("{base}/address"),
        &format!("{base}/address"),
        &[("site", &site)],
    )
    .await;
    assert_eq!(to, format!("{base}/contact"));
    let page = get(f, client, &format!("{base}/contact")).await.1;
    let doc = html(&page);
    let sel = scraper::Selector::parse("input[name=contact][checked]").unwrap();
    let chosen = doc
        .select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap()
        .to_owned();
    let (_, to, _) = post(
        f,
        client,
        &format!("{base}/contact"),
        &format!("{base}/contact"),
        &[("contact", &chosen)],
    )
    .await;
    assert_eq!(to, format!("{base}/what"));
    let (job_type, item) = (f.job_type.to_string(), f.item.to_string());
    let (_, to, _) = post(
        f,
        client,
        &format!("{base}/what"),
        &format!("{base}/what"),
        &[
            ("job_type", &job_type),
            ("item", &item),
            ("description", description),
            ("po_number", "PO-77"),
        ],
    )
    .await;
    assert_eq!(
        to,
        format!("{base}/photos"),
        "photos come after what needs doing"
    );
    base
}

async fn request_count(f: &Fixture) -> usize {
    let scope = doorstep_core::authz::ContactScope {
        customer: f.people.household,
        role: doorstep_core::status::ContactRole::Company,
        sites: vec![],
    };
    let mut n = f
        .app
        .store
        .my_requests(f.people.acme, &scope, None, 100)
        .await
        .unwrap()
        .len();
    let harbor = doorstep_core::authz::ContactScope {
        customer: f.people.harbor,
        ..scope
    };
    n += f
        .app
        .store
        .my_requests(f.people.acme, &harbor, None, 100)
        .await
        .unwrap()
        .len();
    n
}

both_backends! {
    async fn dana_requests_service_step_by_step_and_gets_a_confirmation_an_estimate_and_two_emails(backend: Backend) {
        let f = setup(backend).await;
        let dana = browser(&f, "dana@example.test", Some(f.people.household)).await;
        let (status, body) = get(&f, &dana, "/requests").await;
        assert_eq!(status, 200);
        assert!(body.contains("You have not sent any requests yet."));
        let base = fill(&f, &dana, f.home, "Radiator <b>leaks</b> in the hall").await;

        // Make changes from the summary: back to step 4, answers still there, then back to the summary.
        let (_, summary) = get(&f, &dana, &format!("{base}/summary")).await;
        assert!(summary.contains("leaks") && !summary.contains("<b>leaks"), "shown, escaped");
        assert!(summary.contains(&format!("{base}/what")));
        let (_, what) = get(&f, &dana, &format!("{base}/what")).await;
        assert!(html(&what).select(&scraper::Selector::parse("#description").unwrap()).next().unwrap().inner_html().contains("leaks") && what.contains("PO-77"));
        let (job_type, item) = (f.job_type.to_string(), f.item.to_string());
        let (_, to, _) = post(&f, &dana, &format!("{base}/what"), &format!("{base}/what"), &[
            ("job_type", &job_type), ("item", &item), ("description", "Radiator leaks in the hall and the kitchen"), ("po_number", "PO-77"),
        ]).await;
        assert_eq!(to, format!("{base}/summary"), "after a change the summary comes back");

        let (status, to, _) = post(&f, &dana, &format!("{base}/summary"), &format!("{base}/submit"), &[]).await;
        assert_eq!(status, 303);
        assert!(to.starts_with("/requests/R-") && to.ends_with("?submitted=1"), "{to}");
        let (status, page) = get(&f, &dana, &to).await;
        assert_eq!(status, 200);
        let doc = html(&page);
        assert!(text_of(&doc, "[data-testid=confirmation]").unwrap().contains("The office will confirm"));
        let estimate = text_of(&doc, "[data-testid=estimate-number]").unwrap();
        assert!(estimate.starts_with("E-"), "{estimate}");
        assert!(text_of(&doc, "[data-testid=request-address]").unwrap().contains("14 Elm Street"));
        let day = doorstep_core::local_time::weekday_date(time::OffsetDateTime::now_utc().date() + time::Duration::days(3));
        assert!(text_of(&doc, "[data-testid=request-when]").unwrap().contains(&day));
        assert!(text_of(&doc, "[data-testid=request-description]").unwrap().contains("and the kitchen"));
        assert!(text_of(&doc, "[data-testid=request-contact]").unwrap().contains("dana@example.test"));
        assert_eq!(text_of(&doc, "[data-testid=request-status]").as_deref(), Some("Sent"));
        // The estimate number is reserved for the office to price: it is not offered for approval at $0.
        let (_, estimates) = get(&f, &dana, "/estimates").await;
        assert!(!estimates.contains(&estimate), "a draft estimate is not offered yet");
        let (status, _) = get(&f, &dana, &format!("/estimates/{estimate}")).await;
        assert_eq!(status, 404);

        let emails = f.app.store.outbox_page(f.people.acme, None, 50).await.unwrap();
        let office = emails.iter().find(|e| e.kind == "request_received_company").expect("office copy");
        assert_eq!(office.to_address, "hello@acme.test");
        for field in ["Dana Whitaker", "Dana X", "dana@example.test", &estimate, "and the kitchen", "PO-77"] {
            assert!(office.body_text.contains(field), "office copy lacks {field}: {}", office.body_text);
        }
        let customer = emails.iter().find(|e| e.kind == "request_received_customer").expect("customer copy");
        assert_eq!(customer.to_address, "dana@example.test");
        for field in ["14 Elm Street", "Dana X", "and the kitchen", &estimate] {
            assert!(customer.body_text.contains(field), "customer copy lacks {field}: {}", customer.body_text);
        }

        // A second submit of the same draft (double click, retry) creates nothing more.
        let number = to.trim_start_matches("/requests/").trim_end_matches("?submitted=1").to_owned();
        let res = dana.post(f.app.url("acme", &format!("{base}/submit")))
            .header("origin", f.app.origin("acme"))
            .form(&[("csrf_token", crate::helpers::csrf_of(&dana, &f.app.url("acme", "/requests")).await.as_str())])
            .send().await.unwrap();
        assert_eq!(location(&res), format!("/requests/{number}?submitted=1"));
        assert_eq!(request_count(&f).await, 1);
        assert_eq!(f.app.store.outbox_page(f.people.acme, None, 50).await.unwrap().len(), emails.len());

        // My requests lists it; the other account does not see it.
        let (_, list) = get(&f, &dana, "/requests").await;
        assert!(list.contains(&number));
        f.app.submit(&dana, "acme", "/accounts", "/accounts", &[("customer", &f.people.harbor.0.to_string())]).await;
        assert_eq!(get(&f, &dana, &format!("/requests/{number}")).await.0, 404);
        assert!(!get(&f, &dana, "/requests").await.1.contains(&number));
    }

    async fn double_submit_at_once_creates_one_request(backend: Backend) {
        let f = setup(backend).await;
        let dana = browser(&f, "dana@example.test", Some(f.people.household)).await;
        let base = fill(&f, &dana, f.home, "Leak").await;
        let token = crate::helpers::csrf_of(&dana, &f.app.url("acme", &format!("{base}/summary"))).await;
        let send = || dana.post(f.app.url("acme", &format!("{base}/submit")))
            .header("origin", f.app.origin("acme"))
            .form(&[("csrf_token", token.as_str())])
            .send();
        let (a, b) = tokio::join!(send(), send());
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(location(&a), location(&b));
        assert_eq!(request_count(&f).await, 1);
    }

    async fn each_bad_answer_is_refused_next_to_its_field_and_nothing_is_saved(backend: Backend) {
        let f = setup(backend).await;
        let dana = browser(&f, "dana@example.test", Some(f.people.household)).await;
        // A date in the past: no draft even starts.
        let (status, _, body) = post(&f, &dana, "/requests/new", "/requests/new", &[("date", &in_days(-1)), ("schedule", "am")]).await;
        assert_eq!(status, 422);
        assert!(text_of(&html(&body), "#date-error").unwrap().contains("in the past"));
        assert!(body.contains(&in_days(-1)), "what was typed is kept");
        // Inside the lead time (today, lead 1 day).
        let (status, _, body) = post(&f, &dana, "/requests/new", "/requests/new", &[("date", &in_days(0)), ("schedule", "pm")]).await;
        assert_eq!(status, 422);
        assert!(text_of(&html(&body), "#date-error").unwrap().contains("earliest"));

        let (_, to, _) = post(&f, &dana, "/requests/new", "/requests/new", &[("date", &in_days(5)), ("schedule", "all_day")]).await;
        let base = to.trim_end_matches("/address").to_owned();
        // Another account's site, crafted into the form.
        let foreign = f.bayview.to_string();
        let (status, _, body) = post(&f, &dana, &format!("{base}/address"), &format!("{base}/address"), &[("site", &foreign)]).await;
        assert_eq!(status, 422);
        assert!(text_of(&html(&body), "#site-error").unwrap().contains("addresses listed"));
        assert!(!body.contains("Bayview"), "another account's site is never shown");
        let home = f.home.to_string();
        post(&f, &dana, &format!("{base}/address"), &format!("{base}/address"), &[("site", &home)]).await;
        let contacts = f.app.store.contacts_of_customer(f.people.acme, f.people.household).await.unwrap();
        let mine = contacts[0].id.to_string();
        post(&f, &dana, &format!("{base}/contact"), &format!("{base}/contact"), &[("contact", &mine)]).await;
        // A deactivated catalogue item, and an empty description.
        let hidden = f.hidden_item.to_string();
        let (status, _, body) = post(&f, &dana, &format!("{base}/what"), &format!("{base}/what"), &[("item", &hidden), ("description", "  ")]).await;
        assert_eq!(status, 422);
        let doc = html(&body);
        assert!(text_of(&doc, "#item-error").unwrap().contains("no longer offered"));
        assert!(text_of(&doc, "#description-error").unwrap().contains("Describe"));
        // The summary cannot be reached; submitting sends back to the step.
        let (status, to, _) = post(&f, &dana, &format!("{base}/what"), &format!("{base}/submit"), &[]).await;
        assert_eq!(status, 303);
        assert!(to.starts_with(&base), "{to}");
        assert_eq!(request_count(&f).await, 0);
        assert!(f.app.store.outbox_page(f.people.acme, None, 50).await.unwrap().iter().all(|e| !e.kind.starts_with("request_")));
    }

    async fn sam_requests_only_for_his_site_and_a_foreign_draft_is_404(backend: Backend) {
        let f = setup(backend).await;
        let sam = browser(&f, "sam@example.test", None).await;
        let (_, page) = get(&f, &sam, "/requests/new").await;
        assert!(page.contains("Continue"));
        let base = fill(&f, &sam, f.bayview, "Door sticks").await;
        let (_, address) = get(&f, &sam, &format!("{base}/address")).await;
        assert!(address.contains("Bayview") && !address.contains("Pier Offices") && !address.contains("A new address"));
        // Dana (same account, other login) cannot open Sam's draft.
        let dana = browser(&f, "dana@example.test", Some(f.people.harbor)).await;
        assert_eq!(get(&f, &dana, &format!("{base}/summary")).await.0, 404);
        assert_eq!(get(&f, &dana, "/requests/new/zzzz/summary").await.0, 404);
        let (status, to, _) = post(&f, &sam, &format!("{base}/summary"), &format!("{base}/submit"), &[]).await;
        assert_eq!(status, 303, "{to}");
        let number = to.trim_start_matches("/requests/").trim_end_matches("?submitted=1").to_owned();
        // Dana, a company contact of Harbor, sees Sam's request in the account's list.
        assert!(get(&f, &dana, "/requests").await.1.contains(&number));
    }

    async fn requests_are_absent_and_404_when_the_company_switches_them_off(backend: Backend) {
        let f = setup(backend).await;
        let mut settings = f.app.store.company_by_slug("acme").await.unwrap().unwrap().settings;
        settings.can_create_job = false;
        let mut tx = f.app.store.begin().await.unwrap();
        tx.set_company_settings(f.people.acme, &settings).await.unwrap();
        tx.commit().await.unwrap();
        let dana = browser(&f, "dana@example.test", Some(f.people.household)).await;
        assert_eq!(get(&f, &dana, "/requests/new").await.0, 404);
        assert_eq!(get(&f, &dana, "/requests").await.0, 404);
        let (_, home) = get(&f, &dana, "/").await;
        assert!(!home.contains("href=\"/requests\""));
    }

    async fn twenty_customers_racing_for_a_window_of_three_places_book_exactly_three(backend: Backend) {
        let f = setup(backend).await;
        let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(4);
        let mut tx = f.app.store.begin().await.unwrap();
        let window = tx.insert_availability_window(f.people.acme, day, doorstep_core::status::ScheduleType::Am, 3).await.unwrap();
        tx.commit().await.unwrap();
        let dana = browser(&f, "dana@example.test", Some(f.people.household)).await;
        let choice = format!("window-{window}");
        let mut drafts = Vec::new();
        for _ in 0..20 {
            let (status, to, body) = post(&f, &dana, "/requests/new", "/requests/new", &[("choice", &choice)]).await;
            assert_eq!(status, 303, "{body}");
            let base = to.trim_end_matches("/address").to_owned();
            let home = f.home.to_string();
            post(&f, &dana, &format!("{base}/address"), &format!("{base}/address"), &[("site", &home)]).await;
            let contacts = f.app.store.contacts_of_customer(f.people.acme, f.people.household).await.unwrap();
            post(&f, &dana, &format!("{base}/contact"), &format!("{base}/contact"), &[("contact", &contacts[0].id.to_string())]).await;
            post(&f, &dana, &format!("{base}/what"), &format!("{base}/what"), &[("description", "Tune-up")]).await;
            drafts.push(base);
        }
        let token = crate::helpers::csrf_of(&dana, &f.app.url("acme", "/requests")).await;
        let mut sends = tokio::task::JoinSet::new();
        for base in &drafts {
            let request = dana.post(f.app.url("acme", &format!("{base}/submit")))
                .header("origin", f.app.origin("acme"))
                .form(&[("csrf_token", token.as_str())]);
            sends.spawn(request.send());
        }
        let mut booked = 0;
        let mut refused = 0;
        while let Some(res) = sends.join_next().await {
            let res = res.unwrap().unwrap();
            let status = res.status().as_u16();
            let to = location(&res);
            let body = res.text().await.unwrap();
            if status == 303 && to.starts_with("/requests/R-") {
                booked += 1;
            } else {
                assert!(status == 409 || (status == 303 && to.ends_with("/when")), "{status} {to} {body}");
                refused += 1;
            }
        }
        assert_eq!((booked, refused), (3, 17));
        assert_eq!(request_count(&f).await, 3);
        let w = f.app.store.window(f.people.acme, window).await.unwrap().unwrap();
        assert_eq!((w.booked, w.capacity), (3, 3));
    }
}
