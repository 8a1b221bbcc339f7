//! Estimates in the portal: each account sees its own, answers are final, happen once,
//! notify the office and are refused to site contacts and after expiry.

use doorstep_core::ids::CustomerId;
use doorstep_testkit::{Backend, both_backends};

use crate::billing_data::seed_billing;
use crate::helpers::{People, TestApp, html, seed_people, sign_in, text_of};

/// Dana's browser acting for `account`.
pub async fn dana_on(app: &TestApp, account: CustomerId) -> reqwest::Client {
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

async fn setup(backend: Backend) -> (TestApp, People) {
    let app = TestApp::spawn(backend).await;
    let people = seed_people(&app).await;
    seed_billing(&app, &people).await;
    (app, people)
}

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn status_of(app: &TestApp, client: &reqwest::Client, number: &str) -> String {
    let (_, body) = get(app, client, &format!("/estimates/{number}")).await;
    text_of(&html(&body), "[data-testid=estimate-status]").unwrap_or_default()
}

async fn outbox_kinds(app: &TestApp, people: &People) -> Vec<String> {
    app.store
        .outbox_page(people.acme, None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

both_backends! {
    async fn each_of_danas_accounts_lists_its_own_estimates_and_another_accounts_number_is_404(backend: Backend) {
        let (app, people) = setup(backend).await;
        let dana = dana_on(&app, people.household).await;
        let (status, body) = get(&app, &dana, "/estimates").await;
        assert_eq!(status, 200);
        assert!(body.contains("E-1") && body.contains("E-3") && !body.contains("E-7"));
        assert!(body.contains("Expired"), "E-2 is past its last day");
        assert_eq!(get(&app, &dana, "/estimates/E-7").await.0, 404);
        assert_eq!(get(&app, &dana, "/estimates/NOPE").await.0, 404);
        assert_eq!(get(&app, &dana, "/estimates?after=garbage").await.0, 200, "a bad cursor gets the page with a message");
        let harbor = dana_on(&app, people.harbor).await;
        let (status, body) = get(&app, &harbor, "/estimates/E-7").await;
        assert_eq!(status, 200);
        assert!(body.contains("Water heater E-7"));
        assert_eq!(get(&app, &harbor, "/estimates/E-1").await.0, 404);
    }

    async fn ticking_an_optional_line_recomputes_the_totals_on_the_server(backend: Backend) {
        let (app, people) = setup(backend).await;
        let dana = dana_on(&app, people.household).await;
        let (_, body) = get(&app, &dana, "/estimates/E-1").await;
        assert_eq!(text_of(&html(&body), "[data-testid=estimate-total]").unwrap(), "$110.00");
        let doc = html(&body);
        let sel = scraper::Selector::parse("input[name=opt]").unwrap();
        let opt = doc.select(&sel).next().unwrap().value().attr("value").unwrap().to_owned();
        let (_, body) = get(&app, &dana, &format!("/estimates/E-1?choose=1&opt={opt}")).await;
        assert_eq!(text_of(&html(&body), "[data-testid=estimate-total]").unwrap(), "$165.00");
        assert!(body.contains(&format!("name=\"opt\" value=\"{opt}\"")));
    }

    async fn approving_records_signature_ip_and_amounts_notifies_the_office_and_happens_once(backend: Backend) {
        let (app, people) = setup(backend).await;
        let dana = dana_on(&app, people.household).await;
        let (_, body) = get(&app, &dana, "/estimates/E-1").await;
        let doc = html(&body);
        let sel = scraper::Selector::parse("input[name=opt]").unwrap();
        let opt = doc.select(&sel).next().unwrap().value().attr("value").unwrap().to_owned();
        let page = format!("/estimates/E-1?choose=1&opt={opt}");
        let res = app.submit(&dana, "acme", &page, "/estimates/E-1/approve",
            &[("signed_name", "Dana Whitaker"), ("opt", &opt), ("shown_total", "16500")]).await;
        assert_eq!(res.status().as_u16(), 303);
        let scope = doorstep_core::authz::ContactScope { customer: people.household, role: doorstep_core::status::ContactRole::Company, sites: vec![] };
        let e = app.store.estimate_document(people.acme, &scope, "E-1").await.unwrap().unwrap();
        let a = e.approval.unwrap();
        assert_eq!(a.signed_name, "Dana Whitaker");
        assert_eq!(a.ip, "127.0.0.1");
        assert_eq!((a.subtotal_minor, a.tax_minor, a.total_minor), (Some(15_000), Some(1_500), Some(16_500)));
        assert!(a.options_json.contains("Recirculation pump"));
        assert_eq!(outbox_kinds(&app, &people).await, ["estimate_approved"]);
        let mail = &app.store.outbox_page(people.acme, None, 1).await.unwrap()[0];
        assert_eq!(mail.to_address, "hello@acme.test");
        assert!(mail.body_text.contains("$165.00") && mail.body_text.contains("Dana Whitaker"));
        assert_eq!(app.store.recent_audit_actions(people.acme, 1).await.unwrap(), ["estimate.approved"]);
        assert_eq!(status_of(&app, &dana, "E-1").await, "Approved");

        // A second approval (say, from a stale tab) is refused and changes nothing.
        let stale = dana.post(app.url("acme", "/estimates/E-1/approve")).header("origin", app.origin("acme"))
            .form(&[("signed_name", "Someone Else"), ("shown_total", "11000"), ("csrf_token", &crate::helpers::csrf_of(&dana, &app.url("acme", "/")).await)])
            .send().await.unwrap();
        assert_eq!(stale.status().as_u16(), 409);
        assert!(stale.text().await.unwrap().contains("Nothing was changed"));
        let e = app.store.estimate_document(people.acme, &scope, "E-1").await.unwrap().unwrap();
        assert_eq!(e.approval.unwrap().signed_name, "Dana Whitaker");
        assert_eq!(outbox_kinds(&app, &people).await.len(), 1);
    }

    async fn a_missing_signature_or_a_changed_total_is_refused_next_to_the_field(backend: Backend) {
        let (app, people) = setup(backend).await;
        let dana = dana_on(&app, people.household).await;
        let res = app.submit(&dana, "acme", "/estimates/E-1", "/estimates/E-1/approve", &[("signed_name", "  "), ("shown_total", "11000")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        assert!(text_of(&html(&body), "#signed_name-error").unwrap().contains("full name"));
        let res = app.submit(&dana, "acme", "/estimates/E-1", "/estimates/E-1/approve", &[("signed_name", "Dana"), ("shown_total", "1")]).await;
        assert_eq!(res.status().as_u16(), 409);
        assert_eq!(status_of(&app, &dana, "E-1").await, "Awaiting your answer");
    }

    async fn declining_keeps_the_reason_and_an_expired_estimate_cannot_be_answered(backend: Backend) {
        let (app, people) = setup(backend).await;
        let dana = dana_on(&app, people.household).await;
        // The estimate page offers no one-click decline: a link to a step that asks first.
        let (_, page) = get(&app, &dana, "/estimates/E-3").await;
        assert!(!page.contains("action=\"/estimates/E-3/decline\""), "no decline form on the estimate page");
        assert!(page.contains("href=\"/estimates/E-3/decline\""));
        let (status, ask) = get(&app, &dana, "/estimates/E-3/decline").await;
        assert_eq!(status, 200);
        let ask = html(&ask);
        assert_eq!(text_of(&ask, "h1").unwrap(), "Decline estimate E-3?");
        assert!(text_of(&ask, "[data-testid=decline-total]").unwrap().starts_with('$'));
        assert_eq!(status_of(&app, &dana, "E-3").await, "Awaiting your answer", "asking changes nothing");
        // A reason too long: the step again, the reason kept, nothing declined.
        let long = "x".repeat(2001);
        let res = app.submit(&dana, "acme", "/estimates/E-3/decline", "/estimates/E-3/decline", &[("reason", &long)]).await;
        assert_eq!(res.status().as_u16(), 422);
        let body = html(&res.text().await.unwrap());
        assert!(text_of(&body, "#reason-error").is_some());
        assert_eq!(text_of(&body, "h1").unwrap(), "Decline estimate E-3?");
        assert_eq!(status_of(&app, &dana, "E-3").await, "Awaiting your answer");
        let res = app.submit(&dana, "acme", "/estimates/E-3/decline", "/estimates/E-3/decline", &[("reason", "Too expensive for now")]).await;
        assert_eq!(res.status().as_u16(), 303);
        let (_, body) = get(&app, &dana, "/estimates/E-3").await;
        assert!(body.contains("Too expensive for now"));
        assert_eq!(text_of(&html(&body), "[data-testid=estimate-status]").unwrap(), "Declined");
        assert_eq!(outbox_kinds(&app, &people).await, ["estimate_declined"]);
        assert_eq!(app.store.recent_audit_actions(people.acme, 1).await.unwrap(), ["estimate.declined"]);

        let res = app.submit(&dana, "acme", "/estimates/E-2", "/estimates/E-2/approve", &[("signed_name", "Dana Whitaker"), ("shown_total", "11000")]).await;
        assert_eq!(res.status().as_u16(), 409);
        assert_eq!(status_of(&app, &dana, "E-2").await, "Expired");
        let res = app.submit(&dana, "acme", "/estimates/E-1", "/estimates/E-2/decline", &[]).await;
        assert_eq!(res.status().as_u16(), 409);
        assert_eq!(outbox_kinds(&app, &people).await.len(), 1);
    }

    async fn requesting_changes_messages_the_office_and_keeps_the_estimate_pending(backend: Backend) {
        let (app, people) = setup(backend).await;
        let dana = dana_on(&app, people.household).await;
        let res = app.submit(&dana, "acme", "/estimates/E-1", "/estimates/E-1/changes", &[("message", "Could you quote a brass valve?")]).await;
        assert_eq!(res.status().as_u16(), 303);
        let (_, body) = get(&app, &dana, "/estimates/E-1").await;
        assert!(body.contains("Could you quote a brass valve?"));
        assert_eq!(text_of(&html(&body), "[data-testid=estimate-status]").unwrap(), "Awaiting your answer");
        assert_eq!(outbox_kinds(&app, &people).await, ["estimate_changes_requested"]);
        let res = app.submit(&dana, "acme", "/estimates/E-1", "/estimates/E-1/changes", &[("message", "")]).await;
        assert_eq!(res.status().as_u16(), 422);
    }

    async fn a_site_contact_can_neither_see_nor_answer_estimates(backend: Backend) {
        let (app, people) = setup(backend).await;
        let sam = app.client(&["acme"]);
        sign_in(&app, &sam, "acme", "sam@example.test").await;
        assert_eq!(get(&app, &sam, "/estimates").await.0, 404);
        assert_eq!(get(&app, &sam, "/estimates/E-7").await.0, 404);
        let res = app.submit(&sam, "acme", "/", "/estimates/E-7/approve", &[("signed_name", "Sam X"), ("shown_total", "11000")]).await;
        assert_eq!(res.status().as_u16(), 404);
        let res = app.submit(&sam, "acme", "/", "/estimates/E-7/decline", &[]).await;
        assert_eq!(res.status().as_u16(), 404);
        assert_eq!(get(&app, &sam, "/estimates/E-7/decline").await.0, 404);
        let harbor = dana_on(&app, people.harbor).await;
        assert_eq!(status_of(&app, &harbor, "E-7").await, "Awaiting your answer");
        assert!(outbox_kinds(&app, &people).await.is_empty());
    }
}
