//! The service request, support request and webhook endpoints of the JSON API over HTTP
//! (issue 20): lists with their filters and cursor, reads, conversion and decline,
//! staff replies and status moves, webhook endpoints with their delivery log and
//! redelivery, through the office's use cases (the same events and audit records); and
//! every refusal as problem+json with nothing written.

use doorstep_core::ids::{CompanyId, ContactId, CustomerId, ServiceRequestId, SupportRequestId};
use doorstep_core::status::{RequestStatus, SupportStatus};
use doorstep_store::api_requests::{ApiServiceRequest, ApiSupportRequest};
use doorstep_store::files::NewAttachment;
use doorstep_store::requests::NewServiceRequest;
use doorstep_testkit::{Backend, both_backends};
use serde_json::{Value, json};

use crate::api::{Setup, call, problem, setup};
use crate::helpers::TestApp;

/// Bolt's service request, support ticket, webhook endpoint and its delivery.
pub(crate) struct BoltRequests {
    request: i64,
    ticket: i64,
    endpoint: i64,
    delivery: i64,
}

/// Bolt's rows of these kinds as stored (deliveries and endpoints by their debug text).
type BoltRows = (
    Option<ApiServiceRequest>,
    Option<ApiSupportRequest>,
    String,
    String,
    i64,
);

impl BoltRequests {
    /// Bolt's id for an API route of this file's kinds, by the route's prefix.
    pub(crate) fn id_for(&self, path: &str) -> Option<i64> {
        [
            ("/api/v1/service-requests", self.request),
            ("/api/v1/support-requests", self.ticket),
            ("/api/v1/webhook-endpoints", self.endpoint),
            ("/api/v1/webhook-deliveries", self.delivery),
        ]
        .into_iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map(|(_, id)| id)
    }

    /// The rows as stored, to prove nothing changed.
    pub(crate) async fn rows(&self, app: &TestApp, bolt: CompanyId) -> BoltRows {
        let r = app
            .store
            .api_service_request(bolt, ServiceRequestId(self.request))
            .await
            .unwrap();
        let t = app
            .store
            .api_support_request(bolt, SupportRequestId(self.ticket))
            .await
            .unwrap();
        let e = app
            .store
            .webhook_endpoint(bolt, self.endpoint)
            .await
            .unwrap();
        let d = app
            .store
            .api_webhook_delivery(bolt, self.delivery)
            .await
            .unwrap();
        let (comments,): (i64,) = doorstep_store::on_pool!(app.store, c => sqlx::query_as(
            "SELECT COUNT(*) FROM support_comments WHERE company_id = $1").bind(bolt.0).fetch_one(c).await)
        .unwrap();
        (r, t, format!("{e:?}"), format!("{d:?}"), comments)
    }
}

/// A body that would change a record of this file's routes if the id were acme's.
pub(crate) fn taking_over(path: &str) -> Option<Value> {
    let body = match path {
        p if p.ends_with("/convert") => json!({"to": "job", "summary": "Taken over"}),
        p if p.ends_with("/decline") => json!({"reason": "Taken over"}),
        p if p.ends_with("/comments") => json!({"body": "Taken over"}),
        p if p.starts_with("/api/v1/support-requests/") => json!({"status": "closed"}),
        p if p.starts_with("/api/v1/webhook-endpoints/") => json!({"active": false}),
        p if p.starts_with("/api/v1/webhook-deliveries/") => json!({}),
        _ => return None,
    };
    Some(body)
}

/// A service request put straight in the store, as the portal would have sent it.
async fn insert_request(app: &TestApp, company: CompanyId, customer: i64, number: &str) -> i64 {
    let row = NewServiceRequest {
        customer: CustomerId(customer),
        site: None,
        contact: None,
        submitted_by: None,
        number: number.into(),
        status: RequestStatus::New,
        preferred_date: Some(time::macros::date!(2026 - 04 - 02)),
        schedule_type: None,
        job_type: None,
        description: format!("Leaking tap ({number})"),
        po_number: String::new(),
        estimate: None,
        converted_job: None,
        decline_reason: String::new(),
        created_at: doorstep_store::now(),
    };
    let mut tx = app.store.begin().await.unwrap();
    let id = tx.insert_service_request(company, &row).await.unwrap();
    tx.commit().await.unwrap();
    id.0
}

/// A support ticket put straight in the store, with a first comment by its contact.
async fn insert_ticket(
    app: &TestApp,
    company: CompanyId,
    customer: i64,
    contact: Option<ContactId>,
    number: &str,
) -> i64 {
    let mut tx = app.store.begin().await.unwrap();
    let at = doorstep_store::now();
    let id = tx
        .insert_support_request(
            company,
            CustomerId(customer),
            contact,
            number,
            "Portal login",
            "I cannot sign in.",
            SupportStatus::Open,
            at,
        )
        .await
        .unwrap();
    tx.insert_support_comment(company, id, contact, None, "Still stuck.", at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id.0
}

/// Makes Bolt's service request, ticket, webhook endpoint and a delivery to it.
pub(crate) async fn bolt_requests(app: &TestApp, bolt: CompanyId, customer: i64) -> BoltRequests {
    let request = insert_request(app, bolt, customer, "R-9001").await;
    let ticket = insert_ticket(app, bolt, customer, None, "S-9001").await;
    let mut tx = app.store.begin().await.unwrap();
    let endpoint = tx
        .add_webhook_endpoint(
            bolt,
            "https://hooks.bolt.test/in",
            "sealed",
            "support.updated",
        )
        .await
        .unwrap();
    tx.enqueue_webhook_event(bolt, "evt_bolt1", "support.updated", |_| "{}".into())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (delivery,): (i64,) = doorstep_store::on_pool!(app.store, c => sqlx::query_as(
        "SELECT id FROM webhook_deliveries WHERE company_id = $1").bind(bolt.0).fetch_one(c).await)
    .unwrap();
    BoltRequests {
        request,
        ticket,
        endpoint,
        delivery,
    }
}

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
async fn written(app: &TestApp) -> crate::snapshot::Snapshot {
    crate::snapshot::snapshot(app)
        .await
        .into_iter()
        .filter(|(t, _)| *t != "api_keys")
        .collect()
}

/// Walks a list from `path` (which has no cursor) page by page: every id.
async fn walk(s: &Setup, path: &str) -> Vec<i64> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut next = path.to_owned();
    let mut seen = Vec::new();
    loop {
        let (status, _, page) =
            call(&s.app, &s.api, "acme", "GET", &next, Some(&s.read), None).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => next = format!("{path}{sep}cursor={c}"),
            None => return seen,
        }
    }
}

/// Adds an acme endpoint receiving `events` through the API; its id and secret.
async fn add_endpoint(s: &Setup, events: &[&str]) -> (i64, String) {
    let (status, _, made) = call(
        &s.app,
        &s.api,
        "acme",
        "POST",
        "/api/v1/webhook-endpoints",
        Some(&s.write),
        Some(json!({"url": "https://hooks.example.test/doorstep", "events": events})),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    (
        made["id"].as_i64().unwrap(),
        made["secret"].as_str().unwrap().to_owned(),
    )
}

/// The payloads of acme's deliveries of `event_type`.
async fn events_of(app: &TestApp, acme: CompanyId, event_type: &str) -> Vec<Value> {
    app.store
        .webhook_deliveries_of_type(acme, event_type)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.payload.parse().unwrap())
        .collect()
}

/// The field names of a validation problem.
fn fields(answer: &(u16, reqwest::header::HeaderMap, Value)) -> Vec<String> {
    answer.2["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

both_backends! {
    /// List (a page at a time, by customer, by status, since), read with photos, convert
    /// to a job and to an estimate, decline with `request.declined` sent.
    async fn service_requests_are_listed_read_converted_and_declined(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (acme_id, household, harbor) = acme(&s).await;
        let (_, secret) = add_endpoint(&s, &["request.declined"]).await;
        assert!(secret.starts_with("whsec_"));
        let first = insert_request(app, acme_id, household, "R-1001").await;
        let second = insert_request(app, acme_id, household, "R-1002").await;
        let third = insert_request(app, acme_id, harbor, "R-1003").await;
        let mut tx = app.store.begin().await.unwrap();
        tx.insert_attachment(acme_id, &NewAttachment {
            customer: Some(CustomerId(household)), owner_kind: "service_request", owner_id: first,
            kind: "photo", filename: "tap.jpg".into(), content_type: "image/jpeg".into(), size_bytes: 10,
            storage_key: "k1".into(), thumb_key: None, width: Some(1), height: Some(1),
        }).await.unwrap();
        tx.commit().await.unwrap();

        assert_eq!(walk(&s, "/api/v1/service-requests?limit=1").await, vec![first, second, third]);
        assert_eq!(walk(&s, &format!("/api/v1/service-requests?customer_id={harbor}")).await, vec![third]);
        assert_eq!(walk(&s, "/api/v1/service-requests?status=new&limit=2").await, vec![first, second, third]);
        assert_eq!(walk(&s, "/api/v1/service-requests?status=declined").await, Vec::<i64>::new());
        assert_eq!(walk(&s, "/api/v1/service-requests?updated_since=2999-01-01T00:00:00Z").await, Vec::<i64>::new());

        let (status, _, read) = call(app, api, "acme", "GET", &format!("/api/v1/service-requests/{first}"), Some(&s.read), None).await;
        assert_eq!(status, 200, "{read}");
        assert_eq!((read["number"].as_str(), read["status"].as_str(), read["customer_id"].as_i64(), read["preferred_date"].as_str()),
            (Some("R-1001"), Some("new"), Some(household), Some("2026-04-02")));
        assert_eq!(read["photos"], json!([{"id": read["photos"][0]["id"], "filename": "tap.jpg", "content_type": "image/jpeg"}]));
        assert!(read["photos"][0]["id"].is_i64());

        // To a job: the job exists with the request's customer, the request is completed.
        let (status, _, made) = call(app, api, "acme", "POST", &format!("/api/v1/service-requests/{first}/convert"), key,
            Some(json!({"to": "job", "summary": "Fix the tap", "date": "2026-04-03", "schedule_type": "am"}))).await;
        assert_eq!(status, 201, "{made}");
        assert_eq!(made["kind"], "job");
        let job = made["id"].as_i64().unwrap();
        assert_eq!((made["request"]["status"].as_str(), made["request"]["converted_job_id"].as_i64()), (Some("completed"), Some(job)));
        let (_, _, j) = call(app, api, "acme", "GET", &format!("/api/v1/jobs/{job}"), key, None).await;
        assert_eq!((j["number"].clone(), j["summary"].as_str(), j["customer_id"].as_i64(), j["status"].as_str()),
            (made["number"].clone(), Some("Fix the tap"), Some(household), Some("scheduled")));

        // To an estimate.
        let (status, _, est) = call(app, api, "acme", "POST", &format!("/api/v1/service-requests/{second}/convert"), key,
            Some(json!({"to": "estimate", "title": "New tap", "scope": "Supply and fit"}))).await;
        assert_eq!(status, 201, "{est}");
        assert_eq!((est["kind"].as_str(), est["request"]["converted_estimate_id"].as_i64()), (Some("estimate"), est["id"].as_i64()));
        assert_eq!(app.store.api_estimate_number(acme_id, est["id"].as_i64().unwrap()).await.unwrap().as_deref(), est["number"].as_str());

        // Declined: the reason kept, the event sent as the office's is.
        let (status, _, declined) = call(app, api, "acme", "POST", &format!("/api/v1/service-requests/{third}/decline"), key,
            Some(json!({"reason": "Outside our area"}))).await;
        assert_eq!(status, 200, "{declined}");
        assert_eq!((declined["status"].as_str(), declined["decline_reason"].as_str()), (Some("declined"), Some("Outside our area")));
        assert!(declined["declined_at"].is_string());
        let sent = events_of(app, acme_id, "request.declined").await;
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0]["data"]["number"].as_str(), sent[0]["data"]["reason"].as_str()), (Some("R-1003"), Some("Outside our area")));
        assert_eq!(walk(&s, "/api/v1/service-requests?status=declined").await, vec![third]);
        // The audit log names the key.
        let (kind, action): (String, String) = doorstep_store::on_pool!(app.store, p => sqlx::query_as(
            "SELECT actor_kind, action FROM audit_events WHERE company_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(acme_id.0).fetch_one(p).await).unwrap();
        assert_eq!((kind.as_str(), action.as_str()), ("api", "request.declined"));

        // An answered request is answered once: converting or declining again clashes.
        for (path, body) in [("convert", json!({"to": "job", "summary": "Again"})), ("decline", json!({"reason": "Again"}))] {
            for id in [first, third] {
                problem(&call(app, api, "acme", "POST", &format!("/api/v1/service-requests/{id}/{path}"), key, Some(body.clone())).await, 409, "conflict");
            }
        }
    }

    /// A read-only key, refused fields, wrong parameters and wrong ids: problems, with
    /// nothing written.
    async fn service_request_refusals_write_nothing(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (acme_id, household, _) = acme(&s).await;
        let id = insert_request(app, acme_id, household, "R-1001").await;
        let before = written(app).await;
        let convert = format!("/api/v1/service-requests/{id}/convert");
        let decline = format!("/api/v1/service-requests/{id}/decline");
        problem(&call(app, api, "acme", "POST", &convert, Some(&s.read), Some(json!({"to": "job", "summary": "X"}))).await, 403, "forbidden");
        problem(&call(app, api, "acme", "POST", &decline, Some(&s.read), Some(json!({"reason": "X"}))).await, 403, "forbidden");
        for (body, field) in [
            (json!({"to": "castle"}), "to"),
            (json!({"to": "job"}), "summary"),
            (json!({"to": "job", "summary": "X", "date": "tomorrow"}), "date"),
            (json!({"to": "job", "summary": "X", "schedule_type": "night"}), "schedule_type"),
            (json!({"to": "job", "summary": "X", "job_type_id": 999_999}), "job_type_id"),
            (json!({"to": "estimate"}), "title"),
            (json!({"to": "estimate", "title": "X", "expires_on": "2001-01-01"}), "expires_on"),
            (json!({"to": "job", "summary": "X", "colour": "red"}), "body"),
            (json!({"summary": "X"}), "body"),
        ] {
            let answer = call(app, api, "acme", "POST", &convert, key, Some(body.clone())).await;
            problem(&answer, 422, "validation");
            assert!(fields(&answer).contains(&field.to_owned()), "{body}: {:?}", answer.2);
        }
        problem(&call(app, api, "acme", "POST", &convert, key, None).await, 422, "validation");
        for (body, field) in [(json!({"reason": "  "}), "reason"), (json!({"reason": "x".repeat(2001)}), "reason"), (json!({}), "body")] {
            let answer = call(app, api, "acme", "POST", &decline, key, Some(body)).await;
            problem(&answer, 422, "validation");
            assert_eq!(fields(&answer), vec![field.to_owned()]);
        }
        for q in ["status=castle", "customer_id=x", "customer_id=0", "limit=0", "cursor=zz", "updated_since=yesterday"] {
            problem(&call(app, api, "acme", "GET", &format!("/api/v1/service-requests?{q}"), key, None).await, 400, "invalid-parameter");
        }
        for bad in ["999999", "abc", "-1"] {
            problem(&call(app, api, "acme", "GET", &format!("/api/v1/service-requests/{bad}"), key, None).await, 404, "not-found");
            problem(&call(app, api, "acme", "POST", &format!("/api/v1/service-requests/{bad}/convert"), key, Some(json!({"to": "job", "summary": "X"}))).await, 404, "not-found");
            problem(&call(app, api, "acme", "POST", &format!("/api/v1/service-requests/{bad}/decline"), key, Some(json!({"reason": "X"}))).await, 404, "not-found");
        }
        assert_eq!(crate::snapshot::changed(&before, &written(app).await), Vec::<String>::new(), "nothing written");
    }

    /// List and read with comments; a staff reply and a status move through the office's
    /// rules, each sending `support.updated`.
    async fn support_requests_are_listed_read_replied_to_and_moved(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (acme_id, household, harbor) = acme(&s).await;
        add_endpoint(&s, &["support.updated"]).await;
        let first = insert_ticket(app, acme_id, household, None, "S-1001").await;
        let second = insert_ticket(app, acme_id, harbor, None, "S-1002").await;
        assert_eq!(walk(&s, "/api/v1/support-requests?limit=1").await, vec![first, second]);
        assert_eq!(walk(&s, &format!("/api/v1/support-requests?customer_id={harbor}")).await, vec![second]);
        assert_eq!(walk(&s, "/api/v1/support-requests?status=open").await, vec![first, second]);
        assert_eq!(walk(&s, "/api/v1/support-requests?status=resolved").await, Vec::<i64>::new());

        let (status, _, read) = call(app, api, "acme", "GET", &format!("/api/v1/support-requests/{first}"), Some(&s.read), None).await;
        assert_eq!(status, 200, "{read}");
        assert_eq!((read["number"].as_str(), read["subject"].as_str(), read["status"].as_str()), (Some("S-1001"), Some("Portal login"), Some("open")));
        assert_eq!(read["comments"].as_array().unwrap().len(), 1);
        assert_eq!((read["comments"][0]["author_kind"].as_str(), read["comments"][0]["body"].as_str()), (Some("contact"), Some("Still stuck.")));

        let (status, _, replied) = call(app, api, "acme", "POST", &format!("/api/v1/support-requests/{first}/comments"), key,
            Some(json!({"body": "We reset your password.", "status": "waiting_on_customer"}))).await;
        assert_eq!(status, 201, "{replied}");
        assert_eq!(replied["status"], "waiting_on_customer");
        let last = &replied["comments"][1];
        assert_eq!((last["author_kind"].as_str(), last["body"].as_str()), (Some("staff"), Some("We reset your password.")));
        // Without a status, the office's rule keeps the ticket's own.
        let (status, _, again) = call(app, api, "acme", "POST", &format!("/api/v1/support-requests/{second}/comments"), key,
            Some(json!({"body": "Looking."}))).await;
        assert_eq!((status, again["status"].as_str()), (201, Some("open")));

        let (status, _, moved) = call(app, api, "acme", "POST", &format!("/api/v1/support-requests/{first}/status"), key,
            Some(json!({"status": "resolved"}))).await;
        assert_eq!((status, moved["status"].as_str()), (200, Some("resolved")), "{moved}");
        assert_eq!(walk(&s, "/api/v1/support-requests?status=resolved").await, vec![first]);
        let sent = events_of(app, acme_id, "support.updated").await;
        let changes: Vec<_> = sent.iter().map(|e| (e["data"]["number"].as_str().unwrap().to_owned(), e["data"]["change"].as_str().unwrap().to_owned())).collect();
        assert_eq!(changes, vec![
            ("S-1001".to_owned(), "office_replied".to_owned()),
            ("S-1002".to_owned(), "office_replied".to_owned()),
            ("S-1001".to_owned(), "status_changed".to_owned()),
        ]);

        // A closed ticket takes no reply; it may only be reopened.
        let close = call(app, api, "acme", "POST", &format!("/api/v1/support-requests/{first}/status"), key, Some(json!({"status": "closed"}))).await;
        assert_eq!(close.0, 200, "{}", close.2);
        problem(&call(app, api, "acme", "POST", &format!("/api/v1/support-requests/{first}/comments"), key, Some(json!({"body": "Hello?"}))).await, 409, "conflict");
        let refused = call(app, api, "acme", "POST", &format!("/api/v1/support-requests/{first}/status"), key, Some(json!({"status": "resolved"}))).await;
        problem(&refused, 422, "validation");
        assert_eq!(fields(&refused), vec!["status".to_owned()]);
    }

    /// A read-only key, refused fields, wrong parameters and wrong ids: problems, with
    /// nothing written.
    async fn support_request_refusals_write_nothing(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (acme_id, household, _) = acme(&s).await;
        let id = insert_ticket(app, acme_id, household, None, "S-1001").await;
        let before = written(app).await;
        let comments = format!("/api/v1/support-requests/{id}/comments");
        let status = format!("/api/v1/support-requests/{id}/status");
        problem(&call(app, api, "acme", "POST", &comments, Some(&s.read), Some(json!({"body": "X"}))).await, 403, "forbidden");
        problem(&call(app, api, "acme", "POST", &status, Some(&s.read), Some(json!({"status": "resolved"}))).await, 403, "forbidden");
        for (body, field) in [
            (json!({"body": "  "}), "body"),
            (json!({"body": "X", "status": "sleeping"}), "status"),
            (json!({"text": "X"}), "body"),
        ] {
            let answer = call(app, api, "acme", "POST", &comments, key, Some(body.clone())).await;
            problem(&answer, 422, "validation");
            assert_eq!(fields(&answer), vec![field.to_owned()], "{body}");
        }
        for (body, field) in [(json!({"status": "sleeping"}), "status"), (json!({"status": "open"}), "status"), (json!({}), "body")] {
            let answer = call(app, api, "acme", "POST", &status, key, Some(body.clone())).await;
            problem(&answer, 422, "validation");
            assert_eq!(fields(&answer), vec![field.to_owned()], "{body}");
        }
        for q in ["status=castle", "customer_id=x", "limit=101", "cursor=zz", "updated_since=yesterday"] {
            problem(&call(app, api, "acme", "GET", &format!("/api/v1/support-requests?{q}"), key, None).await, 400, "invalid-parameter");
        }
        for bad in ["999999", "abc", "0"] {
            problem(&call(app, api, "acme", "GET", &format!("/api/v1/support-requests/{bad}"), key, None).await, 404, "not-found");
            problem(&call(app, api, "acme", "POST", &format!("/api/v1/support-requests/{bad}/comments"), key, Some(json!({"body": "X"}))).await, 404, "not-found");
            problem(&call(app, api, "acme", "POST", &format!("/api/v1/support-requests/{bad}/status"), key, Some(json!({"status": "resolved"}))).await, 404, "not-found");
        }
        assert_eq!(crate::snapshot::changed(&before, &written(app).await), Vec::<String>::new(), "nothing written");
    }

    /// Add (the secret once), list and read (never the secret), PATCH events and active,
    /// the delivery log a page at a time, redeliver, delete.
    async fn webhook_endpoints_are_added_read_changed_logged_redelivered_and_deleted(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (acme_id, household, _) = acme(&s).await;
        let (status, headers, made) = call(app, api, "acme", "POST", "/api/v1/webhook-endpoints", key,
            Some(json!({"url": "https://hooks.example.test/doorstep", "events": ["support.updated", "invoice.paid"]}))).await;
        assert_eq!(status, 201, "{made}");
        let id = made["id"].as_i64().unwrap();
        assert_eq!(headers["location"], format!("/api/v1/webhook-endpoints/{id}"));
        assert_eq!(headers["cache-control"], "no-store");
        let secret = made["secret"].as_str().unwrap();
        assert!(secret.starts_with("whsec_"));
        assert_eq!((made["active"].as_bool(), &made["events"]), (Some(true), &json!(["invoice.paid", "support.updated"])));
        // The secret is the office's: the one it reveals to an administrator.
        let sealed = app.store.webhook_secret(acme_id, id).await.unwrap().unwrap();
        assert!(!sealed.contains(secret), "kept sealed");
        let (status, _, list) = call(app, api, "acme", "GET", "/api/v1/webhook-endpoints", Some(&s.read), None).await;
        assert_eq!(status, 200);
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
        assert!(!list.to_string().contains(secret), "never shown again");
        let (status, _, read) = call(app, api, "acme", "GET", &format!("/api/v1/webhook-endpoints/{id}"), Some(&s.read), None).await;
        assert_eq!(status, 200);
        assert!(read.get("secret").is_none() && !read.to_string().contains(secret));
        assert_eq!(read, list["data"][0]);

        let (status, _, saved) = call(app, api, "acme", "PATCH", &format!("/api/v1/webhook-endpoints/{id}"), key,
            Some(json!({"events": ["support.updated"]}))).await;
        assert_eq!((status, &saved["events"], saved["active"].as_bool()), (200, &json!(["support.updated"]), Some(true)), "{saved}");

        // Two events, logged newest first, a page at a time.
        for n in ["S-1", "S-2"] {
            let t = insert_ticket(app, acme_id, household, None, n).await;
            assert_eq!(call(app, api, "acme", "POST", &format!("/api/v1/support-requests/{t}/status"), key, Some(json!({"status": "in_progress"}))).await.0, 200);
        }
        let path = format!("/api/v1/webhook-endpoints/{id}/deliveries");
        let (status, _, page) = call(app, api, "acme", "GET", &format!("{path}?limit=1"), Some(&s.read), None).await;
        assert_eq!(status, 200, "{page}");
        let newest = &page["data"][0];
        assert_eq!((newest["status"].as_str(), newest["event_type"].as_str(), newest["endpoint_id"].as_i64()), (Some("pending"), Some("support.updated"), Some(id)));
        assert!(newest["attempts"].is_i64() && newest.get("response_status").is_some());
        let cursor = page["next_cursor"].as_str().unwrap();
        let (_, _, older) = call(app, api, "acme", "GET", &format!("{path}?limit=1&cursor={cursor}"), Some(&s.read), None).await;
        assert_eq!(older["data"].as_array().unwrap().len(), 1);
        assert!(older["data"][0]["id"].as_i64() < newest["id"].as_i64());
        assert_eq!(older["next_cursor"], Value::Null);

        // Redelivered: the same event id, due again.
        let delivery = older["data"][0]["id"].as_i64().unwrap();
        let (status, _, again) = call(app, api, "acme", "POST", &format!("/api/v1/webhook-deliveries/{delivery}/redeliver"), key, None).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!((again["id"].as_i64(), &again["event_id"], again["status"].as_str(), again["attempts"].as_i64()),
            (Some(delivery), &older["data"][0]["event_id"], Some("pending"), Some(0)));

        // Off stops it; off again changes nothing.
        for _ in 0..2 {
            let (status, _, off) = call(app, api, "acme", "PATCH", &format!("/api/v1/webhook-endpoints/{id}"), key, Some(json!({"active": false}))).await;
            assert_eq!((status, off["active"].as_bool()), (200, Some(false)), "{off}");
        }
        let actions: Vec<(String,)> = doorstep_store::on_pool!(app.store, p => sqlx::query_as(
            "SELECT action FROM audit_events WHERE company_id = $1 AND actor_kind = 'api' AND action LIKE 'webhook.%' ORDER BY id")
            .bind(acme_id.0).fetch_all(p).await).unwrap();
        let actions: Vec<&str> = actions.iter().map(|(a,)| a.as_str()).collect();
        assert_eq!(actions, vec!["webhook.added", "webhook.events_changed", "webhook.redelivered", "webhook.disabled"]);

        let (status, _, gone) = call(app, api, "acme", "DELETE", &format!("/api/v1/webhook-endpoints/{id}"), key, None).await;
        assert_eq!((status, gone), (204, Value::Null));
        problem(&call(app, api, "acme", "GET", &format!("/api/v1/webhook-endpoints/{id}"), key, None).await, 404, "not-found");
        problem(&call(app, api, "acme", "GET", &path, key, None).await, 404, "not-found");
        problem(&call(app, api, "acme", "POST", &format!("/api/v1/webhook-deliveries/{delivery}/redeliver"), key, None).await, 404, "not-found");
    }

    /// A read-only key reads but changes nothing; the office's URL and event rules refuse;
    /// wrong parameters and ids; a key whose maker is no longer an administrator is
    /// refused even reads. Nothing written.
    async fn webhook_endpoint_refusals_write_nothing(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (acme_id, _, _) = acme(&s).await;
        let (id, _) = add_endpoint(&s, &["invoice.paid"]).await;
        let mut tx = app.store.begin().await.unwrap();
        tx.enqueue_webhook_event(acme_id, "evt_acme1", "invoice.paid", |_| "{}".into()).await.unwrap();
        tx.commit().await.unwrap();
        let delivery = app.store.webhook_deliveries(acme_id, id, None, 1).await.unwrap()[0].id;
        let before = written(app).await;
        let one = format!("/api/v1/webhook-endpoints/{id}");
        let redeliver = format!("/api/v1/webhook-deliveries/{delivery}/redeliver");
        let read = Some(s.read.as_str());
        problem(&call(app, api, "acme", "POST", "/api/v1/webhook-endpoints", read, Some(json!({"url": "https://x.test/h", "events": ["invoice.paid"]}))).await, 403, "forbidden");
        problem(&call(app, api, "acme", "PATCH", &one, read, Some(json!({"active": false}))).await, 403, "forbidden");
        problem(&call(app, api, "acme", "DELETE", &one, read, None).await, 403, "forbidden");
        problem(&call(app, api, "acme", "POST", &redeliver, read, None).await, 403, "forbidden");
        for (body, field) in [
            (json!({"url": "http://hooks.example.test/in", "events": ["invoice.paid"]}), "url"),
            (json!({"url": "ftp://hooks.example.test/in", "events": ["invoice.paid"]}), "url"),
            (json!({"url": "https://hooks.example.test/in", "events": []}), "events"),
            (json!({"url": "https://hooks.example.test/in", "events": ["invoice.eaten"]}), "events"),
            (json!({"url": "https://hooks.example.test/in"}), "body"),
        ] {
            let answer = call(app, api, "acme", "POST", "/api/v1/webhook-endpoints", key, Some(body.clone())).await;
            problem(&answer, 422, "validation");
            assert_eq!(fields(&answer), vec![field.to_owned()], "{body}");
        }
        for (body, field) in [(json!({"events": []}), "events"), (json!({"events": ["nope"], "active": false}), "events"), (json!({"url": "https://y.test"}), "body"), (json!({"active": "no"}), "body")] {
            let answer = call(app, api, "acme", "PATCH", &one, key, Some(body.clone())).await;
            problem(&answer, 422, "validation");
            assert_eq!(fields(&answer), vec![field.to_owned()], "{body}");
        }
        for q in ["limit=0", "limit=x", "cursor=zz", "cursor=-3"] {
            problem(&call(app, api, "acme", "GET", &format!("{one}/deliveries?{q}"), key, None).await, 400, "invalid-parameter");
        }
        for bad in ["999999", "abc", "-1"] {
            let path = format!("/api/v1/webhook-endpoints/{bad}");
            problem(&call(app, api, "acme", "GET", &path, key, None).await, 404, "not-found");
            problem(&call(app, api, "acme", "PATCH", &path, key, Some(json!({"active": false}))).await, 404, "not-found");
            problem(&call(app, api, "acme", "DELETE", &path, key, None).await, 404, "not-found");
            problem(&call(app, api, "acme", "GET", &format!("{path}/deliveries"), key, None).await, 404, "not-found");
            problem(&call(app, api, "acme", "POST", &format!("/api/v1/webhook-deliveries/{bad}/redeliver"), key, None).await, 404, "not-found");
        }
        // The maker is made office staff: their keys lose the webhooks, reads included.
        doorstep_store::on_pool!(app.store, p => sqlx::query("UPDATE staff_users SET role = 'office' WHERE company_id = $1")
            .bind(acme_id.0).execute(p).await.map(|_| ())).unwrap();
        let role_change = written(app).await;
        problem(&call(app, api, "acme", "GET", "/api/v1/webhook-endpoints", read, None).await, 403, "forbidden");
        problem(&call(app, api, "acme", "GET", &one, key, None).await, 403, "forbidden");
        problem(&call(app, api, "acme", "GET", &format!("{one}/deliveries"), key, None).await, 403, "forbidden");
        problem(&call(app, api, "acme", "POST", "/api/v1/webhook-endpoints", key, Some(json!({"url": "https://x.test/h", "events": ["invoice.paid"]}))).await, 403, "forbidden");
        problem(&call(app, api, "acme", "PATCH", &one, key, Some(json!({"active": false}))).await, 403, "forbidden");
        problem(&call(app, api, "acme", "DELETE", &one, key, None).await, 403, "forbidden");
        problem(&call(app, api, "acme", "POST", &redeliver, key, None).await, 403, "forbidden");
        assert_eq!(crate::snapshot::changed(&role_change, &written(app).await), Vec::<String>::new(), "nothing written after");
        let changed = crate::snapshot::changed(&before, &role_change);
        assert!(changed.iter().all(|c| c.contains("staff_users")), "only the role changed: {changed:?}");
    }
}
