//! The CSV import and export of jobs (issue 18), over HTTP on both backends: a file of
//! jobs is checked then imported by the same pipeline as customers, contacts and sites;
//! the same file again updates by external reference instead of duplicating; a bad row
//! is named by its line and column and nothing is written; a job stays with its
//! customer; an export imported again changes nothing; another company's customers and
//! jobs are never matched.

use doorstep_core::ids::CustomerId;
use doorstep_testkit::{Backend, both_backends};

use crate::api::insert_job;
use crate::helpers::{TestApp, html, office, seed_people, text_of};
use crate::import_kinds::{export, run, upload};

const START: &str = "/office/import/jobs/start";

/// The row errors of a refused dry run of `file`, after checking it was refused.
async fn refused(app: &TestApp, client: &reqwest::Client, file: &[u8]) -> String {
    let (status, body) = upload(app, client, "/office/import/jobs", file).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        !body.contains("data-testid=\"start-import\""),
        "no import offered for a bad file"
    );
    text_of(&html(&body), "[data-testid=row-errors]").unwrap()
}

/// The dry run of `file` (accepted): the page, and how many it would create and update.
async fn checked(app: &TestApp, client: &reqwest::Client, file: &[u8]) -> (String, String, String) {
    let (status, body) = upload(app, client, "/office/import/jobs", file).await;
    assert_eq!(status, 200, "{body}");
    let doc = html(&body);
    let creates = text_of(&doc, "[data-testid=to-create]").unwrap();
    let updates = text_of(&doc, "[data-testid=to-update]").unwrap();
    (body, creates, updates)
}

/// The status of acme's job with external reference `reference`, as the store has it.
async fn status_of(app: &TestApp, reference: &str) -> (String, bool) {
    let acme = app.store.company_by_slug("acme").await.unwrap().unwrap();
    let rows = app.store.export_jobs(acme.id, 0, 1000).await.unwrap();
    let job = rows.iter().find(|j| j.external_ref == reference).unwrap();
    let (_, number) = app
        .store
        .job_by_external_ref(acme.id, reference)
        .await
        .unwrap()
        .unwrap();
    let office_job = app
        .store
        .office_job(acme.id, &number)
        .await
        .unwrap()
        .unwrap();
    (job.status.clone(), office_job.completed_at.is_some())
}

/// How many emails are queued.
async fn emails(app: &TestApp) -> i64 {
    doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM email_outbox").fetch_one(p).await)
    .unwrap()
}

both_backends! {
    /// Jobs are created with their customer, site and start status; the same file again
    /// updates them; an export imported again changes nothing, a job the office made
    /// without a reference included (found by its number).
    async fn jobs_import_creates_updates_and_round_trips(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let client = office(&app).await;
        insert_job(&app, people.acme, people.household, "J-77").await;
        let emails_before = emails(&app).await;

        // The hub lists the kind with its template and export.
        let hub = client.get(app.url("acme", "/office/import")).send().await.unwrap().text().await.unwrap();
        assert!(hub.contains("href=\"/office/import/jobs/template.csv\""), "{hub}");
        assert!(hub.contains("href=\"/office/export/jobs\""), "{hub}");
        let template = client.get(app.url("acme", "/office/import/jobs/template.csv")).send().await.unwrap().text().await.unwrap();
        assert!(
            template.starts_with("external_ref,customer,site,summary,description,status,work_order_notes,customer_notes\r\n"),
            "{template}"
        );

        let file = b"external_ref,customer,site,summary,description,status,work_order_notes\n\
            OLD-1,C-1,Home,Fix the tap,Dripping since March,completed,Valve under sink\n\
            OLD-2,C-2,bayview apartments,Check the boiler,,,\n\
            OLD-3,C-2,,=Visit called off,,Cancelled,\n";
        let (body, creates, updates) = checked(&app, &client, file).await;
        assert_eq!((creates.as_str(), updates.as_str()), ("3", "0"));
        let done = run(&app, &client, START, &body, &[]).await;
        assert!(done.contains("All 3 rows imported"), "{done}");

        let jobs = export(&app, &client, "jobs").await;
        assert!(jobs.starts_with("external_ref,customer,site,summary,"), "{jobs}");
        assert!(jobs.contains("J-77,C-1,,Panel upgrade,,scheduled,,\r\n"), "a job without a reference is written with its number: {jobs}");
        assert!(jobs.contains("OLD-1,C-1,Home,Fix the tap,Dripping since March,completed,Valve under sink,\r\n"), "{jobs}");
        assert!(jobs.contains("OLD-2,C-2,Bayview Apartments,Check the boiler,,unscheduled,,\r\n"), "{jobs}");
        assert!(jobs.contains("OLD-3,C-2,,'=Visit called off,,cancelled,,\r\n"), "a formula is defused: {jobs}");
        assert_eq!(status_of(&app, "OLD-1").await, ("completed".into(), true), "completed when imported");
        assert_eq!(status_of(&app, "OLD-2").await, ("unscheduled".into(), false));

        // The office's job page shows an imported job as the office's own.
        let (_, number) = app.store.job_by_external_ref(people.acme, "OLD-2").await.unwrap().unwrap();
        let page = client.get(app.url("acme", &format!("/office/jobs/{number}"))).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Check the boiler"));

        // The same references again: updated, not added; the status given is the job's own.
        let again = b"external_ref,customer,site,summary,status\n\
            OLD-1,C-1,Home,Fix the kitchen tap,completed\n\
            OLD-2,C-2,Pier Offices,Check the boiler,\n";
        let (body, creates, updates) = checked(&app, &client, again).await;
        assert_eq!((creates.as_str(), updates.as_str()), ("0", "2"));
        let done = run(&app, &client, START, &body, &[]).await;
        assert!(done.contains("All 2 rows imported"), "{done}");
        let jobs = export(&app, &client, "jobs").await;
        assert!(jobs.contains("OLD-1,C-1,Home,Fix the kitchen tap,,completed,,\r\n"), "the row's empty columns are the job's now: {jobs}");
        assert!(jobs.contains("OLD-2,C-2,Pier Offices,Check the boiler,,unscheduled,,\r\n"), "{jobs}");
        assert_eq!(jobs.matches("OLD-1").count(), 1, "no duplicate: {jobs}");
        assert_eq!(jobs.lines().count(), 5, "header and four jobs: {jobs}");

        // Export then import changes nothing.
        let before = export(&app, &client, "jobs").await;
        let (body, creates, updates) = checked(&app, &client, before.as_bytes()).await;
        assert_eq!((creates.as_str(), updates.as_str()), ("0", "4"));
        run(&app, &client, START, &body, &[]).await;
        assert_eq!(export(&app, &client, "jobs").await, before);

        // The import is audited once, its jobs as the office's are.
        let audit: Vec<String> = doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(
            "SELECT action FROM audit_events WHERE company_id = $1 AND action LIKE 'job%' ORDER BY id")
            .bind(people.acme.0).fetch_all(p).await).unwrap();
        assert_eq!(audit.iter().filter(|a| *a == "jobs.imported").count(), 3, "{audit:?}");
        assert_eq!(audit.iter().filter(|a| *a == "job.created").count(), 3, "{audit:?}");
        assert_eq!(audit.iter().filter(|a| *a == "job.edited").count(), 2, "an unchanged job is not edited: {audit:?}");
        // Nobody is emailed of history brought over (a completed job, moved by the
        // office, would email its customer).
        assert_eq!(emails(&app).await, emails_before);
    }

    /// Bad rows are each named by line and column and nothing is written: an unknown
    /// customer, another company's customer, a missing reference or summary, a status
    /// an import does not start in, an unknown site, a repeated reference; a job is not
    /// moved to another customer nor to another status; another company's job with the
    /// same reference is never matched.
    async fn jobs_import_refuses_bad_rows_and_writes_nothing(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = office(&app).await;
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        let bolt_customer = app.store.api_customers(bolt.id, None, None, 10).await.unwrap()[0].id;
        let bolt_job = insert_job(&app, bolt.id, CustomerId(bolt_customer), "J-1").await;
        let mut tx = app.store.begin().await.unwrap();
        tx.set_job_external_ref(bolt.id, doorstep_core::ids::JobId(bolt_job), Some("SHARED-1")).await.unwrap();
        tx.commit().await.unwrap();

        let before = crate::snapshot::snapshot(&app).await;
        let bad = b"external_ref,customer,site,summary,status\n\
            OK-1,C-1,Home,Fine row,\n\
            OK-2,NOPE-9,,Unknown customer,\n\
            OK-3,B-1,,Bolt's customer,\n\
            ,C-1,,No reference,\n\
            OK-5,C-1,,,\n\
            OK-6,C-1,,On its way,in_progress\n\
            OK-7,C-1,Warehouse,Unknown site,\n\
            OK-1,C-2,,Repeated reference,\n\
            OK-9,C-1,,Made up status,done\n";
        let errors = refused(&app, &client, bad).await;
        assert!(!errors.contains("Row 2:"), "{errors}");
        assert!(errors.contains("Row 3: customer — No active customer"), "{errors}");
        assert!(errors.contains("Row 4: customer — No active customer"), "another company's customer is unknown: {errors}");
        assert!(errors.contains("Row 5: external_ref — "), "{errors}");
        assert!(errors.contains("Row 6: summary — "), "{errors}");
        assert!(errors.contains("Row 7: status — "), "{errors}");
        assert!(errors.contains("Row 8: site — The customer has no site"), "{errors}");
        assert!(errors.contains("Row 9: external_ref — Row 2 "), "{errors}");
        assert!(errors.contains("Row 10: status — "), "{errors}");
        assert_eq!(crate::snapshot::snapshot(&app).await, before, "a refused file writes nothing");

        // Another company's reference is not matched: acme gets a job of its own.
        let file = b"external_ref,customer,summary\nSHARED-1,C-1,Gutter clean\nOLD-1,C-2,Roof check\n";
        let (body, creates, _) = checked(&app, &client, file).await;
        assert_eq!(creates, "2");
        run(&app, &client, START, &body, &[]).await;
        let bolt_jobs = app.store.export_jobs(bolt.id, 0, 100).await.unwrap();
        assert_eq!(bolt_jobs.len(), 1);
        assert_eq!((bolt_jobs[0].summary.as_str(), bolt_jobs[0].customer.as_str()), ("Panel upgrade", "B-1"));
        let jobs = export(&app, &client, "jobs").await;
        assert!(jobs.contains("SHARED-1,C-1,,Gutter clean,,unscheduled,,\r\n"), "{jobs}");

        // A job stays with its customer and keeps its status: refused, nothing written.
        let before = crate::snapshot::snapshot(&app).await;
        let moved = b"external_ref,customer,summary,status\nOLD-1,C-1,Roof check,\nSHARED-1,C-1,Gutter clean,completed\n";
        let errors = refused(&app, &client, moved).await;
        assert!(errors.contains("Row 2: customer — This job belongs to another customer"), "{errors}");
        assert!(errors.contains("Row 3: status — This job is unscheduled now"), "{errors}");
        assert_eq!(crate::snapshot::snapshot(&app).await, before, "a refused file writes nothing");
    }
}
