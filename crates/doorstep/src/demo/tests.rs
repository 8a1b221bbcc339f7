//! The seed against a real database, on both engines: it runs, runs again (replacing the
//! first run's rows and files), and makes the people and counts the README promises.

use std::path::Path;

use anyhow::Context;
use doorstep_core::status::ContactRole;
use doorstep_store::Store;
use doorstep_testkit::{Backend, both_backends, fresh_database};
use doorstep_web::{FileStore, PasswordCost};

use super::{DEMO_SLUGS, seed};

fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                count_files(&path)
            } else {
                usize::from(!e.file_name().to_string_lossy().starts_with('.'))
            }
        })
        .sum()
}

fn count(counts: &[(&str, i64)], table: &str) -> usize {
    counts
        .iter()
        .find(|(t, _)| *t == table)
        .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0))
}

both_backends! {
    /// Seeding twice replaces the demo companies; each run makes the same data.
    async fn seeding_twice_replaces_the_demo_companies(backend: Backend) -> anyhow::Result<()> {
        let db = fresh_database(backend).await;
        let store = Store::connect(&db.url).await?;
        store.migrate().await?;
        let dir = tempfile::tempdir()?;
        let files = FileStore::new(dir.path().to_path_buf());

        let first = seed(&store, &files, PasswordCost::TestOnly).await?;
        let files_after_first = count_files(files.root());
        let second = seed(&store, &files, PasswordCost::TestOnly).await?;
        assert_eq!(first.companies, second.companies, "the same data on the same day");
        assert_eq!(count_files(files.root()), files_after_first, "the first run's files are gone");

        let mut keys = 0;
        for slug in DEMO_SLUGS {
            for key in store.storage_keys_of_company(slug).await? {
                assert!(files.root().join(&key[..2]).join(&key).is_file(), "{key} is on disk");
                keys += 1;
            }
        }
        assert_eq!(keys, files_after_first, "every file on disk belongs to a row");

        let summary = second.company("acme").context("acme summary")?;
        let acme = store.company_by_slug("acme").await?.context("acme exists")?;
        assert!(acme.logo_key.is_some());
        let counts = store.company_row_counts(acme.id).await?;
        assert_eq!(count(&counts, "jobs"), summary.jobs);
        assert!(summary.jobs >= 70, "{} jobs", summary.jobs);
        assert_eq!(count(&counts, "customers"), summary.customers);
        assert_eq!(count(&counts, "invoices"), summary.invoices);
        assert_eq!(count(&counts, "estimates"), summary.estimates);
        assert_eq!(count(&counts, "payments"), summary.payments);
        assert_eq!(count(&counts, "service_requests"), 5);
        assert_eq!(count(&counts, "availability_windows"), 20);
        assert_eq!(count(&counts, "ratings"), 6);

        let dana = store.login_by_email(acme.id, "dana@example.test").await?.context("dana at acme")?;
        let accounts = store.accounts_of_login(acme.id, dana).await?;
        let names: Vec<&str> = accounts.iter().map(|a| a.customer_name.as_str()).collect();
        assert_eq!(names, ["Dana Whitaker", "Harbor Property Co."]);

        let sam = store.login_by_email(acme.id, "sam@example.test").await?.context("sam")?;
        let accounts = store.accounts_of_login(acme.id, sam).await?;
        assert_eq!(accounts.len(), 1);
        assert_eq!(accounts[0].role, ContactRole::Site);
        let sites = store.sites_of_contact(acme.id, accounts[0].contact).await?;
        let harbor_sites = store.sites_of_customer(acme.id, accounts[0].customer, Some(&sites)).await?;
        let names: Vec<&str> = harbor_sites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Bayview Apartments"]);

        let bolt = store.company_by_slug("bolt").await?.context("bolt exists")?;
        let bolt_dana = store.login_by_email(bolt.id, "dana@example.test").await?.context("dana at bolt")?;
        assert_ne!(bolt_dana, dana, "one login per company");
        let accounts = store.accounts_of_login(bolt.id, bolt_dana).await?;
        assert_eq!(accounts.len(), 1);
        assert!(store.accounts_of_login(bolt.id, dana).await?.is_empty());
        let bolt_summary = second.company("bolt").context("bolt summary")?;
        let counts = store.company_row_counts(bolt.id).await?;
        assert_eq!((count(&counts, "jobs"), count(&counts, "invoices"), count(&counts, "estimates")), (12, 2, 1));
        assert_eq!(bolt_summary.jobs, 12);
        store.close().await;
        Ok(())
    }
}
