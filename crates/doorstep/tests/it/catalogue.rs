//! The office's requestable catalogue and availability windows over HTTP: administrators
//! edit the catalogue, every staff member publishes windows, bad input gets a message
//! next to its field, and another company's ids answer 404.

use doorstep_core::ids::CatalogueItemId;
use doorstep_core::status::StaffRole;
use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{PASSWORD, TestApp, html, seed_people, text_of};

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

/// The page a successful POST sends the browser on to.
async fn follow(app: &TestApp, client: &reqwest::Client, res: reqwest::Response) -> String {
    assert_eq!(
        res.status().as_u16(),
        303,
        "a successful form sends the browser on"
    );
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    get(app, client, &to).await.1
}

both_backends! {
    async fn an_administrator_adds_renames_hides_and_shows_again_a_catalogue_item(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let admin = staff(&app, "office@acme.test").await;
        let (status, body) = get(&app, &admin, "/office/catalogue").await;
        assert_eq!(status, 200);
        assert!(body.contains("No products or services yet"));

        // Bad input: messages next to the fields, nothing saved.
        let res = app.submit(&admin, "acme", "/office/catalogue", "/office/catalogue", &[("kind", "rental"), ("name", " "), ("price", "-3")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        assert!(text_of(&doc, "#name-error").is_some());
        assert!(text_of(&doc, "#kind-error").is_some());
        assert!(text_of(&doc, "#price-error").is_some());
        assert!(app.store.catalogue_page(people.acme, None, 10).await.unwrap().is_empty());

        let res = app.submit(&admin, "acme", "/office/catalogue", "/office/catalogue", &[("kind", "product"), ("name", "Standard <b>toilet</b>"), ("price", "45.50"), ("show_in_portal", "1")]).await;
        let body = follow(&app, &admin, res).await;
        assert!(!body.contains("<b>toilet") && body.contains("toilet") && body.contains("$45.50"), "escaped and priced");
        let item = app.store.catalogue_page(people.acme, None, 10).await.unwrap().remove(0);
        assert_eq!(app.store.catalogue_requestable_items(people.acme).await.unwrap().len(), 1);

        let res = app.submit(&admin, "acme", &format!("/office/catalogue/{}", item.id), &format!("/office/catalogue/{}", item.id), &[("kind", "product"), ("name", "Deluxe toilet"), ("price", "60"), ("show_in_portal", "1")]).await;
        assert!(follow(&app, &admin, res).await.contains("Saved."));
        let res = app.submit(&admin, "acme", "/office/catalogue", &format!("/office/catalogue/{}/visibility", item.id), &[("show", "0")]).await;
        assert!(follow(&app, &admin, res).await.contains("Hidden from the portal"));
        assert!(app.store.catalogue_requestable_items(people.acme).await.unwrap().is_empty(), "a hidden item is not offered");
        assert!(app.store.requestable_item(people.acme, CatalogueItemId(item.id)).await.unwrap().is_none());
        let kept = app.store.catalogue_item(people.acme, CatalogueItemId(item.id)).await.unwrap().unwrap();
        assert_eq!((kept.name.as_str(), kept.unit_price_minor, kept.show_in_portal), ("Deluxe toilet", 6_000, false));
        app.submit(&admin, "acme", "/office/catalogue", &format!("/office/catalogue/{}/visibility", item.id), &[("show", "1")]).await;
        assert_eq!(app.store.catalogue_requestable_items(people.acme).await.unwrap().len(), 1);
        let actions = app.store.recent_audit_actions(people.acme, 10).await.unwrap();
        for a in ["catalogue_item.added", "catalogue_item.edited", "catalogue_item.hidden", "catalogue_item.shown"] {
            assert!(actions.iter().any(|x| x == a), "{a} audited");
        }
        // No route deletes an item.
        assert!(doorstep_web::ROUTES.iter().all(|r| !(r.path.starts_with("/office/catalogue") && r.path.contains("delete"))));

        // Another company's staff, and office (non-admin) staff, get 404 for it.
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        let hash = doorstep_web::auth::password::hash_password(PASSWORD, doorstep_web::PasswordCost::TestOnly).unwrap();
        let mut tx = app.store.begin().await.unwrap();
        let theirs = tx.add_catalogue_item(bolt.id, &doorstep_store::catalogue::CatalogueInput {
            kind: "service".into(), name: "Bolt only".into(), description: String::new(), unit_price_minor: 0, show_in_portal: true,
        }).await.unwrap();
        tx.create_staff(people.acme, "dispatch@acme.test", "Oscar", StaffRole::Office, Some(&hash)).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(get(&app, &admin, &format!("/office/catalogue/{}", theirs.0)).await.0, 404);
        let res = app.submit(&admin, "acme", "/office/catalogue", &format!("/office/catalogue/{}/visibility", theirs.0), &[("show", "0")]).await;
        assert_eq!(res.status().as_u16(), 404);
        assert!(app.store.requestable_item(bolt.id, theirs).await.unwrap().is_some(), "untouched");
        let dispatch = staff(&app, "dispatch@acme.test").await;
        assert_eq!(get(&app, &dispatch, "/office/catalogue").await.0, 404);
    }

    async fn staff_publish_windows_and_capacity_never_goes_below_the_bookings(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let admin = staff(&app, "office@acme.test").await;
        let day = (doorstep_store::now().date() + time::Duration::days(4)).to_string();
        let past = (doorstep_store::now().date() - time::Duration::days(1)).to_string();

        let res = app.submit(&admin, "acme", "/office/availability", "/office/availability", &[("date", &past), ("slot", "exact"), ("start_time", "11:00"), ("end_time", "09:00"), ("capacity", "0")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let doc = html(&res.text().await.unwrap());
        for id in ["#date-error", "#hours-error", "#capacity-error"] {
            assert!(text_of(&doc, id).is_some(), "{id}");
        }
        let res = app.submit(&admin, "acme", "/office/availability", "/office/availability", &[("date", &day), ("slot", "am"), ("capacity", "2")]).await;
        assert!(follow(&app, &admin, res).await.contains("Window published"));
        let res = app.submit(&admin, "acme", "/office/availability", "/office/availability", &[("date", &day), ("slot", "am"), ("capacity", "5")]).await;
        assert_eq!(res.status().as_u16(), 422, "the same window twice");
        assert!(text_of(&html(&res.text().await.unwrap()), "#slot-error").unwrap().contains("already a window"));
        let w = app.store.windows_page(people.acme, doorstep_store::now().date(), None, 10).await.unwrap().remove(0);
        assert_eq!((w.capacity, w.booked), (2, 0));

        // Two places booked: capacity 1 is refused with a clear message, 3 is fine.
        let mut tx = app.store.begin().await.unwrap();
        assert!(tx.take_window_place_checked(people.acme, w.id, doorstep_store::now().date()).await.unwrap());
        assert!(tx.take_window_place_checked(people.acme, w.id, doorstep_store::now().date()).await.unwrap());
        tx.commit().await.unwrap();
        let page = format!("/office/availability/{}", w.id);
        let res = app.submit(&admin, "acme", &page, &format!("{page}/capacity"), &[("capacity", "1")]).await;
        assert_eq!(res.status().as_u16(), 422);
        let msg = text_of(&html(&res.text().await.unwrap()), "#capacity-error").unwrap();
        assert!(msg.contains("2 visits are already booked"), "{msg}");
        let res = app.submit(&admin, "acme", &page, &format!("{page}/capacity"), &[("capacity", "3")]).await;
        assert!(follow(&app, &admin, res).await.contains("Capacity saved"));
        assert_eq!(app.store.office_window(people.acme, w.id).await.unwrap().unwrap().capacity, 3);
        let (_, list) = get(&app, &admin, "/office/availability").await;
        assert!(list.contains("Morning (AM)"));
        assert_eq!(get(&app, &admin, "/office/availability?after=garbage").await.0, 200, "a bad cursor is a message, not an error");

        // Another company's window is 404 for acme's staff.
        let bolt = app.store.company_by_slug("bolt").await.unwrap().unwrap();
        let mut tx = app.store.begin().await.unwrap();
        let theirs = tx.create_window(bolt.id, &doorstep_store::availability::NewWindow {
            date: doorstep_store::now().date() + time::Duration::days(2), slot: "pm".into(), start_time: String::new(), end_time: String::new(), capacity: 4,
        }).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(get(&app, &admin, &format!("/office/availability/{theirs}")).await.0, 404);
        let res = app.submit(&admin, "acme", &page, &format!("/office/availability/{theirs}/capacity"), &[("capacity", "9")]).await;
        assert_eq!(res.status().as_u16(), 404);
        assert_eq!(app.store.office_window(bolt.id, theirs).await.unwrap().unwrap().capacity, 4);
    }
}
