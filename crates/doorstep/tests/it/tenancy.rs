//! The company is decided by the Host alone, and nothing crosses between companies.

use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{TestApp, html, text_of};

both_backends! {
    async fn a_company_subdomain_serves_its_branded_sign_in_page(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("acme", "Acme Plumbing & Heating").await;
        let res = app.client(&["acme"]).get(app.url("acme", "/")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let doc = html(&res.text().await.unwrap());
        assert_eq!(text_of(&doc, ".brand-name").as_deref(), Some("Acme Plumbing & Heating"));
        assert_eq!(text_of(&doc, "label[for=email]").as_deref(), Some("Email"));
        assert_eq!(text_of(&doc, "label[for=password]").as_deref(), Some("Password"));
        assert_eq!(text_of(&doc, "form button[type=submit]").as_deref(), Some("Sign in"));
        let address = text_of(&doc, "footer address").unwrap();
        assert!(address.contains("1 Main Street") && address.contains("(555) 010-1000"), "{address}");
        assert!(address.contains("hello@acme.test"));
    }

    async fn each_host_shows_only_its_own_company(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("acme", "Acme Plumbing & Heating").await;
        app.create_company("bolt", "Bolt Electric").await;
        let client = app.client(&["acme", "bolt"]);
        for (slug, mine, theirs) in [("acme", "Acme", "Bolt"), ("bolt", "Bolt", "Acme")] {
            for path in ["/", "/office"] {
                let body = client.get(app.url(slug, path)).send().await.unwrap().text().await.unwrap();
                assert!(body.contains(mine), "{slug}{path} lacks {mine}");
                assert!(!body.contains(theirs), "{slug}{path} shows {theirs}");
            }
        }
    }

    async fn an_unknown_company_host_gets_a_friendly_404_page(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("acme", "Acme Plumbing & Heating").await;
        let port = app.addr.port();
        for host in [
            format!("nope.localhost:{port}"),
            format!("localhost:{port}"),
            format!("127.0.0.1:{port}"),
            format!("www.localhost:{port}"),
            format!("a.b.localhost:{port}"),
            "unregistered.example.com".to_owned(),
        ] {
            for path in ["/", "/office", "/brand.css", "/anything/else"] {
                let res = app.get_with_host(&host, path).await;
                assert_eq!(res.status(), 404, "{host}{path}");
                let doc = html(&res.text().await.unwrap());
                assert_eq!(text_of(&doc, "h1").as_deref(), Some("No portal at this address"), "{host}{path}");
            }
        }
    }

    async fn an_unknown_page_of_a_known_company_is_a_plain_404(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("acme", "Acme Plumbing & Heating").await;
        let res = app.client(&["acme"]).get(app.url("acme", "/no/such/page")).send().await.unwrap();
        assert_eq!(res.status(), 404);
        let doc = html(&res.text().await.unwrap());
        assert_eq!(text_of(&doc, "h1").as_deref(), Some("Page not found"));
    }

    async fn a_registered_custom_domain_serves_its_company(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let acme = app.create_company("acme", "Acme Plumbing & Heating").await;
        let mut tx = app.store.begin().await.unwrap();
        tx.add_company_domain(acme, "portal.acmeplumbing.example").await.unwrap();
        tx.commit().await.unwrap();
        let res = app.get_with_host("Portal.AcmePlumbing.example", "/").await;
        assert_eq!(res.status(), 200);
        let doc = html(&res.text().await.unwrap());
        assert_eq!(text_of(&doc, ".brand-name").as_deref(), Some("Acme Plumbing & Heating"));
    }

    async fn company_names_are_escaped_not_rendered_as_markup(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("evil", "<script>alert(1)</script> & Sons").await;
        let body = app.client(&["evil"]).get(app.url("evil", "/")).send().await.unwrap().text().await.unwrap();
        assert!(!body.contains("<script"), "{body}");
        let doc = html(&body);
        assert_eq!(text_of(&doc, ".brand-name").as_deref(), Some("<script>alert(1)</script> & Sons"));
    }

    async fn brand_colours_reach_the_brand_stylesheet_only_when_valid(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let mut tx = app.store.begin().await.unwrap();
        tx.create_company(&doorstep_store::companies::NewCompany {
            slug: "odd".into(),
            name: "Odd Co".into(),
            currency: "USD".into(),
            brand_primary: "#5b2a86".into(),
            brand_accent: "red;} body{display:none".into(),
            ..Default::default()
        }).await.unwrap();
        tx.commit().await.unwrap();
        let res = app.client(&["odd"]).get(app.url("odd", "/brand.css")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
        let css = res.text().await.unwrap();
        assert!(css.contains("--brand: #5b2a86;"), "{css}");
        assert!(css.contains("--accent: #f5a623;"), "{css}");
        assert!(!css.contains("display:none"));
        let logo = app.client(&["odd"]).get(app.url("odd", "/brand/logo")).send().await.unwrap();
        assert_eq!(logo.status(), 404, "no logo uploaded");
    }
}

both_backends! {
    async fn missing_pages_and_refusals_keep_the_company_frame_and_a_way_home(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        crate::helpers::seed_people(&app).await;
        let client = app.client(&["acme"]);
        let way_back = |doc: &scraper::Html| {
            let sel = scraper::Selector::parse("[data-testid=way-back]").unwrap();
            doc.select(&sel).next().and_then(|a| a.value().attr("href")).map(str::to_owned)
        };
        for (path, home) in [("/no-such-page", "/"), ("/office/no-such-page", "/office"), ("/invoices/I-404", "/")] {
            let res = client.get(app.url("acme", path)).send().await.unwrap();
            let status = res.status();
            let doc = html(&res.text().await.unwrap());
            if path == "/invoices/I-404" {
                // Signed out: sent to sign in, not a frame.
                assert_eq!(status, 303);
                continue;
            }
            assert_eq!(status, 404, "{path}");
            assert_eq!(text_of(&doc, "h1").as_deref(), Some("Page not found"), "{path}");
            assert_eq!(text_of(&doc, ".brand-name").as_deref(), Some("Acme Plumbing & Heating"), "{path}");
            assert_eq!(way_back(&doc).as_deref(), Some(home), "{path}");
        }
        // A forged form (no CSRF token): refused inside the frame too.
        let res = client.post(app.url("acme", "/sign-in")).form(&[("email", "a@b.co")]).send().await.unwrap();
        assert_eq!(res.status(), 403);
        let doc = html(&res.text().await.unwrap());
        assert_eq!(text_of(&doc, ".brand-name").as_deref(), Some("Acme Plumbing & Heating"));
        assert_eq!(way_back(&doc).as_deref(), Some("/"));
        // A host that names no company keeps the plain page: no company to frame it.
        let res = app.get_with_host("nobody.localhost", "/no-such-page").await;
        assert_eq!(res.status(), 404);
        let doc = html(&res.text().await.unwrap());
        assert_eq!(text_of(&doc, ".brand-name"), None);
        assert_eq!(way_back(&doc), None);
    }
}
