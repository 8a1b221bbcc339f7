//! Companies looked up by host are cached, and a committed change is seen at once while a
//! rolled-back one never is.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use doorstep_store::Store;
use doorstep_store::companies::NewCompany;
use doorstep_testkit::{Backend, both_backends, fresh_database};

both_backends! {
    async fn a_committed_settings_change_is_seen_at_once_and_a_rolled_back_one_never(backend: Backend) {
        let db = fresh_database(backend).await;
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let co = tx.create_company(&NewCompany { slug: "acme".into(), name: "Acme".into(), currency: "USD".into(), ..NewCompany::default() }).await.unwrap();
        tx.add_company_domain(co, "portal.acme.test").await.unwrap();
        tx.commit().await.unwrap();

        let cached = store.company_for_slug("acme").await.unwrap().unwrap();
        assert!(cached.settings.allow_support_requests);
        assert_eq!(store.company_for_domain("PORTAL.acme.test").await.unwrap().unwrap().id, co);
        assert!(store.company_for_slug("nobody").await.unwrap().is_none());

        let mut settings = cached.settings.clone();
        settings.allow_support_requests = false;
        let mut tx = store.begin().await.unwrap();
        tx.set_company_settings(co, &settings).await.unwrap();
        drop(tx);
        assert!(store.company_for_slug("acme").await.unwrap().unwrap().settings.allow_support_requests);

        let mut tx = store.begin().await.unwrap();
        tx.set_company_settings(co, &settings).await.unwrap();
        tx.commit().await.unwrap();
        assert!(!store.company_for_slug("acme").await.unwrap().unwrap().settings.allow_support_requests);
        assert!(!store.company_for_domain("portal.acme.test").await.unwrap().unwrap().settings.allow_support_requests);

        let mut tx = store.begin().await.unwrap();
        tx.delete_company("acme").await.unwrap();
        tx.commit().await.unwrap();
        assert!(store.company_for_slug("acme").await.unwrap().is_none());
    }
}
