//! The permission matrix: every route of the router, for every kind of visitor.
//! Routes come from `doorstep_web::ROUTES`, the very table the router is built from,
//! so a new route is walked here the moment it exists.

use doorstep_core::status::{ContactRole, StaffRole};
use doorstep_store::contacts::NewContact;
use doorstep_testkit::{Backend, both_backends};
use doorstep_web::{Access, ROUTES};

use crate::attacks::scope::{invoice_reference_in, shows_amount};
use crate::billing_data::seed_billing;
use crate::helpers::{PASSWORD, TestApp, multipart_body, seed_people, sign_in};
use crate::jobs::seed_jobs;
use crate::snapshot::{changed, snapshot};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Persona {
    Anonymous,
    OtherCompanyStaff,
    Contact,
    SiteContact,
    LockedLogin,
    OfficeStaff,
    Admin,
}

/// The routes whose forms are multipart (`web::router`'s upload paths).
const UPLOADS: &[&str] = &[
    "/support/new",
    "/support/{number}/comments",
    "/office/support/{number}/reply",
    "/requests/new/{draft}/photos",
    "/office/jobs/{number}/files",
    "/office/customers/import",
    "/office/branding/logo",
];

const CSRF: &str = "00112233445566778899aabbccddeeff";

fn token_from(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("doorstep="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .expect("a session cookie")
}

/// What `persona` must get from a GET of a route with `access`: Some(status) or, for
/// redirects, the location.
fn expected_get(access: Access, persona: Persona) -> Result<u16, &'static str> {
    use Persona::*;
    let contact = matches!(persona, Contact | SiteContact);
    let staff = matches!(persona, OfficeStaff | Admin);
    match access {
        Access::Anyone | Access::Visitor => Ok(200),
        Access::Login | Access::Contact if contact => Ok(200),
        Access::Login | Access::Contact => Err("/sign-in"),
        Access::Staff | Access::StaffSetup if staff => Ok(200),
        Access::Staff | Access::StaffSetup => Err("/office"),
        Access::Admin if persona == Admin => Ok(200),
        Access::Admin if persona == OfficeStaff => Ok(404),
        Access::Admin => Err("/office"),
        // The JSON API takes a key, never a session: every persona is 401 there.
        Access::Api => Ok(401),
    }
}

both_backends! {
    async fn every_route_answers_every_kind_of_visitor_as_its_rule_says(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        let jobs = seed_jobs(&app, &people).await;
        let hash = doorstep_web::auth::password::hash_password(PASSWORD, doorstep_web::PasswordCost::TestOnly).unwrap();
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        // Every optional feature on, so every route answers as its rule says.
        let mut settings = app.store.company_by_slug("acme").await.unwrap().unwrap().settings;
        settings.allow_self_sign_up = true;
        let mut tx = app.store.begin().await.unwrap();
        tx.set_company_settings(people.acme, &settings).await.unwrap();
        let oscar_id = tx.create_staff(people.acme, "dispatch@acme.test", "Oscar", StaffRole::Office, Some(&hash)).await.unwrap().0;
        tx.add_company_domain(people.acme, "portal.acme.example").await.unwrap();
        tx.create_staff(bolt.id, "office@bolt.test", "Bo", StaffRole::Admin, Some(&hash)).await.unwrap();
        let lola = tx.insert_login(people.acme, "lola@example.test", Some(&hash)).await.unwrap();
        tx.insert_contact(people.acme, &NewContact {
            customer: people.harbor, login: Some(lola), first_name: "Lola".into(), last_name: "L".into(),
            email: Some("lola@example.test".into()), phone: String::new(), role: ContactRole::Company,
            is_primary: false, is_billing: false, portal_enabled: true,
        }).await.unwrap();
        tx.commit().await.unwrap();
        let domain_id = app.store.company_domains(people.acme).await.unwrap()[0].id;

        // Sessions for each persona, as raw tokens.
        // One browser each: signing in ends the session a browser already had.
        let staff_sign_in = |slug: &'static str, email: &'static str| {
            let app = &app;
            async move {
                let browser = app.client(&[slug]);
                token_from(&app.submit(&browser, slug, "/office", "/office/sign-in", &[("email", email), ("password", PASSWORD)]).await)
            }
        };
        let admin = staff_sign_in("acme", "office@acme.test").await;
        let dispatch = staff_sign_in("acme", "dispatch@acme.test").await;
        let bolt_staff = staff_sign_in("bolt", "office@bolt.test").await;
        let dana_browser = app.client(&["acme"]);
        let dana = token_from(&sign_in(&app, &dana_browser, "acme", "dana@example.test").await);
        // Harbor, like Sam: job and file routes point at a Bayview job both may see.
        app.submit(&dana_browser, "acme", "/accounts", "/accounts", &[("customer", &people.harbor.0.to_string())]).await;
        let sam = token_from(&sign_in(&app, &app.client(&["acme"]), "acme", "sam@example.test").await);
        let locked = token_from(&sign_in(&app, &app.client(&["acme"]), "acme", "lola@example.test").await);
        let mut tx = app.store.begin().await.unwrap();
        tx.set_login_locked(people.acme, lola, true, "").await.unwrap();
        tx.commit().await.unwrap();

        // Something for id routes to point at: an email in the outbox, a contact.
        app.submit(&app.client(&["acme"]), "acme", "/forgot-password", "/forgot-password", &[("email", "dana@example.test")]).await;
        let email_id = app.store.outbox_page(people.acme, None, 1).await.unwrap()[0].id;
        let contact_id = app.store.contacts_of_customer(people.acme, people.household).await.unwrap()[0].id;
        let site_id = app.store.sites_of_account(people.acme, people.household).await.unwrap()[0].id;
        let requests = crate::request_inbox::seed_requests(&app, &people).await;
        // A ticket of Harbor (Dana's active account) with a file, for the support routes.
        let harbor_contact = app.store.contacts_of_customer(people.acme, people.harbor).await.unwrap()[0].id;
        let mut tx = app.store.begin().await.unwrap();
        let (ticket, ticket_number) = tx.open_support_request(people.acme, people.harbor, doorstep_core::ids::ContactId(harbor_contact), "Help", "Details").await.unwrap();
        let key = app.files().put(b"%PDF-1.4 test").unwrap();
        let support_file = tx.insert_attachment(people.acme, &doorstep_store::files::NewAttachment {
            customer: Some(people.harbor), owner_kind: "support_request", owner_id: ticket.0, kind: "document",
            filename: "a.pdf".into(), content_type: "application/pdf".into(), size_bytes: 13, storage_key: key,
            thumb_key: None, width: None, height: None,
        }).await.unwrap().0;
        tx.commit().await.unwrap();
        let mut tx = app.store.begin().await.unwrap();
        let catalogue_id = tx.add_catalogue_item(people.acme, &doorstep_store::catalogue::CatalogueInput {
            kind: "service".into(), name: "Pump out".into(), description: String::new(), unit_price_minor: 0, show_in_portal: true,
        }).await.unwrap().0;
        let window_id = tx.create_window(people.acme, &doorstep_store::availability::NewWindow {
            date: doorstep_store::now().date() + time::Duration::days(3), slot: "am".into(), start_time: String::new(), end_time: String::new(), capacity: 2,
        }).await.unwrap();
        // A payment of Harbor, for the office's receipt route.
        tx.insert_payment(people.acme, &doorstep_store::billing::NewPayment {
            customer: people.harbor, number: "P-1".into(), amount_minor: 500,
            method: doorstep_core::status::PaymentMethodKind::Cash, status: "succeeded".into(),
            processor: None, processor_ref: None, reference: String::new(),
            received_at: doorstep_store::now(), allocations: Vec::new(),
        }).await.unwrap();
        // A webhook endpoint of Acme, for the webhook routes.
        let webhook_id = tx.add_webhook_endpoint(people.acme, "https://hooks.example.test/in", "v1:00", "invoice.paid").await.unwrap();
        // An API key, for the office's revoke routes.
        let api_key_id = tx.insert_api_key(people.acme, &doorstep_store::api::NewApiKey {
            name: "Sync", prefix: "dsk_live_00000000", key_hash: &"0".repeat(64), scopes: "read",
            created_by: doorstep_core::ids::StaffUserId(oscar_id),
        }).await.unwrap();
        // An asset of the household with a maintenance schedule, for the equipment routes.
        let asset_id = tx.insert_office_asset(people.acme, people.household, &doorstep_store::asset_book::AssetInput {
            site: None, kind: "equipment".into(), name: "Boiler".into(), make: String::new(), model: String::new(),
            serial_number: String::new(), installed_on: None, rental_start_on: None, rental_end_on: None, notes: String::new(),
        }).await.unwrap();
        let schedule_id = tx.insert_schedule(people.acme, asset_id, &doorstep_store::asset_book::ScheduleInput {
            title: "Service".into(), interval_days: 365, last_done_on: None,
            next_due_on: doorstep_store::now().date() + time::Duration::days(30),
        }).await.unwrap().0;
        let asset_id = asset_id.0;
        tx.commit().await.unwrap();

        let personas = [
            (Persona::Anonymous, None),
            (Persona::OtherCompanyStaff, Some(bolt_staff)),
            (Persona::Contact, Some(dana)),
            (Persona::SiteContact, Some(sam)),
            (Persona::LockedLogin, Some(locked)),
            (Persona::OfficeStaff, Some(dispatch)),
            (Persona::Admin, Some(admin)),
        ];
        let plain = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .resolve("acme.localhost", app.addr)
            .build().unwrap();
        let mut checked = 0;
        // Pages where the company contact saw money, to show the site contact's checks
        // look where money is.
        let mut money_pages = Vec::new();
        // POSTs of signed-in people refused with 404 (admin-only work tried by office
        // staff, billing and support tried by a site contact).
        let mut refused_posts = Vec::new();
        for rule in ROUTES {
            // Numbers of real objects of dana's active account (Harbor); B-1 and the photo
            // are at Sam's Bayview site, so he may see them too.
            let number = if rule.path.starts_with("/estimates") || rule.path.starts_with("/office/estimates/") {
                "E-7"
            } else if rule.path.starts_with("/invoices") || rule.path.starts_with("/office/invoices/") {
                "I-7"
            } else if rule.path.starts_with("/jobs/") || rule.path.starts_with("/office/jobs/") {
                "B-1"
            } else if rule.path.starts_with("/office/requests/") {
                "R-1"
            } else if rule.path.starts_with("/office/payments/") {
                "P-1"
            } else {
                "C-1"
            };
            // Billing is for company contacts: authz answers site contacts 404.
            let billing = ["/estimates", "/invoices", "/statement", "/payments", "/pay/", "/payment-methods"].iter().any(|p| rule.path.starts_with(p));
            // Support is for company contacts too; its routes point at Harbor's ticket.
            let billing = billing || rule.path.starts_with("/support");
            let number = if rule.path.contains("/support/{number}") { ticket_number.as_str() } else { number };
            let id = if rule.path.contains("outbox") {
                email_id
            } else if rule.path.starts_with("/files/") || rule.path.starts_with("/office/jobs/{number}/files/") {
                jobs.bay_photo
            } else if rule.path.starts_with("/office/requests/") {
                requests.photo
            } else if rule.path.starts_with("/office/catalogue/") {
                catalogue_id
            } else if rule.path.starts_with("/office/webhooks/") {
                webhook_id
            } else if rule.path.starts_with("/office/availability/") {
                window_id
            } else if rule.path.starts_with("/office/sites/") {
                site_id
            } else if rule.path.starts_with("/office/staff/") {
                oscar_id
            } else if rule.path.starts_with("/office/api-keys/") {
                api_key_id
            } else if rule.path.starts_with("/office/company/domains/") {
                domain_id
            } else if rule.path.starts_with("/office/assets/") {
                asset_id
            } else if rule.path.starts_with("/office/maintenance/") {
                schedule_id
            } else {
                contact_id
            };
            let path = rule.path
                .replace("{token}", &"0".repeat(64))
                .replace("{number}", number)
                .replace("{kind}", if rule.path.starts_with("/office/import/") || rule.path.starts_with("/office/export/") { "customers" } else { "invitation" })
                .replace("{reference}", &"0".repeat(32))
                .replace("{session}", &format!("cs_test_{}", "0".repeat(32)))
                .replace("{id}", &id.to_string())
                // A static file under its hashed name (issue 15).
                .replace("{file}", doorstep_web::static_url("app.css").trim_start_matches("/static/"))
                .replace("{external_ref}", "ERP-1");
            let path = if rule.path == "/office/support/files/{id}" { path.replace(&format!("/{id}"), &format!("/{support_file}")) } else { path };
            // Every POST sent below is a denial (allowed ones are skipped): the database
            // must read the same after them as before.
            let denials_only = rule.method != "GET" && rule.access != Access::Visitor;
            let before = if denials_only { Some(snapshot(&app).await) } else { None };
            for (persona, token) in &personas {
                let expected = match expected_get(rule.access, *persona) {
                    Ok(200) if billing && *persona == Persona::SiteContact => Ok(404),
                    other => other,
                };
                // Allowed POSTs change things (sign-out would end the persona's session);
                // the flow tests exercise them. Here: every denial (a sign-in redirect or
                // a 404), and visitors' forms.
                if rule.method == "POST" && expected == Ok(200) && rule.access != Access::Visitor {
                    checked += 1;
                    continue;
                }
                let cookie = match token {
                    Some(t) => format!("doorstep={t}; doorstep-csrf={CSRF}"),
                    None => format!("doorstep-csrf={CSRF}"),
                };
                // A signed-in browser's forms carry its session's token.
                let csrf = token.as_deref().map_or(CSRF.to_owned(), doorstep_web::csrf::session_csrf_token);
                let request = if rule.method == "GET" {
                    plain.get(app.url("acme", &path))
                } else if rule.access == Access::Api {
                    // The API's writes (POST, PATCH, PUT) with JSON, as an API client sends them.
                    let method = reqwest::Method::from_bytes(rule.method.as_bytes()).unwrap();
                    plain.request(method, app.url("acme", &path)).header("origin", app.origin("acme"))
                        .header("content-type", "application/json").body(r#"{"name": "X"}"#)
                } else if UPLOADS.contains(&rule.path) {
                    // Upload routes take multipart forms, as browsers send them.
                    let (content_type, body) = multipart_body(&[("csrf_token", csrf.as_str())], "files", &[]);
                    plain.post(app.url("acme", &path)).header("origin", app.origin("acme"))
                        .header("content-type", content_type).body(body)
                } else {
                    plain.post(app.url("acme", &path)).header("origin", app.origin("acme")).form(&[("csrf_token", csrf)])
                };
                let res = request.header("cookie", cookie).send().await.unwrap();
                let status = res.status().as_u16();
                let location = res.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_owned();
                let what = format!("{} {} as {persona:?}", rule.method, rule.path);
                let res_type = res.headers().get("content-type").and_then(|t| t.to_str().ok()).map(str::to_owned);
                let is_html = res.headers().get("content-type").and_then(|t| t.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
                // Only pages are read: the requests' event stream never ends.
                let body = if is_html { res.text().await.unwrap() } else { String::new() };
                // Site contacts never see money (product.md §1), on any page they can open.
                if is_html && *persona == Persona::SiteContact {
                    assert!(!shows_amount(&body), "{what}: shows an amount to a site contact");
                    assert_eq!(invoice_reference_in(&body), None, "{what}: shows an invoice reference to a site contact");
                }
                if is_html && *persona == Persona::Contact && shows_amount(&body) && invoice_reference_in(&body).is_some() {
                    money_pages.push(rule.path);
                }
                assert!(status < 500, "{what}: {status}");
                assert_ne!(status, 403, "{what}: a valid same-site form is never refused as forged");
                match (rule.method, expected) {
                    // The API: refused as problem+json for want of a key.
                    (_, Ok(401)) => {
                        assert_eq!(status, 401, "{what}");
                        assert_eq!(res_type.as_deref(), Some("application/problem+json"), "{what}");
                    }
                    // Denials hold for every method: sent to sign in, nothing done.
                    (_, Err(to)) => assert_eq!((status, location.as_str()), (303, to), "{what}"),
                    ("GET", Ok(code)) => {
                        // Signed-in visitors may be sent on from sign-in pages; links with a
                        // made-up token have expired; a company without a logo has none.
                        let fine = status == code
                            || (status == 303 && rule.access == Access::Visitor)
                            || (status == 410 && rule.path.contains("{token}"))
                            || (status == 404 && rule.path == "/brand/logo")
                            // ...so removing it has nothing to confirm: back to the brand page.
                            || (status == 303 && rule.path == "/office/branding/logo/remove")
                            // No request or draft exists here: a made-up one answers 404.
                            || (status == 404 && (rule.path.contains("{draft}") || rule.path == "/requests/{number}"))
                            // ...and so does a made-up request's photo.
                            || (status == 404 && rule.path.starts_with("/requests/{number}/photos/"))
                            // B-1 is completed: changing its visit is refused with the reason.
                            || (status == 409 && rule.path.starts_with("/jobs/{number}/"))
                            || (status == 404 && rule.path == "/requests/{number}/proposal")
                            // I-7 was sent: its details no longer change.
                            || (status == 409 && rule.path == "/office/invoices/{number}/edit")
                            // No import has run here: a made-up one answers 404.
                            || (status == 404 && rule.path.starts_with("/office/customers/import/{id}"))
                            // import-pages (issue 18): nor has any import of a kind.
                            || (status == 404 && rule.path.starts_with("/office/import/{kind}/{id}"))
                            // No checkout exists here: a made-up one answers 404.
                            || (status == 404 && rule.path.starts_with("/pay/"))
                            // P-1 was paid in cash: no processor can refund it.
                            || (status == 409 && rule.path == "/office/payments/{number}/refund")
                            // ...nor a card setup page; removing asks which card.
                            || (status == 404 && rule.path.starts_with("/payment-methods/test/"))
                            || (status == 422 && rule.path == "/payment-methods/remove")
                            // The central sign-in is the bare host's: a company's host sends to its own link form.
                            || (status == 303 && rule.path == "/find-your-portal" && location == "/sign-in/link");
                        assert!(fine, "{what}: {status} (expected {code})");
                    }
                    // A denied POST of someone signed in: 404, as its GET.
                    ("POST", Ok(404)) => {
                        assert_eq!(status, 404, "{what}");
                        refused_posts.push(what.clone());
                    }
                    // Visitors' forms posted empty: refused with a message, an expired link, or sent on.
                    // The processor's webhook without a signature: 400, nothing done.
                    _ if rule.path == "/webhooks/stripe" => assert_eq!(status, 400, "{what}"),
                    _ => assert!(matches!(status, 200 | 303 | 410 | 422), "{what}: {status} {location}"),
                }
                checked += 1;
            }
            if let Some(before) = before {
                let changes = changed(&before, &snapshot(&app).await);
                assert!(changes.is_empty(), "denied POST {} changed: {changes:#?}", rule.path);
            }
        }
        assert_eq!(checked, ROUTES.len() * personas.len());
        assert!(refused_posts.iter().any(|w| w.contains("/office/catalogue as OfficeStaff")), "{refused_posts:?}");
        assert!(refused_posts.iter().any(|w| w.contains("/support/new as SiteContact")), "{refused_posts:?}");
        assert!(refused_posts.iter().any(|w| w.contains("/approve as SiteContact")), "{refused_posts:?}");
        // The snapshot sees a change when there is one, so "changed nothing" means something.
        let before = snapshot(&app).await;
        let mut tx = app.store.begin().await.unwrap();
        tx.set_login_locked(people.acme, people.sam, true, "").await.unwrap();
        tx.commit().await.unwrap();
        assert!(!changed(&before, &snapshot(&app).await).is_empty());
        // The same pages show money and invoice numbers to a company contact.
        for page in ["/", "/jobs/{number}", "/service-history"] {
            assert!(money_pages.contains(&page), "{page} shows money to a company contact: {money_pages:?}");
        }
    }
}
