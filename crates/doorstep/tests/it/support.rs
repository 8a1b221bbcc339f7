//! Support requests end to end over HTTP: a company contact opens a ticket with a file,
//! the office replies and changes status, emails are queued to the right people, and
//! tickets and their files stay inside their account and company.

use doorstep_testkit::{Backend, both_backends};

use crate::estimates::dana_on;
use crate::helpers::{PASSWORD, People, TestApp, html, seed_people, sign_in, text_of};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
const ZIP: &[u8] = b"PK\x03\x04\x14\x00\x00\x00\x08\x00binary\x00\x01\x02";

/// A multipart body as a browser sends it: text fields, then files in `files`.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    crate::helpers::multipart_body(fields, "files", files)
}

/// Posts a multipart form from `page` to `action` with the page's CSRF token.
async fn post_files(
    app: &TestApp,
    client: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> reqwest::Response {
    let token = crate::helpers::csrf_of(client, &app.url("acme", page)).await;
    let mut all = fields.to_vec();
    all.push(("csrf_token", &token));
    let (content_type, body) = multipart(&all, files);
    client
        .post(app.url("acme", action))
        .header("origin", app.origin("acme"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn office(app: &TestApp) -> reqwest::Client {
    let client = app.client(&["acme"]);
    app.submit(
        &client,
        "acme",
        "/office",
        "/office/sign-in",
        &[("email", "office@acme.test"), ("password", PASSWORD)],
    )
    .await;
    client
}

async fn emails(app: &TestApp, people: &People) -> Vec<doorstep_store::outbox::OutboxEmail> {
    let mut all = app.store.outbox_page(people.acme, None, 50).await.unwrap();
    all.reverse();
    all
}

/// Dana (household) opens a ticket with a PDF; answers the ticket's number.
async fn open_ticket(app: &TestApp, dana: &reqwest::Client) -> String {
    let res = post_files(
        app,
        dana,
        "/support/new",
        "/support/new",
        &[
            ("subject", "Water heater warranty"),
            ("description", "Is my warranty registered?\nThanks"),
        ],
        &[("warranty.pdf", PDF)],
    )
    .await;
    assert_eq!(res.status().as_u16(), 303, "sent on to the ticket page");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/support/S-") && location.ends_with("?done=opened"),
        "{location}"
    );
    location
        .trim_start_matches("/support/")
        .trim_end_matches("?done=opened")
        .to_owned()
}

both_backends! {
    async fn a_contact_opens_a_ticket_with_a_file_and_the_office_is_emailed(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let dana = dana_on(&app, people.household).await;
        let (status, body) = get(&app, &dana, "/support").await;
        assert_eq!(status, 200);
        assert!(text_of(&html(&body), "[data-testid=support-empty]").is_some());
        assert!(body.contains("href=\"/support\""), "the menu offers support");
        let number = open_ticket(&app, &dana).await;
        let (_, body) = get(&app, &dana, &format!("/support/{number}")).await;
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=support-status]").unwrap(), "Open");
        assert!(body.contains("Is my warranty registered?") && body.contains("warranty.pdf"));
        // The file downloads for Dana, as an attachment, never sniffed.
        let sel = scraper::Selector::parse("[data-testid=support-thread] a[download]").unwrap();
        let href = doc.select(&sel).next().unwrap().value().attr("href").unwrap().to_owned();
        let res = dana.get(app.url("acme", &href)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
        let (_, list) = get(&app, &dana, "/support").await;
        assert!(list.contains(&number) && list.contains("Water heater warranty"));
        let mail = emails(&app, &people).await;
        assert_eq!(mail.len(), 1);
        assert_eq!((mail[0].kind.as_str(), mail[0].to_address.as_str()), ("support_customer_wrote", "hello@acme.test"));
        assert!(mail[0].subject.contains(&number) && mail[0].subject.contains("Dana Whitaker"));
        assert!(mail[0].body_text.contains("Is my warranty registered?") && mail[0].body_text.contains("Files attached: 1"));
    }

    async fn bad_input_is_refused_next_to_its_field_and_saves_nothing(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let dana = dana_on(&app, people.household).await;
        let long = "x".repeat(121);
        for (fields, files, field, words) in [
            (vec![("subject", ""), ("description", "Help")], vec![], "subject", "subject"),
            (vec![("subject", long.as_str()), ("description", "Help")], vec![], "subject", "120 characters"),
            (vec![("subject", "Help"), ("description", "  ")], vec![], "description", "Describe"),
            (vec![("subject", "Help"), ("description", "Help")], vec![("evil.pdf", ZIP)], "files", "evil.pdf"),
            (vec![("subject", "Help"), ("description", "Help")], vec![("a.pdf", PDF), ("b.pdf", PDF), ("c.pdf", PDF), ("d.pdf", PDF), ("e.pdf", PDF)], "files", "at most 4"),
        ] {
            let res = post_files(&app, &dana, "/support/new", "/support/new", &fields, &files).await;
            assert_eq!(res.status().as_u16(), 422, "{field}");
            let body = res.text().await.unwrap();
            let error = text_of(&html(&body), &format!("#{field}-error")).unwrap_or_default();
            assert!(error.contains(words), "{field}: {error}");
            if field != "subject" {
                assert!(body.contains("value=\"Help\""), "the subject is kept");
            }
        }
        let (_, list) = get(&app, &dana, "/support").await;
        assert!(list.contains("support-empty"), "nothing was saved");
        assert!(emails(&app, &people).await.is_empty());
    }

    async fn the_office_replies_and_sets_waiting_and_the_customer_answer_reopens_it(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let dana = dana_on(&app, people.household).await;
        let number = open_ticket(&app, &dana).await;
        let olivia = office(&app).await;
        let (status, list) = get(&app, &olivia, "/office/support?status=open").await;
        assert_eq!(status, 200);
        assert!(list.contains(&number));
        let (_, waiting) = get(&app, &olivia, "/office/support?status=waiting_on_customer").await;
        assert!(!waiting.contains(&number) && waiting.contains("support-empty"));
        assert_eq!(get(&app, &olivia, "/office/support?status=bogus&after=zz").await.0, 200);
        let page = format!("/office/support/{number}");
        let res = post_files(&app, &olivia, &page, &format!("{page}/reply"),
            &[("body", "It is registered; see the attached card."), ("status", "waiting_on_customer")],
            &[("card.pdf", PDF)]).await;
        assert_eq!(res.status().as_u16(), 303);
        let (_, body) = get(&app, &dana, &format!("/support/{number}")).await;
        assert_eq!(text_of(&html(&body), "[data-testid=support-status]").unwrap(), "Waiting on customer");
        let thread = text_of(&html(&body), "[data-testid=support-thread]").unwrap();
        assert!(thread.contains("Olivia Park (Acme Plumbing & Heating)") && thread.contains("card.pdf"), "{thread}");
        let mail = emails(&app, &people).await;
        let reply = mail.iter().find(|m| m.kind == "support_reply").expect("the customer is emailed");
        assert_eq!(reply.to_address, "dana@example.test");
        assert!(reply.body_text.contains("It is registered") && reply.body_text.contains("Waiting on customer"));
        assert!(reply.body_text.contains(&format!("/support/{number}")));
        // Dana answers: the ticket is the office's again.
        let res = post_files(&app, &dana, &format!("/support/{number}"), &format!("/support/{number}/comments"),
            &[("body", "Thank you!")], &[]).await;
        assert_eq!(res.status().as_u16(), 303);
        let (_, body) = get(&app, &olivia, &page).await;
        assert_eq!(text_of(&html(&body), "[data-testid=support-status]").unwrap(), "Open");
        assert!(body.contains("Thank you!"));
        assert_eq!(emails(&app, &people).await.iter().filter(|m| m.kind == "support_customer_wrote").count(), 2);
        // Status changes are audited and emailed; closed tickets take no comments.
        let res = app.submit(&olivia, "acme", &page, &format!("{page}/status"), &[("status", "closed")]).await;
        assert_eq!(res.status().as_u16(), 303);
        let res = post_files(&app, &dana, &format!("/support/{number}"), &format!("/support/{number}/comments"),
            &[("body", "One more thing")], &[]).await;
        assert_eq!(res.status().as_u16(), 409);
        assert!(text_of(&html(&res.text().await.unwrap()), "[data-testid=support-closed]").unwrap().contains("closed"));
        let res = app.submit(&olivia, "acme", &page, &format!("{page}/status"), &[("status", "in_progress")]).await;
        assert_eq!(res.status().as_u16(), 422, "a closed ticket is only reopened");
        let replies = emails(&app, &people).await.into_iter().filter(|m| m.kind == "support_reply").count();
        assert_eq!(replies, 2, "one for the reply, one for closing");
    }

    async fn another_accounts_or_companys_ticket_is_404_and_site_contacts_have_no_support(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let dana = dana_on(&app, people.household).await;
        let number = open_ticket(&app, &dana).await;
        let (_, body) = get(&app, &dana, &format!("/support/{number}")).await;
        let doc = html(&body);
        let sel = scraper::Selector::parse("[data-testid=support-thread] a[download]").unwrap();
        let href = doc.select(&sel).next().unwrap().value().attr("href").unwrap().to_owned();
        // Dana's other account sees neither the ticket nor its file.
        let harbor = dana_on(&app, people.harbor).await;
        assert_eq!(get(&app, &harbor, &format!("/support/{number}")).await.0, 404);
        assert_eq!(get(&app, &harbor, &href).await.0, 404);
        let res = post_files(&app, &harbor, "/support", &format!("/support/{number}/comments"), &[("body", "x")], &[]).await;
        assert_eq!(res.status().as_u16(), 404);
        // Sam, a site contact: support is for company contacts.
        let sam = app.client(&["acme"]);
        sign_in(&app, &sam, "acme", "sam@example.test").await;
        assert_eq!(get(&app, &sam, "/support").await.0, 404);
        assert_eq!(get(&app, &sam, &format!("/support/{number}")).await.0, 404);
        assert!(!get(&app, &sam, "/jobs").await.1.contains("href=\"/support\""));
        // Bolt's Dana, same email at another company.
        let bolt = app.client(&["bolt"]);
        app.submit(&bolt, "bolt", "/sign-in", "/sign-in", &[("email", "dana@example.test"), ("password", "bolt only password")]).await;
        let res = bolt.get(app.url("bolt", &format!("/support/{number}"))).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404);
        // Switched off: gone from the menu and 404.
        let mut settings = app.store.company_by_slug("acme").await.unwrap().unwrap().settings;
        settings.allow_support_requests = false;
        let mut tx = app.store.begin().await.unwrap();
        tx.set_company_settings(people.acme, &settings).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(get(&app, &dana, "/support").await.0, 404);
        assert_eq!(get(&app, &dana, &href).await.0, 404);
        assert!(!get(&app, &dana, "/jobs").await.1.contains("href=\"/support\""));
    }
}
