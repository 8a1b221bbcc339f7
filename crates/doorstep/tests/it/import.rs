//! The customers CSV import over HTTP: the upload needs its CSRF token; a wrong delimiter
//! and a bad row are answered with the reason on the page; a good file's dry run offers
//! the import, whose page then shows it done; a contact never reaches the pages.

use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{
    TestApp, csrf_of, html, multipart_body, office, seed_people, sign_in, text_of,
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
        assert!(list.contains("href=\"/office/customers/import\""), "the list links the import");
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
        assert!(page.starts_with("/office/customers/import/"));
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
        assert_eq!(progress.text().await.unwrap(), r#"{"done":2,"status":"done","total":2}"#);

        // A portal contact is sent to the office's sign-in, as anyone not on the staff.
        let contact = app.client(&["acme"]);
        sign_in(&app, &contact, "acme", "dana@example.test").await;
        let res = contact.get(app.url("acme", "/office/customers/import")).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/office");
    }
}
