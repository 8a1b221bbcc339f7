//! The bad-input list of issue 17 over HTTP: each refusal answers 4xx/409 with the
//! message rendered beside its field (inside the field's wrapper, which points to it with
//! `aria-describedby`), the typed values kept, and nothing saved.

use doorstep_core::ids::CustomerId;
use doorstep_core::status::ContactRole;
use doorstep_store::contacts::NewContact;
use doorstep_testkit::{Backend, both_backends};
use scraper::{Html, Selector};

use crate::billing_data::seed_billing;
use crate::helpers::{TestApp, html, office, seed_people};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// The message of `#{id}-error`, asserted to sit beside `#{id}`: both inside one
/// `.field` wrapper, and `#{id}` described by it.
fn beside(doc: &Html, id: &str) -> String {
    let input = format!("#{id}");
    let error = format!("#{id}-error");
    let field = doc
        .select(&sel(".field"))
        .find(|f| f.select(&sel(&input)).next().is_some())
        .unwrap_or_else(|| panic!("no .field holds {input}"));
    let message = field
        .select(&sel(&error))
        .next()
        .unwrap_or_else(|| panic!("{error} is not beside {input}: {}", field.html()))
        .text()
        .collect::<String>();
    let described = field
        .select(&sel(&input))
        .next()
        .unwrap()
        .value()
        .attr("aria-describedby")
        .unwrap_or("");
    assert!(
        described.split(' ').any(|d| d == format!("{id}-error")),
        "{input} aria-describedby={described:?}"
    );
    message.trim().to_owned()
}

fn value(doc: &Html, id: &str) -> String {
    doc.select(&sel(&format!("#{id}")))
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or("")
        .to_owned()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(&sql).fetch_one(p).await).unwrap()
}

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for t in [
        "customers",
        "contacts",
        "jobs",
        "job_status_changes",
        "estimates",
        "invoices",
        "line_items",
        "payments",
        "payment_allocations",
        "email_outbox",
        "audit_events",
    ] {
        out.push(count(app, t).await);
    }
    out
}

#[track_caller]
fn location(res: &reqwest::Response) -> String {
    assert_eq!(
        res.status().as_u16(),
        303,
        "a successful form sends the browser on"
    );
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// The line editor's fields for rows of (description, quantity, price, tax rate).
fn line_fields<'a>(rows: &[(&'a str, &'a str, &'a str, &'a str)]) -> Vec<(String, &'a str)> {
    let mut out = Vec::new();
    for (i, (d, q, p, tr)) in rows.iter().enumerate() {
        out.push((format!("d{i}"), *d));
        out.push((format!("q{i}"), *q));
        out.push((format!("p{i}"), *p));
        out.push((
            format!("tn{i}"),
            if tr.is_empty() { "" } else { "Sales tax" },
        ));
        out.push((format!("tr{i}"), *tr));
    }
    out
}

async fn post_lines(
    app: &TestApp,
    client: &reqwest::Client,
    page: &str,
    rows: &[(&str, &str, &str, &str)],
) -> reqwest::Response {
    let n = rows.len().to_string();
    let mut fields = line_fields(rows);
    fields.push(("rows".into(), &n));
    fields.push(("discount".into(), ""));
    fields.push(("action".into(), "save"));
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    app.submit(client, "acme", page, page, &borrowed).await
}

both_backends! {
    /// All eight, one after another, on one office.
    async fn each_bad_input_is_said_beside_its_field_and_nothing_is_saved(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        let admin = office(&app).await;

        // 1 and 2. A negative quantity and a tax rate over 100%, in a draft's line editor.
        let res = app.submit(&admin, "acme", "/office/invoices/new", "/office/invoices/new",
            &[("customer", "C-1"), ("issued_on", "2026-03-10"), ("due_on", "2099-04-09")]).await;
        let lines_page = location(&res);
        let before = counts(&app).await;
        let res = post_lines(&app, &admin, &lines_page, &[("Pump", "-2", "10", ""), ("Filter", "1", "10", "120")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        assert_eq!(beside(&doc, "q0"), "The quantity cannot be negative.");
        assert_eq!(beside(&doc, "tr1"), "A tax rate cannot be over 100%.");
        assert_eq!((value(&doc, "q0"), value(&doc, "tr1"), value(&doc, "d1")), ("-2".into(), "120".into(), "Filter".into()));
        assert_eq!(counts(&app).await, before);

        // 3. A due date before the issue date.
        let res = app.submit(&admin, "acme", "/office/invoices/new", "/office/invoices/new",
            &[("customer", "C-1"), ("issued_on", "2026-03-10"), ("due_on", "2026-03-01"), ("notes", "Kept")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        assert_eq!(beside(&doc, "due_on"), "The due date cannot be before the issue date.");
        assert_eq!((value(&doc, "due_on"), value(&doc, "issued_on")), ("2026-03-01".into(), "2026-03-10".into()));
        assert!(doc.html().contains(">Kept</textarea>"));
        assert_eq!(counts(&app).await, before);

        // 4. An estimate sent to a contact without an email.
        let res = app.submit(&admin, "acme", "/office/estimates/new", "/office/estimates/new",
            &[("customer", "C-1"), ("title", "Faucet")]).await;
        let estimate_lines = location(&res);
        let res = post_lines(&app, &admin, &estimate_lines, &[("Faucet", "1", "100", "")]).await;
        location(&res);
        let estimate = estimate_lines.trim_end_matches("/lines").to_owned();
        let mut tx = app.store.begin().await.unwrap();
        let pat = tx.insert_contact(people.acme, &NewContact {
            customer: CustomerId(people.household.0), login: None, first_name: "Pat".into(), last_name: "Whitaker".into(),
            email: None, phone: "555-0100".into(), role: ContactRole::Company, is_primary: false, is_billing: false,
            portal_enabled: false,
        }).await.unwrap();
        tx.commit().await.unwrap();
        let before = counts(&app).await;
        let res = app.submit(&admin, "acme", &estimate, &format!("{estimate}/send"), &[("contact", &pat.0.to_string())]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        assert_eq!(beside(&doc, "contact"), "This contact has no email address. Add one to the contact, or choose another.");
        assert_eq!(counts(&app).await, before);

        // 5. Completed → on the way.
        let customer = people.household.0.to_string();
        let res = app.submit(&admin, "acme", "/office/jobs/new", "/office/jobs/new", &[("customer", &customer), ("summary", "Fix the gate")]).await;
        let job = location(&res);
        location(&app.submit(&admin, "acme", &job, &format!("{job}/schedule"), &[("date", "2030-03-04"), ("schedule_type", "pm")]).await);
        location(&app.submit(&admin, "acme", &job, &format!("{job}/status"), &[("status", "completed")]).await);
        let before = counts(&app).await;
        let res = app.submit(&admin, "acme", &job, &format!("{job}/status"), &[("status", "on_the_way")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        let status = doc.select(&sel("[data-testid=status-field]")).next().expect("the Status section");
        assert_eq!(status.value().attr("aria-describedby"), Some("status-error"));
        let said = status.select(&sel("#status-error")).next().expect("the reason in the Status section").text().collect::<String>();
        assert!(said.contains("completed, which is final"), "{said}");
        assert_eq!(doc.select(&sel("[data-testid=job-status]")).next().unwrap().text().collect::<String>(), "Completed");
        assert_eq!(counts(&app).await, before);

        // 6. A sent invoice's lines.
        let res = post_lines(&app, &admin, &lines_page, &[("Service call", "1", "120", "8.25")]).await;
        location(&res);
        let invoice = lines_page.trim_end_matches("/lines").to_owned();
        let dana = app.store.contacts_of_customer(people.acme, people.household).await.unwrap()
            .into_iter().find(|c| c.email.as_deref() == Some("dana@example.test")).unwrap().id.to_string();
        location(&app.submit(&admin, "acme", &invoice, &format!("{invoice}/send"), &[("contact", &dana)]).await);
        let before = counts(&app).await;
        let res = post_lines(&app, &admin, &lines_page, &[("Sneaky", "3", "999", "")]).await;
        assert_eq!(res.status().as_u16(), 409);
        let doc = html(&res.text().await.unwrap());
        let form = doc.select(&sel("[data-testid=line-editor]")).next().expect("the line editor");
        assert_eq!(form.value().attr("aria-describedby"), Some("lines-refusal"));
        let said = form.select(&sel("#lines-refusal")).next().expect("the reason in the editor").text().collect::<String>();
        assert!(said.contains("was sent"), "{said}");
        assert_eq!(value(&doc, "d0"), "Sneaky", "what was typed is kept");
        assert_eq!(counts(&app).await, before);

        // 7. A payment above the balance without "keep the rest as account credit".
        let today = doorstep_store::now().date().to_string();
        let res = app.submit(&admin, "acme", "/office/payments/new?customer=C-1", "/office/payments/new",
            &[("customer", "C-1"), ("received_on", &today), ("amount", "200"), ("method", "cash"), ("share.I-1", "110")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        let said = beside(&doc, "amount");
        assert!(said.contains("more than the balance due") && said.contains("Keep the rest as account credit"), "{said}");
        assert_eq!(value(&doc, "amount"), "200");
        assert_eq!(counts(&app).await, before);

        // 8. A duplicate customer external reference.
        location(&app.submit(&admin, "acme", "/office/customers/new", "/office/customers/new",
            &[("name", "Greenleaf Cafe"), ("kind", "commercial"), ("email", "office@greenleaf.test"), ("external_ref", "QB-9")]).await);
        let before = counts(&app).await;
        let res = app.submit(&admin, "acme", "/office/customers/new", "/office/customers/new",
            &[("name", "Copycat"), ("kind", "residential"), ("external_ref", "QB-9")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        assert!(beside(&doc, "external_ref").contains("already"), "{}", beside(&doc, "external_ref"));
        assert_eq!((value(&doc, "name"), value(&doc, "external_ref")), ("Copycat".into(), "QB-9".into()));
        assert_eq!(counts(&app).await, before);
    }
}
