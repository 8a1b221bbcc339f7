//! Setting the company up over HTTP (issue 18): the brand page (a failing colour pair
//! refused next to its field with the ratio; logos judged by content and size; removal
//! asks first), the portal switches (each changes what the portal offers), the office
//! home's checklist, and viewing the portal as a contact (a banner; every portal write
//! refused with 403 and nothing written; the session stays the staff member's).

use std::io::Cursor;

use doorstep_core::ids::CompanyId;
use doorstep_core::settings::PORTAL_SWITCHES;
use doorstep_testkit::{Backend, both_backends};
use doorstep_web::{Access, ROUTES};

use crate::helpers::{TestApp, csrf_of, html, multipart_body, office, seed_people, text_of};

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        width,
        height,
        image::Rgb([11, 92, 173]),
    ));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn upload_logo(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let token = csrf_of(client, &app.url("acme", "/office/branding")).await;
    let (content_type, body) = multipart_body(&[("csrf_token", &token)], "logo", &[(name, bytes)]);
    client
        .post(app.url("acme", "/office/branding/logo"))
        .header("origin", app.origin("acme"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Counts of every table a portal write could touch.
async fn counts(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "audit_events",
        "email_outbox",
        "sessions",
        "service_requests",
        "support_requests",
        "estimates",
        "jobs",
        "request_drafts",
        "contacts",
        "portal_logins",
        "messages",
        "ratings",
        "payments",
    ] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        out.push(doorstep_store::on_pool!(app.store, p => sqlx::query_scalar::<_, i64>(&sql).fetch_one(p).await).unwrap());
    }
    out
}

async fn audit_actions(app: &TestApp, company: CompanyId) -> Vec<String> {
    doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE company_id = $1 ORDER BY id")
        .bind(company.0).fetch_all(p).await)
    .unwrap()
}

both_backends! {
    /// A failing pair is refused next to the text colour with its ratio, the typed values
    /// kept and nothing saved; a readable pair reaches the brand stylesheet; a form
    /// without its token is refused.
    async fn colours_are_checked_for_contrast(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let client = office(&app).await;
        let (status, _) = get(&app, &client, "/office/branding").await;
        assert_eq!(status, 200);
        let forged = client.post(app.url("acme", "/office/branding/colours")).header("origin", app.origin("acme"))
            .form(&[("brand_primary", "#5b2a86"), ("brand_text", "#ffd23f")]).send().await.unwrap();
        assert_eq!(forged.status(), 403);

        let res = app.submit(&client, "acme", "/office/branding", "/office/branding/colours",
            &[("brand_primary", "#f5a623"), ("brand_text", "#ffffff")]).await;
        assert_eq!(res.status(), 422);
        let doc = html(&res.text().await.unwrap());
        let error = text_of(&doc, "[data-testid=error-brand_text]").unwrap();
        assert!(error.contains("2.02:1") && error.contains("4.5:1"), "{error}");
        let kept = scraper::Selector::parse("#brand_primary").unwrap();
        assert_eq!(doc.select(&kept).next().unwrap().value().attr("value"), Some("#f5a623"));
        let css = client.get(app.url("acme", "/brand.css")).send().await.unwrap().text().await.unwrap();
        assert!(!css.contains("#f5a623;\n  --brand-text"), "{css}");

        let res = app.submit(&client, "acme", "/office/branding", "/office/branding/colours",
            &[("brand_primary", "#5B2A86"), ("brand_text", "#ffd23f")]).await;
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/office/branding?done=colours"));
        let css = client.get(app.url("acme", "/brand.css")).send().await.unwrap().text().await.unwrap();
        assert!(css.contains("--brand: #5b2a86;\n  --brand-text: #ffd23f;"), "{css}");
        assert!(audit_actions(&app, people.acme).await.contains(&"branding.colours_saved".to_owned()));
    }

    /// An SVG and an oversized file are refused next to the field; a PNG is re-encoded,
    /// scaled to fit and shown on the sign-in page; removing it asks first.
    async fn a_logo_is_checked_stored_and_removed_after_asking(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let client = office(&app).await;
        let before = counts(&app).await;
        let res = upload_logo(&app, &client, "logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>").await;
        assert_eq!(res.status(), 422);
        let error = text_of(&html(&res.text().await.unwrap()), "[data-testid=error-logo]").unwrap();
        assert!(error.contains("not a PNG, JPEG or WebP"), "{error}");
        let mut big = png(10, 10);
        big.resize(3 * 1024 * 1024, 0);
        let res = upload_logo(&app, &client, "big.png", &big).await;
        assert_eq!(res.status(), 422);
        let error = text_of(&html(&res.text().await.unwrap()), "[data-testid=error-logo]").unwrap();
        assert!(error.contains("larger than 2 MB"), "{error}");
        assert_eq!(counts(&app).await, before);
        assert_eq!(client.get(app.url("acme", "/brand/logo")).send().await.unwrap().status(), 404);

        let res = upload_logo(&app, &client, "logo.png", &png(800, 400)).await;
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/office/branding?done=logo"));
        let served = client.get(app.url("acme", "/brand/logo")).send().await.unwrap();
        assert_eq!(served.headers()["content-type"], "image/png");
        let decoded = image::load_from_memory(&served.bytes().await.unwrap()).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (512, 256));
        let visitor = app.client(&["acme"]);
        let (_, sign_in) = get(&app, &visitor, "/sign-in").await;
        assert!(sign_in.contains("<img class=\"brand-logo\" src=\"/brand/logo\""), "the sign-in page shows it");

        let (status, confirm) = get(&app, &client, "/office/branding/logo/remove").await;
        assert_eq!(status, 200);
        assert!(confirm.contains("Remove the logo?"));
        assert_eq!(client.get(app.url("acme", "/brand/logo")).send().await.unwrap().status(), 200, "asking removes nothing");
        let res = app.submit(&client, "acme", "/office/branding/logo/remove", "/office/branding/logo/remove", &[]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(client.get(app.url("acme", "/brand/logo")).send().await.unwrap().status(), 404);
        let actions = audit_actions(&app, people.acme).await;
        assert!(actions.contains(&"branding.logo_uploaded".to_owned()) && actions.contains(&"branding.logo_removed".to_owned()), "{actions:?}");
    }

    /// Each switch on the page changes the portal: turned off, its section leaves the
    /// menu (and self sign-up leaves the sign-in page); turned on, it is back.
    async fn each_portal_switch_changes_the_portal(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let admin = office(&app).await;
        let dana = crate::estimates::dana_on(&app, people.household).await;
        let visitor = app.client(&["acme"]);
        tip_ready_invoice(&app, &people).await;
        let all_on: Vec<(&str, &str)> = PORTAL_SWITCHES.iter().map(|s| (s.key, "on")).collect();
        let shows = |key: &str| -> (&reqwest::Client, &str, &str) {
            match key {
                "allow_self_sign_up" => (&visitor, "/sign-in", "href=\"/sign-up\""),
                "can_create_job" => (&dana, "/", "href=\"/requests\""),
                "show_estimates" => (&dana, "/", "href=\"/estimates\""),
                "show_invoices" => (&dana, "/", "href=\"/invoices\""),
                "show_payment_history" => (&dana, "/", "href=\"/payments\""),
                "show_service_history" => (&dana, "/", "href=\"/service-history\""),
                "show_sales_history" => (&dana, "/", "href=\"/sales-history\""),
                "allow_support_requests" => (&dana, "/", "href=\"/support\""),
                "allow_tips" => (&dana, "/invoices/I-1", "data-testid=\"tip-choice\""),
                other => panic!("switch {other} has no check: every switch the page offers must change the portal"),
            }
        };
        for sw in PORTAL_SWITCHES {
            let (client, page, marker) = shows(sw.key);
            let res = app.submit(&admin, "acme", "/office/settings/portal", "/office/settings/portal", &all_on).await;
            assert_eq!(res.status(), 303);
            let (_, body) = get(&app, client, page).await;
            assert!(body.contains(marker), "{} on: {marker} on {page}", sw.key);
            let others: Vec<(&str, &str)> = all_on.iter().copied().filter(|(k, _)| *k != sw.key).collect();
            app.submit(&admin, "acme", "/office/settings/portal", "/office/settings/portal", &others).await;
            let (_, body) = get(&app, client, page).await;
            assert!(!body.contains(marker), "{} off: {marker} still on {page}", sw.key);
        }
        let (_, page) = get(&app, &admin, "/office/settings/portal").await;
        assert!(page.contains("data-testid=\"switch-allow_self_sign_up\""));
        assert!(audit_actions(&app, people.acme).await.contains(&"settings.portal_switches".to_owned()));
    }

    /// The checklist shows on the administrator's home, ticks a step when its data
    /// exists, is not shown to the office role, and goes when dismissed.
    async fn the_checklist_ticks_and_can_be_dismissed(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let admin = office(&app).await;
        let done = |body: &str| text_of(&html(body), "[data-testid=checklist-count]").unwrap();
        let (_, home) = get(&app, &admin, "/office").await;
        assert!(home.contains("<h1>Today</h1>"));
        let before = done(&home);
        assert!(home.contains("href=\"/office/import\""));
        app.submit(&admin, "acme", "/office/tax-rates", "/office/tax-rates", &[("name", "State tax"), ("rate", "8.25"), ("active", "1")]).await;
        let (_, home) = get(&app, &admin, "/office").await;
        assert_ne!(done(&home), before, "a tax rate ticks its step");

        let mut tx = app.store.begin().await.unwrap();
        let hash = doorstep_web::auth::password::hash_password(crate::helpers::PASSWORD, doorstep_web::PasswordCost::TestOnly).unwrap();
        tx.create_staff(people.acme, "clerk@acme.test", "Clerk", doorstep_core::status::StaffRole::Office, Some(&hash)).await.unwrap();
        tx.commit().await.unwrap();
        let clerk = app.client(&["acme"]);
        app.submit(&clerk, "acme", "/office", "/office/sign-in", &[("email", "clerk@acme.test"), ("password", crate::helpers::PASSWORD)]).await;
        let (status, home) = get(&app, &clerk, "/office").await;
        assert_eq!(status, 200);
        assert!(!home.contains("setup-checklist"), "administrators only");
        assert_eq!(clerk.post(app.url("acme", "/office/onboarding/dismiss")).header("origin", app.origin("acme"))
            .form(&[("csrf_token", csrf_of(&clerk, &app.url("acme", "/office")).await)]).send().await.unwrap().status(), 404);
        for path in ["/office/branding", "/office/settings/portal"] {
            assert_eq!(get(&app, &clerk, path).await.0, 404, "{path}");
        }

        let res = app.submit(&admin, "acme", "/office", "/office/onboarding/dismiss", &[]).await;
        assert_eq!(res.status(), 303);
        let (_, home) = get(&app, &admin, "/office").await;
        assert!(!home.contains("setup-checklist"));
    }

    /// Viewing the portal as Dana: the banner, her account's pages, every portal write
    /// refused with 403 before anything is written, no contact session made, her last
    /// sign-in untouched; Stop returns to her customer page; both ends audited.
    async fn viewing_as_a_contact_is_read_only(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let admin = office(&app).await;
        let (contact, number): (i64, String) = doorstep_store::on_pool!(app.store, p => sqlx::query_as(
            "SELECT co.id, cu.number FROM contacts co JOIN customers cu ON cu.id = co.customer_id \
             WHERE co.company_id = $1 AND co.customer_id = $2")
            .bind(people.acme.0).bind(people.household.0).fetch_one(p).await).unwrap();
        let last_sign_in = || async {
            doorstep_store::on_pool!(app.store, p => sqlx::query_scalar::<_, Option<String>>(
                "SELECT CAST(last_sign_in_at AS TEXT) FROM portal_logins WHERE id = $1")
                .bind(people.dana.0).fetch_one(p).await).unwrap()
        };
        let signed_in = last_sign_in().await;
        let sessions_before = counts(&app).await[2];

        let (_, customer_page) = get(&app, &admin, &format!("/office/customers/{number}")).await;
        assert!(customer_page.contains(&format!("action=\"/office/contacts/{contact}/view-as\"")));
        let res = app.submit(&admin, "acme", &format!("/office/customers/{number}"), &format!("/office/contacts/{contact}/view-as"), &[]).await;
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/"));
        let (status, home) = get(&app, &admin, "/").await;
        assert_eq!(status, 200);
        let banner = text_of(&html(&home), "[data-testid=view-as-banner]").unwrap();
        assert!(banner.starts_with("Viewing as Dana X — read only"), "{banner}");
        assert!(!home.contains("action=\"/sign-out\""));
        assert_eq!(get(&app, &admin, "/invoices").await.0, 200);

        let token = csrf_of(&admin, &app.url("acme", "/")).await;
        let before = counts(&app).await;
        let mut refused = 0;
        for rule in ROUTES.iter().filter(|r| r.method == "POST" && matches!(r.access, Access::Contact | Access::Login)) {
            let path = rule.path.replace("{number}", "X-1").replace("{id}", "1").replace("{draft}", "d").replace("{photo}", "1");
            let (content_type, body) = multipart_body(&[("csrf_token", token.as_str()), ("body", "hello"), ("customer", "1")], "files", &[]);
            let res = admin.post(app.url("acme", &path)).header("origin", app.origin("acme"))
                .header("content-type", content_type).body(body).send().await.unwrap();
            assert_eq!(res.status(), 403, "{path}");
            let page = res.text().await.unwrap();
            assert!(page.contains("read only"), "{path}: {page}");
            refused += 1;
        }
        assert!(refused > 15, "{refused}");
        assert_eq!(counts(&app).await, before, "nothing written");
        assert_eq!(counts(&app).await[2], sessions_before, "no contact session");
        assert_eq!(last_sign_in().await, signed_in);

        let res = app.submit(&admin, "acme", "/", "/office/view-as/stop", &[]).await;
        assert_eq!((res.status().as_u16(), location(&res)), (303, format!("/office/customers/{number}")));
        let res = admin.get(app.url("acme", "/invoices")).send().await.unwrap();
        assert_eq!(res.status(), 303, "the portal is the contact's again");
        assert_eq!(get(&app, &admin, "/office").await.0, 200, "still signed in to the office");
        let actions = audit_actions(&app, people.acme).await;
        let started = actions.iter().position(|a| a == "portal.view_as_started").unwrap();
        let stopped = actions.iter().position(|a| a == "portal.view_as_stopped").unwrap();
        assert!(started < stopped);
    }
}

/// Billing data with acme in test mode and invoice I-1 made for a completed job of
/// Dana's household: the invoice whose payment box offers a tip when tips are on.
async fn tip_ready_invoice(app: &TestApp, people: &crate::helpers::People) {
    use doorstep_core::status::{JobKind, JobStatus};
    use doorstep_store::jobs::NewJob;
    use doorstep_store::online_payments::PaymentSettingsRow;
    crate::billing_data::seed_billing(app, people).await;
    let mut tx = app.store.begin().await.unwrap();
    tx.set_payment_settings(
        people.acme,
        &PaymentSettingsRow {
            processor: "test".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let now = doorstep_store::now();
    let job = tx
        .insert_job(
            people.acme,
            &NewJob {
                customer: people.household,
                site: None,
                asset: None,
                job_type: None,
                number: "J-1".into(),
                kind: JobKind::Service,
                status: JobStatus::Completed,
                summary: "Water heater".into(),
                description: String::new(),
                schedule_type: None,
                scheduled_start: None,
                scheduled_end: None,
                arrival_window_start: None,
                arrival_window_end: None,
                completed_at: Some(now),
                work_order_notes: String::new(),
                customer_notes: String::new(),
                external_ref: None,
                invoice_notes: String::new(),
                po_number: String::new(),
                custom_fields: "{}".into(),
                total_minor: 11_000,
                created_at: now,
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    doorstep_store::on_pool!(app.store, p => sqlx::query("UPDATE invoices SET job_id = $1 WHERE company_id = $2 AND number = 'I-1'")
        .bind(job.0).bind(people.acme.0).execute(p).await.map(|_| ()))
    .unwrap();
}
