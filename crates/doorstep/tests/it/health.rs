//! Health, readiness and metrics.

use doorstep_testkit::{Backend, both_backends};

use crate::helpers::TestApp;

both_backends! {
    async fn health_and_readiness_answer_on_any_host(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        for host in ["localhost", "127.0.0.1", "nope.localhost"] {
            let res = app.get_with_host(host, "/healthz").await;
            assert_eq!(res.status(), 200);
            let res = app.get_with_host(host, "/readyz").await;
            assert_eq!(res.status(), 200);
            assert_eq!(res.text().await.unwrap().trim(), "ready");
        }
    }

    async fn readiness_fails_when_the_database_is_gone(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.store.close().await;
        let res = app.get_with_host("localhost", "/readyz").await;
        assert_eq!(res.status(), 503);
        assert_eq!(app.get_with_host("localhost", "/healthz").await.status(), 200);
    }

    async fn metrics_count_requests_by_route_template(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("acme", "Acme").await;
        let client = app.client(&["acme"]);
        client.get(app.url("acme", "/")).send().await.unwrap();
        client.get(app.url("acme", "/office/setup/abc")).send().await.unwrap();
        let res = app.metrics().await;
        assert_eq!(res.status(), 200);
        let text = res.text().await.unwrap();
        assert!(text.contains(r#"doorstep_http_requests_total{method="GET",route="/",status="200"} 1"#), "{text}");
        // The route template, never the raw path with its secret token.
        assert!(text.contains(r#"route="/office/setup/{token}",status="410""#), "{text}");
        assert!(!text.contains("/office/setup/abc"));
        assert!(text.contains("doorstep_http_request_duration_seconds_bucket"));
    }
}
