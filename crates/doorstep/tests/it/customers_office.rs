//! The office's customer pages over HTTP (issue 17): office staff (not only
//! administrators) create a customer, its site and a contact with an email, and give the
//! contact portal access from the account's page; bad input and a duplicate external
//! reference answer with messages next to the fields and the typed values kept; a
//! deactivation asks first; another company's records answer 404.

use doorstep_core::ids::CustomerId;
use doorstep_core::status::StaffRole;
use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{PASSWORD, TestApp, html, seed_people, text_of};

async fn staff(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.client(&["acme"]);
    let res = app
        .submit(
            &client,
            "acme",
            "/office",
            "/office/sign-in",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    client
}

/// Acme's dispatcher, an office member who is not an administrator.
async fn dispatcher(app: &TestApp, acme: doorstep_core::ids::CompanyId) -> reqwest::Client {
    let hash =
        doorstep_web::auth::password::hash_password(PASSWORD, doorstep_web::PasswordCost::TestOnly)
            .unwrap();
    let mut tx = app.store.begin().await.unwrap();
    tx.create_staff(
        acme,
        "dispatch@acme.test",
        "Oscar Reyes",
        StaffRole::Office,
        Some(&hash),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    staff(app, "dispatch@acme.test").await
}

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Whether the page names the new customer, its markup escaped.
fn shows_greenleaf(body: &str) -> bool {
    body.contains("Greenleaf ") && body.contains("Cafe&") && !body.contains("<Cafe>")
}

/// Where a successful POST sends the browser.
fn location(res: &reqwest::Response) -> String {
    assert_eq!(
        res.status().as_u16(),
        303,
        "a successful form sends the browser on"
    );
    res.headers()["location"].to_str().unwrap().to_owned()
}

both_backends! {
    async fn office_staff_create_a_customer_with_a_site_and_a_contact_and_invite_them(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let oscar = dispatcher(&app, people.acme).await;
        let (status, body) = get(&app, &oscar, "/office/customers").await;
        assert_eq!(status, 200);
        assert!(body.contains("New customer"));

        // Bad input: each message next to its field, what was typed kept, nothing saved.
        let res = app.submit(&oscar, "acme", "/office/customers/new", "/office/customers/new", &[
            ("name", " "), ("kind", "commercial"), ("email", "greenleaf at example"), ("payment_terms_days", "-1"), ("phone", "(555) 010-9000"),
        ]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        for id in ["#name-error", "#email-error", "#payment_terms_days-error"] {
            assert!(text_of(&doc, id).is_some(), "{id}");
        }
        let sel = scraper::Selector::parse("#email").unwrap();
        assert_eq!(doc.select(&sel).next().unwrap().value().attr("value"), Some("greenleaf at example"));
        let sel = scraper::Selector::parse("input[name=kind][value=commercial]").unwrap();
        assert!(doc.select(&sel).next().unwrap().value().attr("checked").is_some());
        assert_eq!(app.store.customer_book_page(people.acme, &Default::default(), None, 10).await.unwrap().len(), 2);

        let res = app.submit(&oscar, "acme", "/office/customers/new", "/office/customers/new", &[
            ("name", "Greenleaf <Cafe>"), ("kind", "commercial"), ("email", "office@greenleaf.test"), ("external_ref", "QB-9"),
        ]).await;
        let page = location(&res);
        assert_eq!(page, "/office/customers/C-1001?done=created", "numbered from the company's counter");
        let (status, body) = get(&app, &oscar, &page).await;
        assert_eq!(status, 200);
        assert!(shows_greenleaf(&body) && body.contains("Customer created"));
        assert!(body.contains("This customer has no contacts yet."));

        // The same external reference on another customer: refused next to the field.
        let res = app.submit(&oscar, "acme", "/office/customers/new", "/office/customers/new", &[
            ("name", "Copycat"), ("kind", "residential"), ("external_ref", "QB-9"),
        ]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        assert!(text_of(&doc, "#external_ref-error").unwrap().contains("C-1001"));
        let sel = scraper::Selector::parse("#name").unwrap();
        assert_eq!(doc.select(&sel).next().unwrap().value().attr("value"), Some("Copycat"));

        // A site, then a contact with an email: the access panel then invites them.
        let res = app.submit(&oscar, "acme", "/office/customers/C-1001/sites/new", "/office/customers/C-1001/sites/new", &[
            ("site_name", "Cafe"), ("line1", ""), ("city", "Springfield"),
        ]).await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(text_of(&html(&res.text().await.unwrap()), "#line1-error").is_some());
        let res = app.submit(&oscar, "acme", "/office/customers/C-1001/sites/new", "/office/customers/C-1001/sites/new", &[
            ("site_name", "Cafe"), ("line1", "5 Market Street"), ("city", "Springfield"), ("access_notes", "Back door."),
        ]).await;
        assert_eq!(location(&res), "/office/customers/C-1001?done=site_added");
        let res = app.submit(&oscar, "acme", "/office/customers/C-1001/contacts/new", "/office/customers/C-1001/contacts/new", &[
            ("first_name", "Gina"), ("last_name", "Green"), ("email", "gina@greenleaf.test"), ("role", "site"),
        ]).await;
        assert_eq!(res.status().as_u16(), 422, "a site contact names a site");
        assert!(text_of(&html(&res.text().await.unwrap()), "#sites-error").is_some());
        let res = app.submit(&oscar, "acme", "/office/customers/C-1001/contacts/new", "/office/customers/C-1001/contacts/new", &[
            ("first_name", "Gina"), ("last_name", "Green"), ("email", "gina@greenleaf.test"), ("role", "company"),
        ]).await;
        assert_eq!(location(&res), "/office/customers/C-1001?done=contact_added");
        let customer = app.store.customer_detail(people.acme, "C-1001").await.unwrap().unwrap();
        let gina = app.store.contacts_of_customer(people.acme, CustomerId(customer.id)).await.unwrap().remove(0);
        let res = app.submit(&oscar, "acme", "/office/customers/C-1001", &format!("/office/contacts/{}/access", gina.id), &[("action", "enable")]).await;
        assert_eq!(location(&res), "/office/customers/C-1001?done=enabled");
        let (_, body) = get(&app, &oscar, "/office/customers/C-1001?done=enabled").await;
        assert!(body.contains("An invitation email is on its way") && body.contains("Invited"));
        assert!(body.contains("5 Market Street") && body.contains("Back door."));
        let outbox = app.store.outbox_page(people.acme, None, 5).await.unwrap();
        assert!(outbox.iter().any(|e| e.to_address == "gina@greenleaf.test"), "invitation queued");

        // Its email cannot change while it signs in with it.
        let edit = format!("/office/contacts/{}/edit", gina.id);
        let res = app.submit(&oscar, "acme", &edit, &edit, &[
            ("first_name", "Gina"), ("email", "gina@elsewhere.test"), ("role", "company"),
        ]).await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(text_of(&html(&res.text().await.unwrap()), "#email-error").unwrap().contains("Turn off portal access first"));

        // Search finds it by the start of its name, its number and its email.
        for q in ["green", "C-1001", "1001", "office@green"] {
            let (_, body) = get(&app, &oscar, &format!("/office/customers?q={}", q.replace('@', "%40"))).await;
            assert!(shows_greenleaf(&body), "{q}");
        }
        let (_, body) = get(&app, &oscar, "/office/customers?q=zzz").await;
        assert!(body.contains("No customer matches"));
    }

    async fn deactivating_asks_first_and_another_companys_records_are_not_found(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let admin = staff(&app, "office@acme.test").await;
        // Bolt's account, site and contact, reached through Acme's office.
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        let mut tx = app.store.begin().await.unwrap();
        let bolt_customer = tx.customer_id_by_number(bolt.id, "B-1").await.unwrap().unwrap();
        let bolt_site = tx.insert_office_site(bolt.id, bolt_customer, &doorstep_store::customer_book::SiteInput {
            name: "Shop".into(), line1: "1 Volt Road".into(), ..Default::default()
        }).await.unwrap();
        tx.commit().await.unwrap();
        let bolt_contact = app.store.contacts_of_customer(bolt.id, bolt_customer).await.unwrap()[0].id;
        for path in [
            "/office/customers/B-1".to_owned(),
            "/office/customers/B-1/edit".to_owned(),
            "/office/customers/B-1/deactivate".to_owned(),
            format!("/office/contacts/{bolt_contact}/edit"),
            format!("/office/sites/{}/edit", bolt_site.0),
        ] {
            assert_eq!(get(&app, &admin, &path).await.0, 404, "{path}");
        }
        let res = app.submit(&admin, "acme", "/office/customers", "/office/customers/B-1/deactivate", &[("confirm", "1")]).await;
        assert_eq!(res.status().as_u16(), 404);
        let res = app.submit(&admin, "acme", "/office/customers", &format!("/office/contacts/{bolt_contact}/deactivate"), &[("confirm", "1")]).await;
        assert_eq!(res.status().as_u16(), 404);
        assert!(app.store.customer_detail(bolt.id, "B-1").await.unwrap().unwrap().deactivated_at.is_none());

        // The confirmation step, then the deactivation; Dana's access ends with it.
        let (status, body) = get(&app, &admin, "/office/customers/C-1/deactivate").await;
        assert_eq!(status, 200);
        assert!(body.contains("Deactivate customer") && body.contains("portal access ends"));
        assert!(app.store.customer_detail(people.acme, "C-1").await.unwrap().unwrap().deactivated_at.is_none(), "asking changes nothing");
        let res = app.submit(&admin, "acme", "/office/customers/C-1/deactivate", "/office/customers/C-1/deactivate", &[("confirm", "1")]).await;
        assert_eq!(location(&res), "/office/customers/C-1?done=deactivated");
        let (_, body) = get(&app, &admin, "/office/customers/C-1").await;
        assert!(body.contains("Reactivate customer"));
        let (_, body) = get(&app, &admin, "/office/customers").await;
        assert!(!body.contains("/office/customers/C-1\""), "gone from the active list");
        let (_, body) = get(&app, &admin, "/office/customers?status=inactive").await;
        assert!(body.contains("/office/customers/C-1\""));
        let household = app.store.contacts_of_customer(people.acme, people.household).await.unwrap();
        assert!(household.iter().all(|c| !c.portal_enabled));

        // The office home, for every staff member.
        let (status, body) = get(&app, &admin, "/office").await;
        assert_eq!(status, 200);
        for part in ["s visits", "New requests", "Open support", "Estimates awaiting the customer", "Overdue invoices", "What customers did in the portal"] {
            assert!(body.contains(part), "{part}");
        }
    }
}
