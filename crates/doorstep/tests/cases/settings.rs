//! `doorstep_app::settings`: the catalogue, availability windows, email wording, visit
//! settings, and settings changed field-wise so two administrators keep both changes.

use doorstep_app::AppError;
use doorstep_app::settings;
use doorstep_app::settings::availability::{self, Window};
use doorstep_app::settings::catalogue::{self, Item};
use doorstep_app::settings::email_templates::{self, Wording};
use doorstep_app::settings::visits::{self, VisitChanges};
use doorstep_core::ids::CatalogueItemId;
use doorstep_core::money::Currency;
use doorstep_core::status::StaffRole;
use doorstep_mail::EmailKind;
use doorstep_store::catalogue::CatalogueItem;
use doorstep_testkit::{Backend, both_backends};
use time::Date;

use crate::local_time::demo_today;
use crate::world::World;

const USD: Currency = Currency::USD;

fn today() -> Date {
    demo_today()
}

fn item(name: &str, price: &str, shown: bool) -> Item {
    Item::parse("product", name, "Rented by the week.", price, shown, USD).unwrap()
}

/// The whole catalogue of `slug`.
async fn catalogue_of(w: &World, slug: &str) -> Vec<CatalogueItem> {
    let company = w.company(slug).await;
    w.store.catalogue_page(company.id, None, 100).await.unwrap()
}

/// A window of Bolt (which has none in the demo), published by its administrator.
async fn bolt_window(w: &World) -> i64 {
    let brenda = w.staff("bolt", "office@bolt.test").await;
    let day = (today() + time::Duration::days(3)).to_string();
    let window = Window::parse(&day, "pm", ("", ""), "4", today()).unwrap();
    availability::create(&w.app, &brenda, window).await.unwrap()
}

both_backends! {
    /// An administrator adds an item, renames it, hides it and shows it again; each step
    /// is saved and audited under their name.
    async fn an_administrator_adds_edits_hides_and_shows_an_item(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let admin = olivia.admin().unwrap();
        let id = catalogue::add(&w.app, admin, item("Pressure washer", "45.50", true)).await.unwrap();
        let saved = w.store.catalogue_item(w.acme.id, id).await.unwrap().unwrap();
        assert_eq!((saved.kind.as_str(), saved.name.as_str(), saved.unit_price_minor, saved.show_in_portal),
            ("product", "Pressure washer", 4_550, true));
        assert_eq!(w.last_audit(&w.acme).await, ("catalogue_item.added".into(), "office@acme.test".into()));

        catalogue::edit(&w.app, admin, id, item("Pressure washer, large", "1,250", true)).await.unwrap();
        let saved = w.store.catalogue_item(w.acme.id, id).await.unwrap().unwrap();
        assert_eq!((saved.name.as_str(), saved.unit_price_minor), ("Pressure washer, large", 125_000));
        assert_eq!(w.last_audit(&w.acme).await.0, "catalogue_item.edited");

        catalogue::set_shown(&w.app, admin, id, false).await.unwrap();
        assert!(w.store.requestable_item(w.acme.id, id).await.unwrap().is_none(), "hidden from the portal");
        assert_eq!(w.last_audit(&w.acme).await.0, "catalogue_item.hidden");
        catalogue::set_shown(&w.app, admin, id, true).await.unwrap();
        assert!(w.store.requestable_item(w.acme.id, id).await.unwrap().is_some());
        assert_eq!(w.last_audit(&w.acme).await.0, "catalogue_item.shown");
    }

    /// Bad input, a name another item has (letter case aside) and another company's item
    /// are refused, and none of them writes anything.
    async fn refused_catalogue_changes_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let errors = Item::parse("rental", " ", "", "12,50", true, USD).unwrap_err();
        for field in ["kind", "name", "price"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert!(errors.get("description").is_none());
        let ours = catalogue_of(&w, "acme").await;
        let theirs = catalogue_of(&w, "bolt").await;
        let (first, second) = (&ours[0], &ours[1]);
        let before = w.snapshot(&["catalogue_items"]).await;

        let olivia = w.olivia().await;
        let admin = olivia.admin().unwrap();
        let taken = item(&first.name.to_uppercase(), "10", true);
        let err = catalogue::add(&w.app, admin, taken.clone()).await.unwrap_err();
        assert!(matches!(err, AppError::Duplicate(_)), "{err:?}");
        let err = catalogue::edit(&w.app, admin, CatalogueItemId(second.id), taken).await.unwrap_err();
        assert!(matches!(err, AppError::Duplicate(_)), "{err:?}");
        let bolt_item = CatalogueItemId(theirs[0].id);
        let err = catalogue::edit(&w.app, admin, bolt_item, item("Mine now", "1", true)).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = catalogue::set_shown(&w.app, admin, bolt_item, false).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        // The office role never holds an `Admin`, so it cannot reach these use cases.
        let oscar = w.oscar().await;
        assert!(matches!(oscar.admin(), Err(AppError::NotFound)));

        assert_eq!(w.snapshot(&["catalogue_items"]).await, before);
        assert_eq!(catalogue_of(&w, "acme").await, ours, "no item changed");
        assert_eq!(catalogue_of(&w, "bolt").await, theirs);
    }

    /// Any staff member publishes a window and changes its capacity, which never goes
    /// below what is booked.
    async fn staff_publish_a_window_and_its_capacity_never_drops_below_the_bookings(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let day = (today() + time::Duration::days(20)).to_string();
        let window = Window::parse(&day, "exact", ("09:00", "11:30"), "2", today()).unwrap();
        let id = availability::create(&w.app, &oscar, window).await.unwrap();
        let saved = w.store.office_window(w.acme.id, id).await.unwrap().unwrap();
        assert_eq!((saved.slot.as_str(), saved.start_time.as_str(), saved.end_time.as_str(), saved.capacity, saved.booked),
            ("exact", "09:00", "11:30", 2, 0));
        assert_eq!(w.last_audit(&w.acme).await, ("availability_window.created".into(), "dispatch@acme.test".into()));

        let mut tx = w.store.begin().await.unwrap();
        for _ in 0..2 {
            assert!(tx.take_window_place_checked(w.acme.id, id, today()).await.unwrap());
        }
        tx.commit().await.unwrap();
        let before = w.snapshot(&["availability_windows"]).await;
        let err = availability::set_capacity(&w.app, &oscar, id, "1").await.unwrap_err();
        let refusal = err.invalid().unwrap();
        assert_eq!(refusal.field, "capacity");
        assert!(refusal.message.starts_with("2 visits are already booked"), "{}", refusal.message);
        assert_eq!(w.snapshot(&["availability_windows"]).await, before);
        assert_eq!(w.store.office_window(w.acme.id, id).await.unwrap().unwrap().capacity, 2);

        availability::set_capacity(&w.app, &oscar, id, "3").await.unwrap();
        assert_eq!(w.store.office_window(w.acme.id, id).await.unwrap().unwrap().capacity, 3);
        assert_eq!(w.last_audit(&w.acme).await.0, "availability_window.capacity_changed");
    }

    /// Bad input, a window the company already has and another company's window are
    /// refused, and none of them writes anything.
    async fn refused_window_changes_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let past = (today() - time::Duration::days(1)).to_string();
        let errors = Window::parse(&past, "exact", ("11:00", "09:00"), "0", today()).unwrap_err();
        for field in ["date", "hours", "capacity"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let errors = Window::parse("soon", "evening", ("", ""), "many", today()).unwrap_err();
        for field in ["date", "slot", "capacity"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let theirs = bolt_window(&w).await;
        let ours = w.store.windows_page(w.acme.id, today(), None, 1).await.unwrap().remove(0);
        let before = w.snapshot(&["availability_windows"]).await;

        let oscar = w.oscar().await;
        let again = Window::parse(&ours.window_date.to_string(), &ours.slot, ("", ""), "5", today()).unwrap();
        let err = availability::create(&w.app, &oscar, again).await.unwrap_err();
        assert!(matches!(err, AppError::Duplicate(_)), "{err:?}");
        let err = availability::set_capacity(&w.app, &oscar, theirs, "9").await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = availability::set_capacity(&w.app, &oscar, ours.id, "lots").await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("capacity"));
        let err = availability::set_capacity(&w.app, &oscar, ours.id, "1001").await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("capacity"));

        assert_eq!(w.snapshot(&["availability_windows"]).await, before);
        let bolt = w.company("bolt").await;
        assert_eq!(w.store.office_window(bolt.id, theirs).await.unwrap().unwrap().capacity, 4);
        assert_eq!(w.store.office_window(w.acme.id, ours.id).await.unwrap().unwrap(), ours);
    }

    /// An administrator saves their own wording of an email and restores the default.
    async fn an_administrator_rewords_an_email_and_restores_the_default(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let admin = olivia.admin().unwrap();
        let kind = EmailKind::Invitation;
        let wording = Wording::parse(kind, "  Welcome to {{company_name}}  ", "Hello,\r\nstart here: {{link}}").unwrap();
        assert_eq!((wording.subject(), wording.body()), ("Welcome to {{company_name}}", "Hello,\nstart here: {{link}}"));
        email_templates::save(&w.app, admin, kind, wording).await.unwrap();
        let saved = w.store.email_template(w.acme.id, kind.as_str()).await.unwrap();
        assert_eq!(saved, Some(("Welcome to {{company_name}}".to_owned(), "Hello,\nstart here: {{link}}".to_owned())));
        assert_eq!(w.last_audit(&w.acme).await, ("email_template.saved".into(), "office@acme.test".into()));

        email_templates::restore(&w.app, admin, kind).await.unwrap();
        assert_eq!(w.store.email_template(w.acme.id, kind.as_str()).await.unwrap(), None);
        assert_eq!(w.last_audit(&w.acme).await.0, "email_template.restored");
    }

    /// A wording without its link, with a placeholder its kind does not fill, or empty is
    /// refused field by field; the office role cannot reword emails; nothing is written.
    async fn refused_wordings_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let before = w.snapshot(&["email_templates"]).await;
        let kind = EmailKind::Invitation;
        let errors = Wording::parse(kind, "Hi {{nickname}}", "No link here.").unwrap_err();
        assert!(errors.get("subject").unwrap().contains("{{nickname}}"));
        assert!(errors.get("body").unwrap().contains("{{link}}"));
        let errors = Wording::parse(kind, " ", "").unwrap_err();
        assert!(errors.get("subject").is_some() && errors.get("body").is_some());
        let oscar = w.oscar().await;
        assert!(matches!(oscar.admin(), Err(AppError::NotFound)));
        assert_eq!(w.snapshot(&["email_templates"]).await, before);
    }

    /// An administrator switches visit changes off and sets the cut-off; a cut-off that is
    /// not whole hours up to thirty days is refused, and the office role cannot.
    async fn an_administrator_sets_the_visit_settings(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let before = w.snapshot(&[]).await;
        for bad in ["a day", "721", "-1", ""] {
            let err = VisitChanges::parse(true, bad).unwrap_err();
            assert_eq!(err.field, "cutoff_hours", "{bad}");
        }
        let oscar = w.oscar().await;
        assert!(matches!(oscar.admin(), Err(AppError::NotFound)));
        assert_eq!(w.snapshot(&[]).await, before);
        assert_eq!(w.company("acme").await.settings, w.acme.settings);

        let saved = visits::set(&w.app, olivia.admin().unwrap(), VisitChanges::parse(false, " 48 ").unwrap()).await.unwrap();
        let fresh = w.company("acme").await.settings;
        assert_eq!(saved, fresh);
        assert_eq!((fresh.allow_reschedule, fresh.reschedule_cutoff_hours), (false, 48));
        assert_eq!(w.last_audit(&w.acme).await, ("settings.visit_changes".into(), "office@acme.test".into()));
    }

    /// Two administrators who loaded the company before either saved change different
    /// settings one after the other: both changes are kept, whichever of them is stale.
    async fn two_administrators_changing_different_settings_keep_both(backend: Backend) {
        let w = World::demo(backend).await;
        let mut tx = w.store.begin().await.unwrap();
        tx.create_staff(w.acme.id, "owner@acme.test", "Owen Acme", StaffRole::Admin, None).await.unwrap();
        tx.commit().await.unwrap();
        let olivia = w.olivia().await;
        let owen = w.staff("acme", "owner@acme.test").await;
        let start = w.acme.settings.clone();
        let (allow, credit, sign_up) = (!start.allow_reschedule, !start.show_credit, !start.allow_self_sign_up);

        visits::set(&w.app, olivia.admin().unwrap(), VisitChanges::parse(allow, "48").unwrap()).await.unwrap();
        // Owen's copy of the company still has the old visit settings: he works from it.
        assert_eq!(owen.company().settings.allow_reschedule, start.allow_reschedule);
        settings::change(&w.app, owen.admin().unwrap(), "settings.portal", Default::default(),
            |s| s.show_credit = credit).await.unwrap();
        // And Olivia, as stale about the credit switch, saves the cut-off again.
        assert_eq!(olivia.company().settings.show_credit, start.show_credit);
        visits::set(&w.app, olivia.admin().unwrap(), VisitChanges::parse(allow, "12").unwrap()).await.unwrap();

        let fresh = w.company("acme").await.settings;
        assert_eq!((fresh.allow_reschedule, fresh.reschedule_cutoff_hours, fresh.show_credit), (allow, 12, credit));
        assert_eq!(fresh.allow_self_sign_up, start.allow_self_sign_up, "nobody's other switches moved");

        // At the same time, too: each change waits for the other's row lock.
        let (a, b) = tokio::join!(
            visits::set(&w.app, olivia.admin().unwrap(), VisitChanges::parse(!allow, "6").unwrap()),
            settings::change(&w.app, owen.admin().unwrap(), "settings.portal", Default::default(),
                |s| s.allow_self_sign_up = sign_up),
        );
        a.unwrap();
        b.unwrap();
        let fresh = w.company("acme").await.settings;
        assert_eq!((fresh.allow_reschedule, fresh.reschedule_cutoff_hours, fresh.show_credit, fresh.allow_self_sign_up),
            (!allow, 6, credit, sign_up));
    }
}
