//! The email outbox and email templates, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use doorstep_core::ids::CompanyId;
use doorstep_store::companies::NewCompany;
use doorstep_store::outbox::{EmailStatus, NewEmail};
use doorstep_store::{Store, now};
use doorstep_testkit::{Backend, both_backends, fresh_database};
use time::Duration;

async fn store_for(backend: Backend) -> (doorstep_testkit::TestDb, Store) {
    let db = fresh_database(backend).await;
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    (db, store)
}

async fn create_company(store: &Store, slug: &str) -> CompanyId {
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .create_company(&NewCompany {
            slug: slug.into(),
            name: format!("{slug} Services"),
            currency: "USD".into(),
            ..NewCompany::default()
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

fn email(to: &str, subject: &str) -> NewEmail {
    NewEmail {
        kind: "invitation".into(),
        to_address: to.into(),
        to_name: "Dana".into(),
        subject: subject.into(),
        body_text: "Hello".into(),
        body_html: "<p>Hello</p>".into(),
    }
}

async fn enqueue(store: &Store, company: CompanyId, subject: &str) -> String {
    let mut tx = store.begin().await.unwrap();
    let event_id = tx
        .enqueue_email(company, &email("dana@customer.test", subject))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    event_id
}

both_backends! {
    async fn a_claimed_email_is_leased_to_one_worker_and_its_attempt_counted(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let acme = create_company(&store, "acme").await;
        let event_id = enqueue(&store, acme, "One").await;
        assert_eq!(event_id.len(), 32);

        let claimed = store.claim_due_emails(10, Duration::minutes(2)).await.unwrap();
        assert_eq!(claimed.len(), 1);
        let e = &claimed[0];
        assert_eq!((e.company_id, e.event_id.as_str(), e.attempts), (acme, event_id.as_str(), 1));
        assert_eq!(e.company_name, "acme Services");
        assert_eq!((e.subject.as_str(), e.body_html.as_str()), ("One", "<p>Hello</p>"));
        assert_eq!(e.status, EmailStatus::Pending);
        // Leased: nobody else gets it, even once it is due.
        assert!(store.claim_due_emails(10, Duration::minutes(2)).await.unwrap().is_empty());

        // A failure with a retry time hands it back for later, not now.
        store.mark_email_failed(acme, e.id, "connection refused", Some(now() + Duration::minutes(1))).await.unwrap();
        assert!(store.claim_due_emails(10, Duration::minutes(2)).await.unwrap().is_empty());
        let row = store.outbox_email(acme, e.id).await.unwrap().unwrap();
        assert_eq!((row.status, row.attempts, row.last_error.as_str()), (EmailStatus::Pending, 1, "connection refused"));
        assert!(row.next_attempt_at > now());

        store.make_due_now().await.unwrap();
        let again = store.claim_due_emails(10, Duration::minutes(2)).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 2);
        store.mark_email_sent(acme, e.id).await.unwrap();
        let row = store.outbox_email(acme, e.id).await.unwrap().unwrap();
        assert_eq!(row.status, EmailStatus::Sent);
        assert!(row.sent_at.is_some());
        assert_eq!(row.last_error, "");
        store.make_due_now().await.unwrap();
        assert!(store.claim_due_emails(10, Duration::minutes(2)).await.unwrap().is_empty());
    }

    async fn an_expired_lease_lets_another_worker_retry(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let acme = create_company(&store, "acme").await;
        enqueue(&store, acme, "One").await;
        // A lease that ended in the past: the worker that took it is presumed dead.
        assert_eq!(store.claim_due_emails(10, Duration::seconds(-5)).await.unwrap().len(), 1);
        let retried = store.claim_due_emails(10, Duration::minutes(2)).await.unwrap();
        assert_eq!(retried.len(), 1);
        assert_eq!(retried[0].attempts, 2);
    }

    async fn giving_up_marks_failed_and_a_released_email_is_claimable_again(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let acme = create_company(&store, "acme").await;
        enqueue(&store, acme, "Give up").await;
        enqueue(&store, acme, "Release").await;
        let claimed = store.claim_due_emails(10, Duration::minutes(2)).await.unwrap();
        assert_eq!(claimed.iter().map(|e| e.subject.as_str()).collect::<Vec<_>>(), ["Give up", "Release"]);
        store.mark_email_failed(acme, claimed[0].id, "550 no such user", None).await.unwrap();
        store.release_email(acme, claimed[1].id).await.unwrap();

        let failed = store.outbox_email(acme, claimed[0].id).await.unwrap().unwrap();
        assert_eq!((failed.status, failed.last_error.as_str()), (EmailStatus::Failed, "550 no such user"));
        store.make_due_now().await.unwrap();
        let again = store.claim_due_emails(10, Duration::minutes(2)).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!((again[0].subject.as_str(), again[0].attempts), ("Release", 1));
    }

    async fn concurrent_claims_from_separate_pools_never_share_a_row(backend: Backend) {
        let (db, store) = store_for(backend).await;
        let acme = create_company(&store, "acme").await;
        for i in 0..30 {
            enqueue(&store, acme, &format!("n{i}")).await;
        }
        let a = Store::connect(&db.url).await.unwrap();
        let b = Store::connect(&db.url).await.unwrap();
        let c = Store::connect(&db.url).await.unwrap();
        let lease = Duration::minutes(2);
        let (ra, rb, rc) = tokio::join!(
            a.claim_due_emails(12, lease),
            b.claim_due_emails(12, lease),
            c.claim_due_emails(12, lease)
        );
        let all: Vec<i64> = [ra.unwrap(), rb.unwrap(), rc.unwrap()]
            .into_iter()
            .flatten()
            .map(|e| e.id)
            .collect();
        let unique: HashSet<i64> = all.iter().copied().collect();
        assert_eq!(all.len(), unique.len(), "a row was claimed twice");
        assert_eq!(all.len(), 30);
    }

    async fn outbox_pages_are_scoped_by_company_newest_first(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let acme = create_company(&store, "acme").await;
        let other = create_company(&store, "other").await;
        for i in 0..5 {
            enqueue(&store, acme, &format!("acme {i}")).await;
        }
        enqueue(&store, other, "other 0").await;

        let first = store.outbox_page(acme, None, 2).await.unwrap();
        let subjects = |page: &[doorstep_store::outbox::OutboxEmail]| {
            page.iter().map(|e| e.subject.clone()).collect::<Vec<_>>()
        };
        assert_eq!(subjects(&first), ["acme 4", "acme 3"]);
        let second = store.outbox_page(acme, Some(first[1].id), 2).await.unwrap();
        assert_eq!(subjects(&second), ["acme 2", "acme 1"]);
        let last = store.outbox_page(acme, Some(second[1].id), 2).await.unwrap();
        assert_eq!(subjects(&last), ["acme 0"]);
        assert_eq!(last[0].company_name, "acme Services");

        let theirs = store.outbox_page(other, None, 50).await.unwrap();
        assert_eq!(subjects(&theirs), ["other 0"]);
        // Another company's id is neither readable nor usable as a cursor.
        assert!(store.outbox_email(acme, theirs[0].id).await.unwrap().is_none());
        assert!(store.outbox_page(acme, Some(theirs[0].id), 50).await.unwrap().is_empty());
        assert!(store.outbox_email(other, theirs[0].id).await.unwrap().is_some());
    }

    async fn an_email_queued_in_a_rolled_back_transaction_does_not_exist(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let acme = create_company(&store, "acme").await;
        let mut tx = store.begin().await.unwrap();
        tx.enqueue_email(acme, &email("x@customer.test", "gone")).await.unwrap();
        drop(tx);
        assert!(store.outbox_page(acme, None, 50).await.unwrap().is_empty());
        assert!(store.claim_due_emails(10, Duration::minutes(2)).await.unwrap().is_empty());
    }

    async fn email_templates_are_saved_replaced_and_scoped(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let acme = create_company(&store, "acme").await;
        let other = create_company(&store, "other").await;
        assert_eq!(store.email_template(acme, "invitation").await.unwrap(), None);

        let mut tx = store.begin().await.unwrap();
        tx.save_email_template(acme, "invitation", "Hi {{contact_name}}", "Body one").await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.save_email_template(acme, "invitation", "Welcome", "Body two").await.unwrap();
        assert_eq!(
            tx.email_template(acme, "invitation").await.unwrap(),
            Some(("Welcome".to_owned(), "Body two".to_owned()))
        );
        tx.commit().await.unwrap();

        assert_eq!(
            store.email_template(acme, "invitation").await.unwrap(),
            Some(("Welcome".to_owned(), "Body two".to_owned()))
        );
        assert_eq!(store.email_template(acme, "password_reset").await.unwrap(), None);
        assert_eq!(store.email_template(other, "invitation").await.unwrap(), None);
        let counts = store.company_row_counts(acme).await.unwrap();
        assert!(counts.contains(&("email_templates", 1)));
    }
}
