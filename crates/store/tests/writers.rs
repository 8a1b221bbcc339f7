//! Writers take turns: many transactions at once all commit (on SQLite through the
//! store's writer queue rather than SQLite's busy handler), a rolled-back one gives its
//! turn back, and nothing of it is kept; audit rows are committed with the rest or not at
//! all.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use doorstep_core::ids::CompanyId;
use doorstep_store::Store;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::companies::NewCompany;
use doorstep_testkit::{Backend, TestDb, both_backends, fresh_database};

/// A migrated database of `backend` with one company (the database is kept while held).
async fn store_with_company(backend: Backend) -> (TestDb, Store, CompanyId) {
    let db = fresh_database(backend).await;
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let co = tx
        .create_company(&NewCompany {
            slug: "acme".into(),
            name: "Acme".into(),
            currency: "USD".into(),
            ..NewCompany::default()
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (db, store, co)
}

both_backends! {
    async fn concurrent_writers_all_commit_and_a_dropped_one_gives_its_turn_back(backend: Backend) {
        let (_db, store, co) = store_with_company(backend).await;

        let writers: Vec<_> = (0..12).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                tx.add_company_domain(co, &format!("w{i}.acme.test")).await.unwrap();
                // Long enough that the others queue behind it.
                tokio::time::sleep(Duration::from_millis(20)).await;
                if i % 4 == 3 {
                    drop(tx);
                } else {
                    tx.commit().await.unwrap();
                }
            })
        }).collect();
        for writer in writers {
            tokio::time::timeout(Duration::from_secs(8), writer).await.expect("every writer got its turn").unwrap();
        }
        for i in 0..12 {
            let found = store.company_for_domain(&format!("w{i}.acme.test")).await.unwrap();
            assert_eq!(found.is_some(), i % 4 != 3, "domain of writer {i}");
        }
        // The queue is free again: one more transaction begins at once.
        let tx = tokio::time::timeout(Duration::from_secs(2), store.begin()).await.expect("not stuck").unwrap();
        drop(tx);
    }
}

/// Polls `f` until it is done or has been woken `wakes` times, then drops it: a request
/// whose client hangs up at that point.
async fn cancelled_after<F: std::future::Future>(f: F, wakes: usize) -> Option<F::Output> {
    let mut f = std::pin::pin!(f);
    let mut polls = 0;
    std::future::poll_fn(|cx| {
        polls += 1;
        match f.as_mut().poll(cx) {
            std::task::Poll::Ready(v) => std::task::Poll::Ready(Some(v)),
            std::task::Poll::Pending if polls > wakes => std::task::Poll::Ready(None),
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    })
    .await
}

both_backends! {
    /// A writer whose caller goes away at any point while its transaction begins leaves
    /// no transaction open behind it: each time, the next writer begins and commits at
    /// once (on SQLite a leaked `BEGIN IMMEDIATE` would hold the write lock for good).
    async fn a_begin_dropped_at_any_point_leaves_nothing_open(backend: Backend) {
        let (_db, store, co) = store_with_company(backend).await;
        for round in 0..40 {
            for wakes in 0..8 {
                drop(cancelled_after(store.begin(), wakes).await);
                let mut tx = tokio::time::timeout(Duration::from_secs(3), store.begin())
                    .await
                    .unwrap_or_else(|_| panic!("round {round}: stuck after a begin dropped at wake {wakes}"))
                    .unwrap();
                tx.add_company_domain(co, &format!("r{round}-w{wakes}.acme.test")).await.unwrap();
                tokio::time::timeout(Duration::from_secs(3), tx.commit()).await.expect("commits").unwrap();
            }
        }
    }
}

/// An audit row of `co` done by `actor_kind` (the table allows staff, contact, api, system).
fn audit_event(actor_kind: &'static str, action: &'static str) -> NewAuditEvent {
    NewAuditEvent {
        actor_kind,
        actor_id: None,
        actor_label: "writers test".into(),
        action,
        subject_kind: "company",
        subject_id: None,
        ip: String::new(),
        detail: "{}".into(),
        at: doorstep_store::now(),
    }
}

/// The audit rows of `co` with `action`.
async fn audits(store: &Store, co: CompanyId, action: &str) -> i64 {
    doorstep_store::on_pool!(store, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE company_id = $1 AND action = $2")
        .bind(co.0).bind(action).fetch_one(p).await)
    .unwrap()
}

both_backends! {
    /// Audit rows are written with the commit (on SQLite in the same trip as the COMMIT):
    /// all of them when it commits, none when the transaction is dropped, and an audit row
    /// the database refuses fails the commit and keeps nothing of the transaction.
    async fn audit_rows_are_committed_with_the_transaction_or_not_at_all(backend: Backend) {
        let (_db, store, co) = store_with_company(backend).await;

        // More rows than one statement takes: the commit writes them in several.
        let mut tx = store.begin().await.unwrap();
        tx.add_company_domain(co, "kept.acme.test").await.unwrap();
        for _ in 0..450 {
            tx.audit(co, &audit_event("system", "test.kept")).await.unwrap();
        }
        assert_eq!(audits(&store, co, "test.kept").await, 0, "not written before the commit");
        tx.commit().await.unwrap();
        assert_eq!(audits(&store, co, "test.kept").await, 450);

        let mut tx = store.begin().await.unwrap();
        tx.add_company_domain(co, "dropped.acme.test").await.unwrap();
        tx.audit(co, &audit_event("system", "test.dropped")).await.unwrap();
        drop(tx);
        assert_eq!(audits(&store, co, "test.dropped").await, 0);
        assert!(store.company_for_domain("dropped.acme.test").await.unwrap().is_none());

        let mut tx = store.begin().await.unwrap();
        tx.add_company_domain(co, "refused.acme.test").await.unwrap();
        tx.audit(co, &audit_event("system", "test.refused")).await.unwrap();
        tx.audit(co, &audit_event("robot", "test.refused")).await.unwrap();
        assert!(tx.commit().await.is_err(), "an actor kind the table refuses fails the commit");
        assert_eq!(audits(&store, co, "test.refused").await, 0);
        assert!(store.company_for_domain("refused.acme.test").await.unwrap().is_none());

        // The writer's turn came back: the next transaction begins and commits at once.
        let mut tx = tokio::time::timeout(Duration::from_secs(3), store.begin()).await.expect("not stuck").unwrap();
        tx.add_company_domain(co, "after.acme.test").await.unwrap();
        tx.commit().await.unwrap();
        assert!(store.company_for_domain("after.acme.test").await.unwrap().is_some());
    }
}

both_backends! {
    /// A commit whose caller goes away at any point either commits everything (its audit
    /// row included) or nothing, and leaves no transaction open behind it.
    async fn a_commit_dropped_at_any_point_keeps_all_or_nothing(backend: Backend) {
        let (_db, store, co) = store_with_company(backend).await;
        for round in 0..20 {
            for wakes in 0..6 {
                let domain = format!("c{round}-w{wakes}.acme.test");
                // Its own subject id: on PostgreSQL an earlier round's commit may land late.
                let subject = i64::try_from(round * 100 + wakes).unwrap();
                let mut tx = store.begin().await.unwrap();
                tx.add_company_domain(co, &domain).await.unwrap();
                let event = NewAuditEvent { subject_id: Some(subject), ..audit_event("system", "test.commit") };
                tx.audit(co, &event).await.unwrap();
                drop(cancelled_after(tx.commit(), wakes).await);
                // The next writer begins at once: nothing was left holding the lock.
                let next = tokio::time::timeout(Duration::from_secs(3), store.begin())
                    .await
                    .unwrap_or_else(|_| panic!("round {round}: stuck after a commit dropped at wake {wakes}"))
                    .unwrap();
                drop(next);
                // One statement, one snapshot: on PostgreSQL a commit sent before the drop
                // may land at any moment.
                let (kept, audited): (i64, i64) = doorstep_store::on_pool!(store, p => sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM company_domains WHERE domain = $1), \
                            (SELECT COUNT(*) FROM audit_events WHERE company_id = $2 AND subject_id = $3)")
                    .bind(&domain).bind(co.0).bind(subject).fetch_one(p).await)
                .unwrap();
                assert_eq!(audited, kept, "round {round}, wake {wakes}: the domain and its audit row together");
            }
        }
    }
}

both_backends! {
    /// Writers that end while others wait share a commit on SQLite: each hears of its commit
    /// only once it is durable (another connection then sees its row at once), and a member
    /// that fails or is dropped takes nothing of the others with it.
    async fn writers_sharing_a_commit_each_keep_exactly_their_own_work(backend: Backend) {
        let (_db, store, co) = store_with_company(backend).await;
        let writers: Vec<_> = (0..24).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let domain = format!("g{i}.acme.test");
                let mut tx = store.begin().await.unwrap();
                tx.add_company_domain(co, &domain).await.unwrap();
                let kind = if i % 4 == 2 { "robot" } else { "system" };
                tx.audit(co, &audit_event(kind, "test.group")).await.unwrap();
                tokio::task::yield_now().await;
                match i % 4 {
                    3 => drop(tx),
                    2 => assert!(tx.commit().await.is_err(), "writer {i}: a refused audit row fails its commit"),
                    _ => {
                        tx.commit().await.unwrap();
                        let seen = store.company_for_domain(&domain).await.unwrap();
                        assert!(seen.is_some(), "writer {i}: committed means visible to everyone");
                    }
                }
            })
        }).collect();
        for writer in writers {
            tokio::time::timeout(Duration::from_secs(8), writer).await.expect("every writer ended").unwrap();
        }
        for i in 0..24 {
            let found = store.company_for_domain(&format!("g{i}.acme.test")).await.unwrap();
            assert_eq!(found.is_some(), i % 4 < 2, "domain of writer {i}");
        }
        assert_eq!(audits(&store, co, "test.group").await, 12, "the audit rows of the committed writers only");
    }
}

both_backends! {
    /// A transaction that read the work of a writer ended before it (on SQLite: in the same
    /// shared commit, not yet durable) and rolls back hears of it only once that work is
    /// durable: a read elsewhere then finds what it saw.
    async fn a_rollback_returns_once_what_it_read_is_durable(backend: Backend) {
        let (_db, store, co) = store_with_company(backend).await;
        for round in 0..10 {
            let domain = format!("seen{round}.acme.test");
            let mut first = store.begin().await.unwrap();
            first.add_company_domain(co, &domain).await.unwrap();
            let second = tokio::spawn({
                let (store, domain) = (store.clone(), domain.clone());
                async move {
                    let mut tx = store.begin().await.unwrap();
                    let seen: i64 = doorstep_store::on_tx!(tx, c => sqlx::query_scalar(
                        "SELECT COUNT(*) FROM company_domains WHERE domain = $1")
                        .bind(&domain).fetch_one(&mut *c).await)
                    .unwrap();
                    tx.rollback().await.unwrap();
                    let found = store.company_for_domain(&domain).await.unwrap();
                    (seen, found.is_some())
                }
            });
            // The second is queued for the writer's turn (SQLite) before the first ends.
            tokio::time::sleep(Duration::from_millis(20)).await;
            first.commit().await.unwrap();
            let (seen, found) = tokio::time::timeout(Duration::from_secs(5), second).await.expect("ends").unwrap();
            if backend == Backend::Sqlite {
                assert_eq!(seen, 1, "round {round}: the second joined the first's commit and read its row");
            }
            assert!(seen == 0 || found, "round {round}: what the rolled-back transaction read is durable");
        }
    }
}
