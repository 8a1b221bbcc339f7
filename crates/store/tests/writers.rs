//! Writers take turns: many transactions at once all commit (on SQLite through the
//! store's writer queue rather than SQLite's busy handler), a rolled-back one gives its
//! turn back, and nothing of it is kept.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use doorstep_core::ids::CompanyId;
use doorstep_store::Store;
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
