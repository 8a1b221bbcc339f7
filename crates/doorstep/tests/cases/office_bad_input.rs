//! The bad-input list of issue 17, each refused with a clear message on its field and
//! nothing saved: a negative quantity, a tax rate over 100%, a due date before the issue
//! date, an estimate sent to a contact without an email, a status move that is not
//! allowed (completed → on the way), editing a sent invoice's lines, a payment above the
//! balance without choosing credit, and a duplicate customer external reference.

use doorstep_app::StaffActor;
use doorstep_app::customers::accounts::{self, Customer, CustomerFields};
use doorstep_app::documents::estimates::{self, EstimateInput, EstimateText};
use doorstep_app::documents::invoices::{self, InvoiceInput, InvoiceText};
use doorstep_app::documents::lines::{self, LineRow, Lines, Owner};
use doorstep_app::jobs::{self, NewJob, NewJobForm, ScheduleOrder};
use doorstep_app::payments::{self, PaymentForm, RecordPayment};
use doorstep_core::documents::LineOwnerKind;
use doorstep_core::ids::CustomerId;
use doorstep_core::local_time::Zone;
use doorstep_core::money::Currency;
use doorstep_core::status::{ContactRole, JobStatus};
use doorstep_store::contacts::NewContact;
use doorstep_testkit::{Backend, both_backends};
use time::macros::date;

use crate::world::World;

/// Every table one of these use cases writes.
const TABLES: &[&str] = &[
    "customers",
    "contacts",
    "jobs",
    "job_status_changes",
    "estimates",
    "invoices",
    "line_items",
    "payments",
    "payment_allocations",
    "tax_rates",
];

fn row(quantity: &str, price: &str, rate: &str) -> LineRow {
    LineRow {
        description: "Service call".into(),
        quantity: quantity.into(),
        unit_price: price.into(),
        tax_name: if rate.is_empty() {
            String::new()
        } else {
            "Sales tax".into()
        },
        tax_rate: rate.into(),
        optional: false,
        catalogue_item: None,
    }
}

/// A draft invoice for C-1001 with one line.
async fn draft_invoice(w: &World, staff: &StaffActor) -> String {
    let text = InvoiceText {
        customer: "C-1001",
        issued_on: "2026-03-10",
        due_on: "2026-04-09",
        ..InvoiceText::default()
    };
    let number = invoices::create(
        &w.app,
        staff,
        InvoiceInput::parse(&text, date!(2026 - 03 - 10)).unwrap(),
        None,
    )
    .await
    .unwrap();
    let l = Lines::parse(
        LineOwnerKind::Invoice,
        &[row("1", "120", "8.25")],
        "",
        Currency::USD,
    )
    .unwrap();
    lines::replace(&w.app, staff, Owner::Invoice(&number), l)
        .await
        .unwrap();
    number
}

async fn contact_id(w: &World, email: &str) -> i64 {
    doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
        "SELECT id FROM contacts WHERE company_id = $1 AND email = $2")
        .bind(w.acme.id.0).bind(email).fetch_one(p).await)
    .unwrap()
}

/// The invoice's status, total and line count: what a refused edit must leave.
async fn invoice_state(w: &World, number: &str) -> (String, i64, usize) {
    let i = w
        .store
        .office_invoice(w.acme.id, number)
        .await
        .unwrap()
        .unwrap();
    (
        format!("{:?}", i.status()),
        i.detail.totals().total_minor,
        i.detail.lines.len(),
    )
}

both_backends! {
    /// A negative quantity and a tax rate over 100% in the line editor: each message on
    /// its row's field; the draft keeps no lines.
    async fn a_negative_quantity_and_a_tax_rate_over_100_are_refused(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let text = InvoiceText { customer: "C-1001", ..InvoiceText::default() };
        let number = invoices::create(&w.app, &oscar, InvoiceInput::parse(&text, date!(2026 - 03 - 10)).unwrap(), None).await.unwrap();
        let before = w.snapshot(TABLES).await;
        let errors = Lines::parse(LineOwnerKind::Invoice, &[row("-2", "10", ""), row("1", "10", "120")], "", Currency::USD).unwrap_err();
        assert_eq!(errors.row(0).unwrap().get("quantity").as_deref(), Some("The quantity cannot be negative."));
        assert_eq!(errors.row(1).unwrap().get("tax_rate").as_deref(), Some("A tax rate cannot be over 100%."));
        assert_eq!(w.snapshot(TABLES).await, before);
        assert_eq!(invoice_state(&w, &number).await.2, 0);
    }

    /// A due date before the issue date, on a new invoice and on a draft's edit.
    async fn a_due_date_before_the_issue_date_is_refused(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let number = draft_invoice(&w, &oscar).await;
        let before = w.snapshot(TABLES).await;
        let text = InvoiceText { customer: "C-1001", issued_on: "2026-03-10", due_on: "2026-03-09", ..InvoiceText::default() };
        let errors = InvoiceInput::parse(&text, date!(2026 - 03 - 10)).unwrap_err();
        assert_eq!(errors.get("due_on").as_deref(), Some("The due date cannot be before the issue date."));
        assert_eq!(w.snapshot(TABLES).await, before);
        let i = w.store.office_invoice(w.acme.id, &number).await.unwrap().unwrap();
        assert_eq!(i.detail.row.due_on, date!(2026 - 04 - 09));
    }

    /// An estimate sent to a contact without an email: the message on the contact field;
    /// the estimate stays a draft and no email is queued.
    async fn an_estimate_to_a_contact_without_email_is_refused(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let text = EstimateText { customer: "C-1001", title: "New faucet", valid_until: "2099-12-31", ..EstimateText::default() };
        let number = estimates::create(&w.app, &olivia, EstimateInput::parse(&text, date!(2026 - 03 - 10), Currency::USD).unwrap()).await.unwrap();
        let l = Lines::parse(LineOwnerKind::Estimate, &[row("1", "100", "")], "", Currency::USD).unwrap();
        lines::replace(&w.app, &olivia, Owner::Estimate(&number), l).await.unwrap();
        let household = w.store.customer_by_number(w.acme.id, "C-1001").await.unwrap().unwrap();
        let mut tx = w.store.begin().await.unwrap();
        let pat = tx.insert_contact(w.acme.id, &NewContact {
            customer: CustomerId(household.id), login: None, first_name: "Pat".into(), last_name: "Whitaker".into(),
            email: None, phone: "555-0100".into(), role: ContactRole::Company, is_primary: false, is_billing: false,
            portal_enabled: false,
        }).await.unwrap();
        tx.commit().await.unwrap();
        let before = w.snapshot(TABLES).await;
        let err = estimates::send(&w.app, &olivia, &number, Some(pat.0)).await.unwrap_err();
        assert_eq!(err.invalid().map(|i| (i.field, i.message.as_str())),
            Some(("contact", "This contact has no email address. Add one to the contact, or choose another.")));
        assert_eq!(w.snapshot(TABLES).await, before);
        let e = w.store.office_estimate(w.acme.id, &number).await.unwrap().unwrap();
        assert_eq!(format!("{:?}", e.detail.status), "Draft");
    }

    /// Completed → on the way: the message on the status; the job stays completed with
    /// the same timeline.
    async fn a_status_move_that_is_not_allowed_is_refused(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let customer = w.dana().await.customer().0.to_string();
        let f = NewJobForm { customer: &customer, summary: "Replace the heater", ..NewJobForm::default() };
        let number = jobs::create(&w.app, &oscar, NewJob::parse(&f).unwrap()).await.unwrap().number;
        let order = ScheduleOrder::parse(&Zone::utc(), "2099-01-10", "am", "", "").unwrap();
        jobs::schedule(&w.app, &oscar, &number, order).await.unwrap();
        jobs::move_status(&w.app, &oscar, &number, "completed").await.unwrap();
        let before = w.snapshot(TABLES).await;
        let err = jobs::move_status(&w.app, &oscar, &number, "on_the_way").await.unwrap_err();
        let e = err.invalid().unwrap();
        assert_eq!(e.field, "status");
        assert!(e.message.contains("completed, which is final"), "{}", e.message);
        assert_eq!(w.snapshot(TABLES).await, before);
        let j = w.store.office_job(w.acme.id, &number).await.unwrap().unwrap();
        assert_eq!(j.status(), JobStatus::Completed);
    }

    /// A sent invoice's lines cannot change: a `sent` conflict; lines and total as sent.
    async fn editing_a_sent_invoices_lines_is_refused(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let number = draft_invoice(&w, &oscar).await;
        invoices::send(&w.app, &oscar, &number, Some(contact_id(&w, "dana@example.test").await), None).await.unwrap();
        let state = invoice_state(&w, &number).await;
        let before = w.snapshot(TABLES).await;
        let l = Lines::parse(LineOwnerKind::Invoice, &[row("3", "999", "")], "", Currency::USD).unwrap();
        let err = lines::replace(&w.app, &oscar, Owner::Invoice(&number), l).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("sent"));
        assert_eq!(w.snapshot(TABLES).await, before);
        assert_eq!(invoice_state(&w, &number).await, state);
    }

    /// A payment above the balance without "keep the rest as account credit": the
    /// message on the amount; no payment, no allocation, the invoice as it was.
    async fn a_payment_above_the_balance_without_credit_is_refused(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let dana = w.dana().await;
        let open = w.store.open_invoices_of_payer(w.acme.id, dana.customer()).await.unwrap();
        let inv = &open[0];
        let balance = inv.total_minor - inv.paid_minor;
        let money = |m: i64| format!("{}.{:02}", m / 100, m % 100);
        let today = doorstep_store::now().date();
        let form = PaymentForm {
            customer: "C-1001".into(), amount: money(balance + 1_000), method: "cash".into(),
            received_on: today.to_string(), shares: vec![(inv.number.clone(), money(balance))],
            ..PaymentForm::default()
        };
        let cmd = RecordPayment::parse(&form, Currency::USD, today).unwrap();
        let state = invoice_state(&w, &inv.number).await;
        let before = w.snapshot(TABLES).await;
        let err = payments::record(&w.app, &olivia, cmd).await.unwrap_err();
        let e = err.invalid().unwrap();
        assert_eq!(e.field, "amount");
        assert!(e.message.contains("more than the balance due") && e.message.contains("account credit"), "{}", e.message);
        assert_eq!(w.snapshot(TABLES).await, before);
        assert_eq!(invoice_state(&w, &inv.number).await, state);
    }

    /// A second customer with an external reference already used: the message on the
    /// field names the account that has it; no customer is added.
    async fn a_duplicate_customer_external_reference_is_refused(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let fields = CustomerFields {
            name: "Greenleaf Cafe".into(), kind: "commercial".into(), external_ref: "QB-1".into(),
            ..CustomerFields::default()
        };
        let first = accounts::create(&w.app, &oscar, Customer::parse(&fields).unwrap()).await.unwrap();
        let before = w.snapshot(TABLES).await;
        let again = CustomerFields { name: "Greenleaf Bakery".into(), ..fields };
        let err = accounts::create(&w.app, &oscar, Customer::parse(&again).unwrap()).await.unwrap_err();
        let e = err.invalid().unwrap();
        assert_eq!(e.field, "external_ref");
        assert!(e.message.contains(&first.number), "{}", e.message);
        assert_eq!(w.snapshot(TABLES).await, before);
    }
}
