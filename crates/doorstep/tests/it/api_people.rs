//! The JSON API's contacts, their portal access and sites over HTTP (issue 20,
//! api-people): made, read, listed (by customer, a page at a time, by change time),
//! changed, deactivated and reactivated, contacts upserted by external id; portal access
//! enabled (a real invitation by SMTP), resent, locked, unlocked, reset and disabled;
//! every refusal as problem+json with nothing written. Bolt's contact and site for the
//! isolation test in `it/api.rs` are made here.

use doorstep_core::ids::{CompanyId, ContactId, CustomerId, SiteId};
use doorstep_store::api_people::{ApiContact, ApiSite};
use doorstep_store::customers::NewSite;
use doorstep_testkit::smtp::SmtpServer;
use doorstep_testkit::{Backend, both_backends};
use serde_json::{Value, json};

use crate::api::{Setup, call, make_key, problem, setup};
use crate::helpers::{TestApp, office, seed_people};

/// Bolt's contact and site, by id.
pub(crate) struct BoltPeople {
    pub(crate) contact: i64,
    pub(crate) site: i64,
}

impl BoltPeople {
    /// The rows as stored, to prove nothing changed.
    pub(crate) async fn rows(
        &self,
        app: &TestApp,
        bolt: CompanyId,
    ) -> (Option<ApiContact>, Option<ApiSite>) {
        let c = app
            .store
            .api_contact(bolt, ContactId(self.contact))
            .await
            .unwrap();
        let s = app.store.api_site(bolt, SiteId(self.site)).await.unwrap();
        (c, s)
    }
}

/// Bolt's site (made here) and its contact (seeded, with portal access).
pub(crate) async fn bolt_people(app: &TestApp, bolt: CompanyId, customer: i64) -> BoltPeople {
    let mut tx = app.store.begin().await.unwrap();
    let site = tx
        .insert_site(
            bolt,
            &NewSite {
                customer: Some(CustomerId(customer)),
                name: "Bolt yard".into(),
                line1: "1 Volt Way".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let contact = app
        .store
        .api_contacts(bolt, &Default::default(), 10)
        .await
        .unwrap()[0]
        .id;
    BoltPeople {
        contact,
        site: site.0,
    }
}

/// Acme's id and its household (C-1) and Harbor (C-2) accounts.
async fn acme(app: &TestApp) -> (CompanyId, i64, i64) {
    let acme = app.store.company_by_slug("acme").await.unwrap().unwrap();
    let c = app
        .store
        .api_customers(acme.id, None, None, 10)
        .await
        .unwrap();
    let id = |n: &str| c.iter().find(|c| c.number == n).unwrap().id;
    (acme.id, id("C-1"), id("C-2"))
}

/// Acme's site named `name`.
async fn site_named(app: &TestApp, company: CompanyId, name: &str) -> i64 {
    let all = app
        .store
        .api_sites(company, &Default::default(), 100)
        .await
        .unwrap();
    all.iter().find(|s| s.name == name).unwrap().id
}

/// Acme's contact of account `customer` named `first`.
async fn contact_named(app: &TestApp, company: CompanyId, customer: i64, first: &str) -> i64 {
    let all = app
        .store
        .api_contacts(company, &Default::default(), 100)
        .await
        .unwrap();
    all.iter()
        .find(|c| c.customer_id == customer && c.first_name == first)
        .unwrap()
        .id
}

/// Every row a request could write, but the keys' last use and sessions.
async fn written(app: &TestApp) -> crate::snapshot::Snapshot {
    crate::snapshot::snapshot(app)
        .await
        .into_iter()
        .filter(|(t, _)| !matches!(*t, "api_keys" | "sessions"))
        .collect()
}

/// Walks a list from `path` (which has no cursor) page by page: every id.
async fn walk(s: &Setup, path: &str) -> Vec<i64> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut next = path.to_owned();
    let mut seen = Vec::new();
    loop {
        let (status, _, page) =
            call(&s.app, &s.api, "acme", "GET", &next, Some(&s.write), None).await;
        assert_eq!(status, 200, "{page}");
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 1, "{page}");
        seen.extend(data.iter().map(|c| c["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(c) => next = format!("{path}{sep}cursor={c}"),
            None => return seen,
        }
    }
}

/// The fields refused in a validation problem.
fn fields(answer: &(u16, reqwest::header::HeaderMap, Value)) -> Vec<String> {
    answer.2["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// Asserts a 422 naming `field`.
fn refused_on(answer: &(u16, reqwest::header::HeaderMap, Value), field: &str) {
    problem(answer, 422, "validation");
    assert!(
        fields(answer).iter().any(|f| f == field),
        "{field} in {}",
        answer.2
    );
}

both_backends! {
    /// Create, read, list (by customer, a page at a time, by change time), PATCH (fields,
    /// deactivate, reactivate), upsert by external id; the audit log names the key.
    async fn contacts_are_created_read_listed_updated_and_upserted(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (acme_id, household, harbor) = acme(app).await;
        let (status, headers, made) = call(app, api, "acme", "POST", "/api/v1/contacts", key,
            Some(json!({"customer_id": household, "first_name": "Nina", "last_name": "Whitaker", "email": "Nina@Example.test", "is_billing": true}))).await;
        assert_eq!(status, 201, "{made}");
        let id = made["id"].as_i64().unwrap();
        assert_eq!(headers["location"], format!("/api/v1/contacts/{id}"));
        assert_eq!((made["customer_id"].as_i64(), made["email"].as_str(), made["role"].as_str(), made["is_billing"].as_bool()),
            (Some(household), Some("nina@example.test"), Some("company"), Some(true)));
        assert_eq!((made["portal_access"].as_str(), &made["last_sign_in_at"], made["active"].as_bool()), (Some("none"), &Value::Null, Some(true)));
        let (status, _, read) = call(app, api, "acme", "GET", &format!("/api/v1/contacts/{id}"), key, None).await;
        assert_eq!((status, &read), (200, &made));

        // A site contact names its sites.
        let bayview = site_named(app, acme_id, "Bayview Apartments").await;
        let (status, _, site_contact) = call(app, api, "acme", "POST", "/api/v1/contacts", key,
            Some(json!({"customer_id": harbor, "first_name": "Omar", "role": "site", "site_ids": [bayview]}))).await;
        assert_eq!(status, 201, "{site_contact}");
        assert_eq!(site_contact["site_ids"], json!([bayview]));

        // Pages of one: every contact once, the newest last; filtered by customer.
        let all = walk(&s, "/api/v1/contacts?limit=1").await;
        assert_eq!(all.len(), 5, "Dana twice, Sam and the two new: {all:?}");
        assert_eq!(all.last(), Some(&site_contact["id"].as_i64().unwrap()));
        let of_household = walk(&s, &format!("/api/v1/contacts?limit=1&customer_id={household}")).await;
        assert_eq!(of_household.len(), 2, "{of_household:?}");
        assert!(of_household.contains(&id));
        let (_, _, listed) = call(app, api, "acme", "GET", &format!("/api/v1/contacts?customer_id={harbor}"), key, None).await;
        let sam = listed["data"].as_array().unwrap().iter().find(|c| c["first_name"] == "Sam").unwrap();
        assert_eq!((sam["role"].as_str(), sam["site_ids"].clone(), sam["portal_access"].as_str()), (Some("site"), json!([bayview]), Some("active")));
        let since = made["updated_at"].as_str().unwrap().replace('+', "%2B");
        let (_, _, recent) = call(app, api, "acme", "GET", &format!("/api/v1/contacts?updated_since={since}"), key, None).await;
        assert!(recent["data"].as_array().unwrap().iter().any(|c| c["id"] == id));
        let (_, _, none) = call(app, api, "acme", "GET", "/api/v1/contacts?updated_since=2999-01-01T00:00:00Z", key, None).await;
        assert_eq!((none["data"].clone(), none["next_cursor"].clone()), (json!([]), Value::Null));

        // PATCH changes what it sends and keeps the rest; `active` deactivates and reactivates.
        let path = format!("/api/v1/contacts/{id}");
        let (status, _, saved) = call(app, api, "acme", "PATCH", &path, key, Some(json!({"phone": "555-0100", "external_ref": "CRM-7"}))).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!((saved["phone"].as_str(), saved["first_name"].as_str(), saved["external_ref"].as_str(), saved["is_billing"].as_bool()),
            (Some("555-0100"), Some("Nina"), Some("CRM-7"), Some(true)));
        let (status, _, off) = call(app, api, "acme", "PATCH", &path, key, Some(json!({"active": false}))).await;
        assert_eq!((status, off["active"].as_bool()), (200, Some(false)), "{off}");
        let (status, _, on) = call(app, api, "acme", "PATCH", &path, key, Some(json!({"active": true, "last_name": "Green"}))).await;
        assert_eq!((status, on["active"].as_bool(), on["last_name"].as_str()), (200, Some(true), Some("Green")), "{on}");
        // Another contact cannot take the same external id.
        let taken = call(app, api, "acme", "PATCH", &format!("/api/v1/contacts/{}", site_contact["id"]), key, Some(json!({"external_ref": "CRM-7"}))).await;
        refused_on(&taken, "external_ref");

        // Upsert: the existing one saved (200, fields kept), a new one made (201), one each.
        let (status, _, again) = call(app, api, "acme", "PUT", "/api/v1/contacts/external/CRM-7", key, Some(json!({"phone": "555-0199"}))).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!((again["id"].as_i64(), again["phone"].as_str(), again["last_name"].as_str()), (Some(id), Some("555-0199"), Some("Green")));
        let (status, _, up) = call(app, api, "acme", "PUT", "/api/v1/contacts/external/CRM-8", key,
            Some(json!({"customer_id": harbor, "first_name": "Priya"}))).await;
        assert_eq!(status, 201, "{up}");
        assert_eq!((up["external_ref"].as_str(), up["customer_id"].as_i64()), (Some("CRM-8"), Some(harbor)));
        let (status, _, up_again) = call(app, api, "acme", "PUT", "/api/v1/contacts/external/CRM-8", key,
            Some(json!({"customer_id": harbor, "first_name": "Priya", "last_name": "Shah"}))).await;
        assert_eq!((status, up_again["id"].clone(), up_again["last_name"].as_str()), (200, up["id"].clone(), Some("Shah")));
        // An existing contact never moves to another account.
        refused_on(&call(app, api, "acme", "PUT", "/api/v1/contacts/external/CRM-8", key, Some(json!({"customer_id": household}))).await, "customer_id");
        refused_on(&call(app, api, "acme", "PATCH", &path, key, Some(json!({"customer_id": harbor}))).await, "customer_id");

        // The audit log names the key and the office's action.
        let (action, kind, label): (String, String, String) = doorstep_store::on_pool!(app.store, p => sqlx::query_as(
            "SELECT action, actor_kind, actor_label FROM audit_events WHERE company_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(acme_id.0).fetch_one(p).await).unwrap();
        assert_eq!((action.as_str(), kind.as_str()), ("contact.edited", "api"));
        assert!(label.contains("Accounting sync"), "{label}");
    }

    /// Enabling access invites by real email; the invitation is resent; lock, unlock,
    /// reset and disable each answer the contact with its access now; the office's
    /// refusals come back as problems (no email → 422 on `email`).
    async fn portal_access_is_enabled_with_a_real_invitation_and_changed_through_the_api(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = TestApp::spawn_with_smtp(backend, Some(smtp.url())).await;
        let _people = seed_people(&app).await;
        let admin = office(&app).await;
        let write = make_key(&app, &admin, "CRM", "write").await;
        let read_key = make_key(&app, &admin, "Reports", "read").await;
        let api = app.client(&["acme"]);
        let key = Some(write.as_str());
        let (acme_id, household, _) = acme(&app).await;
        let (status, _, nina) = call(&app, &api, "acme", "POST", "/api/v1/contacts", key,
            Some(json!({"customer_id": household, "first_name": "Nina", "email": "nina@example.test"}))).await;
        assert_eq!(status, 201, "{nina}");
        let access = format!("/api/v1/contacts/{}/access", nina["id"]);
        let act = |action: &'static str| {
            let (app, api, access) = (&app, &api, access.clone());
            async move { call(app, api, "acme", "POST", &access, key, Some(json!({"action": action}))).await }
        };

        // Before access is enabled there is no login to invite, lock or reset.
        for action in ["invite", "lock", "reset"] {
            problem(&act(action).await, 409, "conflict");
        }
        problem(&call(&app, &api, "acme", "POST", &access, Some(&read_key), Some(json!({"action": "enable"}))).await, 403, "forbidden");
        refused_on(&act("open-sesame").await, "action");

        let (status, _, enabled) = act("enable").await;
        assert_eq!((status, enabled["portal_access"].as_str()), (200, Some("invited")), "{enabled}");
        let mail = smtp.wait_for_messages(1, std::time::Duration::from_secs(20)).await;
        assert_eq!(mail[0].rcpt_to, ["nina@example.test"]);
        assert_eq!(mail[0].subject, "You're invited to the Acme Plumbing & Heating customer portal");
        assert!(mail[0].text.contains(&format!("{}/invite/", app.origin("acme"))), "{}", mail[0].text);
        let (status, _, resent) = act("invite").await;
        assert_eq!((status, resent["portal_access"].as_str()), (200, Some("invited")));
        assert_eq!(smtp.wait_for_messages(2, std::time::Duration::from_secs(20)).await.len(), 2, "the invitation went again");

        // While access is on, the email is the login: changing it is refused on `email`.
        refused_on(&call(&app, &api, "acme", "PATCH", &format!("/api/v1/contacts/{}", nina["id"]), key, Some(json!({"email": "other@example.test"}))).await, "email");

        let (status, _, locked) = act("lock").await;
        assert_eq!((status, locked["portal_access"].as_str()), (200, Some("locked")));
        assert!(locked["updated_at"].as_str() >= enabled["updated_at"].as_str(), "a lock is a change a sync sees");
        let (_, _, unlocked) = act("unlock").await;
        assert_eq!(unlocked["portal_access"].as_str(), Some("invited"));
        let (status, _, reset) = act("reset").await;
        assert_eq!((status, reset["portal_access"].as_str()), (200, Some("invited")));
        assert_eq!(smtp.wait_for_messages(3, std::time::Duration::from_secs(20)).await.len(), 3, "the reset link went");
        let (_, _, disabled) = act("disable").await;
        assert_eq!(disabled["portal_access"].as_str(), Some("none"));

        // Dana chose her password long ago: active, with no invitation to send.
        let dana = contact_named(&app, acme_id, household, "Dana").await;
        let (_, _, d) = call(&app, &api, "acme", "GET", &format!("/api/v1/contacts/{dana}"), key, None).await;
        assert_eq!(d["portal_access"].as_str(), Some("active"));
        problem(&call(&app, &api, "acme", "POST", &format!("/api/v1/contacts/{dana}/access"), key, Some(json!({"action": "invite"}))).await, 409, "conflict");

        // No email: enabling is refused on `email`, and nothing is written.
        let (_, _, nobody) = call(&app, &api, "acme", "POST", "/api/v1/contacts", key,
            Some(json!({"customer_id": household, "first_name": "Noemail"}))).await;
        let before = written(&app).await;
        let no_email = call(&app, &api, "acme", "POST", &format!("/api/v1/contacts/{}/access", nobody["id"]), key, Some(json!({"action": "enable"}))).await;
        refused_on(&no_email, "email");
        assert!(before == written(&app).await, "nothing written");
    }

    /// Create, read, list (by customer, a page at a time), PATCH, deactivate and
    /// reactivate; a site a site contact needs stays active.
    async fn sites_are_created_read_listed_updated_deactivated_and_reactivated(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (acme_id, household, harbor) = acme(app).await;
        let (status, headers, made) = call(app, api, "acme", "POST", "/api/v1/sites", key,
            Some(json!({"customer_id": household, "name": "Cabin", "line1": "2 Lake Road", "city": "Shelbyville", "access_notes": "Key under the mat"}))).await;
        assert_eq!(status, 201, "{made}");
        let id = made["id"].as_i64().unwrap();
        assert_eq!(headers["location"], format!("/api/v1/sites/{id}"));
        assert_eq!((made["name"].as_str(), made["city"].as_str(), made["active"].as_bool(), made["customer_id"].as_i64()),
            (Some("Cabin"), Some("Shelbyville"), Some(true), Some(household)));
        let (status, _, read) = call(app, api, "acme", "GET", &format!("/api/v1/sites/{id}"), key, None).await;
        assert_eq!((status, &read), (200, &made));
        let all = walk(&s, "/api/v1/sites?limit=1").await;
        assert_eq!(all.len(), 4, "{all:?}");
        assert_eq!(all.last(), Some(&id));
        assert_eq!(walk(&s, &format!("/api/v1/sites?limit=1&customer_id={harbor}")).await.len(), 2);
        let since = made["updated_at"].as_str().unwrap().replace('+', "%2B");
        let (_, _, recent) = call(app, api, "acme", "GET", &format!("/api/v1/sites?updated_since={since}"), key, None).await;
        assert!(recent["data"].as_array().unwrap().iter().any(|x| x["id"] == id));

        let path = format!("/api/v1/sites/{id}");
        let (status, _, saved) = call(app, api, "acme", "PATCH", &path, key, Some(json!({"postal_code": "49007"}))).await;
        assert_eq!((status, saved["postal_code"].as_str(), saved["name"].as_str()), (200, Some("49007"), Some("Cabin")), "{saved}");
        let (status, _, off) = call(app, api, "acme", "PATCH", &path, key, Some(json!({"active": false}))).await;
        assert_eq!((status, off["active"].as_bool()), (200, Some(false)), "{off}");
        let (status, _, on) = call(app, api, "acme", "PATCH", &path, key, Some(json!({"active": true, "name": "Lake cabin"}))).await;
        assert_eq!((status, on["active"].as_bool(), on["name"].as_str()), (200, Some(true), Some("Lake cabin")), "{on}");

        // Sam looks after Bayview only: deactivating it is the office's refusal, and the
        // name sent with it is not saved either.
        let bayview = site_named(app, acme_id, "Bayview Apartments").await;
        let before = written(app).await;
        problem(&call(app, api, "acme", "PATCH", &format!("/api/v1/sites/{bayview}"), key, Some(json!({"active": false, "name": "Gone"}))).await, 409, "conflict");
        assert!(before == written(app).await, "nothing written");
    }

    /// Every refusal of the contacts, access and sites endpoints is problem+json, and
    /// none writes anything: a read-only key on every write, refused fields (each named),
    /// wrong parameters, wrong ids.
    async fn every_people_refusal_is_a_problem_and_writes_nothing(backend: Backend) {
        let s = setup(backend).await;
        let (app, api) = (&s.app, &s.api);
        let (acme_id, household, harbor) = acme(app).await;
        let dana = contact_named(app, acme_id, household, "Dana").await;
        let home = site_named(app, acme_id, "Home").await;
        let before = written(app).await;

        // A read-only key reads, and is refused on every write.
        assert_eq!(call(app, api, "acme", "GET", "/api/v1/contacts", Some(&s.read), None).await.0, 200);
        assert_eq!(call(app, api, "acme", "GET", "/api/v1/sites", Some(&s.read), None).await.0, 200);
        let writes = [
            ("POST", "/api/v1/contacts".to_owned(), json!({"customer_id": household, "first_name": "X"})),
            ("PATCH", format!("/api/v1/contacts/{dana}"), json!({"first_name": "X"})),
            ("PUT", "/api/v1/contacts/external/E-1".to_owned(), json!({"customer_id": household, "first_name": "X"})),
            ("POST", format!("/api/v1/contacts/{dana}/access"), json!({"action": "lock"})),
            ("POST", "/api/v1/sites".to_owned(), json!({"customer_id": household, "name": "X", "line1": "1 X St"})),
            ("PATCH", format!("/api/v1/sites/{home}"), json!({"active": false})),
        ];
        for (method, path, body) in &writes {
            problem(&call(app, api, "acme", method, path, Some(&s.read), Some(body.clone())).await, 403, "forbidden");
        }

        let key = Some(s.write.as_str());
        // Contacts: refused fields, each named.
        let bad = call(app, api, "acme", "POST", "/api/v1/contacts", key,
            Some(json!({"customer_id": household, "first_name": "", "email": "nope", "role": "boss"}))).await;
        problem(&bad, 422, "validation");
        for f in ["first_name", "email", "role"] {
            assert!(fields(&bad).iter().any(|x| x == f), "{f} in {:?}", fields(&bad));
        }
        refused_on(&call(app, api, "acme", "POST", "/api/v1/contacts", key, Some(json!({"first_name": "X"}))).await, "customer_id");
        refused_on(&call(app, api, "acme", "POST", "/api/v1/contacts", key, Some(json!({"customer_id": s.bolt_customer, "first_name": "X"}))).await, "customer_id");
        refused_on(&call(app, api, "acme", "POST", "/api/v1/contacts", key, Some(json!({"customer_id": 999_999, "first_name": "X"}))).await, "customer_id");
        refused_on(&call(app, api, "acme", "POST", "/api/v1/contacts", key, Some(json!({"customer_id": harbor, "first_name": "X", "role": "site"}))).await, "site_ids");
        refused_on(&call(app, api, "acme", "POST", "/api/v1/contacts", key, Some(json!({"customer_id": harbor, "first_name": "X", "role": "site", "site_ids": [home]}))).await, "site_ids");
        refused_on(&call(app, api, "acme", "POST", "/api/v1/contacts", key, Some(json!({"customer_id": household, "first_name": "X", "active": false}))).await, "active");
        refused_on(&call(app, api, "acme", "POST", "/api/v1/contacts", key, Some(json!({"customer_id": household, "first_name": "X", "external_ref": "x".repeat(500)}))).await, "external_ref");
        refused_on(&call(app, api, "acme", "POST", "/api/v1/contacts", key, Some(json!({"customer_id": household, "first_name": "X", "colour": "red"}))).await, "body");
        refused_on(&call(app, api, "acme", "POST", "/api/v1/contacts", key, Some(json!({"customer_id": "one"}))).await, "body");
        refused_on(&call(app, api, "acme", "POST", "/api/v1/contacts", key, None).await, "body");
        refused_on(&call(app, api, "acme", "PATCH", &format!("/api/v1/contacts/{dana}"), key, Some(json!({"first_name": ""}))).await, "first_name");
        refused_on(&call(app, api, "acme", "PUT", "/api/v1/contacts/external/NEW-1", key, Some(json!({"first_name": "X"}))).await, "customer_id");
        refused_on(&call(app, api, "acme", "POST", &format!("/api/v1/contacts/{dana}/access"), key, Some(json!({"action": "fly"}))).await, "action");
        refused_on(&call(app, api, "acme", "POST", &format!("/api/v1/contacts/{dana}/access"), key, Some(json!({}))).await, "body");
        // Sites: refused fields, each named.
        let bad = call(app, api, "acme", "POST", "/api/v1/sites", key, Some(json!({"customer_id": household, "name": "", "line1": ""}))).await;
        problem(&bad, 422, "validation");
        for f in ["name", "line1"] {
            assert!(fields(&bad).iter().any(|x| x == f), "{f} in {:?}", fields(&bad));
        }
        refused_on(&call(app, api, "acme", "POST", "/api/v1/sites", key, Some(json!({"name": "X", "line1": "1 X St"}))).await, "customer_id");
        refused_on(&call(app, api, "acme", "POST", "/api/v1/sites", key, Some(json!({"customer_id": s.bolt_customer, "name": "X", "line1": "1 X St"}))).await, "customer_id");
        refused_on(&call(app, api, "acme", "PATCH", &format!("/api/v1/sites/{home}"), key, Some(json!({"customer_id": harbor}))).await, "customer_id");
        refused_on(&call(app, api, "acme", "PATCH", &format!("/api/v1/sites/{home}"), key, Some(json!({"line1": ""}))).await, "line1");
        refused_on(&call(app, api, "acme", "PATCH", &format!("/api/v1/sites/{home}"), key, Some(json!({"floor": 2}))).await, "body");
        // A state that does not allow it: Dana chose a password, so there is no
        // invitation to resend.
        problem(&call(app, api, "acme", "POST", &format!("/api/v1/contacts/{dana}/access"), key, Some(json!({"action": "invite"}))).await, 409, "conflict");

        // Wrong parameters.
        for list in ["/api/v1/contacts", "/api/v1/sites"] {
            for q in ["limit=0", "limit=101", "limit=x", "cursor=zz", "updated_since=yesterday", "customer_id=abc", "customer_id=0"] {
                problem(&call(app, api, "acme", "GET", &format!("{list}?{q}"), key, None).await, 400, "invalid-parameter");
            }
        }
        // Wrong ids.
        for kind in ["contacts", "sites"] {
            for id in ["999999", "abc", "-1"] {
                let path = format!("/api/v1/{kind}/{id}");
                problem(&call(app, api, "acme", "GET", &path, key, None).await, 404, "not-found");
                problem(&call(app, api, "acme", "PATCH", &path, key, Some(json!({"active": false}))).await, 404, "not-found");
            }
        }
        for id in ["999999", "abc", "0"] {
            problem(&call(app, api, "acme", "POST", &format!("/api/v1/contacts/{id}/access"), key, Some(json!({"action": "lock"}))).await, 404, "not-found");
        }
        // A customer's id filter of another company finds nothing of it.
        let (_, _, foreign) = call(app, api, "acme", "GET", &format!("/api/v1/contacts?customer_id={}", s.bolt_customer), key, None).await;
        assert_eq!(foreign["data"], json!([]));

        assert!(before == written(app).await, "nothing written");
    }
}
