//! People's storage rules on both engines: site contacts stay inside their account, and
//! second-factor codes work once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use doorstep_core::status::ContactRole;
use doorstep_store::companies::NewCompany;
use doorstep_store::contacts::NewContact;
use doorstep_store::customers::{NewCustomer, NewSite};
use doorstep_store::sessions::SessionOwner;
use doorstep_store::{Store, StoreError};
use doorstep_testkit::{Backend, both_backends, fresh_database};

async fn store_for(backend: Backend) -> (doorstep_testkit::TestDb, Store) {
    let db = fresh_database(backend).await;
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    (db, store)
}

both_backends! {
    async fn a_contact_can_only_be_tied_to_sites_of_its_own_account(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let mut tx = store.begin().await.unwrap();
        let co = tx.create_company(&NewCompany { slug: "acme".into(), name: "Acme".into(), currency: "USD".into(), ..NewCompany::default() }).await.unwrap();
        let mine = tx.insert_customer(co, &NewCustomer { number: "C-1".into(), name: "Mine".into(), ..NewCustomer::default() }).await.unwrap();
        let theirs = tx.insert_customer(co, &NewCustomer { number: "C-2".into(), name: "Theirs".into(), ..NewCustomer::default() }).await.unwrap();
        let my_site = tx.insert_site(co, &NewSite { customer: Some(mine), name: "Home".into(), ..NewSite::default() }).await.unwrap();
        let their_site = tx.insert_site(co, &NewSite { customer: Some(theirs), name: "Depot".into(), ..NewSite::default() }).await.unwrap();
        let sam = tx.insert_contact(co, &NewContact {
            customer: mine, login: None, first_name: "Sam".into(), last_name: "S".into(), email: None,
            phone: String::new(), role: ContactRole::Site, is_primary: false, is_billing: false, portal_enabled: false,
        }).await.unwrap();
        tx.add_contact_site(co, sam, my_site).await.unwrap();
        let refused = tx.add_contact_site(co, sam, their_site).await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
        tx.commit().await.unwrap();
        assert_eq!(store.sites_of_contact(co, sam).await.unwrap(), vec![my_site]);
    }

    async fn a_totp_step_and_a_recovery_code_are_each_accepted_once(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let mut tx = store.begin().await.unwrap();
        let co = tx.create_company(&NewCompany { slug: "acme".into(), name: "Acme".into(), currency: "USD".into(), ..NewCompany::default() }).await.unwrap();
        let login = tx.insert_login(co, "dana@example.test", None).await.unwrap();
        let me = SessionOwner::Login(login);
        assert!(tx.begin_two_factor_setup(co, me, "SECRET").await.unwrap());
        tx.enable_two_factor(co, me, &["h1".into(), "h2".into()]).await.unwrap();
        assert!(!tx.begin_two_factor_setup(co, me, "OTHER").await.unwrap(), "an enabled secret is not swapped");
        assert!(tx.accept_totp_step(co, me, 100).await.unwrap());
        assert!(!tx.accept_totp_step(co, me, 100).await.unwrap(), "the same step twice");
        assert!(!tx.accept_totp_step(co, me, 99).await.unwrap(), "an older step");
        assert!(tx.accept_totp_step(co, me, 101).await.unwrap());
        assert!(tx.use_recovery_code(co, me, "h1").await.unwrap());
        assert!(!tx.use_recovery_code(co, me, "h1").await.unwrap());
        assert!(!tx.use_recovery_code(co, me, "nope").await.unwrap());
        tx.commit().await.unwrap();
        let tf = store.two_factor(co, me).await.unwrap();
        assert_eq!((tf.enabled, tf.secret.as_deref(), tf.recovery_codes_left), (true, Some("SECRET"), 1));
        let mut tx = store.begin().await.unwrap();
        tx.disable_two_factor(co, me).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.two_factor(co, me).await.unwrap(), Default::default());
    }
}
