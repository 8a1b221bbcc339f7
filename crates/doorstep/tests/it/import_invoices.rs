//! The invoices CSV import and export (issue 18), over HTTP on both backends: one row
//! per line item, the rows of one invoice grouped by its `invoice`; totals the office's;
//! `sent` without an email; a bad row named by its line and column with nothing
//! written; the same file again updating the drafts instead of duplicating; a sent or
//! paid invoice refused when the file changes it; an export imported back unchanged;
//! another company's customers never matched.

use doorstep_core::ids::CompanyId;
use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{TestApp, html, office, seed_people, text_of};
use crate::import_kinds;

/// Posts `file` to the invoices dry run, as the hub's form does.
async fn upload(app: &TestApp, client: &reqwest::Client, file: &[u8]) -> (u16, String) {
    import_kinds::upload(app, client, "/office/import/invoices", file).await
}

/// Starts the checked file of dry run `body` and answers what its page says once done.
async fn run(app: &TestApp, client: &reqwest::Client, body: &str) -> String {
    import_kinds::run(app, client, "/office/import/invoices/start", body, &[]).await
}

/// The invoices export.
async fn export(app: &TestApp, client: &reqwest::Client) -> String {
    import_kinds::export(app, client, "invoices").await
}

/// The row errors a refused dry run lists.
fn row_errors(status: u16, body: &str) -> String {
    assert_eq!(status, 422, "{body}");
    assert!(
        !body.contains("data-testid=\"start-import\""),
        "no import offered for a bad file"
    );
    text_of(&html(body), "[data-testid=row-errors]").unwrap()
}

/// Invoice `reference` of `company`: (number, status, total, due date).
async fn invoice(
    app: &TestApp,
    company: CompanyId,
    reference: &str,
) -> (String, String, i64, String) {
    let id = app
        .store
        .invoice_by_external_ref(company, reference)
        .await
        .unwrap()
        .unwrap();
    let i = app.store.api_invoice(company, id).await.unwrap().unwrap();
    (i.number, i.status, i.total_minor, i.due_on.to_string())
}

async fn count(app: &TestApp, sql: &str, company: CompanyId) -> i64 {
    doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(sql).bind(company.0).fetch_one(p).await).unwrap()
}

const HEADER: &str = "invoice,customer,job,issued_on,due_on,status,notes,discount,description,quantity,unit_price,tax,tax_rate\n";

both_backends! {
    /// Import creates invoices with the office's totals, re-import updates without
    /// duplicating, bad rows are named with nothing written, sent and paid invoices
    /// refuse a change, and an export imports back unchanged.
    async fn invoices_import_update_refuse_and_round_trip(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let acme = people.acme;
        let mut tx = app.store.begin().await.unwrap();
        tx.add_tax_rate(acme, "Sales tax", 825).await.unwrap();
        tx.commit().await.unwrap();
        doorstep_store::on_pool!(app.store, p => sqlx::query(
            "UPDATE customers SET external_ref = 'CRM-2' WHERE company_id = $1 AND number = 'C-2'")
            .bind(acme.0).execute(p).await.map(|_| ())).unwrap();
        let client = office(&app).await;

        // The hub lists the kind with its template and export.
        let hub = client.get(app.url("acme", "/office/import")).send().await.unwrap().text().await.unwrap();
        assert!(hub.contains("href=\"/office/import/invoices/template.csv\""), "{hub}");
        assert!(hub.contains("href=\"/office/export/invoices\""), "{hub}");
        let template = client.get(app.url("acme", "/office/import/invoices/template.csv")).send().await.unwrap().text().await.unwrap();
        assert!(template.starts_with(&HEADER.replace('\n', "\r\n")), "{template}");
        assert_eq!(export(&app, &client).await, HEADER.replace('\n', "\r\n"), "nothing to export yet");

        // Bad rows: each named by its line and column; nothing written.
        let before = crate::snapshot::snapshot(&app).await;
        let bad = format!("{HEADER}\
            INV-1,C-1,,2026-01-15,,sent,,,Boiler service,1,120.00,Sales tax,\n\
            INV-1,C-1,,2026-01-16,,sent,,,Filter,two,15.50,,\n\
            INV-3,NOPE-9,,,,draft,,,Visit,1,10,,\n\
            INV-4,B-1,,,,draft,,,Visit,1,10,,\n\
            INV-5,C-1,JOB-X,,,draft,,,Visit,1,10,VAT,\n\
            INV-6,C-1,,,,paid,,,Visit,1,10,,\n\
            ,C-1,,,,draft,,,Visit,1,10,,\n");
        let (status, body) = upload(&app, &client, bad.as_bytes()).await;
        let errors = row_errors(status, &body);
        for expected in [
            "Row 3: issued_on — Row 2 of this invoice has another issued_on",
            "Row 3: quantity — ",
            "Row 4: customer — No active customer",
            "Row 5: customer — No active customer",
            "Row 6: job — No job has this",
            "Row 6: tax — You have no tax rate of this name",
            "Row 7: status — A new invoice imports as draft or sent",
            "Row 8: invoice — Enter the invoice's id",
        ] {
            assert!(errors.contains(expected), "{expected}: {errors}");
        }
        assert!(!errors.contains("Row 2:"), "{errors}");
        assert_eq!(crate::snapshot::snapshot(&app).await, before, "a refused file writes nothing");

        // Two invoices from three rows: totals by the office's sums, due by the terms.
        let good = format!("{HEADER}\
            INV-1,C-1,,2026-01-15,,sent,Thanks,,Boiler service,1,120.00,Sales tax,\n\
            INV-1,C-1,,2026-01-15,,sent,Thanks,,Filter,2,15.50,,\n\
            INV-2,CRM-2,,2026-01-20,2026-01-31,draft,,5.00,Gutter clean,3,10,,\n");
        let (status, body) = upload(&app, &client, good.as_bytes()).await;
        assert_eq!(status, 200, "{body}");
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=to-create]").unwrap(), "2");
        let done = run(&app, &client, &body).await;
        assert!(done.contains("All 3 rows imported: 2 invoices created, 0 updated"), "{done}");
        let (first, status, total, due) = invoice(&app, acme, "INV-1").await;
        assert_eq!((status.as_str(), total, due.as_str()), ("unpaid", 12_000 + 990 + 3_100, "2026-02-14"));
        let (_, status, total, due) = invoice(&app, acme, "INV-2").await;
        assert_eq!((status.as_str(), total, due.as_str()), ("draft", 2_500, "2026-01-31"));
        let emails = count(&app, "SELECT COUNT(*) FROM email_outbox WHERE company_id = $1", acme).await;
        assert_eq!(emails, 0, "an imported invoice emails no one");
        let page = client.get(app.url("acme", &format!("/office/invoices/{first}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Boiler service") && page.contains("$160.90"), "{page}");

        // The same file again: nothing added; then a changed draft is updated in place.
        let (status, body) = upload(&app, &client, good.as_bytes()).await;
        assert_eq!(status, 200, "{body}");
        let doc = html(&body);
        assert_eq!((text_of(&doc, "[data-testid=to-create]").unwrap(), text_of(&doc, "[data-testid=to-update]").unwrap()), ("0".into(), "2".into()));
        run(&app, &client, &body).await;
        let changed = good.replace("Gutter clean,3,10", "Gutter clean,4,10");
        let (status, body) = upload(&app, &client, changed.as_bytes()).await;
        assert_eq!(status, 200, "{body}");
        let done = run(&app, &client, &body).await;
        assert!(done.contains("0 invoices created, 2 updated"), "{done}");
        assert_eq!(invoice(&app, acme, "INV-2").await.2, 3_500);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM invoices WHERE company_id = $1", acme).await, 2, "updated, not added");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM line_items WHERE company_id = $1", acme).await, 3, "lines replaced");

        // A sent invoice refuses a change, by its row.
        let before = crate::snapshot::snapshot(&app).await;
        let resent = changed.replace("Filter,2,15.50", "Filter,3,15.50");
        let (status, body) = upload(&app, &client, resent.as_bytes()).await;
        assert!(row_errors(status, &body).contains("Row 2: invoice — This invoice was sent"), "{body}");
        assert_eq!(crate::snapshot::snapshot(&app).await, before);

        // Paid in full at the office: a change is refused for its payments.
        let today = doorstep_store::now().date().to_string();
        let share = format!("share.{first}");
        let res = app.submit(&client, "acme", "/office/payments/new?customer=C-1", "/office/payments/new",
            &[("customer", "C-1"), ("received_on", today.as_str()), ("amount", "160.90"), ("method", "cash"), (share.as_str(), "160.90")]).await;
        assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
        assert_eq!(invoice(&app, acme, "INV-1").await.1, "paid");
        let (status, body) = upload(&app, &client, resent.as_bytes()).await;
        assert!(row_errors(status, &body).contains("Row 2: invoice — This invoice has payments recorded"), "{body}");

        // Export, then import: nothing changes.
        let exported = export(&app, &client).await;
        assert!(exported.contains("INV-1,C-1,,2026-01-15,2026-02-14,paid,Thanks,,Boiler service,1,120.00,Sales tax,8.25\r\n"), "{exported}");
        assert!(exported.contains("INV-2,CRM-2,,2026-01-20,2026-01-31,draft,,5.00,Gutter clean,4,10.00,,\r\n"), "{exported}");
        let (status, body) = upload(&app, &client, exported.as_bytes()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(text_of(&html(&body), "[data-testid=to-create]").unwrap(), "0");
        let invoices_before = doorstep_store::on_pool!(app.store, p => sqlx::query_scalar::<_, String>(
            "SELECT number || ' ' || CAST(updated_at AS TEXT) FROM invoices WHERE company_id = $1 ORDER BY id").bind(acme.0).fetch_all(p).await).unwrap();
        run(&app, &client, &body).await;
        assert_eq!(export(&app, &client).await, exported);
        let invoices_after = doorstep_store::on_pool!(app.store, p => sqlx::query_scalar::<_, String>(
            "SELECT number || ' ' || CAST(updated_at AS TEXT) FROM invoices WHERE company_id = $1 ORDER BY id").bind(acme.0).fetch_all(p).await).unwrap();
        assert_eq!(invoices_after, invoices_before, "an unchanged invoice is not written");

    }
}
