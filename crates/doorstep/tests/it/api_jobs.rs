//! The jobs endpoints of the JSON API over HTTP (issue 20): create, read, list with its
//! filters and cursor, PATCH, upsert by external id, status moves through the office's
//! rules, the crew; and every refusal as problem+json with nothing written.

use doorstep_core::ids::{CompanyId, CustomerId};
use doorstep_testkit::{Backend, both_backends};
use serde_json::{Value, json};

use crate::api::{Setup, call, insert_job, problem, setup};

async fn acme(s: &Setup) -> (CompanyId, i64, i64) {
    let acme = s.app.store.company_by_slug("acme").await.unwrap().unwrap();
    let customers = s
        .app
        .store
        .api_customers(acme.id, None, None, 10)
        .await
        .unwrap();
    (acme.id, customers[0].id, customers[1].id)
}

/// Every row a request could write, but the keys' last use (a refused call still used it).
async fn written(app: &crate::helpers::TestApp) -> crate::snapshot::Snapshot {
    crate::snapshot::snapshot(app)
        .await
        .into_iter()
        .filter(|(t, _)| *t != "api_keys")
        .collect()
}

/// Walks the job list from `path` (which has no cursor) page by page: every id.
async fn walk(s: &Setup, path: &str) -> Vec<i64> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut next = path.to_owned();
    let mut seen = Vec::new();
    loop {
        let (status, _, page) =
            call(&s.app, &s.api, "acme", "GET", &next, Some(&s.write), None).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|j| j["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => next = format!("{path}{sep}cursor={c}"),
            None => return seen,
        }
    }
}

both_backends! {
    /// Create, read, list (by customer, by status, a page at a time), PATCH, upsert.
    async fn jobs_are_created_read_listed_updated_and_upserted(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (_, household, harbor) = acme(&s).await;
        let (status, headers, made) = call(app, api, "acme", "POST", "/api/v1/jobs", key,
            Some(json!({"customer_id": household, "summary": "Replace the water heater", "customer_notes": "Clear the garage", "external_ref": "fsm-1"}))).await;
        assert_eq!(status, 201, "{made}");
        let id = made["id"].as_i64().unwrap();
        assert_eq!(headers["location"], format!("/api/v1/jobs/{id}"));
        assert_eq!((made["status"].as_str(), made["customer_id"].as_i64(), made["customer_notes"].as_str(), made["external_ref"].as_str()),
            (Some("unscheduled"), Some(household), Some("Clear the garage"), Some("fsm-1")));
        assert!(made["number"].as_str().unwrap().starts_with("J-"));
        assert_eq!(made["currency"], "USD");
        let (status, _, read) = call(app, api, "acme", "GET", &format!("/api/v1/jobs/{id}"), key, None).await;
        assert_eq!((status, &read), (200, &made));

        let other = call(app, api, "acme", "POST", "/api/v1/jobs", key, Some(json!({"customer_id": harbor, "summary": "Boiler service"}))).await.2;
        let other = other["id"].as_i64().unwrap();
        assert_eq!(walk(&s, "/api/v1/jobs?limit=1").await, vec![id, other]);
        assert_eq!(walk(&s, &format!("/api/v1/jobs?customer_id={harbor}")).await, vec![other]);
        assert_eq!(walk(&s, "/api/v1/jobs?status=unscheduled&limit=1").await, vec![id, other]);
        assert_eq!(walk(&s, "/api/v1/jobs?status=completed").await, Vec::<i64>::new());

        // PATCH changes what it sends and keeps the rest.
        let (status, _, saved) = call(app, api, "acme", "PATCH", &format!("/api/v1/jobs/{id}"), key,
            Some(json!({"summary": "Replace the heater", "work_order_notes": "Gate 4321"}))).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!((saved["summary"].as_str(), saved["work_order_notes"].as_str(), saved["customer_notes"].as_str()),
            (Some("Replace the heater"), Some("Gate 4321"), Some("Clear the garage")));

        // The upsert makes the job once, then updates it, keeping the fields not sent.
        let path = "/api/v1/jobs/external/fsm-2";
        let (status, _, first) = call(app, api, "acme", "PUT", path, key, Some(json!({"customer_id": harbor, "summary": "Leak", "description": "Kitchen"}))).await;
        assert_eq!(status, 201, "{first}");
        let (status, _, again) = call(app, api, "acme", "PUT", path, key, Some(json!({"customer_id": harbor, "summary": "Leak, urgent"}))).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!((again["id"].as_i64(), again["summary"].as_str(), again["description"].as_str(), again["external_ref"].as_str()),
            (first["id"].as_i64(), Some("Leak, urgent"), Some("Kitchen"), Some("fsm-2")));
        // The job the upsert of fsm-1 finds is the one POST made.
        let (status, _, by_ref) = call(app, api, "acme", "PUT", "/api/v1/jobs/external/fsm-1", key, Some(json!({"customer_id": household}))).await;
        assert_eq!((status, by_ref["id"].as_i64(), by_ref["summary"].as_str()), (200, Some(id), Some("Replace the heater")));
    }

    /// A status move follows the office's rules and records what the office's does.
    async fn a_status_move_is_the_offices(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (acme_id, household, _) = acme(&s).await;
        let id = insert_job(app, acme_id, CustomerId(household), "J-9").await;
        let path = format!("/api/v1/jobs/{id}/status");
        let (status, _, moved) = call(app, api, "acme", "POST", &path, key, Some(json!({"status": "on_the_way"}))).await;
        assert_eq!((status, moved["status"].as_str()), (200, Some("on_the_way")), "{moved}");
        assert!(app.store.audit_actions(acme_id).await.unwrap().iter().any(|a| a == "job.status_changed"));
        let before = written(app).await;
        // Backwards, to a word it does not know, and to scheduled: refused by the rules.
        for (to, field) in [("scheduled", "status"), ("flying", "status")] {
            let answer = call(app, api, "acme", "POST", &path, key, Some(json!({"status": to}))).await;
            problem(&answer, 422, "validation");
            assert_eq!(answer.2["errors"][0]["field"], field);
        }
        problem(&call(app, api, "acme", "POST", &path, key, Some(json!({"state": "completed"}))).await, 422, "validation");
        assert!(before == written(app).await, "nothing written");
        let (status, _, done) = call(app, api, "acme", "POST", &path, key, Some(json!({"status": "completed"}))).await;
        assert_eq!((status, done["status"].as_str()), (200, Some("completed")));
        assert!(done["completed_at"].is_string() || done["completed_at"].is_null());
        problem(&call(app, api, "acme", "POST", &path, key, Some(json!({"status": "cancelled"}))).await, 422, "validation");
    }

    /// The crew is set whole, from the company's own technicians only.
    async fn technicians_are_put_on_a_job(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (acme_id, household, _) = acme(&s).await;
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        let mut tx = app.store.begin().await.unwrap();
        let tess = tx.insert_technician(acme_id, "Tess", "").await.unwrap();
        let bolts = tx.insert_technician(bolt.id, "Ben", "").await.unwrap();
        tx.commit().await.unwrap();
        let id = insert_job(app, acme_id, CustomerId(household), "J-9").await;
        let path = format!("/api/v1/jobs/{id}/technicians");
        let (status, _, saved) = call(app, api, "acme", "PUT", &path, key, Some(json!({"technician_ids": [tess.0]}))).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["technicians"], json!([{"id": tess.0, "name": "Tess"}]));
        let before = written(app).await;
        let answer = call(app, api, "acme", "PUT", &path, key, Some(json!({"technician_ids": [bolts.0]}))).await;
        problem(&answer, 422, "validation");
        assert_eq!(answer.2["errors"][0]["field"], "technician_ids");
        problem(&call(app, api, "acme", "PUT", &path, key, Some(json!({"technician_ids": "Tess"}))).await, 422, "validation");
        assert!(before == written(app).await, "nothing written");
        let (_, _, cleared) = call(app, api, "acme", "PUT", &path, key, Some(json!({"technician_ids": []}))).await;
        assert_eq!(cleared["technicians"], json!([]));
    }

    /// Every refusal of the jobs endpoints, each a problem, none writing anything.
    async fn every_jobs_refusal_is_a_problem(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (acme_id, household, harbor) = acme(&s).await;
        let id = insert_job(app, acme_id, CustomerId(household), "J-9").await;
        let one = format!("/api/v1/jobs/{id}");
        let writes: Vec<(&str, String, Value)> = vec![
            ("POST", "/api/v1/jobs".into(), json!({"customer_id": household, "summary": "x"})),
            ("PATCH", one.clone(), json!({"summary": "x"})),
            ("PUT", "/api/v1/jobs/external/r-1".into(), json!({"customer_id": household, "summary": "x"})),
            ("POST", format!("{one}/status"), json!({"status": "cancelled"})),
            ("PUT", format!("{one}/technicians"), json!({"technician_ids": []})),
        ];
        let before = written(app).await;
        for (method, path, body) in &writes {
            problem(&call(app, api, "acme", method, path, None, Some(body.clone())).await, 401, "unauthorized");
            problem(&call(app, api, "acme", method, path, Some(&s.read), Some(body.clone())).await, 403, "forbidden");
            problem(&call(app, api, "acme", method, path, key, Some(json!({"nonsense": 1}))).await, 422, "validation");
        }
        for path in ["/api/v1/jobs", one.as_str()] {
            problem(&call(app, api, "acme", "GET", path, None, None).await, 401, "unauthorized");
        }
        for wrong in ["999999", "abc", "0"] {
            let p = format!("/api/v1/jobs/{wrong}");
            problem(&call(app, api, "acme", "GET", &p, key, None).await, 404, "not-found");
            problem(&call(app, api, "acme", "PATCH", &p, key, Some(json!({"summary": "x"}))).await, 404, "not-found");
            problem(&call(app, api, "acme", "POST", &format!("{p}/status"), key, Some(json!({"status": "cancelled"}))).await, 404, "not-found");
            problem(&call(app, api, "acme", "PUT", &format!("{p}/technicians"), key, Some(json!({"technician_ids": []}))).await, 404, "not-found");
        }
        for q in ["status=flying", "customer_id=abc", "limit=0", "cursor=zz"] {
            problem(&call(app, api, "acme", "GET", &format!("/api/v1/jobs?{q}"), key, None).await, 400, "invalid-parameter");
        }
        // Fields refused, named as the API names them.
        for (body, field) in [
            (json!({"summary": "x"}), "customer_id"),
            (json!({"customer_id": household, "summary": ""}), "summary"),
            (json!({"customer_id": 999999, "summary": "x"}), "customer_id"),
            (json!({"customer_id": household, "summary": "x", "site_id": 999999}), "site_id"),
            (json!({"customer_id": household, "summary": "x", "job_type_id": 999999}), "job_type_id"),
            (json!({"customer_id": s.bolt_customer, "summary": "x"}), "customer_id"),
        ] {
            let answer = call(app, api, "acme", "POST", "/api/v1/jobs", key, Some(body)).await;
            problem(&answer, 422, "validation");
            assert!(answer.2["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{field}: {}", answer.2);
        }
        for (body, field) in [(json!({"customer_id": harbor}), "customer_id"), (json!({"external_ref": "other"}), "external_ref"), (json!({"summary": ""}), "summary")] {
            let answer = call(app, api, "acme", "PATCH", &one, key, Some(body)).await;
            problem(&answer, 422, "validation");
            assert_eq!(answer.2["errors"][0]["field"], field);
        }
        problem(&call(app, api, "acme", "PUT", "/api/v1/jobs/external/r-1", key, Some(json!({"summary": "x"}))).await, 422, "validation");
        assert!(before == written(app).await, "nothing written");
        // An external id is one job's: made again by POST, a clash; the upsert finding
        // it with another customer is refused.
        let made = call(app, api, "acme", "PUT", "/api/v1/jobs/external/r-1", key, Some(json!({"customer_id": household, "summary": "x"}))).await;
        assert_eq!(made.0, 201);
        problem(&call(app, api, "acme", "POST", "/api/v1/jobs", key, Some(json!({"customer_id": household, "summary": "x", "external_ref": "r-1"}))).await, 409, "duplicate");
        let moved = call(app, api, "acme", "PUT", "/api/v1/jobs/external/r-1", key, Some(json!({"customer_id": harbor, "summary": "x"}))).await;
        problem(&moved, 422, "validation");
        assert_eq!(moved.2["errors"][0]["field"], "customer_id");
    }

    /// The same Idempotency-Key and body returns the first answer and makes one job.
    async fn a_job_post_retried_with_its_key_makes_one_job(backend: Backend) {
        let s = setup(backend).await;
        let (app, key) = (&s.app, &s.write);
        let (acme_id, household, _) = acme(&s).await;
        let body = json!({"customer_id": household, "summary": "Once"}).to_string();
        let send = || s.api.post(app.url("acme", "/api/v1/jobs")).bearer_auth(key)
            .header("idempotency-key", "job-once").header("content-type", "application/json").body(body.clone()).send();
        let first = send().await.unwrap();
        assert_eq!(first.status(), 201);
        let first = first.text().await.unwrap();
        let again = send().await.unwrap();
        assert_eq!(again.status(), 201);
        assert_eq!(again.text().await.unwrap(), first);
        let all = doorstep_store::api_jobs::ApiJobFilter::default();
        assert_eq!(app.store.api_jobs(acme_id, &all, 100).await.unwrap().len(), 1);
    }
}
