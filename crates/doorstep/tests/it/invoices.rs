//! Invoices and the statement in the portal: per account, paid/void per the company's
//! setting, ageing, and off when the company turns invoices off.

use doorstep_testkit::{Backend, both_backends};

use crate::billing_data::{seed_billing, with_settings};
use crate::estimates::dana_on;
use crate::helpers::{TestApp, html, seed_people, sign_in, text_of};

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

both_backends! {
    async fn invoices_list_their_status_and_detail_shows_lines_paid_and_balance(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        let dana = dana_on(&app, people.household).await;
        let (status, body) = get(&app, &dana, "/invoices").await;
        assert_eq!(status, 200);
        for word in ["I-1", "I-2", "I-3", "I-4", "Overdue", "Unpaid", "Paid", "Void"] {
            assert!(body.contains(word), "{word}");
        }
        assert!(!body.contains("I-7"));
        let (status, body) = get(&app, &dana, "/invoices/I-2").await;
        assert_eq!(status, 200);
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=invoice-status]").unwrap(), "Overdue");
        assert_eq!(text_of(&doc, "[data-testid=invoice-balance]").unwrap(), "$50.00");
        assert!(body.contains("New valve") && body.contains("$30.00"));
        assert_eq!(get(&app, &dana, "/invoices/I-7").await.0, 404, "Harbor's invoice");
        assert_eq!(get(&app, &dana, "/invoices?after=2025-99-99.1").await.0, 200);
    }

    async fn paid_and_void_invoices_are_hidden_when_the_company_says_so(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        with_settings(&app, &people, |s| s.show_paid_void_invoices = false).await;
        let dana = dana_on(&app, people.household).await;
        let (_, body) = get(&app, &dana, "/invoices").await;
        assert!(body.contains("I-1") && body.contains("I-2"));
        assert!(!body.contains("I-3") && !body.contains("I-4"));
        assert_eq!(get(&app, &dana, "/invoices/I-3").await.0, 404);
    }

    async fn the_statement_ages_every_open_invoice(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        let dana = dana_on(&app, people.household).await;
        let (status, body) = get(&app, &dana, "/statement").await;
        assert_eq!(status, 200);
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=statement-balance]").unwrap(), "$160.00");
        let ageing = text_of(&doc, "[data-testid=ageing]").unwrap();
        // Each bucket's heading is directly followed by its amount.
        assert!(ageing.contains("Current$110.00"), "{ageing}");
        assert!(ageing.contains("1–30 days$0.00"), "{ageing}");
        assert!(ageing.contains("31–60 days$50.00"), "{ageing}");
        assert!(ageing.contains("Over 90 days$0.00"), "{ageing}");
        let open = text_of(&doc, "[data-testid=open-invoices]").unwrap();
        assert!(open.contains("I-1") && open.contains("I-2") && !open.contains("I-3"));
    }

    async fn invoices_turned_off_or_a_site_contact_get_404_and_no_link(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        let sam = app.client(&["acme"]);
        sign_in(&app, &sam, "acme", "sam@example.test").await;
        for path in ["/invoices", "/invoices/I-7", "/statement"] {
            assert_eq!(get(&app, &sam, path).await.0, 404, "{path}");
        }
        with_settings(&app, &people, |s| { s.show_invoices = false; s.show_estimates = false; }).await;
        let dana = dana_on(&app, people.household).await;
        for path in ["/invoices", "/invoices/I-1", "/statement", "/estimates", "/estimates/E-1"] {
            assert_eq!(get(&app, &dana, path).await.0, 404, "{path}");
        }
        let (_, home) = get(&app, &dana, "/").await;
        assert!(!home.contains("href=\"/invoices\"") && !home.contains("href=\"/estimates\""));
        assert!(!home.contains("data-testid=\"balance\""));
    }
}
