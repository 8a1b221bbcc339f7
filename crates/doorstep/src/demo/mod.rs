//! The demo data set: two companies with enough of everything to make every page worth
//! looking at. Deterministic: the same code on the same day makes the same data.
//!
//! `acme` (Acme Plumbing & Heating) is the full tour; `bolt` (Bolt Electric) is a second,
//! smaller tenant that shares one customer's email with acme, to show isolation. Each
//! company is written in one transaction, so a failure leaves nothing half-made; running
//! the seed again replaces both companies (rows and stored files).

mod accounts;
mod acme;
mod acme_assets;
mod acme_customers;
mod acme_estimates;
mod acme_extras;
mod acme_harbor;
mod acme_jobs;
mod acme_messages;
mod acme_texts;
mod acme_work;
mod billing;
mod bolt;
mod images;
mod json;
mod lines;
mod rng;
mod seeder;
mod work;

use std::path::Path;

use anyhow::Context;
use doorstep_store::Store;
use doorstep_web::{FileStore, PasswordCost};

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "doorstep-demo";

/// The companies the demo owns: deleted and made afresh by every run.
pub const DEMO_SLUGS: [&str; 2] = ["acme", "bolt"];

/// What the seed created, for printing and for tests.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    /// Jobs created per company slug.
    pub jobs: Vec<(String, usize)>,
    /// Everything created, per company, in the order of [`DEMO_SLUGS`].
    pub companies: Vec<CompanySummary>,
}

/// What the seed created for one company.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanySummary {
    /// The company's slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Office staff sign-in emails (password [`DEMO_PASSWORD`]).
    pub staff_emails: Vec<String>,
    /// Portal login emails (password [`DEMO_PASSWORD`]).
    pub portal_emails: Vec<String>,
    /// Customer accounts.
    pub customers: usize,
    /// Jobs.
    pub jobs: usize,
    /// Estimates.
    pub estimates: usize,
    /// Invoices.
    pub invoices: usize,
    /// Payments.
    pub payments: usize,
    /// Service requests.
    pub service_requests: usize,
    /// Stored files attached to records (photos count once, with their thumbnails).
    pub files: usize,
}

impl DemoSummary {
    /// The summary of the company `slug`.
    pub fn company(&self, slug: &str) -> Option<&CompanySummary> {
        self.companies.iter().find(|c| c.slug == slug)
    }
}

/// Deletes the demo companies (`acme`, `bolt`) if present and creates them afresh.
pub async fn seed(
    store: &Store,
    files: &FileStore,
    cost: PasswordCost,
) -> anyhow::Result<DemoSummary> {
    // The demo's "today" is its companies' (Springfield, Illinois).
    let today = seeder::demo_zone().date_of(time::OffsetDateTime::now_utc());
    remove_companies(store, files).await?;
    let acme = acme::build(store, files, cost, today)
        .await
        .context("cannot create the demo company acme")?;
    let bolt = bolt::build(store, files, cost, today)
        .await
        .context("cannot create the demo company bolt")?;
    Ok(DemoSummary {
        jobs: vec![
            (acme.slug.clone(), acme.jobs),
            (bolt.slug.clone(), bolt.jobs),
        ],
        companies: vec![acme, bolt],
    })
}

/// Deletes the demo companies in one transaction, then their files.
async fn remove_companies(store: &Store, files: &FileStore) -> anyhow::Result<()> {
    let mut keys = Vec::new();
    for slug in DEMO_SLUGS {
        keys.extend(
            store
                .storage_keys_of_company(slug)
                .await
                .with_context(|| format!("cannot list the files of {slug}"))?,
        );
    }
    let mut tx = store.begin().await?;
    for slug in DEMO_SLUGS {
        tx.delete_company(slug)
            .await
            .with_context(|| format!("cannot delete the company {slug}"))?;
    }
    tx.commit()
        .await
        .context("cannot delete the demo companies")?;
    remove_files(files.root(), &keys);
    Ok(())
}

/// Removes stored files by key (`{root}/{key[0..2]}/{key}`); missing ones are fine, and
/// anything that is not a storage key is left alone.
fn remove_files(root: &Path, keys: &[String]) {
    for key in keys {
        if key.len() < 3 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            tracing::warn!(key = %key, "not a storage key; left alone");
            continue;
        }
        let path = root.join(&key[..2]).join(key);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot remove a demo file")
            }
        }
    }
}

#[cfg(test)]
mod tests;
