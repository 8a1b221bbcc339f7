//! The rows of a contacts or sites CSV file (issue 18), for the one import pipeline of
//! [`super::import`]: each row read into the office form's fields and checked by the
//! form's own parse ([`Contact::parse`], [`Site::parse`]), its customer found by external
//! reference or number, then written the way the office's add and edit write one.
//!
//! A contact is found again by its customer and email (or, without an email, its name):
//! contacts have no external reference of their own, so that is what a re-import
//! updates by. A site is found by its own external reference (migration 0043) or,
//! without one, by its customer and name.

use std::collections::HashMap;

use doorstep_core::customer_import::{Column, CsvRow, RowError, check_yes_no};
use doorstep_core::customers::{check_contact_sites, check_external_ref};
use doorstep_core::ids::{CompanyId, ContactId, CustomerId, SiteId};
use doorstep_core::import_kinds::ImportKind;
use doorstep_core::validation::Invalid;
use doorstep_store::Tx;
use doorstep_store::customer_book::{ContactInput, SiteInput};
use doorstep_store::import_kinds::contact_key;

use super::contacts::{Contact, ContactFields};
use super::sites::{Site, SiteFields};
use crate::{AppError, StaffActor};

/// A checked contact or site row.
#[derive(Debug, Clone)]
pub(super) enum KindRow {
    /// A contact of `customer`.
    Contact(CustomerId, ContactInput),
    /// A site of `customer`, with its external reference.
    Site(CustomerId, SiteInput, Option<String>),
    // import-jobs (issue 18)
    /// A job, with the reference it is found again by.
    Job(Box<super::import_jobs::JobRow>),
}

impl KindRow {
    /// What finds the row's record again: the contact's key or the site's reference;
    /// with the column a repeat is named by.
    pub(super) fn key(&self) -> Option<(String, &'static str)> {
        match self {
            KindRow::Contact(customer, c) => Some((
                contact_key(*customer, c.email.as_deref(), &c.first_name, &c.last_name),
                if c.email.is_some() {
                    "email"
                } else {
                    "first_name"
                },
            )),
            KindRow::Site(customer, site, reference) => Some(match reference {
                Some(r) => (r.clone(), "external_ref"),
                None => (site_name_key(*customer, &site.name), "name"),
            }),
            // import-jobs (issue 18)
            KindRow::Job(job) => Some((job.reference().to_owned(), "external_ref")),
        }
    }
}

/// How a site without an external reference is found again: its customer and name.
fn site_name_key(customer: CustomerId, name: &str) -> String {
    format!("{}|name|{}", customer.0, name.to_lowercase())
}

/// The records already there, which rows update rather than duplicate.
#[derive(Debug, Default)]
pub(super) struct Known {
    /// Active customers by external reference and by number.
    pub customers: HashMap<String, CustomerId>,
    /// Active contacts by [`contact_key`].
    pub contacts: HashMap<String, ContactId>,
    /// Sites by external reference, with their customer.
    pub sites: HashMap<String, (SiteId, CustomerId)>,
    /// Active sites without a reference, by their customer and name.
    pub sites_by_name: HashMap<String, SiteId>,
    // import-jobs (issue 18)
    /// Jobs by external reference or number, and the sites a jobs file names.
    pub jobs: super::import_jobs::KnownJobs,
}

impl Known {
    /// Reads what rows of `kind` are matched with, in `tx`.
    pub(super) async fn read(
        tx: &mut Tx,
        company: CompanyId,
        kind: ImportKind,
    ) -> Result<Known, AppError> {
        let mut known = Known {
            customers: tx.customer_keys(company).await?,
            ..Known::default()
        };
        match kind {
            ImportKind::Contacts => known.contacts = tx.contact_keys(company).await?,
            ImportKind::Sites => {
                known.sites = tx.site_refs(company).await?;
                known.sites_by_name = tx
                    .unreferenced_sites(company)
                    .await?
                    .into_iter()
                    .map(|(id, customer, name)| (site_name_key(customer, &name), id))
                    .collect();
            }
            ImportKind::Customers => {}
            // import-jobs (issue 18)
            ImportKind::Jobs => {
                known.jobs = super::import_jobs::KnownJobs::read(tx, company).await?
            }
            // import-invoices (issue 18): read by `import_invoices::Known`.
            ImportKind::Invoices => {}
        }
        Ok(known)
    }

    /// Whether `row` updates a record already there.
    pub(super) fn updates(&self, row: &KindRow) -> bool {
        match (row, row.key()) {
            (KindRow::Contact(..), Some((k, _))) => self.contacts.contains_key(&k),
            (KindRow::Site(..), Some((k, _))) => {
                self.sites.contains_key(&k) || self.sites_by_name.contains_key(&k)
            }
            // import-jobs (issue 18)
            (KindRow::Job(_), Some((k, _))) => self.jobs.find(&k).is_some(),
            _ => false,
        }
    }
}

/// The error of form field `e.field` on `row`, named by the column of `columns` its value
/// is checked as.
pub(super) fn row_error(row: usize, e: &Invalid, columns: &[Column]) -> RowError {
    let field = if e.field == "sites" { "role" } else { e.field };
    RowError {
        row,
        column: columns
            .iter()
            .find(|(_, f, _)| *f == field)
            .map_or(field, |(h, _, _)| *h)
            .to_owned(),
        message: e.message.clone(),
    }
}

/// Checks `row` of a `kind` file (contacts or sites) by the office form's rules.
pub(super) fn parse(
    kind: ImportKind,
    row: &CsvRow,
    known: &Known,
) -> Result<KindRow, Vec<RowError>> {
    let columns = kind.columns();
    let one = |e: Invalid| vec![row_error(row.row, &e, columns)];
    let customer = row.get("customer").trim();
    let Some(customer) = known.customers.get(customer).copied() else {
        return Err(one(Invalid::new(
            "customer",
            "No active customer has this external reference or number.",
        )));
    };
    let many = |fe: crate::error::FieldErrors| {
        fe.0.iter()
            .map(|e| row_error(row.row, e, columns))
            .collect::<Vec<_>>()
    };
    match kind {
        ImportKind::Contacts => {
            let role = row.get("role").trim().to_lowercase();
            let fields = ContactFields {
                first_name: row.get("first_name").to_owned(),
                last_name: row.get("last_name").to_owned(),
                email: row.get("email").to_owned(),
                phone: row.get("phone").to_owned(),
                role: if role.is_empty() {
                    "company".into()
                } else {
                    role
                },
                sites: Vec::new(),
                is_billing: check_yes_no("is_billing", row.get("billing")).map_err(one)?,
                // The file has no column for the API's id: an update keeps the contact's.
                external_ref: None,
            };
            let contact = Contact::parse(&fields).map_err(many)?;
            let input = contact.input().clone();
            let row = KindRow::Contact(customer, input.clone());
            // A site contact needs its sites, which a file does not name: one already
            // there keeps its own; a new one is refused.
            if !known.updates(&row) {
                check_contact_sites(input.role, &[], &[]).map_err(one)?;
            }
            Ok(row)
        }
        ImportKind::Sites => {
            let fields = SiteFields {
                name: row.get("name").to_owned(),
                line1: row.get("line1").to_owned(),
                line2: row.get("line2").to_owned(),
                city: row.get("city").to_owned(),
                region: row.get("region").to_owned(),
                postal_code: row.get("postal_code").to_owned(),
                access_notes: row.get("access_notes").to_owned(),
            };
            let site = Site::parse(&fields).map_err(many);
            let reference = check_external_ref(row.get("external_ref")).map_err(one);
            match (site, reference) {
                (Ok(site), Ok(reference)) => {
                    if let Some((_, owner)) = reference.as_ref().and_then(|r| known.sites.get(r))
                        && *owner != customer
                    {
                        return Err(one(Invalid::new(
                            "external_ref",
                            "Another customer's site has this reference; a site cannot move between customers.",
                        )));
                    }
                    Ok(KindRow::Site(customer, site.input().clone(), reference))
                }
                (site, reference) => {
                    let mut errors = site.err().unwrap_or_default();
                    errors.extend(reference.err().unwrap_or_default());
                    Err(errors)
                }
            }
        }
        // import-jobs (issue 18)
        ImportKind::Jobs => super::import_jobs::parse(row, known, customer),
        ImportKind::Customers => Err(one(Invalid::new("file", "Not a contacts or sites file."))),
        // import-invoices (issue 18): planned by `import_invoices::plan`.
        ImportKind::Invoices => Err(one(Invalid::new("file", "Not a contacts or sites file."))),
    }
}

/// Writes `row` in `tx` as the office's add or edit does, by `staff`; `true` when it
/// created.
pub(super) async fn write(
    tx: &mut Tx,
    staff: &StaffActor,
    row: &KindRow,
    known: &Known,
) -> Result<bool, AppError> {
    let company = staff.company().id;
    match row {
        KindRow::Contact(customer, input) => {
            let key = row.key().map(|(k, _)| k).unwrap_or_default();
            match known.contacts.get(&key) {
                Some(id) => {
                    // Matched by its email, so the email (and any login) stays.
                    tx.update_contact(company, *id, input, false).await?;
                    if input.role == doorstep_core::status::ContactRole::Company {
                        tx.set_contact_sites(company, *id, &[]).await?;
                    }
                    Ok(false)
                }
                None => {
                    tx.insert_office_contact(company, *customer, input).await?;
                    Ok(true)
                }
            }
        }
        KindRow::Site(customer, input, reference) => {
            if reference.is_none() {
                let key = site_name_key(*customer, &input.name);
                if let Some(id) = known.sites_by_name.get(&key) {
                    tx.update_site(company, *id, input).await?;
                    return Ok(false);
                }
            }
            let found = reference.as_ref().and_then(|r| known.sites.get(r));
            match found {
                Some((id, owner)) if owner == customer => {
                    tx.update_site(company, *id, input).await?;
                    Ok(false)
                }
                Some(_) => Err(Invalid::new(
                    "external_ref",
                    "Another customer's site has this reference; a site cannot move between customers.",
                )
                .into()),
                None => {
                    let id = tx.insert_office_site(company, *customer, input).await?;
                    tx.set_site_external_ref(company, id, reference.as_deref())
                        .await?;
                    Ok(true)
                }
            }
        }
        // import-jobs (issue 18)
        KindRow::Job(job) => super::import_jobs::write(tx, staff, job, known).await,
    }
}
