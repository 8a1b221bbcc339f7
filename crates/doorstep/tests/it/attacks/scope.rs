//! Issue 14, points 5 and 9: what a site contact may reach.
//!
//! 5. A site contact adding a "new contact" in the request form used to create a *company*
//!    contact; once the office enabled its access (a routine click) that login saw the
//!    account's invoices, statement and estimates.
//! 9. Site contacts saw money: job costs, line prices, totals, invoice numbers and invoice
//!    notes on job pages and in the service and sales histories.

use doorstep_core::ids::ContactId;
use doorstep_testkit::{Backend, both_backends};

use crate::billing_data::seed_billing;
use crate::helpers::office;
use crate::helpers::{PASSWORD, TestApp, html, seed_people, sign_in};
use crate::jobs::seed_jobs;
use crate::requests::{Fixture, browser, get, post, setup};

/// Whether `body` shows an amount: a `$` followed by a digit.
pub(crate) fn shows_amount(body: &str) -> bool {
    body.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'$' && w[1].is_ascii_digit())
}

/// The invoice numbers and invoice notes the seeds give Harbor's account (billing_data:
/// I-7; jobs: INV-2 for B-1, whose invoice notes read "Thank you for your business").
pub(crate) const HARBOR_INVOICE_REFERENCES: &[&str] =
    &["I-7", "INV-2", "Thank you for your business"];

/// The first invoice reference of Harbor's that `body` shows, if any.
pub(crate) fn invoice_reference_in(body: &str) -> Option<&'static str> {
    HARBOR_INVOICE_REFERENCES
        .iter()
        .copied()
        .find(|r| body.contains(r))
}

/// Sam (site contact of Bayview) requests service with a new visit contact, Nina; returns
/// the request's number.
async fn sam_requests_with_a_new_contact(f: &Fixture, sam: &reqwest::Client) -> String {
    let date = (time::OffsetDateTime::now_utc().date() + time::Duration::days(3)).to_string();
    let (status, to, body) = post(
        f,
        sam,
        "/requests/new",
        "/requests/new",
        &[("date", &date), ("schedule", "am")],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let base = to.trim_end_matches("/address").to_owned();
    let bayview = f.bayview.to_string();
    let (_, to, _) = post(
        f,
        sam,
        &format!("{base}/address"),
        &format!("{base}/address"),
        &[("site", &bayview)],
    )
    .await;
    assert_eq!(to, format!("{base}/contact"));
    let (_, to, body) = post(
        f,
        sam,
        &format!("{base}/contact"),
        &format!("{base}/contact"),
        &[
            ("contact", "new"),
            ("contact_name", "Nina Caretaker"),
            ("contact_email", "nina@example.test"),
            ("contact_phone", ""),
        ],
    )
    .await;
    assert_eq!(to, format!("{base}/what"), "{body}");
    let (_, to, _) = post(
        f,
        sam,
        &format!("{base}/what"),
        &format!("{base}/what"),
        &[("description", "Door sticks")],
    )
    .await;
    assert_eq!(to, format!("{base}/photos"));
    let (status, to, _) = crate::request_photos::post_photos(f, sam, &base, "continue", &[]).await;
    assert_eq!(
        (status, to.as_str()),
        (303, format!("{base}/summary").as_str())
    );
    let (status, to, _) = post(
        f,
        sam,
        &format!("{base}/summary"),
        &format!("{base}/submit"),
        &[],
    )
    .await;
    assert_eq!(status, 303, "{to}");
    to.trim_start_matches("/requests/")
        .trim_end_matches("?submitted=1")
        .to_owned()
}

both_backends! {
    async fn a_site_contacts_new_visit_contact_is_a_site_contact_of_the_same_sites_and_never_sees_billing(backend: Backend) {
        let f = setup(backend).await;
        seed_billing(&f.app, &f.people).await;
        let sam = browser(&f, "sam@example.test", None).await;
        let number = sam_requests_with_a_new_contact(&f, &sam).await;
        assert!(number.starts_with("R-"), "{number}");
        let acme = f.people.acme;

        // The store row: a site contact of Sam's sites (Bayview only), no access yet.
        let nina = f.app.store.contacts_of_customer(acme, f.people.harbor).await.unwrap()
            .into_iter().find(|c| c.email.as_deref() == Some("nina@example.test"))
            .expect("the new contact was recorded on Harbor's account");
        assert_eq!(nina.role, "site", "a site contact hands out no more than it has");
        assert!(!nina.portal_enabled);
        let sam_contact = f.app.store.contacts_of_customer(acme, f.people.harbor).await.unwrap()
            .into_iter().find(|c| c.email.as_deref() == Some("sam@example.test")).unwrap();
        let sam_sites = f.app.store.sites_of_contact(acme, ContactId(sam_contact.id)).await.unwrap();
        assert_eq!(f.app.store.sites_of_contact(acme, ContactId(nina.id)).await.unwrap(), sam_sites);
        assert_eq!(sam_sites.len(), 1);
        assert_eq!(sam_sites[0].0, f.bayview);

        // The office enables her access (the routine click), she sets a password...
        let office = office(&f.app).await;
        let res = f.app.submit(&office, "acme", "/office/customers/C-2",
            &format!("/office/contacts/{}/access", nina.id), &[("action", "enable")]).await;
        assert_eq!(res.status().as_u16(), 303);
        let login = f.app.store.contact_access(acme, ContactId(nina.id)).await.unwrap().unwrap()
            .login_id.expect("enabling access made a login");
        let hash = doorstep_web::auth::password::hash_password(PASSWORD, doorstep_web::PasswordCost::TestOnly).unwrap();
        let mut tx = f.app.store.begin().await.unwrap();
        tx.set_login_password(acme, doorstep_core::ids::LoginId(login), Some(&hash)).await.unwrap();
        tx.commit().await.unwrap();
        let nina_browser = f.app.client(&["acme"]);
        assert_eq!(sign_in(&f.app, &nina_browser, "acme", "nina@example.test").await.status().as_u16(), 303);

        // ...and sees no billing: no invoices, statement or estimates, no balance.
        for page in ["/invoices", "/invoices/I-7", "/statement", "/statement/pdf", "/estimates", "/estimates/E-7"] {
            assert_eq!(get(&f, &nina_browser, page).await.0, 404, "{page}");
        }
        let (status, dashboard) = get(&f, &nina_browser, "/").await;
        assert_eq!(status, 200);
        assert!(!shows_amount(&dashboard), "the dashboard shows her no money");
        assert!(!dashboard.contains("I-7"));
        // She follows her request at Bayview like Sam does.
        assert_eq!(get(&f, &nina_browser, &format!("/requests/{number}")).await.0, 200);
    }

    async fn the_office_customer_page_shows_each_contacts_role_and_sites_before_its_access_buttons(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let office = office(&app).await;
        let res = office.get(app.url("acme", "/office/customers/C-2")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let body = res.text().await.unwrap();
        let doc = html(&body);
        let items = scraper::Selector::parse("li[data-testid^=contact-]").unwrap();
        let role_sel = scraper::Selector::parse("[data-testid=role]").unwrap();
        let mut seen = Vec::new();
        for item in doc.select(&items) {
            let inner = item.inner_html();
            let role = item.select(&role_sel).next().expect("each contact shows its role");
            let role_text = role.text().collect::<String>();
            let role_at = inner.find("data-testid=\"role\"").unwrap();
            let form_at = inner.find("<form").expect("each contact has its access buttons");
            assert!(role_at < form_at, "the role is read before the buttons: {inner}");
            let name = item.text().collect::<String>();
            if name.contains("Sam") {
                assert!(role_text.contains("Site contact"), "{role_text}");
                assert!(role_text.contains("Bayview Apartments"), "which sites: {role_text}");
                assert!(!role_text.contains("Pier Offices"), "{role_text}");
                assert!(role_text.contains("no invoices"), "what it grants: {role_text}");
            } else {
                assert!(role_text.contains("Company contact"), "{role_text}");
                assert!(role_text.contains("invoices"), "what it grants: {role_text}");
            }
            seen.push(role_text);
        }
        assert_eq!(seen.len(), 2, "Dana and Sam on Harbor: {seen:?}");
    }

    async fn a_site_contact_sees_no_amount_or_invoice_reference_on_pages_that_show_them_to_a_company_contact(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        seed_jobs(&app, &people).await;
        let sam = app.client(&["acme"]);
        sign_in(&app, &sam, "acme", "sam@example.test").await;
        let dana = app.client(&["acme"]);
        sign_in(&app, &dana, "acme", "dana@example.test").await;
        app.submit(&dana, "acme", "/accounts", "/accounts", &[("customer", &people.harbor.0.to_string())]).await;
        let body = async |client: &reqwest::Client, page: &str| {
            let res = client.get(app.url("acme", page)).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 200, "{page}");
            res.text().await.unwrap()
        };
        for page in ["/", "/jobs", "/jobs/B-1", "/jobs/B-2", "/service-history", "/sales-history", "/requests"] {
            let seen = body(&sam, page).await;
            assert!(!shows_amount(&seen), "Sam sees an amount on {page}");
            assert_eq!(invoice_reference_in(&seen), None, "Sam sees an invoice reference on {page}");
        }
        // The same pages show them to Dana, so the checks above look where money is.
        let job = body(&dana, "/jobs/B-1").await;
        assert!(job.contains("$32.48") && job.contains("$20.00"), "cost, total and line price");
        assert!(job.contains("Thank you for your business"), "invoice notes");
        let history = body(&dana, "/service-history").await;
        assert!(history.contains("INV-2") && history.contains("$32.48"));
        assert!(shows_amount(&body(&dana, "/sales-history").await));
        let dashboard = body(&dana, "/").await;
        assert!(dashboard.contains("I-7") && shows_amount(&dashboard));
    }

    async fn a_site_contact_sees_and_picks_only_the_people_of_its_own_sites_as_the_visit_contact(backend: Backend) {
        let f = setup(backend).await;
        let sam = browser(&f, "sam@example.test", None).await;
        let date = (time::OffsetDateTime::now_utc().date() + time::Duration::days(3)).to_string();
        let (_, to, _) = post(&f, &sam, "/requests/new", "/requests/new", &[("date", &date), ("schedule", "am")]).await;
        let base = to.trim_end_matches("/address").to_owned();
        let bayview = f.bayview.to_string();
        post(&f, &sam, &format!("{base}/address"), &format!("{base}/address"), &[("site", &bayview)]).await;
        let (status, page) = get(&f, &sam, &format!("{base}/contact")).await;
        assert_eq!(status, 200);
        assert!(page.contains("sam@example.test"), "Sam picks himself");
        // Dana is a company contact of Harbor, tied to no site: not Sam's to see or pick.
        assert!(!page.contains("dana@example.test") && !page.contains("Dana"), "the account's other people are not listed");
        let dana = f.app.store.contacts_of_customer(f.people.acme, f.people.harbor).await.unwrap()
            .into_iter().find(|c| c.email.as_deref() == Some("dana@example.test")).unwrap();
        let (status, to, _) = post(&f, &sam, &format!("{base}/contact"), &format!("{base}/contact"),
            &[("contact", &dana.id.to_string())]).await;
        assert_ne!(to, format!("{base}/what"), "a crafted contact id is refused, status {status}");
        // A company contact still picks among all the account's people.
        let dana_browser = browser(&f, "dana@example.test", Some(f.people.harbor)).await;
        let (_, to, _) = post(&f, &dana_browser, "/requests/new", "/requests/new", &[("date", &date), ("schedule", "am")]).await;
        let base = to.trim_end_matches("/address").to_owned();
        post(&f, &dana_browser, &format!("{base}/address"), &format!("{base}/address"), &[("site", &bayview)]).await;
        let page = get(&f, &dana_browser, &format!("{base}/contact")).await.1;
        assert!(page.contains("sam@example.test") && page.contains("dana@example.test"));
    }
}
