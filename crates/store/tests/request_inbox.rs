//! The office's requests inbox on both engines: filters, search and keyset paging stay
//! inside the company; opening marks Read once; converting and declining happen once,
//! and a declined request is never converted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use doorstep_core::ids::{CompanyId, ContactId, CustomerId, ServiceRequestId, SiteId};
use doorstep_core::status::{ContactRole, EstimateStatus, RequestStatus, ScheduleType};
use doorstep_store::Store;
use doorstep_store::availability::NewWindow;
use doorstep_store::billing::NewEstimate;
use doorstep_store::companies::NewCompany;
use doorstep_store::contacts::NewContact;
use doorstep_store::customers::{NewCustomer, NewSite};
use doorstep_store::request_inbox::{
    EstimateFromRequest, InboxFilter, JobFromRequest, Numbered, RentalFromRequest,
};
use doorstep_store::requests::NewServiceRequest;
use doorstep_testkit::{Backend, both_backends, fresh_database};
use time::{Duration, OffsetDateTime};

struct World {
    _db: doorstep_testkit::TestDb,
    store: Store,
    acme: CompanyId,
    bolt: CompanyId,
    customer: CustomerId,
    site: SiteId,
    contact: ContactId,
}

fn request(
    customer: CustomerId,
    site: Option<SiteId>,
    contact: Option<ContactId>,
    number: &str,
    status: RequestStatus,
    po: &str,
    age_minutes: i64,
) -> NewServiceRequest {
    NewServiceRequest {
        customer,
        site,
        contact,
        submitted_by: contact,
        number: number.into(),
        status,
        preferred_date: Some(OffsetDateTime::now_utc().date() + Duration::days(3)),
        schedule_type: Some(ScheduleType::Am),
        job_type: None,
        description: format!("Request {number}: leaking tap"),
        po_number: po.into(),
        estimate: None,
        converted_job: None,
        decline_reason: String::new(),
        created_at: doorstep_store::now() - Duration::minutes(age_minutes),
    }
}

async fn company(tx: &mut doorstep_store::Tx, slug: &str) -> CompanyId {
    tx.create_company(&NewCompany {
        slug: slug.into(),
        name: slug.into(),
        currency: "USD".into(),
        ..Default::default()
    })
    .await
    .unwrap()
}

/// Acme with R-1..R-5 (R-1 oldest): R-1 new (Dana, Elm St, PO-77), R-2 new, R-3 read,
/// R-4 completed, R-5 declined; Bolt with its own R-1, new.
async fn world(backend: Backend) -> World {
    let db = fresh_database(backend).await;
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let acme = company(&mut tx, "acme").await;
    let bolt = company(&mut tx, "bolt").await;
    let customer = tx
        .insert_customer(
            acme,
            &NewCustomer {
                number: "C-1".into(),
                name: "Whitaker Household".into(),
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
                name: "Harbor Property".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let site = tx
        .insert_site(
            acme,
            &NewSite {
                customer: Some(customer),
                name: "Home".into(),
                line1: "14 Elm Street".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let contact = tx
        .insert_contact(
            acme,
            &NewContact {
                customer,
                login: None,
                first_name: "Dana".into(),
                last_name: "Whitaker".into(),
                email: Some("dana@example.test".into()),
                phone: "555-0100".into(),
                role: ContactRole::Company,
                is_primary: true,
                is_billing: true,
                portal_enabled: false,
            },
        )
        .await
        .unwrap();
    let rows = [
        (
            customer,
            Some(site),
            Some(contact),
            "R-1",
            RequestStatus::New,
            "PO-77",
            50,
        ),
        (other, None, None, "R-2", RequestStatus::New, "", 40),
        (other, None, None, "R-3", RequestStatus::Read, "", 30),
        (other, None, None, "R-4", RequestStatus::Completed, "", 20),
        (other, None, None, "R-5", RequestStatus::Declined, "", 10),
    ];
    for (c, s, ct, n, st, po, age) in rows {
        tx.insert_service_request(acme, &request(c, s, ct, n, st, po, age))
            .await
            .unwrap();
    }
    let bolt_customer = tx
        .insert_customer(
            bolt,
            &NewCustomer {
                number: "C-1".into(),
                name: "Whitaker at Bolt".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    tx.insert_service_request(
        bolt,
        &request(
            bolt_customer,
            None,
            None,
            "R-1",
            RequestStatus::New,
            "PO-77",
            5,
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    World {
        _db: db,
        store,
        acme,
        bolt,
        customer,
        site,
        contact,
    }
}

fn numbers(rows: &[doorstep_store::request_inbox::InboxRow]) -> Vec<&str> {
    rows.iter().map(|r| r.number.as_str()).collect()
}

async fn id_of(w: &World, company: CompanyId, number: &str) -> ServiceRequestId {
    ServiceRequestId(
        w.store
            .request_detail(company, number)
            .await
            .unwrap()
            .unwrap()
            .id,
    )
}

fn job_form() -> JobFromRequest {
    JobFromRequest {
        summary: "Fix the tap".into(),
        description: "Leaking tap".into(),
        job_type: None,
        schedule_type: Some(ScheduleType::Am),
        visit: None,
        po_number: "PO-77".into(),
    }
}

both_backends! {
    async fn the_inbox_filters_by_several_statuses_and_shows_all_when_none(backend: Backend) {
        let w = world(backend).await;
        let all = w.store.request_inbox_page(w.acme, &InboxFilter::default(), None, 50).await.unwrap();
        assert_eq!(numbers(&all.0), ["R-5", "R-4", "R-3", "R-2", "R-1"]);
        assert!(all.1.is_none());
        let filter = InboxFilter { statuses: vec![RequestStatus::New, RequestStatus::Declined], ..Default::default() };
        let some = w.store.request_inbox_page(w.acme, &filter, None, 50).await.unwrap();
        assert_eq!(numbers(&some.0), ["R-5", "R-2", "R-1"]);
        assert_eq!(w.store.new_request_count(w.acme).await.unwrap(), 2);
        assert_eq!(w.store.new_request_count(w.bolt).await.unwrap(), 1);
    }

    async fn the_inbox_searches_customer_contact_site_and_po_within_the_company(backend: Backend) {
        let w = world(backend).await;
        for search in ["whitaker", "DANA", "elm st", "po-77", "Home"] {
            let filter = InboxFilter { search: search.into(), ..Default::default() };
            let (rows, _) = w.store.request_inbox_page(w.acme, &filter, None, 50).await.unwrap();
            assert_eq!(numbers(&rows), ["R-1"], "searching {search:?}");
        }
        let filter = InboxFilter { search: "harbor".into(), ..Default::default() };
        let (rows, _) = w.store.request_inbox_page(w.acme, &filter, None, 50).await.unwrap();
        assert_eq!(numbers(&rows), ["R-5", "R-4", "R-3", "R-2"]);
        let filter = InboxFilter { search: "%".into(), ..Default::default() };
        assert!(w.store.request_inbox_page(w.acme, &filter, None, 50).await.unwrap().0.is_empty());
        // Bolt's request matches "PO-77" too but never shows in Acme's inbox, nor Acme's in Bolt's.
        let filter = InboxFilter { search: "po-77".into(), ..Default::default() };
        let (rows, _) = w.store.request_inbox_page(w.bolt, &filter, None, 50).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].customer_name, "Whitaker at Bolt");
    }

    async fn the_inbox_pages_by_keyset_without_gaps_or_repeats(backend: Backend) {
        let w = world(backend).await;
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let (rows, next) = w.store.request_inbox_page(w.acme, &InboxFilter::default(), after, 2).await.unwrap();
            seen.extend(rows.iter().map(|r| r.number.clone()));
            match next { Some(k) => after = Some(k), None => break }
        }
        assert_eq!(seen, ["R-5", "R-4", "R-3", "R-2", "R-1"]);
    }

    async fn a_request_is_found_by_number_only_in_its_company_with_its_details(backend: Backend) {
        let w = world(backend).await;
        let r = w.store.request_detail(w.acme, "R-1").await.unwrap().unwrap();
        assert_eq!(r.customer_name, "Whitaker Household");
        assert_eq!(r.contact_name(), "Dana Whitaker");
        assert_eq!(r.site_line1.as_deref(), Some("14 Elm Street"));
        assert_eq!(r.customer_recipient(), Some(("dana@example.test".into(), "Dana Whitaker".into())));
        assert_eq!(r.schedule(), Some(ScheduleType::Am));
        assert!(w.store.request_detail(w.bolt, "R-2").await.unwrap().is_none());
        let bolts = w.store.request_detail(w.bolt, "R-1").await.unwrap().unwrap();
        assert_eq!(bolts.customer_name, "Whitaker at Bolt");
        assert!(w.store.request_photos(w.acme, ServiceRequestId(bolts.id)).await.unwrap().is_empty());
    }

    async fn opening_a_new_request_marks_it_read_once(backend: Backend) {
        let w = world(backend).await;
        let id = id_of(&w, w.acme, "R-1").await;
        let mut tx = w.store.begin().await.unwrap();
        assert!(tx.mark_request_read(w.acme, id, doorstep_store::now()).await.unwrap());
        assert!(!tx.mark_request_read(w.acme, id, doorstep_store::now()).await.unwrap());
        // Another company's id changes nothing.
        assert!(!tx.mark_request_read(w.bolt, id, doorstep_store::now()).await.unwrap());
        tx.commit().await.unwrap();
        let r = w.store.request_detail(w.acme, "R-1").await.unwrap().unwrap();
        assert_eq!(r.status(), RequestStatus::Read);
        assert!(r.read_at.is_some());
        assert_eq!(w.store.new_request_count(w.acme).await.unwrap(), 1);
    }

    async fn converting_to_a_job_completes_the_request_and_links_both_ways(backend: Backend) {
        let w = world(backend).await;
        let id = id_of(&w, w.acme, "R-1").await;
        let mut tx = w.store.begin().await.unwrap();
        let (job, number) = tx.convert_request_to_job(w.acme, id, &job_form(), doorstep_store::now()).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        assert_eq!(number, "J-1001");
        let r = w.store.request_detail(w.acme, "R-1").await.unwrap().unwrap();
        assert_eq!(r.status(), RequestStatus::Completed);
        assert_eq!(r.converted_job_number.as_deref(), Some("J-1001"));
        let (customer, site, po): (i64, Option<i64>, String) = doorstep_store::on_pool!(w.store, p => sqlx::query_as(
            "SELECT customer_id, site_id, po_number FROM jobs WHERE company_id = $1 AND id = $2")
            .bind(w.acme.0).bind(job.0).fetch_one(p).await).unwrap();
        assert_eq!((customer, site, po.as_str()), (w.customer.0, Some(w.site.0), "PO-77"));
        // A second conversion of the same request is refused and creates nothing.
        let mut tx = w.store.begin().await.unwrap();
        assert!(tx.convert_request_to_job(w.acme, id, &job_form(), doorstep_store::now()).await.unwrap().is_none());
        drop(tx);
        let jobs: i64 = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE company_id = $1").bind(w.acme.0).fetch_one(p).await).unwrap();
        assert_eq!(jobs, 1);
    }

    async fn a_declined_request_is_never_converted_to_anything(backend: Backend) {
        let w = world(backend).await;
        let id = id_of(&w, w.acme, "R-2").await;
        let mut tx = w.store.begin().await.unwrap();
        assert!(tx.decline_request(w.acme, id, "We do not serve that area.", doorstep_store::now()).await.unwrap());
        tx.commit().await.unwrap();
        let r = w.store.request_detail(w.acme, "R-2").await.unwrap().unwrap();
        assert_eq!(r.status(), RequestStatus::Declined);
        assert_eq!(r.decline_reason, "We do not serve that area.");
        assert!(!r.status().may_convert());
        let mut tx = w.store.begin().await.unwrap();
        assert!(tx.convert_request_to_job(w.acme, id, &job_form(), doorstep_store::now()).await.unwrap().is_none());
        let estimate = EstimateFromRequest { title: "T".into(), scope: "S".into(), issued_on: OffsetDateTime::now_utc().date(), expires_on: None };
        assert!(tx.convert_request_to_estimate(w.acme, id, &estimate, doorstep_store::now()).await.unwrap().is_none());
        assert!(!tx.decline_request(w.acme, id, "again", doorstep_store::now()).await.unwrap());
        tx.commit().await.unwrap();
        let made: i64 = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM jobs WHERE company_id = $1) + (SELECT COUNT(*) FROM estimates WHERE company_id = $1)")
            .bind(w.acme.0).fetch_one(p).await).unwrap();
        assert_eq!(made, 0);
        let r = w.store.request_detail(w.acme, "R-2").await.unwrap().unwrap();
        assert_eq!((r.status(), r.decline_reason.as_str()), (RequestStatus::Declined, "We do not serve that area."));
        // The seeded declined and completed requests cannot be converted either.
        for n in ["R-4", "R-5"] {
            let id = id_of(&w, w.acme, n).await;
            let mut tx = w.store.begin().await.unwrap();
            assert!(tx.convert_request_to_job(w.acme, id, &job_form(), doorstep_store::now()).await.unwrap().is_none());
        }
    }

    async fn a_booked_window_place_goes_back_on_decline_and_passes_to_the_converted_job(backend: Backend) {
        let w = world(backend).await;
        let day = OffsetDateTime::now_utc().date() + Duration::days(5);
        let mut tx = w.store.begin().await.unwrap();
        let window = tx.create_window(w.acme, &NewWindow { date: day, slot: "am".into(), start_time: String::new(), end_time: String::new(), capacity: 3 }).await.unwrap();
        for n in ["R-1", "R-2", "R-3"] {
            assert!(tx.take_window_place_checked(w.acme, window, day).await.unwrap());
            let id = id_of(&w, w.acme, n).await;
            doorstep_store::on_tx!(tx, c => sqlx::query(
                "UPDATE service_requests SET availability_window_id = $1 WHERE company_id = $2 AND id = $3")
                .bind(window).bind(w.acme.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected())).unwrap();
        }
        tx.commit().await.unwrap();
        let booked = |w: &World| { let store = w.store.clone(); let acme = w.acme; async move { store.office_window(acme, window).await.unwrap().unwrap().booked } };
        assert_eq!(booked(&w).await, 3);

        let mut tx = w.store.begin().await.unwrap();
        assert!(tx.decline_request(w.acme, id_of(&w, w.acme, "R-2").await, "Fully booked that week.", doorstep_store::now()).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(booked(&w).await, 2, "the declined request's place is free again");

        let mut tx = w.store.begin().await.unwrap();
        let (job, _) = tx.convert_request_to_job(w.acme, id_of(&w, w.acme, "R-1").await, &job_form(), doorstep_store::now()).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        assert_eq!(booked(&w).await, 2, "the job keeps the place the request booked");
        let held: Option<i64> = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT availability_window_id FROM jobs WHERE company_id = $1 AND id = $2")
            .bind(w.acme.0).bind(job.0).fetch_one(p).await).unwrap();
        assert_eq!(held, Some(window));
        let kinds: Vec<String> = w.store.window_bookings(w.acme, window).await.unwrap().into_iter().map(|b| format!("{} {}", b.kind, b.number)).collect();
        assert_eq!(kinds, ["request R-3", "job J-1001"]);

        let mut tx = w.store.begin().await.unwrap();
        let estimate = EstimateFromRequest { title: "T".into(), scope: "S".into(), issued_on: OffsetDateTime::now_utc().date(), expires_on: None };
        tx.convert_request_to_estimate(w.acme, id_of(&w, w.acme, "R-3").await, &estimate, doorstep_store::now()).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        assert_eq!(booked(&w).await, 1, "an estimate is not a visit: its place is free");
    }

    async fn converting_to_a_rental_records_it_once_and_never_for_a_declined_request(backend: Backend) {
        let w = world(backend).await;
        let start_on = OffsetDateTime::now_utc().date() + Duration::days(2);
        let rental = RentalFromRequest { name: "Dehumidifier".into(), catalogue_item: None, serial_number: "DH-7".into(), start_on, end_on: None };
        let id = id_of(&w, w.acme, "R-1").await;
        let mut tx = w.store.begin().await.unwrap();
        let asset = tx.convert_request_to_rental(w.acme, id, &rental, doorstep_store::now()).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        let r = w.store.request_detail(w.acme, "R-1").await.unwrap().unwrap();
        assert_eq!(r.status(), RequestStatus::Completed);
        assert_eq!(r.converted_rental_name.as_deref(), Some("Dehumidifier"));
        let (kind, customer, site, serial): (String, i64, Option<i64>, String) = doorstep_store::on_pool!(w.store, p => sqlx::query_as(
            "SELECT kind, customer_id, site_id, serial_number FROM assets WHERE company_id = $1 AND id = $2")
            .bind(w.acme.0).bind(asset.0).fetch_one(p).await).unwrap();
        assert_eq!((kind.as_str(), customer, site, serial.as_str()), ("rental", w.customer.0, Some(w.site.0), "DH-7"));
        // Neither a second conversion nor one of a declined request makes anything.
        for n in ["R-1", "R-5"] {
            let id = id_of(&w, w.acme, n).await;
            let mut tx = w.store.begin().await.unwrap();
            assert!(tx.convert_request_to_rental(w.acme, id, &rental, doorstep_store::now()).await.unwrap().is_none(), "{n}");
        }
        let assets: i64 = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM assets WHERE company_id = $1").bind(w.acme.0).fetch_one(p).await).unwrap();
        assert_eq!(assets, 1);
    }

    async fn converting_to_an_estimate_uses_the_requests_open_estimate(backend: Backend) {
        let w = world(backend).await;
        let today = OffsetDateTime::now_utc().date();
        let mut tx = w.store.begin().await.unwrap();
        let open = tx.insert_estimate(w.acme, &NewEstimate {
            customer: w.customer, site: None, number: "E-1001".into(), title: "Request R-9".into(),
            scope: String::new(), status: EstimateStatus::Draft, issued_on: today, expires_on: None,
            deposit_minor: 0, total_minor: 0, approval: None, decline: None, converted_job: None,
        }).await.unwrap();
        let mut r = request(w.customer, Some(w.site), Some(w.contact), "R-9", RequestStatus::Read, "", 1);
        r.estimate = Some(open);
        let with_open = tx.insert_service_request(w.acme, &r).await.unwrap();
        let plain = id_of(&w, w.acme, "R-3").await;
        let form = EstimateFromRequest { title: "New boiler".into(), scope: "Supply and fit".into(), issued_on: today, expires_on: Some(today + Duration::days(30)) };
        let (reused, number) = tx.convert_request_to_estimate(w.acme, with_open, &form, doorstep_store::now()).await.unwrap().unwrap();
        assert_eq!((reused, number.as_str()), (open, "E-1001"));
        let (_, fresh) = tx.convert_request_to_estimate(w.acme, plain, &form, doorstep_store::now()).await.unwrap().unwrap();
        assert_eq!(fresh, "E-1002");
        tx.commit().await.unwrap();
        let r = w.store.request_detail(w.acme, "R-9").await.unwrap().unwrap();
        assert_eq!((r.status(), r.converted_estimate_number.as_deref()), (RequestStatus::Completed, Some("E-1001")));
        let title: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT title FROM estimates WHERE company_id = $1 AND id = $2").bind(w.acme.0).bind(open.0).fetch_one(p).await).unwrap();
        assert_eq!(title, "New boiler");
    }

    async fn numbers_continue_after_the_highest_used_and_skip_taken_ones(backend: Backend) {
        let w = world(backend).await;
        let mut tx = w.store.begin().await.unwrap();
        for n in ["E-1041", "E-77", "E-draft", "E-1042"] {
            tx.insert_estimate(w.acme, &NewEstimate {
                customer: w.customer, site: None, number: n.into(), title: n.into(), scope: String::new(),
                status: EstimateStatus::Draft, issued_on: OffsetDateTime::now_utc().date(), expires_on: None,
                deposit_minor: 0, total_minor: 0, approval: None, decline: None, converted_job: None,
            }).await.unwrap();
        }
        assert_eq!(tx.next_number(w.acme, Numbered::Estimate).await.unwrap(), "E-1043");
        assert_eq!(tx.next_number(w.acme, Numbered::Estimate).await.unwrap(), "E-1044");
        assert_eq!(tx.next_number(w.acme, Numbered::Job).await.unwrap(), "J-1001");
        assert_eq!(tx.next_number(w.bolt, Numbered::Estimate).await.unwrap(), "E-1001");
        tx.commit().await.unwrap();
    }
}
