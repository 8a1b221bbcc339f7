//! Lifetimes: idle and absolute session expiry, expired invitation links, and sign-in
//! answers that take the same time whether or not the email has a login.

use std::time::{Duration, Instant};

use doorstep_core::status::ContactRole;
use doorstep_store::contacts::NewContact;
use doorstep_testkit::{Backend, both_backends};

use crate::helpers::{TestApp, seed_people, sign_in};

/// Whether `client`'s session still opens the account page.
async fn signed_in(app: &TestApp, client: &reqwest::Client) -> bool {
    let res = client
        .get(app.url("acme", "/accounts"))
        .send()
        .await
        .unwrap();
    res.status() == 200
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

both_backends! {
    async fn an_unused_session_ends_after_the_idle_timeout(backend: Backend) {
        let app = TestApp::spawn_with(backend, |s| s.session_idle = time::Duration::seconds(2)).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        sign_in(&app, &client, "acme", "sam@example.test").await;
        assert!(signed_in(&app, &client).await);
        tokio::time::sleep(Duration::from_millis(3100)).await;
        assert!(!signed_in(&app, &client).await, "idle too long: signed out");
    }

    async fn a_busy_session_still_ends_at_its_absolute_lifetime(backend: Backend) {
        let app = TestApp::spawn_with(backend, |s| s.session_lifetime = time::Duration::seconds(2)).await;
        seed_people(&app).await;
        let client = app.client(&["acme"]);
        sign_in(&app, &client, "acme", "sam@example.test").await;
        for _ in 0..3 {
            assert!(signed_in(&app, &client).await);
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
        tokio::time::sleep(Duration::from_millis(2000)).await;
        assert!(!signed_in(&app, &client).await, "past its lifetime: signed out however active");
    }

    async fn an_expired_invitation_link_is_refused(backend: Backend) {
        let app = TestApp::spawn_with(backend, |s| s.invite_ttl = time::Duration::ZERO).await;
        let people = seed_people(&app).await;
        let mut tx = app.store.begin().await.unwrap();
        let contact = tx.insert_contact(people.acme, &NewContact {
            customer: people.household, login: None, first_name: "Ivy".into(), last_name: "I".into(),
            email: Some("ivy@example.test".into()), phone: String::new(), role: ContactRole::Company,
            is_primary: false, is_billing: false, portal_enabled: false,
        }).await.unwrap();
        tx.commit().await.unwrap();
        let office = app.client(&["acme"]);
        app.submit(&office, "acme", "/office", "/office/sign-in", &[("email", "office@acme.test"), ("password", crate::helpers::PASSWORD)]).await;
        let res = app.submit(&office, "acme", "/office/customers", &format!("/office/contacts/{}/access", contact.0), &[("action", "enable")]).await;
        assert_eq!(res.status(), 303);
        let outbox = app.store.outbox_page(people.acme, None, 10).await.unwrap();
        let link = outbox[0].body_text.split_whitespace().find(|w| w.contains("/invite/")).unwrap().to_owned();
        let res = app.client(&["acme"]).get(&link).send().await.unwrap();
        assert_eq!(res.status(), 410);
        assert!(res.text().await.unwrap().contains("Ask for a new one"));
    }

    async fn a_wrong_password_and_an_unknown_email_take_similar_time(backend: Backend) {
        // Real (production-cost) password hashing, so the time is the hash's, as in production.
        let app = TestApp::spawn_with(backend, |s| s.insecure_fast_password_hashing = false).await;
        let people = seed_people(&app).await;
        // The fixture's hashes are cheap; give Sam a production-cost one like every real login.
        let hash = doorstep_web::auth::password::hash_password(crate::helpers::PASSWORD, doorstep_web::PasswordCost::Standard).unwrap();
        let mut tx = app.store.begin().await.unwrap();
        tx.set_login_password(people.acme, people.sam, Some(&hash)).await.unwrap();
        tx.commit().await.unwrap();
        let client = app.client(&["acme"]);
        let attempt = |email: String| {
            let (app, client) = (&app, &client);
            async move {
                let started = Instant::now();
                let res = app.submit(client, "acme", "/sign-in", "/sign-in", &[("email", &email), ("password", "not the password at all")]).await;
                assert_eq!(res.status(), 422);
                started.elapsed()
            }
        };
        let (mut known, mut unknown) = (Vec::new(), Vec::new());
        // Four each: below the per-login throttle, which would answer without hashing.
        for i in 0..4 {
            known.push(attempt("sam@example.test".into()).await);
            unknown.push(attempt(format!("nobody{i}@example.test")).await);
        }
        let (k, u) = (median(known), median(unknown));
        let ratio = k.as_secs_f64() / u.as_secs_f64();
        // Wide bounds: shared CI cores are noisy; a missing decoy hash shows as ~10x.
        assert!((0.33..3.0).contains(&ratio), "known {k:?} vs unknown {u:?}");
    }
}
