//! A deployment serving one company on the bare host (`--single-company`): the links its
//! emails carry name that host, not `slug.base`; other companies' links keep theirs.

use doorstep::settings::Secret;
use doorstep_testkit::smtp::SmtpServer;
use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{TestApp, seed_people};

both_backends! {
    async fn emailed_links_of_the_single_company_use_the_bare_host(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = TestApp::spawn_with(backend, |s| {
            s.smtp_url = Some(Secret::new(smtp.url()));
            s.single_company = Some(doorstep_core::tenancy::CompanySlug::parse("acme").unwrap());
        }).await;
        seed_people(&app).await;
        for slug in ["acme", "bolt"] {
            let client = app.client(&[slug]);
            let res = app.submit(&client, slug, "/forgot-password", "/forgot-password", &[("email", "dana@example.test")]).await;
            assert!(res.status().is_success() || res.status().is_redirection(), "{slug}: {}", res.status());
        }
        let mail = smtp.wait_for_messages(2, std::time::Duration::from_secs(20)).await;
        let links: Vec<String> = mail.iter()
            .filter_map(|m| m.text.split_whitespace().find(|w| w.contains("/reset/")).map(str::to_owned))
            .collect();
        assert_eq!(links.len(), 2, "{links:?}");
        let port = app.addr.port();
        let acme = links.iter().find(|l| !l.contains("bolt")).unwrap();
        assert!(acme.starts_with(&format!("http://localhost:{port}/reset/")), "{acme}");
        assert!(links.iter().any(|l| l.starts_with(&format!("http://bolt.localhost:{port}/reset/"))), "{links:?}");

        // The bare host serves the link.
        let path = acme.trim_start_matches(&format!("http://localhost:{port}"));
        let res = app.get_with_host(&format!("localhost:{port}"), path).await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("New password"));
    }
}
