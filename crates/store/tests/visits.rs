//! The requestable catalogue, availability windows, customers moving and cancelling
//! visits, and proposed times, on both engines: every read and write stays inside its
//! company and account, and capacity never goes below zero or above the limit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use doorstep_core::authz::ContactScope;
use doorstep_core::ids::{
    CatalogueItemId, CompanyId, ContactId, CustomerId, JobId, ServiceRequestId, SiteId,
};
use doorstep_core::status::{ContactRole, JobKind, JobStatus, RequestStatus, ScheduleType};
use doorstep_store::Store;
use doorstep_store::availability::{CapacityChange, NewWindow};
use doorstep_store::catalogue::CatalogueInput;
use doorstep_store::companies::NewCompany;
use doorstep_store::contacts::NewContact;
use doorstep_store::customers::{NewCustomer, NewSite};
use doorstep_store::jobs::NewJob;
use doorstep_store::requests::NewServiceRequest;
use doorstep_store::visits::{MoveOutcome, VisitMove};
use doorstep_testkit::{Backend, both_backends, fresh_database};
use time::{Date, Duration, OffsetDateTime};

struct World {
    _db: doorstep_testkit::TestDb,
    store: Store,
    acme: CompanyId,
    bolt: CompanyId,
    mine: ContactScope,
    other: ContactScope,
    site: SiteId,
    contact: ContactId,
    today: Date,
}

fn job(customer: CustomerId, site: Option<SiteId>, number: &str, start: OffsetDateTime) -> NewJob {
    NewJob {
        customer,
        site,
        asset: None,
        job_type: None,
        number: number.into(),
        kind: JobKind::Service,
        status: JobStatus::Scheduled,
        summary: format!("Visit {number}"),
        description: String::new(),
        schedule_type: Some(ScheduleType::Am),
        scheduled_start: Some(start),
        scheduled_end: Some(start + Duration::hours(4)),
        arrival_window_start: None,
        arrival_window_end: None,
        completed_at: None,
        work_order_notes: String::new(),
        customer_notes: String::new(),
        external_ref: None,
        invoice_notes: String::new(),
        po_number: String::new(),
        custom_fields: "{}".into(),
        total_minor: 0,
        created_at: doorstep_store::now(),
    }
}

fn request(
    customer: CustomerId,
    site: Option<SiteId>,
    contact: Option<ContactId>,
    number: &str,
) -> NewServiceRequest {
    NewServiceRequest {
        customer,
        site,
        contact,
        submitted_by: contact,
        number: number.into(),
        status: RequestStatus::New,
        preferred_date: None,
        schedule_type: None,
        job_type: None,
        description: "Leaking tap".into(),
        po_number: String::new(),
        estimate: None,
        converted_job: None,
        decline_reason: String::new(),
        created_at: doorstep_store::now(),
    }
}

fn item(name: &str, kind: &str, shown: bool) -> CatalogueInput {
    CatalogueInput {
        kind: kind.into(),
        name: name.into(),
        description: String::new(),
        unit_price_minor: 4_500,
        show_in_portal: shown,
    }
}

fn window(date: Date, slot: &str, capacity: i64) -> NewWindow {
    NewWindow {
        date,
        slot: slot.into(),
        start_time: String::new(),
        end_time: String::new(),
        capacity,
    }
}

async fn world(backend: Backend) -> World {
    let db = fresh_database(backend).await;
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let today = OffsetDateTime::now_utc().date();
    let mut tx = store.begin().await.unwrap();
    let acme = tx
        .create_company(&NewCompany {
            slug: "acme".into(),
            name: "Acme".into(),
            currency: "USD".into(),
            email: "office@acme.test".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let bolt = tx
        .create_company(&NewCompany {
            slug: "bolt".into(),
            name: "Bolt".into(),
            currency: "USD".into(),
            request_email: "requests@bolt.test".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let mine = tx
        .insert_customer(
            acme,
            &NewCustomer {
                number: "C-1".into(),
                name: "Mine".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let other = tx
        .insert_customer(
            acme,
            &NewCustomer {
                number: "C-2".into(),
                name: "Other".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let site = tx
        .insert_site(
            acme,
            &NewSite {
                customer: Some(mine),
                name: "Home".into(),
                line1: "1 Elm".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let contact = tx
        .insert_contact(
            acme,
            &NewContact {
                customer: mine,
                login: None,
                first_name: "Dana".into(),
                last_name: "W".into(),
                email: Some("dana@example.test".into()),
                phone: String::new(),
                role: ContactRole::Company,
                is_primary: true,
                is_billing: true,
                portal_enabled: false,
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    World {
        _db: db,
        store,
        acme,
        bolt,
        mine: ContactScope {
            customer: mine,
            role: ContactRole::Company,
            sites: vec![],
        },
        other: ContactScope {
            customer: other,
            role: ContactRole::Company,
            sites: vec![],
        },
        site,
        contact,
        today,
    }
}

both_backends! {
    async fn hidden_catalogue_items_are_kept_but_never_requestable_and_stay_in_their_company(backend: Backend) {
        let w = world(backend).await;
        let mut tx = w.store.begin().await.unwrap();
        let toilet = tx.add_catalogue_item(w.acme, &item("Standard toilet", "product", true)).await.unwrap();
        let pump = tx.add_catalogue_item(w.acme, &item("Pump out", "service", true)).await.unwrap();
        let theirs = tx.add_catalogue_item(w.bolt, &item("Bolt thing", "service", true)).await.unwrap();
        tx.commit().await.unwrap();

        let names = |items: Vec<doorstep_store::catalogue::CatalogueItem>| items.into_iter().map(|i| i.name).collect::<Vec<_>>();
        assert_eq!(names(w.store.catalogue_requestable_items(w.acme).await.unwrap()), ["Standard toilet", "Pump out"], "products first");

        let mut tx = w.store.begin().await.unwrap();
        assert!(tx.set_catalogue_item_shown(w.acme, pump, false).await.unwrap());
        assert!(!tx.set_catalogue_item_shown(w.acme, theirs, false).await.unwrap(), "another company's item");
        let mut renamed = item("Deluxe toilet", "product", true);
        renamed.unit_price_minor = 9_900;
        assert!(tx.update_catalogue_item(w.acme, toilet, &renamed).await.unwrap());
        assert!(!tx.update_catalogue_item(w.acme, theirs, &renamed).await.unwrap());
        tx.commit().await.unwrap();

        assert_eq!(names(w.store.catalogue_requestable_items(w.acme).await.unwrap()), ["Deluxe toilet"]);
        assert!(w.store.requestable_item(w.acme, pump).await.unwrap().is_none(), "a hidden item cannot be picked");
        assert!(w.store.requestable_item(w.acme, theirs).await.unwrap().is_none(), "nor a foreign one");
        assert_eq!(w.store.requestable_item(w.acme, toilet).await.unwrap().unwrap().unit_price_minor, 9_900);
        // Hidden, not deleted: the office still lists it, and it keeps its name.
        let all = w.store.catalogue_page(w.acme, None, 10).await.unwrap();
        assert_eq!(all.iter().map(|i| (i.name.as_str(), i.show_in_portal)).collect::<Vec<_>>(), [("Deluxe toilet", true), ("Pump out", false)]);
        let second = w.store.catalogue_page(w.acme, Some(("Deluxe toilet", toilet.0)), 10).await.unwrap();
        assert_eq!(names(second), ["Pump out"]);
        assert!(w.store.catalogue_item(w.bolt, toilet).await.unwrap().is_none());
        assert!(w.store.catalogue_item(w.acme, CatalogueItemId(theirs.0)).await.unwrap().is_none());
        assert_eq!(w.store.office_notice_address(w.acme).await.unwrap(), "office@acme.test");
        assert_eq!(w.store.office_notice_address(w.bolt).await.unwrap(), "requests@bolt.test");
    }

    async fn window_capacity_is_taken_atomically_and_never_set_below_bookings(backend: Backend) {
        let w = world(backend).await;
        let day = w.today + Duration::days(3);
        let mut tx = w.store.begin().await.unwrap();
        let am = tx.create_window(w.acme, &window(day, "am", 2)).await.unwrap();
        let pm = tx.create_window(w.acme, &window(day, "pm", 1)).await.unwrap();
        let past = tx.create_window(w.acme, &window(w.today - Duration::days(1), "am", 5)).await.unwrap();
        let theirs = tx.create_window(w.bolt, &window(day, "am", 5)).await.unwrap();
        tx.commit().await.unwrap();
        // The same day and slot twice is refused.
        let mut tx = w.store.begin().await.unwrap();
        assert!(matches!(tx.create_window(w.acme, &window(day, "am", 1)).await, Err(doorstep_store::StoreError::Conflict(_))));
        drop(tx);

        let mut tx = w.store.begin().await.unwrap();
        assert!(tx.take_window_place_checked(w.acme, am, w.today).await.unwrap());
        assert!(tx.take_window_place_checked(w.acme, am, w.today).await.unwrap());
        assert!(!tx.take_window_place_checked(w.acme, am, w.today).await.unwrap(), "full");
        assert!(!tx.take_window_place_checked(w.acme, past, w.today).await.unwrap(), "past");
        assert!(!tx.take_window_place_checked(w.acme, theirs, w.today).await.unwrap(), "another company's");
        assert_eq!(tx.set_window_capacity(w.acme, am, 1).await.unwrap(), CapacityChange::BelowBooked(2));
        assert_eq!(tx.set_window_capacity(w.acme, am, 4).await.unwrap(), CapacityChange::Done);
        assert_eq!(tx.set_window_capacity(w.acme, theirs, 9).await.unwrap(), CapacityChange::NotFound);
        tx.release_window_place(w.acme, pm).await.unwrap();
        tx.commit().await.unwrap();

        let pm_now = w.store.office_window(w.acme, pm).await.unwrap().unwrap();
        assert_eq!((pm_now.booked, pm_now.capacity), (0, 1), "releasing an empty window keeps it at zero");
        let am_now = w.store.office_window(w.acme, am).await.unwrap().unwrap();
        assert_eq!((am_now.booked, am_now.capacity), (2, 4));
        assert!(w.store.office_window(w.bolt, am).await.unwrap().is_none());

        let upcoming = w.store.windows_page(w.acme, w.today, None, 1).await.unwrap();
        assert_eq!(upcoming.iter().map(|x| x.id).collect::<Vec<_>>(), [am], "past windows are not upcoming");
        let next = w.store.windows_page(w.acme, w.today, Some((day, am)), 10).await.unwrap();
        assert_eq!(next.iter().map(|x| x.id).collect::<Vec<_>>(), [pm]);
        let open = w.store.office_open_windows(w.acme, w.today, 10).await.unwrap();
        assert_eq!(open.len(), 2);
    }

    async fn twenty_racing_bookings_of_a_window_for_three_get_exactly_three_places(backend: Backend) {
        let w = world(backend).await;
        let mut tx = w.store.begin().await.unwrap();
        let id = tx.create_window(w.acme, &window(w.today + Duration::days(2), "all_day", 3)).await.unwrap();
        tx.commit().await.unwrap();
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let store = w.store.clone();
            let (acme, today) = (w.acme, w.today);
            tasks.push(tokio::spawn(async move {
                let mut tx = store.begin().await?;
                let won = tx.take_window_place_checked(acme, id, today).await?;
                tx.commit().await?;
                Ok::<bool, doorstep_store::StoreError>(won)
            }));
        }
        let mut won = 0;
        for t in tasks {
            if t.await.unwrap().unwrap() { won += 1; }
        }
        assert_eq!(won, 3);
        assert_eq!(w.store.office_window(w.acme, id).await.unwrap().unwrap().booked, 3);
    }

    async fn a_moved_visit_takes_its_new_window_and_gives_the_old_one_back(backend: Backend) {
        let w = world(backend).await;
        let day = w.today + Duration::days(5);
        let start = day.midnight().assume_utc() + Duration::hours(8);
        let mut tx = w.store.begin().await.unwrap();
        let first = tx.create_window(w.acme, &window(day, "am", 1)).await.unwrap();
        let second = tx.create_window(w.acme, &window(day, "pm", 1)).await.unwrap();
        let job_id = tx.insert_job(w.acme, &job(w.mine.customer, Some(w.site), "J-1", start)).await.unwrap();
        tx.insert_job(w.acme, &job(w.other.customer, None, "J-9", start)).await.unwrap();
        tx.commit().await.unwrap();

        let visit = w.store.visit_for_contact(w.acme, &w.mine, "J-1").await.unwrap().unwrap();
        assert_eq!((visit.id, visit.availability_window_id), (job_id.0, None));
        assert!(w.store.visit_for_contact(w.acme, &w.mine, "J-9").await.unwrap().is_none(), "another account's job");
        assert!(w.store.visit_for_contact(w.bolt, &w.mine, "J-1").await.unwrap().is_none());
        let site_contact = ContactScope { customer: w.mine.customer, role: ContactRole::Site, sites: vec![SiteId(w.site.0 + 100)] };
        assert!(w.store.visit_for_contact(w.acme, &site_contact, "J-1").await.unwrap().is_none(), "not the site contact's site");

        let to = |window, slot, h: i64| VisitMove { window, slot, start: day.midnight().assume_utc() + Duration::hours(h), end: day.midnight().assume_utc() + Duration::hours(h + 4), today: w.today };
        let mut tx = w.store.begin().await.unwrap();
        assert_eq!(tx.move_visit(w.acme, &w.mine, job_id, None, &to(first, ScheduleType::Am, 8)).await.unwrap(), MoveOutcome::Moved);
        tx.commit().await.unwrap();
        let mut tx = w.store.begin().await.unwrap();
        assert_eq!(tx.move_visit(w.acme, &w.mine, job_id, Some(first), &to(second, ScheduleType::Pm, 12)).await.unwrap(), MoveOutcome::Moved);
        tx.commit().await.unwrap();
        assert_eq!(w.store.office_window(w.acme, first).await.unwrap().unwrap().booked, 0, "the old place is given back");
        assert_eq!(w.store.office_window(w.acme, second).await.unwrap().unwrap().booked, 1);
        let visit = w.store.visit_for_contact(w.acme, &w.mine, "J-1").await.unwrap().unwrap();
        assert_eq!(visit.availability_window_id, Some(second));
        assert_eq!(visit.schedule_type.as_deref(), Some("pm"));
        assert_eq!(visit.scheduled_start, Some(day.midnight().assume_utc() + Duration::hours(12)));
        let bookings = w.store.window_bookings(w.acme, second).await.unwrap();
        assert_eq!(bookings.iter().map(|b| (b.kind.as_str(), b.number.as_str(), b.customer_name.as_str())).collect::<Vec<_>>(), [("job", "J-1", "Mine")]);
        assert_eq!(bookings[0].site_name.as_deref(), Some("Home"));

        // Moving into the window it holds (a stale tab, a crafted post) keeps its one place.
        let mut tx = w.store.begin().await.unwrap();
        assert_eq!(tx.move_visit(w.acme, &w.mine, job_id, Some(second), &to(second, ScheduleType::Pm, 12)).await.unwrap(), MoveOutcome::Moved);
        tx.commit().await.unwrap();
        assert_eq!(w.store.office_window(w.acme, second).await.unwrap().unwrap().booked, 1, "one visit, one place");
        // A full window, or a stale page (the visit held another window meanwhile), changes nothing.
        let mut tx = w.store.begin().await.unwrap();
        let full = tx.create_window(w.acme, &window(day, "all_day", 0)).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = w.store.begin().await.unwrap();
        assert_eq!(tx.move_visit(w.acme, &w.mine, job_id, Some(second), &to(full, ScheduleType::AllDay, 8)).await.unwrap(), MoveOutcome::WindowFull);
        drop(tx);
        assert_eq!(w.store.visit_for_contact(w.acme, &w.mine, "J-1").await.unwrap().unwrap().availability_window_id, Some(second), "the visit stays");
        assert_eq!(w.store.office_window(w.acme, second).await.unwrap().unwrap().booked, 1, "and keeps its place");
        let mut tx = w.store.begin().await.unwrap();
        assert_eq!(tx.move_visit(w.acme, &w.mine, job_id, None, &to(first, ScheduleType::Am, 8)).await.unwrap(), MoveOutcome::Stale);
        drop(tx);
        assert_eq!(w.store.office_window(w.acme, first).await.unwrap().unwrap().booked, 0, "the stale move took nothing");
        // Another account cannot move or cancel it.
        let mut tx = w.store.begin().await.unwrap();
        assert_eq!(tx.move_visit(w.acme, &w.other, job_id, Some(second), &to(first, ScheduleType::Am, 8)).await.unwrap(), MoveOutcome::Stale);
        drop(tx);
        let mut tx = w.store.begin().await.unwrap();
        assert!(!tx.cancel_visit(w.acme, &w.other, job_id, "no", doorstep_store::now()).await.unwrap());
        drop(tx);

        // Asking for a date keeps the visit and records the wish.
        let mut tx = w.store.begin().await.unwrap();
        assert!(tx.ask_visit_date(w.acme, &w.mine, job_id, day + Duration::days(7), ScheduleType::AllDay, doorstep_store::now()).await.unwrap());
        tx.commit().await.unwrap();
        let visit = w.store.visit_for_contact(w.acme, &w.mine, "J-1").await.unwrap().unwrap();
        assert_eq!(visit.reschedule_requested_date, Some(day + Duration::days(7)));
        assert_eq!(visit.availability_window_id, Some(second));

        // Cancelling gives the place back, once.
        let mut tx = w.store.begin().await.unwrap();
        assert!(tx.cancel_visit(w.acme, &w.mine, job_id, "Moving house", doorstep_store::now()).await.unwrap());
        tx.commit().await.unwrap();
        let mut tx = w.store.begin().await.unwrap();
        assert!(!tx.cancel_visit(w.acme, &w.mine, job_id, "Again", doorstep_store::now()).await.unwrap());
        assert!(!tx.ask_visit_date(w.acme, &w.mine, job_id, day, ScheduleType::Am, doorstep_store::now()).await.unwrap());
        drop(tx);
        assert_eq!(w.store.office_window(w.acme, second).await.unwrap().unwrap().booked, 0);
        assert!(w.store.window_bookings(w.acme, second).await.unwrap().is_empty(), "a cancelled visit holds nothing");
        assert_eq!(w.store.visit_for_contact(w.acme, &w.mine, "J-1").await.unwrap().unwrap().status, "cancelled");
        // The office reads what the customer did, only within its own company.
        let changes = w.store.office_visit_changes(w.acme, "J-1").await.unwrap().unwrap();
        assert_eq!((changes.status.as_str(), changes.cancel_reason.as_str()), ("cancelled", "Moving house"));
        assert!(changes.cancelled_at.is_some());
        assert_eq!(changes.reschedule_requested_date, Some(day + Duration::days(7)));
        assert!(w.store.office_visit_changes(w.bolt, "J-1").await.unwrap().is_none());
        assert!(w.store.office_visit_changes(w.acme, "J-404").await.unwrap().is_none());
    }

    async fn a_proposed_time_is_answered_once_by_its_own_account(backend: Backend) {
        let w = world(backend).await;
        let mut tx = w.store.begin().await.unwrap();
        let r1 = tx.insert_service_request(w.acme, &request(w.mine.customer, Some(w.site), Some(w.contact), "R-1")).await.unwrap();
        let r2 = tx.insert_service_request(w.acme, &request(w.mine.customer, None, Some(w.contact), "R-2")).await.unwrap();
        let mut done = request(w.mine.customer, None, None, "R-3");
        done.status = RequestStatus::Declined;
        let r3 = tx.insert_service_request(w.acme, &done).await.unwrap();
        let window_id = tx.create_window(w.acme, &window(w.today + Duration::days(1), "am", 2)).await.unwrap();
        tx.commit().await.unwrap();

        let office = w.store.request_proposal_for_office(w.acme, "R-1").await.unwrap().unwrap();
        assert_eq!((office.contact_email.as_deref(), office.contact_name.as_deref()), (Some("dana@example.test"), Some("Dana W")));
        assert!(w.store.request_proposal_for_office(w.bolt, "R-1").await.unwrap().is_none());
        assert!(w.store.request_proposal_for_contact(w.acme, &w.other, "R-1").await.unwrap().is_none());
        let site_contact = ContactScope { customer: w.mine.customer, role: ContactRole::Site, sites: vec![w.site] };
        assert!(w.store.request_proposal_for_contact(w.acme, &site_contact, "R-1").await.unwrap().is_some());
        assert!(w.store.request_proposal_for_contact(w.acme, &site_contact, "R-2").await.unwrap().is_none(), "no site: not a site contact's");

        let date = w.today + Duration::days(9);
        let mut tx = w.store.begin().await.unwrap();
        assert!(tx.propose_request_time(w.acme, r1, (date, ScheduleType::Pm), "", doorstep_store::now()).await.unwrap());
        assert!(tx.propose_request_time(w.acme, r2, (date, ScheduleType::Am), "", doorstep_store::now()).await.unwrap());
        assert!(!tx.propose_request_time(w.acme, r3, (date, ScheduleType::Am), "", doorstep_store::now()).await.unwrap(), "declined requests get no proposal");
        assert!(!tx.propose_request_time(w.bolt, r1, (date, ScheduleType::Am), "", doorstep_store::now()).await.unwrap());
        tx.commit().await.unwrap();

        let mut tx = w.store.begin().await.unwrap();
        assert!(!tx.answer_request_proposal(w.acme, &w.other, r1, true, doorstep_store::now()).await.unwrap(), "another account");
        assert!(tx.answer_request_proposal(w.acme, &w.mine, r1, true, doorstep_store::now()).await.unwrap());
        assert!(!tx.answer_request_proposal(w.acme, &w.mine, r1, false, doorstep_store::now()).await.unwrap(), "answered once");
        assert!(tx.answer_request_proposal(w.acme, &w.mine, r2, false, doorstep_store::now()).await.unwrap());
        tx.commit().await.unwrap();

        let accepted = w.store.request_proposal_for_contact(w.acme, &w.mine, "R-1").await.unwrap().unwrap();
        assert_eq!((accepted.preferred_date, accepted.schedule_type.as_deref(), accepted.proposal_status.as_deref()), (Some(date), Some("pm"), Some("accepted")));
        assert!(!accepted.awaits_answer());
        let declined = w.store.request_proposal_for_contact(w.acme, &w.mine, "R-2").await.unwrap().unwrap();
        assert_eq!((declined.preferred_date, declined.proposal_status.as_deref()), (None, Some("declined")));

        // An open request that booked a window is one of its bookings; a declined one is not.
        assert!(w.store.window_bookings(w.acme, window_id).await.unwrap().is_empty());
        let _ = (ServiceRequestId(0), JobId(0));
    }
}
