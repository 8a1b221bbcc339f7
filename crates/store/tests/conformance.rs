//! The storage conformance suite: every test runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use doorstep_core::ids::CompanyId;
use doorstep_core::status::StaffRole;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::companies::NewCompany;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};
use doorstep_store::{Store, StoreError};
use doorstep_testkit::{Backend, both_backends, fresh_database};
use time::{Duration, OffsetDateTime, UtcOffset};

async fn store_for(backend: Backend) -> (doorstep_testkit::TestDb, Store) {
    let db = fresh_database(backend).await;
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    (db, store)
}

fn company(slug: &str) -> NewCompany {
    NewCompany {
        slug: slug.into(),
        name: format!("{slug} Services"),
        currency: "USD".into(),
        brand_primary: "#0b5cad".into(),
        brand_accent: "#f5a623".into(),
        ..NewCompany::default()
    }
}

async fn create_company(store: &Store, slug: &str) -> CompanyId {
    let mut tx = store.begin().await.unwrap();
    let id = tx.create_company(&company(slug)).await.unwrap();
    tx.commit().await.unwrap();
    id
}

both_backends! {
    async fn migrations_apply_to_a_fresh_database_and_a_rerun_changes_nothing(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let first = store.applied_migrations().await.unwrap();
        assert_eq!(first.len(), store.known_migrations());
        assert!(first.len() >= 3);
        store.migrate().await.unwrap();
        store.migrate().await.unwrap();
        assert_eq!(store.applied_migrations().await.unwrap(), first);
    }

    async fn a_database_from_an_older_version_upgrades_in_place_keeping_its_data(backend: Backend) {
        let db = fresh_database(backend).await;
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate_first(1).await.unwrap();
        assert_eq!(store.applied_migrations().await.unwrap().len(), 1);
        let acme = create_company(&store, "acme").await;
        store.close().await;

        // A newer binary opens the same database.
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        assert_eq!(store.applied_migrations().await.unwrap().len(), store.known_migrations());
        let found = store.company_by_slug("acme").await.unwrap().expect("company kept");
        assert_eq!(found.id, acme);
        // Tables of the later migrations exist and are usable.
        let counts = store.company_row_counts(acme).await.unwrap();
        assert!(counts.iter().any(|(t, n)| *t == "audit_events" && *n == 0));
    }

    async fn company_slugs_are_unique_and_custom_domains_find_their_company(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let acme = create_company(&store, "acme").await;
        let mut tx = store.begin().await.unwrap();
        let dup = tx.create_company(&company("acme")).await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
        drop(tx);

        let mut tx = store.begin().await.unwrap();
        tx.add_company_domain(acme, "Portal.AcmePlumbing.com").await.unwrap();
        tx.commit().await.unwrap();
        let by_domain = store.company_by_domain("portal.acmeplumbing.com").await.unwrap();
        assert_eq!(by_domain.map(|c| c.id), Some(acme));
        assert!(store.company_by_domain("other.example.com").await.unwrap().is_none());
        assert!(store.company_by_slug("bolt").await.unwrap().is_none());

        let bolt = create_company(&store, "bolt").await;
        let mut tx = store.begin().await.unwrap();
        let taken = tx.add_company_domain(bolt, "portal.acmeplumbing.com").await;
        assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    }

    async fn a_transaction_dropped_without_commit_writes_nothing(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        {
            let mut tx = store.begin().await.unwrap();
            tx.create_company(&company("acme")).await.unwrap();
        }
        assert!(store.company_by_slug("acme").await.unwrap().is_none());
    }

    async fn timestamps_in_any_offset_sort_in_time_order(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let acme = create_company(&store, "acme").await;
        let base = OffsetDateTime::now_utc();
        let plus_five = UtcOffset::from_hms(5, 0, 0).unwrap();
        // Inserted out of order, in mixed offsets and with sub-second parts.
        let events = [
            ("second", (base + Duration::milliseconds(1_500)).to_offset(plus_five)),
            ("first", base - Duration::milliseconds(250)),
            ("third", base + Duration::seconds(3_600)),
            ("zeroth", (base - Duration::days(1)).to_offset(plus_five)),
        ];
        let mut tx = store.begin().await.unwrap();
        for (action, at) in events {
            tx.audit(acme, &NewAuditEvent {
                actor_kind: "system",
                actor_id: None,
                actor_label: String::new(),
                action,
                subject_kind: "",
                subject_id: None,
                ip: String::new(),
                detail: "{}".into(),
                at,
            }).await.unwrap();
        }
        tx.commit().await.unwrap();
        let newest_first = store.recent_audit_actions(acme, 10).await.unwrap();
        assert_eq!(newest_first, ["third", "second", "first", "zeroth"]);
    }

    async fn tokens_work_once_for_their_purpose_company_and_lifetime(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let acme = create_company(&store, "acme").await;
        let bolt = create_company(&store, "bolt").await;
        let mut tx = store.begin().await.unwrap();
        let admin = tx.create_staff(acme, "a@acme.test", "A", StaffRole::Admin, None).await.unwrap();
        let later = doorstep_store::now() + Duration::hours(1);
        let past = doorstep_store::now() - Duration::seconds(5);
        // Issued in this order because a newer token of a purpose revokes the older ones.
        tx.create_token(acme, "stale", TokenPurpose::StaffSetup, TokenOwner::Staff(admin), past).await.unwrap();
        tx.create_token(acme, "live", TokenPurpose::StaffSetup, TokenOwner::Staff(admin), later).await.unwrap();
        tx.commit().await.unwrap();

        let peek = store.peek_token(acme, "live", TokenPurpose::StaffSetup).await.unwrap();
        assert_eq!(peek, Some(TokenOwner::Staff(admin)));
        assert_eq!(store.peek_token(bolt, "live", TokenPurpose::StaffSetup).await.unwrap(), None);
        assert_eq!(store.peek_token(acme, "live", TokenPurpose::Reset).await.unwrap(), None);
        assert_eq!(store.peek_token(acme, "stale", TokenPurpose::StaffSetup).await.unwrap(), None);

        let mut tx = store.begin().await.unwrap();
        assert_eq!(tx.consume_token(bolt, "live", TokenPurpose::StaffSetup).await.unwrap(), None);
        assert_eq!(
            tx.consume_token(acme, "live", TokenPurpose::StaffSetup).await.unwrap(),
            Some(TokenOwner::Staff(admin))
        );
        assert_eq!(tx.consume_token(acme, "live", TokenPurpose::StaffSetup).await.unwrap(), None);
        assert_eq!(tx.consume_token(acme, "stale", TokenPurpose::StaffSetup).await.unwrap(), None);
        tx.commit().await.unwrap();
    }

    async fn a_login_link_is_revoked_by_a_newer_one_of_its_kind_any_use_and_a_password_change(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let acme = create_company(&store, "acme").await;
        let later = doorstep_store::now() + Duration::hours(1);
        let mut tx = store.begin().await.unwrap();
        let login = tx.insert_login(acme, "l@acme.test", None).await.unwrap();
        let other = tx.insert_login(acme, "o@acme.test", None).await.unwrap();
        let owner = TokenOwner::Login(login);
        tx.create_token(acme, "reset-1", TokenPurpose::Reset, owner, later).await.unwrap();
        tx.create_token(acme, "reset-2", TokenPurpose::Reset, owner, later).await.unwrap();
        tx.create_token(acme, "link", TokenPurpose::SignInLink, owner, later).await.unwrap();
        tx.create_token(acme, "invite", TokenPurpose::Invite, owner, later).await.unwrap();
        tx.create_token(acme, "theirs", TokenPurpose::Reset, TokenOwner::Login(other), later).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.peek_token(acme, "reset-1", TokenPurpose::Reset).await.unwrap(), None, "replaced");
        assert_eq!(store.peek_token(acme, "reset-2", TokenPurpose::Reset).await.unwrap(), Some(owner));
        assert_eq!(store.peek_token(acme, "invite", TokenPurpose::Invite).await.unwrap(), Some(owner), "another kind stays");

        let mut tx = store.begin().await.unwrap();
        assert_eq!(tx.consume_token(acme, "link", TokenPurpose::SignInLink).await.unwrap(), Some(owner));
        tx.commit().await.unwrap();
        for (hash, purpose) in [("reset-2", TokenPurpose::Reset), ("invite", TokenPurpose::Invite)] {
            assert_eq!(store.peek_token(acme, hash, purpose).await.unwrap(), None, "{hash} revoked by the use");
        }
        assert!(store.peek_token(acme, "theirs", TokenPurpose::Reset).await.unwrap().is_some(), "another login's link stays");

        let mut tx = store.begin().await.unwrap();
        tx.create_token(acme, "reset-3", TokenPurpose::Reset, owner, later).await.unwrap();
        tx.set_login_password(acme, login, Some("$argon2id$x")).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.peek_token(acme, "reset-3", TokenPurpose::Reset).await.unwrap(), None, "revoked by the password change");
    }

    async fn staff_emails_are_unique_per_company_only(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let acme = create_company(&store, "acme").await;
        let bolt = create_company(&store, "bolt").await;
        let mut tx = store.begin().await.unwrap();
        tx.create_staff(acme, "pat@example.test", "Pat", StaffRole::Admin, None).await.unwrap();
        tx.create_staff(bolt, "pat@example.test", "Pat", StaffRole::Office, None).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let dup = tx.create_staff(acme, "pat@example.test", "Pat 2", StaffRole::Office, None).await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
        drop(tx);
        let at_acme = store.staff_by_email(acme, "pat@example.test").await.unwrap().unwrap();
        let at_bolt = store.staff_by_email(bolt, "pat@example.test").await.unwrap().unwrap();
        assert_ne!(at_acme.id, at_bolt.id);
        assert_eq!(at_acme.role, StaffRole::Admin);
        assert_eq!(at_bolt.role, StaffRole::Office);
        assert!(!at_acme.has_password);
    }

    async fn deleting_a_company_removes_everything_it_owns_and_nothing_else(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        let acme = create_company(&store, "acme").await;
        let bolt = create_company(&store, "bolt").await;
        for company in [acme, bolt] {
            let mut tx = store.begin().await.unwrap();
            tx.create_staff(company, "o@x.test", "O", StaffRole::Admin, None).await.unwrap();
            tx.commit().await.unwrap();
        }
        let before = store.company_row_counts(bolt).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        assert_eq!(tx.delete_company("acme").await.unwrap(), Some(acme));
        assert_eq!(tx.delete_company("acme").await.unwrap(), None);
        tx.commit().await.unwrap();
        let gone = store.company_row_counts(acme).await.unwrap();
        assert!(gone.iter().all(|(_, n)| *n == 0), "{gone:?}");
        assert_eq!(store.company_row_counts(bolt).await.unwrap(), before);
    }

    async fn backup_copies_a_sqlite_database_and_explains_itself_on_postgres(backend: Backend) {
        let (_db, store) = store_for(backend).await;
        create_company(&store, "acme").await;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("copy.db");
        let target = target.to_str().unwrap();
        match backend {
            Backend::Sqlite => {
                store.backup_to(target).await.unwrap();
                let copy = Store::connect(&format!("sqlite://{target}")).await.unwrap();
                assert!(copy.company_by_slug("acme").await.unwrap().is_some());
                assert!(matches!(store.backup_to(target).await, Err(StoreError::Conflict(_))));
            }
            Backend::Postgres => {
                let err = store.backup_to(target).await.unwrap_err();
                assert!(err.to_string().contains("pg_dump"), "{err}");
            }
        }
    }
}
