//! Writers take turns: many transactions at once all commit (on SQLite through the
//! store's writer queue rather than SQLite's busy handler), a rolled-back one gives its
//! turn back, and nothing of it is kept.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use doorstep_store::Store;
use doorstep_store::companies::NewCompany;
use doorstep_testkit::{Backend, both_backends, fresh_database};

both_backends! {
    async fn concurrent_writers_all_commit_and_a_dropped_one_gives_its_turn_back(backend: Backend) {
        let db = fresh_database(backend).await;
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let co = tx.create_company(&NewCompany { slug: "acme".into(), name: "Acme".into(), currency: "USD".into(), ..NewCompany::default() }).await.unwrap();
        tx.commit().await.unwrap();

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
