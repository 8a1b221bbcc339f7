//! Customer accounts, sites and contacts as both demo companies write them.

use doorstep_core::ids::{ContactId, CustomerId, LoginId, SiteId};
use doorstep_core::status::ContactRole;
use doorstep_store::contacts::NewContact;
use doorstep_store::customers::{NewCustomer, NewSite};

use super::seeder::Seeder;

/// A customer account with its one site and one contact.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Account {
    pub(crate) customer: CustomerId,
    pub(crate) site: SiteId,
    pub(crate) contact: ContactId,
}

/// An account as a table row: name, kind, email, phone, street, site name, and the
/// contact's first name, last name and email.
pub(crate) type AccountRow<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    (&'a str, &'a str, Option<&'a str>),
);

/// A service site of `customer` in Springfield.
pub(crate) fn site(customer: CustomerId, name: &str, line1: &str, notes: &str) -> NewSite {
    NewSite {
        customer: Some(customer),
        name: name.into(),
        kind: "service".into(),
        line1: line1.into(),
        city: "Springfield".into(),
        region: "IL".into(),
        postal_code: "62704".into(),
        access_notes: notes.into(),
    }
}

/// A customer account billed at `line1`, Springfield.
pub(crate) fn account(
    name: &str,
    kind: &str,
    email: &str,
    phone: &str,
    line1: &str,
) -> NewCustomer {
    NewCustomer {
        name: name.into(),
        kind: kind.into(),
        email: email.into(),
        phone: phone.into(),
        billing_line1: line1.into(),
        billing_city: "Springfield".into(),
        billing_region: "IL".into(),
        billing_postal_code: "62704".into(),
        ..NewCustomer::default()
    }
}

/// A primary, billing company contact; with a login it may use the portal.
pub(crate) fn person(
    customer: CustomerId,
    (first, last, email): (&str, &str, Option<&str>),
    phone: &str,
    login: Option<LoginId>,
) -> NewContact {
    NewContact {
        customer,
        login,
        first_name: first.into(),
        last_name: last.into(),
        email: email.map(str::to_owned),
        phone: phone.into(),
        role: ContactRole::Company,
        is_primary: true,
        is_billing: true,
        portal_enabled: login.is_some(),
    }
}

/// Adds a one-site, one-contact account (`c`'s street is the site's).
pub(crate) async fn simple_account(
    s: &mut Seeder<'_>,
    c: NewCustomer,
    site_name: &str,
    contact: (&str, &str, Option<&str>),
    login: Option<LoginId>,
) -> anyhow::Result<Account> {
    let (line1, phone) = (c.billing_line1.clone(), c.phone.clone());
    let customer = s.customer(c).await?;
    let site =
        s.tx.insert_site(s.company, &site(customer, site_name, &line1, ""))
            .await?;
    let p = person(customer, contact, &phone, login);
    let contact = s.tx.insert_contact(s.company, &p).await?;
    Ok(Account {
        customer,
        site,
        contact,
    })
}

/// Adds one [`simple_account`] per row, without logins.
pub(crate) async fn accounts_from(
    s: &mut Seeder<'_>,
    rows: &[AccountRow<'_>],
) -> anyhow::Result<Vec<Account>> {
    let mut out = Vec::new();
    for &(name, kind, email, phone, line1, site_name, contact) in rows {
        let c = account(name, kind, email, phone, line1);
        out.push(simple_account(s, c, site_name, contact, None).await?);
    }
    Ok(out)
}
