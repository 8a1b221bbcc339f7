//! `doorstep_app::access`: the office enables, invites, resets, locks and disables a
//! contact's portal access; a new staff member's setup link sets their password once.

use doorstep_app::access::{self, NewPassword};
use doorstep_app::crypto::token::hash_token;
use doorstep_app::{AppError, StaffActor};
use doorstep_core::ids::{ContactId, CustomerId};
use doorstep_core::status::ContactRole;
use doorstep_mail::EmailKind;
use doorstep_store::contacts::{ContactAccess, NewContact};
use doorstep_store::sessions::SessionOwner;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};
use doorstep_testkit::{Backend, both_backends};

use crate::world::{IP, World};

const TABLES: &[&str] = &["contacts", "portal_logins", "auth_tokens", "sessions"];

/// Adds a contact without portal access to `customer` at Acme.
async fn add_contact(
    w: &World,
    customer: CustomerId,
    first: &str,
    email: Option<&str>,
) -> ContactId {
    let mut tx = w.store.begin().await.unwrap();
    let id = tx
        .insert_contact(
            w.acme.id,
            &NewContact {
                customer,
                login: None,
                first_name: first.into(),
                last_name: "Whitaker".into(),
                email: email.map(str::to_owned),
                phone: String::new(),
                role: ContactRole::Company,
                is_primary: false,
                is_billing: false,
                portal_enabled: false,
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn contact(w: &World, id: ContactId) -> ContactAccess {
    w.store
        .contact_access(w.acme.id, id)
        .await
        .unwrap()
        .unwrap()
}

/// Every access use case on contact `id`, each refused as `NotFound`.
async fn all_not_found(w: &World, staff: &StaffActor, id: ContactId) {
    let app = &w.app;
    let errors = [
        access::enable(app, staff, id).await.err(),
        access::invite(app, staff, id).await.err(),
        access::force_reset(app, staff, id).await.err(),
        access::set_locked(app, staff, id, true).await.err(),
        access::set_locked(app, staff, id, false).await.err(),
        access::disable(app, staff, id).await.err(),
    ];
    for err in errors {
        assert!(matches!(err, Some(AppError::NotFound)), "{err:?}");
    }
}

both_backends! {
    /// The dispatcher (the office role, not an administrator: portal access is
    /// day-to-day work) enables a contact with an email: a login of the lower-cased
    /// address, an invitation token and its email, an audit record naming them.
    async fn enabling_a_contact_with_an_email_invites_them(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let dana = w.dana().await;
        let nina = add_contact(&w, dana.customer(), "Nina", Some("Nina@Example.test")).await;
        let tokens = w.rows("auth_tokens").await;
        let enabled = access::enable(&w.app, &oscar, nina).await.unwrap();
        assert!(enabled.invited);
        let c = contact(&w, nina).await;
        assert!(c.portal_enabled && c.login_id.is_some() && !c.has_password);
        assert_eq!(w.rows("auth_tokens").await, tokens + 1);
        let emails = w.emails(&w.acme).await;
        assert_eq!(emails.last().unwrap(), &(EmailKind::Invitation.as_str().to_owned(), "nina@example.test".to_owned()));
        assert_eq!(w.last_audit(&w.acme).await, ("access.enabled".into(), "dispatch@acme.test".into()));

        // A person who already has a password (Dana, on a new contact of hers) is not invited.
        let again = add_contact(&w, dana.customer(), "Dana", Some("dana@example.test")).await;
        let emails = w.rows("email_outbox").await;
        assert!(!access::enable(&w.app, &oscar, again).await.unwrap().invited);
        assert_eq!(w.rows("email_outbox").await, emails);
        assert_eq!(w.last_audit(&w.acme).await.0, "access.enabled");
    }

    /// Resending an invitation, forcing a reset (password cleared, sessions ended, a reset
    /// link mailed), locking, unlocking and disabling each do their one thing, audited.
    async fn the_office_resets_locks_unlocks_and_disables_access(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let dana = w.dana().await;
        let nina = add_contact(&w, dana.customer(), "Nina", Some("nina@example.test")).await;
        access::enable(&w.app, &olivia, nina).await.unwrap();
        access::invite(&w.app, &olivia, nina).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await, ("access.invitation_resent".into(), "office@acme.test".into()));
        assert_eq!(w.emails(&w.acme).await.last().unwrap().0, EmailKind::Invitation.as_str());

        let id = dana.contact();
        access::set_locked(&w.app, &olivia, id, true).await.unwrap();
        assert!(contact(&w, id).await.locked);
        assert_eq!(w.last_audit(&w.acme).await.0, "access.locked");
        access::set_locked(&w.app, &olivia, id, false).await.unwrap();
        assert!(!contact(&w, id).await.locked);
        assert_eq!(w.last_audit(&w.acme).await.0, "access.unlocked");

        let dana_again = w.dana().await;
        access::force_reset(&w.app, &olivia, dana_again.contact()).await.unwrap();
        assert!(!contact(&w, id).await.has_password);
        assert_eq!(w.last_audit(&w.acme).await.0, "access.reset_forced");
        assert_eq!(w.emails(&w.acme).await.last().unwrap(),
            &(EmailKind::PasswordReset.as_str().to_owned(), "dana@example.test".to_owned()));
        let sessions: i64 = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM sessions WHERE company_id = $1 AND login_id = $2")
            .bind(w.acme.id.0).bind(dana.login().0).fetch_one(p).await).unwrap();
        assert_eq!(sessions, 0, "a forced reset ends every session of the login");

        access::disable(&w.app, &olivia, id).await.unwrap();
        assert!(!contact(&w, id).await.portal_enabled);
        assert_eq!(w.last_audit(&w.acme).await.0, "access.disabled");
    }

    /// A contact without an email cannot be enabled, one without a login cannot be
    /// invited, reset or locked, a person with a password is not re-invited, and another
    /// company's contact is not found from this office: none of them writes anything.
    async fn refused_access_changes_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let dana = w.dana().await;
        let bolt = w.staff("bolt", "office@bolt.test").await;
        let nobody = add_contact(&w, dana.customer(), "Mo", None).await;
        let before = w.snapshot(TABLES).await;
        let err = access::enable(&w.app, &olivia, nobody).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("no_email"));
        for err in [
            access::invite(&w.app, &olivia, nobody).await.unwrap_err(),
            access::force_reset(&w.app, &olivia, nobody).await.unwrap_err(),
            access::set_locked(&w.app, &olivia, nobody, true).await.unwrap_err(),
        ] {
            assert_eq!(err.conflict_reason(), Some("no_login"));
        }
        let err = access::invite(&w.app, &olivia, dana.contact()).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("has_password"));
        all_not_found(&w, &bolt, dana.contact()).await;
        all_not_found(&w, &olivia, ContactId(i64::MAX)).await;
        assert_eq!(w.snapshot(TABLES).await, before);
        assert!(contact(&w, dana.contact()).await.portal_enabled);
    }

    /// The setup link sets the staff member's password once and is used up; a second use,
    /// a made-up token and another company's host find nothing; a weak or mistyped
    /// password is refused next to its field. Refusals write nothing.
    async fn a_setup_link_sets_the_staff_password_once(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let token = "a-setup-token-for-olivia";
        let mut tx = w.store.begin().await.unwrap();
        tx.create_token(w.acme.id, &hash_token(token), TokenPurpose::StaffSetup,
            TokenOwner::Staff(olivia.id()), doorstep_store::now() + time::Duration::days(1)).await.unwrap();
        tx.commit().await.unwrap();

        let errors = NewPassword::parse("short", "short").unwrap_err();
        assert!(errors.get("password").is_some() && errors.get("confirm").is_none());
        let errors = NewPassword::parse("a long enough passphrase", "a long enough passphrasE").unwrap_err();
        assert!(errors.get("password").is_none() && errors.get("confirm").is_some());

        let password = || NewPassword::parse("a long enough passphrase", "a long enough passphrase").unwrap();
        let bolt = w.company("bolt").await;
        let before = w.snapshot(&["auth_tokens", "staff_users"]).await;
        let err = access::set_up_staff_password(&w.app, &bolt, IP, token, password()).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = access::set_up_staff_password(&w.app, &w.acme, IP, "made-up", password()).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert_eq!(w.snapshot(&["auth_tokens", "staff_users"]).await, before);

        let old = w.store.staff_credentials(w.acme.id, "office@acme.test").await.unwrap().unwrap();
        access::set_up_staff_password(&w.app, &w.acme, IP, token, password()).await.unwrap();
        let new = w.store.staff_credentials(w.acme.id, "office@acme.test").await.unwrap().unwrap();
        assert_ne!(old.password_hash, new.password_hash);
        assert_eq!(new.owner, SessionOwner::Staff(olivia.id()));
        assert_eq!(w.last_audit(&w.acme).await, ("staff.password_set".into(), String::new()));

        let before = w.snapshot(&["auth_tokens", "staff_users"]).await;
        let err = access::set_up_staff_password(&w.app, &w.acme, IP, token, password()).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "a used link: {err:?}");
        assert_eq!(w.snapshot(&["auth_tokens", "staff_users"]).await, before);
    }
}
