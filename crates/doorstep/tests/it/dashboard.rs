//! The dashboard: money and estimates for company contacts, none of it for site contacts.

use doorstep_testkit::{Backend, both_backends};

use crate::billing_data::{seed_billing, with_settings};
use crate::estimates::dana_on;
use crate::helpers::{TestApp, html, seed_people, sign_in, text_of};

both_backends! {
    async fn the_dashboard_shows_balance_estimates_and_invoices_with_links(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        let dana = dana_on(&app, people.household).await;
        let body = dana.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap();
        let doc = html(&body);
        assert_eq!(text_of(&doc, "[data-testid=balance-due]").unwrap(), "$160.00");
        assert!(text_of(&doc, "[data-testid=credit]").is_some());
        let estimates = text_of(&doc, "[data-testid=estimates]").unwrap();
        assert!(estimates.contains("E-1") && estimates.contains("E-3") && !estimates.contains("E-2"), "only open ones");
        assert!(body.contains("href=\"/estimates/E-1\"") && body.contains("href=\"/invoices/I-2\""));
        assert!(text_of(&doc, "[data-testid=invoices]").unwrap().contains("Overdue"));
        assert!(text_of(&doc, "[data-testid=visits]").unwrap().contains("No visits scheduled"));
        assert!(text_of(&doc, "[data-testid=cards]").unwrap().contains("No saved payment methods"));
        assert!(body.contains("aria-current=\"page\""));

        with_settings(&app, &people, |s| { s.show_credit = false; s.show_payment_method = false; s.show_sub_customers = true; }).await;
        let body = dana.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap();
        let doc = html(&body);
        assert!(text_of(&doc, "[data-testid=credit]").is_none());
        assert!(text_of(&doc, "[data-testid=cards]").is_none());
        assert!(text_of(&doc, "[data-testid=sub-customers]").unwrap().contains("No sub-customers"));
    }

    async fn open_requests_and_support_requests_on_the_dashboard_link_to_their_pages(backend: Backend) {
        use doorstep_core::status::RequestStatus;
        use doorstep_store::requests::NewServiceRequest;
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let contacts = app.store.contacts_of_customer(people.acme, people.household).await.unwrap();
        let dana_contact = doorstep_core::ids::ContactId(contacts.iter().find(|c| c.first_name == "Dana").unwrap().id);
        let mut tx = app.store.begin().await.unwrap();
        tx.insert_service_request(people.acme, &NewServiceRequest {
            customer: people.household, site: None, contact: Some(dana_contact), submitted_by: Some(dana_contact),
            number: "R-1".into(), status: RequestStatus::New, preferred_date: None, schedule_type: None,
            job_type: None, description: "Dripping tap".into(), po_number: String::new(), estimate: None,
            converted_job: None, decline_reason: String::new(), created_at: doorstep_store::now(),
        }).await.unwrap();
        let (_, ticket) = tx.open_support_request(people.acme, people.household, dana_contact, "Gate code", "It changed").await.unwrap();
        tx.commit().await.unwrap();
        let dana = dana_on(&app, people.household).await;
        let doc = html(&dana.get(app.url("acme", "/")).send().await.unwrap().text().await.unwrap());
        let href = |block: &str| {
            let sel = scraper::Selector::parse(&format!("[data-testid={block}] .item-title a")).unwrap();
            doc.select(&sel).next().and_then(|a| a.value().attr("href")).map(str::to_owned)
        };
        let (request, support) = (href("requests").unwrap(), href("support").unwrap());
        assert_eq!((request.as_str(), support), ("/requests/R-1", format!("/support/{ticket}")));
        for path in [request, href("support").unwrap()] {
            assert_eq!(dana.get(app.url("acme", &path)).send().await.unwrap().status(), 200, "{path}");
        }
    }

    async fn a_site_contacts_dashboard_shows_no_money_estimates_or_invoices(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        let sam = app.client(&["acme"]);
        sign_in(&app, &sam, "acme", "sam@example.test").await;
        let res = sam.get(app.url("acme", "/")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let body = res.text().await.unwrap();
        let doc = html(&body);
        for block in ["balance", "estimates", "invoices", "cards", "support"] {
            assert!(text_of(&doc, &format!("[data-testid={block}]")).is_none(), "{block}");
        }
        assert!(!body.contains("$") && !body.contains("E-7") && !body.contains("I-7"));
        assert!(text_of(&doc, "[data-testid=sites]").unwrap().contains("Bayview"));
        assert!(!body.contains("Pier Offices"));
    }
}
