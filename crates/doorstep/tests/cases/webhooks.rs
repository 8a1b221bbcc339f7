//! `doorstep_app::webhooks`: endpoints managed by administrators, and events written to
//! the webhook outbox in the transaction of the change they tell about — one `evt_…` id
//! per event, one delivery per subscribed endpoint.

use doorstep_app::AppError;
use doorstep_app::support::{self, Comment, NewTicket};
use doorstep_app::webhooks::{self, NewEndpoint};
use doorstep_testkit::{Backend, both_backends};

use crate::world::World;

const TABLES: &[&str] = &["webhook_endpoints", "webhook_deliveries"];

fn endpoint(url: &str, events: &[&str]) -> NewEndpoint {
    let events: Vec<String> = events.iter().map(|e| (*e).to_owned()).collect();
    NewEndpoint::parse(url, &events).unwrap()
}

/// (event id, event type, endpoint id, status) of every delivery of `company`, oldest first.
async fn deliveries(w: &World, company: i64) -> Vec<(String, String, i64, String)> {
    doorstep_store::on_pool!(w.store, p => sqlx::query_as(
        "SELECT event_id, event_type, endpoint_id, status FROM webhook_deliveries WHERE company_id = $1 ORDER BY id")
        .bind(company).fetch_all(p).await)
    .unwrap()
}

/// Opens a ticket for Dana and has the office close it: one `support.updated` event.
async fn close_a_ticket(w: &World) -> String {
    let dana = w.dana().await;
    let olivia = w.olivia().await;
    let opened = support::open(
        &w.app,
        &dana,
        NewTicket::parse("Leak", "Drips").unwrap(),
        &[],
    )
    .await
    .unwrap();
    support::set_status(&w.app, &olivia, &opened.number, "closed")
        .await
        .unwrap();
    opened.number
}

both_backends! {
    /// An administrator adds an endpoint: the secret is shown once, kept sealed, revealed
    /// again on request; edits, disabling and deleting are audited.
    async fn an_administrator_manages_an_endpoint(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let added = webhooks::add(&w.app, olivia.admin().unwrap(),
            endpoint("https://hooks.example.test/in", &["support.updated", "invoice.paid"])).await.unwrap();
        assert!(added.secret.starts_with("whsec_") && added.secret.len() > 40, "{}", added.secret);
        assert_eq!(w.last_audit(&w.acme).await, ("webhook.added".into(), "office@acme.test".into()));
        let stored = w.store.webhook_secret(w.acme.id, added.id).await.unwrap().unwrap();
        assert!(!stored.contains(&added.secret), "the secret is sealed at rest");
        let e = w.store.webhook_endpoint(w.acme.id, added.id).await.unwrap().unwrap();
        assert_eq!(e.event_list(), ["invoice.paid", "support.updated"], "in the list's order");
        assert!(e.active);

        let shown = webhooks::reveal_secret(&w.app, olivia.admin().unwrap(), added.id).await.unwrap();
        assert_eq!(shown, added.secret);
        assert_eq!(w.last_audit(&w.acme).await.0, "webhook.secret_revealed");

        let events = webhooks::parse_events(&["job.status_changed".to_owned()]).unwrap();
        webhooks::edit_events(&w.app, olivia.admin().unwrap(), added.id, events).await.unwrap();
        assert_eq!(w.store.webhook_endpoint(w.acme.id, added.id).await.unwrap().unwrap().event_list(), ["job.status_changed"]);
        assert_eq!(w.last_audit(&w.acme).await.0, "webhook.events_changed");

        webhooks::set_active(&w.app, olivia.admin().unwrap(), added.id, false).await.unwrap();
        assert!(!w.store.webhook_endpoint(w.acme.id, added.id).await.unwrap().unwrap().active);
        assert_eq!(w.last_audit(&w.acme).await.0, "webhook.disabled");
        let err = webhooks::set_active(&w.app, olivia.admin().unwrap(), added.id, false).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("changed"));
        webhooks::set_active(&w.app, olivia.admin().unwrap(), added.id, true).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "webhook.enabled");

        webhooks::delete(&w.app, olivia.admin().unwrap(), added.id).await.unwrap();
        assert!(w.store.webhook_endpoint(w.acme.id, added.id).await.unwrap().is_none());
        assert_eq!(w.last_audit(&w.acme).await.0, "webhook.deleted");
    }

    /// Office staff (not an administrator), another company's administrator and bad
    /// input are refused, and none of them writes anything.
    async fn refused_endpoint_changes_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let added = webhooks::add(&w.app, olivia.admin().unwrap(),
            endpoint("https://hooks.example.test/in", &["support.updated"])).await.unwrap();
        let errors = NewEndpoint::parse("http://hooks.example.test/in", &[]).unwrap_err();
        assert!(errors.get("url").is_some() && errors.get("events").is_some());
        assert!(NewEndpoint::parse("https://x.test", &["invoice.sent".to_owned()]).is_err());
        assert!(NewEndpoint::parse("http://127.0.0.1:9/in", &["invoice.paid".to_owned()]).is_ok(), "loopback http for tests");
        let before = w.snapshot(TABLES).await;
        let oscar = w.oscar().await;
        assert!(matches!(oscar.admin(), Err(AppError::NotFound)), "only administrators");
        let brenda = w.staff("bolt", "office@bolt.test").await;
        let bolt = brenda.admin().unwrap();
        let events = webhooks::parse_events(&["invoice.paid".to_owned()]).unwrap();
        for err in [
            webhooks::edit_events(&w.app, bolt, added.id, events).await.unwrap_err(),
            webhooks::set_active(&w.app, bolt, added.id, false).await.unwrap_err(),
            webhooks::delete(&w.app, bolt, added.id).await.unwrap_err(),
            webhooks::reveal_secret(&w.app, bolt, added.id).await.unwrap_err(),
        ] {
            assert!(matches!(err, AppError::NotFound), "{err:?}");
        }
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// A change writes its event in its own transaction: one id, one delivery per
    /// endpoint that receives it; an endpoint not subscribed, a disabled one and another
    /// company's get nothing; the body names the event, the company and the data.
    async fn events_are_written_once_per_subscribed_endpoint(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let a = webhooks::add(&w.app, olivia.admin().unwrap(), endpoint("https://a.example.test/", &["support.updated"])).await.unwrap();
        let b = webhooks::add(&w.app, olivia.admin().unwrap(), endpoint("https://b.example.test/", &["support.updated", "invoice.paid"])).await.unwrap();
        let c = webhooks::add(&w.app, olivia.admin().unwrap(), endpoint("https://c.example.test/", &["invoice.paid"])).await.unwrap();
        let d = webhooks::add(&w.app, olivia.admin().unwrap(), endpoint("https://d.example.test/", &["support.updated"])).await.unwrap();
        webhooks::set_active(&w.app, olivia.admin().unwrap(), d.id, false).await.unwrap();
        let brenda = w.staff("bolt", "office@bolt.test").await;
        webhooks::add(&w.app, brenda.admin().unwrap(), endpoint("https://bolt.example.test/", &["support.updated"])).await.unwrap();

        let number = close_a_ticket(&w).await;
        let rows = deliveries(&w, w.acme.id.0).await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows.iter().map(|r| r.2).collect::<Vec<_>>(), [a.id, b.id]);
        assert_eq!(rows[0].0, rows[1].0, "one event, one id");
        assert!(rows[0].0.starts_with("evt_"));
        assert!(rows.iter().all(|r| r.1 == "support.updated" && r.3 == "pending"));
        assert!(deliveries(&w, w.company("bolt").await.id.0).await.is_empty(), "another company's endpoint hears nothing");
        let _ = c;

        let log = w.store.webhook_deliveries(w.acme.id, a.id, None, 10).await.unwrap();
        let body: serde_json::Value = serde_json::from_str(&log[0].payload).unwrap();
        assert_eq!(body["id"], rows[0].0.as_str());
        assert_eq!(body["type"], "support.updated");
        assert_eq!(body["company"], "acme");
        assert!(body["created"].as_i64().unwrap() > 1_700_000_000);
        assert_eq!(body["data"]["number"], number.as_str());
        assert_eq!((body["data"]["change"].as_str(), body["data"]["to"].as_str()), (Some("status_changed"), Some("closed")));

        // A refused change writes no event.
        let olivia = w.olivia().await;
        let err = support::reply(&w.app, &olivia, &number, Comment::parse("Hi").unwrap(), &[]).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("closed"));
        assert_eq!(deliveries(&w, w.acme.id.0).await.len(), 2);
    }

    /// Redeliver queues the same delivery again under the same event id; another
    /// company's delivery is not found and a non-administrator cannot.
    async fn redeliver_keeps_the_event_id(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let a = webhooks::add(&w.app, olivia.admin().unwrap(), endpoint("https://a.example.test/", &["support.updated"])).await.unwrap();
        close_a_ticket(&w).await;
        let d = w.store.webhook_deliveries(w.acme.id, a.id, None, 10).await.unwrap().remove(0);
        let attempt = doorstep_store::webhooks::Attempt { response_status: Some(500), error: "The receiver answered 500.".into(), excerpt: "oops".into() };
        w.store.mark_webhook_failed(w.acme.id.0, d.id, &attempt, None).await.unwrap();
        let failed = w.store.webhook_deliveries(w.acme.id, a.id, None, 10).await.unwrap().remove(0);
        assert_eq!((failed.status.as_str(), failed.response_status, failed.response_excerpt.as_str()), ("failed", Some(500), "oops"));

        let brenda = w.staff("bolt", "office@bolt.test").await;
        let before = w.snapshot(TABLES).await;
        let err = webhooks::redeliver(&w.app, brenda.admin().unwrap(), d.id).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert_eq!(w.snapshot(TABLES).await, before);

        let endpoint = webhooks::redeliver(&w.app, olivia.admin().unwrap(), d.id).await.unwrap();
        assert_eq!(endpoint, a.id);
        let again = w.store.webhook_deliveries(w.acme.id, a.id, None, 10).await.unwrap();
        assert_eq!(again.len(), 1, "the same row, not a new event");
        assert_eq!((again[0].event_id.as_str(), again[0].status.as_str(), again[0].attempts), (d.event_id.as_str(), "pending", 0));
        assert_eq!(w.last_audit(&w.acme).await.0, "webhook.redelivered");
    }
}
