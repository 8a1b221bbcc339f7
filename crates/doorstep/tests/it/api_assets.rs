//! The assets and maintenance schedules endpoints of the JSON API over HTTP (issue 20):
//! create, read (with the schedules), list with its customer filter and cursor, PATCH
//! (retiring included); a schedule's list, create (its next due date computed), PATCH
//! and DELETE; and every refusal as problem+json with nothing written.

use doorstep_core::ids::{AssetId, CompanyId, CustomerId, MaintenanceScheduleId};
use doorstep_store::asset_book::{AssetInput, AssetRow, ScheduleInput, ScheduleRow};
use doorstep_store::customer_book::SiteInput;
use doorstep_testkit::{Backend, both_backends};
use serde_json::{Value, json};

use crate::api::{Setup, call, problem, setup};
use crate::helpers::TestApp;

/// Bolt's asset and its maintenance schedule, for the isolation test.
pub(crate) struct BoltAssets {
    asset: i64,
    schedule: i64,
}

impl BoltAssets {
    /// Bolt's id for an API route of this file's kinds, by the route's prefix.
    pub(crate) fn id_for(&self, path: &str) -> Option<i64> {
        if path.starts_with("/api/v1/assets") {
            Some(self.asset)
        } else if path.starts_with("/api/v1/maintenance-schedules") {
            Some(self.schedule)
        } else {
            None
        }
    }

    /// The rows as stored, to prove nothing changed.
    pub(crate) async fn rows(
        &self,
        app: &TestApp,
        bolt: CompanyId,
    ) -> (Option<AssetRow>, Option<ScheduleRow>) {
        let a = app.store.asset(bolt, AssetId(self.asset)).await.unwrap();
        let m = app
            .store
            .schedule(bolt, MaintenanceScheduleId(self.schedule))
            .await
            .unwrap();
        (a, m)
    }
}

fn site(name: &str) -> SiteInput {
    SiteInput {
        name: name.into(),
        line1: "1 Main St".into(),
        line2: String::new(),
        city: "Springfield".into(),
        region: String::new(),
        postal_code: String::new(),
        access_notes: String::new(),
    }
}

/// Makes Bolt's asset with a schedule.
pub(crate) async fn bolt_assets(app: &TestApp, bolt: CompanyId, customer: i64) -> BoltAssets {
    let mut tx = app.store.begin().await.unwrap();
    let asset = tx
        .insert_office_asset(
            bolt,
            CustomerId(customer),
            &AssetInput {
                site: None,
                kind: "equipment".into(),
                name: "Bolt's boiler".into(),
                make: String::new(),
                model: String::new(),
                serial_number: String::new(),
                installed_on: None,
                rental_start_on: None,
                rental_end_on: None,
                notes: String::new(),
            },
        )
        .await
        .unwrap();
    let schedule = tx
        .insert_schedule(
            bolt,
            asset,
            &ScheduleInput {
                title: "Annual service".into(),
                interval_days: 365,
                last_done_on: None,
                next_due_on: time::macros::date!(2027 - 01 - 01),
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    BoltAssets {
        asset: asset.0,
        schedule: schedule.0,
    }
}

/// Acme's id, its two customers, and a site of each.
async fn acme(s: &Setup) -> (CompanyId, i64, i64, i64, i64) {
    let acme = s.app.store.company_by_slug("acme").await.unwrap().unwrap();
    let customers = s
        .app
        .store
        .api_customers(acme.id, None, None, 10)
        .await
        .unwrap();
    let (household, harbor) = (customers[0].id, customers[1].id);
    let mut tx = s.app.store.begin().await.unwrap();
    let home = tx
        .insert_office_site(acme.id, CustomerId(household), &site("Home"))
        .await
        .unwrap();
    let dock = tx
        .insert_office_site(acme.id, CustomerId(harbor), &site("Dock"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (acme.id, household, harbor, home.0, dock.0)
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
            call(&s.app, &s.api, "acme", "GET", &next, Some(&s.write), None).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|j| j["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => next = format!("{path}{sep}cursor={c}"),
            None => return seen,
        }
    }
}

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

both_backends! {
    /// Create, read, list (by customer, a page at a time, since a time), PATCH, retire.
    async fn assets_are_created_read_listed_updated_and_retired(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (acme_id, household, harbor, home, _) = acme(&s).await;
        let (status, headers, made) = call(app, api, "acme", "POST", "/api/v1/assets", key, Some(json!({
            "customer_id": household, "site_id": home, "name": "Furnace", "make": "Carrier",
            "model": "59SC5", "serial_number": "X-1", "installed_on": "2024-10-01"}))).await;
        assert_eq!(status, 201, "{made}");
        let id = made["id"].as_i64().unwrap();
        assert_eq!(headers["location"], format!("/api/v1/assets/{id}"));
        assert_eq!((made["kind"].as_str(), made["site_id"].as_i64(), made["installed_on"].as_str(), made["retired"].as_bool()),
            (Some("equipment"), Some(home), Some("2024-10-01"), Some(false)));
        assert_eq!(made["maintenance_schedules"], json!([]));
        let (status, _, read) = call(app, api, "acme", "GET", &format!("/api/v1/assets/{id}"), key, None).await;
        assert_eq!((status, &read), (200, &made));

        let (status, _, rental) = call(app, api, "acme", "POST", "/api/v1/assets", key, Some(json!({
            "customer_id": harbor, "kind": "rental", "name": "Dumpster 20yd",
            "rental_start_on": "2026-01-01", "rental_end_on": "2026-03-31"}))).await;
        assert_eq!(status, 201, "{rental}");
        let other = rental["id"].as_i64().unwrap();
        assert_eq!(walk(&s, "/api/v1/assets?limit=1").await, vec![id, other]);
        assert_eq!(walk(&s, &format!("/api/v1/assets?customer_id={harbor}")).await, vec![other]);
        assert_eq!(walk(&s, "/api/v1/assets?updated_since=2099-01-01T00:00:00Z").await, Vec::<i64>::new());

        // PATCH changes what it sends and keeps the rest; null clears the site.
        let (status, _, saved) = call(app, api, "acme", "PATCH", &format!("/api/v1/assets/{id}"), key,
            Some(json!({"name": "Basement furnace", "site_id": null, "notes": "Filter 16x25"}))).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!((saved["name"].as_str(), saved["site_id"].as_i64(), saved["make"].as_str(), saved["notes"].as_str()),
            (Some("Basement furnace"), None, Some("Carrier"), Some("Filter 16x25")));

        // Retired: out of use, no more changes, never back.
        let one = format!("/api/v1/assets/{other}");
        let (status, _, retired) = call(app, api, "acme", "PATCH", &one, key, Some(json!({"retired": true}))).await;
        assert_eq!((status, retired["retired"].as_bool()), (200, Some(true)), "{retired}");
        assert!(retired["retired_at"].is_string());
        let before = written(app).await;
        problem(&call(app, api, "acme", "PATCH", &one, key, Some(json!({"name": "Dumpster"}))).await, 409, "conflict");
        problem(&call(app, api, "acme", "POST", &format!("{one}/maintenance-schedules"), key,
            Some(json!({"title": "Swap", "interval_days": 30}))).await, 409, "conflict");
        let back = call(app, api, "acme", "PATCH", &one, key, Some(json!({"retired": false}))).await;
        problem(&back, 422, "validation");
        assert_eq!(back.2["errors"][0]["field"], "retired");
        assert!(before == written(app).await, "nothing written");

        let actions = app.store.audit_actions(acme_id).await.unwrap();
        for action in ["asset.created", "asset.edited", "asset.retired"] {
            assert!(actions.iter().any(|a| a == action), "{action}");
        }
    }

    /// A schedule's next due date is computed from its interval unless one is sent;
    /// schedules are listed, changed and removed, and the asset's read shows them.
    async fn maintenance_schedules_are_made_listed_changed_and_removed(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (acme_id, household, _, _, _) = acme(&s).await;
        let made = call(app, api, "acme", "POST", "/api/v1/assets", key, Some(json!({"customer_id": household, "name": "Boiler"}))).await.2;
        let asset = made["id"].as_i64().unwrap();
        let list = format!("/api/v1/assets/{asset}/maintenance-schedules");
        let (status, headers, first) = call(app, api, "acme", "POST", &list, key,
            Some(json!({"title": "Annual service", "interval_days": 90, "last_done_on": "2025-01-15"}))).await;
        assert_eq!(status, 201, "{first}");
        let m = first["id"].as_i64().unwrap();
        assert_eq!(headers["location"], format!("/api/v1/maintenance-schedules/{m}"));
        assert_eq!((first["asset_id"].as_i64(), first["next_due_on"].as_str()), (Some(asset), Some("2025-04-15")));
        let (status, _, second) = call(app, api, "acme", "POST", &list, key,
            Some(json!({"title": "Filter", "interval_days": 30, "next_due_on": "2027-05-01"}))).await;
        assert_eq!((status, second["next_due_on"].as_str()), (201, Some("2027-05-01")), "{second}");
        let n = second["id"].as_i64().unwrap();
        assert_eq!(walk(&s, &format!("{list}?limit=1")).await, vec![m, n]);
        let read = call(app, api, "acme", "GET", &format!("/api/v1/assets/{asset}"), key, None).await.2;
        assert_eq!(ids(&read["maintenance_schedules"]), vec![m, n], "soonest due first");
        assert!(read["updated_at"].as_str() >= made["updated_at"].as_str());

        // A new interval moves the due date from the last service; a sent date wins.
        let one = format!("/api/v1/maintenance-schedules/{m}");
        let (status, _, saved) = call(app, api, "acme", "PATCH", &one, key, Some(json!({"interval_days": 30}))).await;
        assert_eq!((status, saved["next_due_on"].as_str(), saved["title"].as_str()), (200, Some("2025-02-14"), Some("Annual service")), "{saved}");
        let (_, _, saved) = call(app, api, "acme", "PATCH", &one, key, Some(json!({"next_due_on": "2026-06-01", "title": "Tune-up"}))).await;
        assert_eq!((saved["next_due_on"].as_str(), saved["interval_days"].as_i64(), saved["title"].as_str()), (Some("2026-06-01"), Some(30), Some("Tune-up")));

        let (status, _, gone) = call(app, api, "acme", "DELETE", &one, key, None).await;
        assert_eq!((status, gone), (204, Value::Null));
        problem(&call(app, api, "acme", "DELETE", &one, key, None).await, 404, "not-found");
        problem(&call(app, api, "acme", "PATCH", &one, key, Some(json!({"title": "x"}))).await, 404, "not-found");
        let read = call(app, api, "acme", "GET", &format!("/api/v1/assets/{asset}"), key, None).await.2;
        assert_eq!(ids(&read["maintenance_schedules"]), vec![n]);
        let actions = app.store.audit_actions(acme_id).await.unwrap();
        for action in ["maintenance.scheduled", "maintenance.edited", "maintenance.removed"] {
            assert!(actions.iter().any(|a| a == action), "{action}");
        }
    }

    /// Every refusal of the assets endpoints, each a problem, none writing anything.
    async fn every_assets_refusal_is_a_problem(backend: Backend) {
        let s = setup(backend).await;
        let (app, api, key) = (&s.app, &s.api, Some(s.write.as_str()));
        let (_, household, harbor, home, dock) = acme(&s).await;
        let asset = call(app, api, "acme", "POST", "/api/v1/assets", key, Some(json!({"customer_id": household, "name": "Boiler"}))).await.2["id"].as_i64().unwrap();
        let one = format!("/api/v1/assets/{asset}");
        let list = format!("{one}/maintenance-schedules");
        let m = call(app, api, "acme", "POST", &list, key, Some(json!({"title": "Service", "interval_days": 365}))).await.2["id"].as_i64().unwrap();
        let schedule = format!("/api/v1/maintenance-schedules/{m}");
        let writes: Vec<(&str, String, Value)> = vec![
            ("POST", "/api/v1/assets".into(), json!({"customer_id": household, "name": "x"})),
            ("PATCH", one.clone(), json!({"name": "x"})),
            ("POST", list.clone(), json!({"title": "x", "interval_days": 30})),
            ("PATCH", schedule.clone(), json!({"title": "x"})),
        ];
        let before = written(app).await;
        for (method, path, body) in &writes {
            problem(&call(app, api, "acme", method, path, None, Some(body.clone())).await, 401, "unauthorized");
            problem(&call(app, api, "acme", method, path, Some(&s.read), Some(body.clone())).await, 403, "forbidden");
            problem(&call(app, api, "acme", method, path, key, Some(json!({"nonsense": 1}))).await, 422, "validation");
            problem(&call(app, api, "acme", method, path, key, None).await, 422, "validation");
        }
        problem(&call(app, api, "acme", "DELETE", &schedule, None, None).await, 401, "unauthorized");
        problem(&call(app, api, "acme", "DELETE", &schedule, Some(&s.read), None).await, 403, "forbidden");
        for path in ["/api/v1/assets", one.as_str(), list.as_str()] {
            problem(&call(app, api, "acme", "GET", path, None, None).await, 401, "unauthorized");
            assert_eq!(call(app, api, "acme", "GET", path, Some(&s.read), None).await.0, 200, "a read-only key reads");
        }
        for wrong in ["999999", "abc", "0", "-3"] {
            let p = format!("/api/v1/assets/{wrong}");
            problem(&call(app, api, "acme", "GET", &p, key, None).await, 404, "not-found");
            problem(&call(app, api, "acme", "PATCH", &p, key, Some(json!({"name": "x"}))).await, 404, "not-found");
            problem(&call(app, api, "acme", "GET", &format!("{p}/maintenance-schedules"), key, None).await, 404, "not-found");
            problem(&call(app, api, "acme", "POST", &format!("{p}/maintenance-schedules"), key, Some(json!({"title": "x", "interval_days": 30}))).await, 404, "not-found");
            let q = format!("/api/v1/maintenance-schedules/{wrong}");
            problem(&call(app, api, "acme", "PATCH", &q, key, Some(json!({"title": "x"}))).await, 404, "not-found");
            problem(&call(app, api, "acme", "DELETE", &q, key, None).await, 404, "not-found");
        }
        for q in ["customer_id=abc", "customer_id=0", "limit=0", "limit=101", "cursor=zz", "updated_since=yesterday"] {
            problem(&call(app, api, "acme", "GET", &format!("/api/v1/assets?{q}"), key, None).await, 400, "invalid-parameter");
        }
        for q in ["limit=ten", "cursor=zz", "updated_since=2026-13-01"] {
            problem(&call(app, api, "acme", "GET", &format!("{list}?{q}"), key, None).await, 400, "invalid-parameter");
        }
        // Fields refused, named as the API names them.
        for (body, field) in [
            (json!({"name": "x"}), "customer_id"),
            (json!({"customer_id": household}), "name"),
            (json!({"customer_id": household, "name": " "}), "name"),
            (json!({"customer_id": 999999, "name": "x"}), "customer_id"),
            (json!({"customer_id": s.bolt_customer, "name": "x"}), "customer_id"),
            (json!({"customer_id": household, "name": "x", "site_id": dock}), "site_id"),
            (json!({"customer_id": household, "name": "x", "site_id": 999999}), "site_id"),
            (json!({"customer_id": household, "name": "x", "kind": "boat"}), "kind"),
            (json!({"customer_id": household, "name": "x", "installed_on": "01/10/2024"}), "installed_on"),
            (json!({"customer_id": household, "name": "x", "installed_on": "2099-01-01"}), "installed_on"),
            (json!({"customer_id": household, "name": "x", "rental_start_on": "2026-01-01"}), "rental_start_on"),
            (json!({"customer_id": household, "name": "x", "kind": "rental", "rental_start_on": "2026-02-01", "rental_end_on": "2026-01-01"}), "rental_end_on"),
            (json!({"customer_id": household, "name": "x", "retired": true}), "retired"),
            (json!({"customer_id": household, "name": "x".repeat(201)}), "name"),
            (json!({"customer_id": household, "name": 5}), "body"),
        ] {
            let answer = call(app, api, "acme", "POST", "/api/v1/assets", key, Some(body)).await;
            problem(&answer, 422, "validation");
            assert!(answer.2["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{field}: {}", answer.2);
        }
        for (body, field) in [
            (json!({"customer_id": harbor}), "customer_id"),
            (json!({"name": ""}), "name"),
            (json!({"site_id": dock}), "site_id"),
            (json!({"installed_on": "someday"}), "installed_on"),
        ] {
            let answer = call(app, api, "acme", "PATCH", &one, key, Some(body)).await;
            problem(&answer, 422, "validation");
            assert_eq!(answer.2["errors"][0]["field"], field, "{}", answer.2);
        }
        for (path, body, field) in [
            (&list, json!({"interval_days": 30}), "title"),
            (&list, json!({"title": "x"}), "interval_days"),
            (&list, json!({"title": "x", "interval_days": 0}), "interval_days"),
            (&list, json!({"title": "x", "interval_days": 3651}), "interval_days"),
            (&list, json!({"title": "x", "interval_days": "30"}), "body"),
            (&list, json!({"title": "x", "interval_days": 30, "last_done_on": "2099-01-01"}), "last_done_on"),
            (&list, json!({"title": "x", "interval_days": 30, "last_done_on": "2025-05-01", "next_due_on": "2025-04-01"}), "next_due_on"),
            (&list, json!({"title": "x", "interval_days": 30, "next_due_on": "soon"}), "next_due_on"),
            (&schedule, json!({"title": ""}), "title"),
            (&schedule, json!({"interval_days": -1}), "interval_days"),
        ] {
            let method = if path.as_str() == list { "POST" } else { "PATCH" };
            let answer = call(app, api, "acme", method, path, key, Some(body)).await;
            problem(&answer, 422, "validation");
            assert!(answer.2["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{field}: {}", answer.2);
        }
        assert!(before == written(app).await, "nothing written");
        // The household's own site is accepted.
        let (status, _, moved) = call(app, api, "acme", "PATCH", &one, key, Some(json!({"site_id": home}))).await;
        assert_eq!((status, moved["site_id"].as_i64()), (200, Some(home)), "{moved}");
    }

    /// The same Idempotency-Key and body records one asset and returns the first answer.
    async fn an_idempotent_asset_post_records_once(backend: Backend) {
        let s = setup(backend).await;
        let (app, api) = (&s.app, &s.api);
        let (_, household, _, _, _) = acme(&s).await;
        let post = || {
            api.post(app.url("acme", "/api/v1/assets")).bearer_auth(&s.write).header("idempotency-key", "a-1")
                .header("content-type", "application/json")
                .body(json!({"customer_id": household, "name": "Once"}).to_string()).send()
        };
        let first: Value = post().await.unwrap().text().await.unwrap().parse().unwrap();
        let again = post().await.unwrap();
        assert_eq!(again.status(), 201);
        let again: Value = again.text().await.unwrap().parse().unwrap();
        assert_eq!(first["id"], again["id"]);
        let listed = call(app, api, "acme", "GET", &format!("/api/v1/assets?customer_id={household}"), Some(&s.write), None).await.2;
        assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    }
}
