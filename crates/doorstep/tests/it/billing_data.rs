//! Estimates and invoices for the people of `seed_people`, shared by the billing tests
//! and the permission matrix.

use doorstep_core::settings::PortalSettings;
use doorstep_core::status::{EstimateStatus, InvoiceStatus};
use doorstep_store::billing::{NewEstimate, NewInvoice};
use doorstep_store::jobs::{LineOwner, NewLine};
use time::{Duration, OffsetDateTime};

use crate::helpers::{People, TestApp};

/// A fixed $100.00 line and an optional $50.00 one, both with 10% tax.
pub fn lines() -> Vec<NewLine> {
    let line = |description: &str, price, optional: bool| NewLine {
        catalogue_item: None,
        kind: "service".into(),
        description: description.into(),
        quantity_milli: 1000,
        unit_price_minor: price,
        tax_name: Some("Sales tax".into()),
        tax_rate_bp: 1000,
        is_optional: optional,
        is_selected: !optional,
    };
    vec![
        line("New valve", 10_000, false),
        line("Recirculation pump", 5_000, true),
    ]
}

/// Household: E-1 pending, E-2 pending but past its last day, E-3 pending (to decline);
/// I-1 unpaid (due in 10 days), I-2 overdue by 45 days with $30 paid, I-3 paid, I-4 void.
/// Harbor: E-7 pending, I-7 unpaid.
pub async fn seed_billing(app: &TestApp, people: &People) {
    let today = OffsetDateTime::now_utc().date();
    let mut tx = app.store.begin().await.unwrap();
    for (customer, number, expires) in [
        (people.household, "E-1", 10),
        (people.household, "E-2", -1),
        (people.household, "E-3", 10),
        (people.harbor, "E-7", 10),
    ] {
        let id = tx
            .insert_estimate(
                people.acme,
                &NewEstimate {
                    customer,
                    site: None,
                    number: number.into(),
                    title: format!("Water heater {number}"),
                    scope: "Replace the water heater.".into(),
                    status: EstimateStatus::Pending,
                    issued_on: today - Duration::days(5),
                    expires_on: Some(today + Duration::days(expires)),
                    deposit_minor: 0,
                    total_minor: 11_000,
                    approval: None,
                    decline: None,
                    converted_job: None,
                },
            )
            .await
            .unwrap();
        tx.insert_lines(people.acme, LineOwner::Estimate(id), &lines())
            .await
            .unwrap();
    }
    for (customer, number, status, due, total, paid) in [
        (
            people.household,
            "I-1",
            InvoiceStatus::Unpaid,
            10,
            11_000,
            0,
        ),
        (
            people.household,
            "I-2",
            InvoiceStatus::Unpaid,
            -45,
            8_000,
            3_000,
        ),
        (
            people.household,
            "I-3",
            InvoiceStatus::Paid,
            -60,
            4_000,
            4_000,
        ),
        (people.household, "I-4", InvoiceStatus::Void, -70, 1_000, 0),
        (people.harbor, "I-7", InvoiceStatus::Unpaid, 5, 2_000, 0),
    ] {
        let id = tx
            .insert_invoice(
                people.acme,
                &NewInvoice {
                    customer,
                    site: None,
                    job: None,
                    number: number.into(),
                    status,
                    issued_on: today + Duration::days(due) - Duration::days(30),
                    due_on: today + Duration::days(due),
                    total_minor: total,
                    paid_minor: paid,
                    notes: "Thank you for your business.".into(),
                    paid_at: None,
                    voided_at: None,
                },
            )
            .await
            .unwrap();
        tx.insert_lines(people.acme, LineOwner::Invoice(id), &lines()[..1])
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// Changes acme's portal settings with `change`.
pub async fn with_settings(
    app: &TestApp,
    people: &People,
    change: impl FnOnce(&mut PortalSettings),
) {
    let mut settings = app
        .store
        .company_by_slug("acme")
        .await
        .unwrap()
        .unwrap()
        .settings;
    change(&mut settings);
    let mut tx = app.store.begin().await.unwrap();
    tx.set_company_settings(people.acme, &settings)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}
