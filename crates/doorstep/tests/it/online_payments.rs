//! Online payments over HTTP with the built-in test processor: Dana pays an invoice from
//! its page (the hosted TEST MODE page, the declined card, the good card, the return
//! page), then two at once from the list; refusals say why (a paid or void invoice,
//! nothing ticked, another account's invoice); site contacts get 404; the webhook route
//! refuses a delivery without a valid signature with 400 and changes nothing.

use doorstep_store::online_payments::PaymentSettingsRow;
use doorstep_testkit::{Backend, both_backends};

use crate::billing_data::seed_billing;
use crate::estimates::dana_on;
use crate::helpers::{People, TestApp, html, seed_people, sign_in, text_of};

async fn test_mode(app: &TestApp, people: &People) {
    let mut tx = app.store.begin().await.unwrap();
    tx.set_payment_settings(
        people.acme,
        &PaymentSettingsRow {
            processor: "test".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn status_of(app: &TestApp, people: &People, number: &str) -> String {
    doorstep_store::on_pool!(app.store, p => sqlx::query_scalar(
        "SELECT status FROM invoices WHERE company_id = $1 AND number = $2")
        .bind(people.acme.0).bind(number).fetch_one(p).await)
    .unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

both_backends! {
    async fn dana_pays_one_invoice_then_two_and_refusals_say_why(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        test_mode(&app, &people).await;
        let dana = dana_on(&app, people.household).await;

        // The invoice's page offers Pay; the list offers boxes, Pay selected, Pay balance.
        let body = dana.get(app.url("acme", "/invoices/I-1")).send().await.unwrap().text().await.unwrap();
        assert!(body.contains("Pay online"), "{body}");
        let list = dana.get(app.url("acme", "/invoices")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("name=\"invoice\" value=\"I-1\""));
        assert!(list.contains("Pay selected") && list.contains("Pay balance"));
        let paid_page = dana.get(app.url("acme", "/invoices/I-3")).send().await.unwrap().text().await.unwrap();
        assert!(!paid_page.contains("Pay online"), "a paid invoice offers no Pay");

        // Pay I-1: off to the test processor's page, marked TEST MODE.
        let res = app.submit(&dana, "acme", "/invoices/I-1", "/invoices/I-1/pay", &[]).await;
        assert_eq!(res.status().as_u16(), 303);
        let hosted = location(&res);
        assert!(hosted.starts_with("/pay/test/cs_test_"), "{hosted}");
        let page = dana.get(app.url("acme", &hosted)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("TEST MODE"));
        // A second tab for the same invoice is refused before the processor.
        let again = app.submit(&dana, "acme", "/invoices/I-1", "/invoices/I-1/pay", &[]).await;
        assert_eq!(again.status().as_u16(), 409);
        assert!(again.text().await.unwrap().contains("already being paid in another tab"));
        // The declined card: back to the return page, which says so; I-1 stays unpaid.
        let res = app.submit(&dana, "acme", &hosted, &hosted, &[("card", "4000 0000 0000 0002")]).await;
        assert_eq!(res.status().as_u16(), 303);
        let back = location(&res);
        let page = dana.get(app.url("acme", &back)).send().await.unwrap().text().await.unwrap();
        assert_eq!(text_of(&html(&page), "h1").as_deref(), Some("Payment declined"));
        assert!(page.contains("Your card was declined."));
        assert_eq!(status_of(&app, &people, "I-1").await, "unpaid");
        // Again with the good card: paid.
        let res = app.submit(&dana, "acme", "/invoices/I-1", "/invoices/I-1/pay", &[]).await;
        let hosted = location(&res);
        let res = app.submit(&dana, "acme", &hosted, &hosted, &[("card", "4242 4242 4242 4242")]).await;
        let page = dana.get(app.url("acme", &location(&res))).send().await.unwrap().text().await.unwrap();
        assert_eq!(text_of(&html(&page), "h1").as_deref(), Some("Payment received"));
        assert_eq!(status_of(&app, &people, "I-1").await, "paid");

        // Refusals, each with its reason.
        let none = app.submit(&dana, "acme", "/invoices", "/invoices/pay", &[]).await;
        assert_eq!(none.status().as_u16(), 422);
        assert!(none.text().await.unwrap().contains("Choose at least one invoice"));
        let paid = app.submit(&dana, "acme", "/invoices", "/invoices/I-3/pay", &[]).await;
        assert_eq!(paid.status().as_u16(), 409);
        assert!(paid.text().await.unwrap().contains("already paid in full"));
        let void = app.submit(&dana, "acme", "/invoices", "/invoices/I-4/pay", &[]).await;
        assert_eq!(void.status().as_u16(), 409);
        assert!(void.text().await.unwrap().contains("is void"));
        let other = app.submit(&dana, "acme", "/invoices", "/invoices/I-7/pay", &[]).await;
        assert_eq!(other.status().as_u16(), 404, "Harbor's invoice is not the household's");

        // "Pay balance" pays what is left (I-2) from the list.
        let res = app.submit(&dana, "acme", "/invoices", "/invoices/pay", &[("all", "1")]).await;
        let hosted = location(&res);
        assert!(hosted.starts_with("/pay/test/"), "{hosted}");
        let res = app.submit(&dana, "acme", &hosted, &hosted, &[("card", "4242424242424242")]).await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(status_of(&app, &people, "I-2").await, "paid");
    }

    async fn site_contacts_get_404_and_a_bad_webhook_gets_400(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        test_mode(&app, &people).await;
        let sam = app.client(&["acme"]);
        sign_in(&app, &sam, "acme", "sam@example.test").await;
        let res = app.submit(&sam, "acme", "/", "/invoices/I-7/pay", &[]).await;
        assert_eq!(res.status().as_u16(), 404);
        let res = app.submit(&sam, "acme", "/", "/invoices/pay", &[("invoice", "I-7")]).await;
        assert_eq!(res.status().as_u16(), 404);

        let count = || async {
            doorstep_store::on_pool!(app.store, p => sqlx::query_scalar::<_, i64>(
                "SELECT (SELECT COUNT(*) FROM processor_events) + (SELECT COUNT(*) FROM payments)")
                .fetch_one(p).await)
            .unwrap()
        };
        let before = count().await;
        let plain = app.client(&["acme"]);
        let now = doorstep_store::now().unix_timestamp();
        let body = r#"{"id":"evt_x","type":"checkout.session.completed","created":1,"data":{"object":{"id":"cs_test_x","status":"complete","payment_status":"paid"}}}"#;
        for header in [None, Some(format!("t={now},v1={}", "ab".repeat(32))), Some(format!("t={},v1=00", now - 3600))] {
            let mut req = plain.post(app.url("acme", "/webhooks/stripe")).body(body);
            if let Some(h) = header {
                req = req.header("stripe-signature", h);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status().as_u16(), 400);
        }
        // Too large a body is refused before it is read whole.
        let res = plain.post(app.url("acme", "/webhooks/stripe")).body(vec![b'x'; 200 * 1024]).send().await.unwrap();
        assert!(matches!(res.status().as_u16(), 400 | 413), "{}", res.status());
        assert_eq!(count().await, before);
    }
}
