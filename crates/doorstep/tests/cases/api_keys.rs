//! `doorstep_app::api_keys`: keys made and revoked by administrators, each audited;
//! `authenticate` as the only way to an API actor; an API key's writes go through the
//! office's use cases, audited as the key's.

use std::net::{IpAddr, Ipv4Addr};

use doorstep_app::AppError;
use doorstep_app::api_keys::{self, NewKey};
use doorstep_app::customers::accounts::{self, Customer, CustomerFields};
use doorstep_core::ids::StaffUserId;
use doorstep_store::api::IdempotencyClaim;
use doorstep_testkit::{Backend, both_backends};

use crate::world::World;

const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn customer(name: &str, external_ref: &str) -> Customer {
    Customer::parse(&CustomerFields {
        name: name.into(),
        kind: "commercial".into(),
        external_ref: external_ref.into(),
        ..CustomerFields::default()
    })
    .unwrap()
}

both_backends! {
    /// An administrator makes a key: shown once, stored as its hash with its prefix,
    /// audited; it authenticates on its company only; revoked, it is refused at once.
    async fn a_key_is_made_shown_once_works_for_its_company_and_stops_when_revoked(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let made = api_keys::create(&w.app, olivia.admin().unwrap(), NewKey::parse("Accounting sync", "write").unwrap()).await.unwrap();
        assert!(made.secret.starts_with("dsk_live_") && made.secret.len() == 73, "{}", made.secret);
        let keys = w.store.api_keys(w.acme.id).await.unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!((keys[0].name.as_str(), keys[0].scopes.as_str()), ("Accounting sync", "read write"));
        assert_eq!(keys[0].prefix, made.secret[..17]);
        let stored: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT key_hash FROM api_keys WHERE id = $1").bind(made.id).fetch_one(p).await).unwrap();
        assert!(!stored.contains(&made.secret[9..]), "the secret is not stored");
        assert_eq!(w.last_audit(&w.acme).await, ("api_key.created".into(), "office@acme.test".into()));

        let actor = api_keys::authenticate(&w.app, &w.acme, &made.secret, IP).await.unwrap();
        assert!(actor.may_write());
        assert_eq!(actor.company().id, w.acme.id);
        assert!(w.store.api_keys(w.acme.id).await.unwrap()[0].last_used_at.is_some(), "use recorded");
        // Another company's host, a wrong or malformed secret: refused alike.
        let bolt = w.company("bolt").await;
        assert!(matches!(api_keys::authenticate(&w.app, &bolt, &made.secret, IP).await, Err(AppError::NotFound)));
        let wrong = format!("dsk_live_{}", "0".repeat(64));
        assert!(matches!(api_keys::authenticate(&w.app, &w.acme, &wrong, IP).await, Err(AppError::NotFound)));
        assert!(matches!(api_keys::authenticate(&w.app, &w.acme, "Bearer", IP).await, Err(AppError::NotFound)));

        api_keys::revoke(&w.app, olivia.admin().unwrap(), made.id).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await, ("api_key.revoked".into(), "office@acme.test".into()));
        assert!(matches!(api_keys::authenticate(&w.app, &w.acme, &made.secret, IP).await, Err(AppError::NotFound)));
        // Revoked twice, or another company's key: nothing to revoke.
        let before = w.snapshot(&["api_keys"]).await;
        assert!(matches!(api_keys::revoke(&w.app, olivia.admin().unwrap(), made.id).await, Err(AppError::NotFound)));
        let brenda = w.staff("bolt", "office@bolt.test").await;
        let bolt_key = api_keys::create(&w.app, brenda.admin().unwrap(), NewKey::parse("Bolt", "read").unwrap()).await.unwrap();
        let before_bolt = w.snapshot(&["api_keys"]).await;
        assert!(matches!(api_keys::revoke(&w.app, olivia.admin().unwrap(), bolt_key.id).await, Err(AppError::NotFound)));
        assert_eq!(w.snapshot(&["api_keys"]).await, before_bolt);
        assert_ne!(before, before_bolt);
    }

    /// Office staff who are not administrators make and revoke no key; a bad name or
    /// scope is refused field by field; nothing is written.
    async fn only_administrators_make_keys_and_bad_input_is_refused(backend: Backend) {
        let w = World::demo(backend).await;
        let before = w.snapshot(&["api_keys"]).await;
        assert!(matches!(w.oscar().await.admin(), Err(AppError::NotFound)));
        let errors = NewKey::parse("  ", "admin").unwrap_err();
        assert!(errors.get("name").is_some());
        assert!(errors.get("scopes").is_some());
        assert_eq!(w.snapshot(&["api_keys"]).await, before);
    }

    /// A read-only key changes nothing; a write key creates and upserts customers through
    /// the office's use cases, audited as the API key; a key whose maker is deactivated
    /// stops working.
    async fn a_key_writes_through_the_office_use_cases_only_with_the_write_scope(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let reader = api_keys::create(&w.app, olivia.admin().unwrap(), NewKey::parse("Reports", "read").unwrap()).await.unwrap();
        let reader = api_keys::authenticate(&w.app, &w.acme, &reader.secret, IP).await.unwrap();
        assert_eq!(reader.writer().unwrap_err().conflict_reason(), Some("read_only_key"));

        let writer = api_keys::create(&w.app, olivia.admin().unwrap(), NewKey::parse("Sync", "write").unwrap()).await.unwrap();
        let actor = api_keys::authenticate(&w.app, &w.acme, &writer.secret, IP).await.unwrap();
        let office = actor.writer().unwrap();
        assert!(office.admin().is_err(), "an API key never has an administrator's rights");
        let (made, created) = accounts::upsert_by_external_ref(&w.app, office, customer("Pine Labs", "ERP-77")).await.unwrap();
        assert!(created);
        let (label, kind): (String, String) = doorstep_store::on_pool!(w.store, p => sqlx::query_as(
            "SELECT actor_label, actor_kind FROM audit_events WHERE company_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(w.acme.id.0).fetch_one(p).await).unwrap();
        assert_eq!(kind, "api");
        assert!(label.contains("Sync") && label.contains("office@acme.test"), "{label}");
        let (again, created) = accounts::upsert_by_external_ref(&w.app, office, customer("Pine Labs Inc.", "ERP-77")).await.unwrap();
        assert!(!created);
        assert_eq!(again, made);
        assert_eq!(w.store.api_customer(w.acme.id, made.id).await.unwrap().unwrap().name, "Pine Labs Inc.");
        // No external reference: nothing to upsert by.
        let before = w.snapshot(&["customers"]).await;
        let e = accounts::upsert_by_external_ref(&w.app, office, customer("Nameless", "")).await.unwrap_err();
        assert_eq!(e.invalid().unwrap().field, "external_ref");
        assert_eq!(w.snapshot(&["customers"]).await, before);

        // The maker deactivated: the key stops.
        let maker: i64 = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT created_by_staff_id FROM api_keys WHERE id = $1").bind(writer.id).fetch_one(p).await).unwrap();
        assert_eq!(StaffUserId(maker), olivia.id());
        doorstep_store::on_pool!(w.store, p => sqlx::query("UPDATE staff_users SET deactivated_at = created_at WHERE id = $1")
            .bind(maker).execute(p).await.map(|_| ())).unwrap();
        assert!(matches!(api_keys::authenticate(&w.app, &w.acme, &writer.secret, IP).await, Err(AppError::NotFound)));
    }

    /// An Idempotency-Key is held for its first request, keeps its answer, and tells a
    /// different request apart; it is the company's own.
    async fn idempotency_keys_keep_the_first_answer(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let key = api_keys::create(&w.app, olivia.admin().unwrap(), NewKey::parse("Sync", "write").unwrap()).await.unwrap();
        let actor = api_keys::authenticate(&w.app, &w.acme, &key.secret, IP).await.unwrap();
        assert_eq!(api_keys::claim(&w.app, &actor, "k-1", "h1").await.unwrap(), IdempotencyClaim::New);
        assert_eq!(api_keys::claim(&w.app, &actor, "k-1", "h1").await.unwrap(),
            IdempotencyClaim::Seen { request_hash: "h1".into(), response: None });
        api_keys::keep(&w.app, &actor, "k-1", 201, "{\"id\":1}").await.unwrap();
        assert_eq!(api_keys::claim(&w.app, &actor, "k-1", "h2").await.unwrap(),
            IdempotencyClaim::Seen { request_hash: "h1".into(), response: Some((201, "{\"id\":1}".into())) });
        // A failed request lets its key go; a kept answer stays.
        assert_eq!(api_keys::claim(&w.app, &actor, "k-2", "h").await.unwrap(), IdempotencyClaim::New);
        api_keys::release(&w.app, &actor, "k-2").await.unwrap();
        assert_eq!(api_keys::claim(&w.app, &actor, "k-2", "h").await.unwrap(), IdempotencyClaim::New);
        api_keys::release(&w.app, &actor, "k-1").await.unwrap();
        assert!(matches!(api_keys::claim(&w.app, &actor, "k-1", "h1").await.unwrap(), IdempotencyClaim::Seen { response: Some(_), .. }));
        // Bolt's k-1 is Bolt's.
        let brenda = w.staff("bolt", "office@bolt.test").await;
        let bolt = api_keys::create(&w.app, brenda.admin().unwrap(), NewKey::parse("Bolt", "write").unwrap()).await.unwrap();
        let bolt = api_keys::authenticate(&w.app, &w.company("bolt").await, &bolt.secret, IP).await.unwrap();
        assert_eq!(api_keys::claim(&w.app, &bolt, "k-1", "h1").await.unwrap(), IdempotencyClaim::New);
    }
}
