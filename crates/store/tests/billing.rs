//! Estimates, invoices, the statement and the dashboard's reads, on both engines: every
//! read stays inside its account, and answers to an estimate happen once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use doorstep_core::ageing::AgeBucket;
use doorstep_core::authz::ContactScope;
use doorstep_core::ids::{CompanyId, ContactId, CustomerId, EstimateId, SiteId};
use doorstep_core::status::{ContactRole, EstimateStatus, InvoiceState, InvoiceStatus};
use doorstep_store::Store;
use doorstep_store::billing::{NewEstimate, NewInvoice};
use doorstep_store::companies::NewCompany;
use doorstep_store::contacts::NewContact;
use doorstep_store::customers::{NewCustomer, NewSite};
use doorstep_store::estimates::{Answerer, ApproveEstimate};
use doorstep_store::jobs::{LineOwner, NewLine};
use doorstep_testkit::{Backend, both_backends, fresh_database};
use time::{Date, Duration, OffsetDateTime};

struct World {
    _db: doorstep_testkit::TestDb,
    store: Store,
    company: CompanyId,
    mine: ContactScope,
    other: ContactScope,
    site: SiteId,
    contact: ContactId,
    today: Date,
}

fn line(description: &str, price: i64, optional: bool) -> NewLine {
    NewLine {
        catalogue_item: None,
        kind: "service".into(),
        description: description.into(),
        quantity_milli: 1000,
        unit_price_minor: price,
        tax_name: Some("Sales tax".into()),
        tax_rate_bp: 1000,
        is_optional: optional,
        is_selected: !optional,
    }
}

fn estimate(
    customer: CustomerId,
    number: &str,
    status: EstimateStatus,
    issued: Date,
    expires: Option<Date>,
) -> NewEstimate {
    NewEstimate {
        customer,
        site: None,
        number: number.into(),
        title: format!("Estimate {number}"),
        scope: "Scope of work".into(),
        status,
        issued_on: issued,
        expires_on: expires,
        deposit_minor: 0,
        total_minor: 11_000,
        approval: None,
        decline: None,
        converted_job: None,
    }
}

fn invoice(
    customer: CustomerId,
    number: &str,
    status: InvoiceStatus,
    due: Date,
    total: i64,
    paid: i64,
) -> NewInvoice {
    NewInvoice {
        customer,
        site: None,
        job: None,
        number: number.into(),
        status,
        issued_on: due - Duration::days(30),
        due_on: due,
        total_minor: total,
        paid_minor: paid,
        notes: String::new(),
        paid_at: None,
        voided_at: None,
    }
}

async fn world(backend: Backend) -> World {
    let db = fresh_database(backend).await;
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let today = OffsetDateTime::now_utc().date();
    let mut tx = store.begin().await.unwrap();
    let company = tx
        .create_company(&NewCompany {
            slug: "acme".into(),
            name: "Acme".into(),
            currency: "USD".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let mine = tx
        .insert_customer(
            company,
            &NewCustomer {
                number: "C-1".into(),
                name: "Mine".into(),
                credit_minor: 2_500,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let other = tx
        .insert_customer(
            company,
            &NewCustomer {
                number: "C-2".into(),
                name: "Other".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let site = tx
        .insert_site(
            company,
            &NewSite {
                customer: Some(mine),
                name: "Home".into(),
                line1: "1 Elm".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let contact = tx
        .insert_contact(
            company,
            &NewContact {
                customer: mine,
                login: None,
                first_name: "Dana".into(),
                last_name: "W".into(),
                email: None,
                phone: String::new(),
                role: ContactRole::Company,
                is_primary: true,
                is_billing: true,
                portal_enabled: false,
            },
        )
        .await
        .unwrap();
    // Estimates: three of mine (one draft), one expired-by-date, one of the other account.
    for (n, status, days, expires) in [
        ("E-1", EstimateStatus::Pending, -3, Some(10)),
        ("E-2", EstimateStatus::Approved, -20, Some(10)),
        ("E-3", EstimateStatus::Draft, -1, None),
        ("E-4", EstimateStatus::Pending, -40, Some(-1)),
    ] {
        let id = tx
            .insert_estimate(
                company,
                &estimate(
                    mine,
                    n,
                    status,
                    today + Duration::days(days),
                    expires.map(|d| today + Duration::days(d)),
                ),
            )
            .await
            .unwrap();
        tx.insert_lines(
            company,
            LineOwner::Estimate(id),
            &[line("Fixed", 10_000, false), line("Option", 5_000, true)],
        )
        .await
        .unwrap();
    }
    tx.insert_estimate(
        company,
        &estimate(other, "E-9", EstimateStatus::Pending, today, None),
    )
    .await
    .unwrap();
    // Invoices: one not yet due, one 45 days overdue part-paid, one paid, one void, one draft; the other's.
    for (n, status, due, total, paid) in [
        ("I-1", InvoiceStatus::Unpaid, 10, 10_000, 0),
        ("I-2", InvoiceStatus::Unpaid, -45, 8_000, 3_000),
        ("I-3", InvoiceStatus::Paid, -60, 4_000, 4_000),
        ("I-4", InvoiceStatus::Void, -70, 1_000, 0),
        ("I-5", InvoiceStatus::Draft, 5, 9_999, 0),
    ] {
        let id = tx
            .insert_invoice(
                company,
                &invoice(mine, n, status, today + Duration::days(due), total, paid),
            )
            .await
            .unwrap();
        tx.insert_lines(
            company,
            LineOwner::Invoice(id),
            &[line("Work", total, false)],
        )
        .await
        .unwrap();
    }
    tx.insert_invoice(
        company,
        &invoice(
            other,
            "I-9",
            InvoiceStatus::Unpaid,
            today - Duration::days(100),
            7_700,
            0,
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let scope = |customer| ContactScope {
        customer,
        role: ContactRole::Company,
        sites: vec![],
    };
    World {
        _db: db,
        store,
        company,
        mine: scope(mine),
        other: scope(other),
        site,
        contact,
        today,
    }
}

fn answerer(w: &World) -> Answerer {
    Answerer {
        contact: w.contact,
        ip: "198.51.100.4".into(),
        at: doorstep_store::now(),
        today: w.today,
    }
}

async fn approve(w: &World, id: EstimateId, chosen: Vec<i64>, optional: Vec<i64>) -> bool {
    let doc = w
        .store
        .estimate_document(w.company, &w.mine, "E-1")
        .await
        .unwrap()
        .unwrap();
    let approval = ApproveEstimate {
        signed_name: "Dana Whitaker".into(),
        totals: doc.totals_with(&chosen),
        chosen,
        optional,
        options_json: "[]".into(),
    };
    let mut tx = w.store.begin().await.unwrap();
    let done = tx
        .approve_estimate(
            w.company,
            &w.mine,
            (id, EstimateStatus::Pending),
            &approval,
            &answerer(w),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    done
}

both_backends! {
    async fn estimate_lists_page_by_keyset_and_hide_drafts_and_other_accounts(backend: Backend) {
        let w = world(backend).await;
        let first = w.store.estimates_page(w.company, &w.mine, None, None, 2).await.unwrap();
        let numbers: Vec<&str> = first.iter().map(|e| e.number.as_str()).collect();
        assert_eq!(numbers, ["E-1", "E-2"]);
        let last = first.last().unwrap();
        let rest = w.store.estimates_page(w.company, &w.mine, None, Some((last.issued_on, last.id)), 2).await.unwrap();
        assert_eq!(rest.iter().map(|e| e.number.as_str()).collect::<Vec<_>>(), ["E-4"]);
        assert_eq!(rest[0].status_seen(w.today), EstimateStatus::Expired, "pending past its last day reads as expired");
        let open = w.store.estimates_page(w.company, &w.mine, Some(w.today), None, 10).await.unwrap();
        assert_eq!(open.iter().map(|e| e.number.as_str()).collect::<Vec<_>>(), ["E-1"]);
        assert!(w.store.estimate_document(w.company, &w.mine, "E-9").await.unwrap().is_none(), "another account's number");
        assert!(w.store.estimate_document(w.company, &w.mine, "E-3").await.unwrap().is_none(), "a draft");
        assert_eq!(w.store.estimates_page(w.company, &w.other, None, None, 10).await.unwrap().len(), 1);
        let site_contact = ContactScope { customer: w.mine.customer, role: ContactRole::Site, sites: vec![w.site] };
        assert!(w.store.estimate_document(w.company, &site_contact, "E-1").await.unwrap().is_none(), "not at the site contact's site");
    }

    async fn an_approval_records_the_signature_and_amounts_and_happens_once(backend: Backend) {
        let w = world(backend).await;
        let doc = w.store.estimate_document(w.company, &w.mine, "E-1").await.unwrap().unwrap();
        let optional = doc.optional_ids();
        assert_eq!(doc.totals().total_minor, 11_000);
        assert_eq!(doc.totals_with(&optional).total_minor, 16_500);
        assert!(approve(&w, doc.id, optional.clone(), optional.clone()).await);
        let after = w.store.estimate_document(w.company, &w.mine, "E-1").await.unwrap().unwrap();
        assert_eq!(after.status, EstimateStatus::Approved);
        let a = after.approval.clone().unwrap();
        assert_eq!((a.signed_name.as_str(), a.ip.as_str()), ("Dana Whitaker", "198.51.100.4"));
        assert_eq!((a.subtotal_minor, a.tax_minor, a.total_minor), (Some(15_000), Some(1_500), Some(16_500)));
        assert!(after.lines.iter().all(|l| l.is_selected), "the ticked option is kept on the line");
        assert!(!approve(&w, doc.id, vec![], optional.clone()).await, "a second approval changes nothing");
        let mut tx = w.store.begin().await.unwrap();
        assert!(!tx.decline_estimate(w.company, &w.mine, (doc.id, EstimateStatus::Pending), "late", &answerer(&w)).await.unwrap());
        tx.commit().await.unwrap();
        let still = w.store.estimate_document(w.company, &w.mine, "E-1").await.unwrap().unwrap();
        assert_eq!(still.approval.unwrap().total_minor, Some(16_500));
    }

    async fn declines_expired_estimates_and_other_accounts_are_refused(backend: Backend) {
        let w = world(backend).await;
        let expired = w.store.estimate_document(w.company, &w.mine, "E-4").await.unwrap().unwrap();
        let mut tx = w.store.begin().await.unwrap();
        assert!(!tx.decline_estimate(w.company, &w.mine, (expired.id, expired.status), "", &answerer(&w)).await.unwrap(), "expired");
        assert!(!tx.request_estimate_changes(w.company, &w.mine, (expired.id, expired.status), "hi", &answerer(&w)).await.unwrap());
        let pending = w.store.estimate_document(w.company, &w.mine, "E-1").await.unwrap().unwrap();
        assert!(!tx.decline_estimate(w.company, &w.other, (pending.id, pending.status), "", &answerer(&w)).await.unwrap(), "another account");
        assert!(!tx.decline_estimate(w.company, &w.mine, (pending.id, EstimateStatus::Approved), "", &answerer(&w)).await.unwrap(), "not the status read");
        assert!(!tx.request_estimate_changes(w.company, &w.mine, (pending.id, EstimateStatus::Declined), "hi", &answerer(&w)).await.unwrap(), "not the status read");
        assert!(tx.request_estimate_changes(w.company, &w.mine, (pending.id, pending.status), "Could you quote brass valves?", &answerer(&w)).await.unwrap());
        assert!(tx.decline_estimate(w.company, &w.mine, (pending.id, EstimateStatus::Pending), "Too dear", &answerer(&w)).await.unwrap());
        tx.commit().await.unwrap();
        let doc = w.store.estimate_document(w.company, &w.mine, "E-1").await.unwrap().unwrap();
        assert_eq!(doc.status, EstimateStatus::Declined);
        assert_eq!(doc.decline.unwrap().1, "Too dear");
        let messages = w.store.estimate_messages(w.company, &w.mine, doc.id).await.unwrap();
        assert_eq!(messages.len(), 1);
        assert!(messages[0].0);
    }

    async fn invoices_show_paid_and_void_only_when_asked_and_the_statement_ages_open_ones(backend: Backend) {
        let w = world(backend).await;
        let all = w.store.invoices_page(w.company, &w.mine, true, None, 10).await.unwrap();
        assert_eq!(all.iter().map(|i| i.number.as_str()).collect::<Vec<_>>(), ["I-1", "I-2", "I-3", "I-4"]);
        let open = w.store.invoices_page(w.company, &w.mine, false, None, 10).await.unwrap();
        assert_eq!(open.iter().map(|i| i.number.as_str()).collect::<Vec<_>>(), ["I-1", "I-2"]);
        let page2 = w.store.invoices_page(w.company, &w.mine, true, Some((all[1].issued_on, all[1].id)), 10).await.unwrap();
        assert_eq!(page2.iter().map(|i| i.number.as_str()).collect::<Vec<_>>(), ["I-3", "I-4"]);
        assert_eq!(all[1].state(w.today), InvoiceState::Overdue);
        assert_eq!(all[1].balance_minor(), 5_000);
        assert!(w.store.invoice_document(w.company, &w.mine, "I-3", false).await.unwrap().is_none());
        let paid = w.store.invoice_document(w.company, &w.mine, "I-3", true).await.unwrap().unwrap();
        assert_eq!(paid.totals().subtotal_minor, 4_000);
        assert_eq!(paid.lines.len(), 1);
        assert!(w.store.invoice_document(w.company, &w.mine, "I-9", true).await.unwrap().is_none());
        assert!(w.store.invoice_document(w.company, &w.mine, "I-5", true).await.unwrap().is_none(), "a draft");
        let s = w.store.statement(w.company, &w.mine, w.today).await.unwrap().unwrap();
        assert_eq!(s.open.len(), 2);
        assert_eq!(s.ageing.total, 15_000);
        assert_eq!(s.ageing.amount(AgeBucket::Current), 10_000);
        assert_eq!(s.ageing.amount(AgeBucket::Days31To60), 5_000);
        assert_eq!(s.credit_minor, 2_500);
    }

    async fn dashboard_reads_stay_inside_the_account(backend: Backend) {
        let w = world(backend).await;
        let now = doorstep_store::now();
        let mut tx = w.store.begin().await.unwrap();
        tx.insert_payment_method(w.company, &doorstep_store::billing::NewPaymentMethod {
            customer: w.mine.customer, processor: "stripe".into(), processor_ref: "pm_1".into(), kind: "card".into(),
            brand: "Visa".into(), last4: "4242".into(), exp_month: Some(4), exp_year: Some(2031), is_default: true, autopay: false,
        }).await.unwrap();
        tx.insert_customer(w.company, &NewCustomer { number: "C-1A".into(), name: "Mine's shop".into(), parent: Some(w.mine.customer), ..Default::default() }).await.unwrap();
        tx.commit().await.unwrap();
        assert!(w.store.upcoming_visits(w.company, &w.mine, now, 5).await.unwrap().is_empty());
        assert!(w.store.open_service_requests(w.company, &w.mine, 5).await.unwrap().is_empty());
        assert!(w.store.open_support_requests(w.company, w.mine.customer, 5).await.unwrap().is_empty());
        let cards = w.store.cards_on_file(w.company, w.mine.customer).await.unwrap();
        assert_eq!((cards[0].brand.as_str(), cards[0].last4.as_str(), cards[0].exp_year), ("Visa", "4242", Some(2031)));
        assert!(w.store.cards_on_file(w.company, w.other.customer).await.unwrap().is_empty());
        let subs = w.store.sub_customers(w.company, w.mine.customer, 5).await.unwrap();
        assert_eq!(subs.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Mine's shop"]);
        assert!(w.store.sub_customers(w.company, w.other.customer, 5).await.unwrap().is_empty());
    }
}
