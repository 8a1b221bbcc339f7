//! A job's photos and documents through the JSON API (issue 20): added by multipart (each
//! checked by content as the office's upload is; all or nothing), listed, read, downloaded,
//! shown and hidden to the customer, removed; an `Idempotency-Key` retry adds nothing
//! twice; every refusal a problem with nothing written.

use doorstep_testkit::{Backend, both_backends};
use serde_json::{Value, json};

use crate::api::{Setup, call, problem, setup};
use crate::helpers::multipart_body;
use crate::job_files::{PDF, png};

/// A job of Acme's first customer, made through the API; its id.
async fn a_job(s: &Setup) -> i64 {
    let acme = s.app.store.company_by_slug("acme").await.unwrap().unwrap();
    let customer = s
        .app
        .store
        .api_customers(acme.id, None, None, 1)
        .await
        .unwrap()[0]
        .id;
    let (status, _, made) = call(
        &s.app,
        &s.api,
        "acme",
        "POST",
        "/api/v1/jobs",
        Some(&s.write),
        Some(json!({"customer_id": customer, "summary": "Water heater swap"})),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    made["id"].as_i64().unwrap()
}

/// Posts `files` with `visible` to job `job` with `key` (and an `Idempotency-Key`).
async fn upload(
    s: &Setup,
    job: &str,
    key: &str,
    visible: &str,
    files: &[(&str, &[u8])],
    idem: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let (content_type, body) = multipart_body(&[("visible", visible)], "files", files);
    let mut req = s
        .api
        .post(s.app.url("acme", &format!("/api/v1/jobs/{job}/files")))
        .bearer_auth(key)
        .header("content-type", content_type)
        .body(body);
    if let Some(i) = idem {
        req = req.header("idempotency-key", i);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// An upload refused: on job, visible, files; status, problem, the field named.
type Refusal<'a> = (
    &'a str,
    &'a str,
    Vec<(&'a str, &'a [u8])>,
    u16,
    &'a str,
    &'a str,
);

/// Rows a refused call could write (the keys' last use aside).
async fn written(app: &crate::helpers::TestApp) -> crate::snapshot::Snapshot {
    crate::snapshot::snapshot(app)
        .await
        .into_iter()
        .filter(|(t, _)| *t != "api_keys")
        .collect()
}

both_backends! {
    /// Add a photo and a PDF, list, read, download, hide, remove; a retry adds nothing.
    async fn a_jobs_files_are_added_listed_downloaded_hidden_and_removed(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let job = a_job(&s).await.to_string();
        let photo = png();
        let files: &[(&str, &[u8])] = &[("boiler.png", &photo), ("warranty.pdf", PDF)];
        let (status, headers, added) = upload(&s, &job, &s.write, "yes", files, Some("files-1")).await;
        assert_eq!(status, 201, "{added}");
        assert!(headers.get("idempotent-replayed").is_none());
        let data = added["data"].as_array().unwrap();
        assert_eq!(data.len(), 2);
        let (png_file, pdf_file) = (&data[0], &data[1]);
        assert_eq!(png_file["kind"], "photo");
        assert_eq!(png_file["content_type"], "image/png");
        assert_eq!(pdf_file["kind"], "document");
        assert_eq!(pdf_file["filename"], "warranty.pdf");
        assert_eq!(pdf_file["size_bytes"], PDF.len());
        assert!(data.iter().all(|f| f["customer_visible"] == true));
        // The same request again: the first answer, no third file.
        let (status, headers, again) = upload(&s, &job, &s.write, "yes", files, Some("files-1")).await;
        assert_eq!(status, 201);
        assert_eq!(headers["idempotent-replayed"], "true");
        assert_eq!(again, added);
        let (status, _, list) = call(app, api, "acme", "GET", &format!("/api/v1/jobs/{job}/files"), key, None).await;
        assert_eq!(status, 200);
        assert_eq!(list["data"], added["data"], "listed as added");
        // Read and download the PDF, as stored.
        let pdf_id = pdf_file["id"].as_i64().unwrap();
        let one = format!("/api/v1/jobs/{job}/files/{pdf_id}");
        let (status, _, read) = call(app, api, "acme", "GET", &one, Some(&s.read), None).await;
        assert_eq!(status, 200);
        assert_eq!(&read, pdf_file);
        let bytes = api.get(app.url("acme", pdf_file["content_url"].as_str().unwrap())).bearer_auth(&s.read)
            .send().await.unwrap();
        assert_eq!(bytes.status(), 200);
        assert_eq!(bytes.headers()["content-type"], "application/octet-stream");
        assert!(bytes.headers()["content-disposition"].to_str().unwrap().contains("warranty.pdf"));
        assert_eq!(bytes.bytes().await.unwrap().as_ref(), PDF);
        // Hide it from the customer, then remove it.
        let (status, _, hidden) = call(app, api, "acme", "PATCH", &one, key, Some(json!({"customer_visible": false}))).await;
        assert_eq!(status, 200, "{hidden}");
        assert_eq!(hidden["customer_visible"], false);
        let (status, _, _) = call(app, api, "acme", "DELETE", &one, key, None).await;
        assert_eq!(status, 204);
        problem(&call(app, api, "acme", "GET", &one, key, None).await, 404, "not-found");
        let (_, _, list) = call(app, api, "acme", "GET", &format!("/api/v1/jobs/{job}/files"), key, None).await;
        assert_eq!(list["data"].as_array().unwrap().len(), 1, "the photo stays");
        // Each change is in the audit log, as the office's are.
        let acme = app.store.company_by_slug("acme").await.unwrap().unwrap();
        let actions = app.store.audit_actions(acme.id).await.unwrap();
        for action in ["job.files_added", "job.file_hidden", "job.file_removed"] {
            assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
        }
    }

    /// Bad content, no files, too many, a wrong visibility, a read key, a wrong job or
    /// file, a body that is not multipart: each a problem, and nothing written.
    async fn bad_uploads_are_refused_with_nothing_written(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let job = a_job(&s).await.to_string();
        let before = written(app).await;
        let photo = png();
        let fake: &[u8] = b"MZ\x90\x00 not a picture at all";
        let refusals: Vec<Refusal> = vec![
            // (job, visible, files, status, problem, field)
            (&job, "yes", vec![("boiler.png", &photo), ("run.exe", fake)], 422, "validation", "files"),
            (&job, "yes", vec![], 422, "validation", "files"),
            (&job, "yes", vec![("a.pdf", PDF), ("b.pdf", PDF), ("c.pdf", PDF), ("d.pdf", PDF), ("e.pdf", PDF)], 422, "validation", "files"),
            (&job, "maybe", vec![("a.pdf", PDF)], 422, "validation", "visible"),
            ("999999", "yes", vec![("a.pdf", PDF)], 404, "not-found", ""),
            ("abc", "yes", vec![("a.pdf", PDF)], 404, "not-found", ""),
        ];
        for (on, visible, files, status, slug, field) in refusals {
            let answer = upload(&s, on, &s.write, visible, &files, None).await;
            problem(&answer, status, slug);
            if !field.is_empty() {
                assert_eq!(answer.2["errors"][0]["field"], field, "{}", answer.2);
            }
        }
        problem(&upload(&s, &job, &s.read, "yes", &[("a.pdf", PDF)], None).await, 403, "forbidden");
        // Not multipart at all.
        problem(&call(app, api, "acme", "POST", &format!("/api/v1/jobs/{job}/files"), key, Some(json!({"files": []}))).await, 422, "validation");
        // Wrong files and bodies on the file routes.
        for path in [format!("/api/v1/jobs/{job}/files/999999"), format!("/api/v1/jobs/{job}/files/x"), "/api/v1/jobs/999999/files/1".to_owned()] {
            problem(&call(app, api, "acme", "GET", &path, key, None).await, 404, "not-found");
            problem(&call(app, api, "acme", "PATCH", &path, key, Some(json!({"customer_visible": true}))).await, 404, "not-found");
            problem(&call(app, api, "acme", "DELETE", &path, key, None).await, 404, "not-found");
            problem(&call(app, api, "acme", "GET", &format!("{path}/content"), key, None).await, 404, "not-found");
        }
        assert!(written(app).await == before, "nothing written");
        // A real file: a wrong body and a read key change nothing either.
        let (status, _, added) = upload(&s, &job, &s.write, "no", &[("a.pdf", PDF)], None).await;
        assert_eq!(status, 201);
        let one = format!("/api/v1/jobs/{job}/files/{}", added["data"][0]["id"]);
        let before = written(app).await;
        problem(&call(app, api, "acme", "PATCH", &one, key, Some(json!({"customer_visible": "yes"}))).await, 422, "validation");
        problem(&call(app, api, "acme", "PATCH", &one, Some(&s.read), Some(json!({"customer_visible": true}))).await, 403, "forbidden");
        problem(&call(app, api, "acme", "DELETE", &one, Some(&s.read), None).await, 403, "forbidden");
        assert!(written(app).await == before, "nothing written");
    }
}
