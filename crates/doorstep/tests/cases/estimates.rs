//! `doorstep_app::estimates`: a customer approves, declines or asks to change an
//! estimate; answers are final, happen once, and tell the office at its notice address.

use doorstep_app::estimates::{self, Approval, ChangeRequest, Decline};
use doorstep_app::{AppError, ContactActor};
use doorstep_core::authz::ContactScope;
use doorstep_core::status::{ContactRole, EstimateStatus};
use doorstep_store::estimates::EstimateDetail;
use doorstep_testkit::{Backend, both_backends};

use crate::local_time::demo_today;
use crate::world::World;

const TABLES: &[&str] = &["estimates", "messages", "line_items"];

/// The estimates of `scope`'s account, every status but draft.
async fn estimates_of(w: &World, scope: &ContactScope) -> Vec<EstimateDetail> {
    let rows = w
        .store
        .estimates_page(w.acme.id, scope, None, None, 100)
        .await
        .unwrap();
    let mut all = Vec::new();
    for r in rows {
        let e = w
            .store
            .estimate_document(w.acme.id, scope, &r.number)
            .await
            .unwrap();
        all.push(e.unwrap());
    }
    all
}

/// The contact's first estimate seen as `status` today.
async fn seen_as(w: &World, actor: &ContactActor, status: EstimateStatus) -> EstimateDetail {
    let today = demo_today();
    estimates_of(w, actor.scope())
        .await
        .into_iter()
        .find(|e| e.status_seen(today) == status)
        .unwrap_or_else(|| panic!("the demo has no {status:?} estimate for this account"))
}

/// The estimate `number` as stored now.
async fn reread(w: &World, actor: &ContactActor, number: &str) -> EstimateDetail {
    w.store
        .estimate_document(w.acme.id, actor.scope(), number)
        .await
        .unwrap()
        .unwrap()
}

/// Signing for every optional line, with the total that choice makes.
fn sign_all(e: &EstimateDetail, name: &str) -> Approval {
    let chosen = e.optional_ids();
    let total = e.totals_with(&chosen).total_minor.to_string();
    Approval::parse(name, chosen, &total).unwrap()
}

both_backends! {
    /// Dana approves her pending estimate: it is approved with her signature and the
    /// amounts she saw, audited under her login, and the office is told at its notice
    /// address (the request address), not the company's main email.
    async fn approving_records_the_signature_and_tells_the_office_at_its_notice_address(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let e = seen_as(&w, &dana, EstimateStatus::Pending).await;
        let total = e.totals_with(&e.optional_ids()).total_minor;
        let done = estimates::approve(&w.app, &dana, &e.number, sign_all(&e, " Dana Whitaker "))
            .await.unwrap();
        assert_eq!((done.number.as_str(), done.status), (e.number.as_str(), EstimateStatus::Approved));
        let after = reread(&w, &dana, &e.number).await;
        assert_eq!(after.status, EstimateStatus::Approved);
        let approval = after.approval.unwrap();
        assert_eq!(approval.signed_name, "Dana Whitaker");
        assert_eq!(approval.ip, "192.0.2.7");
        assert_eq!(approval.total_minor, Some(total));
        assert!(after.lines.iter().filter(|l| l.is_optional).all(|l| l.is_selected), "the choice is kept");
        assert_eq!(w.last_audit(&w.acme).await, ("estimate.approved".into(), "dana@example.test".into()));
        let emails = w.emails(&w.acme).await;
        assert_eq!(emails.last().unwrap(), &("estimate_approved".to_owned(), "requests@acme.test".to_owned()));
        assert_ne!(w.acme.email, "requests@acme.test", "the notice address is not the main email");
    }

    /// Declining keeps the reason and tells the office; asking for changes writes the
    /// message to the estimate's conversation and leaves it pending.
    async fn declining_and_asking_for_changes_tell_the_office(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let e = seen_as(&w, &dana, EstimateStatus::Pending).await;
        let messages = w.rows("messages").await;
        let asked = estimates::request_changes(&w.app, &dana, &e.number,
            ChangeRequest::parse("Could you quote a brass valve?").unwrap()).await.unwrap();
        assert_eq!(asked.status, EstimateStatus::Pending);
        assert_eq!(reread(&w, &dana, &e.number).await.status, EstimateStatus::Pending);
        assert_eq!(w.rows("messages").await, messages + 1);
        assert_eq!(w.last_audit(&w.acme).await.0, "estimate.changes_requested");
        assert_eq!(w.emails(&w.acme).await.last().unwrap(),
            &("estimate_changes_requested".to_owned(), "requests@acme.test".to_owned()));

        let declined = estimates::decline(&w.app, &dana, &e.number, Decline::parse(" Too dear ").unwrap())
            .await.unwrap();
        assert_eq!(declined.status, EstimateStatus::Declined);
        let after = reread(&w, &dana, &e.number).await;
        assert_eq!(after.status, EstimateStatus::Declined);
        assert_eq!(after.decline.unwrap().1, "Too dear");
        assert_eq!(w.last_audit(&w.acme).await, ("estimate.declined".into(), "dana@example.test".into()));
        assert_eq!(w.emails(&w.acme).await.last().unwrap(),
            &("estimate_declined".to_owned(), "requests@acme.test".to_owned()));
    }

    /// An answered estimate takes no second answer of any kind, and one past its last day
    /// none at all: each is a `not_open` conflict that writes nothing.
    async fn an_answered_or_expired_estimate_is_a_conflict_and_writes_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let e = seen_as(&w, &dana, EstimateStatus::Pending).await;
        estimates::approve(&w.app, &dana, &e.number, sign_all(&e, "Dana Whitaker")).await.unwrap();
        let expired = seen_as(&w, &dana, EstimateStatus::Expired).await;
        let before = w.snapshot(TABLES).await;
        for number in [&e.number, &expired.number] {
            let err = estimates::approve(&w.app, &dana, number, sign_all(&e, "Someone Else")).await.unwrap_err();
            assert_eq!(err.conflict_reason(), Some("not_open"), "{number}");
            let err = estimates::decline(&w.app, &dana, number, Decline::parse("").unwrap()).await.unwrap_err();
            assert_eq!(err.conflict_reason(), Some("not_open"), "{number}");
            let err = estimates::request_changes(&w.app, &dana, number, ChangeRequest::parse("Hi").unwrap())
                .await.unwrap_err();
            assert_eq!(err.conflict_reason(), Some("not_open"), "{number}");
        }
        assert_eq!(w.snapshot(TABLES).await, before);
        let after = reread(&w, &dana, &e.number).await;
        assert_eq!(after.status, EstimateStatus::Approved);
        assert_eq!(after.approval.unwrap().signed_name, "Dana Whitaker");
    }

    /// Two answers at the same moment (two tabs): the status is compared and set, so one
    /// wins and the other is a conflict, never a second write.
    async fn two_answers_at_once_make_one_write_and_one_conflict(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let e = seen_as(&w, &dana, EstimateStatus::Pending).await;
        let audits = w.rows("audit_events").await;
        let emails = w.rows("email_outbox").await;
        let (a, b) = tokio::join!(
            estimates::approve(&w.app, &dana, &e.number, sign_all(&e, "Dana Whitaker")),
            estimates::decline(&w.app, &dana, &e.number, Decline::parse("No").unwrap()),
        );
        let conflicts = [a.as_ref().err(), b.as_ref().err()]
            .into_iter()
            .flatten()
            .map(|err| err.conflict_reason())
            .collect::<Vec<_>>();
        assert_eq!(conflicts, [Some("not_open")], "{a:?} {b:?}");
        assert_eq!(w.rows("audit_events").await, audits + 1);
        assert_eq!(w.rows("email_outbox").await, emails + 1);
        let status = reread(&w, &dana, &e.number).await.status;
        assert_eq!(status, if a.is_ok() { EstimateStatus::Approved } else { EstimateStatus::Declined });
    }

    /// A site contact may not answer estimates and another account's estimate is not
    /// there for Dana: both are not found, and nothing is written.
    async fn a_site_contact_and_another_accounts_estimate_are_not_found(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let accounts = w.store.accounts_of_login(w.acme.id, dana.login()).await.unwrap();
        let other = accounts.iter().find(|a| a.customer != dana.customer()).expect("Dana has two accounts");
        let scope = ContactScope { customer: other.customer, role: ContactRole::Company, sites: vec![] };
        let today = demo_today();
        let theirs = estimates_of(&w, &scope).await.into_iter()
            .find(|e| e.status_seen(today) == EstimateStatus::Pending)
            .expect("the other account has a pending estimate");
        let sam = w.sam().await;
        let before = w.snapshot(TABLES).await;
        let err = estimates::approve(&w.app, &dana, &theirs.number, sign_all(&theirs, "Dana Whitaker"))
            .await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = estimates::decline(&w.app, &sam, &theirs.number, Decline::parse("").unwrap()).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = estimates::request_changes(&w.app, &sam, &theirs.number, ChangeRequest::parse("Hi").unwrap())
            .await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// A missing or overlong signature, an overlong reason and an empty change request
    /// are refused next to their fields; a total that is not the estimate's (edited
    /// since, or tampered with) is a `total_changed` conflict; none writes anything.
    async fn bad_input_and_a_changed_total_are_refused_and_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let err = Approval::parse("  ", vec![], "100").unwrap_err();
        assert_eq!(err.field, "signed_name");
        assert!(Approval::parse(&"x".repeat(121), vec![], "100").is_err());
        assert_eq!(Decline::parse(&"x".repeat(2001)).unwrap_err().field, "reason");
        assert_eq!(ChangeRequest::parse(" ").unwrap_err().field, "message");
        let dana = w.dana().await;
        let e = seen_as(&w, &dana, EstimateStatus::Pending).await;
        let before = w.snapshot(TABLES).await;
        let chosen = e.optional_ids();
        let wrong = (e.totals_with(&chosen).total_minor + 1).to_string();
        for total in [wrong.as_str(), "", "lots"] {
            let approval = Approval::parse("Dana Whitaker", chosen.clone(), total).unwrap();
            let err = estimates::approve(&w.app, &dana, &e.number, approval).await.unwrap_err();
            assert_eq!(err.conflict_reason(), Some("total_changed"), "{total}");
        }
        assert_eq!(w.snapshot(TABLES).await, before);
        assert_eq!(reread(&w, &dana, &e.number).await.status, EstimateStatus::Pending);
    }
}
