//! Writes a [`Plan`] into a fresh database through the real migrations, in large
//! transactions of multi-row inserts, and reports what the benchmark needs to sign in.

use std::time::Instant;

use anyhow::{Context, bail};
use doorstep_core::status::StaffRole;
use doorstep_core::tenancy::CompanySlug;
use doorstep_store::Store;
use doorstep_store::bulk::{
    BulkContact, BulkCounts, BulkCustomer, BulkJob, BulkLine, BulkLogin, BulkSite,
};
use doorstep_store::companies::NewCompany;
use doorstep_web::PasswordCost;
use doorstep_web::auth::password::hash_password;
use time::Date;

use crate::generate::{Cursor, CustomerRows, Plan, SEARCH_WORD};
use crate::sizes::Sizes;

/// Jobs per transaction: large enough that commits cost nothing, small enough that
/// progress shows and memory stays flat (about 25 MB of rows in flight).
const BATCH_JOBS: usize = 25_000;

/// What to seed.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// Row counts.
    pub sizes: Sizes,
    /// The generator's seed.
    pub seed: u64,
    /// The day dates are relative to.
    pub today: Date,
    /// The password of every seeded login.
    pub password: String,
    /// How expensive the password hash is (the server verifies whatever was stored).
    pub cost: PasswordCost,
    /// Print progress lines on stderr.
    pub progress: bool,
}

/// What was seeded, and how to sign in as the benchmark customer's contact.
#[derive(Debug, Clone)]
pub struct SeedReport {
    /// Row counts as read back from the database.
    pub counts: BulkCounts,
    /// Company of the benchmark customer.
    pub slug: String,
    /// The benchmark contact's sign-in email.
    pub email: String,
    /// The office staff member's sign-in email (same password).
    pub staff_email: String,
    /// The benchmark customer's name, for the office's customer search.
    pub customer_name: String,
    /// Its password.
    pub password: String,
    /// A word the benchmark customer's job summaries contain.
    pub search_word: &'static str,
    /// A job number of the benchmark customer.
    pub job_number: String,
    /// A read-write API key of the company (for the API's job list and upsert).
    pub api_key: String,
    /// Seconds the whole seed took, migrations and statistics included.
    pub seconds: f64,
}

/// Rows waiting for the next transaction.
#[derive(Default)]
struct Batch {
    customers: Vec<BulkCustomer>,
    sites: Vec<BulkSite>,
    logins: Vec<BulkLogin>,
    contacts: Vec<BulkContact>,
    jobs: Vec<BulkJob>,
    lines: Vec<BulkLine>,
}

impl Batch {
    fn add(&mut self, rows: CustomerRows) {
        self.customers.push(rows.customer);
        self.sites.push(rows.site);
        self.logins.extend(rows.login);
        self.contacts.push(rows.contact);
        self.jobs.extend(rows.jobs);
        self.lines.extend(rows.lines);
    }

    fn is_full(&self) -> bool {
        self.jobs.len() >= BATCH_JOBS || self.customers.len() >= BATCH_JOBS
    }

    /// Writes every row in one transaction, parents first, and empties the batch.
    async fn flush(&mut self, store: &Store) -> anyhow::Result<()> {
        store.bulk_relax().await?;
        let mut tx = store.begin().await?;
        tx.bulk_customers(&self.customers).await?;
        tx.bulk_sites(&self.sites).await?;
        tx.bulk_logins(&self.logins).await?;
        tx.bulk_contacts(&self.contacts).await?;
        tx.bulk_jobs(&self.jobs).await?;
        tx.bulk_lines(&self.lines).await?;
        tx.commit().await?;
        *self = Batch::default();
        Ok(())
    }
}

/// Seeds the data set into the empty database at `url` (migrating it first).
pub async fn seed(url: &str, options: &SeedOptions) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    let say = |line: String| {
        if options.progress {
            eprintln!("[{:>7.1} s] {line}", started.elapsed().as_secs_f64());
        }
    };
    options.sizes.check().map_err(anyhow::Error::msg)?;
    // One connection: SQLite's relaxed pragmas are per connection, and one writer is
    // what SQLite allows anyway.
    let store = Store::connect_with(url, 1)
        .await
        .context("cannot open the database")?;
    store
        .migrate()
        .await
        .context("cannot apply the migrations")?;
    if !store.bulk_target_is_empty().await? {
        bail!("the database already holds companies; seed into a fresh, empty one");
    }
    let engine = store.bulk_engine();
    let sizes = options.sizes;
    say(format!(
        "{engine}: migrated; seeding {} companies, {} customers, {} jobs ({} for the benchmark customer)",
        sizes.companies, sizes.customers, sizes.jobs, sizes.bench_jobs
    ));

    let hash = hash_password(&options.password, options.cost).map_err(anyhow::Error::msg)?;
    let plan = Plan::new(sizes, options.seed, options.today);
    let mut company_ids = Vec::with_capacity(sizes.companies);
    store.bulk_relax().await?;
    let mut tx = store.begin().await?;
    for index in 0..sizes.companies {
        let c = plan.company(index);
        let slug = CompanySlug::parse(&c.slug)
            .map_err(|e| anyhow::anyhow!("generated slug {:?}: {e:?}", c.slug))?;
        let id = tx
            .create_company(&NewCompany {
                slug: slug.as_str().to_owned(),
                name: c.name,
                email: format!("office@{}.example.com", slug.as_str()),
                currency: "USD".into(),
                brand_primary: "#0b5cad".into(),
                brand_accent: "#f5a623".into(),
                ..NewCompany::default()
            })
            .await
            .with_context(|| format!("cannot create the company {slug}"))?;
        // An office staff member (not an administrator), for the office's pages.
        tx.create_staff(
            id,
            &office_email(slug.as_str()),
            "Office Staff",
            StaffRole::Office,
            Some(&hash),
        )
        .await
        .with_context(|| format!("cannot create the office staff member of {slug}"))?;
        company_ids.push(id.0);
    }
    tx.commit().await?;

    let mut cursor = Cursor::new();
    let mut batch = Batch::default();
    let mut first: Option<(String, String, String)> = None;
    let mut jobs_done = 0_usize;
    for (company, &company_id) in company_ids.iter().enumerate() {
        for index in plan.customers_of(company) {
            let rows = plan.customer(company, company_id, index, &mut cursor, &hash);
            if index == 0 {
                let email = rows.contact.email.clone().unwrap_or_default();
                let number = rows.jobs.first().map(|j| j.number.clone());
                let name = rows.customer.name.clone();
                first = Some((email, number.unwrap_or_default(), name));
            }
            jobs_done += rows.jobs.len();
            batch.add(rows);
            if batch.is_full() {
                batch.flush(&store).await?;
                say(progress_line(jobs_done, sizes.jobs, started));
            }
        }
    }
    if !batch.customers.is_empty() {
        batch.flush(&store).await?;
        say(progress_line(jobs_done, sizes.jobs, started));
    }
    say("refreshing the planner's statistics (ANALYZE)".into());
    store.bulk_finish().await?;
    let counts = store.bulk_counts().await?;
    let slug = plan.company(0).slug;
    let api_key = api_key(&store, &slug).await?;
    store.close().await;
    let (email, job_number, customer_name) = first.unwrap_or_default();
    let seconds = started.elapsed().as_secs_f64();
    say(format!("done in {seconds:.1} s"));
    Ok(SeedReport {
        counts,
        staff_email: office_email(&slug),
        slug,
        email,
        customer_name,
        password: options.password.clone(),
        search_word: SEARCH_WORD,
        job_number,
        api_key,
        seconds,
    })
}

/// Stores a new read-write API key of company `slug`, made by its office staff member,
/// as the office's API keys page stores one (the SHA-256 of the secret): the secret.
async fn api_key(store: &Store, slug: &str) -> anyhow::Result<String> {
    use sha2::{Digest, Sha256};
    let company = store
        .company_by_slug(slug)
        .await?
        .context("the seeded company is missing")?;
    let staff = store
        .staff_by_email(company.id, &office_email(slug))
        .await?
        .context("the seeded office staff member is missing")?;
    let random: [u64; 4] = rand::random();
    let secret = format!(
        "dsk_live_{}",
        random
            .iter()
            .map(|n| format!("{n:016x}"))
            .collect::<String>()
    );
    let hash = hex::encode(Sha256::digest(secret.as_bytes()));
    let mut tx = store.begin().await?;
    tx.insert_api_key(
        company.id,
        &doorstep_store::api::NewApiKey {
            name: "Benchmark",
            prefix: &secret[..17],
            key_hash: &hash,
            scopes: "read write",
            created_by: staff.id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// The sign-in email of company `slug`'s office staff member.
fn office_email(slug: &str) -> String {
    format!("staff@{slug}.example.com")
}

fn progress_line(done: usize, total: usize, started: Instant) -> String {
    let secs = started.elapsed().as_secs_f64().max(0.001);
    #[allow(clippy::cast_precision_loss)]
    let (pct, rate) = (
        done as f64 * 100.0 / total.max(1) as f64,
        done as f64 / secs,
    );
    format!("{done} / {total} jobs ({pct:.0}%), {rate:.0} jobs/s")
}
