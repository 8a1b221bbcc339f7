//! The customers CSV import over HTTP: the upload needs its CSRF token; a wrong delimiter
//! and a bad row are answered with the reason on the page; a good file's dry run offers
//! the import, whose page then shows it done; a contact never reaches the pages.

use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{
    TestApp, csrf_of, html, multipart_body, office, seed_people, serve_node, sign_in, text_of,
};

/// Posts `file` to the upload form (token first, as the page's form sends it).
async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    token: Option<&str>,
    file: &[u8],
) -> (u16, String) {
    let fields: Vec<(&str, &str)> = token.map(|t| ("csrf_token", t)).into_iter().collect();
    let (content_type, body) = multipart_body(&fields, "file", &[("customers.csv", file)]);
    let res = client
        .post(app.url("acme", "/office/customers/import"))
        .header("origin", app.origin("acme"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

both_backends! {
    /// The whole flow, and each refusal's message.
    async fn the_office_checks_and_imports_a_file(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = office(&app).await;
        let list = client.get(app.url("acme", "/office/customers")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("href=\"/office/import/customers\""), "the list links the import");
        let token = csrf_of(&client, &app.url("acme", "/office/customers/import")).await;

        let template = client.get(app.url("acme", "/office/customers/import/template.csv")).send().await.unwrap();
        assert_eq!(template.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(template.text().await.unwrap().starts_with("name,type,email,phone,mobile,"));

        let good = b"name,email,external_ref\nAda Importer,ada@example.test,CRM-1\nBo Importer,,CRM-2\n";
        let (status, _) = upload(&app, &client, None, good).await;
        assert_eq!(status, 403, "an upload without its token is refused");

        let (status, body) = upload(&app, &client, Some(&token), b"name;email\nAda;a@example.test\n").await;
        assert_eq!(status, 422);
        let doc = html(&body);
        assert!(text_of(&doc, "[data-testid=file-error]").unwrap().contains("separated by semicolons"), "{body}");

        let (status, body) = upload(&app, &client, Some(&token), b"name,email\nAda,ada@example.test\nBo,nope\n").await;
        assert_eq!(status, 422);
        let errors = text_of(&html(&body), "[data-testid=row-errors]").unwrap();
        assert!(errors.contains("Row 3: email — "), "{errors}");
        assert!(!body.contains("data-testid=\"start-import\""), "no import offered for a bad file");

        let (status, body) = upload(&app, &client, Some(&token), good).await;
        assert_eq!(status, 200);
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=to-create]").unwrap(), "2");
        let sel = scraper::Selector::parse("input[name=key]").unwrap();
        let key = doc.select(&sel).next().unwrap().value().attr("value").unwrap().to_owned();
        let res = app.submit(&client, "acme", "/office/customers/import", "/office/customers/import/start",
            &[("key", key.as_str()), ("file_name", "customers.csv")]).await;
        assert_eq!(res.status(), 303);
        let page = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(page.starts_with("/office/import/customers/"), "{page}");
        let mut done = String::new();
        for _ in 0..200 {
            let body = client.get(app.url("acme", &page)).send().await.unwrap().text().await.unwrap();
            if let Some(t) = text_of(&html(&body), "[data-testid=import-done]") {
                done = t;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(done.contains("All 2 rows imported: 2 customers created, 0 updated"), "{done}");
        let found = client.get(app.url("acme", "/office/customers?q=Ada+Imp")).send().await.unwrap().text().await.unwrap();
        assert!(found.contains("Ada Importer"));

        // The same key twice: the file is gone once its import ran.
        let res = app.submit(&client, "acme", "/office/customers/import", "/office/customers/import/start",
            &[("key", key.as_str()), ("file_name", "customers.csv")]).await;
        assert_eq!(res.status(), 409);
        assert!(res.text().await.unwrap().contains("Upload it again"));
        let progress = client.get(app.url("acme", &format!("{page}/progress"))).send().await.unwrap();
        assert_eq!(progress.headers()["content-type"], "text/event-stream");
        assert_eq!(progress.text().await.unwrap(), "event: progress\ndata: {\"done\":2,\"status\":\"done\",\"total\":2}\n\n",
            "one event, and the stream ends with the import");

        // Columns under other headers: matched on the mapping page, previewed, then checked
        // and imported as chosen.
        let (status, body) = upload(&app, &client, Some(&token), b"Client,E-mail,Junk\nMapped Person,mapped@example.test,zz\n").await;
        assert_eq!(status, 200);
        let doc = html(&body);
        assert!(text_of(&doc, "[data-testid=mapping-error]").unwrap().contains("name"), "{body}");
        assert!(text_of(&doc, "[data-testid=mapping-preview]").unwrap().contains("mapped@example.test"));
        let selected = scraper::Selector::parse("select[name=col] option[selected]").unwrap();
        let chosen: Vec<_> = doc.select(&selected).map(|o| o.value().attr("value").unwrap().to_owned()).collect();
        assert_eq!(chosen, ["", "email", ""], "matched by name, the rest ignored");
        assert!(text_of(&doc, "[data-testid=dry-run]").is_none(), "no dry run without a name");
        let sel = scraper::Selector::parse("input[name=key]").unwrap();
        let key = doc.select(&sel).next().unwrap().value().attr("value").unwrap().to_owned();
        let res = app.submit(&client, "acme", "/office/customers/import", "/office/customers/import/check",
            &[("key", key.as_str()), ("file_name", "mapped.csv"), ("col", "name"), ("col", "email"), ("col", "")]).await;
        assert_eq!(res.status(), 200);
        let body = res.text().await.unwrap();
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=to-create]").unwrap(), "1", "{body}");
        let mapping = scraper::Selector::parse("input[name=mapping]").unwrap();
        let mapping = doc.select(&mapping).next().unwrap().value().attr("value").unwrap().to_owned();
        assert_eq!(mapping, "name,email,");
        let res = app.submit(&client, "acme", "/office/customers/import", "/office/customers/import/start",
            &[("key", key.as_str()), ("file_name", "mapped.csv"), ("mapping", mapping.as_str())]).await;
        assert_eq!(res.status(), 303);
        let id: i64 = res.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
        let base = app.origin("acme");
        let events = stream_to_end(&client, &base, id).await;
        assert_eq!(events.last().unwrap()["status"], "done");
        let found = client.get(app.url("acme", "/office/customers?q=Mapped+Person")).send().await.unwrap().text().await.unwrap();
        assert!(found.contains("mapped@example.test") || found.contains("Mapped Person"));

        // A portal contact is sent to the office's sign-in, as anyone not on the staff.
        let contact = app.client(&["acme"]);
        sign_in(&app, &contact, "acme", "dana@example.test").await;
        let res = contact.get(app.url("acme", "/office/customers/import")).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/office");
    }
}

/// A row of `imports` for acme's administrator: `status`, `done` of `total`, heartbeat
/// `age` ago, kept file `key`; its id.
async fn import_row(
    app: &TestApp,
    status: &str,
    done: i64,
    total: i64,
    age: time::Duration,
    key: Option<&str>,
) -> i64 {
    let beat = doorstep_store::db_time(doorstep_store::now() - age);
    doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(
        "INSERT INTO imports (company_id, staff_user_id, kind, file_name, status, total, done, created_at, updated_at, file_key) \
         SELECT c.id, s.id, 'customers', 'halfway.csv', $1, $2, $3, $4, $4, $5 FROM companies c \
         JOIN staff_users s ON s.company_id = c.id WHERE c.slug = 'acme' AND s.email = 'office@acme.test' RETURNING id")
        .bind(status).bind(total).bind(done).bind(beat).bind(key).fetch_one(p).await).unwrap()
}

/// The progress stream of import `id` at `base`, read to its end (the import ended).
async fn stream_to_end(client: &reqwest::Client, base: &str, id: i64) -> Vec<serde_json::Value> {
    let res = client
        .get(format!("{base}/office/customers/import/{id}/progress"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = tokio::time::timeout(std::time::Duration::from_secs(60), res.text())
        .await
        .expect("the stream ends")
        .unwrap();
    body.lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

both_backends! {
    /// Progress is read from the import's row: a second server process on the same
    /// database shows an import's count, follows one started on the first to its end,
    /// shows an import whose heartbeat stopped as Stopped (nothing imported), and starts
    /// its kept file again.
    async fn another_node_follows_imports_and_restarts_a_stopped_one(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = office(&app).await;
        let (_node, b) = serve_node(&app.db.url, &app.data_dir()).await;
        let base = format!("http://acme.localhost:{}", b.port());
        let page_of = |id: i64| {
            let (client, base) = (client.clone(), base.clone());
            async move {
                let res = client.get(format!("{base}/office/import/customers/{id}")).send().await.unwrap();
                assert_eq!(res.status(), 200);
                res.text().await.unwrap()
            }
        };

        // Halfway, as its node last wrote it: the other node shows the count.
        let halfway = import_row(&app, "running", 7, 10, time::Duration::seconds(1), None).await;
        let body = page_of(halfway).await;
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=import-status]").unwrap(), "Importing");
        assert!(body.contains("7 of 10 rows imported"), "{body}");

        // Its heartbeat older than the lease: its node went away.
        let stale = import_row(&app, "running", 7, 10, time::Duration::minutes(3), None).await;
        let body = page_of(stale).await;
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=import-status]").unwrap(), "Stopped — nothing was imported");
        assert!(text_of(&doc, "[data-testid=import-stopped]").is_some());
        assert!(!body.contains("restart-import"), "no file kept: upload it again");
        let events = stream_to_end(&client, &base, stale).await;
        assert_eq!(events.last().unwrap()["status"], "stopped");

        // A stopped import whose file is kept is started again, on the other node.
        let token = csrf_of(&client, &app.url("acme", "/office/customers/import")).await;
        let (status, body) = upload(&app, &client, Some(&token), b"name,external_ref\nRestarted One,RS-1\nRestarted Two,RS-2\n").await;
        assert_eq!(status, 200);
        let sel = scraper::Selector::parse("input[name=key]").unwrap();
        let key = html(&body).select(&sel).next().unwrap().value().attr("value").unwrap().to_owned();
        let kept = import_row(&app, "running", 0, 2, time::Duration::minutes(3), Some(&key)).await;
        assert!(page_of(kept).await.contains("data-testid=\"restart-import\""));
        let token = csrf_of(&client, &format!("{base}/office/import/customers/{kept}")).await;
        let res = client.post(format!("{base}/office/customers/import/{kept}/restart")).header("origin", &base)
            .form(&[("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let new: i64 = res.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
        let events = stream_to_end(&client, &base, new).await;
        assert_eq!(events.last().unwrap(), &serde_json::json!({"status": "done", "done": 2, "total": 2}));
        let old = page_of(kept).await;
        assert!(text_of(&html(&old), "[data-testid=row-errors]").unwrap().contains("went away"), "{old}");
        // Restarting twice is refused: it is no longer stopped.
        let res = client.post(format!("{base}/office/customers/import/{kept}/restart")).header("origin", &base)
            .form(&[("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 409);

        // Started on the first node, followed on the second to its end.
        let mut file = String::from("name,external_ref\n");
        for i in 0..3000 {
            file.push_str(&format!("Node Person {i},NODE-{i}\n"));
        }
        let (status, body) = upload(&app, &client, Some(&token_of(&app, &client).await), file.as_bytes()).await;
        assert_eq!(status, 200);
        let key = html(&body).select(&sel).next().unwrap().value().attr("value").unwrap().to_owned();
        let res = app.submit(&client, "acme", "/office/customers/import", "/office/customers/import/start",
            &[("key", key.as_str()), ("file_name", "nodes.csv")]).await;
        assert_eq!(res.status(), 303);
        let id: i64 = res.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
        let events = stream_to_end(&client, &base, id).await;
        for e in &events {
            assert!(e["done"].as_i64().unwrap() <= e["total"].as_i64().unwrap(), "{e}");
        }
        assert_eq!(events.last().unwrap(), &serde_json::json!({"status": "done", "done": 3000, "total": 3000}));
        let body = page_of(id).await;
        assert!(text_of(&html(&body), "[data-testid=import-done]").unwrap().contains("3000 customers created"), "{body}");
    }
}

async fn token_of(app: &TestApp, client: &reqwest::Client) -> String {
    csrf_of(client, &app.url("acme", "/office/customers/import")).await
}
