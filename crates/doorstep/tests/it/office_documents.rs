//! The office's estimate and invoice pages over HTTP: the line editor shows each field's
//! error next to it and keeps what was typed, a sent invoice's lines are refused, another
//! company's numbers are 404, and an invoice with a tax and a discount shows the same
//! totals on the office page, the portal page and in the PDF.

use std::io::Write;
use std::process::Command;

use doorstep_testkit::{Backend, both_backends};

use crate::estimates::dana_on;
use crate::helpers::{PASSWORD, TestApp, html, office, seed_people, text_of};

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn location(res: &reqwest::Response) -> String {
    assert_eq!(
        res.status().as_u16(),
        303,
        "a successful form sends the browser on"
    );
    res.headers()["location"].to_str().unwrap().to_owned()
}

fn pdf_text(bytes: &[u8]) -> String {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", file.path().to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The line editor's fields for one row.
fn row<'a>(i: usize, d: &'a str, q: &'a str, p: &'a str, tax: &'a str) -> Vec<(String, &'a str)> {
    vec![
        (format!("d{i}"), d),
        (format!("q{i}"), q),
        (format!("p{i}"), p),
        (
            format!("tn{i}"),
            if tax.is_empty() { "" } else { "Sales tax" },
        ),
        (format!("tr{i}"), tax),
    ]
}

async fn post_lines(
    app: &TestApp,
    client: &reqwest::Client,
    page: &str,
    rows: Vec<Vec<(String, &str)>>,
    discount: &str,
) -> reqwest::Response {
    let count = rows.len().to_string();
    let mut fields: Vec<(String, &str)> = rows.into_iter().flatten().collect();
    fields.push(("rows".into(), &count));
    fields.push(("discount".into(), discount));
    fields.push(("action".into(), "save"));
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    app.submit(client, "acme", page, page, &borrowed).await
}

both_backends! {
    async fn an_invoice_priced_in_the_office_reads_the_same_everywhere(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let admin = office(&app).await;

        let (status, body) = get(&app, &admin, "/office/invoices").await;
        assert_eq!(status, 200);
        assert!(body.contains("data-testid=\"invoices-empty\""), "an empty list says so");
        let (status, body) = get(&app, &admin, "/office/estimates").await;
        assert_eq!(status, 200);
        assert!(body.contains("New estimate"));

        // A due date before the issue date: the message next to the field, values kept.
        let res = app.submit(&admin, "acme", "/office/invoices/new", "/office/invoices/new",
            &[("customer", "C-1"), ("issued_on", "2026-03-10"), ("due_on", "2026-03-01")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        assert_eq!(text_of(&doc, "#due_on-error").as_deref(), Some("The due date cannot be before the issue date."));
        assert!(doc.html().contains("value=\"2026-03-01\""));

        let res = app.submit(&admin, "acme", "/office/invoices/new", "/office/invoices/new",
            &[("customer", "C-1"), ("issued_on", "2026-03-10"), ("due_on", "2099-04-09")]).await;
        let lines_page = location(&res);
        let number = lines_page.trim_start_matches("/office/invoices/").trim_end_matches("/lines").to_owned();
        let (status, body) = get(&app, &admin, &lines_page).await;
        assert_eq!(status, 200);
        assert!(body.contains("Add line"));

        // Bad rows: each error next to its field, what was typed kept, nothing saved.
        let res = post_lines(&app, &admin, &lines_page, vec![row(0, "Pump", "-2", "10", ""), row(1, "Filter", "1", "10", "120")], "").await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        assert_eq!(text_of(&doc, "#q0-error").as_deref(), Some("The quantity cannot be negative."));
        assert_eq!(text_of(&doc, "#tr1-error").as_deref(), Some("A tax rate cannot be over 100%."));
        assert!(doc.html().contains("value=\"-2\"") && doc.html().contains("value=\"120\""));
        let (_, body) = get(&app, &admin, &format!("/office/invoices/{number}")).await;
        assert!(body.contains("data-testid=\"no-lines\""));

        // "Add line" without JavaScript: one more row, the typed ones kept.
        let res = app.submit(&admin, "acme", &lines_page, &lines_page,
            &[("rows", "1"), ("d0", "Kept"), ("q0", "1"), ("p0", "5"), ("action", "add")]).await;
        assert_eq!(res.status().as_u16(), 200);
        let body = res.text().await.unwrap();
        assert!(body.contains("value=\"Kept\"") && body.contains("id=\"d1\""));

        // Good lines: 2 × 150.00 taxed 8.25%, 1.5 × 80 untaxed, 30.00 off.
        let res = post_lines(&app, &admin, &lines_page, vec![row(0, "Water heater service", "2", "150", "8.25"), row(1, "Labour", "1.5", "80", "")], "30").await;
        assert!(location(&res).ends_with("?done=lines"));
        // 420 - 30; taxed base 300 - round(3000*30000/42000 = 2142.86) = 27857 -> 8.25% = 22.98.
        let total = "$412.98";
        let (_, body) = get(&app, &admin, &format!("/office/invoices/{number}")).await;
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=doc-total]").as_deref(), Some(total));
        assert_eq!(text_of(&doc, "[data-testid=doc-discount]").as_deref(), Some("-$30.00"));

        // Sent to Dana: then its lines are refused with the reason, nothing changed.
        let contact = app.store.contacts_of_customer(people.acme, people.household).await.unwrap()[0].id.to_string();
        let page = format!("/office/invoices/{number}");
        let res = app.submit(&admin, "acme", &page, &format!("{page}/send"), &[("contact", &contact)]).await;
        assert!(location(&res).ends_with("?done=sent"));
        let res = post_lines(&app, &admin, &lines_page, vec![row(0, "Sneaky", "1", "1", "")], "").await;
        assert_eq!(res.status().as_u16(), 409);
        let doc = html(&res.text().await.unwrap());
        assert!(text_of(&doc, "[data-testid=lines-refusal]").unwrap().contains("was sent"));
        let (_, body) = get(&app, &admin, &page).await;
        assert_eq!(text_of(&html(&body), "[data-testid=doc-total]").as_deref(), Some(total));

        // The portal page and the PDF say the same.
        let dana = dana_on(&app, people.household).await;
        let (status, body) = get(&app, &dana, &format!("/invoices/{number}")).await;
        assert_eq!(status, 200);
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=invoice-total]").as_deref(), Some(total));
        assert_eq!(text_of(&doc, "[data-testid=invoice-discount]").as_deref(), Some("-$30.00"));
        let pdf = dana.get(app.url("acme", &format!("/invoices/{number}/pdf"))).send().await.unwrap().bytes().await.unwrap();
        let text = pdf_text(&pdf);
        assert!(text.contains(total), "{text}");
        assert!(text.contains("Discount") && text.contains("-$30.00"), "{text}");
        assert!(text.contains("$22.98"), "{text}");

        // Overdue is the list's derived filter; this one is not due yet.
        let (_, body) = get(&app, &admin, "/office/invoices?status=overdue").await;
        assert!(!body.contains(&number));
        let (_, body) = get(&app, &admin, &format!("/office/invoices?status=unpaid&q={number}")).await;
        assert!(body.contains(&number));
    }

    async fn another_companys_documents_are_404_and_admin_pages_are_the_admins(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let _people = seed_people(&app).await;
        let admin = office(&app).await;
        let res = app.submit(&admin, "acme", "/office/estimates/new", "/office/estimates/new",
            &[("customer", "C-1"), ("title", "Faucet"), ("valid_until", "2020-01-01"), ("issued_on", "2026-03-10")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        assert!(text_of(&doc, "#valid_until-error").is_some());
        let res = app.submit(&admin, "acme", "/office/estimates/new", "/office/estimates/new",
            &[("customer", "C-1"), ("title", "Faucet")]).await;
        let lines_page = location(&res);
        let number = lines_page.trim_start_matches("/office/estimates/").trim_end_matches("/lines").to_owned();
        assert_eq!(get(&app, &admin, &format!("/office/estimates/{number}")).await.0, 200);

        // Bolt's administrator, on Bolt's own office, never reaches Acme's estimate.
        let hash = doorstep_web::auth::password::hash_password(PASSWORD, doorstep_web::PasswordCost::TestOnly).unwrap();
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        let mut tx = app.store.begin().await.unwrap();
        tx.create_staff(bolt.id, "office@bolt.test", "Bo", doorstep_core::status::StaffRole::Admin, Some(&hash)).await.unwrap();
        tx.create_staff(_people.acme, "dispatch@acme.test", "Oscar", doorstep_core::status::StaffRole::Office, Some(&hash)).await.unwrap();
        tx.commit().await.unwrap();
        let bo = app.client(&["bolt"]);
        app.submit(&bo, "bolt", "/office", "/office/sign-in", &[("email", "office@bolt.test"), ("password", PASSWORD)]).await;
        for path in [format!("/office/estimates/{number}"), format!("/office/estimates/{number}/lines"), format!("/office/estimates/{number}/edit")] {
            let res = bo.get(app.url("bolt", &path)).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 404, "{path}");
        }

        // Tax rates: the admin's page; office staff get 404; a rate over 100% is refused next to its field.
        let res = app.submit(&admin, "acme", "/office/tax-rates", "/office/tax-rates", &[("name", "Luxury"), ("rate", "150")]).await;
        assert_eq!(res.status().as_u16(), 422);
        assert_eq!(text_of(&html(&res.text().await.unwrap()), "#rate-error").as_deref(), Some("A tax rate cannot be over 100%."));
        let res = app.submit(&admin, "acme", "/office/tax-rates", "/office/tax-rates", &[("name", "Sales tax"), ("rate", "8.25")]).await;
        assert_eq!(location(&res), "/office/tax-rates?done=added");
        let (_, body) = get(&app, &admin, &lines_page).await;
        assert!(body.contains("Sales tax (8.25%)"), "the line editor offers the company's rate");
        let oscar = app.client(&["acme"]);
        app.submit(&oscar, "acme", "/office", "/office/sign-in", &[("email", "dispatch@acme.test"), ("password", PASSWORD)]).await;
        assert_eq!(get(&app, &oscar, "/office/tax-rates").await.0, 404);
        assert_eq!(get(&app, &oscar, &lines_page).await.0, 200, "office staff price documents");
    }
}
