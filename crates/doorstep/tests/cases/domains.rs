//! Use cases of issue 18's domains part on both engines: custom domains (added by an
//! administrator or the operator, refused when another company has it, removed and no
//! longer resolving at once), document number prefixes and the central sign-in.

use doorstep_app::AppError;
use doorstep_app::company::domains;
use doorstep_core::tenancy::{CompanySlug, CustomDomain};
use doorstep_testkit::{Backend, both_backends};

use crate::world::World;

fn domain(raw: &str) -> CustomDomain {
    domains::parse(raw, "localhost").unwrap()
}

both_backends! {
    async fn an_administrator_adds_and_removes_a_domain_which_resolves_only_meanwhile(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let acme = w.company("acme").await;
        domains::add(&w.app, olivia.admin().unwrap(), &domain("Portal.AcmePlumbing.example")).await.unwrap();
        assert_eq!(w.last_audit(&acme).await.0, "company.domain_added");
        let listed = w.store.company_domains(acme.id).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].domain, "portal.acmeplumbing.example");
        assert_eq!(listed[0].verified_at, None, "nothing checks DNS: shown as not checked");
        let found = w.store.company_for_domain("portal.acmeplumbing.example").await.unwrap().unwrap();
        assert_eq!(found.id, acme.id);

        // Another company's id is not found, and nothing changes.
        let bolt_admin = w.staff("bolt", "office@bolt.test").await;
        let before = w.snapshot(&["company_domains"]).await;
        let err = domains::remove(&w.app, bolt_admin.admin().unwrap(), listed[0].id).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert_eq!(w.snapshot(&["company_domains"]).await, before);

        let removed = domains::remove(&w.app, olivia.admin().unwrap(), listed[0].id).await.unwrap();
        assert_eq!(removed, "portal.acmeplumbing.example");
        assert_eq!(w.last_audit(&acme).await.0, "company.domain_removed");
        // At once, though the host was just looked up (and so kept for a moment).
        assert!(w.store.company_for_domain("portal.acmeplumbing.example").await.unwrap().is_none());
        assert!(w.store.company_domains(acme.id).await.unwrap().is_empty());
    }

    async fn a_domain_of_another_company_or_bad_input_or_office_staff_is_refused_with_nothing_written(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        domains::add(&w.app, olivia.admin().unwrap(), &domain("portal.acme.example")).await.unwrap();
        let bolt_admin = w.staff("bolt", "office@bolt.test").await;
        let before = w.snapshot(&["company_domains"]).await;

        let err = domains::add(&w.app, bolt_admin.admin().unwrap(), &domain("PORTAL.acme.example.")).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("domain_taken"), "{err:?}");
        assert!(!err.to_string().contains("Acme"), "another company's name is not told: {err}");
        let err = domains::add(&w.app, olivia.admin().unwrap(), &domain("portal.acme.example")).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("domain_added"), "{err:?}");
        // Office staff are not administrators.
        assert!(matches!(w.oscar().await.admin(), Err(AppError::NotFound)));
        // Bad input never reaches the use case.
        for bad in ["https://x.example", "x.example:8080", "x.example/path", "bücher.example", "acme.localhost", "localhost"] {
            let err = domains::parse(bad, "localhost").unwrap_err();
            assert!(err.invalid().is_some_and(|i| i.field == "domain"), "{bad}: {err:?}");
        }
        // The operator (CLI) is refused the same way.
        let bolt = CompanySlug::parse("bolt").unwrap();
        let err = domains::add_by_operator(&w.store, &bolt, &domain("portal.acme.example")).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("domain_taken"));
        let err = domains::remove_by_operator(&w.store, &bolt, &domain("portal.acme.example")).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("not_ours"));
        let nobody = CompanySlug::parse("nobody").unwrap();
        let err = domains::add_by_operator(&w.store, &nobody, &domain("x.example")).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound));
        assert_eq!(w.snapshot(&["company_domains"]).await, before);
        let acme = w.company("acme").await;
        assert_eq!(w.store.company_for_domain("portal.acme.example").await.unwrap().unwrap().id, acme.id);
    }

    async fn the_operator_adds_and_removes_a_domain_audited_as_the_system(backend: Backend) {
        let w = World::demo(backend).await;
        let bolt = w.company("bolt").await;
        let slug = CompanySlug::parse("bolt").unwrap();
        domains::add_by_operator(&w.store, &slug, &domain("portal.bolt.example")).await.unwrap();
        assert_eq!(w.last_audit(&bolt).await, ("company.domain_added".into(), "doorstep company domain".into()));
        assert_eq!(w.store.company_for_domain("portal.bolt.example").await.unwrap().unwrap().id, bolt.id);
        domains::remove_by_operator(&w.store, &slug, &domain("portal.bolt.example")).await.unwrap();
        assert_eq!(w.last_audit(&bolt).await.0, "company.domain_removed");
        assert!(w.store.company_for_domain("portal.bolt.example").await.unwrap().is_none());
    }
}

async fn details_input(w: &World, slug: &str) -> doorstep_app::company::details::DetailsInput {
    let company = w.company(slug).await;
    (&w.store.company_details(company.id).await.unwrap().unwrap()).into()
}

both_backends! {
    async fn number_prefixes_are_checked_saved_audited_and_used_for_new_numbers_only(backend: Backend) {
        use doorstep_app::company::details::{self, Details};
        use doorstep_store::request_inbox::Numbered;
        let w = World::demo(backend).await;
        let acme = w.company("acme").await;
        let olivia = w.olivia().await;
        let numbers = |table: &'static str| {
            let store = w.store.clone();
            async move {
                let sql = format!("SELECT number FROM {table} WHERE company_id = $1 ORDER BY id");
                let v: Vec<String> = doorstep_store::on_pool!(store, p => sqlx::query_scalar(&sql).bind(acme.id.0).fetch_all(p).await).unwrap();
                v
            }
        };
        let invoices_before = numbers("invoices").await;
        let jobs_before = numbers("jobs").await;

        // Bad prefixes: each named, nothing saved.
        let mut bad = details_input(&w, "acme").await;
        bad.invoice_prefix = "INVOICE-NO".into();
        bad.job_prefix = "W O".into();
        bad.estimate_prefix = String::new();
        let errors = Details::parse(&bad, None).unwrap_err();
        for field in ["invoice_prefix", "job_prefix", "estimate_prefix"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }

        let mut input = details_input(&w, "acme").await;
        assert_eq!((input.estimate_prefix.as_str(), input.invoice_prefix.as_str(), input.job_prefix.as_str()), ("E-", "I-", "J-"));
        input.invoice_prefix = " INV- ".into();
        input.job_prefix = "WO-".into();
        let parsed = Details::parse(&input, None).unwrap();
        assert!(details::save(&w.app, olivia.admin().unwrap(), parsed).await.unwrap());
        let (action, _) = w.last_audit(&acme).await;
        assert_eq!(action, "company.details_saved");
        let saved = details_input(&w, "acme").await;
        assert_eq!((saved.invoice_prefix.as_str(), saved.job_prefix.as_str(), saved.estimate_prefix.as_str()), ("INV-", "WO-", "E-"));

        // New numbers carry the prefix and go on from the number reached; old ones stay.
        let mut tx = w.store.begin().await.unwrap();
        let invoice = tx.next_number(acme.id, Numbered::Invoice).await.unwrap();
        let job = tx.next_number(acme.id, Numbered::Job).await.unwrap();
        let estimate = tx.next_number(acme.id, Numbered::Estimate).await.unwrap();
        tx.commit().await.unwrap();
        assert!(invoice.starts_with("INV-") && invoice[4..].parse::<u32>().is_ok(), "{invoice}");
        assert!(job.starts_with("WO-") && job[3..].parse::<u32>().is_ok(), "{job}");
        assert!(estimate.starts_with("E-"), "{estimate}");
        let highest_job = jobs_before.iter().filter_map(|n| n.strip_prefix("J-")?.parse::<u32>().ok()).max().unwrap_or(1000);
        assert!(job[3..].parse::<u32>().unwrap() > highest_job, "{job} after J-{highest_job}");
        assert_eq!(numbers("invoices").await, invoices_before);
        assert_eq!(numbers("jobs").await, jobs_before);
        // Another company's numbers are untouched by Acme's prefixes.
        let bolt = w.company("bolt").await;
        let mut tx = w.store.begin().await.unwrap();
        assert!(tx.next_number(bolt.id, Numbered::Invoice).await.unwrap().starts_with("I-"));
        drop(tx);
    }

    async fn central_sign_in_emails_known_addresses_their_companies_links_and_nobody_else(backend: Backend) {
        use doorstep_app::sign_in::central;
        let w = World::demo(backend).await;
        let acme = w.company("acme").await;
        let bolt = w.company("bolt").await;
        let ip: std::net::IpAddr = "203.0.113.9".parse().unwrap();

        // Unknown, malformed and staff-only addresses: no email anywhere.
        let before = w.snapshot(&["auth_tokens"]).await;
        for email in ["nobody@example.test", "not an email", "", "office@acme.test"] {
            central::request(&w.app, email, ip).await.unwrap();
        }
        let after = w.snapshot(&["auth_tokens"]).await;
        assert_eq!(after.iter().find(|(t, _)| t == "email_outbox"), before.iter().find(|(t, _)| t == "email_outbox"));
        assert_eq!(after.iter().find(|(t, _)| t == "auth_tokens"), before.iter().find(|(t, _)| t == "auth_tokens"));

        // Dana has portal logins at Acme and at Bolt: each company sends its own link.
        let acme_before = w.emails(&acme).await.len();
        let bolt_before = w.emails(&bolt).await.len();
        central::request(&w.app, " Dana@Example.test ", ip).await.unwrap();
        let acme_new: Vec<_> = w.emails(&acme).await.split_off(acme_before);
        let bolt_new: Vec<_> = w.emails(&bolt).await.split_off(bolt_before);
        assert_eq!(acme_new, vec![("sign_in_link".to_owned(), "dana@example.test".to_owned())]);
        assert_eq!(bolt_new, vec![("sign_in_link".to_owned(), "dana@example.test".to_owned())]);
        // Each link is the company's own host.
        let body: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT body_text FROM email_outbox WHERE company_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(bolt.id.0).fetch_one(p).await).unwrap();
        assert!(body.contains("http://bolt.localhost/sign-in/link/"), "{body}");
        assert!(!body.contains("acme"), "{body}");
    }
}
