//! Customers rescheduling and cancelling visits, and answering times the office
//! proposes, over HTTP on both engines: the cut-off and the company's switch are obeyed,
//! window places move atomically, another account's or site's job is a 404, and every
//! change is audited and emails the office through the outbox.

use doorstep_core::ids::{CompanyId, CustomerId, SiteId};
use doorstep_core::settings::PortalSettings;
use doorstep_core::status::{JobKind, JobStatus, RequestStatus, ScheduleType};
use doorstep_store::availability::NewWindow;
use doorstep_store::jobs::NewJob;
use doorstep_store::requests::NewServiceRequest;
use doorstep_testkit::{Backend, both_backends};
use time::{Date, Duration, OffsetDateTime};

use crate::helpers::office;
use crate::helpers::{People, TestApp, html, seed_people, sign_in, text_of};

/// A scheduled AM service visit of `customer` at `site`, four hours from `start`.
pub(crate) fn visit(
    customer: CustomerId,
    site: SiteId,
    number: &str,
    start: OffsetDateTime,
) -> NewJob {
    NewJob {
        customer,
        site: Some(site),
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

fn window(date: Date, slot: &str, capacity: i64) -> NewWindow {
    NewWindow {
        date,
        slot: slot.into(),
        start_time: String::new(),
        end_time: String::new(),
        capacity,
    }
}

/// What [`seed`] made.
struct Seeded {
    people: People,
    /// Two AM/PM windows ten days ahead, one place each.
    am: i64,
    pm: i64,
}

pub(crate) fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// 08:00 UTC, `days` from today.
pub(crate) fn morning(days: i64) -> OffsetDateTime {
    (today() + Duration::days(days)).midnight().assume_utc() + Duration::hours(8)
}

async fn site(app: &TestApp, company: CompanyId, customer: CustomerId, name: &str) -> SiteId {
    let sites = app
        .store
        .sites_of_customer(company, customer, None)
        .await
        .unwrap();
    SiteId(sites.iter().find(|s| s.name.starts_with(name)).unwrap().id)
}

/// Household: H-5 in five days, H-0 in two hours. Harbor: B-5 at Bayview, P-5 at Pier.
async fn seed(app: &TestApp) -> Seeded {
    let people = seed_people(app).await;
    let acme = people.acme;
    let home = site(app, acme, people.household, "Home").await;
    let bayview = site(app, acme, people.harbor, "Bayview").await;
    let pier = site(app, acme, people.harbor, "Pier").await;
    let mut tx = app.store.begin().await.unwrap();
    tx.insert_job(acme, &visit(people.household, home, "H-5", morning(5)))
        .await
        .unwrap();
    let soon = doorstep_store::now() + Duration::hours(2);
    tx.insert_job(acme, &visit(people.household, home, "H-0", soon))
        .await
        .unwrap();
    tx.insert_job(acme, &visit(people.harbor, bayview, "B-5", morning(5)))
        .await
        .unwrap();
    tx.insert_job(acme, &visit(people.harbor, pier, "P-5", morning(5)))
        .await
        .unwrap();
    let day = today() + Duration::days(10);
    let am = tx.create_window(acme, &window(day, "am", 1)).await.unwrap();
    let pm = tx.create_window(acme, &window(day, "pm", 1)).await.unwrap();
    tx.commit().await.unwrap();
    Seeded { people, am, pm }
}

async fn customer(app: &TestApp, email: &str, account: Option<CustomerId>) -> reqwest::Client {
    let client = app.client(&["acme"]);
    sign_in(app, &client, "acme", email).await;
    if let Some(c) = account {
        app.submit(
            &client,
            "acme",
            "/accounts",
            "/accounts",
            &[("customer", &c.0.to_string())],
        )
        .await;
    }
    client
}

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, scraper::Html) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    (res.status().as_u16(), html(&res.text().await.unwrap()))
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, scraper::Html) {
    let res = app.submit(client, "acme", page, action, fields).await;
    (res.status().as_u16(), html(&res.text().await.unwrap()))
}

async fn booked(app: &TestApp, acme: CompanyId, window: i64) -> i64 {
    app.store
        .office_window(acme, window)
        .await
        .unwrap()
        .unwrap()
        .booked
}

async fn mails(app: &TestApp, acme: CompanyId) -> Vec<(String, String, String)> {
    app.store
        .outbox_page(acme, None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.to_address, e.body_text))
        .collect()
}

async fn set_settings(app: &TestApp, company: CompanyId, settings: &PortalSettings) {
    let mut tx = app.store.begin().await.unwrap();
    tx.set_company_settings(company, settings).await.unwrap();
    tx.commit().await.unwrap();
}

async fn job_status(app: &TestApp, people: &People, number: &str) -> (String, Option<i64>) {
    let scope = doorstep_core::authz::ContactScope {
        customer: people.household,
        role: doorstep_core::status::ContactRole::Company,
        sites: vec![],
    };
    let v = app
        .store
        .visit_for_contact(people.acme, &scope, number)
        .await
        .unwrap()
        .unwrap();
    (v.status, v.availability_window_id)
}

both_backends! {
    async fn a_customer_moves_a_visit_between_windows_and_the_old_place_is_given_back(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let s = seed(&app).await;
        let acme = s.people.acme;
        let dana = customer(&app, "dana@example.test", Some(s.people.household)).await;

        let (status, doc) = get(&app, &dana, "/jobs/H-5").await;
        assert_eq!(status, 200);
        assert!(text_of(&doc, "[data-testid=visit-change]").is_some());
        assert!(text_of(&doc, "[data-testid=reschedule-link]").is_some());

        let (status, doc) = get(&app, &dana, "/jobs/H-5/reschedule").await;
        assert_eq!(status, 200);
        let offered = text_of(&doc, "[data-testid=reschedule-windows]").unwrap();
        assert!(offered.contains("Morning (AM)") && offered.contains("1 place left"), "{offered}");

        let am = s.am.to_string();
        let res = app.submit(&dana, "acme", "/jobs/H-5/reschedule", "/jobs/H-5/reschedule", &[("window", &am)]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/jobs/H-5?changed=moved");
        assert_eq!(booked(&app, acme, s.am).await, 1);
        assert_eq!(job_status(&app, &s.people, "H-5").await, ("scheduled".into(), Some(s.am)));

        // Moving again takes the PM place and gives the AM one back.
        let pm = s.pm.to_string();
        let res = app.submit(&dana, "acme", "/jobs/H-5/reschedule", "/jobs/H-5/reschedule", &[("window", &pm)]).await;
        assert_eq!(res.status(), 303);
        assert_eq!((booked(&app, acme, s.am).await, booked(&app, acme, s.pm).await), (0, 1));
        assert_eq!(job_status(&app, &s.people, "H-5").await.1, Some(s.pm));

        let sent = mails(&app, acme).await;
        // Each move tells the office and confirms to Dana (issue 15).
        assert_eq!(sent.len(), 4);
        let to_dana: Vec<_> = sent.iter().filter(|m| m.1 == "dana@example.test").collect();
        assert!(to_dana.len() == 2 && to_dana.iter().all(|m| m.0 == "visit_rescheduled_customer"), "{to_dana:?}");
        assert!(to_dana[0].2.contains("Now: ") && to_dana[0].2.contains("Afternoon (PM)"), "{}", to_dana[0].2);
        let (kind, to, body) = sent.iter().find(|m| m.1 != "dana@example.test").unwrap();
        assert_eq!((kind.as_str(), to.as_str()), ("visit_rescheduled", "hello@acme.test"));
        assert!(body.contains("H-5") && body.contains("Afternoon (PM)"), "{body}");
        assert_eq!(app.store.recent_audit_actions(acme, 2).await.unwrap(), ["visit.rescheduled", "visit.rescheduled"]);
        let (_, doc) = get(&app, &dana, "/jobs/H-5?changed=moved").await;
        assert!(text_of(&doc, "[data-testid=visit-changed]").unwrap().contains("moved"));
    }

    async fn a_full_window_or_one_inside_the_cut_off_changes_nothing(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let s = seed(&app).await;
        let acme = s.people.acme;
        let mut tx = app.store.begin().await.unwrap();
        // Twelve hours from now, whatever the time of day the test runs at (an AM window
        // tomorrow is outside a 24-hour cut-off before 08:00).
        let soon = OffsetDateTime::now_utc() + Duration::hours(12);
        let inside = NewWindow {
            start_time: format!("{:02}:00", soon.hour()),
            end_time: format!("{:02}:30", soon.hour()),
            ..window(soon.date(), "exact", 3)
        };
        let too_soon = tx.create_window(acme, &inside).await.unwrap();
        tx.commit().await.unwrap();
        let dana = customer(&app, "dana@example.test", Some(s.people.household)).await;
        // Harbor's B-5 takes the last AM place.
        let harbor = customer(&app, "dana@example.test", Some(s.people.harbor)).await;
        let am = s.am.to_string();
        assert_eq!(app.submit(&harbor, "acme", "/jobs/B-5/reschedule", "/jobs/B-5/reschedule", &[("window", &am)]).await.status(), 303);

        let (status, doc) = post(&app, &dana, "/jobs/H-5/reschedule", "/jobs/H-5/reschedule", &[("window", &am)]).await;
        assert_eq!(status, 409);
        assert!(text_of(&doc, ".field-error").unwrap().contains("filled up"));
        assert_eq!(job_status(&app, &s.people, "H-5").await.1, None);
        assert_eq!(booked(&app, acme, s.am).await, 1);

        // A made-up window, or another company's, is refused next to the field.
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap().id;
        let mut tx = app.store.begin().await.unwrap();
        let theirs = tx.create_window(bolt, &window(today() + Duration::days(9), "am", 5)).await.unwrap();
        tx.commit().await.unwrap();
        for crafted in ["abc".to_owned(), theirs.to_string()] {
            let (status, doc) = post(&app, &dana, "/jobs/H-5/reschedule", "/jobs/H-5/reschedule", &[("mode", "window"), ("window", &crafted)]).await;
            assert_eq!(status, 422, "{crafted}");
            assert!(text_of(&doc, "#window-error").unwrap().contains("Choose one of the open windows"));
        }
        assert_eq!(booked(&app, bolt, theirs).await, 0);
        // A window starting within 24 hours is not offered, and refused when posted.
        let (_, doc) = get(&app, &dana, "/jobs/H-5/reschedule").await;
        let radio = |id: i64| scraper::Selector::parse(&format!("input[name=window][value='{id}']")).unwrap();
        assert!(doc.select(&radio(too_soon)).next().is_none(), "inside the cut-off: not offered");
        assert!(doc.select(&radio(s.pm)).next().is_some(), "ten days out: offered");
        assert!(doc.select(&radio(s.am)).next().is_none(), "full: not offered");
        let (status, doc) = post(&app, &dana, "/jobs/H-5/reschedule", "/jobs/H-5/reschedule", &[("window", &too_soon.to_string())]).await;
        assert_eq!(status, 422);
        assert!(text_of(&doc, ".field-error").unwrap().contains("more than 24 hours"));
        assert_eq!(booked(&app, acme, too_soon).await, 0);

        // H-0 is two hours away: the block says why, and both routes refuse.
        let (_, doc) = get(&app, &dana, "/jobs/H-0").await;
        assert!(text_of(&doc, "[data-testid=visit-change-refusal]").unwrap().contains("less than 24 hours"));
        assert!(text_of(&doc, "[data-testid=reschedule-link]").is_none());
        let (status, doc) = get(&app, &dana, "/jobs/H-0/reschedule").await;
        assert_eq!(status, 409);
        assert!(text_of(&doc, "[data-testid=visit-refusal]").unwrap().contains("call or email the office"));
        let pm = s.pm.to_string();
        let (status, _) = post(&app, &dana, "/jobs/H-5", "/jobs/H-0/reschedule", &[("window", &pm)]).await;
        assert_eq!(status, 409);
        let (status, _) = post(&app, &dana, "/jobs/H-5", "/jobs/H-0/cancel", &[("reason", "Away"), ("confirm", "yes")]).await;
        assert_eq!(status, 409);
        assert_eq!(job_status(&app, &s.people, "H-0").await, ("scheduled".into(), None));
        assert_eq!(booked(&app, acme, s.pm).await, 0);
        assert_eq!(mails(&app, acme).await.len(), 2, "only Harbor's move emailed (the office, and Dana's confirmation)");
    }

    async fn with_the_setting_off_there_is_no_block_and_the_routes_refuse(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let s = seed(&app).await;
        set_settings(&app, s.people.acme, &PortalSettings { allow_reschedule: false, ..PortalSettings::default() }).await;
        let dana = customer(&app, "dana@example.test", Some(s.people.household)).await;
        let (status, doc) = get(&app, &dana, "/jobs/H-5").await;
        assert_eq!(status, 200);
        assert!(text_of(&doc, "[data-testid=visit-change]").is_none());
        let (status, doc) = get(&app, &dana, "/jobs/H-5/reschedule").await;
        assert_eq!(status, 403);
        assert!(text_of(&doc, "[data-testid=visit-refusal]").unwrap().contains("cannot be changed online"));
        let am = s.am.to_string();
        let (status, _) = post(&app, &dana, "/jobs/H-5", "/jobs/H-5/reschedule", &[("window", &am)]).await;
        assert_eq!(status, 403);
        let (status, _) = post(&app, &dana, "/jobs/H-5", "/jobs/H-5/cancel", &[("reason", "Away"), ("confirm", "yes")]).await;
        assert_eq!(status, 403);
        assert_eq!(job_status(&app, &s.people, "H-5").await, ("scheduled".into(), None));
        assert!(mails(&app, s.people.acme).await.is_empty());
    }

    async fn cancelling_needs_a_reason_and_a_confirmation_and_frees_the_window_place(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let s = seed(&app).await;
        let acme = s.people.acme;
        let dana = customer(&app, "dana@example.test", Some(s.people.household)).await;
        let am = s.am.to_string();
        app.submit(&dana, "acme", "/jobs/H-5/reschedule", "/jobs/H-5/reschedule", &[("window", &am)]).await;
        assert_eq!(booked(&app, acme, s.am).await, 1);

        let (status, doc) = get(&app, &dana, "/jobs/H-5/cancel").await;
        assert_eq!(status, 200);
        assert!(text_of(&doc, "h1").unwrap().contains("Cancel the visit"));
        let (status, doc) = post(&app, &dana, "/jobs/H-5/cancel", "/jobs/H-5/cancel", &[("reason", "  "), ("confirm", "yes")]).await;
        assert_eq!(status, 422);
        assert!(text_of(&doc, "#reason-error").unwrap().contains("why you are cancelling"));
        let (status, doc) = post(&app, &dana, "/jobs/H-5/cancel", "/jobs/H-5/cancel", &[("reason", "Moving house")]).await;
        assert_eq!(status, 422);
        assert!(text_of(&doc, "#confirm-error").is_some());
        assert_eq!(job_status(&app, &s.people, "H-5").await.0, "scheduled");

        let res = app.submit(&dana, "acme", "/jobs/H-5/cancel", "/jobs/H-5/cancel", &[("reason", "Moving house"), ("confirm", "yes")]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(job_status(&app, &s.people, "H-5").await.0, "cancelled");
        assert_eq!(booked(&app, acme, s.am).await, 0);
        let sent = mails(&app, acme).await;
        let office_copy = sent.iter().find(|m| m.0 == "visit_cancelled").unwrap();
        assert!(office_copy.2.contains("Moving house"));
        let confirmation = sent.iter().find(|m| m.0 == "visit_cancelled_customer").unwrap();
        assert_eq!(confirmation.1, "dana@example.test");
        assert!(confirmation.2.contains("Your reason: Moving house"), "{}", confirmation.2);
        assert_eq!(app.store.recent_audit_actions(acme, 1).await.unwrap(), ["visit.cancelled"]);
        // The request H-5 came from shows the office why the visit was cancelled.
        let job = doorstep_core::ids::JobId(app.store.visit_for_contact(acme, &doorstep_core::authz::ContactScope {
            customer: s.people.household, role: doorstep_core::status::ContactRole::Company, sites: vec![],
        }, "H-5").await.unwrap().unwrap().id);
        let mut tx = app.store.begin().await.unwrap();
        tx.insert_service_request(acme, &NewServiceRequest {
            customer: s.people.household, site: None, contact: None, submitted_by: None, number: "R-9".into(),
            status: RequestStatus::Completed, preferred_date: None, schedule_type: None, job_type: None,
            description: "Tap".into(), po_number: String::new(), estimate: None, converted_job: Some(job),
            decline_reason: String::new(), created_at: doorstep_store::now(),
        }).await.unwrap();
        tx.commit().await.unwrap();
        let (_, doc) = get(&app, &office(&app).await, "/office/requests/R-9").await;
        assert!(text_of(&doc, "[data-testid=visit-note]").unwrap().contains("Reason: Moving house"));
        assert!(text_of(&doc, "[data-testid=propose]").is_none(), "a converted request takes no proposal");
        // A cancelled visit offers no change, and a second cancel is refused.
        let (_, doc) = get(&app, &dana, "/jobs/H-5").await;
        assert!(text_of(&doc, "[data-testid=visit-change]").is_none());
        let (status, _) = post(&app, &dana, "/jobs/H-5", "/jobs/H-5/cancel", &[("reason", "Again"), ("confirm", "yes")]).await;
        assert_eq!(status, 409);
    }

    async fn another_accounts_or_another_sites_visit_is_not_found(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let s = seed(&app).await;
        let dana = customer(&app, "dana@example.test", Some(s.people.household)).await;
        for path in ["/jobs/B-5/reschedule", "/jobs/B-5/cancel", "/jobs/NOPE/reschedule"] {
            assert_eq!(get(&app, &dana, path).await.0, 404, "{path}");
        }
        let (status, _) = post(&app, &dana, "/jobs/H-5", "/jobs/B-5/cancel", &[("reason", "x"), ("confirm", "yes")]).await;
        assert_eq!(status, 404);
        // Sam is a site contact of Bayview only.
        let sam = customer(&app, "sam@example.test", None).await;
        assert_eq!(get(&app, &sam, "/jobs/B-5/reschedule").await.0, 200);
        assert_eq!(get(&app, &sam, "/jobs/P-5/reschedule").await.0, 404);
        let (status, _) = post(&app, &sam, "/jobs/B-5/reschedule", "/jobs/P-5/cancel", &[("reason", "x"), ("confirm", "yes")]).await;
        assert_eq!(status, 404);
        let (status, _) = post(&app, &sam, "/jobs/B-5/reschedule", "/jobs/H-5/cancel", &[("reason", "x"), ("confirm", "yes")]).await;
        assert_eq!(status, 404);
        assert!(mails(&app, s.people.acme).await.is_empty());
    }

    async fn without_published_windows_the_customer_asks_for_a_date(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let home = site(&app, people.acme, people.household, "Home").await;
        let mut tx = app.store.begin().await.unwrap();
        tx.insert_job(people.acme, &visit(people.household, home, "H-5", morning(5))).await.unwrap();
        tx.commit().await.unwrap();
        let dana = customer(&app, "dana@example.test", Some(people.household)).await;
        let (_, doc) = get(&app, &dana, "/jobs/H-5/reschedule").await;
        assert!(text_of(&doc, "[data-testid=reschedule-date]").is_some());
        let past = (today() - Duration::days(1)).to_string();
        let (status, doc) = post(&app, &dana, "/jobs/H-5/reschedule", "/jobs/H-5/reschedule", &[("date", &past), ("schedule_type", "pm")]).await;
        assert_eq!(status, 422);
        assert!(text_of(&doc, "#date-error").unwrap().contains("past"));
        let later = (today() + Duration::days(8)).to_string();
        let res = app.submit(&dana, "acme", "/jobs/H-5/reschedule", "/jobs/H-5/reschedule", &[("date", &later), ("schedule_type", "pm")]).await;
        assert_eq!(res.headers()["location"], "/jobs/H-5?changed=asked");
        let (_, doc) = get(&app, &dana, "/jobs/H-5").await;
        let later_text = doorstep_core::local_time::weekday_date(today() + Duration::days(8));
        assert!(text_of(&doc, "[data-testid=visit-asked]").unwrap().contains(&later_text));
        let sent = mails(&app, people.acme).await;
        assert_eq!(sent.iter().take(2).map(|m| m.0.as_str()).collect::<Vec<_>>(), ["visit_rescheduled_customer", "visit_rescheduled"]);
        assert_eq!(app.store.recent_audit_actions(people.acme, 1).await.unwrap(), ["visit.reschedule_requested"]);
    }

    async fn the_office_proposes_a_time_one_customer_accepts_another_declines_and_answers_are_final(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let acme = people.acme;
        let dana_contact = app.store.contacts_of_customer(acme, people.household).await.unwrap()[0].id;
        let mut tx = app.store.begin().await.unwrap();
        for (number, customer, status) in [("R-1", people.household, RequestStatus::New), ("R-2", people.harbor, RequestStatus::New), ("R-3", people.household, RequestStatus::Declined)] {
            let contact = (customer == people.household).then_some(doorstep_core::ids::ContactId(dana_contact));
            tx.insert_service_request(acme, &NewServiceRequest {
                customer, site: None, contact, submitted_by: contact, number: number.into(), status,
                preferred_date: Some(today() + Duration::days(3)), schedule_type: Some(ScheduleType::Am),
                job_type: None, description: format!("Tap {number}"), po_number: String::new(), estimate: None,
                converted_job: None, decline_reason: String::new(), created_at: doorstep_store::now(),
            }).await.unwrap();
        }
        tx.commit().await.unwrap();
        let office = office(&app).await;
        let day = (today() + Duration::days(6)).to_string();

        let (status, doc) = post(&app, &office, "/office/requests/R-1", "/office/requests/R-1/propose", &[("date", "nope"), ("schedule_type", "pm")]).await;
        assert_eq!(status, 422);
        assert!(text_of(&doc, "#proposed-date-error").is_some());
        let res = app.submit(&office, "acme", "/office/requests/R-1", "/office/requests/R-1/propose", &[("date", &day), ("schedule_type", "pm"), ("note", "Our plumber is free then <b>& early</b>")]).await;
        assert_eq!(res.status(), 303);
        let res = app.submit(&office, "acme", "/office/requests/R-2", "/office/requests/R-2/propose", &[("date", &day), ("schedule_type", "all_day")]).await;
        assert_eq!(res.status(), 303);
        let (status, doc) = post(&app, &office, "/office/requests/R-1", "/office/requests/R-3/propose", &[("date", &day), ("schedule_type", "am")]).await;
        assert_eq!(status, 409);
        assert!(text_of(&doc, "[data-testid=refusal]").unwrap().contains("declined"));
        let proposal = app.store.request_proposal_for_office(acme, "R-3").await.unwrap().unwrap();
        assert_eq!(proposal.proposal_status, None);

        let sent = mails(&app, acme).await;
        assert_eq!(sent.len(), 1, "R-2 has no contact to email");
        assert_eq!((sent[0].0.as_str(), sent[0].1.as_str()), ("time_proposed", "dana@example.test"));
        assert!(sent[0].2.contains("/requests/R-1/proposal") && sent[0].2.contains("Our plumber is free then"), "{}", sent[0].2);
        let (_, doc) = get(&app, &office, "/office/requests/R-1").await;
        assert!(text_of(&doc, "[data-testid=proposal]").unwrap().contains("awaiting"));

        // Dana accepts R-1 for her household: the proposed time becomes the preferred one.
        let dana = customer(&app, "dana@example.test", Some(people.household)).await;
        let (_, doc) = get(&app, &dana, "/requests/R-1").await;
        assert!(text_of(&doc, "[data-testid=proposal-link]").is_some());
        let (status, doc) = get(&app, &dana, "/requests/R-1/proposal").await;
        assert_eq!(status, 200);
        assert!(text_of(&doc, "h2").unwrap().contains("Afternoon (PM)"));
        // The office's note is shown where she answers, and on the request, as text.
        assert_eq!(text_of(&doc, "[data-testid=proposal-note]").as_deref(), Some("Our plumber is free then <b>& early</b>"));
        let (_, doc) = get(&app, &dana, "/requests/R-1").await;
        assert!(text_of(&doc, "[data-testid=request-proposal-note]").unwrap().contains("Our plumber is free then <b>& early</b>"));
        let raw = dana.get(app.url("acme", "/requests/R-1/proposal")).send().await.unwrap().text().await.unwrap();
        assert!(!raw.contains("<b>"), "the note is escaped");
        let res = app.submit(&dana, "acme", "/requests/R-1/proposal", "/requests/R-1/proposal", &[("answer", "accept")]).await;
        assert_eq!(res.status(), 303);
        let r1 = app.store.request_proposal_for_office(acme, "R-1").await.unwrap().unwrap();
        assert_eq!(r1.proposal_status.as_deref(), Some("accepted"));
        assert_eq!((r1.preferred_date, r1.schedule_type.as_deref()), (Some(today() + Duration::days(6)), Some("pm")));
        // A second answer changes nothing.
        let (status, doc) = post(&app, &dana, "/requests/R-1/proposal", "/requests/R-1/proposal", &[("answer", "decline")]).await;
        assert_eq!(status, 409);
        assert!(text_of(&doc, "[data-testid=proposal-alert]").is_some());
        assert_eq!(app.store.request_proposal_for_office(acme, "R-1").await.unwrap().unwrap().proposal_status.as_deref(), Some("accepted"));
        // Harbor's request is not the household's.
        assert_eq!(get(&app, &dana, "/requests/R-2/proposal").await.0, 404);

        // Acting for Harbor, Dana declines R-2 with a reason.
        let harbor = customer(&app, "dana@example.test", Some(people.harbor)).await;
        let res = app.submit(&harbor, "acme", "/requests/R-2/proposal", "/requests/R-2/proposal", &[("answer", "decline"), ("reason", "We are closed that day")]).await;
        assert_eq!(res.status(), 303);
        let r2 = app.store.request_proposal_for_office(acme, "R-2").await.unwrap().unwrap();
        assert_eq!(r2.proposal_status.as_deref(), Some("declined"));
        assert_eq!(r2.schedule_type.as_deref(), Some("am"), "a declined proposal leaves the preferred time");
        let (_, doc) = get(&app, &harbor, "/requests/R-2/proposal").await;
        assert!(text_of(&doc, "[data-testid=proposal-note]").is_none(), "no note, no empty box");
        let sent = mails(&app, acme).await;
        let answered: Vec<_> = sent.iter().filter(|m| m.0 == "proposal_answered").collect();
        assert_eq!(answered.len(), 2);
        assert!(answered[0].2.contains("declined") && answered[0].2.contains("We are closed that day"));
        assert_eq!(answered[0].1, "hello@acme.test");
        let actions = app.store.recent_audit_actions(acme, 10).await.unwrap();
        assert_eq!(actions[0], "request.proposal_declined");
        assert_eq!(actions.iter().filter(|a| a.starts_with("request.proposal_")).count(), 2);
        assert_eq!(actions.iter().filter(|a| *a == "request.time_proposed").count(), 2);
    }

    async fn an_administrator_switches_visit_changes_off_and_sets_the_cut_off(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let s = seed(&app).await;
        let acme = s.people.acme;
        let office = office(&app).await;
        let (status, doc) = get(&app, &office, "/office/settings/visits").await;
        assert_eq!(status, 200);
        assert!(doc.select(&scraper::Selector::parse("input[name=allow_reschedule][checked]").unwrap()).next().is_some());
        let (status, doc) = post(&app, &office, "/office/settings/visits", "/office/settings/visits", &[("allow_reschedule", "on"), ("cutoff_hours", "a day")]).await;
        assert_eq!(status, 422);
        assert!(text_of(&doc, "#hours-error").unwrap().contains("whole number"));
        assert_eq!(app.store.company_by_slug("acme").await.unwrap().unwrap().settings.reschedule_cutoff_hours, 24);

        // A 200-hour cut-off puts H-5 (five days away) inside it.
        let res = app.submit(&office, "acme", "/office/settings/visits", "/office/settings/visits", &[("allow_reschedule", "on"), ("cutoff_hours", "200")]).await;
        assert_eq!(res.status(), 303);
        let dana = customer(&app, "dana@example.test", Some(s.people.household)).await;
        let (_, doc) = get(&app, &dana, "/jobs/H-5").await;
        assert!(text_of(&doc, "[data-testid=visit-change-refusal]").unwrap().contains("200 hours"));

        let res = app.submit(&office, "acme", "/office/settings/visits", "/office/settings/visits", &[("cutoff_hours", "24")]).await;
        assert_eq!(res.status(), 303);
        let settings = app.store.company_by_slug("acme").await.unwrap().unwrap().settings;
        assert!(!settings.allow_reschedule);
        let (_, doc) = get(&app, &dana, "/jobs/H-5").await;
        assert!(text_of(&doc, "[data-testid=visit-change]").is_none());
        assert_eq!(app.store.recent_audit_actions(acme, 1).await.unwrap(), ["settings.visit_changes"]);
    }
}
