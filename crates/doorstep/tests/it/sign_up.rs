//! Self sign-up: off by default; when on, an email first, then name and password behind
//! the emailed link; the result is a prospect the office sees flagged.

use doorstep_core::ids::CompanyId;
use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{PASSWORD, TestApp, html, seed_people, text_of};

/// Lets acme's visitors create accounts.
pub(crate) async fn allow_sign_up(app: &TestApp, company: CompanyId) {
    let mut settings = app
        .store
        .company_by_slug("acme")
        .await
        .unwrap()
        .unwrap()
        .settings;
    settings.allow_self_sign_up = true;
    let mut tx = app.store.begin().await.unwrap();
    tx.set_company_settings(company, &settings).await.unwrap();
    tx.commit().await.unwrap();
}

fn path_of_link(app: &TestApp, text: &str) -> String {
    let link = text
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("a link");
    link.trim_start_matches(&app.origin("acme")).to_owned()
}

both_backends! {
    async fn sign_up_is_absent_unless_the_company_allows_it(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        assert_eq!(client.get(app.url("acme", "/sign-up")).send().await.unwrap().status(), 404);
        let sign_in = client.get(app.url("acme", "/sign-in")).send().await.unwrap().text().await.unwrap();
        assert!(!sign_in.contains("/sign-up"));
    }

    async fn a_new_customer_verifies_the_email_then_signs_up_as_a_prospect(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        allow_sign_up(&app, people.acme).await;
        let client = app.client(&["acme"]);
        let sign_in = client.get(app.url("acme", "/sign-in")).send().await.unwrap().text().await.unwrap();
        assert!(sign_in.contains("href=\"/sign-up\""), "the sign-in page offers it");

        let bad = app.submit(&client, "acme", "/sign-up", "/sign-up", &[("email", "not-an-email")]).await;
        assert_eq!(bad.status(), 422);
        let doc = html(&bad.text().await.unwrap());
        assert!(text_of(&doc, "#email-error").unwrap().contains("Enter your email address"));
        assert!(app.store.outbox_page(people.acme, None, 10).await.unwrap().is_empty());

        let sent = app.submit(&client, "acme", "/sign-up", "/sign-up", &[("email", "Nora@Example.test")]).await;
        assert_eq!(sent.status(), 200);
        assert!(sent.text().await.unwrap().contains("emailed a link to Nora@Example.test"));
        let outbox = app.store.outbox_page(people.acme, None, 10).await.unwrap();
        assert_eq!((outbox[0].kind.as_str(), outbox[0].to_address.as_str()), ("verify_email", "nora@example.test"));
        // Until the link is followed there is no account and no way in.
        let early = app.submit(&app.client(&["acme"]), "acme", "/sign-in", "/sign-in", &[("email", "nora@example.test"), ("password", "")]).await;
        assert_eq!(early.status(), 422);
        assert!(app.store.customers_page(people.acme, Some("nora"), None, 10).await.unwrap().is_empty());

        let path = path_of_link(&app, &outbox[0].body_text);
        let form = client.get(app.url("acme", &path)).send().await.unwrap();
        assert_eq!(form.status(), 200);
        assert!(form.text().await.unwrap().contains("nora@example.test"));
        let invalid = app.submit(&client, "acme", &path, &path, &[
            ("first_name", ""), ("last_name", "Quist"), ("phone", "555 0100"), ("organisation", ""), ("password", "short"),
        ]).await;
        assert_eq!(invalid.status(), 422);
        let doc = html(&invalid.text().await.unwrap());
        assert!(text_of(&doc, "#first_name-error").is_some());
        assert!(text_of(&doc, "#password-error").is_some());
        let kept = scraper::Selector::parse("#last_name").unwrap();
        assert_eq!(doc.select(&kept).next().unwrap().value().attr("value"), Some("Quist"), "typed values are kept");
        assert!(app.store.customers_page(people.acme, Some("quist"), None, 10).await.unwrap().is_empty(), "nothing saved");

        let done = app.submit(&client, "acme", &path, &path, &[
            ("first_name", "Nora"), ("last_name", "Quist"), ("phone", "555 0100"), ("organisation", ""), ("password", PASSWORD),
        ]).await;
        assert_eq!((done.status().as_u16(), done.headers()["location"].to_str().unwrap()), (303, "/"));
        let home = html(&client.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap());
        assert_eq!(text_of(&home, "[data-testid=active-account]").as_deref(), Some("Nora Quist"));
        assert_eq!(client.get(app.url("acme", &path)).send().await.unwrap().status(), 410, "the link works once");

        let found = app.store.customers_page(people.acme, Some("nora"), None, 10).await.unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0].is_prospect);
        let office = app.client(&["acme"]);
        app.submit(&office, "acme", "/office", "/office/sign-in", &[("email", "office@acme.test"), ("password", PASSWORD)]).await;
        let list = office.get(app.url("acme", "/office/customers?q=nora")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("Prospect"), "the office sees it flagged");
        assert!(app.store.recent_audit_actions(people.acme, 5).await.unwrap().contains(&"sign_up.completed".to_owned()));
    }

    async fn signing_up_with_a_known_email_reveals_nothing_and_sends_a_sign_in_link(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        allow_sign_up(&app, people.acme).await;
        let client = app.client(&["acme"]);
        let res = app.submit(&client, "acme", "/sign-up", "/sign-up", &[("email", "dana@example.test")]).await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("emailed a link to dana@example.test"));
        let outbox = app.store.outbox_page(people.acme, None, 10).await.unwrap();
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].kind, "sign_in_link", "an existing customer is sent a way in, not a second account");
    }
}
