//! The JSON API over HTTP (issue 20): keys made and revoked in the office, bearer
//! authentication, the customers endpoints' good paths and every refusal as
//! problem+json, isolation between companies on every endpoint, idempotent replays, the
//! rate limit, and the OpenAPI document covering every API route.

use doorstep_core::ids::{CompanyId, CustomerId};
use doorstep_store::api::NewApiKey;
use doorstep_testkit::{Backend, both_backends};
use doorstep_web::{Access, ROUTES};
use serde_json::{Value, json};

use crate::helpers::{TestApp, html, office, seed_people};

/// Makes a key on acme's API keys page as its administrator; answers the secret shown.
pub(crate) async fn make_key(
    app: &TestApp,
    admin: &reqwest::Client,
    name: &str,
    scopes: &str,
) -> String {
    let res = app
        .submit(
            admin,
            "acme",
            "/office/api-keys",
            "/office/api-keys",
            &[("name", name), ("scopes", scopes)],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body = res.text().await.unwrap();
    let doc = html(&body);
    let sel = scraper::Selector::parse("[data-testid=secret]").unwrap();
    let secret = doc
        .select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("the secret is shown")
        .to_owned();
    assert!(secret.starts_with("dsk_live_"));
    secret
}

/// A write key of `company` put straight in the store (for Bolt, which has no admin here).
async fn stored_key(app: &TestApp, company: CompanyId, maker: i64) -> String {
    let secret = format!("dsk_live_{}", "b".repeat(64));
    let hash = doorstep_app::crypto::token::hash_token(&secret);
    let mut tx = app.store.begin().await.unwrap();
    tx.insert_api_key(
        company,
        &NewApiKey {
            name: "Bolt sync",
            prefix: &secret[..17],
            key_hash: &hash,
            scopes: "read write",
            created_by: doorstep_core::ids::StaffUserId(maker),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    secret
}

/// A plain client (no cookies) reaching acme and bolt.
fn api_client(app: &TestApp) -> reqwest::Client {
    app.client(&["acme", "bolt"])
}

pub(crate) async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = client.request(method, app.url(slug, path));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, headers, value)
}

/// Asserts a problem+json answer of `status` and kind `slug`.
pub(crate) fn problem(answer: &(u16, reqwest::header::HeaderMap, Value), status: u16, slug: &str) {
    let (s, headers, body) = answer;
    assert_eq!(*s, status, "{body}");
    assert_eq!(
        headers["content-type"], "application/problem+json",
        "{body}"
    );
    assert_eq!(body["type"], format!("/api/docs#problem-{slug}"), "{body}");
    assert_eq!(body["status"], status);
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
}

pub(crate) struct Setup {
    pub(crate) app: TestApp,
    pub(crate) admin: reqwest::Client,
    pub(crate) api: reqwest::Client,
    pub(crate) write: String,
    pub(crate) read: String,
    pub(crate) bolt_key: String,
    pub(crate) bolt_customer: i64,
    pub(crate) bolt_job: i64,
    /// Bolt's draft invoice and its payment (api-billing).
    pub(crate) bolt_billing: crate::api_billing::BoltBilling,
    // api-assets (issue 20)
    /// Bolt's asset and its maintenance schedule.
    pub(crate) bolt_assets: crate::api_assets::BoltAssets,
    // api-people (issue 20)
    /// Bolt's contact and site.
    pub(crate) bolt_people: crate::api_people::BoltPeople,
    // api-estimates (issue 20)
    /// Bolt's estimate and catalogue item (api-estimates).
    pub(crate) bolt_estimates: crate::api_estimates::BoltEstimates,
    // api-requests (issue 20)
    /// Bolt's service request, support ticket, webhook endpoint and delivery.
    pub(crate) bolt_requests: crate::api_requests::BoltRequests,
}

pub(crate) async fn setup(backend: Backend) -> Setup {
    let app = TestApp::spawn(backend).await;
    let people = seed_people(&app).await;
    let admin = office(&app).await;
    let write = make_key(&app, &admin, "Accounting sync", "write").await;
    let read = make_key(&app, &admin, "Reports", "read").await;
    let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
    let mut tx = app.store.begin().await.unwrap();
    let brenda = tx
        .create_staff(
            bolt.id,
            "office@bolt.test",
            "Brenda",
            doorstep_core::status::StaffRole::Admin,
            None,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let bolt_key = stored_key(&app, bolt.id, brenda.0).await;
    let bolt_customer = app
        .store
        .api_customers(bolt.id, None, None, 10)
        .await
        .unwrap()[0]
        .id;
    let bolt_job = insert_job(&app, bolt.id, CustomerId(bolt_customer), "J-1").await;
    let _ = people;
    let bolt_billing = crate::api_billing::bolt_billing(&app, bolt.id, bolt_customer, brenda).await;
    // api-assets (issue 20)
    let bolt_assets = crate::api_assets::bolt_assets(&app, bolt.id, bolt_customer).await;
    // api-people (issue 20)
    let bolt_people = crate::api_people::bolt_people(&app, bolt.id, bolt_customer).await;
    // api-estimates (issue 20)
    let bolt_estimates = crate::api_estimates::bolt_estimates(&app, bolt.id, bolt_customer).await;
    // api-requests (issue 20)
    let bolt_requests = crate::api_requests::bolt_requests(&app, bolt.id, bolt_customer).await;
    let api = api_client(&app);
    Setup {
        app,
        admin,
        api,
        write,
        read,
        bolt_key,
        bolt_customer,
        bolt_job,
        bolt_billing,
        // api-assets (issue 20)
        bolt_assets,
        // api-people (issue 20)
        bolt_people,
        // api-estimates (issue 20)
        bolt_estimates,
        // api-requests (issue 20)
        bolt_requests,
    }
}

/// A job of `customer` put straight in the store (for Bolt, which has no staff actor here).
pub(crate) async fn insert_job(
    app: &TestApp,
    company: CompanyId,
    customer: CustomerId,
    number: &str,
) -> i64 {
    use doorstep_core::status::{JobKind, JobStatus};
    let row = doorstep_store::jobs::NewJob {
        customer,
        site: None,
        asset: None,
        job_type: None,
        number: number.into(),
        kind: JobKind::Service,
        status: JobStatus::Scheduled,
        summary: "Panel upgrade".into(),
        description: String::new(),
        schedule_type: None,
        scheduled_start: None,
        scheduled_end: None,
        arrival_window_start: None,
        arrival_window_end: None,
        completed_at: None,
        work_order_notes: String::new(),
        customer_notes: String::new(),
        external_ref: None,
        invoice_notes: String::new(),
        po_number: String::new(),
        custom_fields: "{}".into(),
        total_minor: 0,
        created_at: doorstep_store::now(),
    };
    let mut tx = app.store.begin().await.unwrap();
    let id = tx.insert_job(company, &row).await.unwrap();
    tx.commit().await.unwrap();
    id.0
}

/// Bolt's jobs, as the API reads them.
async fn bolt_jobs(app: &TestApp, bolt: CompanyId) -> Vec<doorstep_store::api_jobs::ApiJob> {
    let all = doorstep_store::api_jobs::ApiJobFilter::default();
    app.store.api_jobs(bolt, &all, 1000).await.unwrap()
}

/// A body that would change the record of route `path` if the id were acme's.
fn taking_over(path: &str) -> Value {
    // api-requests (issue 20)
    if let Some(body) = crate::api_requests::taking_over(path) {
        return body;
    }
    match path {
        p if p.ends_with("/status") => json!({"status": "cancelled"}),
        p if p.ends_with("/technicians") => json!({"technician_ids": []}),
        // api-estimates (issue 20)
        p if p.ends_with("/lines") => json!({"lines": []}),
        p if p.ends_with("/schedule") => json!({"schedule_type": "am", "date": "2026-05-05"}),
        p if p.ends_with("/send") || p.ends_with("/convert") || p.ends_with("/unschedule") => {
            json!({})
        }
        p if p.starts_with("/api/v1/estimates/") => json!({"title": "Taken over"}),
        p if p.starts_with("/api/v1/jobs/") => json!({"summary": "Taken over"}),
        // api-assets (issue 20)
        p if p.starts_with("/api/v1/maintenance-schedules/")
            || p.ends_with("/maintenance-schedules") =>
        {
            json!({"title": "Taken over", "interval_days": 30})
        }
        // api-people (issue 20)
        p if p.ends_with("/access") => json!({"action": "disable"}),
        p if p.starts_with("/api/v1/contacts/") => json!({"first_name": "Taken over"}),
        _ => json!({"name": "Taken over"}),
    }
}

/// Bolt's id of the kind the route `path` takes in `{id}`.
fn bolt_id_for(s: &Setup, path: &str) -> i64 {
    // api-requests (issue 20)
    if let Some(id) = s.bolt_requests.id_for(path) {
        return id;
    }
    match path {
        p if p.starts_with("/api/v1/jobs/") => s.bolt_job,
        // api-assets (issue 20)
        p if s.bolt_assets.id_for(p).is_some() => s.bolt_assets.id_for(p).unwrap_or_default(),
        // api-people (issue 20)
        p if p.starts_with("/api/v1/contacts/") => s.bolt_people.contact,
        p if p.starts_with("/api/v1/sites/") => s.bolt_people.site,
        _ => s.bolt_customer,
    }
}

both_backends! {
    /// The office page lists keys with their prefix and scope, never the secret again;
    /// revoking asks first and the key is refused at once.
    async fn an_administrator_makes_a_key_and_revokes_it_and_it_stops_at_once(backend: Backend) {
        let s = setup(backend).await;
        let (app, api) = (&s.app, &s.api);
        let page = s.admin.get(app.url("acme", "/office/api-keys")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Accounting sync") && page.contains(&s.write[..17]), "the list shows name and prefix");
        assert!(!page.contains(&s.write), "the secret is never shown again");
        assert!(page.contains("Read and write") && page.contains("Read only"));
        let ok = call(app, api, "acme", "GET", "/api/v1/customers", Some(&s.write), None).await;
        assert_eq!(ok.0, 200);
        // Office staff see nothing here.
        let id = app.store.api_keys(app.store.company_by_slug("acme").await.unwrap().unwrap().id).await.unwrap()
            .into_iter().find(|k| k.name == "Accounting sync").unwrap().id;
        let confirm = s.admin.get(app.url("acme", &format!("/office/api-keys/{id}/revoke"))).send().await.unwrap();
        assert_eq!(confirm.status(), 200);
        assert!(confirm.text().await.unwrap().contains("Revoke the key"));
        let unconfirmed = app.submit(&s.admin, "acme", "/office/api-keys", &format!("/office/api-keys/{id}/revoke"), &[]).await;
        assert_eq!(unconfirmed.headers()["location"], format!("/office/api-keys/{id}/revoke"));
        assert_eq!(call(app, api, "acme", "GET", "/api/v1/customers", Some(&s.write), None).await.0, 200);
        let done = app.submit(&s.admin, "acme", "/office/api-keys", &format!("/office/api-keys/{id}/revoke"), &[("confirm", "yes")]).await;
        assert_eq!(done.headers()["location"], "/office/api-keys?done=revoked");
        problem(&call(app, api, "acme", "GET", "/api/v1/customers", Some(&s.write), None).await, 401, "unauthorized");
        // A bad name is refused next to its field.
        let bad = app.submit(&s.admin, "acme", "/office/api-keys", "/office/api-keys", &[("name", ""), ("scopes", "write")]).await;
        assert_eq!(bad.status(), 422);
        assert!(bad.text().await.unwrap().contains("data-testid=\"error-name\""));
    }

    /// Create, read, list with a cursor and `updated_since`, update, upsert by external id.
    async fn customers_are_created_read_listed_updated_and_upserted(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (status, headers, made) = call(app, api, "acme", "POST", "/api/v1/customers", key,
            Some(json!({"name": "Pine Labs", "kind": "commercial", "email": "AP@Pine.test", "payment_terms_days": 15}))).await;
        assert_eq!(status, 201, "{made}");
        let id = made["id"].as_i64().unwrap();
        assert_eq!(headers["location"], format!("/api/v1/customers/{id}"));
        assert_eq!((made["name"].as_str(), made["kind"].as_str(), made["email"].as_str(), made["payment_terms_days"].as_i64()),
            (Some("Pine Labs"), Some("commercial"), Some("ap@pine.test"), Some(15)));
        assert!(made["number"].as_str().unwrap().starts_with("C-"));
        let (status, _, read) = call(app, api, "acme", "GET", &format!("/api/v1/customers/{id}"), key, None).await;
        assert_eq!((status, &read), (200, &made));

        // Pages of one, by change time: every customer once, the newest last.
        let mut seen = Vec::new();
        let mut path = "/api/v1/customers?limit=1".to_owned();
        loop {
            let (status, _, page) = call(app, api, "acme", "GET", &path, key, None).await;
            assert_eq!(status, 200, "{page}");
            assert!(page["data"].as_array().unwrap().len() <= 1);
            seen.extend(page["data"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()));
            match page["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/customers?limit=1&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 3, "acme's two customers and the new one: {seen:?}");
        assert_eq!(seen.last(), Some(&id));
        let since = made["updated_at"].as_str().unwrap();
        let (_, _, recent) = call(app, api, "acme", "GET", &format!("/api/v1/customers?updated_since={}", since.replace('+', "%2B")), key, None).await;
        assert!(recent["data"].as_array().unwrap().iter().any(|c| c["id"] == id));
        let (_, _, none) = call(app, api, "acme", "GET", "/api/v1/customers?updated_since=2999-01-01T00:00:00Z", key, None).await;
        assert_eq!(none["data"], json!([]));
        assert_eq!(none["next_cursor"], Value::Null);

        // PATCH changes what it sends and keeps the rest.
        let (status, _, saved) = call(app, api, "acme", "PATCH", &format!("/api/v1/customers/{id}"), key,
            Some(json!({"phone": "555-0100", "payment_terms_days": null}))).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!((saved["phone"].as_str(), saved["name"].as_str(), &saved["payment_terms_days"]), (Some("555-0100"), Some("Pine Labs"), &Value::Null));

        // Upsert: made the first time (201), saved the second (200), one customer.
        let (status, _, up) = call(app, api, "acme", "PUT", "/api/v1/customers/external/ERP-1", key, Some(json!({"name": "Oak Co"}))).await;
        assert_eq!(status, 201, "{up}");
        assert_eq!(up["external_ref"], "ERP-1");
        let (status, _, again) = call(app, api, "acme", "PUT", "/api/v1/customers/external/ERP-1", key, Some(json!({"billing_city": "Springfield"}))).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!((again["id"].clone(), again["name"].as_str(), again["billing_city"].as_str()), (up["id"].clone(), Some("Oak Co"), Some("Springfield")));
        // The audit log names the key.
        let acme = app.store.company_by_slug("acme").await.unwrap().unwrap();
        let (kind, label): (String, String) = doorstep_store::on_pool!(app.store, p => sqlx::query_as(
            "SELECT actor_kind, actor_label FROM audit_events WHERE company_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(acme.id.0).fetch_one(p).await).unwrap();
        assert_eq!(kind, "api");
        assert!(label.contains("Accounting sync"), "{label}");
    }

    /// Every refusal is problem+json: no key, a wrong key, a session cookie instead of a
    /// key, a read-only key writing, refused fields, wrong parameters, wrong ids.
    async fn every_refusal_is_a_problem_with_its_status(backend: Backend) {
        let s = setup(backend).await;
        let (app, api) = (&s.app, &s.api);
        let before = crate::snapshot::snapshot(app).await;
        let no_key = call(app, api, "acme", "GET", "/api/v1/customers", None, None).await;
        problem(&no_key, 401, "unauthorized");
        assert_eq!(no_key.1["www-authenticate"], "Bearer realm=\"doorstep\"");
        problem(&call(app, api, "acme", "GET", "/api/v1/customers", Some(&format!("dsk_live_{}", "0".repeat(64))), None).await, 401, "unauthorized");
        problem(&call(app, api, "acme", "GET", "/api/v1/customers", Some("nonsense"), None).await, 401, "unauthorized");
        // An address the API does not have is a problem too, not the portal's page.
        problem(&call(app, api, "acme", "GET", "/api/v1/no-such-thing", Some(&s.read), None).await, 404, "not-found");
        // The office's signed-in browser is no API caller, with or without a same-site form.
        let by_cookie = s.admin.get(app.url("acme", "/api/v1/customers")).send().await.unwrap();
        assert_eq!(by_cookie.status(), 401);
        let posted = s.admin.post(app.url("acme", "/api/v1/customers")).header("origin", app.origin("acme")).header("content-type", "application/json").body(json!({"name": "X"}).to_string()).send().await.unwrap();
        assert_eq!(posted.status(), 401);
        // Bolt's key on acme's host is unknown there.
        problem(&call(app, api, "acme", "GET", "/api/v1/customers", Some(&s.bolt_key), None).await, 401, "unauthorized");
        // A read-only key reads, and writes nothing.
        assert_eq!(call(app, api, "acme", "GET", "/api/v1/customers", Some(&s.read), None).await.0, 200);
        problem(&call(app, api, "acme", "POST", "/api/v1/customers", Some(&s.read), Some(json!({"name": "X"}))).await, 403, "forbidden");
        problem(&call(app, api, "acme", "PATCH", "/api/v1/customers/1", Some(&s.read), Some(json!({"name": "X"}))).await, 403, "forbidden");
        problem(&call(app, api, "acme", "PUT", "/api/v1/customers/external/E-1", Some(&s.read), Some(json!({"name": "X"}))).await, 403, "forbidden");
        let key = Some(s.write.as_str());
        // Refused fields, each named.
        let bad = call(app, api, "acme", "POST", "/api/v1/customers", key, Some(json!({"name": "", "kind": "castle", "email": "nope", "parent_number": "zz"}))).await;
        problem(&bad, 422, "validation");
        let fields: Vec<&str> = bad.2["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        for f in ["name", "kind", "email", "parent_number"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        let unknown = call(app, api, "acme", "POST", "/api/v1/customers", key, Some(json!({"name": "X", "colour": "red"}))).await;
        problem(&unknown, 422, "validation");
        assert_eq!(unknown.2["errors"][0]["field"], "body");
        problem(&call(app, api, "acme", "POST", "/api/v1/customers", key, Some(json!({"name": 5}))).await, 422, "validation");
        problem(&call(app, api, "acme", "POST", "/api/v1/customers", key, None).await, 422, "validation");
        // A parent that does not exist, refused by the office's rule.
        let orphan = call(app, api, "acme", "POST", "/api/v1/customers", key, Some(json!({"name": "Child", "parent_number": "C-9999"}))).await;
        problem(&orphan, 422, "validation");
        assert_eq!(orphan.2["errors"][0]["field"], "parent_number");
        // Wrong parameters.
        for q in ["limit=0", "limit=101", "limit=x", "cursor=zz", "updated_since=yesterday"] {
            problem(&call(app, api, "acme", "GET", &format!("/api/v1/customers?{q}"), key, None).await, 400, "invalid-parameter");
        }
        // Control characters in the address: a problem too, not the pages' HTML.
        for path in ["/api/v1/customers/%7F1", "/api/v1/customers?cursor=%08"] {
            problem(&call(app, api, "acme", "GET", path, key, None).await, 400, "invalid-parameter");
        }
        // Wrong ids.
        for path in ["/api/v1/customers/999999", "/api/v1/customers/abc", "/api/v1/customers/-1"] {
            problem(&call(app, api, "acme", "GET", path, key, None).await, 404, "not-found");
            problem(&call(app, api, "acme", "PATCH", path, key, Some(json!({"name": "X"}))).await, 404, "not-found");
        }
        // Nothing written but the keys' last use.
        let written = |s: crate::snapshot::Snapshot| s.into_iter().filter(|(t, _)| !matches!(*t, "api_keys" | "sessions")).collect::<Vec<_>>();
        assert!(written(before) == written(crate::snapshot::snapshot(app).await), "nothing written");
    }

    /// A key of acme gets 404 for every id of Bolt's, on every endpoint with an id; Bolt's
    /// customer is untouched.
    async fn another_companys_ids_are_not_found_on_every_endpoint(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        let before = app.store.api_customers(bolt.id, None, None, 10).await.unwrap();
        let jobs_before = bolt_jobs(app, bolt.id).await;
        let billing_before = s.bolt_billing.rows(app, bolt.id).await;
        // api-assets (issue 20)
        let assets_before = s.bolt_assets.rows(app, bolt.id).await;
        // api-people (issue 20)
        let people_before = s.bolt_people.rows(app, bolt.id).await;
        // api-estimates (issue 20)
        let estimates_before = s.bolt_estimates.rows(app, bolt.id).await;
        // api-requests (issue 20)
        let requests_before = s.bolt_requests.rows(app, bolt.id).await;
        // Every API route with an {id}, from the route table itself.
        let with_id: Vec<_> = ROUTES.iter().filter(|r| r.access == Access::Api && r.path.contains("{id}")).collect();
        assert!(with_id.len() >= 2);
        for rule in with_id {
            // Bolt's id of the route's kind.
            let id = s.bolt_billing.id_for(rule.path)
                .or_else(|| s.bolt_estimates.id_for(rule.path)) // api-estimates (issue 20)
                .unwrap_or_else(|| bolt_id_for(&s, rule.path));
            let path = rule.path.replace("{id}", &id.to_string());
            let body = (rule.method != "GET").then(|| taking_over(rule.path));
            problem(&call(app, api, "acme", rule.method, &path, key, body).await, 404, "not-found");
        }
        // Bolt's key sees its own.
        assert_eq!(call(app, api, "bolt", "GET", &format!("/api/v1/customers/{}", s.bolt_customer), Some(&s.bolt_key), None).await.0, 200);
        // Acme's list holds none of Bolt's.
        let (_, _, list) = call(app, api, "acme", "GET", "/api/v1/customers?limit=100", key, None).await;
        assert!(list["data"].as_array().unwrap().iter().all(|c| c["id"] != s.bolt_customer));
        assert_eq!(app.store.api_customers(bolt.id, None, None, 10).await.unwrap(), before);
        assert_eq!(bolt_jobs(app, bolt.id).await, jobs_before);
        assert!(s.bolt_billing.rows(app, bolt.id).await == billing_before, "Bolt's invoice and payment unchanged");
        // api-assets (issue 20)
        assert!(s.bolt_assets.rows(app, bolt.id).await == assets_before, "Bolt's asset and schedule unchanged");
        // api-people (issue 20)
        assert!(s.bolt_people.rows(app, bolt.id).await == people_before, "Bolt's contact and site unchanged");
        // api-estimates (issue 20)
        assert!(s.bolt_estimates.rows(app, bolt.id).await == estimates_before, "Bolt's estimate and catalogue item unchanged");
        // api-requests (issue 20)
        assert!(s.bolt_requests.rows(app, bolt.id).await == requests_before, "Bolt's requests, ticket and webhooks unchanged");
    }

    /// The same Idempotency-Key and body returns the first answer and makes one customer;
    /// the same key with another body is refused.
    async fn an_idempotent_retry_returns_the_first_answer(backend: Backend) {
        let s = setup(backend).await;
        let (app, api) = (&s.app, &s.api);
        let post = |body: Value, idem: &'static str| {
            api.post(app.url("acme", "/api/v1/customers")).bearer_auth(&s.write).header("idempotency-key", idem).header("content-type", "application/json").body(body.to_string()).send()
        };
        let first = post(json!({"name": "Once Only"}), "7f9c-1").await.unwrap();
        assert_eq!(first.status(), 201);
        assert!(first.headers().get("idempotent-replayed").is_none());
        let first_body: Value = first.text().await.unwrap().parse().unwrap();
        let again = post(json!({"name": "Once Only"}), "7f9c-1").await.unwrap();
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.text().await.unwrap().parse::<Value>().unwrap(), first_body);
        let acme = app.store.company_by_slug("acme").await.unwrap().unwrap();
        let named = app.store.api_customers(acme.id, None, None, 100).await.unwrap().into_iter().filter(|c| c.name == "Once Only").count();
        assert_eq!(named, 1);
        let other = post(json!({"name": "Something else"}), "7f9c-1").await.unwrap();
        assert_eq!(other.status(), 422);
        let body: Value = other.text().await.unwrap().parse().unwrap();
        assert_eq!(body["type"], "/api/docs#problem-idempotency-key-reused");
        // A refusal is kept too: the retry gets the same refusal.
        let bad = post(json!({"name": ""}), "7f9c-2").await.unwrap();
        assert_eq!(bad.status(), 422);
        let bad_again = post(json!({"name": ""}), "7f9c-2").await.unwrap();
        assert_eq!((bad_again.status().as_u16(), bad_again.headers()["content-type"].to_str().unwrap()), (422, "application/problem+json"));
        // A key that is not visible ASCII is refused.
        let res = post(json!({"name": "X"}), "").await.unwrap();
        assert_eq!(res.status(), 400);
    }

    /// Over its burst, a key is answered 429 with Retry-After; another key is not.
    async fn a_key_over_its_rate_is_told_when_to_come_back(backend: Backend) {
        let s = setup(backend).await;
        let (app, api) = (&s.app, &s.api);
        let burst = doorstep_web::api::auth::BURST as usize;
        let mut limited = None;
        // The bucket refills 5 a second while the loop runs: on a loaded machine the burst
        // takes seconds, so allow for the refill rather than only a few calls more.
        for _ in 0..burst * 2 {
            let answer = call(app, api, "acme", "GET", "/api/v1/customers?limit=1", Some(&s.read), None).await;
            if answer.0 == 429 {
                limited = Some(answer);
                break;
            }
        }
        let limited = limited.expect("429 once the burst and its refill are spent");
        problem(&limited, 429, "rate-limited");
        let wait: u64 = limited.1["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait));
        assert_eq!(call(app, api, "acme", "GET", "/api/v1/customers?limit=1", Some(&s.write), None).await.0, 200);
    }

    /// The OpenAPI 3.1 document is served to anyone on the company's host and names every
    /// API route of the router with its method; the docs page lists them for administrators.
    async fn the_openapi_document_covers_every_api_route(backend: Backend) {
        let s = setup(backend).await;
        let (app, api) = (&s.app, &s.api);
        let res = api.get(app.url("acme", "/api/v1/openapi.json")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/json");
        let doc: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let api_routes: Vec<_> = ROUTES.iter().filter(|r| r.access == Access::Api).collect();
        for rule in &api_routes {
            let op = &doc["paths"][rule.path][rule.method.to_lowercase()];
            assert!(op.is_object(), "{} {} is documented", rule.method, rule.path);
            assert!(op["responses"]["401"].is_object(), "{} {} documents 401", rule.method, rule.path);
        }
        let documented: usize = doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(documented, api_routes.len(), "nothing documented that the router lacks");
        let page = s.admin.get(app.url("acme", "/api/docs")).send().await.unwrap().text().await.unwrap();
        for rule in &api_routes {
            assert!(page.contains(rule.path), "{} on /api/docs", rule.path);
        }
        assert!(page.contains("id=\"problem-rate-limited\""));
    }
}
