//! Dana's support ticket, messages with the office, and notifications.

use doorstep_core::ids::CustomerId;
use doorstep_core::status::SupportStatus;
use doorstep_store::conversation::NewMessage;
use time::OffsetDateTime;

use super::acme::Acme;
use super::acme_estimates::Open;
use super::seeder::{Seeder, at};

/// A message; set who wrote it and when each side read it.
fn message(customer: CustomerId, body: &str, created_at: OffsetDateTime) -> NewMessage {
    NewMessage {
        customer,
        job: None,
        author_contact: None,
        author_staff: None,
        body: body.into(),
        created_at,
        read_by_office_at: None,
        read_by_customer_at: None,
    }
}

/// Dana's support ticket, messages both ways, and Dana's notifications on both accounts.
pub(crate) async fn conversation(s: &mut Seeder<'_>, a: &Acme, open: &Open) -> anyhow::Result<()> {
    let co = s.company;
    let home = a.household;
    let opened = at(s.day(-6), 18, 20);
    let ticket = s.support(home.customer, Some(home.contact), "Is my water heater warranty registered?", "The installer mentioned a 6-year tank warranty. Can you confirm it is registered with Rheem? I can't find the paperwork.", SupportStatus::InProgress, opened).await?;
    s.tx.insert_support_comment(co, ticket, None, Some(a.admin.0), "Hi Dana, we're checking with Rheem and will attach the registration to your water heater's job.", at(s.day(-5), 9, 15)).await?;
    s.tx.insert_support_comment(
        co,
        ticket,
        Some(home.contact),
        None,
        "Thank you! The serial number on the label is RH-0419-55821, if that helps.",
        at(s.day(-5), 12, 40),
    )
    .await?;

    let mut m = message(
        home.customer,
        "Hi! Could the technician use the side gate next time? The front path is being re-paved this month.",
        at(s.day(-20), 9, 12),
    );
    m.author_contact = Some(home.contact);
    m.read_by_office_at = Some(at(s.day(-20), 9, 40));
    s.tx.insert_message(co, &m).await?;
    let mut m = message(
        home.customer,
        "Thanks, Dana. I've added a note to your account so the crew uses the side gate.",
        at(s.day(-20), 9, 45),
    );
    m.author_staff = Some(a.dispatch);
    m.read_by_customer_at = Some(at(s.day(-20), 12, 0));
    s.tx.insert_message(co, &m).await?;
    let spigot = s.job("spigot")?.clone();
    let mut m = message(
        home.customer,
        "The new spigot works perfectly, thank you! No more water in the basement.",
        at(s.day(-11), 8, 5),
    );
    m.job = Some(spigot.id);
    m.author_contact = Some(home.contact);
    m.read_by_office_at = Some(at(s.day(-11), 9, 0));
    s.tx.insert_message(co, &m).await?;
    let today = s.job("dana-today")?.clone();
    let mut m = message(
        home.customer,
        "Reminder: your furnace tune-up is tomorrow, with arrival between 8 and 10 am.",
        at(s.day(-1), 16, 0),
    );
    m.job = Some(today.id);
    m.author_staff = Some(a.dispatch);
    s.tx.insert_message(co, &m).await?;

    let mut m = message(
        a.harbor,
        "From now on, please send the Bayview invoices to Priya in accounts.",
        at(s.day(-6), 10, 20),
    );
    m.author_contact = Some(a.dana_harbor);
    m.read_by_office_at = Some(at(s.day(-6), 10, 50));
    s.tx.insert_message(co, &m).await?;
    let mut m = message(
        a.harbor,
        "Done: Priya Shah is now the billing contact on the Harbor account and will receive every invoice.",
        at(s.day(-6), 11, 2),
    );
    m.author_staff = Some(a.admin);
    s.tx.insert_message(co, &m).await?;

    let login = a.dana_login;
    let pier = s.job("pier-request")?.clone();
    let mut notes: Vec<(CustomerId, &str, String, String, OffsetDateTime)> = vec![
        (
            a.harbor,
            "request_accepted",
            "Your request is scheduled: low water pressure at Pier Offices".into(),
            format!("/jobs/{}", pier.id),
            at(s.day(-9), 9, 0),
        ),
        (
            a.harbor,
            "estimate_sent",
            "New estimate: boiler replacement, Pier Offices".into(),
            format!("/estimates/{}", open.harbor_pending),
            at(s.day(-7), 15, 0),
        ),
        (
            home.customer,
            "estimate_sent",
            "New estimate: tankless water heater upgrade".into(),
            format!("/estimates/{}", open.dana_pending),
            at(s.day(-5), 11, 30),
        ),
        (
            home.customer,
            "visit_reminder",
            "Furnace tune-up tomorrow, 8-10 am".into(),
            format!("/jobs/{}", today.id),
            at(s.day(-1), 16, 0),
        ),
    ];
    if let Some(invoice) = spigot.invoice {
        notes.push((
            home.customer,
            "invoice_available",
            "Your invoice for the outdoor spigot repair is ready".into(),
            format!("/invoices/{invoice}"),
            at(s.day(-12), 17, 0),
        ));
    }
    for (customer, kind, title, link, when) in notes {
        s.tx.insert_notification(co, login, customer, kind, &title, &link, when)
            .await?;
    }
    Ok(())
}
