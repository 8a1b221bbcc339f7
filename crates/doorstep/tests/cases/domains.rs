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
