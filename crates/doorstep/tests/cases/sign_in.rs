//! `doorstep_app::sign_in`: passwords (with the throttle, the decoy and locked logins),
//! emailed sign-in links, sessions, signing out and choosing an account.

use doorstep_app::AppError;
use doorstep_app::crypto::token::hash_token;
use doorstep_app::sessions::{NotSignedIn, PortalLogin};
use doorstep_app::sign_in::password::{self, Credentials, Outcome, Refusal};
use doorstep_app::sign_in::{Audience, Client, links, session};
use doorstep_core::ids::{CustomerId, LoginId};
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;
use doorstep_testkit::{Backend, both_backends};

use crate::world::{IP, World};

/// The demo's password.
const PASSWORD: &str = "doorstep-demo";

/// What signing in may write, besides the audit log and the outbox.
const TABLES: &[&str] = &["sessions", "sign_in_throttle", "auth_tokens"];

/// One audit record as written: action, actor (kind, id, label), subject (kind, id), ip.
type AuditRow = (
    String,
    String,
    Option<i64>,
    String,
    String,
    Option<i64>,
    String,
);

fn client() -> Client {
    Client::at(IP)
}

/// `before` with the counts of `tables` raised by the numbers given.
fn plus(before: &[(String, i64)], added: &[(&str, i64)]) -> Vec<(String, i64)> {
    before
        .iter()
        .map(|(t, n)| {
            let more: i64 = added.iter().filter(|(a, _)| a == t).map(|(_, k)| k).sum();
            (t.clone(), n + more)
        })
        .collect()
}

async fn attempt(
    w: &World,
    company: &Company,
    audience: Audience,
    email: &str,
    password: &str,
) -> Outcome {
    let credentials = Credentials::parse(email, password).unwrap();
    password::sign_in(&w.app, company, audience, credentials, &client())
        .await
        .unwrap()
}

fn token_of(outcome: Outcome) -> String {
    match outcome {
        Outcome::SignedIn { token } => token,
        other => panic!("not signed in: {other:?}"),
    }
}

/// The portal login whose session `token` is, or why it is not signed in.
async fn portal(w: &World, company: &Company, token: &str) -> Result<PortalLogin, NotSignedIn> {
    w.app
        .portal_login(
            company.clone(),
            &hash_token(token),
            time::Duration::hours(1),
        )
        .await
        .unwrap()
}

/// The newest audit record of `company`.
async fn last_audit(w: &World, company: &Company) -> AuditRow {
    doorstep_store::on_pool!(w.store, p => sqlx::query_as(
        "SELECT action, actor_kind, actor_id, actor_label, subject_kind, subject_id, ip \
         FROM audit_events WHERE company_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(company.id.0).fetch_one(p).await)
    .unwrap()
}

/// How many audit records `company` has.
async fn audits(w: &World, company: &Company) -> i64 {
    doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE company_id = $1")
        .bind(company.id.0).fetch_one(p).await)
    .unwrap()
}

/// The throttle counters of `company`: key and failures.
async fn throttle(w: &World, company: &Company) -> Vec<(String, i64)> {
    doorstep_store::on_pool!(w.store, p => sqlx::query_as(
        "SELECT throttle_key, failures FROM sign_in_throttle WHERE company_id = $1 ORDER BY throttle_key")
        .bind(company.id.0).fetch_all(p).await)
    .unwrap()
}

fn counters(rows: &[(&str, i64)]) -> Vec<(String, i64)> {
    rows.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
}

fn audit(action: &str, actor: (&str, Option<i64>, &str), subject: (&str, Option<i64>)) -> AuditRow {
    (
        action.into(),
        actor.0.into(),
        actor.1,
        actor.2.into(),
        subject.0.into(),
        subject.1,
        IP.to_string(),
    )
}

/// The token of the newest sign-in link emailed at `company`.
async fn emailed_link(w: &World, company: &Company) -> String {
    let body: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
        "SELECT body_text FROM email_outbox WHERE company_id = $1 AND kind = 'sign_in_link' \
         ORDER BY id DESC LIMIT 1")
        .bind(company.id.0).fetch_one(p).await)
    .unwrap();
    let at = body.find("/sign-in/link/").expect("a link in the email") + "/sign-in/link/".len();
    body[at..at + 64].to_owned()
}

async fn lock(w: &World, company: &Company, login: LoginId) {
    let mut tx = w.store.begin().await.unwrap();
    tx.set_login_locked(company.id, login, true, "cases")
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

both_backends! {
    /// The right password opens a session (ending the one the browser had), audits it
    /// and gives back the attempt it counted: the login's counter goes, the address's
    /// returns to where it was. Staff sign in at the office the same way.
    async fn a_right_password_opens_a_session_and_is_audited(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.login_of(&w.acme, "dana@example.test").await;
        let before = w.snapshot(TABLES).await;
        let first = token_of(attempt(&w, &w.acme, Audience::Portal, " Dana@Example.TEST ", PASSWORD).await);
        assert_eq!(w.snapshot(TABLES).await, plus(&before, &[("audit_events", 1), ("sessions", 1), ("sign_in_throttle", 1)]));
        assert_eq!(throttle(&w, &w.acme).await, counters(&[("ip:192.0.2.7", 0)]));
        assert_eq!(
            last_audit(&w, &w.acme).await,
            audit("sign_in.succeeded", ("contact", Some(dana.0), ""), ("login", Some(dana.0)))
        );
        let signed_in = portal(&w, &w.acme, &first).await.ok().unwrap();
        assert_eq!(signed_in.login, dana);

        // Signing in again from that browser ends its session and opens a new one.
        let again = Client { session_token: Some(first.clone()), ..client() };
        let credentials = Credentials::parse("dana@example.test", PASSWORD).unwrap();
        let second = token_of(password::sign_in(&w.app, &w.acme, Audience::Portal, credentials, &again).await.unwrap());
        assert_ne!(first, second);
        assert!(matches!(portal(&w, &w.acme, &first).await, Err(NotSignedIn::SignIn)));
        assert!(portal(&w, &w.acme, &second).await.is_ok());

        let office = token_of(attempt(&w, &w.acme, Audience::Office, "office@acme.test", PASSWORD).await);
        let staff = w.app.signed_in_staff(w.acme.clone(), &hash_token(&office), time::Duration::hours(1), false, IP)
            .await.unwrap().ok().unwrap();
        assert_eq!(staff.staff.email, "office@acme.test");
        assert_eq!(last_audit(&w, &w.acme).await.0, "sign_in.succeeded");
    }

    /// A login that uses a second factor gets a session that waits for the code.
    async fn a_login_with_a_second_factor_gets_a_waiting_session(backend: Backend) {
        let w = World::demo(backend).await;
        let sam = SessionOwner::Login(w.login_of(&w.acme, "sam@example.test").await);
        let mut tx = w.store.begin().await.unwrap();
        assert!(tx.begin_two_factor_setup(w.acme.id, sam, "secret").await.unwrap());
        tx.enable_two_factor(w.acme.id, sam, &[]).await.unwrap();
        tx.commit().await.unwrap();
        let token = match attempt(&w, &w.acme, Audience::Portal, "sam@example.test", PASSWORD).await {
            Outcome::SecondFactorOwed { token } => token,
            other => panic!("{other:?}"),
        };
        assert_eq!(last_audit(&w, &w.acme).await.0, "sign_in.second_factor_required");
        assert!(matches!(portal(&w, &w.acme, &token).await, Err(NotSignedIn::SecondFactorOwed)));
    }

    /// A wrong password, an unknown email, a login of another company and a contact at
    /// the office's door are all refused alike, writing only what they must: one count
    /// against the email and one against the address, and one audit record.
    async fn wrong_credentials_are_refused_with_only_a_count_and_an_audit_record(backend: Backend) {
        let w = World::demo(backend).await;
        let bolt = w.company("bolt").await;
        let dana = w.login_of(&w.acme, "dana@example.test").await;
        let refused = Outcome::Refused(Refusal::NoMatch);
        let one_more = [("audit_events", 1), ("sign_in_throttle", 1)];

        let before = w.snapshot(TABLES).await;
        assert_eq!(attempt(&w, &w.acme, Audience::Portal, "dana@example.test", "not her password").await, refused);
        assert_eq!(w.snapshot(TABLES).await, plus(&before, &[("audit_events", 1), ("sign_in_throttle", 2)]));
        assert_eq!(throttle(&w, &w.acme).await, counters(&[("ip:192.0.2.7", 1), ("login:dana@example.test", 1)]));
        assert_eq!(
            last_audit(&w, &w.acme).await,
            audit("sign_in.failed", ("system", None, "dana@example.test"), ("login", Some(dana.0)))
        );

        let before = w.snapshot(TABLES).await;
        assert_eq!(attempt(&w, &w.acme, Audience::Portal, "nobody@example.test", PASSWORD).await, refused);
        assert_eq!(w.snapshot(TABLES).await, plus(&before, &one_more));
        assert_eq!(
            last_audit(&w, &w.acme).await,
            audit("sign_in.failed", ("system", None, "nobody@example.test"), ("company", Some(w.acme.id.0)))
        );

        // Bolt's administrator at Acme's office, and Acme's site contact at Bolt's portal:
        // counted and audited where they knocked, nowhere else.
        let bolt_before = (throttle(&w, &bolt).await, audits(&w, &bolt).await);
        let before = w.snapshot(TABLES).await;
        assert_eq!(attempt(&w, &w.acme, Audience::Office, "office@bolt.test", PASSWORD).await, refused);
        assert_eq!(w.snapshot(TABLES).await, plus(&before, &one_more));
        assert_eq!(last_audit(&w, &w.acme).await.0, "sign_in.failed");
        assert_eq!((throttle(&w, &bolt).await, audits(&w, &bolt).await), bolt_before);
        let acme_before = throttle(&w, &w.acme).await;
        assert_eq!(attempt(&w, &bolt, Audience::Portal, "sam@example.test", PASSWORD).await, refused);
        assert_eq!(throttle(&w, &bolt).await, counters(&[("ip:192.0.2.7", 1), ("login:sam@example.test", 1)]));
        assert_eq!(throttle(&w, &w.acme).await, acme_before);

        // A contact's right password opens nothing at the office.
        let before = w.snapshot(TABLES).await;
        assert_eq!(attempt(&w, &w.acme, Audience::Office, "dana@example.test", PASSWORD).await, refused);
        assert_eq!(w.snapshot(TABLES).await, plus(&before, &one_more));
    }

    /// A locked login is answered as a wrong password whatever the password; the right
    /// one also queues, once a day, the email saying whom to call. No session either way.
    async fn a_locked_login_is_refused_like_a_wrong_password_and_told_once_whom_to_call(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.login_of(&w.acme, "dana@example.test").await;
        lock(&w, &w.acme, dana).await;
        let refused = Outcome::Refused(Refusal::NoMatch);

        let before = w.snapshot(TABLES).await;
        assert_eq!(attempt(&w, &w.acme, Audience::Portal, "dana@example.test", "not her password").await, refused);
        assert_eq!(w.snapshot(TABLES).await, plus(&before, &[("audit_events", 1), ("sign_in_throttle", 2)]));
        assert_eq!(last_audit(&w, &w.acme).await.0, "sign_in.failed");

        let before = w.snapshot(TABLES).await;
        assert_eq!(attempt(&w, &w.acme, Audience::Portal, "dana@example.test", PASSWORD).await, refused);
        assert_eq!(w.snapshot(TABLES).await, plus(&before, &[("audit_events", 1), ("email_outbox", 1)]));
        assert_eq!(
            last_audit(&w, &w.acme).await,
            audit("sign_in.refused_locked", ("system", Some(dana.0), "dana@example.test"), ("login", Some(dana.0)))
        );
        assert_eq!(w.emails(&w.acme).await.last().unwrap(), &("access_locked".to_owned(), "dana@example.test".to_owned()));
        // The attempt stays counted as a failure.
        assert_eq!(throttle(&w, &w.acme).await, counters(&[("ip:192.0.2.7", 2), ("login:dana@example.test", 2)]));

        let before = w.snapshot(TABLES).await;
        assert_eq!(attempt(&w, &w.acme, Audience::Portal, "dana@example.test", PASSWORD).await, refused);
        assert_eq!(w.snapshot(TABLES).await, plus(&before, &[("audit_events", 1)]), "told once a day");
    }

    /// A blocked login is refused before any check, counting nothing more; only the
    /// refusal is audited. An empty form is refused before anything is counted.
    async fn a_throttled_attempt_is_refused_unchecked_and_an_empty_form_counts_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let mut tx = w.store.begin().await.unwrap();
        for _ in 0..10 {
            tx.record_sign_in_failure(w.acme.id, "login:dana@example.test").await.unwrap();
        }
        tx.commit().await.unwrap();
        let before = w.snapshot(TABLES).await;
        let outcome = attempt(&w, &w.acme, Audience::Portal, "dana@example.test", PASSWORD).await;
        assert_eq!(outcome, Outcome::Refused(Refusal::Throttled { minutes: 1 }));
        // The address's counter is made (locked while the login's is read), but nothing is counted.
        assert_eq!(w.snapshot(TABLES).await, plus(&before, &[("audit_events", 1), ("sign_in_throttle", 1)]));
        assert_eq!(throttle(&w, &w.acme).await, counters(&[("ip:192.0.2.7", 0), ("login:dana@example.test", 10)]));
        assert_eq!(
            last_audit(&w, &w.acme).await,
            audit("sign_in.throttled", ("system", None, "dana@example.test"), ("company", Some(w.acme.id.0)))
        );

        for (email, password) in [("", PASSWORD), ("  ", PASSWORD), ("dana@example.test", "")] {
            let err = Credentials::parse(email, password).unwrap_err();
            assert_eq!((err.field, err.message.as_str()), ("email", "Enter your email and your password."));
        }
    }

    /// A login acts for one of its own accounts; another login's account, or one at
    /// another company, is not found and nothing is written.
    async fn choosing_an_account_of_another_login_is_not_found(backend: Backend) {
        let w = World::demo(backend).await;
        let token = token_of(attempt(&w, &w.acme, Audience::Portal, "sam@example.test", PASSWORD).await);
        let sam = portal(&w, &w.acme, &token).await.ok().unwrap();
        let dana = w.login_of(&w.acme, "dana@example.test").await;
        let dana_accounts = w.store.accounts_of_login(w.acme.id, dana).await.unwrap();
        let bolt = w.company("bolt").await;
        let bolt_dana = w.login_of(&bolt, "dana@example.test").await;
        let bolt_account = w.store.accounts_of_login(bolt.id, bolt_dana).await.unwrap()[0].customer;

        let before = w.snapshot(TABLES).await;
        for customer in dana_accounts.iter().map(|a| a.customer).chain([bolt_account, CustomerId(i64::MAX)]) {
            if sam.accounts.iter().any(|a| a.customer == customer) {
                continue;
            }
            let err = session::choose_account(&w.app, &sam, IP, customer).await.unwrap_err();
            assert!(matches!(err, AppError::NotFound), "{err:?}");
        }
        assert_eq!(w.snapshot(TABLES).await, before);

        let own = sam.accounts[0].clone();
        let chosen = session::choose_account(&w.app, &sam, IP, own.customer).await.unwrap();
        assert_eq!(chosen.customer, own.customer);
        assert_eq!(w.snapshot(TABLES).await, plus(&before, &[("audit_events", 1)]));
        assert_eq!(
            last_audit(&w, &w.acme).await,
            audit("account.switched", ("contact", Some(own.contact.0), ""), ("customer", Some(own.customer.0)))
        );
        let again = portal(&w, &w.acme, &token).await.ok().unwrap();
        assert_eq!(again.session.active_customer, Some(own.customer));
    }

    /// Signing out ends this browser's session only; signing out everywhere ends them
    /// all. Neither is audited.
    async fn signing_out_ends_the_session(backend: Backend) {
        let w = World::demo(backend).await;
        let first = token_of(attempt(&w, &w.acme, Audience::Portal, "dana@example.test", PASSWORD).await);
        let second = token_of(attempt(&w, &w.acme, Audience::Portal, "dana@example.test", PASSWORD).await);
        let before = w.snapshot(TABLES).await;
        let this = portal(&w, &w.acme, &first).await.ok().unwrap();
        session::sign_out(&w.app, &w.acme, &this.session).await.unwrap();
        assert!(matches!(portal(&w, &w.acme, &first).await, Err(NotSignedIn::SignIn)));
        let other = portal(&w, &w.acme, &second).await.ok().unwrap();
        assert_eq!(w.snapshot(TABLES).await, plus(&before, &[("sessions", -1)]));

        let third = token_of(attempt(&w, &w.acme, Audience::Portal, "dana@example.test", PASSWORD).await);
        let before = w.snapshot(TABLES).await;
        session::sign_out_everywhere(&w.app, &w.acme, &other.session).await.unwrap();
        assert!(matches!(portal(&w, &w.acme, &second).await, Err(NotSignedIn::SignIn)));
        assert!(matches!(portal(&w, &w.acme, &third).await, Err(NotSignedIn::SignIn)));
        assert_eq!(w.snapshot(TABLES).await, plus(&before, &[("sessions", -2)]));
    }

    /// A sign-in link is emailed to a login that may sign in and signs it in once; used,
    /// it is refused and writes nothing more.
    async fn a_used_sign_in_link_cannot_be_used_again(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.login_of(&w.acme, "dana@example.test").await;
        links::request(&w.app, &w.acme, "Dana@Example.test").await.unwrap();
        assert_eq!(w.emails(&w.acme).await.last().unwrap(), &("sign_in_link".to_owned(), "dana@example.test".to_owned()));
        let token = emailed_link(&w, &w.acme).await;

        let opened = links::sign_in(&w.app, &w.acme, &token, &client()).await.unwrap();
        assert_eq!((opened.owner, opened.second_factor_owed), (SessionOwner::Login(dana), false));
        assert_eq!(portal(&w, &w.acme, &opened.token).await.ok().unwrap().login, dana);
        assert_eq!(last_audit(&w, &w.acme).await.0, "sign_in.succeeded");

        let before = w.snapshot(TABLES).await;
        let err = links::sign_in(&w.app, &w.acme, &token, &client()).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = links::sign_in(&w.app, &w.acme, &"0".repeat(64), &client()).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// No link is sent to an unknown or malformed address, a locked login or another
    /// company's login, and asking writes nothing then; a link sent before the login
    /// was locked no longer signs it in.
    async fn a_sign_in_link_goes_only_to_a_login_that_may_sign_in(backend: Backend) {
        let w = World::demo(backend).await;
        let bolt = w.company("bolt").await;
        let sam = w.login_of(&w.acme, "sam@example.test").await;
        links::request(&w.app, &w.acme, "sam@example.test").await.unwrap();
        let token = emailed_link(&w, &w.acme).await;
        lock(&w, &w.acme, sam).await;

        let before = w.snapshot(TABLES).await;
        for email in ["nobody@example.test", "not an address", "sam@example.test"] {
            links::request(&w.app, &w.acme, email).await.unwrap();
        }
        links::request(&w.app, &bolt, "sam@example.test").await.unwrap();
        assert_eq!(w.snapshot(TABLES).await, before);

        let err = links::sign_in(&w.app, &w.acme, &token, &client()).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert_eq!(w.snapshot(TABLES).await, before, "no session; the link is used up");
    }
}
