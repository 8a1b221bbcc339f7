//! The machinery both demo companies are built with: one open transaction per company,
//! numbering (C-1001, J-1001, ...), logins, stored files, and a count of what was made.

use anyhow::{Context, anyhow};
use doorstep_core::ids::{
    CompanyId, CustomerId, JobId, LoginId, ServiceRequestId, StaffUserId, SupportRequestId,
};
use doorstep_core::local_time::Zone;
use doorstep_core::status::{StaffRole, SupportStatus};
use doorstep_store::companies::NewCompany;
use doorstep_store::customers::NewCustomer;
use doorstep_store::files::NewAttachment;
use doorstep_store::requests::NewServiceRequest;
use doorstep_store::{Store, Tx};
use doorstep_web::auth::password::hash_password;
use doorstep_web::{FileStore, PasswordCost};
use time::{Date, Duration, OffsetDateTime, Time};

use super::billing::PaymentGroup;
use super::images::{self, PHOTO_SIZE};
use super::rng::Rng;
use super::work::JobRecord;
use super::{CompanySummary, DEMO_PASSWORD, remove_files};

/// One company being built: everything goes through `tx`, committed by [`Seeder::finish`].
pub(crate) struct Seeder<'a> {
    /// The open transaction.
    pub(crate) tx: Tx,
    /// The company being built.
    pub(crate) company: CompanyId,
    /// The day the data is relative to.
    pub(crate) today: Date,
    /// The fixed-seed generator for choices.
    pub(crate) rng: Rng,
    /// What has been made so far.
    pub(crate) summary: CompanySummary,
    /// The jobs made so far, in number order.
    pub(crate) jobs: Vec<JobRecord>,
    /// Payments settling several invoices, written once all of them exist.
    pub(crate) groups: Vec<PaymentGroup>,
    /// Labour price per hour, cents.
    pub(crate) hourly_rate: i64,
    files: &'a FileStore,
    cost: PasswordCost,
    written: Vec<String>,
    terms: Vec<(CustomerId, i64)>,
    support_count: usize,
}

/// `prefix-1001` for the first, and so on.
pub(crate) fn number(prefix: &str, nth: usize) -> String {
    format!("{prefix}-{}", 1000 + nth)
}

/// The demo companies' time zone: both are in Springfield, Illinois.
pub(crate) fn demo_zone() -> Zone {
    Zone::parse(DEMO_TIME_ZONE).unwrap_or_default()
}

/// [`demo_zone`]'s name.
const DEMO_TIME_ZONE: &str = "America/Chicago";

/// `day` at `hour:minute` on the demo companies' clock ([`demo_zone`]).
pub(crate) fn at(day: Date, hour: u8, minute: u8) -> OffsetDateTime {
    let time = Time::from_hms(hour, minute, 0).unwrap_or(Time::MIDNIGHT);
    demo_zone().instant(day, time)
}

impl<'a> Seeder<'a> {
    /// Opens the transaction and creates the company in it.
    pub(crate) async fn begin(
        store: &Store,
        files: &'a FileStore,
        cost: PasswordCost,
        today: Date,
        seed: u64,
        company: &NewCompany,
    ) -> anyhow::Result<Seeder<'a>> {
        let mut tx = store.begin().await?;
        let id = tx
            .create_company(company)
            .await
            .with_context(|| format!("cannot create the company {:?}", company.slug))?;
        Ok(Seeder {
            tx,
            company: id,
            today,
            rng: Rng::new(seed),
            summary: CompanySummary {
                slug: company.slug.clone(),
                name: company.name.clone(),
                ..CompanySummary::default()
            },
            jobs: Vec::new(),
            groups: Vec::new(),
            hourly_rate: 12_500,
            files,
            cost,
            written: Vec::new(),
            terms: Vec::new(),
            support_count: 0,
        })
    }

    /// Commits when `result` is Ok; otherwise rolls back. Either way a failure removes
    /// the files written for this company, so nothing is left half-made.
    pub(crate) async fn finish(self, result: anyhow::Result<()>) -> anyhow::Result<CompanySummary> {
        let Seeder {
            tx,
            summary,
            files,
            written,
            ..
        } = self;
        let outcome = match result {
            Ok(()) => tx.commit().await.context("cannot commit the demo data"),
            Err(e) => {
                drop(tx);
                Err(e)
            }
        };
        match outcome {
            Ok(()) => Ok(summary),
            Err(e) => {
                remove_files(files.root(), &written);
                Err(e)
            }
        }
    }

    /// The date `offset` days from today (negative: in the past).
    pub(crate) fn day(&self, offset: i64) -> Date {
        self.today + Duration::days(offset)
    }

    async fn password_hash(&self) -> anyhow::Result<String> {
        let cost = self.cost;
        tokio::task::spawn_blocking(move || hash_password(DEMO_PASSWORD, cost))
            .await
            .context("the password hashing task failed")?
            .map_err(|e| anyhow!("cannot hash the demo password: {e}"))
    }

    /// A staff member with the demo password.
    pub(crate) async fn staff(
        &mut self,
        email: &str,
        name: &str,
        role: StaffRole,
    ) -> anyhow::Result<StaffUserId> {
        let hash = self.password_hash().await?;
        let id = self
            .tx
            .create_staff(self.company, email, name, role, Some(&hash))
            .await
            .with_context(|| format!("cannot add the staff member {email}"))?;
        self.summary.staff_emails.push(email.to_owned());
        Ok(id)
    }

    /// A portal login with the demo password.
    pub(crate) async fn login(&mut self, email: &str) -> anyhow::Result<LoginId> {
        let hash = self.password_hash().await?;
        let id = self
            .tx
            .insert_login(self.company, email, Some(&hash))
            .await
            .with_context(|| format!("cannot add the login {email}"))?;
        self.summary.portal_emails.push(email.to_owned());
        Ok(id)
    }

    /// A customer account, numbered in order; its payment terms follow its kind.
    pub(crate) async fn customer(&mut self, mut c: NewCustomer) -> anyhow::Result<CustomerId> {
        c.number = number("C", self.summary.customers + 1);
        let id = self
            .tx
            .insert_customer(self.company, &c)
            .await
            .with_context(|| format!("cannot add the customer {:?}", c.name))?;
        self.summary.customers += 1;
        let terms = if c.kind == "commercial" { 30 } else { 14 };
        self.terms.push((id, terms));
        Ok(id)
    }

    /// Days an invoice of `customer` is due after it is issued.
    pub(crate) fn terms_of(&self, customer: CustomerId) -> i64 {
        self.terms
            .iter()
            .find(|(c, _)| *c == customer)
            .map_or(14, |(_, t)| *t)
    }

    /// The job made with `tag`.
    pub(crate) fn job(&self, tag: &str) -> anyhow::Result<&JobRecord> {
        self.jobs
            .iter()
            .find(|j| j.tag == tag)
            .ok_or_else(|| anyhow!("the demo has no job tagged {tag:?}"))
    }

    /// Stores `bytes` and remembers the key, to remove it should the company fail.
    pub(crate) fn put_file(&mut self, bytes: &[u8]) -> anyhow::Result<String> {
        let key = self.files.put(bytes).with_context(|| {
            format!("cannot store a file under {}", self.files.root().display())
        })?;
        self.written.push(key.clone());
        Ok(key)
    }

    /// Attaches `count` drawn photos (with thumbnails) to a job.
    pub(crate) async fn photos(
        &mut self,
        customer: CustomerId,
        job: JobId,
        count: usize,
    ) -> anyhow::Result<()> {
        const NAMES: [&str; 3] = ["before-1.png", "after-1.png", "after-2.png"];
        for name in NAMES.iter().take(count) {
            let before = name.starts_with("before");
            let photo = images::photo(self.summary.files as u64, before)?;
            let key = self.put_file(&photo.full)?;
            let thumb = self.put_file(&photo.thumb)?;
            self.tx
                .insert_attachment(
                    self.company,
                    &NewAttachment {
                        customer: Some(customer),
                        owner_kind: "job",
                        owner_id: job.0,
                        kind: "photo",
                        filename: (*name).to_owned(),
                        content_type: "image/png".into(),
                        size_bytes: i64::try_from(photo.full.len())?,
                        storage_key: key,
                        thumb_key: Some(thumb),
                        width: Some(i64::from(PHOTO_SIZE.0)),
                        height: Some(i64::from(PHOTO_SIZE.1)),
                    },
                )
                .await?;
            self.summary.files += 1;
        }
        Ok(())
    }

    /// Attaches a plain-text document to a job.
    pub(crate) async fn document(
        &mut self,
        customer: CustomerId,
        job: JobId,
        filename: &str,
        text: &str,
    ) -> anyhow::Result<()> {
        let key = self.put_file(text.as_bytes())?;
        self.tx
            .insert_attachment(
                self.company,
                &NewAttachment {
                    customer: Some(customer),
                    owner_kind: "job",
                    owner_id: job.0,
                    kind: "document",
                    filename: filename.to_owned(),
                    content_type: "text/plain".into(),
                    size_bytes: i64::try_from(text.len())?,
                    storage_key: key,
                    thumb_key: None,
                    width: None,
                    height: None,
                },
            )
            .await?;
        self.summary.files += 1;
        Ok(())
    }

    /// Records a service request under the next R- number.
    pub(crate) async fn request(
        &mut self,
        mut r: NewServiceRequest,
    ) -> anyhow::Result<ServiceRequestId> {
        r.number = number("R", self.summary.service_requests + 1);
        let id = self.tx.insert_service_request(self.company, &r).await?;
        self.summary.service_requests += 1;
        Ok(id)
    }

    /// Opens a support ticket under the next S- number.
    pub(crate) async fn support(
        &mut self,
        customer: CustomerId,
        contact: Option<doorstep_core::ids::ContactId>,
        subject: &str,
        description: &str,
        status: SupportStatus,
        created_at: OffsetDateTime,
    ) -> anyhow::Result<SupportRequestId> {
        self.support_count += 1;
        let n = number("S", self.support_count);
        let id = self
            .tx
            .insert_support_request(
                self.company,
                customer,
                contact,
                &n,
                subject,
                description,
                status,
                created_at,
            )
            .await?;
        Ok(id)
    }
}
