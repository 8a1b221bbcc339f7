//! `doorstep_app::setup`: the brand colours (a pair failing contrast refused), the logo,
//! the portal switches, the office home's checklist and viewing the portal as a contact.

use doorstep_app::AppError;
use doorstep_app::setup::branding::{self, Colours, StoredLogo};
use doorstep_app::setup::checklist;
use doorstep_app::setup::switches::{self, Switches};
use doorstep_app::setup::view_as;
use doorstep_core::authz::PortalAction;
use doorstep_core::ids::ContactId;
use doorstep_core::settings::{PORTAL_SWITCHES, PortalSettings};
use doorstep_store::companies::NewCompany;
use doorstep_testkit::{Backend, both_backends};

use crate::world::World;

fn logo(key: &str) -> StoredLogo {
    StoredLogo {
        storage_key: key.into(),
        size_bytes: 1234,
    }
}

/// A contact of another company (Bolt).
async fn bolt_contact(w: &World) -> ContactId {
    let bolt = w.company("bolt").await;
    let id: i64 = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
        "SELECT id FROM contacts WHERE company_id = $1 ORDER BY id LIMIT 1")
        .bind(bolt.id.0).fetch_one(p).await)
    .unwrap();
    ContactId(id)
}

/// The last sign-in of Dana's login, which viewing as her must never change.
async fn dana_last_sign_in(w: &World) -> Option<String> {
    let login = w.login_of(&w.acme, "dana@example.test").await;
    let at: Option<time::OffsetDateTime> =
        doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
        "SELECT last_sign_in_at FROM portal_logins WHERE id = $1")
        .bind(login.0).fetch_one(p).await)
        .unwrap();
    at.map(|t| t.to_string())
}

both_backends! {
    /// An administrator saves a readable colour pair (audited with both pairs); saving
    /// the same pair writes nothing; a failing pair is refused on the text colour with
    /// the computed ratio; the office role never gets to save.
    async fn an_administrator_sets_readable_colours(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let colours = Colours::parse("#5B2A86", "#ffffff").unwrap();
        assert!(branding::set_colours(&w.app, olivia.admin().unwrap(), colours.clone()).await.unwrap());
        let acme = w.company("acme").await;
        assert_eq!((acme.brand_primary.as_str(), acme.brand_text.as_str()), ("#5b2a86", "#ffffff"));
        assert_eq!(w.last_audit(&acme).await, ("branding.colours_saved".into(), "office@acme.test".into()));

        let before = w.snapshot(&["companies"]).await;
        assert!(!branding::set_colours(&w.app, olivia.admin().unwrap(), colours).await.unwrap());
        let errors = Colours::parse("#f5a623", "#ffffff").unwrap_err();
        let message = errors.get("brand_text").unwrap();
        assert!(message.contains("2.02:1") && message.contains("4.5:1"), "{message}");
        assert!(errors.get("brand_primary").is_none());
        let errors = Colours::parse("red", "").unwrap_err();
        assert!(errors.get("brand_primary").is_some() && errors.get("brand_text").is_some());
        let oscar = w.oscar().await;
        assert!(matches!(oscar.admin(), Err(AppError::NotFound)));
        assert_eq!(w.snapshot(&["companies"]).await, before);
        assert_eq!(w.company("acme").await.brand_primary, "#5b2a86");
    }

    /// Uploading a logo and removing it are each audited; removing when there is none
    /// writes nothing. Bad content and oversized files never get as far as the use case:
    /// the upload adapter's media check refuses them (`media` unit tests, `it::setup`).
    async fn a_logo_is_set_and_removed(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        branding::set_logo(&w.app, olivia.admin().unwrap(), logo("logo-key-1")).await.unwrap();
        assert_eq!(w.company("acme").await.logo_key.as_deref(), Some("logo-key-1"));
        assert_eq!(w.last_audit(&w.acme).await.0, "branding.logo_uploaded");
        assert!(branding::remove_logo(&w.app, olivia.admin().unwrap()).await.unwrap());
        assert_eq!(w.company("acme").await.logo_key, None);
        assert_eq!(w.last_audit(&w.acme).await.0, "branding.logo_removed");

        let before = w.snapshot(&["companies"]).await;
        assert!(!branding::remove_logo(&w.app, olivia.admin().unwrap()).await.unwrap());
        assert!(w.oscar().await.admin().is_err());
        assert_eq!(w.snapshot(&["companies"]).await, before);
    }

    /// The switches page sets every switch it offers and only those; the change is
    /// audited with each switch that moved.
    async fn portal_switches_are_saved_and_audited(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let before = w.company("acme").await.settings;
        let on = ["allow_self_sign_up", "show_invoices", "show_estimates"];
        let saved = switches::save(&w.app, olivia.admin().unwrap(), Switches::parse(|k| on.contains(&k))).await.unwrap();
        for sw in PORTAL_SWITCHES {
            assert_eq!((sw.get)(&saved), on.contains(&sw.key), "{}", sw.key);
        }
        let after = w.company("acme").await.settings;
        assert_eq!(after, saved);
        // What the page does not offer is kept.
        assert_eq!(after.reschedule_cutoff_hours, before.reschedule_cutoff_hours);
        assert_eq!(after.show_credit, before.show_credit);
        let detail: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT detail FROM audit_events WHERE company_id = $1 AND action = 'settings.portal_switches'")
            .bind(w.acme.id.0).fetch_one(p).await).unwrap();
        assert!(detail.contains("can_create_job") && !detail.contains("show_credit"), "{detail}");
        assert!(!PortalSettings::default().allow_self_sign_up);

        let snapshot = w.snapshot(&["companies"]).await;
        assert!(w.oscar().await.admin().is_err());
        assert_eq!(w.snapshot(&["companies"]).await, snapshot);
    }

    /// A new company's checklist starts empty and ticks from its data, not from a stored
    /// box; dismissing it is audited once.
    async fn the_checklist_ticks_from_the_data(backend: Backend) {
        let w = World::demo(backend).await;
        let mut tx = w.store.begin().await.unwrap();
        let fresh = tx.create_company(&NewCompany {
            slug: "fresh".into(),
            name: "Fresh Co".into(),
            email: "owner@fresh.test".into(),
            currency: "USD".into(),
            brand_primary: "#0b5cad".into(),
            brand_accent: "#f5a623".into(),
            ..NewCompany::default()
        }).await.unwrap();
        tx.create_staff(fresh, "owner@fresh.test", "Owner", doorstep_core::status::StaffRole::Admin, None).await.unwrap();
        tx.commit().await.unwrap();
        let facts = w.store.setup_facts(fresh).await.unwrap();
        assert!(checklist::steps(&facts).iter().all(|s| !s.done), "{facts:?}");
        let steps = checklist::steps(&facts);
        assert!(steps.iter().any(|s| s.href == "/office/import"));

        let mut tx = w.store.begin().await.unwrap();
        tx.set_company_logo(fresh, "k").await.unwrap();
        tx.create_staff(fresh, "second@fresh.test", "Second", doorstep_core::status::StaffRole::Office, None).await.unwrap();
        tx.commit().await.unwrap();
        let facts = w.store.setup_facts(fresh).await.unwrap();
        assert!(facts.logo && facts.staff && !facts.tax_rate && !facts.customers, "{facts:?}");
        // Acme, set up by the demo, has most steps done.
        let acme = w.store.setup_facts(w.acme.id).await.unwrap();
        assert!(acme.details && acme.logo && acme.customers && acme.staff, "{acme:?}");

        let olivia = w.olivia().await;
        assert!(!w.company("acme").await.onboarding_dismissed);
        assert!(checklist::dismiss(&w.app, olivia.admin().unwrap()).await.unwrap());
        assert!(w.company("acme").await.onboarding_dismissed);
        assert_eq!(w.last_audit(&w.acme).await.0, "onboarding.dismissed");
        let before = w.snapshot(&["companies"]).await;
        assert!(!checklist::dismiss(&w.app, olivia.admin().unwrap()).await.unwrap());
        assert!(w.oscar().await.admin().is_err());
        assert_eq!(w.snapshot(&["companies"]).await, before);
    }

    /// Staff view the portal as Dana on their own session: no session is made for her,
    /// her last sign-in stays, every write action is refused to the actor, and starting
    /// and stopping are audited. Another company's contact is not found.
    async fn viewing_as_a_contact_is_read_only_and_audited(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await.contact();
        let (oscar, hash) = w.staff_session("acme", "dispatch@acme.test").await;
        let sessions = w.rows("sessions").await;
        let signed_in = dana_last_sign_in(&w).await;

        let name = view_as::start(&w.app, &oscar, &hash, dana).await.unwrap();
        assert_eq!(name, "Dana Whitaker");
        assert_eq!(w.last_audit(&w.acme).await, ("portal.view_as_started".into(), "dispatch@acme.test".into()));
        let viewing = w.app.viewing_as(w.company("acme").await, &hash, time::Duration::hours(1), "127.0.0.1".parse().unwrap())
            .await.unwrap().unwrap();
        assert_eq!(viewing.contact_name, "Dana Whitaker");
        assert_eq!(viewing.contact.actor.contact(), dana);
        assert_eq!(viewing.contact.actor.viewer(), Some(oscar.id()));
        assert!(viewing.contact.actor.require(PortalAction::ViewInvoices).is_ok());
        for write in [PortalAction::AnswerEstimates, PortalAction::Pay, PortalAction::ChangeVisits, PortalAction::AnswerProposals] {
            let err = viewing.contact.actor.require(write).unwrap_err();
            assert_eq!(err.conflict_reason(), Some("read_only"), "{write:?}");
        }
        assert_eq!(w.rows("sessions").await, sessions, "no contact session");
        assert_eq!(dana_last_sign_in(&w).await, signed_in);

        assert_eq!(view_as::stop(&w.app, &oscar, &hash).await.unwrap(), Some(dana));
        assert_eq!(w.last_audit(&w.acme).await.0, "portal.view_as_stopped");
        assert!(w.app.viewing_as(w.company("acme").await, &hash, time::Duration::hours(1), "127.0.0.1".parse().unwrap())
            .await.unwrap().is_none());

        let before = w.snapshot(&["sessions"]).await;
        assert_eq!(view_as::stop(&w.app, &oscar, &hash).await.unwrap(), None);
        let other = bolt_contact(&w).await;
        assert!(matches!(view_as::start(&w.app, &oscar, &hash, other).await, Err(AppError::NotFound)));
        assert!(matches!(view_as::start(&w.app, &oscar, &hash, ContactId(999_999)).await, Err(AppError::NotFound)));
        assert_eq!(w.snapshot(&["sessions"]).await, before);
        assert_eq!(w.store.viewing_contact(w.acme.id, &hash).await.unwrap(), None);
    }
}
