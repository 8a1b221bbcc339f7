//! The customer's emails about a job, queued in the caller's transaction to each contact
//! of the account (site contacts: of the job's site) who wants that kind of email.

use doorstep_core::ids::{CompanyId, CustomerId, SiteId};
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::job_writes::Wish;

use crate::links::path_segment;
use crate::{App, AppError};

/// What the emails say about the job.
pub(super) struct JobNews<'a> {
    pub(super) company: (CompanyId, &'a str, &'a str),
    pub(super) customer: CustomerId,
    pub(super) site: Option<SiteId>,
    pub(super) number: &'a str,
    pub(super) summary: &'a str,
    pub(super) site_name: &'a str,
}

impl JobNews<'_> {
    /// Queues `kind` (with `extra` values) to every contact with `wish`; how many.
    pub(super) async fn send(
        &self,
        app: &App,
        tx: &mut Tx,
        kind: EmailKind,
        wish: Wish,
        extra: &[(&str, &str)],
    ) -> Result<usize, AppError> {
        let (company, name, slug) = self.company;
        let to = tx
            .job_recipients(company, self.customer, self.site, wish)
            .await?;
        let link = app
            .links()
            .portal(slug, &format!("/jobs/{}", path_segment(self.number)));
        let site = if self.site_name.is_empty() {
            "your site"
        } else {
            self.site_name
        };
        for (contact, address) in &to {
            let mut values: Vec<(&str, &str)> = vec![
                ("company_name", name),
                ("contact_name", contact.as_str()),
                ("job_number", self.number),
                ("job_summary", self.summary),
                ("site", site),
                ("link", link.as_str()),
            ];
            values.extend_from_slice(extra);
            doorstep_mail::enqueue(tx, company, kind, address, contact, &values).await?;
        }
        Ok(to.len())
    }
}
