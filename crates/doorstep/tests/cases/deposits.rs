//! `doorstep_app::payments::deposits` and tips (issue 19): approving an estimate with a
//! deposit leaves it approved, deposit due; the deposit's checkout is paid only by the
//! verified webhook (once, however often it comes), held on the estimate, and credited
//! to the job's invoice when the office sends it. A declined or pending estimate, another
//! company's contact, a site contact and a company without online payments are refused
//! with nothing written. A tip on an invoice of a completed job is charged with it and
//! recorded apart from the invoice.

use std::net::{IpAddr, Ipv4Addr};

use doorstep_app::documents::estimates as office_estimates;
use doorstep_app::documents::invoices::{self, InvoiceInput, InvoiceText};
use doorstep_app::estimates::{self, Approval};
use doorstep_app::payments::deposits;
use doorstep_app::payments::online::{self, PayInvoices, PaymentSettingsForm};
use doorstep_app::payments::online_webhook::{self, WebhookOutcome};
use doorstep_app::setup::switches::{self, Switches};
use doorstep_app::{AppError, ContactActor};
use doorstep_core::money::Currency;
use doorstep_core::status::EstimateStatus;
use doorstep_payments::test_processor::CardOutcome;
use doorstep_payments::webhook::sign;
use doorstep_payments::{CheckoutSession, TestProcessor};
use doorstep_testkit::{Backend, both_backends};

use crate::local_time::demo_today;
use crate::world::World;

const TABLES: &[&str] = &[
    "payments",
    "payment_allocations",
    "checkout_sessions",
    "processor_events",
    "estimates",
];
const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// The completed-checkout event the test processor sends for `reference`, signed now.
fn completed(w: &World, reference: &str, amount: i64, event: &str) -> (Vec<u8>, String) {
    let session = CheckoutSession {
        id: TestProcessor::session_id(reference),
        url: None,
        status: "open".into(),
        payment_status: "unpaid".into(),
        amount_total: Some(amount),
        currency: Some("usd".into()),
        payment_intent: None,
        setup_intent: None,
        customer: None,
        client_reference_id: Some(reference.into()),
        metadata: Default::default(),
    };
    let now = doorstep_store::now().unix_timestamp();
    let body = TestProcessor::new().completion_event(&session, CardOutcome::Pays, event, now);
    let secret = online::test_webhook_secret(&w.app, w.acme.id);
    let header = sign(&body, &secret, now);
    (body, header)
}

async fn deliver(w: &World, (body, header): &(Vec<u8>, String)) -> WebhookOutcome {
    online_webhook::handle_webhook(&w.app, &w.acme, body, Some(header), IP)
        .await
        .unwrap()
}

async fn exec(w: &World, sql: &str, number: &str) {
    let id = w.acme.id.0;
    doorstep_store::on_pool!(w.store, p => sqlx::query(sql).bind(id).bind(number).execute(p).await.map(|_| ()))
        .unwrap();
}

/// Dana's pending estimate, asking for `deposit` (`deposit_minor` or
/// `deposit_percent_bp` as the SQL says); its number and the total she signs for.
async fn pending_with_deposit(
    w: &World,
    dana: &ContactActor,
    set: &str,
) -> (String, Approval, i64) {
    let today = demo_today();
    let rows = w
        .store
        .estimates_page(w.acme.id, dana.scope(), None, None, 100)
        .await
        .unwrap();
    let mut found = None;
    for r in rows {
        let e = w
            .store
            .estimate_document(w.acme.id, dana.scope(), &r.number)
            .await
            .unwrap()
            .unwrap();
        if e.status_seen(today) == EstimateStatus::Pending {
            found = Some(e);
            break;
        }
    }
    let e = found.expect("Dana has a pending estimate");
    exec(
        w,
        &format!("UPDATE estimates SET {set} WHERE company_id = $1 AND number = $2"),
        &e.number,
    )
    .await;
    let chosen = e.optional_ids();
    let total = e.totals_with(&chosen).total_minor;
    let approval = Approval::parse("Dana Whitaker", chosen, &total.to_string()).unwrap();
    (e.number, approval, total)
}

async fn deposit_row(w: &World, number: &str) -> (i64, i64, Option<i64>) {
    doorstep_store::on_pool!(w.store, p => sqlx::query_as(
        "SELECT deposit_paid_minor, deposit_applied_minor, deposit_payment_id FROM estimates WHERE company_id = $1 AND number = $2")
        .bind(w.acme.id.0).bind(number).fetch_one(p).await)
    .unwrap()
}

async fn contact_id(w: &World, email: &str) -> i64 {
    doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
        "SELECT id FROM contacts WHERE company_id = $1 AND email = $2")
        .bind(w.acme.id.0).bind(email).fetch_one(p).await)
    .unwrap()
}

both_backends! {
    /// Dana approves an estimate asking 25 %: approved, deposit due (the rule's amount);
    /// the deposit checkout is settled by the verified webhook once (a replay and
    /// another event change nothing), held on the estimate, audited, with a receipt; the
    /// office converts and invoices the job, and sending the invoice credits the deposit.
    async fn a_deposit_is_paid_once_by_the_webhook_and_credited_to_the_jobs_invoice(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let (number, approval, total) = pending_with_deposit(&w, &dana, "deposit_minor = 0, deposit_percent_bp = 2500").await;
        let done = estimates::approve(&w.app, &dana, &number, approval).await.unwrap();
        let due = doorstep_core::deposits::Deposit::Percent(2500).due(total);
        assert!(due > 0);
        assert_eq!((done.status, done.deposit_due_minor), (EstimateStatus::Approved, due));

        let started = deposits::start_deposit(&w.app, &dana, &number).await.unwrap();
        assert!(started.url.starts_with("/pay/test/cs_test_"), "{}", started.url);
        assert_eq!(w.last_audit(&w.acme).await.0, "payment.checkout_opened");
        // The return page before the processor said anything: nothing is paid.
        let state = online::confirm_return(&w.app, &dana, &started.reference).await.unwrap();
        assert_eq!(state.checkout.status, "open");
        assert_eq!(state.checkout.kind, "deposit");
        assert_eq!(deposit_row(&w, &number).await.0, 0);
        // A second tab is refused before the processor.
        let again = deposits::start_deposit(&w.app, &dana, &number).await.unwrap_err();
        assert_eq!(again.conflict_reason(), Some("open_checkout"));

        let payments = w.rows("payments").await;
        let emails = w.emails(&w.acme).await.len();
        let event = completed(&w, &started.reference, due, "evt_deposit");
        assert_eq!(deliver(&w, &event).await, WebhookOutcome::Settled);
        for _ in 0..3 {
            assert_eq!(deliver(&w, &event).await, WebhookOutcome::Duplicate);
        }
        let other = completed(&w, &started.reference, due, "evt_deposit_other");
        assert_eq!(deliver(&w, &other).await, WebhookOutcome::Settled);
        assert_eq!(w.rows("payments").await, payments + 1);
        let (paid, applied, payment) = deposit_row(&w, &number).await;
        assert_eq!((paid, applied), (due, 0));
        assert!(payment.is_some());
        assert_eq!(w.last_audit(&w.acme).await, ("estimate.deposit_paid".to_owned(), "Test processor".to_owned()));
        let mail = w.emails(&w.acme).await;
        assert_eq!(mail.len(), emails + 1);
        assert_eq!(mail.last().unwrap().0, "payment_receipt");
        let paid_again = deposits::start_deposit(&w.app, &dana, &number).await.unwrap_err();
        assert_eq!(paid_again.conflict_reason(), Some("deposit_paid"));

        // The office converts, invoices and sends: the deposit reaches the invoice.
        let oscar = w.oscar().await;
        let job = office_estimates::convert(&w.app, &oscar, &number).await.unwrap();
        let input = InvoiceInput::parse(&InvoiceText::default(), demo_today()).unwrap();
        let inv = invoices::create(&w.app, &oscar, input, Some(&job)).await.unwrap();
        let draft = w.store.office_invoice(w.acme.id, &inv).await.unwrap().unwrap();
        assert_eq!(draft.detail.row.paid_minor, 0, "a draft takes nothing yet");
        invoices::send(&w.app, &oscar, &inv, Some(contact_id(&w, "dana@example.test").await), None).await.unwrap();
        let sent = w.store.office_invoice(w.acme.id, &inv).await.unwrap().unwrap();
        assert_eq!(sent.detail.row.paid_minor, due);
        assert_eq!(sent.detail.row.balance_minor(), sent.detail.row.total_minor - due);
        assert_eq!(deposit_row(&w, &number).await.1, due);
        let lines = w.store.payments_of_invoice(w.acme.id, sent.detail.id).await.unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].amount_minor, due);
        assert!(lines[0].reference.contains(&number), "{}", lines[0].reference);
        let actions: Vec<String> = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT action FROM audit_events WHERE company_id = $1 ORDER BY id DESC LIMIT 3")
            .bind(w.acme.id.0).fetch_all(p).await).unwrap();
        assert!(actions.iter().any(|a| a == "invoice.deposit_applied"), "{actions:?}");
    }

    /// Refused with nothing written: a pending estimate (not approved), a declined one,
    /// a fixed deposit's estimate for another company's contact, a site contact, payments
    /// switched off, and a company without a processor.
    async fn a_deposit_is_refused_where_it_is_not_due_or_not_theirs(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let (number, approval, _) = pending_with_deposit(&w, &dana, "deposit_minor = 50000").await;
        let before = w.snapshot(TABLES).await;
        let e = deposits::start_deposit(&w.app, &dana, &number).await.unwrap_err();
        assert_eq!(e.conflict_reason(), Some("not_approved"));
        assert_eq!(w.snapshot(TABLES).await, before);

        let sam = w.sam().await;
        assert!(matches!(deposits::start_deposit(&w.app, &sam, &number).await, Err(AppError::NotFound)));
        let bolt = w.contact("bolt", "dana@example.test").await;
        assert!(matches!(deposits::start_deposit(&w.app, &bolt, &number).await, Err(AppError::NotFound)));
        assert!(matches!(deposits::start_deposit(&w.app, &dana, "E-9999").await, Err(AppError::NotFound)));
        assert_eq!(w.snapshot(TABLES).await, before);

        estimates::approve(&w.app, &dana, &number, approval).await.unwrap();
        // Payments switched off for contacts: not found.
        exec(&w, "UPDATE companies SET settings = REPLACE(settings, '\"can_make_payment\":true', '\"can_make_payment\":false') WHERE id = $1 AND $2 <> ''", "x").await;
        let off = w.dana().await;
        let before = w.snapshot(TABLES).await;
        assert!(matches!(deposits::start_deposit(&w.app, &off, &number).await, Err(AppError::NotFound)));
        assert_eq!(w.snapshot(TABLES).await, before);
        exec(&w, "UPDATE companies SET settings = REPLACE(settings, '\"can_make_payment\":false', '\"can_make_payment\":true') WHERE id = $1 AND $2 <> ''", "x").await;
        // No processor: a clear conflict.
        let olivia = w.olivia().await;
        online::configure(&w.app, olivia.admin().unwrap(), &PaymentSettingsForm { processor: "none".into(), ..Default::default() }).await.unwrap();
        let before_none = w.snapshot(TABLES).await;
        let e = deposits::start_deposit(&w.app, &dana, &number).await.unwrap_err();
        assert_eq!(e.conflict_reason(), Some("not_configured"));
        assert_eq!(w.snapshot(TABLES).await, before_none);

        // A declined estimate has no deposit due.
        online::configure(&w.app, olivia.admin().unwrap(), &PaymentSettingsForm { processor: "test".into(), ..Default::default() }).await.unwrap();
        exec(&w, "UPDATE estimates SET status = 'declined' WHERE company_id = $1 AND number = $2", &number).await;
        let before = w.snapshot(TABLES).await;
        let e = deposits::start_deposit(&w.app, &dana, &number).await.unwrap_err();
        assert_eq!(e.conflict_reason(), Some("not_approved"));
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// With tips switched on, Dana pays an invoice of a completed job with 15 %: the
    /// checkout charges the balance and the tip; the webhook pays the invoice its
    /// balance only and records the tip apart on the payment. Tips are refused when
    /// switched off, on a job not completed, and above the amount paid.
    async fn a_tip_is_charged_with_the_invoice_and_recorded_apart(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        doorstep_store::on_pool!(w.store, p => sqlx::query("UPDATE customers SET credit_minor = 0 WHERE id = $1")
            .bind(dana.customer().0).execute(p).await.map(|_| ())).unwrap();
        let open = w.store.open_invoices_of_payer(w.acme.id, dana.customer()).await.unwrap();
        let inv = open.iter().find(|i| i.balance_minor() > 0).unwrap().clone();
        let job_of: Option<i64> = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT job_id FROM invoices WHERE company_id = $1 AND number = $2")
            .bind(w.acme.id.0).bind(&inv.number).fetch_one(p).await).unwrap();
        let job_of = job_of.expect("the demo's open invoice is for a job");
        let tipped = |choice: &str, typed: &str| {
            PayInvoices::parse(std::slice::from_ref(&inv.number), "", Currency::USD).unwrap()
                .with_tip(choice, typed, Currency::USD).unwrap()
        };
        // Switched off: refused.
        let before = w.snapshot(TABLES).await;
        let e = online::start_checkout(&w.app, &dana, tipped("15", "")).await.unwrap_err();
        assert_eq!(e.invalid().map(|i| i.field), Some("tip"));
        assert_eq!(w.snapshot(TABLES).await, before);
        let olivia = w.olivia().await;
        switches::save(&w.app, olivia.admin().unwrap(), Switches::parse(|k| k != "allow_self_sign_up")).await.unwrap();
        let dana = w.dana().await;
        let before = w.snapshot(TABLES).await;
        // The job not completed: refused.
        doorstep_store::on_pool!(w.store, p => sqlx::query("UPDATE jobs SET status = 'scheduled' WHERE id = $1")
            .bind(job_of).execute(p).await.map(|_| ())).unwrap();
        let e = online::start_checkout(&w.app, &dana, tipped("15", "")).await.unwrap_err();
        assert_eq!(e.invalid().map(|i| i.field), Some("tip"));
        doorstep_store::on_pool!(w.store, p => sqlx::query("UPDATE jobs SET status = 'completed' WHERE id = $1")
            .bind(job_of).execute(p).await.map(|_| ())).unwrap();
        // Above the amount paid: refused; a preset not offered: refused at parse.
        let too_much = format!("{}.00", inv.balance_minor() / 100 + 1);
        let e = online::start_checkout(&w.app, &dana, tipped("amount", &too_much)).await.unwrap_err();
        assert_eq!(e.invalid().map(|i| i.field), Some("tip_amount"));
        assert!(PayInvoices::parse(std::slice::from_ref(&inv.number), "", Currency::USD).unwrap().with_tip("17", "", Currency::USD).is_err());
        let two = vec![open[0].number.clone(), open[1].number.clone()];
        assert!(PayInvoices::parse(&two, "", Currency::USD).unwrap().with_tip("15", "", Currency::USD).is_err());
        assert_eq!(w.snapshot(TABLES).await, before);

        let tip = doorstep_core::deposits::Tip::Percent(15).amount(inv.balance_minor());
        let started = online::start_checkout(&w.app, &dana, tipped("15", "")).await.unwrap();
        let state = online::confirm_return(&w.app, &dana, &started.reference).await.unwrap();
        assert_eq!((state.checkout.tip_minor, state.checkout.charge_minor()), (tip, inv.balance_minor() + tip));
        let event = completed(&w, &started.reference, inv.balance_minor() + tip, "evt_tip");
        assert_eq!(deliver(&w, &event).await, WebhookOutcome::Settled);
        assert_eq!(deliver(&w, &event).await, WebhookOutcome::Duplicate);
        let (status, paid, total): (String, i64, i64) = doorstep_store::on_pool!(w.store, p => sqlx::query_as(
            "SELECT status, paid_minor, total_minor FROM invoices WHERE company_id = $1 AND number = $2")
            .bind(w.acme.id.0).bind(&inv.number).fetch_one(p).await).unwrap();
        assert_eq!((status.as_str(), paid), ("paid", total), "the tip is not applied to the invoice");
        let (amount, tip_minor): (i64, i64) = doorstep_store::on_pool!(w.store, p => sqlx::query_as(
            "SELECT amount_minor, tip_minor FROM payments WHERE company_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(w.acme.id.0).fetch_one(p).await).unwrap();
        assert_eq!((amount, tip_minor), (inv.balance_minor(), tip));
        let credit: i64 = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT credit_minor FROM customers WHERE id = $1").bind(dana.customer().0).fetch_one(p).await).unwrap();
        assert_eq!(credit, 0, "the tip is not account credit either");
        let after = online::confirm_return(&w.app, &dana, &started.reference).await.unwrap();
        let receipt = w.store.payment_receipt(w.acme.id, None, &after.checkout.payment_number.unwrap()).await.unwrap().unwrap();
        assert_eq!((receipt.row.tip_minor, receipt.unapplied_minor()), (tip, 0));
        assert_eq!(w.last_audit(&w.acme).await.0, "payment.online");
    }
}
