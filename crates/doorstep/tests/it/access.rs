//! The office controls portal access; invitations and resets arrive by email.

use doorstep_core::status::ContactRole;
use doorstep_store::contacts::NewContact;
use doorstep_testkit::smtp::SmtpServer;
use doorstep_testkit::{Backend, both_backends};

use crate::helpers::office;
use crate::helpers::{PASSWORD, People, TestApp, html, seed_people, text_of};

async fn add_contact(app: &TestApp, people: &People, first: &str, email: Option<&str>) -> i64 {
    let mut tx = app.store.begin().await.unwrap();
    let id = tx
        .insert_contact(
            people.acme,
            &NewContact {
                customer: people.household,
                login: None,
                first_name: first.into(),
                last_name: "Whitaker".into(),
                email: email.map(str::to_owned),
                phone: String::new(),
                role: ContactRole::Company,
                is_primary: false,
                is_billing: false,
                portal_enabled: false,
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id.0
}

async fn press(
    app: &TestApp,
    client: &reqwest::Client,
    contact: i64,
    action: &str,
) -> reqwest::Response {
    app.submit(
        client,
        "acme",
        "/office/customers/C-1",
        &format!("/office/contacts/{contact}/access"),
        &[("action", action)],
    )
    .await
}

fn link_in(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no link in {text}"))
        .to_owned()
}

fn status_of(doc: &scraper::Html, contact: i64) -> String {
    text_of(
        doc,
        &format!("[data-testid=contact-{contact}] [data-testid=status]"),
    )
    .unwrap()
}

both_backends! {
    async fn the_office_invites_a_contact_by_smtp_and_the_link_sets_a_password_once(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = TestApp::spawn_with_smtp(backend, Some(smtp.url())).await;
        let people = seed_people(&app).await;
        let nina = add_contact(&app, &people, "Nina", Some("Nina@Example.test")).await;
        let staff = office(&app).await;

        let res = press(&app, &staff, nina, "enable").await;
        assert_eq!(res.status(), 303);
        let page = html(&staff.get(app.url("acme", res.headers()["location"].to_str().unwrap())).send().await.unwrap().text().await.unwrap());
        assert!(text_of(&page, "[role=status]").unwrap().contains("invitation"));
        assert_eq!(status_of(&page, nina), "Invited");
        assert!(page.select(&scraper::Selector::parse("input[type=password]").unwrap()).next().is_none(), "staff never set a password");

        let mail = smtp.wait_for_messages(1, std::time::Duration::from_secs(20)).await;
        assert_eq!(mail.len(), 1);
        assert_eq!(mail[0].rcpt_to, ["nina@example.test"]);
        assert_eq!(mail[0].subject, "You're invited to the Acme Plumbing & Heating customer portal");
        let link = link_in(&mail[0].text);
        assert!(link.starts_with(&format!("{}/invite/", app.origin("acme"))), "{link}");

        let nina_browser = app.client(&["acme"]);
        assert_eq!(nina_browser.get(&link).send().await.unwrap().status(), 200);
        let path = link.trim_start_matches(&app.origin("acme")).to_owned();
        let common = app.submit(&nina_browser, "acme", &path, &path, &[("password", "qwerty123456"), ("confirm", "qwerty123456")]).await;
        assert_eq!(common.status(), 422);
        let msg = text_of(&html(&common.text().await.unwrap()), "#password-error").unwrap();
        assert!(msg.contains("most commonly used"), "{msg}");
        let done = app.submit(&nina_browser, "acme", &path, &path, &[("password", "nina's own password"), ("confirm", "nina's own password")]).await;
        assert_eq!(done.status(), 303);
        let home = html(&nina_browser.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap());
        assert_eq!(text_of(&home, "[data-testid=active-account]").as_deref(), Some("Dana Whitaker"));
        assert_eq!(nina_browser.get(&link).send().await.unwrap().status(), 410, "the link works once");

        let out = app.submit(&nina_browser, "acme", "/", "/sign-out", &[]).await;
        assert_eq!(out.status(), 303);
        let again = app.submit(&nina_browser, "acme", "/sign-in", "/sign-in", &[("email", "nina@example.test"), ("password", "nina's own password")]).await;
        assert_eq!(again.status(), 303);

        let page = html(&staff.get(app.url("acme", "/office/customers/C-1")).send().await.unwrap().text().await.unwrap());
        assert_eq!(status_of(&page, nina), "Active");
    }

    async fn enabling_access_without_an_email_is_a_clear_error_and_changes_nothing(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let nobody = add_contact(&app, &people, "Noemail", None).await;
        let staff = office(&app).await;
        let res = press(&app, &staff, nobody, "enable").await;
        let page = html(&staff.get(app.url("acme", res.headers()["location"].to_str().unwrap())).send().await.unwrap().text().await.unwrap());
        assert!(text_of(&page, "[role=alert]").unwrap().contains("no valid email"));
        assert_eq!(status_of(&page, nobody), "No access");
        assert!(app.store.outbox_page(people.acme, None, 10).await.unwrap().is_empty());
    }

    async fn a_lock_from_the_office_ends_the_contacts_session_at_once(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let sam = app.client(&["acme"]);
        crate::helpers::sign_in(&app, &sam, "acme", "sam@example.test").await;
        assert_eq!(sam.get(app.url("acme", "/")).send().await.unwrap().status(), 200);
        let staff = office(&app).await;
        let harbor = app.store.contacts_of_customer(people.acme, people.harbor).await.unwrap();
        let sam_contact = harbor.iter().find(|c| c.first_name == "Sam").unwrap().id;
        let res = app.submit(&staff, "acme", "/office/customers/C-2", &format!("/office/contacts/{sam_contact}/access"), &[("action", "lock"), ("confirm", "yes")]).await;
        assert_eq!(res.status(), 303);
        let doc = html(&sam.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap());
        assert_eq!(text_of(&doc, "h1").as_deref(), Some("Sign in"));
        let refused = crate::helpers::sign_in(&app, &sam, "acme", "sam@example.test").await;
        // Refused exactly like a wrong password (issue 14, point 7: a lock is no oracle).
        assert_eq!(refused.status(), 422);
        let actions = app.store.recent_audit_actions(people.acme, 5).await.unwrap();
        assert!(actions.contains(&"access.locked".to_owned()) && actions.contains(&"sign_in.refused_locked".to_owned()), "{actions:?}");
    }

    async fn lock_and_disable_ask_first_and_change_nothing_until_confirmed(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let staff = office(&app).await;
        let harbor = app.store.contacts_of_customer(people.acme, people.harbor).await.unwrap();
        let sam = harbor.iter().find(|c| c.first_name == "Sam").unwrap().id;
        let action = format!("/office/contacts/{sam}/access");
        for (verb, button) in [("lock", "Lock login"), ("disable", "Disable access")] {
            let before = crate::snapshot::snapshot(&app).await;
            let res = app.submit(&staff, "acme", "/office/customers/C-2", &action, &[("action", verb)]).await;
            assert_eq!(res.status(), 200, "{verb}");
            let page = html(&res.text().await.unwrap());
            assert!(text_of(&page, "h1").unwrap().ends_with('?'), "{verb}: a question");
            let form = "form[data-testid=confirm-access]";
            assert_eq!(text_of(&page, &format!("{form} [data-testid=confirm]")).as_deref(), Some(button));
            let hidden = |name: &str| {
                let sel = scraper::Selector::parse(&format!("{form} input[name={name}]")).unwrap();
                page.select(&sel).next().and_then(|e| e.value().attr("value")).map(str::to_owned)
            };
            assert_eq!(hidden("action").as_deref(), Some(verb));
            assert_eq!(hidden("confirm").as_deref(), Some("yes"));
            let changes = crate::snapshot::changed(&before, &crate::snapshot::snapshot(&app).await);
            assert!(changes.is_empty(), "{verb} without confirmation changed: {changes:#?}");
        }
        let page = html(&staff.get(app.url("acme", "/office/customers/C-2")).send().await.unwrap().text().await.unwrap());
        assert_eq!(status_of(&page, sam), "Active");
        let res = app.submit(&staff, "acme", "/office/customers/C-2", &action, &[("action", "disable"), ("confirm", "yes")]).await;
        assert_eq!(res.status(), 303);
        let actions = app.store.recent_audit_actions(people.acme, 3).await.unwrap();
        assert!(actions.contains(&"access.disabled".to_owned()), "{actions:?}");
    }

    async fn forgot_password_answers_the_same_and_mails_only_real_logins(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let client = app.client(&["acme"]);
        let mut answers = Vec::new();
        for email in ["dana@example.test", "nobody@example.test"] {
            let res = app.submit(&client, "acme", "/forgot-password", "/forgot-password", &[("email", email)]).await;
            assert_eq!(res.status(), 200);
            let text = text_of(&html(&res.text().await.unwrap()), "[role=status]").unwrap();
            answers.push(text.replace(email, "EMAIL"));
        }
        assert_eq!(answers[0], answers[1]);
        let outbox = app.store.outbox_page(people.acme, None, 10).await.unwrap();
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].to_address, "dana@example.test");
        assert_eq!(outbox[0].kind, "password_reset");
    }

    async fn a_reset_link_works_once_and_ends_every_other_session(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let laptop = app.client(&["acme"]);
        crate::helpers::sign_in(&app, &laptop, "acme", "sam@example.test").await;
        let phone = app.client(&["acme"]);
        app.submit(&phone, "acme", "/forgot-password", "/forgot-password", &[("email", "sam@example.test")]).await;
        let outbox = app.store.outbox_page(people.acme, None, 10).await.unwrap();
        let link = link_in(&outbox[0].body_text);
        let path = link.trim_start_matches(&app.origin("acme")).to_owned();
        let res = app.submit(&phone, "acme", &path, &path, &[("password", "a brand new password"), ("confirm", "a brand new password")]).await;
        assert_eq!(res.status(), 303);
        let laptop_home = html(&laptop.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap());
        assert_eq!(text_of(&laptop_home, "h1").as_deref(), Some("Sign in"), "the other session ended");
        let phone_home = phone.get(app.url("acme", "/")).send().await.unwrap();
        assert_eq!(phone_home.status(), 200, "signed in with the new password");
        assert_eq!(phone.get(&link).send().await.unwrap().status(), 410);
        let old = crate::helpers::sign_in(&app, &app.client(&["acme"]), "acme", "sam@example.test").await;
        assert_eq!(old.status(), 422, "the old password no longer works");
    }

    async fn another_companys_contact_cannot_be_touched_from_this_office(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        let bolt_customer = app.store.customers_page(bolt.id, None, None, 5).await.unwrap();
        let bolt_contacts = app.store.contacts_of_customer(bolt.id, doorstep_core::ids::CustomerId(bolt_customer[0].id)).await.unwrap();
        let staff = office(&app).await;
        let res = app.submit(&staff, "acme", "/office/customers/C-1", &format!("/office/contacts/{}/access", bolt_contacts[0].id), &[("action", "lock")]).await;
        assert_eq!(res.status(), 404);
        assert_eq!(staff.get(app.url("acme", "/office/customers/B-1")).send().await.unwrap().status(), 404);
    }

    async fn office_pages_need_a_staff_session(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let dana = app.client(&["acme"]);
        crate::helpers::sign_in(&app, &dana, "acme", "dana@example.test").await;
        for path in ["/office/customers", "/office/customers/C-1"] {
            let res = dana.get(app.url("acme", path)).send().await.unwrap();
            assert_eq!(res.status(), 303, "{path}");
            assert_eq!(res.headers()["location"], "/office");
        }
    }

    async fn the_customer_list_searches_and_pages_by_name(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let mut tx = app.store.begin().await.unwrap();
        for i in 0..60 {
            tx.insert_customer(people.acme, &doorstep_store::customers::NewCustomer {
                number: format!("Z-{i:03}"), name: format!("Zed Customer {i:03}"), ..Default::default()
            }).await.unwrap();
        }
        tx.commit().await.unwrap();
        let staff = office(&app).await;
        let page = html(&staff.get(app.url("acme", "/office/customers?q=zed")).send().await.unwrap().text().await.unwrap());
        let rows = page.select(&scraper::Selector::parse("tbody tr").unwrap()).count();
        assert_eq!(rows, 50);
        let next = page.select(&scraper::Selector::parse(".pager a").unwrap()).next().unwrap().value().attr("href").unwrap().to_owned();
        let second = html(&staff.get(app.url("acme", &next)).send().await.unwrap().text().await.unwrap());
        let names: Vec<String> = second.select(&scraper::Selector::parse("tbody tr td a").unwrap()).map(|e| e.text().collect()).collect();
        assert_eq!(names.len(), 10);
        assert_eq!(names[0], "Zed Customer 050");
        let none = html(&staff.get(app.url("acme", "/office/customers?q=nothing-like-this")).send().await.unwrap().text().await.unwrap());
        assert!(text_of(&none, "p.card").unwrap().contains("No customer matches"));
    }
}

both_backends! {
    async fn without_smtp_the_invitation_waits_in_the_office_outbox_for_admins_only(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let nina = add_contact(&app, &people, "Nina", Some("nina@example.test")).await;
        let staff = office(&app).await;
        press(&app, &staff, nina, "enable").await;

        let list = html(&staff.get(app.url("acme", "/office/outbox")).send().await.unwrap().text().await.unwrap());
        let row = text_of(&list, "tbody tr").unwrap();
        assert!(row.contains("nina@example.test") && row.contains("pending"), "{row}");
        let href = list.select(&scraper::Selector::parse("tbody tr a").unwrap()).next().unwrap().value().attr("href").unwrap().to_owned();
        let email = html(&staff.get(app.url("acme", &href)).send().await.unwrap().text().await.unwrap());
        assert!(text_of(&email, "[data-testid=body]").unwrap().contains("/invite/"));

        // Office-role staff do not see credentials in transit; nor does another company.
        let mut tx = app.store.begin().await.unwrap();
        let hash = doorstep_web::auth::password::hash_password(PASSWORD, doorstep_web::PasswordCost::TestOnly).unwrap();
        tx.create_staff(people.acme, "dispatch@acme.test", "Oscar", doorstep_core::status::StaffRole::Office, Some(&hash)).await.unwrap();
        tx.commit().await.unwrap();
        let dispatch = app.client(&["acme"]);
        app.submit(&dispatch, "acme", "/office", "/office/sign-in", &[("email", "dispatch@acme.test"), ("password", PASSWORD)]).await;
        assert_eq!(dispatch.get(app.url("acme", "/office/outbox")).send().await.unwrap().status(), 404);
        assert_eq!(dispatch.get(app.url("acme", &href)).send().await.unwrap().status(), 404);
        let bolt_admin = app.client(&["bolt"]);
        let mut tx = app.store.begin().await.unwrap();
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        tx.create_staff(bolt.id, "office@bolt.test", "Bo", doorstep_core::status::StaffRole::Admin, Some(&hash)).await.unwrap();
        tx.commit().await.unwrap();
        app.submit(&bolt_admin, "bolt", "/office", "/office/sign-in", &[("email", "office@bolt.test"), ("password", PASSWORD)]).await;
        assert_eq!(bolt_admin.get(app.url("bolt", &href)).send().await.unwrap().status(), 404);
        let bolt_list = html(&bolt_admin.get(app.url("bolt", "/office/outbox")).send().await.unwrap().text().await.unwrap());
        assert!(text_of(&bolt_list, "p.card").unwrap().contains("No email yet"));
    }
}

both_backends! {
    async fn the_public_forms_cannot_flood_a_customers_inbox(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let client = app.client(&["acme"]);
        let mut answers = std::collections::HashSet::new();
        for _ in 0..10 {
            let res = app.submit(&client, "acme", "/forgot-password", "/forgot-password", &[("email", "dana@example.test")]).await;
            assert_eq!(res.status(), 200);
            answers.insert(res.text().await.unwrap());
        }
        assert_eq!(answers.len(), 1, "every request gets the same answer");
        let sent = app.store.outbox_page(people.acme, None, 50).await.unwrap().len();
        assert!((5..=6).contains(&sent), "a burst of requests sends a few emails, not ten ({sent})");
    }
}

both_backends! {
    async fn an_admin_rewords_the_invitation_and_the_next_one_uses_it(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let admin = office(&app).await;
        let page = "/office/email-templates/invitation";
        let list = admin.get(app.url("acme", "/office/email-templates")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("href=\"/office/email-templates/invitation\""));

        let typo = app.submit(&admin, "acme", page, page, &[
            ("subject", "Hello {{contact_nme}}"), ("body", "Open {{link}} soon."), ("action", "save"),
        ]).await;
        assert_eq!(typo.status(), 422);
        let doc = html(&typo.text().await.unwrap());
        assert!(text_of(&doc, "#subject-error").unwrap().contains("{{contact_nme}}"));
        assert!(app.store.email_template(people.acme, "invitation").await.unwrap().is_none(), "nothing saved");
        let no_link = app.submit(&admin, "acme", page, page, &[
            ("subject", "Welcome"), ("body", "See you soon."), ("action", "save"),
        ]).await;
        assert_eq!(no_link.status(), 422);

        let saved = app.submit(&admin, "acme", page, page, &[
            ("subject", "Your {{company_name}} portal is ready"),
            ("body", "Hi {{contact_name}}, choose a password here: {{link}}"),
            ("action", "save"),
        ]).await;
        assert_eq!(saved.status(), 200);
        let doc = html(&saved.text().await.unwrap());
        assert_eq!(text_of(&doc, "[data-testid=preview-subject]").as_deref(), Some("Your [company_name] portal is ready"));

        let nina = add_contact(&app, &people, "Nina", Some("nina@example.test")).await;
        press(&app, &admin, nina, "enable").await;
        let outbox = app.store.outbox_page(people.acme, None, 10).await.unwrap();
        assert_eq!(outbox[0].subject, "Your Acme Plumbing & Heating portal is ready");

        let restored = app.submit(&admin, "acme", page, page, &[("subject", ""), ("body", ""), ("action", "restore")]).await;
        assert_eq!(restored.status(), 200);
        assert!(app.store.email_template(people.acme, "invitation").await.unwrap().is_none());
        let actions = app.store.recent_audit_actions(people.acme, 10).await.unwrap();
        assert!(actions.contains(&"email_template.saved".to_owned()) && actions.contains(&"email_template.restored".to_owned()));
    }
}
