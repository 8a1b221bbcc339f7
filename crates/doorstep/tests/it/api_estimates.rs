//! The JSON API's estimates, catalogue items, job lines and job scheduling over HTTP
//! (issue 20, api-estimates): drafts with lines made, read, listed, changed, upserted by
//! external id, sent (the office's email) and converted to a job; catalogue items added,
//! changed, hidden and shown as the key's administrator; a job's lines read and replaced;
//! a job scheduled and unscheduled; every refusal as problem+json with nothing written.
//! Bolt's estimate and catalogue item for the isolation test in `it/api.rs` are made here.

use doorstep_core::ids::{CatalogueItemId, CompanyId, CustomerId, EstimateId};
use doorstep_core::status::EstimateStatus;
use doorstep_store::api_estimates::{ApiCatalogueItem, ApiEstimate};
use doorstep_store::billing::NewEstimate;
use doorstep_store::catalogue::CatalogueInput;
use doorstep_testkit::{Backend, both_backends};
use serde_json::{Value, json};

use crate::api::{Setup, call, problem, setup};
use crate::helpers::TestApp;

/// Bolt's draft estimate and catalogue item, by id.
pub(crate) struct BoltEstimates {
    estimate: i64,
    item: i64,
}

impl BoltEstimates {
    /// Bolt's id for an API route of this file's kinds, by the route's prefix.
    pub(crate) fn id_for(&self, path: &str) -> Option<i64> {
        if path.starts_with("/api/v1/estimates") {
            Some(self.estimate)
        } else if path.starts_with("/api/v1/catalogue-items") {
            Some(self.item)
        } else {
            None
        }
    }

    /// The rows as stored, to prove nothing changed.
    pub(crate) async fn rows(
        &self,
        app: &TestApp,
        bolt: CompanyId,
    ) -> (Option<ApiEstimate>, Option<ApiCatalogueItem>) {
        let e = app
            .store
            .api_estimate(bolt, EstimateId(self.estimate))
            .await
            .unwrap();
        let i = app
            .store
            .api_catalogue_item(bolt, CatalogueItemId(self.item))
            .await
            .unwrap();
        (e, i)
    }
}

/// Makes Bolt's draft estimate and a catalogue item.
pub(crate) async fn bolt_estimates(app: &TestApp, bolt: CompanyId, customer: i64) -> BoltEstimates {
    let mut tx = app.store.begin().await.unwrap();
    let estimate = tx
        .insert_estimate(
            bolt,
            &NewEstimate {
                customer: CustomerId(customer),
                site: None,
                number: "E-9001".into(),
                title: "Panel upgrade".into(),
                scope: String::new(),
                status: EstimateStatus::Draft,
                issued_on: time::macros::date!(2026 - 03 - 10),
                expires_on: None,
                deposit_minor: 0,
                total_minor: 0,
                approval: None,
                decline: None,
                converted_job: None,
            },
        )
        .await
        .unwrap();
    let item = tx
        .add_catalogue_item(
            bolt,
            &CatalogueInput {
                kind: "service".into(),
                name: "Bolt inspection".into(),
                description: String::new(),
                unit_price_minor: 9900,
                show_in_portal: true,
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    BoltEstimates {
        estimate: estimate.0,
        item: item.0,
    }
}

/// Acme's household account (C-1) and its first contact.
async fn household(s: &Setup) -> (i64, i64) {
    let acme = s.app.store.company_by_slug("acme").await.unwrap().unwrap();
    let customer = s
        .app
        .store
        .api_customers(acme.id, None, None, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.number == "C-1")
        .unwrap()
        .id;
    let (contact,): (i64,) = doorstep_store::on_pool!(s.app.store, c => sqlx::query_as(
        "SELECT id FROM contacts WHERE company_id = $1 AND customer_id = $2 ORDER BY id LIMIT 1")
        .bind(acme.id.0).bind(customer).fetch_one(c).await)
    .unwrap();
    (customer, contact)
}

/// Rows in `table` of acme's.
async fn count(s: &Setup, table: &str) -> i64 {
    let acme = s.app.store.company_by_slug("acme").await.unwrap().unwrap();
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE company_id = $1");
    let (n,): (i64,) = doorstep_store::on_pool!(s.app.store, c => sqlx::query_as(&sql).bind(acme.id.0).fetch_one(c).await).unwrap();
    n
}

/// The last audit record of acme's: its action and actor kind.
async fn last_audit(s: &Setup) -> (String, String) {
    let acme = s.app.store.company_by_slug("acme").await.unwrap().unwrap();
    doorstep_store::on_pool!(s.app.store, p => sqlx::query_as(
        "SELECT action, actor_kind FROM audit_events WHERE company_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(acme.id.0).fetch_one(p).await).unwrap()
}

/// Everything a request could write, but the keys' last use.
async fn written(app: &TestApp) -> crate::snapshot::Snapshot {
    crate::snapshot::snapshot(app)
        .await
        .into_iter()
        .filter(|(t, _)| !matches!(*t, "api_keys" | "sessions"))
        .collect()
}

fn lines() -> Value {
    json!([
        {"description": "Water heater", "unit_price_minor": 120000, "tax_name": "VAT", "tax_rate_bp": 1000},
        {"description": "Expansion tank", "unit_price_minor": 15000, "optional": true}
    ])
}

/// A draft estimate of the household with a fixed and an optional line; answers it.
async fn draft(s: &Setup) -> Value {
    let (customer, _) = household(s).await;
    let (status, headers, made) = call(&s.app, &s.api, "acme", "POST", "/api/v1/estimates", Some(&s.write),
        Some(json!({"customer_id": customer, "title": "New water heater", "scope": "Remove the old one",
            "notes": "Valid 30 days", "deposit_percent_bp": 2500, "lines": lines()}))).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(
        headers["location"].to_str().unwrap(),
        format!("/api/v1/estimates/{}", made["id"])
    );
    made
}

/// A job of acme's household made through the API; its id.
async fn job(s: &Setup) -> i64 {
    let (customer, _) = household(s).await;
    let (status, _, made) = call(
        &s.app,
        &s.api,
        "acme",
        "POST",
        "/api/v1/jobs",
        Some(&s.write),
        Some(json!({"customer_id": customer, "summary": "Furnace service"})),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    made["id"].as_i64().unwrap()
}

fn fields(answer: &(u16, reqwest::header::HeaderMap, Value)) -> Vec<String> {
    answer.2["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

both_backends! {
    /// A draft with lines is made, read with taxes, totals and deposit, listed by
    /// customer, status and change time, changed (lines, a discount alone, the deposit),
    /// sent (an email queued, pending), changed again while pending, upserted by external
    /// id, and converted to a job with its selected lines once approved.
    async fn estimates_are_made_read_listed_changed_sent_upserted_and_converted(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (customer, contact) = household(&s).await;
        let made = draft(&s).await;
        let id = made["id"].as_i64().unwrap();
        assert!(made["number"].as_str().unwrap().starts_with("E-"), "{made}");
        assert_eq!((made["status"].as_str(), made["currency"].as_str(), made["customer_id"].as_i64(), made["title"].as_str(), made["scope"].as_str()),
            (Some("draft"), Some("USD"), Some(customer), Some("New water heater"), Some("Remove the old one")));
        // 1,200.00 + 10% VAT; the optional tank is not ticked.
        assert_eq!((made["lines"][1]["optional"].as_bool(), made["lines"][1]["selected"].as_bool()), (Some(true), Some(false)));
        assert_eq!(made["totals"]["taxes"], json!([{"name": "VAT", "rate_bp": 1000, "amount_minor": 12000}]));
        assert_eq!(made["total_minor"], 132000);
        assert_eq!((made["deposit_percent_bp"].as_i64(), made["deposit_minor"].as_i64(), made["deposit_due_minor"].as_i64()), (Some(2500), Some(0), Some(33000)));
        let (status, _, read) = call(app, api, "acme", "GET", &format!("/api/v1/estimates/{id}"), key, None).await;
        assert_eq!((status, &read), (200, &made));
        assert_eq!(last_audit(&s).await, ("estimate.created".to_owned(), "api".to_owned()));

        // Lists: by customer and status and change time.
        let (status, _, list) = call(app, api, "acme", "GET", &format!("/api/v1/estimates?customer_id={customer}&status=draft&limit=100"), key, None).await;
        assert_eq!(status, 200, "{list}");
        let listed: Vec<&Value> = list["data"].as_array().unwrap().iter().filter(|e| e["id"] == id).collect();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].get("lines").is_none(), "a list holds no lines");
        let (_, _, approved) = call(app, api, "acme", "GET", "/api/v1/estimates?status=converted", key, None).await;
        assert!(approved["data"].as_array().unwrap().iter().all(|e| e["id"] != id));
        let (_, _, later) = call(app, api, "acme", "GET", "/api/v1/estimates?updated_since=2999-01-01T00:00:00Z", key, None).await;
        assert_eq!(later["data"], json!([]));
        let (_, _, page) = call(app, api, "acme", "GET", "/api/v1/estimates?limit=1", key, None).await;
        assert_eq!(page["data"].as_array().unwrap().len(), 1);

        // PATCH: what is sent changes, the rest stays; a discount alone keeps the lines.
        let path = format!("/api/v1/estimates/{id}");
        let (status, _, saved) = call(app, api, "acme", "PATCH", &path, key, Some(json!({"title": "Heater and tank", "expires_on": "2030-01-31", "deposit_minor": 10000}))).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!((saved["title"].as_str(), saved["expires_on"].as_str(), saved["scope"].as_str(), saved["deposit_minor"].as_i64(), saved["deposit_percent_bp"].as_i64(), saved["total_minor"].as_i64()),
            (Some("Heater and tank"), Some("2030-01-31"), Some("Remove the old one"), Some(10000), Some(0), Some(132000)));
        let (status, _, saved) = call(app, api, "acme", "PATCH", &path, key, Some(json!({"discount_minor": 2000}))).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!((saved["lines"].as_array().unwrap().len(), saved["totals"]["discount_minor"].as_i64(), saved["lines"][1]["optional"].as_bool()), (2, Some(2000), Some(true)));
        let (status, _, saved) = call(app, api, "acme", "PATCH", &path, key,
            Some(json!({"lines": [{"description": "Tankless heater", "unit_price_minor": 180000}], "discount_minor": 0}))).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!((saved["lines"].as_array().unwrap().len(), saved["total_minor"].as_i64()), (1, Some(180000)));

        // Send: pending, an email queued; still editable while pending, as in the office.
        let emails = count(&s, "email_outbox").await;
        let (status, _, sent) = call(app, api, "acme", "POST", &format!("/api/v1/estimates/{id}/send"), key, Some(json!({"contact_id": contact}))).await;
        assert_eq!(status, 200, "{sent}");
        assert_eq!(sent["status"], "pending");
        assert!(sent["sent_at"].is_string());
        assert_eq!(count(&s, "email_outbox").await, emails + 1);
        assert_eq!(last_audit(&s).await.0, "estimate.sent");
        let (status, _, saved) = call(app, api, "acme", "PATCH", &path, key, Some(json!({"notes": "Revised"}))).await;
        assert_eq!((status, saved["notes"].as_str(), saved["status"].as_str()), (200, Some("Revised"), Some("pending")));

        // Convert: refused until approved; then a job with the lines, once.
        let convert = format!("/api/v1/estimates/{id}/convert");
        problem(&call(app, api, "acme", "POST", &convert, key, None).await, 409, "conflict");
        doorstep_store::on_pool!(app.store, p => sqlx::query("UPDATE estimates SET status = 'approved' WHERE id = $1").bind(id).execute(p).await.map(|r| r.rows_affected())).unwrap();
        let jobs = count(&s, "jobs").await;
        let (status, headers, job) = call(app, api, "acme", "POST", &convert, key, None).await;
        assert_eq!(status, 201, "{job}");
        assert_eq!(headers["location"].to_str().unwrap(), format!("/api/v1/jobs/{}", job["id"]));
        assert_eq!((job["status"].as_str(), job["summary"].as_str(), job["total_minor"].as_i64()), (Some("unscheduled"), Some("Heater and tank"), Some(180000)));
        assert_eq!(count(&s, "jobs").await, jobs + 1);
        let (_, _, converted) = call(app, api, "acme", "GET", &path, key, None).await;
        assert_eq!((converted["status"].as_str(), &converted["converted_job_id"]), (Some("converted"), &job["id"]));
        let (_, _, job_lines) = call(app, api, "acme", "GET", &format!("/api/v1/jobs/{}/lines", job["id"]), key, None).await;
        assert_eq!(job_lines["lines"][0]["description"], "Tankless heater");
        problem(&call(app, api, "acme", "POST", &convert, key, None).await, 409, "conflict");
        problem(&call(app, api, "acme", "PATCH", &path, key, Some(json!({"title": "Late"}))).await, 409, "conflict");
        problem(&call(app, api, "acme", "POST", &format!("/api/v1/estimates/{id}/send"), key, Some(json!({"contact_id": contact}))).await, 409, "conflict");
        assert_eq!(count(&s, "jobs").await, jobs + 1);

        // Upsert by external id: made (201), then changed (200), one estimate.
        let (status, _, up) = call(app, api, "acme", "PUT", "/api/v1/estimates/external/CRM-E-1", key,
            Some(json!({"customer_id": customer, "title": "Boiler", "lines": lines()}))).await;
        assert_eq!(status, 201, "{up}");
        assert_eq!(up["external_ref"], "CRM-E-1");
        let before = count(&s, "estimates").await;
        let (status, _, again) = call(app, api, "acme", "PUT", "/api/v1/estimates/external/CRM-E-1", key, Some(json!({"notes": "PO 12"}))).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!((&again["id"], again["notes"].as_str(), again["title"].as_str(), again["total_minor"].as_i64()), (&up["id"], Some("PO 12"), Some("Boiler"), Some(132000)));
        assert_eq!(count(&s, "estimates").await, before);
    }

    /// Refusals of the estimate endpoints, each a problem: a read-only key on every write,
    /// wrong and foreign ids, refused fields named as the API spells them, wrong
    /// parameters; nothing is written by any of them.
    async fn estimate_refusals_are_problems_and_write_nothing(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let made = draft(&s).await;
        let id = made["id"].as_i64().unwrap();
        let (customer, _) = household(&s).await;
        let before = written(app).await;
        problem(&call(app, api, "acme", "GET", "/api/v1/estimates", None, None).await, 401, "unauthorized");
        for (method, path) in [("POST", "/api/v1/estimates".to_owned()), ("PATCH", format!("/api/v1/estimates/{id}")),
            ("PUT", "/api/v1/estimates/external/X-1".to_owned()), ("POST", format!("/api/v1/estimates/{id}/send")),
            ("POST", format!("/api/v1/estimates/{id}/convert"))] {
            problem(&call(app, api, "acme", method, &path, Some(&s.read), Some(json!({"title": "X"}))).await, 403, "forbidden");
        }
        for path in ["/api/v1/estimates/999999", "/api/v1/estimates/abc", "/api/v1/estimates/0"] {
            problem(&call(app, api, "acme", "GET", path, key, None).await, 404, "not-found");
        }
        for (method, path) in [("PATCH", "/api/v1/estimates/999999"), ("POST", "/api/v1/estimates/999999/send"), ("POST", "/api/v1/estimates/999999/convert")] {
            problem(&call(app, api, "acme", method, path, key, Some(json!({}))).await, 404, "not-found");
        }
        let post = |body: Value| call(app, api, "acme", "POST", "/api/v1/estimates", key, Some(body));
        for (body, field) in [
            (json!({"customer_id": customer}), "title"),
            (json!({"title": "X"}), "customer_id"),
            (json!({"customer_id": s.bolt_customer, "title": "X"}), "customer_id"),
            (json!({"customer_id": customer, "title": "X", "site_id": 999999}), "site_id"),
            (json!({"customer_id": customer, "title": "X", "issued_on": "soon"}), "issued_on"),
            (json!({"customer_id": customer, "title": "X", "issued_on": "2030-02-01", "expires_on": "2030-01-01"}), "expires_on"),
            (json!({"customer_id": customer, "title": "X", "deposit_minor": 100, "deposit_percent_bp": 100}), "deposit_percent_bp"),
            (json!({"customer_id": customer, "title": "X", "deposit_percent_bp": 20000}), "deposit_minor"),
            (json!({"customer_id": customer, "title": "X", "lines": [{"description": ""}]}), "lines[0].description"),
            (json!({"customer_id": customer, "title": "X", "lines": [{"description": "A", "tax_rate_bp": 20000}]}), "lines[0].tax_rate_bp"),
            (json!({"customer_id": customer, "title": "X", "lines": [{"description": "A"}], "discount_minor": -1}), "discount_minor"),
            (json!({"customer_id": customer, "title": "X", "colour": "red"}), "body"),
        ] {
            let refused = post(body.clone()).await;
            problem(&refused, 422, "validation");
            assert!(fields(&refused).contains(&field.to_owned()), "{body}: {}", refused.2);
        }
        problem(&call(app, api, "acme", "PATCH", &format!("/api/v1/estimates/{id}"), key, Some(json!({"title": ""}))).await, 422, "validation");
        problem(&call(app, api, "acme", "PUT", "/api/v1/estimates/external/%20", key, Some(json!({"customer_id": customer, "title": "X"}))).await, 422, "validation");
        // Send: no contact, another customer's contact; no lines is a clash.
        let send = format!("/api/v1/estimates/{id}/send");
        let refused = call(app, api, "acme", "POST", &send, key, None).await;
        problem(&refused, 422, "validation");
        assert_eq!(fields(&refused), ["contact_id"]);
        for q in ["status=late", "customer_id=x", "limit=0", "cursor=zz", "updated_since=soon"] {
            problem(&call(app, api, "acme", "GET", &format!("/api/v1/estimates?{q}"), key, None).await, 400, "invalid-parameter");
        }
        assert!(written(app).await == before, "nothing written by a refusal");
        let (_, _, still) = call(app, api, "acme", "GET", &format!("/api/v1/estimates/{id}"), key, None).await;
        assert_eq!(still, made, "nothing changed by a refusal");
        // An empty estimate cannot be sent.
        let (_, contact) = household(&s).await;
        let (_, _, empty) = post(json!({"customer_id": customer, "title": "Empty"})).await;
        problem(&call(app, api, "acme", "POST", &format!("/api/v1/estimates/{}/send", empty["id"]), key, Some(json!({"contact_id": contact}))).await, 409, "conflict");
    }

    /// Catalogue items are listed, read, added, changed, hidden and shown again by a write
    /// key acting as its administrator (audited as the key); refused: a read-only key, a
    /// wrong id, a wrong kind or price, a name another item has; nothing written then.
    async fn catalogue_items_are_added_changed_hidden_and_refused(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (status, headers, made) = call(app, api, "acme", "POST", "/api/v1/catalogue-items", key,
            Some(json!({"kind": "service", "name": "Duct cleaning", "description": "Whole house", "unit_price_minor": 24900}))).await;
        assert_eq!(status, 201, "{made}");
        let id = made["id"].as_i64().unwrap();
        assert_eq!(headers["location"].to_str().unwrap(), format!("/api/v1/catalogue-items/{id}"));
        assert_eq!((made["kind"].as_str(), made["unit_price_minor"].as_i64(), made["show_in_portal"].as_bool(), made["currency"].as_str()),
            (Some("service"), Some(24900), Some(true), Some("USD")));
        assert_eq!(last_audit(&s).await, ("catalogue_item.added".to_owned(), "api".to_owned()));
        let one = format!("/api/v1/catalogue-items/{id}");
        let (status, _, read) = call(app, api, "acme", "GET", &one, key, None).await;
        assert_eq!((status, &read), (200, &made));
        let (status, _, list) = call(app, api, "acme", "GET", "/api/v1/catalogue-items?limit=100", key, None).await;
        assert_eq!(status, 200, "{list}");
        assert!(list["data"].as_array().unwrap().iter().any(|i| i["id"] == id));
        assert!(list["data"].as_array().unwrap().iter().all(|i| i["name"] != "Bolt inspection"));
        let (_, _, later) = call(app, api, "acme", "GET", "/api/v1/catalogue-items?updated_since=2999-01-01T00:00:00Z", key, None).await;
        assert_eq!(later["data"], json!([]));

        // Changed: what is sent; hidden and shown with the office's own actions.
        let (status, _, saved) = call(app, api, "acme", "PATCH", &one, key, Some(json!({"unit_price_minor": 26900}))).await;
        assert_eq!((status, saved["unit_price_minor"].as_i64(), saved["name"].as_str()), (200, Some(26900), Some("Duct cleaning")));
        assert_eq!(last_audit(&s).await.0, "catalogue_item.edited");
        let (status, _, hidden) = call(app, api, "acme", "PATCH", &one, key, Some(json!({"show_in_portal": false}))).await;
        assert_eq!((status, hidden["show_in_portal"].as_bool()), (200, Some(false)));
        assert_eq!(last_audit(&s).await.0, "catalogue_item.hidden");
        let (_, _, shown) = call(app, api, "acme", "PATCH", &one, key, Some(json!({"show_in_portal": true}))).await;
        assert_eq!(shown["show_in_portal"], true);
        assert_eq!(last_audit(&s).await.0, "catalogue_item.shown");

        // Refusals.
        let before = written(app).await;
        problem(&call(app, api, "acme", "POST", "/api/v1/catalogue-items", Some(&s.read), Some(json!({"kind": "service", "name": "X"}))).await, 403, "forbidden");
        problem(&call(app, api, "acme", "PATCH", &one, Some(&s.read), Some(json!({"name": "X"}))).await, 403, "forbidden");
        for path in ["/api/v1/catalogue-items/999999", "/api/v1/catalogue-items/x"] {
            problem(&call(app, api, "acme", "GET", path, key, None).await, 404, "not-found");
            problem(&call(app, api, "acme", "PATCH", path, key, Some(json!({"name": "X"}))).await, 404, "not-found");
        }
        for (body, field) in [
            (json!({"kind": "gadget", "name": "X"}), "kind"),
            (json!({"kind": "service"}), "name"),
            (json!({"kind": "service", "name": "X", "unit_price_minor": -1}), "unit_price_minor"),
            (json!({"kind": "service", "name": "X", "size": 1}), "body"),
        ] {
            let refused = call(app, api, "acme", "POST", "/api/v1/catalogue-items", key, Some(body.clone())).await;
            problem(&refused, 422, "validation");
            assert!(fields(&refused).contains(&field.to_owned()), "{body}: {}", refused.2);
        }
        problem(&call(app, api, "acme", "POST", "/api/v1/catalogue-items", key, Some(json!({"kind": "product", "name": "duct CLEANING"}))).await, 409, "duplicate");
        problem(&call(app, api, "acme", "PATCH", &one, key, Some(json!({"name": ""}))).await, 422, "validation");
        for q in ["limit=500", "cursor=zz", "updated_since=soon"] {
            problem(&call(app, api, "acme", "GET", &format!("/api/v1/catalogue-items?{q}"), key, None).await, 400, "invalid-parameter");
        }
        assert!(written(app).await == before, "nothing written by a refusal");
    }

    /// A job's lines are read and replaced as a whole (the job's total follows);
    /// refused: a read-only key, a wrong id, a refused line named by its index.
    async fn job_lines_are_read_and_replaced(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let id = job(&s).await;
        let path = format!("/api/v1/jobs/{id}/lines");
        let (status, _, empty) = call(app, api, "acme", "GET", &path, key, None).await;
        assert_eq!((status, &empty["lines"], empty["total_minor"].as_i64()), (200, &json!([]), Some(0)));
        let (status, _, saved) = call(app, api, "acme", "PUT", &path, key, Some(json!({"lines": [
            {"description": "Labour", "quantity_milli": 1500, "unit_price_minor": 8000},
            {"description": "Filter", "unit_price_minor": 2500, "tax_name": "VAT", "tax_rate_bp": 1000}], "discount_minor": 500}))).await;
        assert_eq!(status, 200, "{saved}");
        // 1.5 × 80.00 + 25.00 − 5.00 + VAT on the filter's share.
        assert_eq!((saved["job_id"].as_i64(), saved["lines"][0]["amount_minor"].as_i64(), saved["totals"]["subtotal_minor"].as_i64(), saved["totals"]["discount_minor"].as_i64()),
            (Some(id), Some(12000), Some(14500), Some(500)));
        let (_, _, read) = call(app, api, "acme", "GET", &path, key, None).await;
        assert_eq!(read, saved);
        let (_, _, the_job) = call(app, api, "acme", "GET", &format!("/api/v1/jobs/{id}"), key, None).await;
        assert_eq!(the_job["total_minor"], saved["total_minor"]);
        assert_eq!(last_audit(&s).await, ("lines.replaced".to_owned(), "api".to_owned()));

        let before = written(app).await;
        problem(&call(app, api, "acme", "PUT", &path, Some(&s.read), Some(json!({"lines": []}))).await, 403, "forbidden");
        for p in ["/api/v1/jobs/999999/lines", "/api/v1/jobs/x/lines"] {
            problem(&call(app, api, "acme", "GET", p, key, None).await, 404, "not-found");
            problem(&call(app, api, "acme", "PUT", p, key, Some(json!({"lines": []}))).await, 404, "not-found");
        }
        for (body, field) in [
            (json!({"lines": [{"description": "Ok"}, {"description": ""}]}), "lines[1].description"),
            (json!({"lines": [{"description": "Ok", "quantity_milli": -1000}]}), "lines[0].quantity_milli"),
            (json!({"lines": [{"description": "Ok"}], "discount_minor": -5}), "discount_minor"),
            (json!({"items": []}), "body"),
        ] {
            let refused = call(app, api, "acme", "PUT", &path, key, Some(body.clone())).await;
            problem(&refused, 422, "validation");
            assert!(fields(&refused).contains(&field.to_owned()), "{body}: {}", refused.2);
        }
        assert!(written(app).await == before, "nothing written by a refusal");
    }

    /// A job is scheduled (exact hours from RFC 3339 instants, or a morning) and
    /// unscheduled through the schedule form's use cases; a status move to scheduled
    /// points to the schedule endpoint; refused: wrong fields, a closed job, a read-only
    /// key, a wrong id.
    async fn jobs_are_scheduled_and_unscheduled(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let id = job(&s).await;
        let schedule = format!("/api/v1/jobs/{id}/schedule");
        let (status, _, done) = call(app, api, "acme", "POST", &schedule, key,
            Some(json!({"schedule_type": "exact", "start": "2026-05-04T10:00:00-04:00", "end": "2026-05-04T12:30:00-04:00"}))).await;
        assert_eq!(status, 200, "{done}");
        let at = |v: &Value| time::OffsetDateTime::parse(v.as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
        assert_eq!(done["status"], "scheduled");
        assert_eq!(at(&done["scheduled_start"]), time::macros::datetime!(2026-05-04 14:00 UTC));
        assert_eq!(at(&done["scheduled_end"]), time::macros::datetime!(2026-05-04 16:30 UTC));
        assert_eq!(last_audit(&s).await, ("job.scheduled".to_owned(), "api".to_owned()));
        let (status, _, morning) = call(app, api, "acme", "POST", &schedule, key, Some(json!({"schedule_type": "am", "date": "2026-05-05"}))).await;
        assert_eq!((status, morning["status"].as_str()), (200, Some("scheduled")), "{morning}");
        assert_eq!(at(&morning["scheduled_start"]).date(), time::macros::date!(2026 - 05 - 05));
        let (status, _, off) = call(app, api, "acme", "POST", &format!("/api/v1/jobs/{id}/unschedule"), key, None).await;
        assert_eq!((status, off["status"].as_str(), &off["scheduled_start"]), (200, Some("unscheduled"), &Value::Null), "{off}");

        // A status move to scheduled is refused with the API's words.
        let moved = call(app, api, "acme", "POST", &format!("/api/v1/jobs/{id}/status"), key, Some(json!({"status": "scheduled"}))).await;
        problem(&moved, 422, "validation");
        let message = moved.2["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(&schedule) && !message.contains("form"), "{message}");

        let before = written(app).await;
        for (body, field) in [
            (json!({"schedule_type": "am"}), "date"),
            (json!({"schedule_type": "soon", "date": "2026-05-05"}), "schedule_type"),
            (json!({"schedule_type": "exact", "start": "tomorrow", "end": "2026-05-04T12:00:00Z"}), "start"),
            (json!({"schedule_type": "exact", "start": "2026-05-04T12:00:00Z", "end": "2026-05-04T11:00:00Z"}), "end"),
            (json!({"schedule_type": "exact", "start": "2026-05-04T12:00:00Z", "end": "2026-05-05T11:00:00Z"}), "end"),
            (json!({"schedule_type": "exact", "date": "2026-05-09", "start": "2026-05-04T12:00:00Z", "end": "2026-05-04T13:00:00Z"}), "start"),
            (json!({"schedule_type": "exact", "date": "2026-05-04"}), "start"),
            (json!({"when": "now"}), "body"),
        ] {
            let refused = call(app, api, "acme", "POST", &schedule, key, Some(body.clone())).await;
            problem(&refused, 422, "validation");
            assert!(fields(&refused).contains(&field.to_owned()), "{body}: {}", refused.2);
        }
        problem(&call(app, api, "acme", "POST", &schedule, Some(&s.read), Some(json!({"schedule_type": "am", "date": "2026-05-05"}))).await, 403, "forbidden");
        problem(&call(app, api, "acme", "POST", &format!("/api/v1/jobs/{id}/unschedule"), Some(&s.read), None).await, 403, "forbidden");
        for p in ["/api/v1/jobs/999999/schedule", "/api/v1/jobs/999999/unschedule", "/api/v1/jobs/x/schedule"] {
            problem(&call(app, api, "acme", "POST", p, key, Some(json!({"schedule_type": "am", "date": "2026-05-05"}))).await, 404, "not-found");
        }
        assert!(written(app).await == before, "nothing written by a refusal");

        // A cancelled job is neither scheduled nor unscheduled.
        let (status, _, _) = call(app, api, "acme", "POST", &format!("/api/v1/jobs/{id}/status"), key, Some(json!({"status": "cancelled"}))).await;
        assert_eq!(status, 200);
        problem(&call(app, api, "acme", "POST", &schedule, key, Some(json!({"schedule_type": "am", "date": "2026-05-05"}))).await, 409, "conflict");
        problem(&call(app, api, "acme", "POST", &format!("/api/v1/jobs/{id}/unschedule"), key, None).await, 409, "conflict");
    }
}
