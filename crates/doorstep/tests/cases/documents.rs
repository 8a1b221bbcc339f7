//! `doorstep_app::documents`: the office prices work. Estimates are created, priced in
//! the line editor, sent to a contact with an email, approved in the portal and
//! converted to a job; invoices are made from that job, sent and voided; and every bad
//! input or wrong state is refused with nothing written.

use doorstep_app::documents::estimates::{self, EstimateInput, EstimateText};
use doorstep_app::documents::invoices::{self, InvoiceInput, InvoiceText, VoidReason};
use doorstep_app::documents::lines::{self, LineRow, Lines, Owner};
use doorstep_app::documents::tax_rates::{self, RateInput};
use doorstep_app::estimates::{self as answers, Approval};
use doorstep_app::{AppError, StaffActor};
use doorstep_core::documents::LineOwnerKind;
use doorstep_core::ids::CustomerId;
use doorstep_core::money::Currency;
use doorstep_core::status::{ContactRole, EstimateStatus, InvoiceStatus};
use doorstep_store::contacts::NewContact;
use doorstep_testkit::{Backend, both_backends};
use time::macros::date;

use crate::world::World;

const TABLES: &[&str] = &["estimates", "invoices", "line_items", "jobs", "tax_rates"];

fn row(description: &str, quantity: &str, price: &str, rate: &str, optional: bool) -> LineRow {
    LineRow {
        description: description.into(),
        quantity: quantity.into(),
        unit_price: price.into(),
        tax_name: if rate.is_empty() {
            String::new()
        } else {
            "Sales tax".into()
        },
        tax_rate: rate.into(),
        optional,
        catalogue_item: None,
    }
}

fn lines_of(kind: LineOwnerKind, rows: &[LineRow], discount: &str) -> Lines {
    Lines::parse(kind, rows, discount, Currency::USD).unwrap()
}

/// A draft estimate for Dana's household (C-1001), made by `staff`.
async fn draft_estimate(w: &World, staff: &StaffActor) -> String {
    let input = EstimateInput::parse(
        &EstimateText {
            customer: "C-1001",
            title: "New kitchen faucet",
            scope: "Remove the old faucet, fit the new one.",
            valid_until: "2099-12-31",
            deposit: "50",
            notes: "Parts on order.",
            ..EstimateText::default()
        },
        date!(2026 - 03 - 10),
        Currency::USD,
    )
    .unwrap();
    estimates::create(&w.app, staff, input).await.unwrap()
}

/// The id of the contact with `email` at Acme.
async fn contact_id(w: &World, email: &str) -> i64 {
    doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
        "SELECT id FROM contacts WHERE company_id = $1 AND email = $2")
        .bind(w.acme.id.0).bind(email).fetch_one(p).await)
    .unwrap()
}

/// A new contact of Dana's household (C-1001) without an email; its id.
async fn contact_without_email(w: &World) -> i64 {
    let household = w
        .store
        .customer_by_number(w.acme.id, "C-1001")
        .await
        .unwrap()
        .unwrap();
    let mut tx = w.store.begin().await.unwrap();
    let id = tx
        .insert_contact(
            w.acme.id,
            &NewContact {
                customer: CustomerId(household.id),
                login: None,
                first_name: "Pat".into(),
                last_name: "Whitaker".into(),
                email: None,
                phone: "555-0100".into(),
                role: ContactRole::Company,
                is_primary: false,
                is_billing: false,
                portal_enabled: false,
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id.0
}

/// A draft invoice for C-1001 with one taxed line, made by `staff`.
async fn draft_invoice(w: &World, staff: &StaffActor) -> String {
    let input = InvoiceInput::parse(
        &InvoiceText {
            customer: "C-1001",
            issued_on: "2026-03-10",
            due_on: "2026-04-09",
            ..InvoiceText::default()
        },
        date!(2026 - 03 - 10),
    )
    .unwrap();
    let number = invoices::create(&w.app, staff, input, None).await.unwrap();
    let l = lines_of(
        LineOwnerKind::Invoice,
        &[row("Service call", "1", "120", "8.25", false)],
        "",
    );
    lines::replace(&w.app, staff, Owner::Invoice(&number), l)
        .await
        .unwrap();
    number
}

both_backends! {
    /// Oscar (office staff, not an administrator) prices an estimate with an optional
    /// line, a tax and a discount and sends it to Dana; Dana approves it with the option
    /// in the portal; Oscar converts it to a job, invoices the job and sends the invoice.
    /// Every total agrees to the cent.
    async fn an_estimate_goes_from_draft_to_job_to_invoice(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let number = draft_estimate(&w, &oscar).await;
        assert!(number.starts_with("E-"));
        assert_eq!(w.last_audit(&w.acme).await, ("estimate.created".into(), "dispatch@acme.test".into()));
        let dana = w.dana().await;
        assert!(w.store.estimate_document(w.acme.id, dana.scope(), &number).await.unwrap().is_none(), "a draft is not in the portal");

        let rows = [
            row("Faucet, supplied and fitted", "1", "250.00", "8.25", false),
            row("Labour", "1.5", "90", "", false),
            row("Water filter", "1", "80", "8.25", true),
        ];
        lines::replace(&w.app, &oscar, Owner::Estimate(&number), lines_of(LineOwnerKind::Estimate, &rows, "20")).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "lines.replaced");
        let e = w.store.office_estimate(w.acme.id, &number).await.unwrap().unwrap();
        // Fixed lines: 250 + 135 = 385, less 20; tax base 250 - 20*250/385 (12.99) = 237.01 -> 19.55.
        let t = e.detail.totals();
        assert_eq!((t.subtotal_minor, t.discount_minor, t.tax_minor(), t.total_minor), (38_500, 2_000, 1_955, 38_455));
        assert_eq!(e.detail.notes, "Parts on order.");

        let dana_contact = contact_id(&w, "dana@example.test").await;
        let sent = estimates::send(&w.app, &oscar, &number, Some(dana_contact)).await.unwrap();
        assert_eq!(sent.to, "dana@example.test");
        assert_eq!(w.emails(&w.acme).await.last().unwrap(), &("estimate_sent".to_owned(), "dana@example.test".to_owned()));
        assert_eq!(w.last_audit(&w.acme).await.0, "estimate.sent");

        // In the portal now, pending; Dana approves with the option.
        let seen = w.store.estimate_document(w.acme.id, dana.scope(), &number).await.unwrap().unwrap();
        assert_eq!(seen.status, EstimateStatus::Pending);
        let chosen = seen.optional_ids();
        let with_option = seen.totals_with(&chosen);
        // 465 - 20, base 330 - round(2000*33000/46500 = 1419.35) -> 315.81 * 8.25% = 26.05.
        assert_eq!(with_option.total_minor, 46_500 - 2_000 + 2_605);
        let approval = Approval::parse("Dana Whitaker", chosen, &with_option.total_minor.to_string()).unwrap();
        answers::approve(&w.app, &dana, &number, approval).await.unwrap();

        let job = estimates::convert(&w.app, &oscar, &number).await.unwrap();
        let e = w.store.office_estimate(w.acme.id, &number).await.unwrap().unwrap();
        assert_eq!((e.detail.status, e.converted_job.as_deref()), (EstimateStatus::Converted, Some(job.as_str())));
        let (j, job_lines) = w.store.job_for_lines(w.acme.id, &job).await.unwrap().unwrap();
        assert_eq!((job_lines.len(), j.discount_minor), (3, 2_000));
        assert!(job_lines.iter().all(|l| !l.is_optional));

        // Invoiced from the job: the same lines, discount and total.
        let input = InvoiceInput::parse(&InvoiceText::default(), date!(2026 - 03 - 10)).unwrap();
        let inv = invoices::create(&w.app, &oscar, input, Some(&job)).await.unwrap();
        assert!(inv.starts_with("I-"));
        let i = w.store.office_invoice(w.acme.id, &inv).await.unwrap().unwrap();
        assert_eq!(i.detail.row.due_on, date!(2026 - 04 - 09), "30 days by default");
        assert_eq!(i.detail.totals().total_minor, with_option.total_minor);
        assert_eq!(i.detail.row.total_minor, with_option.total_minor);
        assert_eq!(i.status(), InvoiceStatus::Draft);
        invoices::send(&w.app, &oscar, &inv, Some(dana_contact), None).await.unwrap();
        let i = w.store.office_invoice(w.acme.id, &inv).await.unwrap().unwrap();
        assert_eq!(i.status(), InvoiceStatus::Unpaid);
        assert!(i.sent_at.is_some());
        assert_eq!(w.emails(&w.acme).await.last().unwrap(), &("invoice_available".to_owned(), "dana@example.test".to_owned()));
        let portal = w.store.invoice_document(w.acme.id, dana.scope(), &inv, true).await.unwrap().unwrap();
        assert_eq!(portal.totals().total_minor, with_option.total_minor);

        // A converted estimate is not converted twice.
        let before = w.snapshot(TABLES).await;
        let again = estimates::convert(&w.app, &oscar, &number).await.unwrap_err();
        assert_eq!(again.conflict_reason(), Some("not_approved"));
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// Bad lines are refused field by field before anything is written: a negative
    /// quantity, a tax over 100%, an optional line on an invoice, a discount over the
    /// subtotal.
    async fn bad_lines_are_refused_next_to_their_fields(backend: Backend) {
        let _w = World::demo(backend).await;
        let rows = [
            row("Ok", "1", "10", "", false),
            LineRow::default(),
            row("Minus", "-1", "10", "", false),
            row("Too taxed", "1", "10", "101", false),
            row("Optional", "1", "10", "", true),
        ];
        let errors = Lines::parse(LineOwnerKind::Invoice, &rows, "500", Currency::USD).unwrap_err();
        assert!(errors.row(0).is_none() && errors.row(1).is_none(), "good and blank rows pass");
        assert_eq!(errors.row(2).unwrap().get("quantity").as_deref(), Some("The quantity cannot be negative."));
        assert_eq!(errors.row(3).unwrap().get("tax_rate").as_deref(), Some("A tax rate cannot be over 100%."));
        assert!(errors.row(4).unwrap().get("optional").is_some());
        assert!(errors.discount.is_some());
    }

    /// A sent invoice's lines, dates and notes stay as sent; a due date before the issue
    /// date is refused; a paid invoice is never voided; an unpaid one is, with a reason.
    async fn sent_and_paid_invoices_keep_what_the_customer_saw(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let due_before = InvoiceInput::parse(
            &InvoiceText { customer: "C-1001", issued_on: "2026-03-10", due_on: "2026-03-09", ..InvoiceText::default() },
            date!(2026 - 03 - 10),
        ).unwrap_err();
        assert_eq!(due_before.get("due_on").as_deref(), Some("The due date cannot be before the issue date."));

        let number = draft_invoice(&w, &oscar).await;
        invoices::send(&w.app, &oscar, &number, Some(contact_id(&w, "dana@example.test").await), None).await.unwrap();
        let before = w.snapshot(TABLES).await;
        let l = lines_of(LineOwnerKind::Invoice, &[row("Sneaky", "1", "1", "", false)], "");
        let refused = lines::replace(&w.app, &oscar, Owner::Invoice(&number), l).await.unwrap_err();
        assert_eq!(refused.conflict_reason(), Some("sent"));
        let input = InvoiceInput::parse(&InvoiceText { due_on: "2030-01-01", ..InvoiceText::default() }, date!(2026 - 03 - 10)).unwrap();
        let refused = invoices::edit(&w.app, &oscar, &number, input).await.unwrap_err();
        assert_eq!(refused.conflict_reason(), Some("sent"));
        assert_eq!(w.snapshot(TABLES).await, before);

        // A paid invoice of the demo cannot be voided.
        let paid: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT number FROM invoices WHERE company_id = $1 AND status = 'paid' ORDER BY id LIMIT 1")
            .bind(w.acme.id.0).fetch_one(p).await).unwrap();
        let refused = invoices::void(&w.app, &oscar, &paid, VoidReason::parse("Wrong customer").unwrap()).await.unwrap_err();
        assert_eq!(refused.conflict_reason(), Some("not_voidable"));
        assert_eq!(w.snapshot(TABLES).await, before);
        assert!(VoidReason::parse("  ").is_err());

        invoices::void(&w.app, &oscar, &number, VoidReason::parse("Billed twice").unwrap()).await.unwrap();
        let i = w.store.office_invoice(w.acme.id, &number).await.unwrap().unwrap();
        assert_eq!(i.status(), InvoiceStatus::Void);
        assert_eq!(i.void.map(|v| v.1).as_deref(), Some("Billed twice"));
        assert_eq!(w.last_audit(&w.acme).await.0, "invoice.voided");
        let twice = invoices::void(&w.app, &oscar, &number, VoidReason::parse("Again").unwrap()).await.unwrap_err();
        assert_eq!(twice.conflict_reason(), Some("not_voidable"));
    }

    /// An estimate goes only to a contact of its customer who has an email, and only
    /// with lines; the customer's change request shows in the office, and the office
    /// edits the pending estimate and sends it again.
    async fn an_estimate_is_sent_only_to_a_contact_with_an_email_and_revised_after_changes(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let number = draft_estimate(&w, &olivia).await;
        let dana_contact = contact_id(&w, "dana@example.test").await;
        let before = w.snapshot(TABLES).await;
        let empty = estimates::send(&w.app, &olivia, &number, Some(dana_contact)).await.unwrap_err();
        assert_eq!(empty.conflict_reason(), Some("empty"));
        let l = lines_of(LineOwnerKind::Estimate, &[row("Faucet", "1", "100", "", false)], "");
        lines::replace(&w.app, &olivia, Owner::Estimate(&number), l).await.unwrap();
        assert_eq!(w.snapshot(TABLES).await.len(), before.len());
        let no_email = contact_without_email(&w).await;
        let before = w.snapshot(TABLES).await;
        let refused = estimates::send(&w.app, &olivia, &number, Some(no_email)).await.unwrap_err();
        assert_eq!(
            refused.invalid().map(|i| (i.field, i.message.as_str())),
            Some(("contact", "This contact has no email address. Add one to the contact, or choose another."))
        );
        let sam = contact_id(&w, "sam@example.test").await;
        let not_theirs = estimates::send(&w.app, &olivia, &number, Some(sam)).await.unwrap_err();
        assert_eq!(not_theirs.invalid().map(|i| i.field), Some("contact"));
        let none = estimates::send(&w.app, &olivia, &number, None).await.unwrap_err();
        assert_eq!(none.invalid().map(|i| i.field), Some("contact"));
        assert_eq!(w.snapshot(TABLES).await, before);

        estimates::send(&w.app, &olivia, &number, Some(dana_contact)).await.unwrap();
        let dana = w.dana().await;
        let ask = answers::ChangeRequest::parse("Could you quote brass instead?").unwrap();
        answers::request_changes(&w.app, &dana, &number, ask).await.unwrap();
        let e = w.store.office_estimate(w.acme.id, &number).await.unwrap().unwrap();
        let talk = w.store.office_estimate_messages(w.acme.id, e.detail.id).await.unwrap();
        assert_eq!(talk.len(), 1);
        assert!(talk[0].from_customer);
        assert_eq!(talk[0].body, "Could you quote brass instead?");

        let l = lines_of(LineOwnerKind::Estimate, &[row("Brass faucet", "1", "140", "", false)], "");
        lines::replace(&w.app, &olivia, Owner::Estimate(&number), l).await.unwrap();
        estimates::send(&w.app, &olivia, &number, Some(dana_contact)).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "estimate.resent");
        let e = w.store.office_estimate(w.acme.id, &number).await.unwrap().unwrap();
        assert_eq!((e.detail.status, e.detail.totals().total_minor), (EstimateStatus::Pending, 14_000));

        // Valid until before the issue date is refused next to its field.
        let bad = EstimateInput::parse(
            &EstimateText { customer: "C-1001", title: "T", issued_on: "2026-03-10", valid_until: "2026-03-01", ..EstimateText::default() },
            date!(2026 - 03 - 10), Currency::USD,
        ).unwrap_err();
        assert!(bad.get("valid_until").is_some());
    }

    /// Another company's staff finds none of Acme's documents; a wrong customer or site
    /// is refused next to its field; nothing is written.
    async fn other_companies_and_wrong_places_are_refused(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let number = draft_estimate(&w, &oscar).await;
        let invoice = draft_invoice(&w, &oscar).await;
        let bolt = w.staff("bolt", "office@bolt.test").await;
        let before = w.snapshot(TABLES).await;
        let l = || lines_of(LineOwnerKind::Estimate, &[row("X", "1", "1", "", false)], "");
        assert!(matches!(lines::replace(&w.app, &bolt, Owner::Estimate(&number), l()).await, Err(AppError::NotFound)));
        assert!(matches!(estimates::convert(&w.app, &bolt, &number).await, Err(AppError::NotFound)));
        assert!(matches!(estimates::send(&w.app, &bolt, &number, None).await, Err(AppError::NotFound)));
        assert!(matches!(invoices::void(&w.app, &bolt, &invoice, VoidReason::parse("x").unwrap()).await, Err(AppError::NotFound)));
        assert!(matches!(invoices::send(&w.app, &bolt, &invoice, None, None).await, Err(AppError::NotFound)));
        // Lines checked for an estimate do not go on an invoice.
        let wrong_kind = lines::replace(&w.app, &oscar, Owner::Invoice(&invoice), l()).await.unwrap_err();
        assert!(wrong_kind.invalid().is_some());
        // An Acme customer number Bolt does not have does not exist for Bolt.
        let acme_only: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT a.number FROM customers a WHERE a.company_id = $1 AND NOT EXISTS \
             (SELECT 1 FROM customers b WHERE b.company_id = $2 AND b.number = a.number) ORDER BY a.id LIMIT 1")
            .bind(w.acme.id.0).bind(bolt.company().id.0).fetch_one(p).await).unwrap();
        let input = InvoiceInput::parse(&InvoiceText { customer: &acme_only, ..InvoiceText::default() }, date!(2026 - 03 - 10)).unwrap();
        let refused = invoices::create(&w.app, &bolt, input, None).await.unwrap_err();
        assert_eq!(refused.invalid().map(|i| i.field), Some("customer"));
        // A site of another customer.
        let harbor_site: i64 = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT s.id FROM sites s JOIN customers c ON c.id = s.customer_id WHERE c.company_id = $1 AND c.number = 'C-1002' LIMIT 1")
            .bind(w.acme.id.0).fetch_one(p).await).unwrap();
        let site = harbor_site.to_string();
        let input = InvoiceInput::parse(&InvoiceText { customer: "C-1001", site: &site, ..InvoiceText::default() }, date!(2026 - 03 - 10)).unwrap();
        let refused = invoices::create(&w.app, &oscar, input, None).await.unwrap_err();
        assert_eq!(refused.invalid().map(|i| i.field), Some("site"));
        assert_eq!(w.snapshot(TABLES).await, before);
        // The portal's actor cannot reach these use cases at all: they take a StaffActor.
    }

    /// Tax rates are the administrators': added, refused when the name is taken or the
    /// rate over 100%, deactivated (no longer offered) and reactivated.
    async fn tax_rates_are_kept_by_administrators(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let oscar = w.oscar().await;
        assert!(matches!(oscar.admin(), Err(AppError::NotFound)));
        let over = RateInput::parse("Luxury", "101").unwrap_err();
        assert_eq!(over.get("rate").as_deref(), Some("A tax rate cannot be over 100%."));
        let id = tax_rates::add(&w.app, olivia.admin().unwrap(), RateInput::parse("Sales tax", "8.25%").unwrap()).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await, ("tax_rate.added".into(), "office@acme.test".into()));
        let before = w.snapshot(TABLES).await;
        let dup = tax_rates::add(&w.app, olivia.admin().unwrap(), RateInput::parse("Sales tax", "5").unwrap()).await.unwrap_err();
        assert!(matches!(dup, AppError::Duplicate(_)));
        assert_eq!(w.snapshot(TABLES).await, before);
        let rates = w.store.tax_rates(w.acme.id, true).await.unwrap();
        assert_eq!(rates.iter().map(|r| (r.name.as_str(), r.rate_bp)).collect::<Vec<_>>(), [("Sales tax", 825)]);
        tax_rates::edit(&w.app, olivia.admin().unwrap(), id, RateInput::parse("Sales tax", "8.5").unwrap(), false).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "tax_rate.deactivated");
        assert!(w.store.tax_rates(w.acme.id, true).await.unwrap().is_empty());
        assert_eq!(w.store.tax_rates(w.acme.id, false).await.unwrap()[0].rate_bp, 850);
        let bolt = w.staff("bolt", "office@bolt.test").await;
        let other = tax_rates::edit(&w.app, bolt.admin().unwrap(), id, RateInput::parse("Mine", "1").unwrap(), true).await.unwrap_err();
        assert!(matches!(other, AppError::NotFound));
    }
}
