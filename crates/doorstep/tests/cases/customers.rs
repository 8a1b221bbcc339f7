//! `doorstep_app::customers`: the office's customer book. Customers, contacts and sites
//! are created, edited, deactivated and reactivated by any staff member, each audited;
//! refusals (bad input, another company's records, a duplicate external reference, a
//! parent cycle, a site contact without a site, a portal login's email) write nothing.
//! Portal actors cannot reach these use cases at all: each takes a `&StaffActor`.

use doorstep_app::AppError;
use doorstep_app::access;
use doorstep_app::customers::accounts::{self, Customer, CustomerFields};
use doorstep_app::customers::contacts::{self, Contact, ContactFields};
use doorstep_app::customers::sites::{self, Site, SiteFields};
use doorstep_core::ids::{CompanyId, ContactId, CustomerId, SiteId};
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::customer_reads::{CustomerDetail, CustomerFilter};
use doorstep_testkit::{Backend, both_backends};

use crate::world::World;

const TABLES: &[&str] = &[
    "customers",
    "contacts",
    "contact_sites",
    "sites",
    "sessions",
    "portal_logins",
];

fn customer(name: &str) -> CustomerFields {
    CustomerFields {
        name: name.into(),
        kind: "commercial".into(),
        email: "Office@Greenleaf.test".into(),
        phone: "(555) 010-9000".into(),
        billing_line1: "5 Market Street".into(),
        billing_city: "Springfield".into(),
        payment_terms_days: "30".into(),
        ..CustomerFields::default()
    }
}

fn parsed(f: &CustomerFields) -> Customer {
    Customer::parse(f).unwrap()
}

fn site(name: &str) -> Site {
    Site::parse(&SiteFields {
        name: name.into(),
        line1: "12 Orchard Road".into(),
        city: "Springfield".into(),
        access_notes: "Ring twice.".into(),
        ..SiteFields::default()
    })
    .unwrap()
}

fn person(first: &str, email: &str, role: &str, sites: &[SiteId]) -> Contact {
    Contact::parse(&ContactFields {
        first_name: first.into(),
        last_name: "Green".into(),
        email: email.into(),
        role: role.into(),
        sites: sites.iter().map(|s| s.0).collect(),
        ..ContactFields::default()
    })
    .unwrap()
}

async fn detail(w: &World, company: CompanyId, number: &str) -> CustomerDetail {
    w.store
        .customer_detail(company, number)
        .await
        .unwrap()
        .unwrap()
}

async fn contact_of(w: &World, company: CompanyId, customer: i64, first: &str) -> ContactId {
    let all = w
        .store
        .contacts_of_customer(company, CustomerId(customer))
        .await
        .unwrap();
    ContactId(all.iter().find(|c| c.first_name == first).unwrap().id)
}

async fn sessions_of_login(w: &World, login: i64) -> i64 {
    doorstep_store::on_pool!(w.store, p => sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE login_id = $1")
        .bind(login).fetch_one(p).await).unwrap()
}

both_backends! {
    /// A dispatcher (not an administrator) builds a customer from nothing: the account
    /// takes the company's next number, then a site and a site contact of it; each step
    /// is saved and audited under their name, and edits keep the number.
    async fn office_staff_build_a_customer_with_a_site_and_a_contact(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let made = accounts::create(&w.app, &oscar, parsed(&customer("Greenleaf Cafe"))).await.unwrap();
        assert_eq!(made.number, "C-1010", "after the demo's C-1001..C-1009");
        let saved = detail(&w, w.acme.id, "C-1010").await;
        assert_eq!((saved.name.as_str(), saved.kind.as_str(), saved.email.as_str(), saved.payment_terms_days),
            ("Greenleaf Cafe", "commercial", "office@greenleaf.test", Some(30)));
        assert!(saved.deactivated_at.is_none());
        assert_eq!(w.last_audit(&w.acme).await, ("customer.created".into(), "dispatch@acme.test".into()));

        let patio = sites::add(&w.app, &oscar, made.id, site("Patio")).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "site.created");
        let gina = contacts::add(&w.app, &oscar, made.id, person("Gina", "gina@greenleaf.test", "site", &[patio])).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "contact.created");
        assert_eq!(w.store.sites_of_contact(w.acme.id, gina).await.unwrap(), vec![patio]);
        let c = w.store.contact_access(w.acme.id, gina).await.unwrap().unwrap();
        assert_eq!((c.email.as_deref(), c.role.as_str(), c.portal_enabled, c.active), (Some("gina@greenleaf.test"), "site", false, true));

        // Edits: the customer's details, the site's address, the contact's email and role
        // (a company contact is tied to no site).
        let mut f = customer("Greenleaf Cafe & Bakery");
        f.external_ref = "QB-77".into();
        f.tax_exempt = true;
        f.payment_terms_days = String::new();
        accounts::edit(&w.app, &oscar, made.id, parsed(&f)).await.unwrap();
        let saved = detail(&w, w.acme.id, "C-1010").await;
        assert_eq!((saved.name.as_str(), saved.external_ref.as_deref(), saved.tax_exempt, saved.payment_terms_days),
            ("Greenleaf Cafe & Bakery", Some("QB-77"), true, None));
        assert_eq!(w.last_audit(&w.acme).await.0, "customer.edited");
        sites::edit(&w.app, &oscar, patio, site("Back patio")).await.unwrap();
        assert_eq!(w.store.site_detail(w.acme.id, patio.0).await.unwrap().unwrap().name, "Back patio");
        assert_eq!(w.last_audit(&w.acme).await.0, "site.edited");
        contacts::edit(&w.app, &oscar, gina, person("Gina", "gina.green@greenleaf.test", "company", &[])).await.unwrap();
        let c = w.store.contact_access(w.acme.id, gina).await.unwrap().unwrap();
        assert_eq!((c.email.as_deref(), c.role.as_str()), (Some("gina.green@greenleaf.test"), "company"));
        assert!(w.store.sites_of_contact(w.acme.id, gina).await.unwrap().is_empty());
        assert_eq!(w.last_audit(&w.acme).await.0, "contact.edited");

        // The email added here is what the access panel then enables and invites.
        let enabled = access::enable(&w.app, &oscar, gina).await.unwrap();
        assert!(enabled.invited);
        assert_eq!(w.emails(&w.acme).await.last().unwrap(), &("invitation".to_owned(), "gina.green@greenleaf.test".to_owned()));

        // A sub-customer under the new account.
        let mut sub = customer("Greenleaf Kiosk");
        sub.parent = "1010".into();
        let kiosk = accounts::create(&w.app, &oscar, parsed(&sub)).await.unwrap();
        assert_eq!(detail(&w, w.acme.id, &kiosk.number).await.parent_number.as_deref(), Some("C-1010"));
    }

    /// Bad input, another company's account, a duplicate external reference, unknown and
    /// deactivated parents, a parent cycle and deactivating a parent with active
    /// sub-customers are refused, and none of them writes anything.
    async fn refused_customer_changes_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let errors = Customer::parse(&CustomerFields {
            name: " ".into(), kind: "alien".into(), parent: "Harbor".into(), email: "nope".into(),
            phone: "call me".into(), payment_terms_days: "-3".into(), external_ref: "x".repeat(65),
            ..CustomerFields::default()
        }).unwrap_err();
        for field in ["name", "kind", "parent", "email", "phone", "payment_terms_days", "external_ref"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let oscar = w.oscar().await;
        let harbor = detail(&w, w.acme.id, "C-1002").await;
        let lofts_hoa = detail(&w, w.acme.id, "C-1003").await;
        assert_eq!(lofts_hoa.parent_number.as_deref(), Some("C-1002"));
        let mut tagged = customer("Tagged");
        tagged.external_ref = "QB-1".into();
        let first = accounts::create(&w.app, &oscar, parsed(&tagged)).await.unwrap();
        let bolt = w.company("bolt").await;
        let bolt_customer = w.store.customer_book_page(bolt.id, &CustomerFilter::default(), None, 1).await.unwrap().remove(0);
        let brenda = w.staff("bolt", "office@bolt.test").await;
        let before = w.snapshot(TABLES).await;

        // The same external reference again, on a new account and on another one.
        let err = accounts::create(&w.app, &oscar, parsed(&tagged)).await.unwrap_err();
        let refusal = err.invalid().unwrap();
        assert_eq!(refusal.field, "external_ref");
        assert!(refusal.message.contains(&first.number), "{}", refusal.message);
        let err = accounts::edit(&w.app, &oscar, CustomerId(harbor.id), parsed(&tagged)).await.unwrap_err();
        assert_eq!(err.invalid().unwrap().field, "external_ref");
        // Parents: unknown, itself, its own sub-customer.
        let mut f = customer("Harbor Property Co.");
        f.parent = "C-9999".into();
        let err = accounts::create(&w.app, &oscar, parsed(&f)).await.unwrap_err();
        assert_eq!(err.invalid().unwrap().field, "parent");
        f.parent = "C-1002".into();
        let err = accounts::edit(&w.app, &oscar, CustomerId(harbor.id), parsed(&f)).await.unwrap_err();
        assert_eq!(err.invalid().unwrap().field, "parent");
        f.parent = "C-1003".into();
        let err = accounts::edit(&w.app, &oscar, CustomerId(harbor.id), parsed(&f)).await.unwrap_err();
        assert!(err.invalid().unwrap().message.contains("sub-customer"), "{err:?}");
        // Another company's account, and another company's number as parent.
        let err = accounts::edit(&w.app, &oscar, CustomerId(bolt_customer.id), parsed(&customer("Mine"))).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = accounts::deactivate(&w.app, &oscar, CustomerId(bolt_customer.id)).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = accounts::edit(&w.app, &brenda, CustomerId(harbor.id), parsed(&customer("Mine"))).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        // A parent with an active sub-customer stays; an active account is not reactivated.
        let err = accounts::deactivate(&w.app, &oscar, CustomerId(harbor.id)).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("has_sub_customers"));
        let err = accounts::reactivate(&w.app, &oscar, CustomerId(harbor.id)).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("unchanged"));

        assert_eq!(w.snapshot(TABLES).await, before);
        let again = detail(&w, w.acme.id, "C-1002").await;
        assert_eq!((again.name, again.external_ref, again.parent_customer_id), (harbor.name, None, None));
    }

    /// Contacts: a site contact must name a site of its own account, a contact who signs
    /// in to the portal keeps its email until access is off, another company's account
    /// and contact are out of reach, and a deactivated account takes no contact.
    async fn refused_contact_and_site_changes_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let harbor = detail(&w, w.acme.id, "C-1002").await;
        let household = detail(&w, w.acme.id, "C-1001").await;
        let household_site = SiteId(w.store.sites_of_account(w.acme.id, CustomerId(household.id)).await.unwrap()[0].id);
        let dana = contact_of(&w, w.acme.id, household.id, "Dana").await;
        let bolt = w.company("bolt").await;
        let bolt_customer = w.store.customer_book_page(bolt.id, &CustomerFilter::default(), None, 1).await.unwrap().remove(0);
        let bolt_contact: i64 = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar("SELECT id FROM contacts WHERE company_id = $1 ORDER BY id LIMIT 1")
            .bind(bolt.id.0).fetch_one(p).await).unwrap();
        let bolt_contact = ContactId(bolt_contact);
        let errors = Contact::parse(&ContactFields { role: "boss".into(), email: "x@".into(), ..ContactFields::default() }).unwrap_err();
        for field in ["first_name", "role", "email"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert!(Site::parse(&SiteFields::default()).unwrap_err().get("line1").is_some());
        let before = w.snapshot(TABLES).await;

        let err = contacts::add(&w.app, &oscar, CustomerId(harbor.id), person("Nel", "", "site", &[])).await.unwrap_err();
        assert_eq!(err.invalid().unwrap().field, "sites");
        let err = contacts::add(&w.app, &oscar, CustomerId(harbor.id), person("Nel", "", "site", &[household_site])).await.unwrap_err();
        assert_eq!(err.invalid().unwrap().field, "sites", "a site of another account");
        let err = contacts::edit(&w.app, &oscar, dana, person("Dana", "dana.new@example.test", "company", &[])).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("portal_email"));
        for err in [
            contacts::add(&w.app, &oscar, CustomerId(bolt_customer.id), person("Nel", "", "company", &[])).await.unwrap_err(),
            contacts::edit(&w.app, &oscar, bolt_contact, person("Nel", "", "company", &[])).await.unwrap_err(),
            contacts::deactivate(&w.app, &oscar, bolt_contact).await.unwrap_err(),
            sites::add(&w.app, &oscar, CustomerId(bolt_customer.id), site("Mine")).await.unwrap_err(),
        ] {
            assert!(matches!(err, AppError::NotFound), "{err:?}");
        }
        // Bayview is the only site Sam looks after.
        let bayview = w.store.sites_of_account(w.acme.id, CustomerId(harbor.id)).await.unwrap()
            .into_iter().find(|s| s.name == "Bayview Apartments").unwrap();
        let err = sites::deactivate(&w.app, &oscar, SiteId(bayview.id)).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("last_site_of_contact"));
        assert_eq!(w.snapshot(TABLES).await, before);

        // A deactivated account takes no new contact or site.
        let fontaine = detail(&w, w.acme.id, "C-1006").await;
        accounts::deactivate(&w.app, &oscar, CustomerId(fontaine.id)).await.unwrap();
        let before = w.snapshot(TABLES).await;
        let err = contacts::add(&w.app, &oscar, CustomerId(fontaine.id), person("Nel", "", "company", &[])).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("customer_inactive"));
        let err = sites::add(&w.app, &oscar, CustomerId(fontaine.id), site("Shed")).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("customer_inactive"));
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// Deactivating a contact ends its portal access and its login's sessions at once;
    /// reactivating leaves access off; a deactivated contact cannot be given access.
    async fn deactivating_a_contact_ends_its_portal_access_and_sessions(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let dana_actor = w.dana().await;
        let login = dana_actor.login().0;
        assert!(sessions_of_login(&w, login).await > 0);
        let household = detail(&w, w.acme.id, "C-1001").await;
        let dana = contact_of(&w, w.acme.id, household.id, "Dana").await;

        contacts::deactivate(&w.app, &oscar, dana).await.unwrap();
        let c = w.store.contact_access(w.acme.id, dana).await.unwrap().unwrap();
        assert_eq!((c.active, c.portal_enabled), (false, false));
        assert_eq!(sessions_of_login(&w, login).await, 0, "signed out at once");
        assert_eq!(w.last_audit(&w.acme).await, ("contact.deactivated".into(), "dispatch@acme.test".into()));
        let before = w.snapshot(TABLES).await;
        let err = access::enable(&w.app, &oscar, dana).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("inactive"));
        let err = contacts::deactivate(&w.app, &oscar, dana).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("unchanged"));
        assert_eq!(w.snapshot(TABLES).await, before);

        contacts::reactivate(&w.app, &oscar, dana).await.unwrap();
        let c = w.store.contact_access(w.acme.id, dana).await.unwrap().unwrap();
        assert_eq!((c.active, c.portal_enabled), (true, false));
        assert_eq!(w.last_audit(&w.acme).await.0, "contact.reactivated");
        // With access off, the email may change; the old login is left behind.
        contacts::edit(&w.app, &oscar, dana, person("Dana", "dana.w@example.test", "company", &[])).await.unwrap();
        let c = w.store.contact_access(w.acme.id, dana).await.unwrap().unwrap();
        assert_eq!((c.email.as_deref(), c.login_id), (Some("dana.w@example.test"), None));
    }

    /// Deactivating a customer ends every contact's portal access and sessions; its
    /// history stays and it can be reactivated. Sites deactivate and come back too.
    async fn deactivating_a_customer_ends_its_contacts_access(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let dana_actor = w.dana().await;
        let household = detail(&w, w.acme.id, "C-1001").await;
        accounts::deactivate(&w.app, &oscar, CustomerId(household.id)).await.unwrap();
        assert!(detail(&w, w.acme.id, "C-1001").await.deactivated_at.is_some());
        assert_eq!(w.last_audit(&w.acme).await.0, "customer.deactivated");
        assert_eq!(sessions_of_login(&w, dana_actor.login().0).await, 0);
        let contacts = w.store.contacts_of_customer(w.acme.id, CustomerId(household.id)).await.unwrap();
        assert!(contacts.iter().all(|c| !c.portal_enabled));
        let active_only = CustomerFilter { active: Some(true), ..CustomerFilter::default() };
        let listed = w.store.customer_book_page(w.acme.id, &active_only, None, 100).await.unwrap();
        assert!(!listed.iter().any(|r| r.number == "C-1001"));
        accounts::reactivate(&w.app, &oscar, CustomerId(household.id)).await.unwrap();
        assert!(detail(&w, w.acme.id, "C-1001").await.deactivated_at.is_none());
        assert_eq!(w.last_audit(&w.acme).await.0, "customer.reactivated");

        let harbor = detail(&w, w.acme.id, "C-1002").await;
        let pier = w.store.sites_of_account(w.acme.id, CustomerId(harbor.id)).await.unwrap()
            .into_iter().find(|s| s.name == "Pier Offices").unwrap();
        sites::deactivate(&w.app, &oscar, SiteId(pier.id)).await.unwrap();
        assert!(!w.store.site_detail(w.acme.id, pier.id).await.unwrap().unwrap().active);
        assert_eq!(w.last_audit(&w.acme).await.0, "site.deactivated");
        sites::reactivate(&w.app, &oscar, SiteId(pier.id)).await.unwrap();
        assert!(w.store.site_detail(w.acme.id, pier.id).await.unwrap().unwrap().active);
    }

    /// The list searches by the start of the name, by number and by email prefix, filters
    /// by kind, and pages by name; the timeline and the home feed read what contacts did
    /// in the portal, each account only its own.
    async fn the_list_searches_and_the_timeline_reads_portal_actions(backend: Backend) {
        let w = World::demo(backend).await;
        let acme = w.acme.id;
        let find = |f: CustomerFilter| { let store = w.store.clone(); async move {
            store.customer_book_page(acme, &f, None, 50).await.unwrap().into_iter().map(|r| r.number).collect::<Vec<_>>()
        }};
        assert_eq!(find(CustomerFilter { name_prefix: Some("harbor".into()), ..Default::default() }).await, ["C-1003", "C-1002"]);
        assert_eq!(find(CustomerFilter { number: Some("C-1002".into()), ..Default::default() }).await, ["C-1002"]);
        assert_eq!(find(CustomerFilter { email_prefix: Some("dana@".into()), ..Default::default() }).await, ["C-1001"]);
        let commercial = find(CustomerFilter { kind: Some("commercial".into()), ..Default::default() }).await;
        assert!(commercial.contains(&"C-1002".to_owned()) && !commercial.contains(&"C-1001".to_owned()));
        let all = w.store.customer_book_page(acme, &CustomerFilter::default(), None, 50).await.unwrap();
        let first = w.store.customer_book_page(acme, &CustomerFilter::default(), None, 3).await.unwrap();
        let last = first.last().unwrap();
        let rest = w.store.customer_book_page(acme, &CustomerFilter::default(), Some((&last.sort_key, last.id)), 50).await.unwrap();
        let paged: Vec<_> = first.iter().chain(rest.iter()).map(|r| r.id).collect();
        assert_eq!(paged, all.iter().map(|r| r.id).collect::<Vec<_>>());

        let household = detail(&w, acme, "C-1001").await;
        let harbor = detail(&w, acme, "C-1002").await;
        let dana = contact_of(&w, acme, household.id, "Dana").await;
        let dana_login = w.login_of(&w.acme, "dana@example.test").await;
        let event = |kind: &'static str, id: i64, action: &'static str| NewAuditEvent {
            actor_kind: kind, actor_id: Some(id), actor_label: "dana@example.test".into(), action,
            subject_kind: "", subject_id: None, ip: String::new(), detail: "{}".into(), at: doorstep_store::now(),
        };
        let mut tx = w.store.begin().await.unwrap();
        tx.audit(acme, &event("contact", dana.0, "visit.cancelled")).await.unwrap();
        tx.audit(acme, &event("contact", dana_login.0, "sign_in.succeeded")).await.unwrap();
        tx.audit(acme, &event("staff", dana.0, "customer.edited")).await.unwrap();
        tx.commit().await.unwrap();
        let timeline = w.store.portal_events(acme, Some(CustomerId(household.id)), None, 10).await.unwrap();
        let actions: Vec<_> = timeline.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["sign_in.succeeded", "visit.cancelled"]);
        assert_eq!(timeline[1].who, "Dana Whitaker");
        // Dana signs in for Harbor too; only the household's contact cancelled.
        let harbor_timeline = w.store.portal_events(acme, Some(CustomerId(harbor.id)), None, 10).await.unwrap();
        assert_eq!(harbor_timeline.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["sign_in.succeeded"]);
        let before = (timeline[0].created_at, timeline[0].id);
        let older = w.store.portal_events(acme, Some(CustomerId(household.id)), Some(before), 10).await.unwrap();
        assert_eq!(older.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["visit.cancelled"]);
        let feed = w.store.portal_events(acme, None, None, 10).await.unwrap();
        assert_eq!(feed.len(), 1, "the home feed leaves sign-ins out");
        assert_eq!(feed[0].customer_number.as_deref(), Some("C-1001"));
        let bolt = w.company("bolt").await;
        assert!(w.store.portal_events(bolt.id, None, None, 10).await.unwrap().is_empty());

        let overview = w.store.account_overview(acme, CustomerId(harbor.id), 5).await.unwrap();
        assert!(overview.jobs.count >= overview.jobs.latest.len() as i64 && overview.jobs.count > 0);
        let today = w.store.office_today(acme, doorstep_store::now().date(), 5).await.unwrap();
        assert!(today.new_requests.count >= today.new_requests.items.len() as i64);
    }
}
