//! The equipment of a customer's office page over HTTP (issue 20): office staff add an
//! asset at one of the customer's sites and schedule its maintenance (the next due date
//! computed from the interval), edit both, remove a schedule and retire the asset after
//! being asked; bad input answers with messages next to the fields, what was typed kept
//! and nothing written; another company's asset is 404.

use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{TestApp, html, office, seed_people, text_of};

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn location(res: &reqwest::Response) -> String {
    assert_eq!(
        res.status().as_u16(),
        303,
        "a successful form sends the browser on"
    );
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// Every row a form could write.
async fn written(app: &TestApp) -> crate::snapshot::Snapshot {
    crate::snapshot::snapshot(app).await
}

both_backends! {
    async fn office_staff_add_equipment_schedule_its_maintenance_and_retire_it(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let olivia = office(&app).await;
        let page = "/office/customers/C-1";
        let (status, body) = get(&app, &olivia, page).await;
        assert_eq!(status, 200);
        assert!(body.contains("data-testid=\"section-equipment\"") && body.contains("No equipment yet"));
        let sites = app.store.sites_of_account(people.acme, people.household).await.unwrap();
        let site = sites[0].id.to_string();

        // Bad input: each message next to its field, what was typed kept, nothing saved.
        let new = "/office/customers/C-1/assets/new";
        let before = written(&app).await;
        let res = app.submit(&olivia, "acme", new, new, &[
            ("name", " "), ("kind", "equipment"), ("make", "Carrier & Sons"), ("installed_on", "2099-01-01"),
            ("rental_start_on", "2026-01-01"), ("site", &site),
        ]).await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        for field in ["name", "installed_on", "rental_start_on"] {
            assert!(body.contains(&format!("data-testid=\"error-{field}\"")), "{field}");
        }
        assert!(body.contains("value=\"Carrier &amp; Sons\"") || body.contains("value=\"Carrier &#38; Sons\""), "what was typed is kept, escaped");
        assert!(body.contains("nothing was saved"));
        assert!(before == written(&app).await, "nothing written");
        // Another customer's site is refused next to the field.
        let harbor_site = app.store.sites_of_account(people.acme, people.harbor).await.unwrap()[0].id.to_string();
        let res = app.submit(&olivia, "acme", new, new, &[("name", "Furnace"), ("site", &harbor_site)]).await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(res.text().await.unwrap().contains("data-testid=\"error-site\""));
        assert!(before == written(&app).await, "nothing written");

        let res = app.submit(&olivia, "acme", new, new, &[
            ("name", "Furnace"), ("kind", "equipment"), ("make", "Carrier"), ("model", "59SC5"),
            ("serial_number", "X-1"), ("installed_on", "2024-10-01"), ("site", &site),
        ]).await;
        assert_eq!(location(&res), "/office/customers/C-1?done=asset_added#equipment");
        let asset = app.store.assets_of_customer(people.acme, people.household).await.unwrap()[0].clone();
        assert_eq!((asset.name.as_str(), asset.site_id.map(|s| s.to_string())), ("Furnace", Some(site.clone())));
        let (_, body) = get(&app, &olivia, page).await;
        let doc = html(&body);
        let item = text_of(&doc, &format!("[data-testid=\"asset-{}\"]", asset.id)).unwrap();
        assert!(item.contains("Furnace") && item.contains("Carrier · 59SC5 · S/N X-1"), "{item}");

        // Maintenance: bad input re-rendered, then the due date counted from the last service.
        let add = format!("/office/assets/{}/maintenance/new", asset.id);
        let before = written(&app).await;
        let res = app.submit(&olivia, "acme", &add, &add, &[
            ("title", ""), ("interval_days", "0"), ("last_done_on", "2025-01-15"),
        ]).await;
        assert_eq!(res.status().as_u16(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("data-testid=\"error-title\"") && body.contains("data-testid=\"error-interval_days\""));
        assert!(body.contains("value=\"2025-01-15\""));
        assert!(before == written(&app).await, "nothing written");
        let res = app.submit(&olivia, "acme", &add, &add, &[
            ("title", "Annual service"), ("interval_days", "90"), ("last_done_on", "2025-01-15"), ("next_due_on", ""),
        ]).await;
        assert_eq!(location(&res), "/office/customers/C-1?done=maintenance_added#equipment");
        let m = app.store.schedules_of_customer(people.acme, people.household).await.unwrap()[0].clone();
        assert_eq!(m.next_due_on, time::macros::date!(2025 - 04 - 15));
        let (_, body) = get(&app, &olivia, page).await;
        let next = text_of(&html(&body), "[data-testid=\"next-maintenance\"]").unwrap();
        assert!(next.contains("Annual service") && next.contains("Overdue"), "{next}");

        // Edit both.
        let edit = format!("/office/maintenance/{}/edit", m.id);
        let (status, form) = get(&app, &olivia, &edit).await;
        assert_eq!(status, 200);
        assert!(form.contains("value=\"2025-04-15\""));
        let res = app.submit(&olivia, "acme", &edit, &edit, &[
            ("title", "Tune-up"), ("interval_days", "365"), ("last_done_on", "2025-01-15"), ("next_due_on", ""),
        ]).await;
        assert_eq!(location(&res), "/office/customers/C-1?done=maintenance_saved#equipment");
        let m2 = app.store.schedule(people.acme, doorstep_core::ids::MaintenanceScheduleId(m.id)).await.unwrap().unwrap();
        assert_eq!((m2.title.as_str(), m2.next_due_on), ("Tune-up", time::macros::date!(2026 - 01 - 15)));
        let edit_asset = format!("/office/assets/{}/edit", asset.id);
        let (status, form) = get(&app, &olivia, &edit_asset).await;
        assert_eq!(status, 200);
        assert!(form.contains("value=\"59SC5\""));
        let res = app.submit(&olivia, "acme", &edit_asset, &edit_asset, &[
            ("name", "Basement furnace"), ("kind", "equipment"), ("make", "Carrier"), ("site", ""),
        ]).await;
        assert_eq!(location(&res), "/office/customers/C-1?done=asset_saved#equipment");
        let before = written(&app).await;
        let res = app.submit(&olivia, "acme", &edit_asset, &edit_asset, &[("name", "Basement furnace"), ("kind", "rocket")]).await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(res.text().await.unwrap().contains("data-testid=\"error-kind\""));
        assert!(before == written(&app).await, "nothing written");

        // Removing a schedule and retiring ask first.
        let remove = format!("/office/maintenance/{}/remove", m.id);
        let (status, ask) = get(&app, &olivia, &remove).await;
        assert_eq!(status, 200);
        assert!(ask.contains("Remove the maintenance"));
        let res = app.submit(&olivia, "acme", &remove, &remove, &[]).await;
        assert_eq!(location(&res), "/office/customers/C-1?done=maintenance_removed#equipment");
        assert!(app.store.schedules_of_customer(people.acme, people.household).await.unwrap().is_empty());
        let retire = format!("/office/assets/{}/retire", asset.id);
        let (status, ask) = get(&app, &olivia, &retire).await;
        assert_eq!(status, 200);
        assert!(ask.contains("Retire Basement furnace?"));
        let res = app.submit(&olivia, "acme", &retire, &retire, &[]).await;
        assert_eq!(location(&res), "/office/customers/C-1?done=asset_retired#equipment");
        let (_, body) = get(&app, &olivia, page).await;
        let item = text_of(&html(&body), &format!("[data-testid=\"asset-{}\"]", asset.id)).unwrap();
        assert!(item.contains("Retired") && !item.contains("Edit asset"), "{item}");
        let actions = app.store.audit_actions(people.acme).await.unwrap();
        for action in ["asset.created", "asset.edited", "asset.retired", "maintenance.scheduled", "maintenance.edited", "maintenance.removed"] {
            assert!(actions.iter().any(|a| a == action), "{action}");
        }
    }

    async fn another_companys_asset_is_not_found_in_the_office(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let _people = seed_people(&app).await;
        let olivia = office(&app).await;
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        let customer = app.store.api_customers(bolt.id, None, None, 1).await.unwrap()[0].id;
        let theirs = crate::api_assets::bolt_assets(&app, bolt.id, customer).await;
        let asset = theirs.id_for("/api/v1/assets").unwrap();
        let schedule = theirs.id_for("/api/v1/maintenance-schedules").unwrap();
        for path in [
            format!("/office/assets/{asset}/edit"),
            format!("/office/assets/{asset}/retire"),
            format!("/office/assets/{asset}/maintenance/new"),
            format!("/office/maintenance/{schedule}/edit"),
            format!("/office/maintenance/{schedule}/remove"),
        ] {
            assert_eq!(get(&app, &olivia, &path).await.0, 404, "{path}");
        }
        let before = theirs.rows(&app, bolt.id).await;
        let res = app.submit(&olivia, "acme", "/office/customers/C-1", &format!("/office/assets/{asset}/retire"), &[]).await;
        assert_eq!(res.status().as_u16(), 404);
        assert!(theirs.rows(&app, bolt.id).await == before);
    }
}
