//! Company setup pages over HTTP (issue 18): the details form (each refusal next to its
//! field, typed values kept), the team (an invitation whose emailed link sets a
//! password; a deactivation, after its confirmation step, that ends the member's
//! session at once) and the audit log (filters, CSV with formula cells neutralised,
//! another company's entries never shown).

use doorstep_core::status::StaffRole;
use doorstep_store::audit::NewAuditEvent;
use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{PASSWORD, TestApp, csrf_of, html, office, seed_people, text_of};

async fn get(app: &TestApp, client: &reqwest::Client, slug: &str, path: &str) -> (u16, String) {
    let res = client.get(app.url(slug, path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Signs `email` in at `slug`'s office with the fixture password.
async fn office_as(app: &TestApp, slug: &str, email: &str) -> (reqwest::Client, reqwest::Response) {
    let client = app.client(&[slug]);
    let res = app
        .submit(
            &client,
            slug,
            "/office",
            "/office/sign-in",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    (client, res)
}

/// The details form as shown, with `changes` applied: every field and its `was_` twin.
async fn details_form(
    app: &TestApp,
    client: &reqwest::Client,
    changes: &[(&str, &str)],
) -> Vec<(String, String)> {
    let (_, body) = get(app, client, "acme", "/office/company").await;
    let doc = html(&body);
    let sel = scraper::Selector::parse("form[data-testid=company-details] input, form[data-testid=company-details] select option[selected]").unwrap();
    let mut form = Vec::new();
    for e in doc.select(&sel) {
        let (name, value) = if e.value().name() == "option" {
            (
                "currency".to_owned(),
                e.value().attr("value").unwrap_or("").to_owned(),
            )
        } else {
            (
                e.value().attr("name").unwrap_or("").to_owned(),
                e.value().attr("value").unwrap_or("").to_owned(),
            )
        };
        let value = changes
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(value, |(_, v)| (*v).to_owned());
        form.push((name, value));
    }
    form
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    action: &str,
    form: &[(String, String)],
) -> reqwest::Response {
    client
        .post(app.url("acme", action))
        .header("origin", app.origin("acme"))
        .form(form)
        .send()
        .await
        .unwrap()
}

both_backends! {
    /// A wrong website and time zone are refused next to their fields with what was typed
    /// kept; fixed, the details are saved and audited.
    async fn the_details_form_refuses_each_field_and_saves(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let admin = office(&app).await;
        let (status, body) = get(&app, &admin, "acme", "/office/company").await;
        assert_eq!(status, 200);
        assert!(body.contains("Company details"));

        let form = details_form(&app, &admin, &[("name", "Acme Heating"), ("website", "acme dot com"), ("timezone", "Atlantis/Lost")]).await;
        let res = post(&app, &admin, "/office/company", &form).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        assert!(text_of(&doc, "#website-error").unwrap().contains("https://"));
        assert!(text_of(&doc, "#timezone-error").unwrap().contains("IANA"));
        assert!(text_of(&doc, "#name-error").is_none());
        let typed = scraper::Selector::parse("#website").unwrap();
        assert_eq!(doc.select(&typed).next().unwrap().value().attr("value"), Some("acme dot com"));
        assert_eq!(app.store.company_details(people.acme).await.unwrap().unwrap().name, "Acme Plumbing & Heating");

        let form = details_form(&app, &admin, &[("name", "Acme Heating"), ("website", "https://acme.example"), ("timezone", "Europe/London"), ("payment_terms_days", "45")]).await;
        let res = post(&app, &admin, "/office/company", &form).await;
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/office/company?done=saved"));
        let saved = app.store.company_details(people.acme).await.unwrap().unwrap();
        assert_eq!((saved.name.as_str(), saved.website.as_str(), saved.timezone.as_str(), saved.payment_terms_days),
            ("Acme Heating", "https://acme.example", "Europe/London", 45));
        let (_, body) = get(&app, &admin, "acme", "/office/audit?what=company.details_saved").await;
        assert!(body.contains("Company: details saved"), "{body}");
    }

    /// An invitation emails a setup link that sets the new member's password; a
    /// deactivation asks first, then ends the member's session at once and refuses their
    /// sign-in; the audit log shows both and filters by what.
    async fn invite_deactivate_and_the_audit_log(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let admin = office(&app).await;

        let res = app.submit(&admin, "acme", "/office/staff", "/office/staff", &[("name", "Nina Patel"), ("email", "nina@acme.test"), ("role", "office")]).await;
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/office/staff?done=invited"));
        let email = app.store.outbox_page(people.acme, None, 1).await.unwrap().remove(0);
        assert_eq!((email.kind.as_str(), email.to_address.as_str()), ("staff_setup", "nina@acme.test"));
        let link = email.body_text.split_whitespace().find(|w| w.contains("/office/setup/")).unwrap().to_owned();
        let (_, body) = get(&app, &admin, "acme", "/office/staff").await;
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid='member-nina@acme.test'] [data-testid=status]").as_deref(), Some("Invited"));
        // The same email again is refused next to the field.
        let res = app.submit(&admin, "acme", "/office/staff", "/office/staff", &[("name", "Nina Again"), ("email", "NINA@acme.test"), ("role", "office")]).await;
        assert_eq!(res.status().as_u16(), 409);
        assert!(text_of(&html(&res.text().await.unwrap()), "[data-testid=error-email]").unwrap().contains("already"));

        // Nina follows her link and signs in.
        let nina = app.client(&["acme"]);
        let token = csrf_of(&nina, &app.url("acme", "/")).await;
        let res = nina.post(&link).header("origin", app.origin("acme"))
            .form(&[("password", PASSWORD), ("confirm", PASSWORD), ("csrf_token", &token)]).send().await.unwrap();
        assert!(res.status().is_redirection() || res.status().is_success(), "{}", res.status());
        let (nina, res) = office_as(&app, "acme", "nina@acme.test").await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(get(&app, &nina, "acme", "/office/customers").await.0, 200);
        let id = app.store.staff_by_email(people.acme, "nina@acme.test").await.unwrap().unwrap().id.0;

        // Deactivating asks first: the POST without the confirmation goes back to it.
        let (status, body) = get(&app, &admin, "acme", &format!("/office/staff/{id}/deactivate")).await;
        assert_eq!(status, 200);
        assert!(body.contains("Deactivate Nina Patel?"));
        let res = app.submit(&admin, "acme", "/office/staff", &format!("/office/staff/{id}/deactivate"), &[]).await;
        assert_eq!((res.status().as_u16(), location(&res)), (303, format!("/office/staff/{id}/deactivate")));
        assert_eq!(get(&app, &nina, "acme", "/office/customers").await.0, 200, "still signed in");
        let res = app.submit(&admin, "acme", "/office/staff", &format!("/office/staff/{id}/deactivate"), &[("confirm", "yes")]).await;
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/office/staff?done=deactivated"));
        let res = nina.get(app.url("acme", "/office/customers")).send().await.unwrap();
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/office"), "signed out at once");
        let (_, res) = office_as(&app, "acme", "nina@acme.test").await;
        assert_eq!(res.status().as_u16(), 422, "sign-in refused: the form again");
        // The administrator cannot deactivate themself.
        let olivia = app.store.staff_by_email(people.acme, "office@acme.test").await.unwrap().unwrap().id.0;
        let res = app.submit(&admin, "acme", "/office/staff", &format!("/office/staff/{olivia}/deactivate"), &[("confirm", "yes")]).await;
        assert_eq!(res.status().as_u16(), 409);

        let (_, body) = get(&app, &admin, "acme", "/office/audit").await;
        for phrase in ["Staff: invited", "Staff: deactivated", "Staff: password set"] {
            assert!(body.contains(phrase), "{phrase}");
        }
        let (_, body) = get(&app, &admin, "acme", "/office/audit?what=staff.deactivated").await;
        let doc = html(&body);
        let rows = scraper::Selector::parse("[data-testid=audit] tbody tr").unwrap();
        assert_eq!(doc.select(&rows).count(), 1);
        assert!(body.contains("192.0.2.") || body.contains("127.0.0.1"), "client address shown");
        let (_, body) = get(&app, &admin, "acme", "/office/audit?what=nothing.like.this").await;
        assert!(body.contains("Nothing recorded matches these filters."));
        let (_, body) = get(&app, &admin, "acme", "/office/audit?customer=C-999").await;
        assert!(text_of(&html(&body), "[data-testid=error-customer]").is_some());
    }

    /// The CSV export holds the filtered rows with formula cells neutralised; another
    /// company's administrator sees none of Acme's entries.
    async fn the_csv_export_is_filtered_neutralised_and_isolated(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let admin = office(&app).await;
        let mut tx = app.store.begin().await.unwrap();
        tx.audit(people.acme, &NewAuditEvent {
            actor_kind: "system", actor_id: None, actor_label: "=HYPERLINK(\"http://evil.test\",\"x\")".into(),
            action: "sign_in.failed", subject_kind: "company", subject_id: Some(people.acme.0),
            ip: "203.0.113.9".into(), detail: "{}".into(), at: doorstep_store::now(),
        }).await.unwrap();
        tx.commit().await.unwrap();
        let res = admin.get(app.url("acme", "/office/audit.csv?what=sign_in.failed")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let csv = res.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("time,actor_kind,who,action"));
        assert!(lines[1..].iter().all(|l| l.contains("\"sign_in.failed\"")), "{csv}");
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\""), "{csv}");
        assert!(csv.contains("203.0.113.9"));
        assert!(!csv.contains(",\"=HYPERLINK"));

        // Bolt's administrator: none of Acme's entries, on the page or in the CSV.
        let hash = doorstep_web::auth::password::hash_password(PASSWORD, doorstep_web::PasswordCost::TestOnly).unwrap();
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        let mut tx = app.store.begin().await.unwrap();
        tx.create_staff(bolt.id, "office@bolt.test", "Bo", StaffRole::Admin, Some(&hash)).await.unwrap();
        tx.commit().await.unwrap();
        let (bo, res) = office_as(&app, "bolt", "office@bolt.test").await;
        assert_eq!(res.status().as_u16(), 303);
        let (status, body) = get(&app, &bo, "bolt", "/office/audit").await;
        assert_eq!(status, 200);
        assert!(!body.contains("HYPERLINK") && !body.contains("203.0.113.9"));
        let (_, csv) = get(&app, &bo, "bolt", "/office/audit.csv").await;
        assert!(!csv.contains("HYPERLINK") && !csv.contains("office@acme.test"));
        // Acme's staff ids are not Bolt's: a made-up id is 404.
        let olivia = app.store.staff_by_email(people.acme, "office@acme.test").await.unwrap().unwrap().id.0;
        assert_eq!(get(&app, &bo, "bolt", &format!("/office/staff/{olivia}/deactivate")).await.0, 404);
    }
}
