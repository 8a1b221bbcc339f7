//! Headers every response carries.

use doorstep_testkit::{Backend, both_backends};

use crate::helpers::TestApp;

both_backends! {
    async fn every_page_carries_a_strict_csp_and_the_security_headers(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("acme", "Acme").await;
        let client = app.client(&["acme"]);
        for path in ["/", "/office", "/nope", "/office/setup/x"] {
            let res = client.get(app.url("acme", path)).send().await.unwrap();
            let h = res.headers();
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
            assert!(csp.contains("frame-ancestors 'none'"), "{path}");
            assert!(csp.contains("script-src 'self'"), "{path}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(h["x-frame-options"], "DENY", "{path}");
            assert_eq!(h["referrer-policy"], "same-origin", "{path}");
            assert_eq!(h["cache-control"], "no-store", "{path}");
            assert_eq!(h["x-request-id"].len(), 16, "{path}");
        }
        let unknown = app.get_with_host("nope.localhost", "/").await;
        assert!(unknown.headers().contains_key("content-security-policy"));
    }

    async fn pages_have_no_inline_script_or_style(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("acme", "Acme").await;
        let client = app.client(&["acme"]);
        for path in ["/", "/office", "/nope"] {
            let body = client.get(app.url("acme", path)).send().await.unwrap().text().await.unwrap();
            assert!(!body.contains("<script"), "{path}");
            assert!(!body.contains("<style"), "{path}");
            assert!(!body.contains("style=\""), "{path}");
        }
    }

    async fn the_stylesheet_is_cacheable_while_pages_are_not(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("acme", "Acme").await;
        // Pages link the stylesheet and scripts under names carrying a hash of their bytes
        // (issue 15), cached for a year: a deploy that changes a file changes its name.
        let client = app.client(&["acme"]);
        let page = client.get(app.url("acme", "/sign-in")).send().await.unwrap();
        assert_eq!(page.headers()["cache-control"], "no-store");
        let page = page.text().await.unwrap();
        let href = page.split("<link rel=\"stylesheet\" href=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
        assert_eq!(href, doorstep_web::static_url("app.css"));
        let name = href.strip_prefix("/static/app.").and_then(|s| s.strip_suffix(".css")).unwrap();
        assert!(name.len() == 16 && name.chars().all(|c| c.is_ascii_hexdigit()), "{href}");
        assert!(!page.contains("\"/static/app.css\""), "never the plain name");
        let res = app.get_with_host("localhost", &href).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
        let hashed = res.text().await.unwrap();
        assert!(hashed.contains("--brand"));
        // The plain name still answers the same bytes, with a short cache.
        let res = app.get_with_host("localhost", "/static/app.css").await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "public, max-age=300");
        assert_eq!(res.text().await.unwrap(), hashed);
        // A script too; another hash (an earlier deploy's) is not found.
        let js = doorstep_web::static_url("office-nav.js");
        assert!(js.starts_with("/static/office-nav.") && js.ends_with(".js"), "{js}");
        assert_eq!(app.get_with_host("localhost", js).await.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(app.get_with_host("localhost", "/static/app.0123456789abcdef.css").await.status(), 404);
    }

    async fn an_oversized_body_is_refused_with_413(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("acme", "Acme").await;
        let client = app.client(&["acme"]);
        let token = crate::helpers::csrf_of(&client, &app.url("acme", "/")).await;
        let body = format!("csrf_token={token}&password={}&confirm=x", "a".repeat(2 * 1024 * 1024));
        let res = client
            .post(app.url("acme", "/office/setup/whatever"))
            .header("origin", app.origin("acme"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send().await.unwrap();
        assert_eq!(res.status(), 413);
    }
}
