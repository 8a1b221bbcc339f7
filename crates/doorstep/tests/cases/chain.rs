//! The office's chain as a new customer meets it (issue 17): the "invoice sent" email
//! carries the invoice's PDF, stored with the email when it is queued and delivered to a
//! real SMTP server on loopback with the totals of the email; and the receipts of an
//! account the office made (whose contacts are neither primary nor marked for billing)
//! reach its contacts, never a deactivated one.

use std::io::Write;
use std::process::Command;
use std::time::Duration;

use doorstep_app::StaffActor;
use doorstep_app::customers::accounts::{self, Customer, CustomerFields};
use doorstep_app::customers::contacts::{self, Contact, ContactFields};
use doorstep_app::documents::invoices::{self, InvoiceInput, InvoiceText};
use doorstep_app::documents::lines::{self, LineRow, Lines, Owner};
use doorstep_app::payments::{self as record, PaymentForm, RecordPayment};
use doorstep_core::documents::LineOwnerKind;
use doorstep_core::ids::{ContactId, CustomerId};
use doorstep_core::money::Currency;
use doorstep_mail::{SmtpConfig, SmtpSender, drain_once};
use doorstep_testkit::smtp::SmtpServer;
use doorstep_testkit::{Backend, both_backends};

use crate::world::World;

/// The text of a PDF, as poppler's pdftotext reads it (which also proves it parses).
fn pdf_text(bytes: &[u8]) -> String {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", file.path().to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn row(description: &str, quantity: &str, price: &str) -> LineRow {
    LineRow {
        description: description.into(),
        quantity: quantity.into(),
        unit_price: price.into(),
        tax_name: "Sales tax".into(),
        tax_rate: "8.25".into(),
        optional: false,
        catalogue_item: None,
    }
}

fn person(first: &str, email: &str, billing: bool) -> Contact {
    Contact::parse(&ContactFields {
        first_name: first.into(),
        last_name: "Ortega".into(),
        email: email.into(),
        role: "company".into(),
        is_billing: billing,
        ..ContactFields::default()
    })
    .unwrap()
}

/// A new account made by `staff`, with one company contact (neither primary nor
/// billing); its number, id and the contact's id.
async fn new_account(w: &World, staff: &StaffActor) -> (String, CustomerId, ContactId) {
    let fields = CustomerFields {
        name: "Marisol Ortega".into(),
        kind: "residential".into(),
        payment_terms_days: "30".into(),
        ..CustomerFields::default()
    };
    let made = accounts::create(&w.app, staff, Customer::parse(&fields).unwrap())
        .await
        .unwrap();
    let id = made.id;
    let marisol = contacts::add(
        &w.app,
        staff,
        id,
        person("Marisol", "marisol@example.test", false),
    )
    .await
    .unwrap();
    (made.number, id, marisol)
}

/// A draft invoice of `customer` with two taxed lines and a discount: 1,240.00 + 186.40
/// − 50.00 = 1,376.40, tax 8.25% = 113.55, total 1,489.95.
async fn priced_invoice(w: &World, staff: &StaffActor, customer: &str) -> String {
    let today = doorstep_app::documents::today(&w.acme);
    let text = InvoiceText {
        customer,
        ..InvoiceText::default()
    };
    let number = invoices::create(
        &w.app,
        staff,
        InvoiceInput::parse(&text, today).unwrap(),
        None,
    )
    .await
    .unwrap();
    let rows = [
        row("Replace water heater", "1", "1240"),
        row("Expansion tank", "1", "186.40"),
    ];
    let l = Lines::parse(LineOwnerKind::Invoice, &rows, "50", Currency::USD).unwrap();
    lines::replace(&w.app, staff, Owner::Invoice(&number), l)
        .await
        .unwrap();
    number
}

fn sender_for(server: &SmtpServer) -> SmtpSender {
    SmtpSender::new(&SmtpConfig::parse(&server.url(), "no-reply@portal.test").unwrap()).unwrap()
}

both_backends! {
    /// Oscar (office staff) sends an invoice: the queued email holds its PDF, which the
    /// worker delivers as an `application/pdf` part showing the email's total; a
    /// payment recorded afterwards changes neither.
    async fn the_invoice_email_carries_its_pdf_with_the_same_total(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let (customer, _, marisol) = new_account(&w, &oscar).await;
        let number = priced_invoice(&w, &oscar, &customer).await;
        let i = w.store.office_invoice(w.acme.id, &number).await.unwrap().unwrap();
        assert_eq!(i.detail.row.total_minor, 148_995);

        invoices::send(&w.app, &oscar, &number, Some(marisol.0), None).await.unwrap();
        let (kind, id): (String, i64) = doorstep_store::on_pool!(w.store, p => sqlx::query_as(
            "SELECT kind, id FROM email_outbox WHERE company_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(w.acme.id.0).fetch_one(p).await).unwrap();
        assert_eq!(kind, "invoice_available");
        let stored = w.store.email_attachments(w.acme.id, id).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!((stored[0].filename.as_str(), stored[0].content_type.as_str()),
            (format!("invoice-{number}.pdf").as_str(), "application/pdf"));
        // Another company never sees it.
        let bolt = w.company("bolt").await;
        assert!(w.store.email_attachments(bolt.id, id).await.unwrap().is_empty());

        // Paid in part before the worker gets to it: the email still says what was sent.
        let today = doorstep_app::documents::today(&w.acme);
        let form = PaymentForm {
            customer: customer.clone(),
            amount: "500.00".into(),
            method: "cash".into(),
            received_on: today.to_string(),
            shares: vec![(number.clone(), "500.00".into())],
            ..PaymentForm::default()
        };
        record::record(&w.app, &oscar, RecordPayment::parse(&form, Currency::USD, today).unwrap())
            .await
            .unwrap();

        let smtp = SmtpServer::start().await;
        let sender = sender_for(&smtp);
        while drain_once(&w.store, Some(&sender)).await.unwrap() > 0 {}
        let messages = smtp.wait_for_messages(1, Duration::from_secs(10)).await;
        let sent = messages
            .iter()
            .find(|m| m.subject.contains(&format!("Invoice {number}")))
            .expect("the invoice email");
        assert!(sent.rcpt_to.contains(&"marisol@example.test".to_owned()));
        assert!(sent.text.contains("$1,489.95"), "{}", sent.text);
        assert_eq!(sent.attachments.len(), 1);
        let pdf = &sent.attachments[0];
        assert_eq!((pdf.content_type.as_str(), pdf.filename.clone()), ("application/pdf", format!("invoice-{number}.pdf")));
        let text = pdf_text(&pdf.bytes);
        for want in [format!("Invoice {number}"), "Replace water heater".into(), "-$50.00".into(), "$113.55".into(), "Unpaid".into()] {
            assert!(text.contains(&want), "{want} in:\n{text}");
        }
        let total = text.lines().find(|l| l.trim_start().starts_with("Total")).unwrap();
        assert!(total.contains("$1,489.95"), "{total}");
        let due = text.lines().find(|l| l.trim_start().starts_with("Balance due")).unwrap();
        assert!(due.contains("$1,489.95"), "as sent: {due}");
        // The receipt of the payment carries no file.
        let receipt = messages.iter().find(|m| m.subject.starts_with("Receipt")).expect("a receipt");
        assert!(receipt.attachments.is_empty());
    }

    /// An account the office made has no primary contact: its receipt goes to its
    /// company contacts with an email; a billing contact takes precedence while active,
    /// and a deactivated one gets nothing.
    async fn receipts_reach_the_contacts_of_an_account_the_office_made(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let (customer, id, marisol) = new_account(&w, &oscar).await;
        let number = priced_invoice(&w, &oscar, &customer).await;
        invoices::send(&w.app, &oscar, &number, Some(marisol.0), None).await.unwrap();
        let today = doorstep_app::documents::today(&w.acme);
        let pay = |amount: &str| PaymentForm {
            customer: customer.clone(),
            amount: amount.into(),
            method: "cash".into(),
            received_on: today.to_string(),
            shares: vec![(number.clone(), amount.into())],
            ..PaymentForm::default()
        };
        let cmd = |amount: &str| RecordPayment::parse(&pay(amount), Currency::USD, today).unwrap();

        let done = record::record(&w.app, &oscar, cmd("100.00")).await.unwrap();
        assert!(done.receipt_queued);
        assert_eq!(w.emails(&w.acme).await.last().unwrap(), &("payment_receipt".to_owned(), "marisol@example.test".to_owned()));

        // A billing contact: the receipt goes to them alone; once deactivated, back to
        // the others.
        let billing = contacts::add(&w.app, &oscar, id, person("Bea", "bea@example.test", true)).await.unwrap();
        record::record(&w.app, &oscar, cmd("100.00")).await.unwrap();
        assert_eq!(w.emails(&w.acme).await.last().unwrap(), &("payment_receipt".to_owned(), "bea@example.test".to_owned()));
        contacts::deactivate(&w.app, &oscar, billing).await.unwrap();
        let before = w.emails(&w.acme).await.len();
        record::record(&w.app, &oscar, cmd("100.00")).await.unwrap();
        let after = w.emails(&w.acme).await;
        assert_eq!(after[before..], [("payment_receipt".to_owned(), "marisol@example.test".to_owned())]);
    }
}
