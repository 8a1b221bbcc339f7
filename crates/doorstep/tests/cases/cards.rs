//! `doorstep_app::payments::cards` and `autopay`: a card is saved only through the
//! processor's setup webhook (the test processor's TEST MODE page sends it), once; the
//! default moves with autopay; removing the default stops autopay; site contacts,
//! another company and a company with payments switched off are refused and write
//! nothing. The autopay sweep charges an invoice due today once, records the payment and
//! the receipt; a declined card emails the account and lists the invoice for the office.

use doorstep_app::payments::autopay::{AutopayRun, run_autopay};
use doorstep_app::payments::cards::{self, MethodChoice};
use doorstep_app::{AppError, ContactActor};
use doorstep_core::local_time::today;
use doorstep_store::saved_methods::SavedMethodRow;
use doorstep_testkit::{Backend, both_backends};

use crate::world::World;

const TABLES: &[&str] = &[
    "payment_methods",
    "method_setups",
    "processor_customers",
    "processor_events",
    "autopay_charges",
    "payments",
];

async fn methods(w: &World, who: &ContactActor) -> Vec<SavedMethodRow> {
    w.store
        .saved_methods(w.acme.id, who.customer())
        .await
        .unwrap()
}

/// Dana saves the card `card` through the test setup page; the methods after.
async fn add_card(w: &World, dana: &ContactActor, card: &str) -> Vec<SavedMethodRow> {
    let url = cards::start_setup(&w.app, dana).await.unwrap();
    let session = url
        .strip_prefix("/payment-methods/test/")
        .unwrap()
        .to_owned();
    cards::complete_test_setup(&w.app, dana, &session, card)
        .await
        .unwrap();
    methods(w, dana).await
}

fn choose(m: &SavedMethodRow) -> MethodChoice {
    MethodChoice::parse(&m.id.to_string()).unwrap()
}

both_backends! {
    /// The TEST MODE page saves the card through the setup webhook: the processor's
    /// customer once, the method with its brand, last 4 and expiry (not the default: the
    /// demo's card stays so), audited; completing the page again adds nothing; a declined
    /// card and a wrong number save nothing.
    async fn a_card_is_saved_through_the_setup_webhook_once(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let before = methods(&w, &dana).await;
        let url = cards::start_setup(&w.app, &dana).await.unwrap();
        assert!(url.starts_with("/payment-methods/test/cs_test_setup-"), "{url}");
        assert_eq!(w.last_audit(&w.acme).await.0, "payment_method.setup_opened");
        let session = url.trim_start_matches("/payment-methods/test/").to_owned();
        // A declined card and a wrong number: the page says why, nothing is saved.
        let snap = w.snapshot(TABLES).await;
        let e = cards::complete_test_setup(&w.app, &dana, &session, "4000 0000 0000 0002").await.unwrap_err();
        assert_eq!(e.invalid().map(|i| i.field), Some("card"));
        assert!(e.invalid().unwrap().message.contains("declined"), "{e:?}");
        let e = cards::complete_test_setup(&w.app, &dana, &session, "1234").await.unwrap_err();
        assert_eq!(e.invalid().map(|i| i.field), Some("card"));
        assert_eq!(w.snapshot(TABLES).await, snap);

        cards::complete_test_setup(&w.app, &dana, &session, "4242 4242 4242 4242").await.unwrap();
        let after = methods(&w, &dana).await;
        assert_eq!(after.len(), before.len() + 1);
        let added = after.iter().find(|m| m.processor == "test").unwrap();
        assert_eq!((added.brand.as_str(), added.last4.as_str()), ("Visa", "4242"));
        assert!(added.processor_ref.starts_with("pm_test_4242_"));
        assert_eq!(added.exp_month, Some(12));
        assert!(added.exp_year.is_some());
        assert!(!added.is_default, "the demo's default card stays the default");
        assert_eq!(w.last_audit(&w.acme).await, ("payment_method.added".into(), "Test processor".into()));
        // The page is complete: submitting it again changes nothing.
        let snap = w.snapshot(TABLES).await;
        cards::complete_test_setup(&w.app, &dana, &session, "4242 4242 4242 4242").await.unwrap();
        assert_eq!(w.snapshot(TABLES).await, snap);
        // A second card reuses the processor's customer.
        add_card(&w, &dana, "4000 0000 0000 0341").await;
        assert_eq!(w.rows("processor_customers").await, 1);
        assert_eq!(methods(&w, &dana).await.len(), before.len() + 2);
    }

    /// Default and autopay: autopay needs a default the company's processor holds; it
    /// moves with the default; removing the default card stops it.
    async fn default_autopay_and_remove(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let all = add_card(&w, &dana, "4242424242424242").await;
        let demo_default = all.iter().find(|m| m.is_default).unwrap().clone();
        let mine = all.iter().find(|m| m.processor == "test").unwrap().clone();
        // The demo's default card was saved with another processor: autopay refuses it.
        let snap = w.snapshot(TABLES).await;
        let e = cards::set_autopay(&w.app, &dana, true).await.unwrap_err();
        assert_eq!(e.conflict_reason(), Some("unusable"), "{e:?}");
        assert_eq!(w.snapshot(TABLES).await, snap);

        assert_eq!(cards::set_default(&w.app, &dana, choose(&mine)).await.unwrap(), "Visa ending 4242");
        assert_eq!(w.last_audit(&w.acme).await.0, "payment_method.default_set");
        let now = methods(&w, &dana).await;
        assert_eq!(now.iter().filter(|m| m.is_default).count(), 1);
        assert!(now.iter().find(|m| m.id == mine.id).unwrap().is_default);

        cards::set_autopay(&w.app, &dana, true).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "autopay.enabled");
        assert!(cards::saved_methods(&w.app, &dana).await.unwrap().autopay);
        // Autopay cannot move to a card the processor does not hold.
        let snap = w.snapshot(TABLES).await;
        let e = cards::set_default(&w.app, &dana, choose(&demo_default)).await.unwrap_err();
        assert_eq!(e.conflict_reason(), Some("unusable"), "{e:?}");
        assert_eq!(w.snapshot(TABLES).await, snap);
        // It moves with the default to another test card.
        let all = add_card(&w, &dana, "4000000000000341").await;
        let second = all.iter().find(|m| m.last4 == "0341").unwrap().clone();
        cards::set_default(&w.app, &dana, choose(&second)).await.unwrap();
        let now = methods(&w, &dana).await;
        let d = now.iter().find(|m| m.is_default).unwrap();
        assert_eq!((d.id, d.autopay), (second.id, true));
        assert!(now.iter().filter(|m| m.autopay).count() == 1);
        // Off, then on again.
        cards::set_autopay(&w.app, &dana, false).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "autopay.disabled");
        cards::set_autopay(&w.app, &dana, true).await.unwrap();
        // Removing the default card stops autopay and leaves no default.
        let removed = cards::remove_method(&w.app, &dana, choose(&second)).await.unwrap();
        assert!(removed.autopay_stopped);
        assert_eq!(removed.label, "Visa ending 0341");
        assert_eq!(w.last_audit(&w.acme).await.0, "payment_method.removed");
        let now = methods(&w, &dana).await;
        assert!(now.iter().all(|m| m.id != second.id && !m.is_default && !m.autopay));
        let snap = w.snapshot(TABLES).await;
        let e = cards::set_autopay(&w.app, &dana, true).await.unwrap_err();
        assert_eq!(e.conflict_reason(), Some("no_default"), "{e:?}");
        assert_eq!(w.snapshot(TABLES).await, snap);
    }

    /// A site contact, another company's contact, a contact once payments are switched
    /// off, a bad choice: refused, nothing written.
    async fn refusals_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let all = add_card(&w, &dana, "4242424242424242").await;
        let mine = all.iter().find(|m| m.processor == "test").unwrap().clone();
        let snap = w.snapshot(TABLES).await;

        let sam = w.sam().await;
        assert!(matches!(cards::saved_methods(&w.app, &sam).await, Err(AppError::NotFound)));
        assert!(matches!(cards::start_setup(&w.app, &sam).await, Err(AppError::NotFound)));
        assert!(matches!(cards::set_default(&w.app, &sam, choose(&mine)).await, Err(AppError::NotFound)));
        assert!(matches!(cards::remove_method(&w.app, &sam, choose(&mine)).await, Err(AppError::NotFound)));
        assert!(matches!(cards::set_autopay(&w.app, &sam, true).await, Err(AppError::NotFound)));

        // Dana of another company cannot reach Acme's card, nor its setup page.
        let other = w.contact("bolt", "dana@example.test").await;
        assert!(matches!(cards::set_default(&w.app, &other, choose(&mine)).await, Err(AppError::NotFound)));
        assert!(matches!(cards::remove_method(&w.app, &other, choose(&mine)).await, Err(AppError::NotFound)));
        let url = cards::start_setup(&w.app, &dana).await.unwrap();
        let snap2 = w.snapshot(TABLES).await;
        let session = url.trim_start_matches("/payment-methods/test/");
        assert!(cards::complete_test_setup(&w.app, &other, session, "4242424242424242").await.is_err());
        assert!(cards::test_setup(&w.app, &other, session).await.is_err());
        assert_eq!(w.snapshot(TABLES).await, snap2);

        // Payments switched off: every use case refuses.
        let mut settings = w.acme.settings.clone();
        settings.can_make_payment = false;
        let mut tx = w.store.begin().await.unwrap();
        tx.set_company_settings(w.acme.id, &settings).await.unwrap();
        tx.commit().await.unwrap();
        let off = w.dana().await;
        let snap3 = w.snapshot(TABLES).await;
        assert!(matches!(cards::saved_methods(&w.app, &off).await, Err(AppError::NotFound)));
        assert!(matches!(cards::start_setup(&w.app, &off).await, Err(AppError::NotFound)));
        assert!(matches!(cards::set_default(&w.app, &off, choose(&mine)).await, Err(AppError::NotFound)));
        assert!(matches!(cards::remove_method(&w.app, &off, choose(&mine)).await, Err(AppError::NotFound)));
        assert!(matches!(cards::set_autopay(&w.app, &off, true).await, Err(AppError::NotFound)));
        assert!(matches!(cards::complete_test_setup(&w.app, &off, session, "4242424242424242").await, Err(AppError::NotFound)));
        assert_eq!(w.snapshot(TABLES).await, snap3);
        assert!(MethodChoice::parse("x").is_err());
        assert!(MethodChoice::parse("-3").is_err());
        let _ = snap;
    }

    /// The sweep charges Dana's invoice due today once (a second sweep finds it taken),
    /// records the payment and queues the receipt; with the card whose charges fail it
    /// emails her, lists the invoice for the office and leaves it unpaid.
    async fn the_sweep_charges_once_and_a_decline_is_followed_up(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let all = add_card(&w, &dana, "4242424242424242").await;
        let mine = all.iter().find(|m| m.processor == "test").unwrap().clone();
        cards::set_default(&w.app, &dana, choose(&mine)).await.unwrap();
        cards::set_autopay(&w.app, &dana, true).await.unwrap();
        let now = doorstep_store::now();
        let day = today(&w.acme.time_zone, now);
        let open = w.store.open_invoices_of_payer(w.acme.id, dana.customer()).await.unwrap();
        let (first, second) = (&open[0], &open[1]);
        let due = |number: String| {
            let store = w.store.clone();
            let company = w.acme.id.0;
            async move {
                doorstep_store::on_pool!(store, p => sqlx::query("UPDATE invoices SET due_on = $1 WHERE company_id = $2 AND number = $3")
                    .bind(day).bind(company).bind(&number).execute(p).await.map(|_| ())).unwrap();
            }
        };
        due(first.number.clone()).await;
        let payments = w.rows("payments").await;
        let run = run_autopay(&w.app, now).await.unwrap();
        assert_eq!(run, AutopayRun { paid: 1, failed: 0, retried: 0 });
        let status: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT status FROM invoices WHERE company_id = $1 AND number = $2")
            .bind(w.acme.id.0).bind(&first.number).fetch_one(p).await).unwrap();
        assert_eq!(status, "paid");
        assert_eq!(w.rows("payments").await, payments + 1);
        assert_eq!(w.last_audit(&w.acme).await.0, "payment.autopay");
        assert_eq!(w.emails(&w.acme).await.last().unwrap().0, "payment_receipt");
        // Again (this node or another): nothing more.
        assert_eq!(run_autopay(&w.app, now).await.unwrap(), AutopayRun::default());
        assert_eq!(w.rows("payments").await, payments + 1);

        // The card whose charges fail, on the second invoice.
        let all = add_card(&w, &dana, "4000000000000341").await;
        let failing = all.iter().find(|m| m.last4 == "0341").unwrap().clone();
        cards::set_default(&w.app, &dana, choose(&failing)).await.unwrap();
        due(second.number.clone()).await;
        let run = run_autopay(&w.app, now).await.unwrap();
        assert_eq!(run, AutopayRun { paid: 0, failed: 1, retried: 0 });
        assert_eq!(w.rows("payments").await, payments + 1);
        assert_eq!(w.last_audit(&w.acme).await.0, "payment.autopay_failed");
        let (kind, to) = w.emails(&w.acme).await.last().unwrap().clone();
        assert_eq!((kind.as_str(), to.as_str()), ("autopay_failed", "dana@example.test"));
        let failures = w.store.autopay_failures(w.acme.id, None, 10).await.unwrap();
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].invoice_number, second.number);
        assert_eq!(failures[0].failure, "Your card was declined.");
        assert_eq!(failures[0].method_label, "Visa ending 0341");
        assert_eq!(run_autopay(&w.app, now).await.unwrap(), AutopayRun::default());
        // Another company sees none of it.
        let bolt = w.company("bolt").await;
        assert!(w.store.autopay_failures(bolt.id, None, 10).await.unwrap().is_empty());
    }
}
