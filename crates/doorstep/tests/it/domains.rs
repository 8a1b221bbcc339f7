//! Issue 18's domains over HTTP: a custom domain added in the office serves the company
//! and stops at once when removed; `--single-company` serves one company on the bare
//! host; the central sign-in page on the bare host answers every email alike and emails
//! links only to known ones.

use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{TestApp, csrf_of, html, office, seed_people, text_of};

/// A cookie-keeping client of the bare host `localhost`.
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

both_backends! {
    async fn a_domain_added_in_the_office_serves_the_company_until_removed(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let admin = office(&app).await;
        // Not yet: an unknown host.
        assert_eq!(app.get_with_host("portal.acmeplumbing.example", "/sign-in").await.status(), 404);
        let res = app.submit(&admin, "acme", "/office/company/domains", "/office/company/domains", &[("domain", "Portal.AcmePlumbing.example")]).await;
        assert_eq!(res.status(), 303);
        let page = admin.get(app.url("acme", "/office/company/domains")).send().await.unwrap().text().await.unwrap();
        let doc = html(&page);
        assert_eq!(text_of(&doc, "[data-testid=dns-record]").as_deref(), Some("portal.acmeplumbing.example. CNAME localhost."));
        assert_eq!(text_of(&doc, "[data-testid=not-checked]").as_deref(), Some("Not checked"));
        let res = app.get_with_host("portal.acmeplumbing.example", "/sign-in").await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("Acme Plumbing"));

        // Bolt's admin cannot take it: told next to the field, 409, nothing written.
        let bolt = app.client(&["bolt"]);
        let mut tx = app.store.begin().await.unwrap();
        let bolt_id = app.store.company_by_slug("bolt").await.unwrap().unwrap().id;
        let hash = doorstep_web::auth::password::hash_password(crate::helpers::PASSWORD, doorstep_web::PasswordCost::TestOnly).unwrap();
        tx.create_staff(bolt_id, "office@bolt.test", "Bo", doorstep_core::status::StaffRole::Admin, Some(&hash)).await.unwrap();
        tx.commit().await.unwrap();
        app.submit(&bolt, "bolt", "/office", "/office/sign-in", &[("email", "office@bolt.test"), ("password", crate::helpers::PASSWORD)]).await;
        let res = app.submit(&bolt, "bolt", "/office/company/domains", "/office/company/domains", &[("domain", "portal.acmeplumbing.example")]).await;
        assert_eq!(res.status(), 409);
        let doc = html(&res.text().await.unwrap());
        let error = text_of(&doc, "[data-testid=error-domain]").unwrap();
        assert!(error.contains("already used by another company"), "{error}");
        assert!(app.store.company_domains(bolt_id).await.unwrap().is_empty());
        // Bad input: 422 with the reason.
        let res = app.submit(&bolt, "bolt", "/office/company/domains", "/office/company/domains", &[("domain", "https://bolt.example/x")]).await;
        assert_eq!(res.status(), 422);

        // Removing asks first, then the host stops serving at once.
        let acme_id = app.store.company_by_slug("acme").await.unwrap().unwrap().id;
        let id = app.store.company_domains(acme_id).await.unwrap()[0].id;
        let confirm = admin.get(app.url("acme", &format!("/office/company/domains/{id}/remove"))).send().await.unwrap();
        assert_eq!(confirm.status(), 200);
        // Bolt cannot remove Acme's domain.
        let page = "/office/company/domains";
        let res = app.submit(&bolt, "bolt", page, &format!("/office/company/domains/{id}/remove"), &[("confirm", "yes")]).await;
        assert_eq!(res.status(), 404);
        let res = app.submit(&admin, "acme", page, &format!("/office/company/domains/{id}/remove"), &[("confirm", "yes")]).await;
        assert_eq!(res.status(), 303);
        let res = app.get_with_host("portal.acmeplumbing.example", "/sign-in").await;
        assert_eq!(res.status(), 404);
    }

    async fn single_company_mode_serves_that_company_on_the_bare_host(backend: Backend) {
        let plain = TestApp::spawn(backend).await;
        plain.create_company("acme", "Acme Plumbing & Heating").await;
        let port = plain.addr.port();
        assert_eq!(plain.get_with_host(&format!("localhost:{port}"), "/sign-in").await.status(), 404);
        drop(plain);

        let app = TestApp::spawn_with(backend, |s| {
            s.single_company = Some(doorstep_core::tenancy::CompanySlug::parse("acme").unwrap());
        }).await;
        app.create_company("acme", "Acme Plumbing & Heating").await;
        app.create_company("bolt", "Bolt Electric").await;
        let port = app.addr.port();
        for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("acme.localhost:{port}")] {
            let res = app.get_with_host(&host, "/sign-in").await;
            assert_eq!(res.status(), 200, "{host}");
            let doc = html(&res.text().await.unwrap());
            assert_eq!(text_of(&doc, ".brand-name").as_deref(), Some("Acme Plumbing & Heating"), "{host}");
        }
        // Other companies keep their own hosts; unknown ones are still unknown.
        let res = app.get_with_host(&format!("bolt.localhost:{port}"), "/sign-in").await;
        assert!(res.text().await.unwrap().contains("Bolt Electric"));
        assert_eq!(app.get_with_host(&format!("nope.localhost:{port}"), "/sign-in").await.status(), 404);
        // The central page belongs to the company there: sent on to its own link form.
        let res = app.get_with_host(&format!("localhost:{port}"), "/find-your-portal").await;
        assert_eq!(res.url().path(), "/sign-in/link");
        assert!(res.text().await.unwrap().contains("Acme Plumbing"));
    }

    async fn central_sign_in_answers_alike_and_emails_only_known_addresses(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let port = app.addr.port();
        let base = format!("http://localhost:{port}");
        let client = bare_client();
        let form = client.get(format!("{base}/find-your-portal")).send().await.unwrap();
        assert_eq!(form.status(), 200);
        let ask = |email: &'static str| {
            let client = client.clone();
            let base = base.clone();
            async move {
                let token = csrf_of(&client, &format!("{base}/find-your-portal")).await;
                let res = client.post(format!("{base}/find-your-portal"))
                    .header("origin", base.clone())
                    .form(&[("email", email), ("csrf_token", token.as_str())])
                    .send().await.unwrap();
                let status = res.status().as_u16();
                (status, res.text().await.unwrap().replace(email, "EMAIL"))
            }
        };
        let outbox = || async {
            let n: i64 = doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(
                "SELECT COUNT(*) FROM email_outbox WHERE kind = 'sign_in_link'").fetch_one(p).await).unwrap();
            n
        };
        let before = outbox().await;
        let unknown = ask("nobody@example.test").await;
        let known = ask("dana@example.test").await;
        assert_eq!(unknown.0, 200);
        // Same status, same words (the CSRF token differs per browser, not per answer).
        assert_eq!(known, unknown);
        // The links go out after the answer: wait for them.
        let mut sent = 0;
        for _ in 0..100 {
            sent = outbox().await - before;
            if sent >= 2 { break; }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        // Dana may sign in at Acme and at Bolt: one link from each; nobody gets nothing.
        assert_eq!(sent, 2);
        let to: Vec<String> = doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(
            "SELECT to_address FROM email_outbox WHERE kind = 'sign_in_link'").fetch_all(p).await).unwrap();
        assert!(to.iter().all(|t| t == "dana@example.test"), "{to:?}");
        let _ = people;
        // On a company's host the page sends to that company's own form.
        let res = app.client(&["acme"]).get(app.url("acme", "/find-your-portal")).send().await.unwrap();
        assert_eq!((res.status().as_u16(), res.headers()["location"].to_str().unwrap()), (303, "/sign-in/link"));
    }
}
