//! Delivery through the outbox to a real SMTP server on loopback, on both engines.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::Duration;

use doorstep_core::ids::CompanyId;
use doorstep_mail::{EmailKind, SmtpConfig, SmtpSender, Wake, drain_once, enqueue, run};
use doorstep_store::companies::NewCompany;
use doorstep_store::outbox::{EmailStatus, NewEmail};
use doorstep_store::{Store, now};
use doorstep_testkit::smtp::SmtpServer;
use doorstep_testkit::{Backend, TestDb, both_backends, fresh_database};

const WAIT: Duration = Duration::from_secs(10);

async fn setup(backend: Backend) -> (TestDb, Store, CompanyId) {
    let db = fresh_database(backend).await;
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let acme = tx
        .create_company(&NewCompany {
            slug: "acme".into(),
            name: "Acme Plumbing & Heating".into(),
            currency: "USD".into(),
            ..NewCompany::default()
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (db, store, acme)
}

fn sender_for(server: &SmtpServer) -> SmtpSender {
    let config = SmtpConfig::parse(&server.url(), "no-reply@portal.test").unwrap();
    SmtpSender::new(&config).unwrap()
}

fn invitation_values(contact: &str) -> Vec<(&'static str, String)> {
    vec![
        ("company_name", "Acme Plumbing & Heating".to_owned()),
        ("contact_name", contact.to_owned()),
        ("link", "https://acme.portal.test/invite/t0k3n".to_owned()),
        ("expires", "in 7 days".to_owned()),
    ]
}

async fn queue_invitation(store: &Store, company: CompanyId, to: &str, name: &str) -> String {
    let values = invitation_values(name);
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut tx = store.begin().await.unwrap();
    let event_id = enqueue(&mut tx, company, EmailKind::Invitation, to, name, &values)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    event_id
}

async fn only_email(store: &Store, company: CompanyId) -> doorstep_store::outbox::OutboxEmail {
    let page = store.outbox_page(company, None, 10).await.unwrap();
    assert_eq!(page.len(), 1);
    page.into_iter().next().unwrap()
}

both_backends! {
    async fn a_rolled_back_email_never_leaves_and_a_committed_one_is_delivered(backend: Backend) {
        let (_db, store, acme) = setup(backend).await;
        let server = SmtpServer::start().await;
        let sender = sender_for(&server);

        let mut tx = store.begin().await.unwrap();
        enqueue(&mut tx, acme, EmailKind::PasswordReset, "ghost@customer.test", "Ghost", &[])
            .await
            .unwrap();
        drop(tx);
        let event_id = queue_invitation(&store, acme, "dana@customer.test", "Dana Smith").await;

        assert_eq!(drain_once(&store, Some(&sender)).await.unwrap(), 1);
        let messages = server.wait_for_messages(1, WAIT).await;
        assert_eq!(messages.len(), 1);
        let m = &messages[0];
        assert_eq!(m.rcpt_to, ["dana@customer.test"]);
        assert!(m.to.contains("Dana Smith") && m.to.contains("<dana@customer.test>"), "{}", m.to);
        assert_eq!(m.subject, "You're invited to the Acme Plumbing & Heating customer portal");
        assert!(m.header_values("From")[0].contains("Acme Plumbing & Heating"));
        assert!(m.header_values("From")[0].contains("<no-reply@portal.test>"));
        assert_eq!(m.message_id, format!("<{event_id}@portal.test>"));
        assert!(m.text.starts_with("Hello Dana Smith,"), "{}", m.text);
        assert!(m.text.contains("https://acme.portal.test/invite/t0k3n"));
        let html = m.html.as_deref().unwrap();
        assert!(html.contains("<a href=\"https://acme.portal.test/invite/t0k3n\">"));
        assert!(html.contains("Acme Plumbing &amp; Heating"));

        let row = only_email(&store, acme).await;
        assert_eq!((row.status, row.attempts), (EmailStatus::Sent, 1));
        assert!(row.sent_at.is_some());
        assert_eq!(drain_once(&store, Some(&sender)).await.unwrap(), 0);
        assert_eq!(server.messages().len(), 1);
    }

    async fn an_email_waits_while_the_smtp_server_is_down_and_is_delivered_once_when_back(backend: Backend) {
        let (_db, store, acme) = setup(backend).await;
        let mut server = SmtpServer::start().await;
        let sender = sender_for(&server);
        server.stop().await;

        queue_invitation(&store, acme, "dana@customer.test", "Dana").await;
        assert_eq!(drain_once(&store, Some(&sender)).await.unwrap(), 1);
        let row = only_email(&store, acme).await;
        assert_eq!((row.status, row.attempts), (EmailStatus::Pending, 1));
        assert!(!row.last_error.is_empty());
        assert!(row.next_attempt_at > now() + time::Duration::seconds(30), "{:?}", row.next_attempt_at);
        // Not due yet, so nothing is tried.
        assert_eq!(drain_once(&store, Some(&sender)).await.unwrap(), 0);

        server.restart().await;
        store.make_due_now().await.unwrap();
        assert_eq!(drain_once(&store, Some(&sender)).await.unwrap(), 1);
        assert_eq!(drain_once(&store, Some(&sender)).await.unwrap(), 0);
        store.make_due_now().await.unwrap();
        assert_eq!(drain_once(&store, Some(&sender)).await.unwrap(), 0);
        assert_eq!(server.wait_for_messages(1, WAIT).await.len(), 1);
        let row = only_email(&store, acme).await;
        assert_eq!((row.status, row.attempts), (EmailStatus::Sent, 2));
    }

    async fn two_workers_draining_at_once_deliver_each_email_exactly_once(backend: Backend) {
        let (db, store, acme) = setup(backend).await;
        let server = SmtpServer::start().await;
        for i in 0..25 {
            queue_invitation(&store, acme, &format!("c{i}@customer.test"), &format!("Contact {i}")).await;
        }
        // Two nodes: separate pools, separate senders.
        let node_a = Store::connect(&db.url).await.unwrap();
        let node_b = Store::connect(&db.url).await.unwrap();
        let (sender_a, sender_b) = (sender_for(&server), sender_for(&server));
        let drain_all = |store: Store, sender: SmtpSender| async move {
            let mut tried = 0;
            loop {
                let n = drain_once(&store, Some(&sender)).await.unwrap();
                if n == 0 {
                    return tried;
                }
                tried += n;
            }
        };
        let (a, b) = tokio::join!(drain_all(node_a, sender_a), drain_all(node_b, sender_b));
        assert_eq!(a + b, 25);

        let messages = server.wait_for_messages(25, WAIT).await;
        assert_eq!(messages.len(), 25);
        let ids: HashSet<&str> = messages.iter().map(|m| m.message_id.as_str()).collect();
        let recipients: HashSet<&str> = messages.iter().map(|m| m.rcpt_to[0].as_str()).collect();
        assert_eq!((ids.len(), recipients.len()), (25, 25));
        let rows = store.outbox_page(acme, None, 100).await.unwrap();
        assert!(rows.iter().all(|r| r.status == EmailStatus::Sent && r.attempts == 1));
    }

    async fn crlf_in_a_name_or_subject_adds_no_recipient_or_header(backend: Backend) {
        let (_db, store, acme) = setup(backend).await;
        let server = SmtpServer::start().await;
        let sender = sender_for(&server);
        let evil = "Eve\r\nBcc: evil@x.test";
        // Through the templates, and straight into the outbox as if another path skipped them.
        queue_invitation(&store, acme, "eve@customer.test", evil).await;
        let mut tx = store.begin().await.unwrap();
        tx.enqueue_email(acme, &NewEmail {
            kind: "support_reply".into(),
            to_address: "eve@customer.test".into(),
            to_name: evil.into(),
            subject: format!("Re: {evil}\nX-Injected: yes"),
            body_text: "Hello".into(),
            body_html: String::new(),
        }).await.unwrap();
        tx.commit().await.unwrap();

        assert_eq!(drain_once(&store, Some(&sender)).await.unwrap(), 2);
        let messages = server.wait_for_messages(2, WAIT).await;
        for m in &messages {
            assert_eq!(m.rcpt_to, ["eve@customer.test"]);
            assert!(m.header_values("Bcc").is_empty(), "{}", m.raw);
            assert!(m.header_values("X-Injected").is_empty(), "{}", m.raw);
            assert_eq!(m.header_values("To").len(), 1);
            let head = m.raw.split("\r\n\r\n").next().unwrap();
            assert!(!head.contains("\nBcc:") && !head.contains("\nX-Injected:"), "{head}");
        }
        assert_eq!(messages[1].subject, "Re: Eve Bcc: evil@x.test X-Injected: yes");
        assert_eq!(messages[1].text.trim_end(), "Hello");
    }

    async fn an_unusable_address_is_given_up_at_once(backend: Backend) {
        let (_db, store, acme) = setup(backend).await;
        let server = SmtpServer::start().await;
        let sender = sender_for(&server);
        queue_invitation(&store, acme, "not an address", "Nobody").await;
        assert_eq!(drain_once(&store, Some(&sender)).await.unwrap(), 1);
        let row = only_email(&store, acme).await;
        assert_eq!((row.status, row.attempts), (EmailStatus::Failed, 1));
        assert!(row.last_error.contains("address"), "{}", row.last_error);
        assert!(server.messages().is_empty());
    }

    async fn the_worker_sends_when_woken_and_stops_on_shutdown(backend: Backend) {
        let (_db, store, acme) = setup(backend).await;
        let server = SmtpServer::start().await;
        let wake = Wake::new();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(run(store.clone(), Some(sender_for(&server)), wake.clone(), async {
            let _ = stopped.await;
        }, Duration::from_secs(5)));

        queue_invitation(&store, acme, "dana@customer.test", "Dana").await;
        wake.wake();
        let messages = server.wait_for_messages(1, WAIT).await;
        assert_eq!(messages[0].rcpt_to, ["dana@customer.test"]);

        stop.send(()).unwrap();
        tokio::time::timeout(WAIT, worker).await.expect("worker stops promptly").unwrap();
    }

    async fn without_smtp_the_worker_leaves_email_pending_in_the_outbox(backend: Backend) {
        let (_db, store, acme) = setup(backend).await;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(run(store.clone(), None, Wake::new(), async {
            let _ = stopped.await;
        }, Duration::from_secs(5)));
        queue_invitation(&store, acme, "dana@customer.test", "Dana").await;
        assert_eq!(drain_once(&store, None).await.unwrap(), 0);
        stop.send(()).unwrap();
        tokio::time::timeout(WAIT, worker).await.expect("worker stops promptly").unwrap();
        let row = only_email(&store, acme).await;
        assert_eq!((row.status, row.attempts), (EmailStatus::Pending, 0));
    }
}
