//! The office's requests inbox over HTTP: the badge, filters in the URL, opening marks
//! Read, converting completes and links, declining emails the customer, and a declined
//! request is refused by every convert route with nothing created.

use doorstep_core::ids::{CompanyId, CustomerId};
use doorstep_core::status::{RequestStatus, ScheduleType};
use doorstep_store::files::NewAttachment;
use doorstep_store::requests::NewServiceRequest;
use doorstep_testkit::{Backend, both_backends};
use time::Duration;

use crate::helpers::office;
use crate::helpers::{People, TestApp, html, seed_people, text_of};

/// What [`seed_requests`] made.
pub struct SeededRequests {
    /// The photo sent with Acme's R-1.
    pub photo: i64,
}

fn request(
    customer: CustomerId,
    number: &str,
    status: RequestStatus,
    age: i64,
) -> NewServiceRequest {
    NewServiceRequest {
        customer,
        site: None,
        contact: None,
        submitted_by: None,
        number: number.into(),
        status,
        preferred_date: Some(time::OffsetDateTime::now_utc().date() + Duration::days(5)),
        schedule_type: Some(ScheduleType::Am),
        job_type: None,
        description: format!("Dripping tap in the kitchen ({number})"),
        po_number: String::new(),
        estimate: None,
        converted_job: None,
        decline_reason: String::new(),
        created_at: doorstep_store::now() - Duration::minutes(age),
    }
}

/// Acme: R-1 New (household, its Home site, Dana, PO-77, one photo), R-2 New (Harbor),
/// R-3 Declined (Harbor). Bolt: its own, New.
pub async fn seed_requests(app: &TestApp, people: &People) -> SeededRequests {
    let acme = people.acme;
    let site = app
        .store
        .sites_of_customer(acme, people.household, None)
        .await
        .unwrap()[0]
        .id;
    let dana = app
        .store
        .contacts_of_customer(acme, people.household)
        .await
        .unwrap()[0]
        .id;
    let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap().id;
    let bolt_customer = CustomerId(
        app.store
            .customer_by_number(bolt, "B-1")
            .await
            .unwrap()
            .unwrap()
            .id,
    );
    let files = app.files();
    let mut tx = app.store.begin().await.unwrap();
    let mut r1 = request(people.household, "R-1", RequestStatus::New, 30);
    r1.site = Some(doorstep_core::ids::SiteId(site));
    r1.contact = Some(doorstep_core::ids::ContactId(dana));
    r1.submitted_by = r1.contact;
    r1.po_number = "PO-77".into();
    let r1 = tx.insert_service_request(acme, &r1).await.unwrap();
    tx.insert_service_request(acme, &request(people.harbor, "R-2", RequestStatus::New, 20))
        .await
        .unwrap();
    let mut r3 = request(people.harbor, "R-3", RequestStatus::Declined, 10);
    r3.decline_reason = "Outside our area.".into();
    tx.insert_service_request(acme, &r3).await.unwrap();
    for n in ["R-1", "R-9"] {
        tx.insert_service_request(bolt, &request(bolt_customer, n, RequestStatus::New, 5))
            .await
            .unwrap();
    }
    let photo = tx
        .insert_attachment(
            acme,
            &NewAttachment {
                customer: Some(people.household),
                owner_kind: "service_request",
                owner_id: r1.0,
                kind: "photo",
                filename: "leak.png".into(),
                content_type: "image/png".into(),
                size_bytes: 10,
                storage_key: files.put(b"full-photo").unwrap(),
                thumb_key: Some(files.put(b"thumb-photo").unwrap()),
                width: None,
                height: None,
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    SeededRequests { photo: photo.0 }
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, scraper::Html) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    let status = res.status().as_u16();
    (status, html(&res.text().await.unwrap()))
}

fn numbers(doc: &scraper::Html) -> Vec<String> {
    let sel = scraper::Selector::parse("[data-testid=requests] tbody tr td:first-child a").unwrap();
    doc.select(&sel)
        .map(|a| a.text().next().unwrap_or("").trim().to_owned())
        .collect()
}

async fn count_of(app: &TestApp, table: &str, company: CompanyId) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE company_id = $1");
    doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(&sql).bind(company.0).fetch_one(p).await).unwrap()
}

both_backends! {
    async fn the_inbox_filters_by_status_and_search_kept_in_the_url(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_requests(&app, &people).await;
        let staff = office(&app).await;
        let (status, doc) = page(&app, &staff, "/office/requests").await;
        assert_eq!(status, 200);
        assert_eq!(numbers(&doc), ["R-3", "R-2", "R-1"]);
        assert_eq!(text_of(&doc, "[data-testid=request-badge] [data-request-count]").as_deref(), Some("2"));
        let (_, doc) = page(&app, &staff, "/office/requests?status=new&status=declined&q=harbor").await;
        assert_eq!(numbers(&doc), ["R-3", "R-2"]);
        let checked = scraper::Selector::parse("input[name=status][checked]").unwrap();
        assert_eq!(doc.select(&checked).count(), 2);
        let (_, doc) = page(&app, &staff, "/office/requests?q=po-77").await;
        assert_eq!(numbers(&doc), ["R-1"]);
        let (_, doc) = page(&app, &staff, "/office/requests?q=nobody").await;
        assert!(text_of(&doc, "[data-testid=empty]").unwrap().contains("No request matches"));
        // Malformed parameters: the page, with a message, never a 500.
        let (status, doc) = page(&app, &staff, "/office/requests?status=lost&after=yesterday").await;
        assert_eq!(status, 400);
        assert!(text_of(&doc, "[data-testid=filter-problems]").unwrap().contains("not a request status"));
        assert_eq!(numbers(&doc), ["R-3", "R-2", "R-1"]);
    }

    async fn opening_a_new_request_shows_everything_and_marks_it_read(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let seeded = seed_requests(&app, &people).await;
        let staff = office(&app).await;
        let (status, doc) = page(&app, &staff, "/office/requests/R-1").await;
        assert_eq!(status, 200);
        assert_eq!(text_of(&doc, "[data-testid=request-status]").as_deref(), Some("Read"));
        let facts = text_of(&doc, "[data-testid=request-facts]").unwrap();
        for expected in ["Dana Whitaker", "14 Elm Street", "dana@example.test", "PO-77", "Morning (AM)"] {
            assert!(facts.contains(expected), "{expected} in {facts}");
        }
        // The badge already counts one fewer.
        assert_eq!(text_of(&doc, "[data-testid=request-badge] [data-request-count]").as_deref(), Some("1"));
        let thumb = format!("/office/requests/R-1/photos/{}/thumb", seeded.photo);
        let img = scraper::Selector::parse("[data-testid=photos] img").unwrap();
        assert_eq!(doc.select(&img).next().unwrap().value().attr("src"), Some(thumb.as_str()));
        let res = staff.get(app.url("acme", &thumb)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(res.bytes().await.unwrap().as_ref(), b"thumb-photo");
        // A photo of the request under another request's number is not found.
        let res = staff.get(app.url("acme", &format!("/office/requests/R-2/photos/{}", seeded.photo))).send().await.unwrap();
        assert_eq!(res.status(), 404);
        assert_eq!(app.store.new_request_count(people.acme).await.unwrap(), 1);
        assert!(app.store.recent_audit_actions(people.acme, 5).await.unwrap().contains(&"request.read".to_owned()));
    }

    async fn another_companys_request_number_is_not_found(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_requests(&app, &people).await;
        let staff = office(&app).await;
        // Bolt has an R-9 but Acme does not: every route answers 404 and nothing changes.
        for path in ["/office/requests/R-9", "/office/requests/R-9/job", "/office/requests/R-9/estimate"] {
            assert_eq!(page(&app, &staff, path).await.0, 404, "{path}");
        }
        let res = app.submit(&staff, "acme", "/office/requests", "/office/requests/R-9/decline", &[("reason", "no")]).await;
        assert_eq!(res.status(), 404);
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap().id;
        assert_eq!(app.store.new_request_count(bolt).await.unwrap(), 2);
        // Acme's R-1 is Acme's own, not Bolt's.
        let (_, doc) = page(&app, &staff, "/office/requests/R-1").await;
        assert!(text_of(&doc, "[data-testid=request-facts]").unwrap().contains("Dana Whitaker"));
    }

    async fn converting_to_a_job_completes_the_request_and_links_it(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_requests(&app, &people).await;
        let staff = office(&app).await;
        // The form is prefilled from the request.
        let (status, doc) = page(&app, &staff, "/office/requests/R-1/job").await;
        assert_eq!(status, 200);
        let value = |sel: &str| {
            let s = scraper::Selector::parse(sel).unwrap();
            doc.select(&s).next().and_then(|e| e.value().attr("value")).unwrap_or("").to_owned()
        };
        assert_eq!(value("#po_number"), "PO-77");
        assert!(!value("#date").is_empty());
        // A bad field: a message next to it, nothing saved.
        let res = app.submit(&staff, "acme", "/office/requests/R-1/job", "/office/requests/R-1/job",
            &[("summary", ""), ("description", "Tap"), ("date", "31/02/2030")]).await;
        assert_eq!(res.status(), 422);
        let doc = html(&res.text().await.unwrap());
        assert!(text_of(&doc, "#summary-error").is_some());
        assert!(text_of(&doc, "#date-error").is_some());
        assert_eq!(count_of(&app, "jobs", people.acme).await, 0);
        let day = (time::OffsetDateTime::now_utc().date() + Duration::days(7)).to_string();
        let res = app.submit(&staff, "acme", "/office/requests/R-1/job", "/office/requests/R-1/job",
            &[("summary", "Fix the tap"), ("description", "Tap"), ("date", &day), ("schedule_type", "pm"), ("po_number", "PO-77")]).await;
        assert_eq!(res.status(), 303);
        let (_, doc) = page(&app, &staff, "/office/requests/R-1").await;
        assert_eq!(text_of(&doc, "[data-testid=request-status]").as_deref(), Some("Completed"));
        assert_eq!(text_of(&doc, "[data-testid=converted-job]").as_deref(), Some("J-1001"));
        assert!(text_of(&doc, "[data-testid=answers]").is_none());
        // Converting twice is refused, by either route, and creates nothing.
        let res = app.submit(&staff, "acme", "/office/requests/R-2", "/office/requests/R-1/job", &[("summary", "Again")]).await;
        assert_eq!(res.status(), 409);
        let res = app.submit(&staff, "acme", "/office/requests/R-2", "/office/requests/R-1/estimate", &[("title", "Again")]).await;
        assert_eq!(res.status(), 409);
        assert_eq!(count_of(&app, "jobs", people.acme).await, 1);
        assert_eq!(count_of(&app, "estimates", people.acme).await, 0);
    }

    async fn converting_to_an_estimate_completes_the_request_and_links_it(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_requests(&app, &people).await;
        let staff = office(&app).await;
        let res = app.submit(&staff, "acme", "/office/requests/R-2/estimate", "/office/requests/R-2/estimate",
            &[("title", "New tap"), ("scope", "Supply and fit"), ("expires_on", "")]).await;
        assert_eq!(res.status(), 303);
        let (_, doc) = page(&app, &staff, "/office/requests/R-2").await;
        assert_eq!(text_of(&doc, "[data-testid=request-status]").as_deref(), Some("Completed"));
        assert_eq!(text_of(&doc, "[data-testid=converted-estimate]").as_deref(), Some("E-1001"));
    }

    async fn converting_to_a_rental_records_it_for_the_account_and_shows_it_to_the_customer(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_requests(&app, &people).await;
        let staff = office(&app).await;
        let assets_before = count_of(&app, "assets", people.acme).await;
        // The form is prefilled with the date asked for.
        let (status, doc) = page(&app, &staff, "/office/requests/R-1/rental").await;
        assert_eq!(status, 200);
        let start = scraper::Selector::parse("#start_on").unwrap();
        let asked = (time::OffsetDateTime::now_utc().date() + Duration::days(5)).to_string();
        assert_eq!(doc.select(&start).next().and_then(|e| e.value().attr("value")), Some(asked.as_str()));
        // Bad fields: each message next to its field, what was typed kept, nothing saved.
        let res = app.submit(&staff, "acme", "/office/requests/R-1/rental", "/office/requests/R-1/rental",
            &[("name", ""), ("serial_number", "SN-1"), ("start_on", "2030-05-10"), ("end_on", "2030-05-01")]).await;
        assert_eq!(res.status(), 422);
        let doc = html(&res.text().await.unwrap());
        assert!(text_of(&doc, "#name-error").is_some());
        assert!(text_of(&doc, "#end_on-error").unwrap().contains("before the first"));
        let serial = scraper::Selector::parse("#serial_number").unwrap();
        assert_eq!(doc.select(&serial).next().and_then(|e| e.value().attr("value")), Some("SN-1"));
        assert_eq!(count_of(&app, "assets", people.acme).await, assets_before);
        let res = app.submit(&staff, "acme", "/office/requests/R-1/rental", "/office/requests/R-1/rental",
            &[("name", "Pipe-thaw heater <rental>"), ("serial_number", "SN-1"), ("start_on", &asked), ("end_on", "")]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(count_of(&app, "assets", people.acme).await, assets_before + 1);
        let (_, doc) = page(&app, &staff, "/office/requests/R-1").await;
        assert_eq!(text_of(&doc, "[data-testid=request-status]").as_deref(), Some("Completed"));
        assert_eq!(text_of(&doc, "[data-testid=converted-rental]").as_deref(), Some("Pipe-thaw heater <rental>"));
        let (kind, customer, start_on): (String, i64, Option<time::Date>) = doorstep_store::on_pool!(app.store, p => sqlx::query_as(
            "SELECT kind, customer_id, rental_start_on FROM assets WHERE company_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(people.acme.0).fetch_one(p).await).unwrap();
        assert_eq!((kind.as_str(), customer, start_on.map(|d| d.to_string())), ("rental", people.household.0, Some(asked.clone())));
        // The customer sees what the request became.
        let dana = app.client(&["acme"]);
        crate::helpers::sign_in(&app, &dana, "acme", "dana@example.test").await;
        app.submit(&dana, "acme", "/accounts", "/accounts", &[("customer", &people.household.0.to_string())]).await;
        let res = dana.get(app.url("acme", "/requests/R-1")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let doc = html(&res.text().await.unwrap());
        assert_eq!(text_of(&doc, "[data-testid=converted-rental]").as_deref(), Some("Pipe-thaw heater <rental>"));
        // Converted once: every conversion route now refuses it.
        let res = app.submit(&staff, "acme", "/office/requests/R-2", "/office/requests/R-1/rental", &[("name", "Again"), ("start_on", &asked)]).await;
        assert_eq!(res.status(), 409);
        assert_eq!(count_of(&app, "assets", people.acme).await, assets_before + 1);
    }

    async fn declining_needs_a_reason_emails_the_customer_and_never_converts(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_requests(&app, &people).await;
        let staff = office(&app).await;
        let assets_before = count_of(&app, "assets", people.acme).await;
        let res = app.submit(&staff, "acme", "/office/requests/R-1", "/office/requests/R-1/decline", &[("reason", "  ")]).await;
        assert_eq!(res.status(), 422);
        assert!(text_of(&html(&res.text().await.unwrap()), "#reason-error").is_some());
        assert_eq!(count_of(&app, "email_outbox", people.acme).await, 0);
        let res = app.submit(&staff, "acme", "/office/requests/R-1", "/office/requests/R-1/decline",
            &[("reason", "We no longer serve <Elm Street>.")]).await;
        assert_eq!(res.status(), 303);
        let (_, doc) = page(&app, &staff, "/office/requests/R-1").await;
        assert_eq!(text_of(&doc, "[data-testid=request-status]").as_deref(), Some("Declined"));
        assert!(text_of(&doc, "[data-testid=answers]").is_none());
        assert!(text_of(&doc, "[data-testid=closed]").unwrap().contains("can never be converted"));
        let mail = app.store.outbox_page(people.acme, None, 5).await.unwrap();
        assert_eq!(mail.len(), 1);
        assert_eq!((mail[0].kind.as_str(), mail[0].to_address.as_str()), ("request_declined", "dana@example.test"));
        assert!(mail[0].subject.contains("R-1"));
        assert!(mail[0].body_text.contains("We no longer serve <Elm Street>."));
        // Every convert route refuses the declined request clearly, and nothing is created.
        let day = (time::OffsetDateTime::now_utc().date() + Duration::days(7)).to_string();
        for (page_path, action, form) in [
            ("/office/requests/R-2", "/office/requests/R-1/job", vec![("summary", "Fix"), ("date", day.as_str())]),
            ("/office/requests/R-2", "/office/requests/R-1/estimate", vec![("title", "Quote")]),
            ("/office/requests/R-2", "/office/requests/R-3/job", vec![("summary", "Fix")]),
            ("/office/requests/R-2", "/office/requests/R-3/estimate", vec![("title", "Quote")]),
            ("/office/requests/R-2", "/office/requests/R-1/rental", vec![("name", "Heater"), ("start_on", day.as_str())]),
            ("/office/requests/R-2", "/office/requests/R-3/rental", vec![("name", "Heater"), ("start_on", day.as_str())]),
            ("/office/requests/R-2", "/office/requests/R-3/decline", vec![("reason", "Again")]),
        ] {
            let res = app.submit(&staff, "acme", page_path, action, &form).await;
            assert_eq!(res.status(), 409, "{action}");
            let body = res.text().await.unwrap();
            assert!(text_of(&html(&body), "[data-testid=refusal]").unwrap().contains("never be converted"), "{action}");
        }
        for path in ["/office/requests/R-1/job", "/office/requests/R-3/estimate", "/office/requests/R-3/rental"] {
            assert_eq!(page(&app, &staff, path).await.0, 409, "{path}");
        }
        assert_eq!(count_of(&app, "assets", people.acme).await, assets_before);
        assert_eq!(count_of(&app, "jobs", people.acme).await, 0);
        assert_eq!(count_of(&app, "estimates", people.acme).await, 0);
        assert_eq!(app.store.outbox_page(people.acme, None, 5).await.unwrap().len(), 1);
        let r = app.store.request_detail(people.acme, "R-1").await.unwrap().unwrap();
        assert_eq!(r.status(), RequestStatus::Declined);
    }

    async fn the_event_stream_sends_the_new_count_and_its_changes(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_requests(&app, &people).await;
        let staff = office(&app).await;
        let mut res = staff.get(app.url("acme", "/office/requests/events")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let mut seen = String::new();
        let mut next_count = async |seen: &mut String| -> String {
            loop {
                if let Some(end) = seen.find("\n\n") {
                    let event: String = seen.drain(..end + 2).collect();
                    if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                        return data.to_owned();
                    }
                    continue;
                }
                let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), res.chunk()).await.unwrap().unwrap().unwrap();
                seen.push_str(&String::from_utf8_lossy(&chunk));
            }
        };
        assert_eq!(next_count(&mut seen).await, "2");
        // Opening a request from another browser tab changes the count at once.
        assert_eq!(page(&app, &staff, "/office/requests/R-2").await.0, 200);
        assert_eq!(next_count(&mut seen).await, "1");
        // Once the session is signed out, the next change ends the stream instead of counting.
        assert_eq!(app.submit(&staff, "acme", "/office", "/office/sign-out", &[]).await.status(), 303);
        let other = office(&app).await;
        assert_eq!(page(&app, &other, "/office/requests/R-1").await.0, 200);
        while let Ok(Some(chunk)) = tokio::time::timeout(std::time::Duration::from_secs(10), res.chunk()).await.unwrap() {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            assert!(!seen.contains("data: 0"), "a signed-out stream sent a count: {seen}");
        }
        // Without a staff session there is no stream.
        let anonymous = app.client(&["acme"]);
        let res = anonymous.get(app.url("acme", "/office/requests/events")).send().await.unwrap();
        assert!(!res.headers().get("content-type").map(|c| c.to_str().unwrap().starts_with("text/event-stream")).unwrap_or(false));
    }
}
