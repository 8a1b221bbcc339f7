//! Each kind's own import pages (issue 18), over HTTP on both backends: a contacts file
//! with renamed headers is mapped on its page and imports right; a required column left
//! unmatched is named beside it and nothing is checked or written; a sites import has its
//! own progress page (stream, result, bad rows by line, back links to the hub and the
//! list); another company's import, or one of another kind, is not found; a file with a
//! wrong delimiter or encoding is refused with the reason for every kind, nothing written;
//! the office navigation offers the hub.

use doorstep_core::import_kinds::ImportKind;
use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{TestApp, csrf_of, html, office, seed_people, text_of};
use crate::import_kinds::{export, input, post_file};

/// The value selected in each of the mapping's selects.
fn chosen(body: &str) -> Vec<String> {
    let doc = html(body);
    let select = scraper::Selector::parse("select[name=col]").unwrap();
    let picked = scraper::Selector::parse("option[selected]").unwrap();
    doc.select(&select)
        .map(|s| {
            s.select(&picked)
                .next()
                .and_then(|o| o.value().attr("value"))
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

/// GETs `path` of acme: status and body.
async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Polls import page `page` until it shows its end; answers the page.
async fn until_ended(app: &TestApp, client: &reqwest::Client, page: &str) -> String {
    for _ in 0..400 {
        let (status, body) = get(app, client, page).await;
        assert_eq!(status, 200, "{page}");
        let doc = html(&body);
        if text_of(&doc, "[data-testid=import-done]").is_some()
            || text_of(&doc, "[data-testid=import-failed]").is_some()
        {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import at {page} did not end");
}

/// A row of `imports` of `company` (slug) by its staff member `email`: `kind`, `status`,
/// `done` of `total`, recorded errors; its id.
async fn import_row(
    app: &TestApp,
    (company, email): (&str, &str),
    kind: &str,
    (status, done, total): (&str, i64, i64),
    errors: &str,
) -> i64 {
    let beat = doorstep_store::db_time(doorstep_store::now());
    doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(
        "INSERT INTO imports (company_id, staff_user_id, kind, file_name, status, total, done, errors, created_at, updated_at) \
         SELECT c.id, s.id, $1, 'rows.csv', $2, $3, $4, $5, $6, $6 FROM companies c \
         JOIN staff_users s ON s.company_id = c.id WHERE c.slug = $7 AND s.email = $8 RETURNING id")
        .bind(kind).bind(status).bind(total).bind(done).bind(errors).bind(beat).bind(company).bind(email)
        .fetch_one(p).await).unwrap()
}

both_backends! {
    /// Contacts under other headers: guessed where the names agree, the required columns
    /// left out named beside them (nothing checked, nothing written), what was chosen
    /// kept, then mapped by hand, checked, imported and found in the export; the import
    /// page is the kind's own, and the hub is in the office navigation.
    async fn a_contacts_file_with_renamed_headers_is_mapped_and_imported(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = office(&app).await;

        let (status, hub) = get(&app, &client, "/office/import").await;
        assert_eq!(status, 200);
        let doc = html(&hub);
        let nav = scraper::Selector::parse("nav[aria-label=Office] a[href=\"/office/import\"]").unwrap();
        let link = doc.select(&nav).next().expect("the office navigation offers the import");
        assert_eq!(link.value().attr("aria-current"), Some("page"));
        assert!(hub.contains("href=\"/office/import/contacts\""), "the hub links each kind's page");
        let (status, page) = get(&app, &client, "/office/import/contacts").await;
        assert_eq!(status, 200);
        assert!(text_of(&html(&page), "[data-testid=kind-columns]").unwrap().contains("first_name"));
        let (status, _) = get(&app, &client, "/office/import/nothing").await;
        assert_eq!(status, 404);

        let token = csrf_of(&client, &app.url("acme", "/office/import/contacts")).await;
        let file = b"Account,Given Name,Surname,E-mail Address,Phone\nC-1,Ina,Iles,ina@example.test,+1 555 0101\nC-2,Olu,,olu@example.test,\n";
        let before = crate::snapshot::snapshot(&app).await;
        let (status, body) = post_file(&app, &client, "/office/import/contacts", Some(&token), file).await;
        assert_eq!(status, 200, "a guess is a question, not a mistake: {body}");
        let doc = html(&body);
        assert_eq!(chosen(&body), ["", "", "", "", "phone"], "matched by name where the names agree");
        let error = text_of(&doc, "[data-testid=mapping-error]").unwrap();
        assert!(error.contains("customer") && error.contains("first_name"), "{error}");
        let missing = text_of(&doc, "[data-testid=required-customer]").unwrap();
        assert!(missing.contains("holds customer: it is required"), "named beside it: {missing}");
        assert!(text_of(&doc, "[data-testid=mapping-preview]").unwrap().contains("olu@example.test"), "the first rows previewed");
        assert!(text_of(&doc, "[data-testid=dry-run]").is_none(), "no dry run without the required columns");
        let key = input(&body, "key");

        // Still one required column left out: 422, named beside it, the choices kept.
        let check = "/office/import/contacts/check";
        let res = app.submit(&client, "acme", "/office/import/contacts", check,
            &[("key", &key), ("file_name", "people.csv"), ("col", ""), ("col", "first_name"), ("col", "last_name"), ("col", "email"), ("col", "phone")]).await;
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        let doc = html(&body);
        assert_eq!(chosen(&body), ["", "first_name", "last_name", "email", "phone"], "what was chosen is kept");
        assert!(text_of(&doc, "[data-testid=required-customer]").unwrap().contains("customer"));
        assert!(text_of(&doc, "[data-testid=required-first_name]").is_none());
        assert!(text_of(&doc, "[data-testid=required-columns]").unwrap().contains("read from “Given Name”"));

        // One column of ours chosen twice: said beside both columns.
        let res = app.submit(&client, "acme", "/office/import/contacts", check,
            &[("key", &key), ("file_name", "people.csv"), ("col", "customer"), ("col", "first_name"), ("col", "first_name"), ("col", "email"), ("col", "")]).await;
        assert_eq!(res.status(), 422);
        let doc = html(&res.text().await.unwrap());
        for col in ["#col-2-error", "#col-3-error"] {
            assert!(text_of(&doc, col).unwrap().contains("Two columns are read as \"first_name\""), "{col}");
        }
        assert!(text_of(&doc, "#col-1-error").is_none());
        assert_eq!(crate::snapshot::snapshot(&app).await, before, "nothing written while mapping");

        // Mapped right: checked, then imported on its own page.
        let res = app.submit(&client, "acme", "/office/import/contacts", check,
            &[("key", &key), ("file_name", "people.csv"), ("col", "customer"), ("col", "first_name"), ("col", "last_name"), ("col", "email"), ("col", "phone")]).await;
        assert_eq!(res.status(), 200);
        let body = res.text().await.unwrap();
        assert_eq!(text_of(&html(&body), "[data-testid=to-create]").unwrap(), "2", "{body}");
        let mapping = input(&body, "mapping");
        assert_eq!(mapping, "customer,first_name,last_name,email,phone");
        let res = app.submit(&client, "acme", "/office/import/contacts", "/office/import/contacts/start",
            &[("key", &key), ("file_name", "people.csv"), ("mapping", &mapping)]).await;
        assert_eq!(res.status(), 303);
        let page = res.headers()["location"].to_str().unwrap().to_owned();
        let id: i64 = page.strip_prefix("/office/import/contacts/").expect("the kind's own page").parse().unwrap();
        let body = until_ended(&app, &client, &page).await;
        let doc = html(&body);
        assert!(text_of(&doc, "[data-testid=import-done]").unwrap().contains("All 2 rows imported: 2 contacts created, 0 updated"), "{body}");
        assert!(body.contains("href=\"/office/import\""), "back to the hub");
        let back = scraper::Selector::parse("[data-testid=back-to-list]").unwrap();
        assert_eq!(doc.select(&back).next().unwrap().value().attr("href"), Some("/office/customers"), "contacts are listed with their customers");
        assert!(!body.contains("/office/customers/import"), "nothing sends back to the customers import");
        let export = export(&app, &client, "contacts").await;
        assert!(export.contains("\r\nC-1,Ina,Iles,ina@example.test,"), "{export}");
        assert!(export.contains("\r\nC-2,Olu,,olu@example.test,"), "{export}");

        // The older address sends on to the import's own page; another kind's is not it.
        let res = client.get(app.url("acme", &format!("/office/customers/import/{id}"))).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], page.as_str());
        let (status, _) = get(&app, &client, &format!("/office/import/sites/{id}")).await;
        assert_eq!(status, 404, "an import is found under its own kind only");
        let (status, hub) = get(&app, &client, "/office/import").await;
        assert_eq!(status, 200);
        assert!(hub.contains(&format!("href=\"{page}\"")), "the hub lists it with its page");
    }
}

both_backends! {
    /// A sites import on its own page: the stream follows it to its end and a reload
    /// shows the result; a running one shows its bar and streams from its own address; a
    /// refused one lists its bad rows by line; each links back to the hub and the list.
    async fn a_sites_import_has_its_own_progress_page(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = office(&app).await;
        let token = csrf_of(&client, &app.url("acme", "/office/import/sites")).await;
        let file = b"customer,name,line1,city,external_ref\nC-1,Home,1 Main St,Springfield,S-1\nC-2,Depot,2 Dock Rd,Shelbyville,S-2\n";
        let (status, body) = post_file(&app, &client, "/office/import/sites", Some(&token), file).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(chosen(&body), ["customer", "name", "line1", "city", "external_ref"]);
        let (key, mapping) = (input(&body, "key"), input(&body, "mapping"));
        let res = app.submit(&client, "acme", "/office/import/sites", "/office/import/sites/start",
            &[("key", &key), ("file_name", "sites.csv"), ("mapping", &mapping)]).await;
        assert_eq!(res.status(), 303);
        let page = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(page.starts_with("/office/import/sites/"), "{page}");

        let res = client.get(app.url("acme", &format!("{page}/progress"))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        let stream = tokio::time::timeout(std::time::Duration::from_secs(60), res.text()).await.expect("the stream ends").unwrap();
        let last = stream.lines().filter_map(|l| l.strip_prefix("data: ")).next_back().unwrap();
        assert_eq!(serde_json::from_str::<serde_json::Value>(last).unwrap(), serde_json::json!({"status": "done", "done": 2, "total": 2}));
        let body = until_ended(&app, &client, &page).await;
        let doc = html(&body);
        assert!(text_of(&doc, "[data-testid=import-done]").unwrap().contains("2 sites created"), "{body}");
        let back = scraper::Selector::parse("[data-testid=back-to-hub]").unwrap();
        assert_eq!(doc.select(&back).next().unwrap().value().attr("href"), Some("/office/import"));

        // Running: its bar, fed from its own stream.
        let running = import_row(&app, ("acme", "office@acme.test"), "sites", ("running", 3, 8), "").await;
        let (status, body) = get(&app, &client, &format!("/office/import/sites/{running}")).await;
        assert_eq!(status, 200);
        assert!(body.contains(&format!("data-import-progress=\"/office/import/sites/{running}/progress\"")), "{body}");
        assert!(body.contains("3 of 8 rows imported"), "{body}");

        // Refused: every bad row by its line, nothing imported.
        let errors = r#"{"count":2,"rows":[{"row":3,"column":"line1","message":"Enter the street."},{"row":7,"column":"customer","message":"No active customer has this reference or number."}]}"#;
        let failed = import_row(&app, ("acme", "office@acme.test"), "sites", ("failed", 0, 9), errors).await;
        let (status, body) = get(&app, &client, &format!("/office/import/sites/{failed}")).await;
        assert_eq!(status, 200);
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=import-status]").unwrap(), "Nothing imported");
        let rows = text_of(&doc, "[data-testid=row-errors]").unwrap();
        assert!(rows.contains("Row 3: line1 — Enter the street.") && rows.contains("Row 7: customer — "), "{rows}");
        assert!(body.contains("href=\"/office/import/sites\""), "upload it again on the sites page");
    }
}

both_backends! {
    /// Another company's import, under any kind and at the older address, answers 404
    /// and shows nothing of it; so does a made-up id.
    async fn another_companys_import_is_not_found(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        let mut tx = app.store.begin().await.unwrap();
        tx.create_staff(bolt.id, "office@bolt.test", "Bea Volt", doorstep_core::status::StaffRole::Admin, None).await.unwrap();
        tx.commit().await.unwrap();
        let theirs = import_row(&app, ("bolt", "office@bolt.test"), "contacts", ("done", 4, 4), "").await;
        let client = office(&app).await;
        for path in [
            format!("/office/import/contacts/{theirs}"),
            format!("/office/import/contacts/{theirs}/progress"),
            format!("/office/customers/import/{theirs}"),
            format!("/office/customers/import/{theirs}/progress"),
            "/office/import/contacts/999999".to_owned(),
            "/office/import/contacts/abc".to_owned(),
        ] {
            let (status, body) = get(&app, &client, &path).await;
            assert_eq!(status, 404, "{path}");
            assert!(!body.contains("rows.csv"), "{path}");
        }
        let before = crate::snapshot::snapshot(&app).await;
        for action in [format!("/office/import/contacts/{theirs}/restart"), format!("/office/customers/import/{theirs}/restart")] {
            let res = app.submit(&client, "acme", "/office/import", &action, &[]).await;
            assert_eq!(res.status(), 404, "{action}");
        }
        assert_eq!(crate::snapshot::snapshot(&app).await, before);
        let (_, hub) = get(&app, &client, "/office/import").await;
        assert!(!hub.contains(&format!("/{theirs}\"")), "not listed");
    }
}

both_backends! {
    /// For every kind: a file with semicolons or tabs, one in Latin-1, an empty upload and
    /// one without its token are refused with the reason beside the file field, and
    /// nothing is written.
    async fn a_wrong_delimiter_or_encoding_is_refused_for_every_kind(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = office(&app).await;
        let before = crate::snapshot::snapshot(&app).await;
        for kind in ImportKind::ALL {
            let action = format!("/office/import/{}", kind.as_str());
            let token = csrf_of(&client, &app.url("acme", &action)).await;
            let first = kind.columns()[0].0;
            // Zürich as Latin-1 writes it: one byte that is no UTF-8.
            let latin1 = [format!("{first},x\nZ").as_bytes(), &[0xFC], b"rich,B\n"].concat();
            let cases: [(Vec<u8>, &str); 4] = [
                (format!("{first};x\nA;B\n").into_bytes(), "separated by semicolons"),
                (format!("{first}\tx\nA\tB\n").into_bytes(), "separated by tabs"),
                (latin1, "not UTF-8"),
                (Vec::new(), "Choose a CSV file"),
            ];
            for (file, reason) in cases {
                let (status, body) = post_file(&app, &client, &action, Some(&token), &file).await;
                assert_eq!(status, 422, "{action}: {reason}");
                let doc = html(&body);
                let said = text_of(&doc, "[data-testid=file-error]").unwrap_or_else(|| panic!("{action}: {body}"));
                assert!(said.contains(reason), "{action}: {said}");
                assert!(body.contains("aria-describedby=\"file-hint file-error\""), "{action}: beside the field");
                assert!(text_of(&doc, "[data-testid=mapping]").is_none(), "{action}");
            }
            let (status, _) = post_file(&app, &client, &action, None, b"name\nA\n").await;
            assert_eq!(status, 403, "{action}: an upload without its token");
        }
        assert_eq!(crate::snapshot::snapshot(&app).await, before, "nothing written");
    }
}
