//! Offline payments over HTTP: the office records a partial cash payment and the rest by
//! check; the receipt, the list with its filters, the emails; the customer sees each
//! payment on the invoice and in the payment history (with its date filter); refusals
//! keep the typed values with the message beside the field; site contacts and other
//! companies get 404.

use doorstep_core::status::PaymentMethodKind;
use doorstep_store::billing::NewPayment;
use doorstep_testkit::{Backend, both_backends};

use crate::billing_data::seed_billing;
use crate::estimates::dana_on;
use crate::helpers::{PASSWORD, People, TestApp, html, seed_people, sign_in, text_of};

async fn staff(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.client(&["acme"]);
    app.submit(
        &client,
        "acme",
        "/office",
        "/office/sign-in",
        &[("email", email), ("password", PASSWORD)],
    )
    .await;
    client
}

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Dana is the household's billing contact, so receipts go to her.
async fn make_dana_billing(app: &TestApp, people: &People) {
    doorstep_store::on_pool!(app.store, p => sqlx::query(
        "UPDATE contacts SET is_billing = TRUE WHERE company_id = $1 AND customer_id = $2")
        .bind(people.acme.0).bind(people.household.0).execute(p).await.map(|_| ()))
    .unwrap();
}

async fn receipts(app: &TestApp, people: &People) -> Vec<(String, String)> {
    doorstep_store::on_pool!(app.store, p => sqlx::query_as(
        "SELECT to_address, body_text FROM email_outbox WHERE company_id = $1 AND kind = 'payment_receipt' ORDER BY id")
        .bind(people.acme.0).fetch_all(p).await)
    .unwrap()
}

async fn record(
    app: &TestApp,
    client: &reqwest::Client,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let today = doorstep_store::now().date().to_string();
    let mut all = vec![("customer", "C-1"), ("received_on", today.as_str())];
    all.extend_from_slice(fields);
    app.submit(
        client,
        "acme",
        "/office/payments/new?customer=C-1",
        "/office/payments/new",
        &all,
    )
    .await
}

both_backends! {
    async fn the_office_records_cash_then_a_check_and_the_customer_sees_both(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        make_dana_billing(&app, &people).await;
        let admin = staff(&app, "office@acme.test").await;
        let (status, body) = get(&app, &admin, "/office/payments").await;
        assert_eq!(status, 200);
        assert!(body.contains("No payments yet"), "empty state");

        // The invoice's link opens its account with the balance filled in.
        let (status, body) = get(&app, &admin, "/office/payments/new?invoice=I-1").await;
        assert_eq!(status, 200);
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=payer]").unwrap(), "Dana Whitaker (C-1)");
        assert!(body.contains("name=\"amount\" type=\"text\" inputmode=\"decimal\" required value=\"110.00\""), "prefilled");
        assert_eq!(text_of(&doc, "[data-testid=balance-I-2]").unwrap(), "$50.00");
        assert!(!body.contains("I-4") && !body.contains("I-7"), "only the account's open invoices");

        let res = record(&app, &admin, &[("amount", "50"), ("method", "cash"), ("share.I-1", "50")]).await;
        assert_eq!(res.status().as_u16(), 303);
        let receipt = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(receipt.starts_with("/office/payments/P-") && receipt.ends_with("?done=recorded"), "{receipt}");
        let (_, body) = get(&app, &admin, &receipt).await;
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=payment-amount]").unwrap(), "$50.00");
        assert_eq!(text_of(&doc, "[data-testid=payment-method]").unwrap(), "Cash");
        assert!(text_of(&doc, "[data-testid=payment-lines]").unwrap().contains("$60.00 still due"));
        assert!(body.contains("Olivia Park"), "who recorded it");

        let res = record(&app, &admin, &[("amount", "60.00"), ("method", "check"), ("reference", "1234"), ("share.I-1", "60")]).await;
        assert_eq!(res.status().as_u16(), 303);
        let (_, body) = get(&app, &admin, res.headers()["location"].to_str().unwrap()).await;
        assert!(body.contains("Paid in full") && body.contains("Check · Check #1234"), "{body}");

        // The list: both, newest first; filtered by method and searched by invoice.
        let (_, body) = get(&app, &admin, "/office/payments").await;
        let list = text_of(&html(&body), "[data-testid=payments-list]").unwrap();
        assert!(list.contains("$50.00") && list.contains("$60.00") && list.contains("I-1"), "{list}");
        let (_, body) = get(&app, &admin, "/office/payments?method=check").await;
        let list = text_of(&html(&body), "[data-testid=payments-list]").unwrap();
        assert!(list.contains("$60.00") && !list.contains("$50.00"), "{list}");
        let (_, body) = get(&app, &admin, "/office/payments?method=bank_transfer").await;
        assert!(body.contains("No payments match"));
        let (_, body) = get(&app, &admin, "/office/payments?q=i-1").await;
        assert!(body.contains("payments-list"));
        let (_, body) = get(&app, &admin, "/office/payments?q=Whitaker&from=2000-01-01&to=2000-01-31").await;
        assert!(body.contains("No payments match"));
        let (status, body) = get(&app, &admin, "/office/payments?from=garbage&after=x").await;
        assert_eq!(status, 200);
        assert!(body.contains("not a date") && body.contains("payments-list"));

        // A receipt to Dana for each payment, with its amounts.
        let sent = receipts(&app, &people).await;
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().all(|(to, _)| to == "dana@example.test"));
        assert!(sent[0].1.contains("$50.00") && sent[0].1.contains("I-1: $50.00 applied, $60.00 still due"), "{}", sent[0].1);
        assert!(sent[1].1.contains("$60.00") && sent[1].1.contains("paid in full"), "{}", sent[1].1);

        // Dana sees each payment on the invoice, and in her history with a date filter.
        let dana = dana_on(&app, people.household).await;
        let (_, body) = get(&app, &dana, "/invoices/I-1").await;
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=invoice-status]").unwrap(), "Paid");
        let paid = text_of(&doc, "[data-testid=invoice-payments]").unwrap();
        assert!(paid.contains("Cash") && paid.contains("$50.00") && paid.contains("Check (#1234)") && paid.contains("$60.00"), "{paid}");
        let (status, body) = get(&app, &dana, "/payments").await;
        assert_eq!(status, 200);
        let history = text_of(&html(&body), "[data-testid=payment-history]").unwrap();
        assert!(history.contains("I-1") && history.contains("$60.00") && history.contains("$50.00"), "{history}");
        assert!(body.contains("href=\"/payments\"") && body.contains("aria-current=\"page\""), "in the menu");
        let tomorrow = (doorstep_store::now().date() + time::Duration::days(1)).to_string();
        let (_, body) = get(&app, &dana, &format!("/payments?from={tomorrow}")).await;
        assert!(body.contains("No payments between these dates"));
        let today = doorstep_store::now().date().to_string();
        let (_, body) = get(&app, &dana, &format!("/payments?from={today}&to={today}")).await;
        assert!(body.contains("payment-history"));
    }

    async fn refused_payments_keep_the_form_and_say_why_beside_the_field(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        let admin = staff(&app, "office@acme.test").await;

        // Above the balance without "keep the rest as credit".
        let res = record(&app, &admin, &[("amount", "200"), ("method", "cash"), ("share.I-1", "110")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        let doc = html(&body);
        assert!(text_of(&doc, "#amount-error").unwrap().contains("more than the balance due"), "{body}");
        assert!(body.contains("value=\"200\""), "the typed amount is kept");
        // A share above its invoice's balance: beside that invoice.
        let res = record(&app, &admin, &[("amount", "200"), ("method", "cash"), ("share.I-2", "80"), ("keep_credit", "1")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        let beside = doc.select(&scraper::Selector::parse(".field-error").unwrap()).map(|e| e.text().collect::<String>()).collect::<Vec<_>>();
        assert!(beside.iter().any(|e| e.contains("At most $50.00 is owed")), "{beside:?}");
        // Bad input: each message beside its field.
        let res = record(&app, &admin, &[("amount", "12,50"), ("method", "check"), ("received_on", "2999-01-01")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        for id in ["#amount-error", "#reference-error"] {
            assert!(text_of(&doc, id).is_some(), "{id}");
        }
        // A void invoice cannot take a payment: the clash is said above the form.
        let res = record(&app, &admin, &[("amount", "10"), ("method", "cash"), ("share.I-4", "10")]).await;
        assert_eq!(res.status().as_u16(), 409);
        assert!(res.text().await.unwrap().contains("is void"));
        // Another account's invoice through this account: not found.
        let res = record(&app, &admin, &[("amount", "10"), ("method", "cash"), ("share.I-7", "10")]).await;
        assert_eq!(res.status().as_u16(), 404);
        let count: i64 = doorstep_store::on_pool!(app.store, p => sqlx::query_scalar("SELECT COUNT(*) FROM payments").fetch_one(p).await).unwrap();
        assert_eq!(count, 0, "nothing recorded");
        // Overpaying with credit kept works, and the credit is offered to apply.
        let res = record(&app, &admin, &[("amount", "120"), ("method", "bank_transfer"), ("share.I-1", "110"), ("keep_credit", "1")]).await;
        assert_eq!(res.status().as_u16(), 303);
        let (_, body) = get(&app, &admin, "/office/payments/new?customer=C-1").await;
        assert_eq!(text_of(&html(&body), "[data-testid=payer-credit]").unwrap(), "$10.00");
        let res = app.submit(&admin, "acme", "/office/payments/new?customer=C-1", "/office/payments/credit",
            &[("customer", "C-1"), ("credit_invoice", "I-2"), ("credit_amount", "10")]).await;
        assert_eq!(res.status().as_u16(), 303);
        let (_, body) = get(&app, &admin, res.headers()["location"].to_str().unwrap()).await;
        assert!(body.contains("Account credit") && body.contains("$40.00 still due"), "{body}");
    }

    async fn site_contacts_and_other_companies_get_404(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        let bolt_customer = app.store.payer(bolt.id, "B-1").await.unwrap().unwrap();
        let mut tx = app.store.begin().await.unwrap();
        tx.insert_payment(bolt.id, &NewPayment {
            customer: bolt_customer.customer(), number: "P-2000".into(), amount_minor: 7_700,
            method: PaymentMethodKind::Cash, status: "succeeded".into(), processor: None,
            processor_ref: None, reference: String::new(), received_at: doorstep_store::now(),
            allocations: Vec::new(),
        }).await.unwrap();
        tx.commit().await.unwrap();
        let sam = app.client(&["acme"]);
        sign_in(&app, &sam, "acme", "sam@example.test").await;
        assert_eq!(get(&app, &sam, "/payments").await.0, 404);
        let admin = staff(&app, "office@acme.test").await;
        assert_eq!(get(&app, &admin, "/office/payments/P-2000").await.0, 404, "Bolt's payment");
        assert_eq!(get(&app, &admin, "/office/payments/new?customer=B-1").await.0, 404, "Bolt's customer");
        let (_, body) = get(&app, &admin, "/office/payments").await;
        assert!(!body.contains("P-2000") && !body.contains("$77.00"));
        let dana = dana_on(&app, people.household).await;
        let (_, body) = get(&app, &dana, "/payments").await;
        assert!(!body.contains("$77.00"));
        // A contact cannot record a payment: the office's form sends them to sign in.
        let res = app.submit(&dana, "acme", "/payments", "/office/payments/new",
            &[("customer", "C-1"), ("amount", "5"), ("method", "cash")]).await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(res.headers()["location"], "/office");
    }
}
