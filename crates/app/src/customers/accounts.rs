//! Customer accounts: create (numbered `C-1001`, ... from the company's counter), edit,
//! deactivate, reactivate.

use doorstep_core::authz::OfficeArea;
use doorstep_core::customers::{
    CustomerKind, ParentFacts, check_external_ref, check_line, check_name, check_notes,
    check_optional_email, check_parent, check_payment_terms, check_phone, number_query,
};
use doorstep_core::ids::{CompanyId, CustomerId};
use doorstep_core::validation::Invalid;
use doorstep_store::Tx;
use doorstep_store::customer_book::CustomerInput;
use doorstep_store::request_inbox::Numbered;

use super::end_sessions;
use crate::error::FieldErrors;
use crate::{App, AppError, StaffActor};

/// A customer form as typed.
#[derive(Debug, Clone, Default)]
pub struct CustomerFields {
    /// Name.
    pub name: String,
    /// `residential` or `commercial`.
    pub kind: String,
    /// The parent account's number, for a sub-customer; empty for none.
    pub parent: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Second phone.
    pub mobile_phone: String,
    /// Billing street.
    pub billing_line1: String,
    /// Billing street, second line.
    pub billing_line2: String,
    /// City.
    pub billing_city: String,
    /// State or region.
    pub billing_region: String,
    /// Postal code.
    pub billing_postal_code: String,
    /// Office notes.
    pub notes: String,
    /// Exempt from sales tax.
    pub tax_exempt: bool,
    /// Days an invoice is due; empty = the company's terms.
    pub payment_terms_days: String,
    /// Id in another system.
    pub external_ref: String,
}

/// A customer as typed, checked: what [`create`] and [`edit`] save.
#[derive(Debug, Clone)]
pub struct Customer {
    input: CustomerInput,
    parent_number: Option<String>,
}

impl Customer {
    /// Checks every field, refusing each wrong one.
    pub fn parse(f: &CustomerFields) -> Result<Customer, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = e.check(check_name("name", &f.name, "customer's name"));
        let kind = e.check(CustomerKind::parse(&f.kind));
        let parent_number = if f.parent.trim().is_empty() {
            Some(None)
        } else {
            e.check(number_query(&f.parent).map(Some).ok_or_else(|| {
                Invalid::new(
                    "parent",
                    "Enter the parent account's number, like C-1002, or leave it empty.",
                )
            }))
        };
        let email = e.check(check_optional_email("email", &f.email));
        let phone = e.check(check_phone("phone", &f.phone));
        let mobile_phone = e.check(check_phone("mobile_phone", &f.mobile_phone));
        let line1 = e.check(check_line("billing_line1", &f.billing_line1));
        let line2 = e.check(check_line("billing_line2", &f.billing_line2));
        let city = e.check(check_line("billing_city", &f.billing_city));
        let region = e.check(check_line("billing_region", &f.billing_region));
        let postal = e.check(check_line("billing_postal_code", &f.billing_postal_code));
        let notes = e.check(check_notes("notes", &f.notes));
        let terms = e.check(check_payment_terms(&f.payment_terms_days));
        let external_ref = e.check(check_external_ref(&f.external_ref));
        match (
            name,
            kind,
            parent_number,
            email,
            phone,
            mobile_phone,
            line1,
            line2,
            city,
        ) {
            (
                Some(name),
                Some(kind),
                Some(parent_number),
                Some(email),
                Some(phone),
                Some(mobile_phone),
                Some(billing_line1),
                Some(billing_line2),
                Some(billing_city),
            ) => match (region, postal, notes, terms, external_ref) {
                (
                    Some(billing_region),
                    Some(billing_postal_code),
                    Some(notes),
                    Some(payment_terms_days),
                    Some(external_ref),
                ) => Ok(Customer {
                    input: CustomerInput {
                        name,
                        kind: kind.as_str().to_owned(),
                        parent: None,
                        email: email.unwrap_or_default(),
                        phone,
                        mobile_phone,
                        billing_line1,
                        billing_line2,
                        billing_city,
                        billing_region,
                        billing_postal_code,
                        notes,
                        tax_exempt: f.tax_exempt,
                        payment_terms_days,
                        external_ref,
                    },
                    parent_number,
                }),
                _ => Err(e),
            },
            _ => Err(e),
        }
    }

    /// The customer as it will be saved (the parent is resolved when saving).
    pub fn input(&self) -> &CustomerInput {
        &self.input
    }
}

/// A customer account made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// Its id.
    pub id: CustomerId,
    /// Its number, for its page.
    pub number: String,
}

/// Resolves and checks the parent (`child` is the account being edited) and the external
/// reference inside `tx`, completing `input`.
async fn check_links(
    tx: &mut Tx,
    company: CompanyId,
    child: Option<CustomerId>,
    customer: &Customer,
) -> Result<CustomerInput, AppError> {
    let mut input = customer.input.clone();
    if let Some(number) = &customer.parent_number {
        let parent = tx.customer_id_by_number(company, number).await?;
        let facts = match parent {
            Some(p) => tx
                .customer_chain(company, p)
                .await?
                .map(|(active, chain)| ParentFacts { active, chain }),
            None => None,
        };
        check_parent(child, facts.as_ref())?;
        input.parent = parent;
    }
    if let Some(reference) = &input.external_ref
        && let Some(other) = tx
            .customer_with_external_ref(company, reference, child)
            .await?
    {
        return Err(external_ref_taken(&other).into());
    }
    Ok(input)
}

/// The message for an external reference another account has.
pub fn external_ref_taken(other_number: &str) -> Invalid {
    Invalid::new(
        "external_ref",
        format!(
            "Customer {other_number} already has this external reference; each customer's must be different."
        ),
    )
}

fn detail(input: &CustomerInput) -> serde_json::Value {
    serde_json::json!({
        "name": input.name,
        "kind": input.kind,
        "parent_id": input.parent.map(|p| p.0),
        "email": input.email,
        "tax_exempt": input.tax_exempt,
        "payment_terms_days": input.payment_terms_days,
        "external_ref": input.external_ref,
    })
}

/// Creates a customer account with the company's next number. Refused with
/// [`AppError::Invalid`] for a parent that is unknown or deactivated and for an external
/// reference another account has.
pub async fn create(
    app: &App,
    staff: &StaffActor,
    customer: Customer,
) -> Result<Created, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let input = check_links(&mut tx, company, None, &customer).await?;
    let number = tx.next_number(company, Numbered::Customer).await?;
    let id = tx.insert_office_customer(company, &number, &input).await?;
    let mut d = detail(&input);
    d["number"] = serde_json::json!(number);
    let audit = staff.audit("customer.created", ("customer", id.0), d);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(Created { id, number })
}

/// Saves customer `id`'s details. Refused with [`AppError::NotFound`] for another
/// company's account and [`AppError::Invalid`] for a parent that is unknown, deactivated,
/// the account itself or one of its sub-customers, and for a taken external reference.
pub async fn edit(
    app: &App,
    staff: &StaffActor,
    id: CustomerId,
    customer: Customer,
) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let old = tx
        .customer_state(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = check_links(&mut tx, company, Some(id), &customer).await?;
    if !tx.update_customer(company, id, &input).await? {
        return Err(AppError::NotFound);
    }
    let mut d = detail(&input);
    d["old_name"] = serde_json::json!(old.name);
    let audit = staff.audit("customer.edited", ("customer", id.0), d);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}

/// Deactivates customer `id`: it leaves the active list, takes no new contacts or sites,
/// and every contact's portal access ends with their sessions. Its history stays.
/// Refused with a `has_sub_customers` conflict while an active sub-customer sits under
/// it, and an `unchanged` one when it is already deactivated.
pub async fn deactivate(app: &App, staff: &StaffActor, id: CustomerId) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let state = tx
        .customer_state(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !state.active {
        return Err(AppError::conflict(
            "unchanged",
            "This customer is already deactivated.",
        ));
    }
    let subs = tx.active_sub_customers(company, id).await?;
    if subs > 0 {
        return Err(AppError::conflict(
            "has_sub_customers",
            format!(
                "{subs} active sub-customer(s) sit under this account. Deactivate them or move them to another parent first."
            ),
        ));
    }
    tx.set_customer_active(company, id, false).await?;
    let logins = tx.disable_access_of_customer(company, id).await?;
    let ended = end_sessions(&mut tx, company, &logins).await?;
    let d = serde_json::json!({"number": state.number, "portal_access_ended": logins.len(), "sessions_ended": ended});
    let audit = staff.audit("customer.deactivated", ("customer", id.0), d);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}

/// Reactivates customer `id`. Portal access stays off until the office enables it per
/// contact. Refused with an `unchanged` conflict when it is active.
pub async fn reactivate(app: &App, staff: &StaffActor, id: CustomerId) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let state = tx
        .customer_state(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if state.active {
        return Err(AppError::conflict("unchanged", "This customer is active."));
    }
    tx.set_customer_active(company, id, true).await?;
    let d = serde_json::json!({"number": state.number});
    let audit = staff.audit("customer.reactivated", ("customer", id.0), d);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}

/// Creates the customer whose external reference the command carries, or saves it when
/// one has it already (the API's upsert; the same checks as [`create`] and [`edit`]).
/// Answers the account and whether it was made. Refused with [`AppError::Invalid`] on
/// `external_ref` when the command has none.
pub async fn upsert_by_external_ref(
    app: &App,
    staff: &StaffActor,
    customer: Customer,
) -> Result<(Created, bool), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let Some(reference) = customer.input.external_ref.clone() else {
        return Err(Invalid::new(
            "external_ref",
            "Enter the customer's id in your other system to create or update it by that id.",
        )
        .into());
    };
    let company = staff.company().id;
    match app
        .store
        .customer_by_external_ref(company, &reference)
        .await?
    {
        Some(id) => {
            edit(app, staff, id, customer).await?;
            let number = app
                .store
                .api_customer(company, id)
                .await?
                .map(|c| c.number)
                .ok_or(AppError::NotFound)?;
            Ok((Created { id, number }, false))
        }
        None => Ok((create(app, staff, customer).await?, true)),
    }
}
