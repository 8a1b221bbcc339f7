//! The portal's jobs: who sees which job, the list's filters, the detail, the histories
//! and the files, over HTTP on both engines.

use doorstep_core::ids::{CompanyId, CustomerId, JobId, SiteId};
use doorstep_core::settings::PortalSettings;
use doorstep_core::status::{InvoiceStatus, JobKind, JobStatus};
use doorstep_store::billing::NewInvoice;
use doorstep_store::files::NewAttachment;
use doorstep_store::jobs::{LineOwner, NewJob, NewLine};
use doorstep_testkit::{Backend, both_backends};
use time::macros::{date, datetime};

use crate::helpers::{People, TestApp, html, seed_people, sign_in, text_of};

/// What [`seed_jobs`] made that tests point at.
pub struct Seeded {
    /// A photo of Bayview's job B-1 (sam's site).
    pub bay_photo: i64,
    /// A document of B-1.
    pub bay_doc: i64,
    /// A photo of Pier's job P-1 (not sam's site).
    pub pier_photo: i64,
}

fn job(customer: CustomerId, site: SiteId, number: &str, day: u8, status: JobStatus) -> NewJob {
    let at = datetime!(2025-03-01 09:00 UTC) + time::Duration::days(i64::from(day));
    NewJob {
        customer,
        site: Some(site),
        asset: None,
        job_type: None,
        number: number.into(),
        kind: JobKind::Service,
        status,
        summary: format!("Visit {number}"),
        description: String::new(),
        schedule_type: Some(doorstep_core::status::ScheduleType::Am),
        scheduled_start: Some(at),
        scheduled_end: None,
        arrival_window_start: Some(at),
        arrival_window_end: Some(at + time::Duration::hours(2)),
        completed_at: None,
        work_order_notes: String::new(),
        customer_notes: String::new(),
        external_ref: None,
        invoice_notes: String::new(),
        po_number: String::new(),
        custom_fields: "{}".into(),
        total_minor: 0,
        created_at: at,
    }
}

async fn invoice(
    tx: &mut doorstep_store::Tx,
    acme: CompanyId,
    customer: CustomerId,
    job: JobId,
    number: &str,
) {
    tx.insert_invoice(
        acme,
        &NewInvoice {
            customer,
            site: None,
            job: Some(job),
            number: number.into(),
            status: InvoiceStatus::Unpaid,
            issued_on: date!(2025 - 03 - 10),
            due_on: date!(2025 - 04 - 10),
            total_minor: 3248,
            paid_minor: 0,
            notes: String::new(),
            paid_at: None,
            voided_at: None,
        },
    )
    .await
    .unwrap();
}

/// Jobs for the people of [`seed_people`]: the household's H-1 (completed, invoiced) and
/// H-2; Harbor's Bayview B-1 (completed service with lines, photo, document, invoice) and
/// B-2 (a sale); Harbor's Pier P-1 with a photo; and a B-1 at Bolt.
pub async fn seed_jobs(app: &TestApp, people: &People) -> Seeded {
    let acme = people.acme;
    let sites = |c| app.store.sites_of_customer(acme, c, None);
    let home = SiteId(sites(people.household).await.unwrap()[0].id);
    let harbor_sites = sites(people.harbor).await.unwrap();
    let site_named = |n: &str| {
        SiteId(
            harbor_sites
                .iter()
                .find(|s| s.name.starts_with(n))
                .unwrap()
                .id,
        )
    };
    let (bayview, pier) = (site_named("Bayview"), site_named("Pier"));
    let files = app.files();
    let mut tx = app.store.begin().await.unwrap();
    let mut h1 = job(people.household, home, "H-1", 1, JobStatus::Completed);
    h1.description = "Kitchen faucet dripping".into();
    let h1 = tx.insert_job(acme, &h1).await.unwrap();
    invoice(&mut tx, acme, people.household, h1, "INV-1").await;
    tx.insert_job(
        acme,
        &job(people.household, home, "H-2", 20, JobStatus::Scheduled),
    )
    .await
    .unwrap();

    let mut b1 = job(people.harbor, bayview, "B-1", 2, JobStatus::Completed);
    b1.description = "Boiler leaking at the valve".into();
    b1.work_order_notes = "Gate code 1234".into();
    b1.invoice_notes = "Thank you for your business".into();
    b1.customer_notes = "Ring at the side door".into();
    b1.total_minor = 3248;
    let b1 = tx.insert_job(acme, &b1).await.unwrap();
    tx.insert_lines(
        acme,
        LineOwner::Job(b1),
        &[NewLine {
            catalogue_item: None,
            kind: "service".into(),
            description: "Valve replacement".into(),
            quantity_milli: 1500,
            unit_price_minor: 2000,
            tax_name: Some("Sales tax".into()),
            tax_rate_bp: 825,
            is_optional: false,
            is_selected: true,
        }],
    )
    .await
    .unwrap();
    invoice(&mut tx, acme, people.harbor, b1, "INV-2").await;
    let mut b2 = job(people.harbor, bayview, "B-2", 3, JobStatus::Completed);
    b2.kind = JobKind::Sale;
    b2.summary = "Water filter cartridges".into();
    tx.insert_job(acme, &b2).await.unwrap();
    let p1 = tx
        .insert_job(
            acme,
            &job(people.harbor, pier, "P-1", 4, JobStatus::Scheduled),
        )
        .await
        .unwrap();

    let mut attach = async |customer: CustomerId,
                            job: JobId,
                            kind: &'static str,
                            name: &str,
                            bytes: &[u8],
                            thumb: Option<&[u8]>| {
        let key = files.put(bytes).unwrap();
        let thumb_key = thumb.map(|t| files.put(t).unwrap());
        tx.insert_attachment(
            acme,
            &NewAttachment {
                customer: Some(customer),
                owner_kind: "job",
                owner_id: job.0,
                kind,
                filename: name.into(),
                content_type: if kind == "photo" {
                    "image/png".into()
                } else {
                    "text/plain".into()
                },
                size_bytes: bytes.len() as i64,
                storage_key: key,
                thumb_key,
                width: None,
                height: None,
            },
        )
        .await
        .unwrap()
        .0
    };
    let bay_photo = attach(
        people.harbor,
        b1,
        "photo",
        "before 1.png",
        b"full-photo",
        Some(b"thumb-photo"),
    )
    .await;
    let bay_doc = attach(
        people.harbor,
        b1,
        "document",
        "report \"final\".txt",
        b"the report",
        None,
    )
    .await;
    let pier_photo = attach(
        people.harbor,
        p1,
        "photo",
        "pier.png",
        b"pier-photo",
        Some(b"pier-thumb"),
    )
    .await;

    let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
    let bolt_customer = CustomerId(
        app.store
            .customer_by_number(bolt.id, "B-1")
            .await
            .unwrap()
            .unwrap()
            .id,
    );
    let bolt_site = tx
        .insert_site(
            bolt.id,
            &doorstep_store::customers::NewSite {
                customer: Some(bolt_customer),
                name: "Shop".into(),
                line1: "1 Volt Way".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    tx.insert_job(
        bolt.id,
        &job(bolt_customer, bolt_site, "B-1", 5, JobStatus::Scheduled),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Seeded {
        bay_photo,
        bay_doc,
        pier_photo,
    }
}

/// A browser signed in as `email` at acme acting for `account` (when it has several).
async fn browser(app: &TestApp, email: &str, account: Option<CustomerId>) -> reqwest::Client {
    let client = app.client(&["acme", "bolt"]);
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

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn job_numbers(body: &str) -> Vec<String> {
    let doc = html(body);
    let sel = scraper::Selector::parse("[data-testid=jobs] tbody tr td:first-child a").unwrap();
    doc.select(&sel)
        .map(|a| a.text().collect::<String>())
        .collect()
}

fn nav_labels(body: &str) -> Vec<String> {
    let doc = html(body);
    let sel = scraper::Selector::parse("nav.portal-nav a").unwrap();
    doc.select(&sel)
        .map(|a| a.text().collect::<String>())
        .collect()
}

async fn set_settings(app: &TestApp, company: CompanyId, settings: &PortalSettings) {
    let mut tx = app.store.begin().await.unwrap();
    tx.set_company_settings(company, settings).await.unwrap();
    tx.commit().await.unwrap();
}

both_backends! {
    async fn dana_sees_each_accounts_own_jobs_and_never_the_others(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_jobs(&app, &people).await;
        let dana = browser(&app, "dana@example.test", Some(people.household)).await;
        let (status, body) = get(&app, &dana, "/jobs").await;
        assert_eq!(status, 200);
        assert_eq!(job_numbers(&body), ["H-2", "H-1"]);
        assert_eq!(nav_labels(&body), ["Home", "Jobs", "Estimates", "Invoices", "Statement", "Payments", "Service history", "Sales history", "Requests", "Support"]);
        let current = text_of(&html(&body), "nav.portal-nav a[aria-current=page]");
        assert_eq!(current.as_deref(), Some("Jobs"));
        assert_eq!(get(&app, &dana, "/jobs/B-1").await.0, 404, "Harbor's job while acting for the household");

        app.submit(&dana, "acme", "/accounts", "/accounts", &[("customer", &people.harbor.0.to_string())]).await;
        let (_, body) = get(&app, &dana, "/jobs").await;
        assert_eq!(job_numbers(&body), ["P-1", "B-2", "B-1"]);
        assert_eq!(get(&app, &dana, "/jobs/H-1").await.0, 404);
        assert_eq!(get(&app, &dana, "/jobs/NOPE").await.0, 404);
        let (status, body) = get(&app, &dana, "/jobs/B-1").await;
        assert_eq!(status, 200);
        assert!(!body.contains("Dana at Bolt"));
    }

    async fn sam_sees_only_his_sites_jobs_and_files(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let seeded = seed_jobs(&app, &people).await;
        let sam = browser(&app, "sam@example.test", None).await;
        let (_, body) = get(&app, &sam, "/jobs").await;
        assert_eq!(job_numbers(&body), ["B-2", "B-1"]);
        assert_eq!(get(&app, &sam, "/jobs/P-1").await.0, 404, "another site of his account");
        assert_eq!(get(&app, &sam, "/jobs/H-1").await.0, 404, "another account");
        assert_eq!(get(&app, &sam, &format!("/files/{}", seeded.pier_photo)).await.0, 404);
        assert_eq!(get(&app, &sam, &format!("/files/{}/thumb", seeded.pier_photo)).await.0, 404);
        assert_eq!(get(&app, &sam, &format!("/files/{}", seeded.bay_photo)).await.0, 200);
        assert_eq!(get(&app, &sam, "/files/not-a-number").await.0, 404);
        // His history shows the visit but neither its total nor its invoice (issue 14, 9).
        let (status, body) = get(&app, &sam, "/service-history").await;
        assert_eq!(status, 200);
        assert!(body.contains("Visit B-1"));
        assert!(!body.contains("INV-2") && !body.contains("$32.48"));
        let dana = browser(&app, "dana@example.test", Some(people.household)).await;
        assert_eq!(get(&app, &dana, &format!("/files/{}", seeded.bay_photo)).await.0, 404, "another account's file");
    }

    async fn the_job_page_shows_lines_totals_notes_photos_and_documents(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let seeded = seed_jobs(&app, &people).await;
        let dana = browser(&app, "dana@example.test", Some(people.harbor)).await;
        let (status, body) = get(&app, &dana, "/jobs/B-1").await;
        assert_eq!(status, 200);
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=job-status]").as_deref(), Some("Completed"));
        assert_eq!(text_of(&doc, "[data-testid=job-cost]").as_deref(), Some("$32.48"));
        let totals = text_of(&doc, "[data-testid=totals]").unwrap();
        for part in ["$30.00", "Sales tax (8.25%)", "$2.48", "$32.48"] {
            assert!(totals.contains(part), "{part} in {totals}");
        }
        assert!(text_of(&doc, "[data-testid=lines]").unwrap().contains("1.5"));
        assert!(body.contains("Ring at the side door") && body.contains("Thank you for your business"));
        assert!(!body.contains("Gate code 1234"), "work-order notes are internal");
        assert!(body.contains(&format!("href=\"/files/{}\"", seeded.bay_photo)));
        assert!(body.contains(&format!("src=\"/files/{}/thumb\"", seeded.bay_photo)));
        assert!(body.contains(&format!("href=\"/files/{}\" download", seeded.bay_doc)));
        assert!(body.contains("Morning (AM)"));
        // Sam, a site contact of Bayview, sees the same job and its lines without money.
        let sam = browser(&app, "sam@example.test", None).await;
        let (status, body) = get(&app, &sam, "/jobs/B-1").await;
        assert_eq!(status, 200);
        let doc = html(&body);
        assert!(text_of(&doc, "[data-testid=lines]").unwrap().contains("Valve replacement"));
        assert_eq!(text_of(&doc, "[data-testid=totals]"), None);
        assert_eq!(text_of(&doc, "[data-testid=job-cost]"), None);
        assert!(!crate::attacks::scope::shows_amount(&body) && !body.contains("Thank you for your business"));
        assert!(body.contains("Ring at the side door"), "the customer's notes are his to read");
        assert!(!body.contains("Gate code 1234"), "work-order notes are internal");
    }

    async fn files_are_sent_with_safe_headers_and_private_caching(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let seeded = seed_jobs(&app, &people).await;
        let dana = browser(&app, "dana@example.test", Some(people.harbor)).await;
        let header = |res: &reqwest::Response, name: &str| res.headers().get(name).unwrap().to_str().unwrap().to_owned();

        let photo = dana.get(app.url("acme", &format!("/files/{}", seeded.bay_photo))).send().await.unwrap();
        assert_eq!(photo.status(), 200);
        assert_eq!(header(&photo, "content-type"), "image/png");
        assert!(header(&photo, "content-disposition").starts_with("inline; filename=\"before_1.png\""));
        assert_eq!(header(&photo, "x-content-type-options"), "nosniff");
        assert!(header(&photo, "cache-control").starts_with("private, max-age="));
        assert_eq!(photo.bytes().await.unwrap().as_ref(), b"full-photo");

        let thumb = dana.get(app.url("acme", &format!("/files/{}/thumb", seeded.bay_photo))).send().await.unwrap();
        assert_eq!(thumb.bytes().await.unwrap().as_ref(), b"thumb-photo");

        let doc = dana.get(app.url("acme", &format!("/files/{}", seeded.bay_doc))).send().await.unwrap();
        assert_eq!(header(&doc, "content-type"), "application/octet-stream");
        let disposition = header(&doc, "content-disposition");
        assert!(disposition.starts_with("attachment; filename=\"report__final_.txt\""), "{disposition}");
        assert_eq!(get(&app, &dana, &format!("/files/{}/thumb", seeded.bay_doc)).await.0, 404, "documents have no thumbnail");

        // Signed out: sent to sign in, nothing served.
        let anonymous = app.client(&["acme"]);
        let res = anonymous.get(app.url("acme", &format!("/files/{}", seeded.bay_photo))).send().await.unwrap();
        assert_eq!(res.status(), 303);
    }

    async fn filters_search_dates_and_paging_work_together_in_the_url(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_jobs(&app, &people).await;
        let dana = browser(&app, "dana@example.test", Some(people.harbor)).await;
        let numbers = async |q: &str| job_numbers(&get(&app, &dana, &format!("/jobs?{q}")).await.1);
        assert_eq!(numbers("status=completed").await, ["B-2", "B-1"]);
        assert_eq!(numbers("status=completed&status=scheduled&sort=oldest").await, ["B-1", "B-2", "P-1"]);
        assert_eq!(numbers("q=leaking").await, ["B-1"]);
        assert_eq!(numbers("q=pier").await, ["P-1"], "by location");
        assert_eq!(numbers("q=B-2").await, ["B-2"], "by number");
        assert_eq!(numbers("from=2025-03-04&to=2025-03-05").await, ["P-1", "B-2"]);
        let (_, body) = get(&app, &dana, "/jobs?q=zzzz").await;
        assert!(text_of(&html(&body), "[data-testid=empty]").unwrap().contains("No job matches"));
        // The form keeps what was asked for.
        let (_, body) = get(&app, &dana, "/jobs?status=completed&q=leak&from=2025-03-01").await;
        let doc = html(&body);
        let checked = scraper::Selector::parse("input[name=status][checked]").unwrap();
        assert_eq!(doc.select(&checked).count(), 1);
        assert!(body.contains("value=\"leak\"") && body.contains("value=\"2025-03-01\""));
    }

    async fn malformed_filters_get_the_page_with_a_message_never_an_error(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_jobs(&app, &people).await;
        let dana = browser(&app, "dana@example.test", Some(people.harbor)).await;
        for (query, says) in [
            ("status=done", "not a job status"),
            ("from=2025-02-30", "not a date"),
            ("to=yesterday", "not a date"),
            ("after=zzz", "page link is not valid"),
            ("before=1_-4", "page link is not valid"),
            ("sort=sideways", "not a sort order"),
            ("from=2025-05-01&to=2025-01-01", "after the “to” date"),
        ] {
            for path in ["/jobs", "/service-history"] {
                let (status, body) = get(&app, &dana, &format!("{path}?{query}")).await;
                assert_eq!(status, 400, "{path}?{query}");
                let message = text_of(&html(&body), "[data-testid=filter-problems]").unwrap_or_default();
                assert!(message.contains(says), "{path}?{query}: {message}");
            }
        }
        // What was valid still applies.
        let (_, body) = get(&app, &dana, "/jobs?status=done&status=scheduled").await;
        assert_eq!(job_numbers(&body), ["P-1"]);
    }

    async fn keyset_pages_follow_next_and_previous_links(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let sites = app.store.sites_of_customer(people.acme, people.household, None).await.unwrap();
        let mut tx = app.store.begin().await.unwrap();
        for i in 0..60_u8 {
            // Two jobs a day, so dates tie across page boundaries.
            tx.insert_job(people.acme, &job(people.household, SiteId(sites[0].id), &format!("N-{i:02}"), i / 2, JobStatus::Scheduled)).await.unwrap();
        }
        tx.commit().await.unwrap();
        let dana = browser(&app, "dana@example.test", Some(people.household)).await;
        let link = |body: &str, rel: &str| {
            let doc = html(body);
            let sel = scraper::Selector::parse(&format!("a[rel={rel}]")).unwrap();
            doc.select(&sel).next().and_then(|a| a.value().attr("href")).map(str::to_owned)
        };
        let mut seen = Vec::new();
        let mut path = "/jobs?sort=oldest&status=scheduled".to_owned();
        let mut bodies = Vec::new();
        loop {
            let (status, body) = get(&app, &dana, &path).await;
            assert_eq!(status, 200);
            seen.extend(job_numbers(&body));
            bodies.push(body.clone());
            match link(&body, "next") {
                Some(next) => {
                    assert!(next.contains("sort=oldest") && next.contains("status=scheduled"), "{next}");
                    path = next;
                }
                None => break,
            }
        }
        let expected: Vec<String> = (0..60).map(|i| format!("N-{i:02}")).collect();
        assert_eq!(seen, expected);
        assert_eq!(bodies.len(), 3);
        assert!(link(&bodies[0], "prev").is_none());
        let prev = link(&bodies[2], "prev").unwrap();
        assert_eq!(job_numbers(&get(&app, &dana, &prev).await.1), job_numbers(&bodies[1]));
    }

    async fn hidden_columns_and_schedule_switches_are_honoured(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_jobs(&app, &people).await;
        let dana = browser(&app, "dana@example.test", Some(people.harbor)).await;
        let headers = async || {
            let (_, body) = get(&app, &dana, "/jobs").await;
            let doc = html(&body);
            let sel = scraper::Selector::parse("[data-testid=jobs] thead th").unwrap();
            doc.select(&sel).map(|t| t.text().collect::<String>()).collect::<Vec<_>>()
        };
        assert_eq!(headers().await, ["Number", "Location", "Summary", "Date", "Scheduled", "Schedule type", "Job type", "Status"]);
        set_settings(&app, people.acme, &PortalSettings {
            hidden_job_columns: vec!["location".into(), "Summary".into()],
            show_schedule_date: false,
            show_schedule_type: false,
            job_type_label: "Service kind".into(),
            ..PortalSettings::default()
        }).await;
        assert_eq!(headers().await, ["Number", "Date", "Service kind", "Status"]);
        let (_, body) = get(&app, &dana, "/jobs/B-1").await;
        assert!(!body.contains("Morning (AM)"), "schedule type hidden on the job page too");
    }

    async fn switched_off_histories_answer_404_and_leave_the_menu(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_jobs(&app, &people).await;
        let dana = browser(&app, "dana@example.test", Some(people.harbor)).await;
        let (status, body) = get(&app, &dana, "/sales-history").await;
        assert_eq!(status, 200);
        assert!(body.contains("B-2") && !body.contains("Visit B-1"));
        let (_, body) = get(&app, &dana, "/service-history").await;
        assert!(body.contains("Visit B-1") && body.contains("href=\"/invoices/INV-2\""));
        assert!(!body.contains("P-1"), "not completed");
        set_settings(&app, people.acme, &PortalSettings {
            show_service_history: false,
            show_sales_history: false,
            ..PortalSettings::default()
        }).await;
        assert_eq!(get(&app, &dana, "/service-history").await.0, 404);
        assert_eq!(get(&app, &dana, "/sales-history").await.0, 404);
        let (_, body) = get(&app, &dana, "/jobs").await;
        assert_eq!(nav_labels(&body), ["Home", "Jobs", "Estimates", "Invoices", "Statement", "Payments", "Requests", "Support"]);
    }
}
