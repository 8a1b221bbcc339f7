//! Outgoing webhooks over the real server (issue 20): two `doorstep serve` processes on
//! one database post the events to a receiver on loopback that is down at first
//! (connection refused) and comes up later. Retries run every 50 ms here
//! (`DOORSTEP_TEST_WEBHOOK_RETRY_MS`, honoured by debug builds only). Once the receiver
//! is back it gets every event exactly once, each under its one id and each verified by
//! its `Doorstep-Signature`.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use doorstep_app::support::{self, Comment, NewTicket};
use doorstep_app::webhooks::{self, NewEndpoint};
use doorstep_testkit::{Backend, both_backends};
use tokio::io::{AsyncBufReadExt, BufReader};

#[allow(dead_code)]
#[path = "../cases/world.rs"]
mod world;

use world::World;

/// What the receiver got: each request's signature header and body.
type Received = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// Tickets made: each is replied to and closed, two `support.updated` events apiece.
const TICKETS: usize = 4;

/// `doorstep serve` on the world's database with its secret key and the fast retries.
async fn serve(w: &World, dir: &std::path::Path, log: &str) -> tokio::process::Child {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_doorstep"))
        .args([
            "serve",
            "--database-url",
            w.db_url(),
            "--bind",
            "127.0.0.1:0",
            "--metrics-bind",
            "off",
        ])
        .env("DOORSTEP_DATA_DIR", dir)
        .env("DOORSTEP_SECRET_KEY", w.app.secret_key().to_hex())
        .env("DOORSTEP_LOG", "info")
        .env("DOORSTEP_TEST_WEBHOOK_RETRY_MS", "50")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join(log)).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().expect("a line");
    assert!(line.starts_with("Listening on http://"), "{line}");
    child
}

/// `(status, attempts, last_error)` of every delivery of the world's Acme.
async fn deliveries(w: &World) -> Vec<(String, i64, String, String)> {
    doorstep_store::on_pool!(w.store, p => sqlx::query_as(
        "SELECT event_id, attempts, status, last_error FROM webhook_deliveries WHERE company_id = $1 ORDER BY id")
        .bind(w.acme.id.0).fetch_all(p).await)
    .unwrap()
}

/// Whether `header` is a valid signature of `body` under `secret`.
fn verified(header: &str, body: &[u8], secret: &str) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value.to_owned()),
            Some(("v1", value)) => v1 = Some(value.to_owned()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let Ok(tag) = hex::decode(v1) else {
        return false;
    };
    let mut signed = format!("{t}.").into_bytes();
    signed.extend_from_slice(body);
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    ring::hmac::verify(&key, &signed, &tag).is_ok()
}

both_backends! {
    /// The receiver is down while the events happen and the servers retry; once it is
    /// up, every event arrives once, signed, under the id it was written with.
    async fn a_receiver_that_was_down_gets_every_event_once_it_is_back(backend: Backend) {
        let w = World::demo(backend).await;
        let dir = tempfile::tempdir().unwrap();
        // A loopback port nothing listens on yet: connections are refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let olivia = w.olivia().await;
        let events = vec!["support.updated".to_owned()];
        let added = webhooks::add(&w.app, olivia.admin().unwrap(),
            NewEndpoint::parse(&format!("http://127.0.0.1:{port}/hook"), &events).unwrap()).await.unwrap();

        let mut a = serve(&w, dir.path(), "a.log").await;
        let mut b = serve(&w, dir.path(), "b.log").await;

        let dana = w.dana().await;
        for i in 0..TICKETS {
            let opened = support::open(&w.app, &dana, NewTicket::parse(&format!("Leak {i}"), "Drips").unwrap(), &[])
                .await.unwrap();
            let reply = Comment::parse("On our way").unwrap().with_status(Some("waiting_on_customer"));
            support::reply(&w.app, &olivia, &opened.number, reply, &[]).await.unwrap();
            support::set_status(&w.app, &olivia, &opened.number, "closed").await.unwrap();
        }
        let events = 2 * TICKETS;

        // Down: every delivery is tried and retried, and stays pending.
        let mut waited = 0;
        loop {
            let rows = deliveries(&w).await;
            assert_eq!(rows.len(), events);
            if rows.iter().all(|r| r.1 >= 3) {
                assert!(rows.iter().all(|r| r.2 == "pending" && r.3.contains("connect")), "{rows:?}");
                break;
            }
            assert!(waited < 600, "the deliveries were not retried: {rows:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
            waited += 1;
        }

        // Up: a receiver that records what it gets.
        let got: Received = Arc::default();
        let record = got.clone();
        let router = axum::Router::new().route("/hook", axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let record = record.clone();
            async move {
                let signature = headers.get("doorstep-signature").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                record.lock().unwrap().push((signature, body.to_vec()));
                "thanks"
            }
        }));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let receiver = tokio::spawn(async move { axum::serve(listener, router).await });

        let mut waited = 0;
        loop {
            let rows = deliveries(&w).await;
            if rows.iter().all(|r| r.2 == "delivered") {
                break;
            }
            assert!(waited < 600, "not every event was delivered: {rows:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
            waited += 1;
        }
        // Let both servers poll many more times over the delivered rows.
        tokio::time::sleep(Duration::from_millis(500)).await;
        a.kill().await.unwrap();
        b.kill().await.unwrap();
        receiver.abort();

        let secret = webhooks::reveal_secret(&w.app, olivia.admin().unwrap(), added.id).await.unwrap();
        let got = got.lock().unwrap().clone();
        assert_eq!(got.len(), events, "each event once, none twice");
        let mut ids = Vec::new();
        for (signature, body) in &got {
            assert!(verified(signature, body, &secret), "bad signature {signature}");
            assert!(!verified(signature, body, "whsec_wrong"));
            let event: serde_json::Value = serde_json::from_slice(body).unwrap();
            assert_eq!((event["type"].as_str(), event["company"].as_str()), (Some("support.updated"), Some("acme")));
            ids.push(event["id"].as_str().unwrap().to_owned());
        }
        ids.sort();
        let mut written: Vec<String> = deliveries(&w).await.into_iter().map(|r| r.0).collect();
        written.sort();
        assert_eq!(ids, written, "every event arrives under the id it was written with");
        ids.dedup();
        assert_eq!(ids.len(), events, "no two deliveries share an id");
        let log = w.store.webhook_deliveries(w.acme.id, added.id, None, 50).await.unwrap();
        assert!(log.iter().all(|d| d.response_status == Some(200) && d.response_excerpt == "thanks" && d.attempts >= 3), "{log:?}");
    }
}

mod pages {
    use doorstep_testkit::{Backend, both_backends};

    use crate::helpers::{TestApp, csrf_of, office, seed_people};

    both_backends! {
        /// The office's pages: a wrong URL and no event are refused next to their fields
        /// with the typed values kept; a good form shows the secret once; the endpoint's page
        /// hides it until asked; an unknown id is 404.
        async fn the_office_adds_a_webhook_over_http(backend: Backend) {
            let app = TestApp::spawn(backend).await;
            seed_people(&app).await;
            let client = office(&app).await;
            let list = client.get(app.url("acme", "/office/webhooks")).send().await.unwrap();
            assert_eq!(list.status(), 200);
            assert!(list.text().await.unwrap().contains("No webhooks yet"));

            let token = csrf_of(&client, &app.url("acme", "/office/webhooks")).await;
            let post = |form: Vec<(&'static str, String)>| {
                let mut form = form;
                form.push(("csrf_token", token.clone()));
                client.post(app.url("acme", "/office/webhooks")).header("origin", app.origin("acme")).form(&form).send()
            };
            let res = post(vec![("url", "http://hooks.example.com/in".into())]).await.unwrap();
            assert_eq!(res.status(), 422);
            let body = res.text().await.unwrap();
            assert!(body.contains("Use an https:// URL") && body.contains("Choose at least one event."), "{body}");
            assert!(body.contains("value=\"http://hooks.example.com/in\""), "the typed URL is kept");

            let res = post(vec![
                ("url", "https://hooks.example.com/in".into()),
                ("events", "invoice.paid".into()),
                ("events", "request.created".into()),
            ]).await.unwrap();
            assert_eq!(res.status(), 200);
            let body = res.text().await.unwrap();
            assert!(body.contains("data-testid=\"webhook-secret\">whsec_"), "the secret is shown once");
            let id = body.split("/office/webhooks/").nth(1).unwrap().split('/').next().unwrap().to_owned();

            let page = client.get(app.url("acme", &format!("/office/webhooks/{id}"))).send().await.unwrap();
            assert_eq!(page.status(), 200);
            let page = page.text().await.unwrap();
            assert!(page.contains("https://hooks.example.com/in") && !page.contains("whsec_"));
            assert!(page.contains("value=\"invoice.paid\" checked") && page.contains("value=\"request.created\" checked"));
            assert!(page.contains("Nothing sent yet"));

            let missing = client.get(app.url("acme", "/office/webhooks/999999")).send().await.unwrap();
            assert_eq!(missing.status(), 404);
        }
    }
}
