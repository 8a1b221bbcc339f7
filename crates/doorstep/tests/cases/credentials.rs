//! `doorstep_app::credentials`: the second factor (setup, confirmation, recovery codes,
//! turning it off, the code at sign-in, the company's rule), passwords set from emailed
//! links, and self sign-up.

use doorstep_app::AppError;
use doorstep_app::credentials::passwords::{self, ChosenPassword, PasswordLink};
use doorstep_app::credentials::sign_up::{self, Details};
use doorstep_app::credentials::totp::{code_at, open_secret};
use doorstep_app::credentials::two_factor::{self, Challenge, Factor, Holder, SignInCode};
use doorstep_app::credentials::{LINK_EXPIRED, NewPassword};
use doorstep_app::crypto::token::hash_token;
use doorstep_core::ids::LoginId;
use doorstep_store::companies::Company;
use doorstep_store::sessions::{Session, SessionOwner};
use doorstep_store::tokens::{TokenOwner, TokenPurpose};
use doorstep_testkit::{Backend, both_backends};

use crate::world::{IP, World};

const TWO_FACTOR: &[&str] = &["recovery_codes", "sessions"];
const SIGN_UP: &[&str] = &["customers", "contacts", "portal_logins", "auth_tokens"];
const PASSWORD: &str = "pipes and valves 64";

/// The plain secret of `owner`'s factor, as the authenticator app holds it.
async fn secret(w: &World, company: &Company, owner: SessionOwner) -> String {
    let stored = w
        .store
        .two_factor(company.id, owner)
        .await
        .unwrap()
        .secret
        .unwrap();
    open_secret(w.app.secret_key(), company.id, owner, &stored).unwrap()
}

/// The code the app shows now.
async fn code(w: &World, company: &Company, owner: SessionOwner) -> String {
    code_at(&secret(w, company, owner).await, doorstep_store::now()).unwrap()
}

/// Turns `who`'s factor on; the recovery codes.
async fn enable(w: &World, who: Holder<'_>) -> Vec<String> {
    assert!(two_factor::start(&w.app, who).await.unwrap());
    let code = code(w, who.company(), who.owner()).await;
    two_factor::confirm(&w.app, who, "", &code).await.unwrap()
}

/// A session of `owner` waiting for the second factor, as a right password opens it.
async fn pending_session(w: &World, company: &Company, owner: SessionOwner) -> Session {
    let id_hash = w.session(company, owner, true).await;
    w.app
        .live_session(company, &id_hash, time::Duration::hours(1))
        .await
        .unwrap()
        .unwrap()
}

/// Issues a link of `purpose` for `login` with a known token.
async fn link(w: &World, login: LoginId, purpose: TokenPurpose, token: &str) {
    let mut tx = w.store.begin().await.unwrap();
    tx.create_token(
        w.acme.id,
        &hash_token(token),
        purpose,
        TokenOwner::Login(login),
        doorstep_store::now() + time::Duration::hours(1),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn audit_actions(w: &World, company: &Company) -> Vec<String> {
    w.store.recent_audit_actions(company.id, 20).await.unwrap()
}

both_backends! {
    /// A right first code turns the factor on: recovery codes are stored, the holder's
    /// other sessions end, and the change and its audit record commit together.
    async fn a_right_code_turns_the_second_factor_on_with_its_audit(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let who = Holder::Contact(&dana);
        assert!(two_factor::start(&w.app, who).await.unwrap());
        assert_eq!(w.last_audit(&w.acme).await, ("two_factor.setup_started".into(), "dana@example.test".into()));
        let stored = w.store.two_factor(w.acme.id, who.owner()).await.unwrap().secret.unwrap();
        assert!(stored.starts_with("v1:"), "sealed at rest: {stored}");
        let audits = w.rows("audit_events").await;
        let code = code(&w, &w.acme, who.owner()).await;
        let codes = two_factor::confirm(&w.app, who, "", &code).await.unwrap();
        assert_eq!(codes.len(), 10);
        let tf = w.store.two_factor(w.acme.id, who.owner()).await.unwrap();
        assert!(tf.enabled);
        assert_eq!(tf.recovery_codes_left, 10);
        assert_eq!(w.rows("audit_events").await, audits + 1, "one audit record, with the change");
        assert_eq!(w.last_audit(&w.acme).await, ("two_factor.enabled".into(), "dana@example.test".into()));
        assert!(!two_factor::start(&w.app, who).await.unwrap(), "an enabled secret is never swapped");
    }

    /// A missing or wrong code, and a confirmation with no setup waiting, change nothing
    /// and audit nothing.
    async fn a_wrong_code_does_not_turn_the_second_factor_on(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let who = Holder::Contact(&dana);
        let err = two_factor::confirm(&w.app, who, "", "123456").await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("not_pending"));
        two_factor::start(&w.app, who).await.unwrap();
        let before = w.snapshot(TWO_FACTOR).await;
        let err = two_factor::confirm(&w.app, who, "", " ").await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("code"));
        let right = code(&w, &w.acme, who.owner()).await;
        let wrong = if right == "000000" { "111111" } else { "000000" };
        let err = two_factor::confirm(&w.app, who, "", wrong).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.message.as_str()), Some("That code isn't right. Try the current one."));
        assert_eq!(w.snapshot(TWO_FACTOR).await, before);
        assert!(!w.store.two_factor(w.acme.id, who.owner()).await.unwrap().enabled);
    }

    /// At sign-in, a right code replaces the waiting session with a full one; a recovery
    /// code works once, and a used one is refused afterwards with nothing written.
    async fn the_code_at_sign_in_opens_a_full_session_and_a_used_recovery_code_is_refused(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let who = Holder::Contact(&dana);
        let codes = enable(&w, who).await;
        let pending = pending_session(&w, &w.acme, who.owner()).await;
        let at = Challenge { company: &w.acme, pending: &pending, ip: IP, user_agent: "cases" };
        let full = w.app.live_session(&w.acme, &pending.id_hash, time::Duration::hours(1)).await.unwrap().unwrap();
        let not_waiting = Session { two_factor_pending: false, ..full };
        let before = w.snapshot(TWO_FACTOR).await;
        let err = two_factor::pass_sign_in(&w.app, Challenge { pending: &not_waiting, ..at }, &codes[0]).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "only a waiting session takes a code: {err:?}");
        let err = two_factor::pass_sign_in(&w.app, at, "  ").await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("code"));
        assert_eq!(w.snapshot(TWO_FACTOR).await, before);
        assert_eq!(two_factor::pass_sign_in(&w.app, at, "000000x").await.unwrap(), SignInCode::Wrong);
        assert_eq!(w.last_audit(&w.acme).await.0, "sign_in.second_factor_failed");
        let SignInCode::Passed { token, factor } = two_factor::pass_sign_in(&w.app, at, &codes[0]).await.unwrap() else {
            panic!("a recovery code passes");
        };
        assert_eq!(factor, Factor::RecoveryCode);
        let idle = time::Duration::hours(1);
        assert!(w.app.live_session(&w.acme, &pending.id_hash, idle).await.unwrap().is_none(), "the waiting session ended");
        let full = w.app.live_session(&w.acme, &hash_token(&token), idle).await.unwrap().unwrap();
        assert!(!full.two_factor_pending);
        let actions = audit_actions(&w, &w.acme).await;
        assert_eq!(&actions[..2], ["sign_in.succeeded", "sign_in.second_factor_passed"]);

        let before = w.snapshot(TWO_FACTOR).await;
        let err = two_factor::replace_recovery_codes(&w.app, who, &codes[0]).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("code"), "{err:?}");
        let err = two_factor::disable(&w.app, who, &codes[0]).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("code"), "{err:?}");
        assert_eq!(w.snapshot(TWO_FACTOR).await, before);
        assert_eq!(w.store.two_factor(w.acme.id, who.owner()).await.unwrap().recovery_codes_left, 9);

        let fresh = two_factor::replace_recovery_codes(&w.app, who, &codes[1]).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "two_factor.recovery_codes_replaced");
        assert_eq!(w.store.two_factor(w.acme.id, who.owner()).await.unwrap().recovery_codes_left, 10);
        assert_eq!(two_factor::disable(&w.app, who, &fresh[0]).await.unwrap(), two_factor::Disabled::TurnedOff);
        assert_eq!(w.last_audit(&w.acme).await.0, "two_factor.disabled");
        assert!(!w.store.two_factor(w.acme.id, who.owner()).await.unwrap().enabled);
    }

    /// The company's rule: only an administrator with a factor of their own may require
    /// it; then staff may not turn theirs off (core's rule), while customers still may.
    async fn staff_of_a_company_that_requires_a_second_factor_cannot_turn_it_off(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let oscar = w.oscar().await;
        let before = w.snapshot(&[]).await;
        assert!(matches!(oscar.admin(), Err(AppError::NotFound)), "an office role is no administrator");
        let err = two_factor::require_of_staff(&w.app, olivia.admin().unwrap(), true).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("own_factor_first"));
        assert_eq!(w.snapshot(&[]).await, before);
        assert!(!w.company("acme").await.settings.require_staff_two_factor);

        let codes = enable(&w, Holder::Staff(&olivia)).await;
        let saved = two_factor::require_of_staff(&w.app, olivia.admin().unwrap(), true).await.unwrap();
        assert!(saved.require_staff_two_factor);
        assert!(w.company("acme").await.settings.require_staff_two_factor);
        assert_eq!(w.last_audit(&w.acme).await, ("settings.staff_two_factor_required".into(), "office@acme.test".into()));

        let olivia = w.olivia().await;
        let who = Holder::Staff(&olivia);
        assert!(!who.may_turn_off());
        let before = w.snapshot(TWO_FACTOR).await;
        let err = two_factor::disable(&w.app, who, &codes[0]).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("required"));
        assert_eq!(w.snapshot(TWO_FACTOR).await, before);
        assert!(w.store.two_factor(w.acme.id, who.owner()).await.unwrap().enabled);

        let dana = w.dana().await;
        let dana_codes = enable(&w, Holder::Contact(&dana)).await;
        let dana = w.dana().await;
        assert!(Holder::Contact(&dana).may_turn_off(), "the rule is for staff");
        two_factor::disable(&w.app, Holder::Contact(&dana), &dana_codes[0]).await.unwrap();
    }

    /// A reset link sets the password once, ends the login's sessions and revokes its
    /// other links; used again it is refused with nothing written.
    async fn a_reset_link_works_once(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.login_of(&w.acme, "dana@example.test").await;
        let _session = w.dana().await;
        link(&w, dana, TokenPurpose::Invite, "invite-token").await;
        link(&w, dana, TokenPurpose::Reset, "reset-token").await;
        let chosen = ChosenPassword::parse(PASSWORD, PASSWORD).unwrap();
        let before = w.snapshot(&["sessions", "portal_logins", "auth_tokens"]).await;
        let bolt = w.company("bolt").await;
        let err = passwords::set_from_link(&w.app, &bolt, IP, PasswordLink::Reset, "reset-token", chosen.clone())
            .await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some(LINK_EXPIRED), "a link works only at its own company");
        let err = passwords::set_from_link(&w.app, &w.acme, IP, PasswordLink::Invite, "reset-token", chosen.clone())
            .await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some(LINK_EXPIRED), "a reset link is no invitation");
        assert_eq!(w.snapshot(&["sessions", "portal_logins", "auth_tokens"]).await, before);
        let set = passwords::set_from_link(&w.app, &w.acme, IP, PasswordLink::Reset, "reset-token", chosen.clone())
            .await.unwrap();
        assert_eq!((set.login, set.has_access), (dana, true));
        assert_eq!(w.last_audit(&w.acme).await.0, "password.reset");
        let sessions: i64 = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM sessions WHERE login_id = $1").bind(dana.0).fetch_one(p).await).unwrap();
        assert_eq!(sessions, 0, "a new password ends every session");

        let before = w.snapshot(&["sessions", "portal_logins"]).await;
        let hash = w.store.login_credentials(w.acme.id, "dana@example.test").await.unwrap().unwrap().password_hash;
        for (kind, token) in [(PasswordLink::Reset, "reset-token"), (PasswordLink::Invite, "invite-token"), (PasswordLink::Reset, "never-issued")] {
            let err = passwords::set_from_link(&w.app, &w.acme, IP, kind, token, chosen.clone()).await.unwrap_err();
            assert_eq!(err.conflict_reason(), Some(LINK_EXPIRED), "{token}");
        }
        assert_eq!(w.snapshot(&["sessions", "portal_logins"]).await, before);
        assert_eq!(w.store.login_credentials(w.acme.id, "dana@example.test").await.unwrap().unwrap().password_hash, hash);
    }

    /// "Forgot password?" queues a reset email for a login with access, nothing for an
    /// unknown address, and stops when the address's email limit is reached.
    async fn a_reset_request_emails_a_link_within_the_limit(backend: Backend) {
        let w = World::demo(backend).await;
        assert!(passwords::request_reset(&w.app, &w.acme, "dana@example.test").await.unwrap());
        assert_eq!(w.emails(&w.acme).await.last().unwrap(), &("password_reset".to_owned(), "dana@example.test".to_owned()));
        let before = w.snapshot(&["auth_tokens"]).await;
        assert!(!passwords::request_reset(&w.app, &w.acme, "nobody@example.test").await.unwrap());
        assert!(!passwords::request_reset(&w.app, &w.acme, "not an email").await.unwrap());
        assert_eq!(w.snapshot(&["auth_tokens"]).await, before);
        let mut sent = 1;
        while passwords::request_reset(&w.app, &w.acme, "dana@example.test").await.unwrap() {
            sent += 1;
            assert!(sent < 50, "the email limit never stopped the requests");
        }
        let emails = w.emails(&w.acme).await.iter().filter(|e| e.0 == "password_reset").count();
        assert_eq!(emails, sent);
    }

    /// A weak password, or two that differ, is refused before anything can be written.
    async fn a_weak_password_is_refused_with_nothing_written(backend: Backend) {
        let w = World::demo(backend).await;
        let before = w.snapshot(&["portal_logins", "sessions", "auth_tokens"]).await;
        let errors = ChosenPassword::parse("password1234", "password1234").unwrap_err();
        assert!(errors.get("password").is_some());
        assert!(errors.get("confirm").is_none(), "the confirmation is asked only of a good password");
        let errors = ChosenPassword::parse(PASSWORD, "pipes and valves 65").unwrap_err();
        assert_eq!(errors.get("confirm").as_deref(), Some("The two passwords differ. Type the same password twice."));
        let errors = Details::parse("Ada", "Lovelace", "", "", "short").unwrap_err();
        assert_eq!(errors.0.iter().map(|e| e.field).collect::<Vec<_>>(), ["password"]);
        assert_eq!(NewPassword::parse("aaaaaaaaaaaaaaa").unwrap_err().field, "password");
        assert_eq!(w.snapshot(&["portal_logins", "sessions", "auth_tokens"]).await, before);
    }

    /// Self sign-up: the email link, then the details make a prospect with one company
    /// contact, signed-up once; a company that does not allow it answers NotFound.
    async fn sign_up_makes_a_prospect_once_and_only_where_allowed(backend: Backend) {
        let w = World::demo(backend).await;
        let bolt = w.company("bolt").await;
        assert!(!bolt.settings.allow_self_sign_up);
        let before = w.snapshot(SIGN_UP).await;
        let err = sign_up::request(&w.app, &bolt, IP, "new@example.test").await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let details = || Details::parse("Ada", "Lovelace", "+1 555", "", PASSWORD).unwrap();
        let err = sign_up::create(&w.app, &bolt, IP, "any", details()).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = sign_up::request(&w.app, &w.acme, IP, "not an email").await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("email"));
        assert_eq!(w.snapshot(SIGN_UP).await, before);

        assert!(sign_up::request(&w.app, &w.acme, IP, "new@example.test").await.unwrap());
        assert_eq!(w.emails(&w.acme).await.last().unwrap(), &("verify_email".to_owned(), "new@example.test".to_owned()));
        let login = w.login_of(&w.acme, "new@example.test").await;
        link(&w, login, TokenPurpose::VerifyEmail, "verify-token").await;
        assert_eq!(sign_up::pending(&w.app, &w.acme, "verify-token").await.unwrap(), (login, "new@example.test".to_owned()));
        assert_eq!(sign_up::create(&w.app, &w.acme, IP, "verify-token", details()).await.unwrap(), login);
        assert_eq!(w.last_audit(&w.acme).await, ("sign_up.completed".into(), "new@example.test".into()));
        let accounts = w.store.accounts_of_login(w.acme.id, login).await.unwrap();
        assert_eq!(accounts.len(), 1);
        assert_eq!(accounts[0].customer_name, "Ada Lovelace");

        let before = w.snapshot(SIGN_UP).await;
        let err = sign_up::create(&w.app, &w.acme, IP, "verify-token", details()).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some(LINK_EXPIRED));
        assert_eq!(w.snapshot(SIGN_UP).await, before);
    }
}
