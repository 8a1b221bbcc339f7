//! Issue 14, the server's edge: metrics on tenant hosts (8), slow and half-sent requests
//! (12), a duplicate email on shutdown (14), control characters reaching the database
//! (15), readiness while draining (16) and forged request ids (10h).

use std::process::Stdio;
use std::time::{Duration, Instant};

use doorstep_testkit::smtp::SmtpServer;
use doorstep_testkit::{Backend, both_backends, fresh_database};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, seed_people, sign_in};

/// Reads until the peer closes the connection; answers whether it did within `bound`
/// (a reset counts as closed).
async fn closed_within(stream: &mut TcpStream, bound: Duration) -> bool {
    let mut buf = [0_u8; 4096];
    let reading = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(bound, reading).await.is_ok()
}

/// Opens a connection and sends only the start of a request's headers.
async fn half_sent_request(addr: std::net::SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .await
        .unwrap();
    stream
}

/// `doorstep serve` as a child process with `env`, optionally under a lower open-file
/// limit; answers the child and the address it listens on.
async fn serve_process(
    db_url: &str,
    dir: &std::path::Path,
    open_files: Option<u32>,
    env: &[(&str, &str)],
) -> (tokio::process::Child, String) {
    let bin = env!("CARGO_BIN_EXE_doorstep");
    let script = match open_files {
        Some(n) => format!("ulimit -n {n} && exec \"$0\" \"$@\""),
        None => "exec \"$0\" \"$@\"".to_owned(),
    };
    let mut child = tokio::process::Command::new("sh")
        .args([
            "-c",
            &script,
            bin,
            "serve",
            "--database-url",
            db_url,
            "--bind",
            "127.0.0.1:0",
        ])
        .env("DOORSTEP_DATA_DIR", dir)
        .env("DOORSTEP_METRICS_BIND", "off")
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().expect("a line");
    let addr = line
        .strip_prefix("Listening on http://")
        .unwrap_or_else(|| panic!("{line}"))
        .to_owned();
    (child, addr)
}

fn sigterm(child: &tokio::process::Child) {
    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
}

both_backends! {
    // 8. /metrics shows every company's traffic: never on a company's (or any public) host.
    async fn a_tenant_host_answers_404_for_metrics(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("acme", "Acme").await;
        app.get_with_host("acme.localhost", "/").await;
        for host in ["acme.localhost", "localhost", "127.0.0.1"] {
            let res = app.get_with_host(host, "/metrics").await;
            assert_eq!(res.status(), 404, "/metrics on {host}");
            let body = res.text().await.unwrap();
            assert!(!body.contains("doorstep_http_requests"), "{host}: {body}");
        }
    }

    async fn metrics_are_served_on_the_operations_listener(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        app.create_company("acme", "Acme").await;
        app.get_with_host("acme.localhost", "/").await;
        let res = app.metrics().await;
        assert_eq!(res.status(), 200);
        let text = res.text().await.unwrap();
        assert!(text.contains(r#"doorstep_http_requests_total{method="GET",route="/",status="200"} 1"#), "{text}");
        // Only metrics there: no portal behind the operations port.
        let at = app.metrics_addr.unwrap();
        let res = reqwest::get(format!("http://{at}/sign-in")).await.unwrap();
        assert_eq!(res.status(), 404);
    }

    // 12. Slowloris: a client that never finishes its headers loses the connection.
    async fn a_half_sent_request_is_closed_after_the_header_timeout(backend: Backend) {
        let app = TestApp::spawn_with(backend, |s| s.header_timeout = Duration::from_secs(1)).await;
        let mut stream = half_sent_request(app.addr).await;
        let started = Instant::now();
        assert!(closed_within(&mut stream, Duration::from_secs(6)).await, "still open after 6 s");
        assert!(started.elapsed() >= Duration::from_millis(900), "closed before the timeout");
    }

    // 12. An idle kept-alive connection is not held for ever either.
    async fn an_idle_keep_alive_connection_is_closed_after_the_timeout(backend: Backend) {
        let app = TestApp::spawn_with(backend, |s| s.header_timeout = Duration::from_secs(1)).await;
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
        let mut buf = [0_u8; 1024];
        let n = stream.read(&mut buf).await.unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
        assert!(closed_within(&mut stream, Duration::from_secs(6)).await, "idle connection kept");
    }

    // 12. 1,100 slow connections exhausted the descriptors and /healthz waited; here the
    // process gets 160 descriptors and 300 slow connections.
    async fn many_slow_connections_do_not_stop_healthz_answering(backend: Backend) {
        let db = fresh_database(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let (_child, addr) = serve_process(&db.url, dir.path(), Some(160), &[
            ("DOORSTEP_HEADER_TIMEOUT_SECS", "1"),
            ("DOORSTEP_MAX_CONNECTIONS", "64"),
        ]).await;
        let addr: std::net::SocketAddr = addr.parse().unwrap();
        let mut slow = Vec::new();
        for _ in 0..300 {
            slow.push(half_sent_request(addr).await);
        }
        let started = Instant::now();
        let healthz = async {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.unwrap();
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await.unwrap();
            answer
        };
        let answer = tokio::time::timeout(Duration::from_secs(20), healthz)
            .await
            .expect("/healthz answered within 20 s despite 300 slow connections");
        assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
        eprintln!("/healthz answered after {:?} behind 300 slow connections", started.elapsed());
        drop(slow);
    }

    // 12. A half-sent request kept the process alive after SIGTERM for over 60 s.
    async fn shutdown_with_a_half_sent_request_finishes_within_the_grace_period(backend: Backend) {
        let db = fresh_database(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let (mut child, addr) = serve_process(&db.url, dir.path(), None, &[
            ("DOORSTEP_HEADER_TIMEOUT_SECS", "120"),
            ("DOORSTEP_SHUTDOWN_GRACE_SECS", "2"),
        ]).await;
        let _stream = half_sent_request(addr.parse().unwrap()).await;
        let started = Instant::now();
        sigterm(&child);
        let status = tokio::time::timeout(Duration::from_secs(15), child.wait())
            .await
            .expect("the process exits within 15 s of SIGTERM")
            .unwrap();
        assert!(status.success(), "{status:?}");
        let took = started.elapsed();
        assert!(took < Duration::from_secs(8), "took {took:?} with a 2 s grace period");
    }

    // 16. During the grace period the node still answers, so a load balancer sees 503 and
    // drains it instead of having connections refused.
    async fn readyz_answers_503_while_draining(backend: Backend) {
        let mut app = TestApp::spawn_with(backend, |s| s.shutdown_grace = Duration::from_secs(3)).await;
        let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
        let readyz = format!("http://{}/readyz", app.addr);
        assert_eq!(client.get(&readyz).send().await.unwrap().status(), 200);
        app.begin_shutdown();
        let mut seen = Vec::new();
        // The signal reaches the server task at once; allow it a few round trips.
        for _ in 0..100 {
            let status = client
                .get(&readyz)
                .send()
                .await
                .unwrap_or_else(|e| panic!("refused while draining, after {seen:?}: {e}"))
                .status();
            seen.push(status.as_u16());
            if status == 503 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(seen.last(), Some(&503), "{seen:?}");
        // Still listening a moment later, still 503; then the process stops within the bound.
        let again = client.get(&readyz).send().await.expect("still listening");
        assert_eq!(again.status(), 503);
        let took = app.shutdown_within(Duration::from_secs(10)).await;
        assert!(took >= Duration::from_millis(2500), "stopped listening after {took:?}, before the grace period");
        assert!(client.get(&readyz).send().await.is_err(), "listening after the grace period");
    }

    // 15. %00 reached PostgreSQL (500) and answered differently on SQLite.
    async fn a_nul_in_the_sign_in_email_is_refused_the_same_on_both_engines(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        let res = app
            .submit(&client, "acme", "/sign-in", "/sign-in", &[("email", "dana\0@example.test"), ("password", "x")])
            .await;
        assert_eq!(res.status(), 400);
        let body = res.text().await.unwrap();
        assert!(body.contains("<html"), "the branded page: {body}");
        // Control characters in the field name, and in the path, are refused too.
        let res = app
            .submit(&client, "acme", "/sign-in", "/sign-in", &[("email\u{1}", "dana@example.test"), ("password", "x")])
            .await;
        assert_eq!(res.status(), 400);
        let res = client.get(app.url("acme", "/invite/ab%00cd")).send().await.unwrap();
        assert_eq!(res.status(), 400);
    }

    async fn a_nul_in_the_job_search_is_refused_the_same_on_both_engines(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        seed_people(&app).await;
        let sam = app.client(&["acme"]);
        sign_in(&app, &sam, "acme", "sam@example.test").await;
        let res = sam.get(app.url("acme", "/jobs?q=leak")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        for query in ["q=leak%00", "q=%00", "q=a%1Bb", "status=%00"] {
            let res = sam.get(app.url("acme", &format!("/jobs?{query}"))).send().await.unwrap();
            assert_eq!(res.status(), 400, "{query}");
        }
        // Tab, CR and LF stay allowed in form bodies (textareas send them).
        let visitor = app.client(&["acme"]);
        let res = app
            .submit(&visitor, "acme", "/sign-in", "/sign-in", &[("email", "sam@example.test"), ("password", "line\r\nand\ttab")])
            .await;
        assert_ne!(res.status(), 400);
    }

    // 10h. A client-supplied request id was logged and echoed as is.
    async fn a_malformed_request_id_is_replaced_and_a_well_formed_one_kept(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let client = reqwest::Client::new();
        let url = format!("http://{}/healthz", app.addr);
        let long = "a".repeat(65);
        for forged in ["<script>alert(1)</script>", "id with spaces", "evil\tid", long.as_str(), "a/b", ""] {
            let res = client.get(&url).header("x-request-id", forged).send().await.unwrap();
            let echoed = res.headers().get("x-request-id").expect("an id").to_str().unwrap().to_owned();
            assert_ne!(echoed, forged);
            assert!(
                !echoed.is_empty() && echoed.len() <= 64 && echoed.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "{echoed:?}"
            );
        }
        let res = client.get(&url).header("x-request-id", "lb-7f3a-0001").send().await.unwrap();
        assert_eq!(res.headers()["x-request-id"], "lb-7f3a-0001");
    }

    // 14. SIGTERM dropped the send in progress: the message went out, was never recorded as
    // sent, and went out again when its lease ended (20 emails, 21 deliveries).
    async fn twenty_emails_with_a_shutdown_mid_send_are_delivered_exactly_once(backend: Backend) {
        let smtp = SmtpServer::start_with_reply_delay(Duration::from_millis(400)).await;
        let mut app = TestApp::spawn_with(backend, |s| {
            s.smtp_url = Some(doorstep::settings::Secret::new(smtp.url()));
            s.shutdown_grace = Duration::from_secs(5);
        })
        .await;
        let acme = app.create_company("acme", "Acme").await;
        let mut tx = app.store.begin().await.unwrap();
        for n in 0..20 {
            tx.enqueue_email(acme, &doorstep_store::outbox::NewEmail {
                kind: "test".into(),
                to_address: format!("person{n}@example.test"),
                subject: format!("Message {n}"),
                body_text: "Hello".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        // Two accepted; the third is received and waiting for its 250 when SIGTERM comes.
        smtp.wait_for_messages(3, Duration::from_secs(30)).await;
        app.shutdown_within(Duration::from_secs(15)).await;
        // Every email the server has is recorded as sent; the rest are free to claim.
        let store = doorstep_store::Store::connect(&app.db.url).await.unwrap();
        let received = smtp.messages().len();
        let sent = store
            .outbox_page(acme, None, 100)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.status == doorstep_store::outbox::EmailStatus::Sent)
            .count();
        assert_eq!(sent, received, "received by the server but not recorded as sent");
        // Another node takes over, after any lease would have ended.
        store.make_due_now().await.unwrap();
        let config = doorstep_mail::SmtpConfig::parse(&smtp.url(), "no-reply@localhost").unwrap();
        let sender = doorstep_mail::SmtpSender::new(&config).unwrap();
        for _ in 0..5 {
            if doorstep_mail::drain_once(&store, Some(&sender)).await.unwrap() == 0 {
                break;
            }
        }
        let messages = smtp.messages();
        let mut ids: Vec<&str> = messages.iter().map(|m| m.message_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!((messages.len(), ids.len()), (20, 20), "deliveries, distinct messages");
    }
}
