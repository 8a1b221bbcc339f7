//! Use cases of company setup (issue 18): the company's details (field-wise, each field
//! checked, the currency kept once amounts exist), the staff (invite, resend, role,
//! deactivate, reactivate; the last administrator kept, nobody deactivating themself)
//! and the audit log's filters, on both engines, refusals included.

use doorstep_app::AppError;
use doorstep_app::company::details::{self, Details, DetailsInput};
use doorstep_app::company::staff::{self, Invitation};
use doorstep_app::sessions::NotSignedIn;
use doorstep_app::sign_in::password::{self, Credentials, Outcome, Refusal};
use doorstep_app::sign_in::{Audience, Client};
use doorstep_core::ids::{ContactId, CustomerId, StaffUserId};
use doorstep_core::status::StaffRole;
use doorstep_store::audit::{AuditActor, AuditFilter};
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;
use doorstep_testkit::{Backend, both_backends};

use crate::world::{IP, World};

/// The demo's password.
const PASSWORD: &str = "doorstep-demo";

/// What the staff use cases may write, besides the audit log and the outbox.
const STAFF_TABLES: &[&str] = &["staff_users", "sessions", "auth_tokens"];

async fn details_of(w: &World, slug: &str) -> DetailsInput {
    let company = w.company(slug).await;
    DetailsInput::from(&w.store.company_details(company.id).await.unwrap().unwrap())
}

async fn staff_id(w: &World, slug: &str, email: &str) -> StaffUserId {
    let company = w.company(slug).await;
    w.store
        .staff_by_email(company.id, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn sign_in(w: &World, company: &Company, email: &str) -> Outcome {
    let credentials = Credentials::parse(email, PASSWORD).unwrap();
    password::sign_in(
        &w.app,
        company,
        Audience::Office,
        credentials,
        &Client::at(IP),
    )
    .await
    .unwrap()
}

/// The details and audit rows of every company, what a refused change must leave.
async fn everything(w: &World) -> Vec<String> {
    let mut out = Vec::new();
    for slug in ["acme", "bolt"] {
        out.push(format!("{:?}", details_of(w, slug).await));
        let company = w.company(slug).await;
        out.push(format!(
            "{:?}",
            w.store
                .staff_of(company.id)
                .await
                .unwrap()
                .iter()
                .map(|s| (s.id, s.role, s.deactivated))
                .collect::<Vec<_>>()
        ));
    }
    out
}

fn conflict(err: &AppError) -> Option<&'static str> {
    err.conflict_reason()
}

both_backends! {
    /// An administrator saves the details; only the fields they changed are written, so
    /// another administrator's change to another field meanwhile is kept; the audit names
    /// each change; the portal's company (cached by host) shows the new name at once.
    async fn an_administrator_saves_the_details_field_wise(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let admin = olivia.admin().unwrap();
        let shown = details_of(&w, "acme").await;
        let _ = w.store.company_for_slug("acme").await.unwrap();

        let mut typed = shown.clone();
        typed.name = "  Acme Heating & Air ".into();
        typed.website = "https://acme.example".into();
        typed.timezone = "America/Chicago".into();
        typed.payment_terms_days = "14".into();
        typed.request_email = "Requests@Acme.test".into();
        let d = Details::parse(&typed, Some(&shown)).unwrap();
        assert!(details::save(&w.app, admin, d).await.unwrap());
        let saved = w.store.company_details(w.acme.id).await.unwrap().unwrap();
        assert_eq!((saved.name.as_str(), saved.website.as_str(), saved.timezone.as_str(), saved.payment_terms_days, saved.request_email.as_str()),
            ("Acme Heating & Air", "https://acme.example", "America/Chicago", 14, "requests@acme.test"));
        assert_eq!(w.last_audit(&w.acme).await, ("company.details_saved".into(), "office@acme.test".into()));
        let detail: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT detail FROM audit_events WHERE company_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(w.acme.id.0).fetch_one(p).await).unwrap();
        assert!(detail.contains(r#""to":"Acme Heating & Air""#), "{detail}");
        assert!(detail.contains(r#""payment_terms_days":{"from":"30","to":"14"}"#), "{detail}");
        assert!(!detail.contains("phone"), "unchanged fields are not listed: {detail}");
        assert_eq!(w.store.company_for_slug("acme").await.unwrap().unwrap().name, "Acme Heating & Air");

        // Two administrators with the same form open: one changes the phone, the other
        // (whose form still shows the old phone) the city; both are kept.
        let open = details_of(&w, "acme").await;
        let mut first = open.clone();
        first.phone = "+1 555 010 9999".into();
        details::save(&w.app, admin, Details::parse(&first, Some(&open)).unwrap()).await.unwrap();
        let mut second = open.clone();
        second.city = "Shelbyville".into();
        details::save(&w.app, admin, Details::parse(&second, Some(&open)).unwrap()).await.unwrap();
        let saved = w.store.company_details(w.acme.id).await.unwrap().unwrap();
        assert_eq!((saved.phone.as_str(), saved.city.as_str()), ("+1 555 010 9999", "Shelbyville"));

        // Saving the form unchanged writes nothing.
        let before = w.snapshot(&[]).await;
        let same = details_of(&w, "acme").await;
        assert!(!details::save(&w.app, admin, Details::parse(&same, Some(&same)).unwrap()).await.unwrap());
        assert_eq!(w.snapshot(&[]).await, before);

        // Bolt, with no amounts recorded, may change its currency.
        let bolt_admin = w.staff("bolt", "office@bolt.test").await;
        let shown = details_of(&w, "bolt").await;
        let mut typed = shown.clone();
        typed.currency = "eur".into();
        let changed = details::save(&w.app, bolt_admin.admin().unwrap(), Details::parse(&typed, Some(&shown)).unwrap()).await;
        let bolt = w.company("bolt").await;
        let has_amounts = { let mut tx = w.store.begin().await.unwrap(); tx.company_has_amounts(bolt.id).await.unwrap() };
        if has_amounts {
            assert_eq!(changed.unwrap_err().conflict_reason(), Some("currency_in_use"));
        } else {
            assert!(changed.unwrap());
            assert_eq!(w.store.company_details(bolt.id).await.unwrap().unwrap().currency, "EUR");
        }
    }

    /// Each bad field is refused next to its name; a currency change after amounts were
    /// recorded and an office member are refused; none of them writes anything.
    async fn refused_details_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let shown = details_of(&w, "acme").await;
        let mut bad = shown.clone();
        bad.name = " ".into();
        bad.email = "not-an-email".into();
        bad.request_email = "also wrong".into();
        bad.website = "javascript:alert(1)".into();
        bad.currency = "XYZ".into();
        bad.timezone = "Mars/Olympus".into();
        bad.payment_terms_days = "400".into();
        bad.phone = "call me".into();
        let errors = Details::parse(&bad, Some(&shown)).unwrap_err();
        for field in ["name", "email", "request_email", "website", "currency", "timezone", "payment_terms_days", "phone"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        assert!(errors.get("city").is_none());

        let before = (w.snapshot(&["companies"]).await, everything(&w).await);
        // Acme has estimates and invoices in USD: the currency stays.
        let olivia = w.olivia().await;
        let mut typed = shown.clone();
        typed.currency = "EUR".into();
        typed.name = "Renamed".into();
        let err = details::save(&w.app, olivia.admin().unwrap(), Details::parse(&typed, Some(&shown)).unwrap()).await.unwrap_err();
        assert_eq!(conflict(&err), Some("currency_in_use"), "{err:?}");
        // The office role never holds an `Admin`.
        let oscar = w.oscar().await;
        assert!(matches!(oscar.admin(), Err(AppError::NotFound)));
        assert_eq!((w.snapshot(&["companies"]).await, everything(&w).await), before);
    }

    /// An administrator invites a member (setup link emailed, audited), resends it (the
    /// older link stops working), changes a role, deactivates (sessions end at once,
    /// sign-in refused) and reactivates.
    async fn an_administrator_manages_the_team(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let admin = olivia.admin().unwrap();

        let invitation = Invitation::parse(" Nina@Acme.test ", "Nina Patel", "office").unwrap();
        let nina = staff::invite(&w.app, admin, invitation).await.unwrap();
        let member = w.store.staff_by_id(w.acme.id, nina).await.unwrap().unwrap();
        assert_eq!((member.email.as_str(), member.name.as_str(), member.role, member.has_password, member.deactivated),
            ("nina@acme.test", "Nina Patel", StaffRole::Office, false, false));
        assert_eq!(w.emails(&w.acme).await.last().unwrap(), &("staff_setup".to_owned(), "nina@acme.test".to_owned()));
        assert_eq!(w.last_audit(&w.acme).await, ("staff.invited".into(), "office@acme.test".into()));
        let live_links = || async {
            let n: i64 = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
                "SELECT COUNT(*) FROM auth_tokens WHERE company_id = $1 AND staff_user_id = $2 AND used_at IS NULL")
                .bind(w.acme.id.0).bind(nina.0).fetch_one(p).await).unwrap();
            n
        };
        assert_eq!(live_links().await, 1);

        staff::resend(&w.app, admin, nina).await.unwrap();
        assert_eq!(live_links().await, 1, "the older link was revoked");
        let setup_emails = w.emails(&w.acme).await.iter().filter(|(k, _)| k == "staff_setup").count();
        assert_eq!(setup_emails, 2);
        assert_eq!(w.last_audit(&w.acme).await.0, "staff.invitation_resent");

        // Oscar becomes an administrator and back.
        let oscar_id = staff_id(&w, "acme", "dispatch@acme.test").await;
        staff::change_role(&w.app, admin, oscar_id, StaffRole::Admin).await.unwrap();
        assert_eq!(w.store.staff_by_id(w.acme.id, oscar_id).await.unwrap().unwrap().role, StaffRole::Admin);
        assert_eq!(w.last_audit(&w.acme).await.0, "staff.role_changed");
        staff::change_role(&w.app, admin, oscar_id, StaffRole::Office).await.unwrap();

        // Oscar, signed in, is deactivated: his session stops working at once and his
        // password no longer signs him in.
        let session = w.session(&w.acme, SessionOwner::Staff(oscar_id), false).await;
        staff::deactivate(&w.app, admin, oscar_id).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "staff.deactivated");
        let found = w.app.signed_in_staff(w.company("acme").await, &session, time::Duration::hours(1), false, IP).await.unwrap();
        assert!(matches!(found, Err(NotSignedIn::SignIn)));
        let sessions: i64 = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM sessions WHERE company_id = $1 AND staff_user_id = $2")
            .bind(w.acme.id.0).bind(oscar_id.0).fetch_one(p).await).unwrap();
        assert_eq!(sessions, 0);
        assert_eq!(sign_in(&w, &w.acme, "dispatch@acme.test").await, Outcome::Refused(Refusal::NoMatch));
        // A deactivated invitee's setup link stops working too.
        staff::deactivate(&w.app, admin, nina).await.unwrap();
        assert_eq!(live_links().await, 0);
        let err = staff::resend(&w.app, admin, nina).await.unwrap_err();
        assert_eq!(conflict(&err), Some("deactivated"));

        staff::reactivate(&w.app, admin, oscar_id).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "staff.reactivated");
        assert!(matches!(sign_in(&w, &w.acme, "dispatch@acme.test").await, Outcome::SignedIn { .. }));

        // The audit log filters by who and by what.
        let filter = AuditFilter { actor: Some(AuditActor::Staff(olivia.id())), action: Some("staff.deactivated".into()), ..AuditFilter::default() };
        let (rows, next) = w.store.audit_page(w.acme.id, &filter, None, 50).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert!(next.is_none());
        assert!(rows.iter().all(|r| r.action == "staff.deactivated" && r.staff_name.as_deref() == Some("Olivia Park")));
        assert_eq!(rows[0].subject_id, Some(nina.0), "newest first");
        let (page, next) = w.store.audit_page(w.acme.id, &filter, None, 1).await.unwrap();
        let (rest, _) = w.store.audit_page(w.acme.id, &filter, next, 1).await.unwrap();
        assert_eq!((page[0].id, rest[0].id), (rows[0].id, rows[1].id), "keyset pages");
    }

    /// Refusals: an email already in the team, the last active administrator demoted or
    /// deactivated, an administrator deactivating themself, another company's member,
    /// bad input; none writes anything.
    async fn refused_staff_changes_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let errors = Invitation::parse("nope", " ", "owner").unwrap_err();
        for field in ["email", "name", "role"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let olivia = w.olivia().await;
        let admin = olivia.admin().unwrap();
        let oscar_id = staff_id(&w, "acme", "dispatch@acme.test").await;
        let brenda = staff_id(&w, "bolt", "office@bolt.test").await;
        let before = (w.snapshot(STAFF_TABLES).await, everything(&w).await);

        let taken = Invitation::parse("DISPATCH@acme.test", "Oscar Again", "office").unwrap();
        assert!(matches!(staff::invite(&w.app, admin, taken).await, Err(AppError::Duplicate(_))));
        let err = staff::change_role(&w.app, admin, olivia.id(), StaffRole::Office).await.unwrap_err();
        assert_eq!(conflict(&err), Some("last_admin"));
        let err = staff::deactivate(&w.app, admin, olivia.id()).await.unwrap_err();
        assert_eq!(conflict(&err), Some("yourself"));
        let err = staff::resend(&w.app, admin, oscar_id).await.unwrap_err();
        assert_eq!(conflict(&err), Some("has_password"));
        for result in [
            staff::deactivate(&w.app, admin, brenda).await,
            staff::reactivate(&w.app, admin, brenda).await,
            staff::resend(&w.app, admin, brenda).await,
            staff::change_role(&w.app, admin, brenda, StaffRole::Office).await,
        ] {
            assert!(matches!(result, Err(AppError::NotFound)), "{result:?}");
        }
        // An invited administrator cannot sign in yet, so Olivia is still the only
        // active one.
        let ivy = Invitation::parse("ivy@acme.test", "Ivy", "admin").unwrap();
        staff::invite(&w.app, admin, ivy).await.unwrap();
        let after_invite = (w.snapshot(STAFF_TABLES).await, everything(&w).await);
        let err = staff::change_role(&w.app, admin, olivia.id(), StaffRole::Office).await.unwrap_err();
        assert_eq!(conflict(&err), Some("last_admin"));
        assert_eq!((w.snapshot(STAFF_TABLES).await, everything(&w).await), after_invite);
        assert_ne!(after_invite, before);

        // Oscar, made an administrator, may then demote Olivia.
        staff::change_role(&w.app, admin, oscar_id, StaffRole::Admin).await.unwrap();
        staff::change_role(&w.app, admin, olivia.id(), StaffRole::Office).await.unwrap();
    }

    /// An action on a customer's record is logged with that customer, so the log filters
    /// by customer; another company's log never shows it.
    async fn the_audit_log_filters_by_customer(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let harbor = w.store.customer_by_number(w.acme.id, "C-1002").await.unwrap().unwrap();
        let contacts = w.store.contacts_of_customer(w.acme.id, CustomerId(harbor.id)).await.unwrap();
        let contact = contacts.iter().find(|c| c.login_id.is_some()).unwrap();
        doorstep_app::access::set_locked(&w.app, &oscar, ContactId(contact.id), true).await.unwrap();
        let filter = AuditFilter { customer: Some(CustomerId(harbor.id)), ..AuditFilter::default() };
        let (rows, _) = w.store.audit_page(w.acme.id, &filter, None, 50).await.unwrap();
        assert_eq!(rows[0].action, "access.locked");
        assert_eq!(rows[0].customer_number.as_deref(), Some("C-1002"));
        assert!(rows.iter().all(|r| r.customer_id == Some(harbor.id)));
        let bolt = w.company("bolt").await;
        let (theirs, _) = w.store.audit_page(bolt.id, &filter, None, 50).await.unwrap();
        assert!(theirs.is_empty());
        let (theirs, _) = w.store.audit_page(bolt.id, &AuditFilter::default(), None, 1000).await.unwrap();
        assert!(theirs.iter().all(|r| r.action != "access.locked"));
    }
}
