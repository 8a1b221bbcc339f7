//! The JSON API's invoices and payments over HTTP (issue 20, api-billing): drafts with
//! lines made, read, listed, changed while draft and upserted by external id; sent
//! (the office's email) and voided; offline payments recorded once per Idempotency-Key;
//! every refusal as problem+json. Bolt's invoice and payment for the isolation test in
//! `it/api.rs` are made here.

use doorstep_core::ids::{CompanyId, CustomerId, InvoiceId, StaffUserId};
use doorstep_core::status::{InvoiceStatus, PaymentMethodKind};
use doorstep_store::api_billing::{ApiInvoice, ApiPayment};
use doorstep_store::billing::NewInvoice;
use doorstep_store::payments::OfficePayment;
use doorstep_testkit::{Backend, both_backends};
use serde_json::{Value, json};

use crate::api::{Setup, call, problem, setup};
use crate::helpers::TestApp;

/// Bolt's draft invoice and a payment of Bolt's, by id.
pub(crate) struct BoltBilling {
    invoice: i64,
    payment: i64,
}

impl BoltBilling {
    /// Bolt's id for an API route of this file's kinds, by the route's prefix.
    pub(crate) fn id_for(&self, path: &str) -> Option<i64> {
        if path.starts_with("/api/v1/invoices") {
            Some(self.invoice)
        } else if path.starts_with("/api/v1/payments") {
            Some(self.payment)
        } else {
            None
        }
    }

    /// The rows as stored, to prove nothing changed.
    pub(crate) async fn rows(
        &self,
        app: &TestApp,
        bolt: CompanyId,
    ) -> (Option<ApiInvoice>, Option<ApiPayment>, i64) {
        let i = app
            .store
            .api_invoice(bolt, InvoiceId(self.invoice))
            .await
            .unwrap();
        let p = app.store.api_payment(bolt, self.payment).await.unwrap();
        let (payments,): (i64,) = doorstep_store::on_pool!(app.store, c => sqlx::query_as(
            "SELECT COUNT(*) FROM payments WHERE company_id = $1").bind(bolt.0).fetch_one(c).await)
        .unwrap();
        (i, p, payments)
    }
}

/// Makes Bolt's draft invoice (with a line) and a payment kept as credit.
pub(crate) async fn bolt_billing(
    app: &TestApp,
    bolt: CompanyId,
    customer: i64,
    maker: StaffUserId,
) -> BoltBilling {
    let day = time::macros::date!(2026 - 03 - 10);
    let mut tx = app.store.begin().await.unwrap();
    let invoice = tx
        .insert_invoice(
            bolt,
            &NewInvoice {
                customer: CustomerId(customer),
                site: None,
                job: None,
                number: "I-9001".into(),
                status: InvoiceStatus::Draft,
                issued_on: day,
                due_on: day,
                total_minor: 5000,
                paid_minor: 0,
                notes: String::new(),
                paid_at: None,
                voided_at: None,
            },
        )
        .await
        .unwrap();
    let payment = tx
        .insert_office_payment(
            bolt,
            &OfficePayment {
                customer: CustomerId(customer),
                number: "P-9001".into(),
                amount_minor: 2500,
                method: PaymentMethodKind::Cash,
                reference: String::new(),
                received_at: doorstep_store::now(),
                recorded_by: maker,
                allocations: Vec::new(),
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    BoltBilling {
        invoice: invoice.0,
        payment: payment.0,
    }
}

/// Acme's household account (C-1) and Dana's contact on it.
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

fn lines() -> Value {
    json!([
        {"description": "Service call", "unit_price_minor": 12500, "tax_name": "VAT", "tax_rate_bp": 1000},
        {"description": "Filter", "quantity_milli": 2000, "unit_price_minor": 1550}
    ])
}

/// A draft invoice of the household with two lines; answers it.
async fn draft(s: &Setup) -> Value {
    let (customer, _) = household(s).await;
    let (status, _, made) = call(
        &s.app,
        &s.api,
        "acme",
        "POST",
        "/api/v1/invoices",
        Some(&s.write),
        Some(json!({"customer_id": customer, "notes": "Thank you", "lines": lines()})),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    made
}

/// Sends invoice `id` to Dana.
async fn send(s: &Setup, id: i64) -> (u16, reqwest::header::HeaderMap, Value) {
    let (_, contact) = household(s).await;
    call(
        &s.app,
        &s.api,
        "acme",
        "POST",
        &format!("/api/v1/invoices/{id}/send"),
        Some(&s.write),
        Some(json!({"contact_id": contact})),
    )
    .await
}

both_backends! {
    /// A draft with lines is made, read with its taxes and totals, listed by customer and
    /// status, changed while draft (lines and discount too), sent (an email queued; then
    /// 409 on change or a second send), upserted by external id, and voided.
    async fn invoices_are_made_read_listed_changed_sent_upserted_and_voided(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (customer, _) = household(&s).await;
        let made = draft(&s).await;
        let id = made["id"].as_i64().unwrap();
        assert!(made["number"].as_str().unwrap().starts_with("I-"));
        assert_eq!((made["status"].as_str(), made["currency"].as_str(), made["customer_id"].as_i64()), (Some("draft"), Some("USD"), Some(customer)));
        // 125.00 + 10% VAT, and 2 × 15.50.
        assert_eq!(made["totals"]["subtotal_minor"], 15600);
        assert_eq!(made["totals"]["taxes"], json!([{"name": "VAT", "rate_bp": 1000, "amount_minor": 1250}]));
        assert_eq!((made["total_minor"].as_i64(), made["balance_minor"].as_i64()), (Some(16850), Some(0)));
        assert_eq!(made["lines"][1]["amount_minor"], 3100);
        let (status, _, read) = call(app, api, "acme", "GET", &format!("/api/v1/invoices/{id}"), key, None).await;
        assert_eq!((status, &read), (200, &made));

        // Lists: by customer and status; another status holds none of it.
        let (status, _, list) = call(app, api, "acme", "GET", &format!("/api/v1/invoices?customer_id={customer}&status=draft&limit=1"), key, None).await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["data"][0]["id"], id);
        assert!(list["data"][0].get("lines").is_none(), "a list holds no lines");
        let (_, _, paid) = call(app, api, "acme", "GET", "/api/v1/invoices?status=paid", key, None).await;
        assert_eq!(paid["data"], json!([]));
        let (_, _, later) = call(app, api, "acme", "GET", "/api/v1/invoices?updated_since=2999-01-01T00:00:00Z", key, None).await;
        assert_eq!(later["data"], json!([]));

        // PATCH while draft: what is sent changes, the rest stays; a discount alone keeps the lines.
        let (status, _, saved) = call(app, api, "acme", "PATCH", &format!("/api/v1/invoices/{id}"), key,
            Some(json!({"notes": "Due on receipt", "due_on": "2030-01-31"}))).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!((saved["notes"].as_str(), saved["due_on"].as_str(), saved["total_minor"].as_i64()), (Some("Due on receipt"), Some("2030-01-31"), Some(16850)));
        let (status, _, saved) = call(app, api, "acme", "PATCH", &format!("/api/v1/invoices/{id}"), key, Some(json!({"discount_minor": 600}))).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!((saved["lines"].as_array().unwrap().len(), saved["totals"]["discount_minor"].as_i64()), (2, Some(600)));
        let (status, _, saved) = call(app, api, "acme", "PATCH", &format!("/api/v1/invoices/{id}"), key,
            Some(json!({"lines": [{"description": "Call-out", "unit_price_minor": 9000}], "discount_minor": 0}))).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!((saved["lines"].as_array().unwrap().len(), saved["total_minor"].as_i64()), (1, Some(9000)));

        // Send: unpaid, an email queued; then it can no longer change nor be sent again.
        let emails = count(&s, "email_outbox").await;
        let (status, _, sent) = send(&s, id).await;
        assert_eq!(status, 200, "{sent}");
        assert_eq!((sent["status"].as_str(), sent["balance_minor"].as_i64()), (Some("unpaid"), Some(9000)));
        assert!(sent["sent_at"].is_string());
        assert_eq!(count(&s, "email_outbox").await, emails + 1);
        problem(&call(app, api, "acme", "PATCH", &format!("/api/v1/invoices/{id}"), key, Some(json!({"notes": "Late"}))).await, 409, "conflict");
        problem(&send(&s, id).await, 409, "conflict");

        // Upsert by external id: made (201), then changed (200), one invoice.
        let (status, _, up) = call(app, api, "acme", "PUT", "/api/v1/invoices/external/ERP-I-1", key,
            Some(json!({"customer_id": customer, "lines": lines()}))).await;
        assert_eq!(status, 201, "{up}");
        assert_eq!(up["external_ref"], "ERP-I-1");
        let (status, _, again) = call(app, api, "acme", "PUT", "/api/v1/invoices/external/ERP-I-1", key, Some(json!({"notes": "PO 77"}))).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!((&again["id"], again["notes"].as_str(), again["total_minor"].as_i64()), (&up["id"], Some("PO 77"), Some(16850)));

        // Void: a reason is required; void once.
        let up_id = up["id"].as_i64().unwrap();
        let void = format!("/api/v1/invoices/{up_id}/void");
        problem(&call(app, api, "acme", "POST", &void, key, Some(json!({}))).await, 422, "validation");
        let (status, _, voided) = call(app, api, "acme", "POST", &void, key, Some(json!({"reason": "Billed twice"}))).await;
        assert_eq!(status, 200, "{voided}");
        assert_eq!(voided["status"], "void");
        problem(&call(app, api, "acme", "POST", &void, key, Some(json!({"reason": "Again"}))).await, 409, "conflict");
        // The audit log names the key.
        let acme = app.store.company_by_slug("acme").await.unwrap().unwrap();
        let (action, kind): (String, String) = doorstep_store::on_pool!(app.store, p => sqlx::query_as(
            "SELECT action, actor_kind FROM audit_events WHERE company_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(acme.id.0).fetch_one(p).await).unwrap();
        assert_eq!((action.as_str(), kind.as_str()), ("invoice.voided", "api"));
    }

    /// An offline payment is recorded on a sent invoice once per Idempotency-Key, read and
    /// listed with what it paid; the rest pays the invoice in full. Refused: not above
    /// zero, above the balance, a bad method, a draft or paid invoice, a read-only key.
    async fn offline_payments_are_recorded_once_and_refused_when_wrong(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let made = draft(&s).await;
        let id = made["id"].as_i64().unwrap();
        let pay = format!("/api/v1/invoices/{id}/payments");
        // A draft takes no payment.
        problem(&call(app, api, "acme", "POST", &pay, key, Some(json!({"amount_minor": 100, "method": "cash"}))).await, 409, "conflict");
        assert_eq!(send(&s, id).await.0, 200);
        let before = count(&s, "payments").await;
        for (body, field) in [
            (json!({"amount_minor": -500, "method": "cash"}), "amount_minor"),
            (json!({"amount_minor": 0, "method": "cash"}), "amount_minor"),
            (json!({"amount_minor": 16851, "method": "cash"}), "amount_minor"),
            (json!({"amount_minor": 100, "method": "bitcoin"}), "method"),
            (json!({"amount_minor": 100, "method": "cash", "received_on": "2999-01-01"}), "received_on"),
        ] {
            let refused = call(app, api, "acme", "POST", &pay, key, Some(body.clone())).await;
            problem(&refused, 422, "validation");
            assert_eq!(refused.2["errors"][0]["field"], field, "{body}: {}", refused.2);
        }
        problem(&call(app, api, "acme", "POST", &pay, key, Some(json!({"amount_minor": 100, "method": "cash", "tip": 1}))).await, 422, "validation");
        problem(&call(app, api, "acme", "POST", &pay, Some(&s.read), Some(json!({"amount_minor": 100, "method": "cash"}))).await, 403, "forbidden");
        problem(&call(app, api, "acme", "POST", "/api/v1/invoices/999999/payments", key, Some(json!({"amount_minor": 100, "method": "cash"}))).await, 404, "not-found");
        assert_eq!(count(&s, "payments").await, before, "nothing recorded by a refusal");

        // Recorded once for one Idempotency-Key.
        let post = || api.post(app.url("acme", &pay)).bearer_auth(&s.write).header("idempotency-key", "pay-1")
            .header("content-type", "application/json")
            .body(json!({"amount_minor": 5000, "method": "check", "reference": "1042", "received_on": "2026-03-10"}).to_string()).send();
        let first = post().await.unwrap();
        assert_eq!(first.status(), 201);
        let location = first.headers()["location"].to_str().unwrap().to_owned();
        let first: Value = first.text().await.unwrap().parse().unwrap();
        let again = post().await.unwrap();
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.text().await.unwrap().parse::<Value>().unwrap(), first);
        assert_eq!(count(&s, "payments").await, before + 1, "one payment for the replay");
        assert_eq!((first["amount_minor"].as_i64(), first["method"].as_str(), first["reference"].as_str(), first["status"].as_str(), first["currency"].as_str()),
            (Some(5000), Some("check"), Some("Check #1042"), Some("succeeded"), Some("USD")));
        assert_eq!(first["allocations"], json!([{"invoice_id": id, "invoice_number": made["number"], "amount_minor": 5000}]));
        let (status, _, read) = call(app, api, "acme", "GET", &location, key, None).await;
        assert_eq!((status, &read), (200, &first));
        let (_, _, invoice) = call(app, api, "acme", "GET", &format!("/api/v1/invoices/{id}"), key, None).await;
        assert_eq!((invoice["paid_minor"].as_i64(), invoice["balance_minor"].as_i64()), (Some(5000), Some(11850)));

        // The rest pays it: paid, and then it takes no more.
        let (status, _, rest) = call(app, api, "acme", "POST", &pay, key, Some(json!({"amount_minor": 11850, "method": "bank_transfer"}))).await;
        assert_eq!(status, 201, "{rest}");
        assert_eq!(rest["method"], "ach");
        let (_, _, invoice) = call(app, api, "acme", "GET", &format!("/api/v1/invoices/{id}"), key, None).await;
        assert_eq!((invoice["status"].as_str(), invoice["balance_minor"].as_i64()), (Some("paid"), Some(0)));
        problem(&call(app, api, "acme", "POST", &pay, key, Some(json!({"amount_minor": 100, "method": "cash"}))).await, 409, "conflict");

        // Listed by record time, a page at a time.
        let (status, _, page) = call(app, api, "acme", "GET", "/api/v1/payments?limit=1", key, None).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["data"][0]["id"], first["id"]);
        let cursor = page["next_cursor"].as_str().unwrap();
        let (_, _, next) = call(app, api, "acme", "GET", &format!("/api/v1/payments?limit=1&cursor={cursor}"), key, None).await;
        assert_eq!((&next["data"][0]["id"], &next["next_cursor"]), (&rest["id"], &Value::Null));
        assert!(next["data"][0]["allocations"][0]["invoice_id"] == id);
    }

    /// Refusals of the invoice endpoints, each a problem: no key, a read-only key on every
    /// write, wrong ids, refused fields named as the API spells them, wrong parameters.
    async fn invoice_refusals_are_problems(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let made = draft(&s).await;
        let id = made["id"].as_i64().unwrap();
        let before = count(&s, "invoices").await;
        problem(&call(app, api, "acme", "GET", "/api/v1/invoices", None, None).await, 401, "unauthorized");
        problem(&call(app, api, "acme", "GET", "/api/v1/payments", None, None).await, 401, "unauthorized");
        for (method, path) in [("POST", "/api/v1/invoices".to_owned()), ("PATCH", format!("/api/v1/invoices/{id}")),
            ("PUT", "/api/v1/invoices/external/E-1".to_owned()), ("POST", format!("/api/v1/invoices/{id}/send")),
            ("POST", format!("/api/v1/invoices/{id}/void"))] {
            problem(&call(app, api, "acme", method, &path, Some(&s.read), Some(json!({"notes": "X"}))).await, 403, "forbidden");
        }
        for path in ["/api/v1/invoices/999999", "/api/v1/invoices/abc", "/api/v1/payments/999999", "/api/v1/payments/0"] {
            problem(&call(app, api, "acme", "GET", path, key, None).await, 404, "not-found");
        }
        for path in ["/api/v1/invoices/999999", "/api/v1/invoices/999999/send", "/api/v1/invoices/999999/void"] {
            let method = if path.ends_with("999999") { "PATCH" } else { "POST" };
            problem(&call(app, api, "acme", method, path, key, Some(json!({}))).await, 404, "not-found");
        }
        let (customer, _) = household(&s).await;
        let bad = call(app, api, "acme", "POST", "/api/v1/invoices", key, Some(json!({"customer_id": customer, "issued_on": "soon",
            "lines": [{"description": "", "unit_price_minor": -5}, {"description": "Ok", "tax_rate_bp": 20000}]}))).await;
        problem(&bad, 422, "validation");
        let fields: Vec<&str> = bad.2["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["issued_on"], "the invoice's fields first");
        let bad = call(app, api, "acme", "POST", "/api/v1/invoices", key, Some(json!({"customer_id": customer,
            "lines": [{"description": ""}, {"description": "Ok", "tax_rate_bp": 20000}], "discount_minor": -1}))).await;
        problem(&bad, 422, "validation");
        let fields: Vec<&str> = bad.2["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        for f in ["lines[0].description", "lines[1].tax_rate_bp", "discount_minor"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        let nobody = call(app, api, "acme", "POST", "/api/v1/invoices", key, Some(json!({"customer_id": s.bolt_customer}))).await;
        problem(&nobody, 422, "validation");
        assert_eq!(nobody.2["errors"][0]["field"], "customer_id");
        problem(&call(app, api, "acme", "POST", "/api/v1/invoices", key, Some(json!({}))).await, 422, "validation");
        problem(&call(app, api, "acme", "POST", "/api/v1/invoices", key, Some(json!({"customer_id": customer, "colour": "red"}))).await, 422, "validation");
        problem(&call(app, api, "acme", "POST", &format!("/api/v1/invoices/{id}/send"), key, Some(json!({}))).await, 422, "validation");
        for q in ["status=late", "customer_id=x", "limit=0", "cursor=zz"] {
            problem(&call(app, api, "acme", "GET", &format!("/api/v1/invoices?{q}"), key, None).await, 400, "invalid-parameter");
        }
        problem(&call(app, api, "acme", "GET", "/api/v1/payments?updated_since=soon", key, None).await, 400, "invalid-parameter");
        assert_eq!(count(&s, "invoices").await, before, "nothing made by a refusal");
        let (_, _, still) = call(app, api, "acme", "GET", &format!("/api/v1/invoices/{id}"), key, None).await;
        assert_eq!(still, made, "nothing changed by a refusal");
    }
}
