//! `doorstep company create` prints a one-time link; it sets the admin's password once.

use doorstep_testkit::{Backend, both_backends};

use crate::cli::doorstep;
use crate::helpers::{TestApp, csrf_of, html, text_of};

/// Posts the setup form at `link` with a token from the page at `page` (same host).
async fn post_setup(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    link: &str,
    pw: &str,
    confirm: &str,
) -> reqwest::Response {
    let token = csrf_of(client, &app.url(slug, "/")).await;
    client
        .post(link)
        .header("origin", app.origin(slug))
        .form(&[
            ("password", pw),
            ("confirm", confirm),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap()
}

async fn create_acme_and_get_link(app: &TestApp) -> String {
    let out = doorstep(&[
        "company",
        "create",
        "--slug",
        "acme",
        "--name",
        "Acme Plumbing & Heating",
        "--admin-email",
        "Olivia@Acme.test",
        "--admin-name",
        "Olivia Park",
        "--database-url",
        &app.db.url,
        "--bind",
        &format!("127.0.0.1:{}", app.addr.port()),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let link = stdout
        .split_whitespace()
        .find(|w| w.contains("/office/setup/"))
        .unwrap_or_else(|| panic!("no link in {stdout}"))
        .to_owned();
    assert!(
        link.starts_with(&format!(
            "http://acme.localhost:{}/office/setup/",
            app.addr.port()
        )),
        "{link}"
    );
    link
}

both_backends! {
    async fn the_printed_setup_link_sets_the_admin_password_exactly_once(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let link = create_acme_and_get_link(&app).await;
        let client = app.client(&["acme"]);
        let company = app.store.company_by_slug("acme").await.unwrap().unwrap();
        let admin = || async {
            app.store.staff_by_email(company.id, "olivia@acme.test").await.unwrap().unwrap()
        };
        assert!(!admin().await.has_password);

        let page = client.get(&link).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let doc = html(&page.text().await.unwrap());
        assert_eq!(text_of(&doc, "h1").as_deref(), Some("Choose your password"));

        // Too short: the form comes back with the message next to the field, nothing saved.
        let short = post_setup(&app, &client, "acme", &link, "short-pw-11", "short-pw-11").await;
        assert_eq!(short.status(), 422);
        let doc = html(&short.text().await.unwrap());
        assert_eq!(text_of(&doc, "#password-error").as_deref(), Some("Use at least 12 characters."));
        assert!(!admin().await.has_password);

        let differ = post_setup(&app, &client, "acme", &link, "a long enough pass", "another long pass").await;
        assert_eq!(differ.status(), 422);
        let doc = html(&differ.text().await.unwrap());
        assert!(text_of(&doc, "#confirm-error").unwrap().contains("differ"));
        assert!(!admin().await.has_password);

        let good = post_setup(&app, &client, "acme", &link, "pipes and valves 64", "pipes and valves 64").await;
        assert_eq!(good.status(), 303);
        assert_eq!(good.headers()["location"], "/office?password_set=1");
        assert!(admin().await.has_password);
        let signin = client.get(app.url("acme", "/office?password_set=1")).send().await.unwrap().text().await.unwrap();
        assert!(signin.contains("Your password is set"));

        // Used up: neither the page nor the form works again.
        assert_eq!(client.get(&link).send().await.unwrap().status(), 410);
        let again = post_setup(&app, &client, "acme", &link, "someone else's pw", "someone else's pw").await;
        assert_eq!(again.status(), 410);

        let audit = app.store.recent_audit_actions(company.id, 10).await.unwrap();
        assert_eq!(audit, ["staff.password_set", "company.created"]);
    }

    async fn a_setup_link_does_not_work_on_another_companys_host(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("bolt", "Bolt Electric").await;
        let link = create_acme_and_get_link(&app).await;
        let foreign = link.replace("acme.localhost", "bolt.localhost");
        let client = app.client(&["acme", "bolt"]);
        assert_eq!(client.get(&foreign).send().await.unwrap().status(), 410);
        let post = post_setup(&app, &client, "bolt", &foreign, "pipes and valves 64", "pipes and valves 64").await;
        assert_eq!(post.status(), 410);
        assert_eq!(client.get(&link).send().await.unwrap().status(), 200, "still valid at acme");
    }

    async fn a_made_up_setup_token_is_refused(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("acme", "Acme").await;
        let res = app.client(&["acme"]).get(app.url("acme", &format!("/office/setup/{}", "0".repeat(64)))).send().await.unwrap();
        assert_eq!(res.status(), 410);
        let doc = html(&res.text().await.unwrap());
        assert_eq!(text_of(&doc, "h1").as_deref(), Some("This link has expired"));
    }
}
