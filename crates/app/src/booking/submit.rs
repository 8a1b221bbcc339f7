//! Submitting a draft: every answer checked again, then in one transaction the draft is
//! claimed (so a double click or retry submits once), a window place taken, the request
//! and its reserved estimate written, the draft's photos moved to the request, the
//! submission audited, and both emails queued (the office's notice and the customer's
//! receipt). Anything refused leaves nothing behind.

use doorstep_core::authz::{PortalAction, role_of_added_contact};
use doorstep_core::ids::{ContactId, SiteId};
use doorstep_core::request_form::{RequestAnswers, check_date};
use doorstep_core::status::{EstimateStatus, ScheduleType};
use doorstep_core::validation::Invalid;
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::billing::NewEstimate;
use doorstep_store::contacts::NewContact;
use doorstep_store::customers::NewSite;
use doorstep_store::request_portal::{DocumentKind, PortalRequest};

use super::checks::{Context, first_failing, picked_site, visit_contact, when_text, where_text};
use super::drafts;
use super::form::Step;
use crate::links::path_segment;
use crate::{App, AppError, ContactActor, notify};

/// A submitted request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// Its number.
    pub number: String,
}

fn split_name(full: &str) -> (String, String) {
    match full.trim().rsplit_once(' ') {
        Some((first, last)) => (first.trim().to_owned(), last.trim().to_owned()),
        None => (full.trim().to_owned(), String::new()),
    }
}

/// Submits draft `key` of the contact. A draft submitted before answers with its request.
/// Refused with [`AppError::Invalid`] naming the step (its slug as the field) whose
/// answers no longer pass (a window filled up, an item withdrawn...), a `full` conflict
/// when the window's last place went meanwhile, and a `sending` conflict while another
/// submit of the same draft is under way.
pub async fn submit(app: &App, actor: &ContactActor, key: &str) -> Result<Submitted, AppError> {
    actor.require(PortalAction::RequestService)?;
    let (draft, a) = drafts::load(app, actor, key).await?;
    if let Some(number) = draft.request_number {
        return Ok(Submitted { number });
    }
    if a.done < Step::What.number() {
        return Err(Invalid::new(Step::When.slug(), "Answer every step first.").into());
    }
    let ctx = Context::load(app, actor).await?;
    if let Some((step, errors)) = first_failing(&a, &ctx) {
        let message = errors
            .first()
            .unwrap_or("Check this step again.")
            .to_owned();
        return Err(Invalid::new(step.slug(), message).into());
    }
    let company = actor.company();
    let customer = actor.customer();
    // Read before the transaction: a submit holds one connection, never waits for a second.
    let submitter = actor.who(app).await?;

    let mut tx = app.store.begin().await?;
    // First write: a second submit of this draft waits here, then finds it claimed.
    if !tx.claim_request_draft(company.id, draft.id).await? {
        // Ended once the claim it saw is durable, so the read below finds the request.
        tx.rollback().await?;
        return match app
            .store()
            .request_by_idempotency_key(company.id, customer, key)
            .await?
        {
            Some(number) => Ok(Submitted { number }),
            None => Err(AppError::conflict(
                "sending",
                "This request is already being sent. Reload the page in a moment.",
            )),
        };
    }
    let window = a.window.and_then(|id| ctx.window(id));
    if let Some(w) = window
        && !tx
            .take_window_place_checked(company.id, w.id, ctx.today)
            .await?
    {
        return Err(AppError::conflict(
            "full",
            "Sorry: the time you picked was just fully booked. Nothing was sent. Use “Make changes” next to Date and time to pick another.",
        ));
    }
    let site = site_of(&mut tx, actor, &a, &ctx).await?;
    let contact = contact_of(&mut tx, actor, &a).await?;
    let (date, schedule, time) = match window {
        Some(w) => (
            Some(w.window_date),
            ScheduleType::parse(&w.slot).ok(),
            w.start_time.clone(),
        ),
        None => (
            check_date(&a.date, ctx.today, ctx.settings.request_lead_days).ok(),
            ScheduleType::parse(&a.schedule).ok(),
            if a.schedule == "exact" {
                a.time.clone()
            } else {
                String::new()
            },
        ),
    };
    let estimate_number = tx
        .next_document_number(company.id, DocumentKind::Estimate)
        .await?;
    let number = tx
        .next_document_number(company.id, DocumentKind::Request)
        .await?;
    let estimate = tx
        .insert_estimate(
            company.id,
            &NewEstimate {
                customer,
                site,
                number: estimate_number.clone(),
                title: format!("Service request {number}"),
                scope: a.description.clone(),
                // Reserved, not offered: the customer sees it once the office has priced it
                // and sent it, never as a $0 estimate to approve.
                status: EstimateStatus::Draft,
                issued_on: ctx.today,
                expires_on: None,
                deposit_minor: 0,
                total_minor: 0,
                approval: None,
                decline: None,
                converted_job: None,
            },
        )
        .await?;
    let request = tx
        .insert_portal_request(
            company.id,
            &PortalRequest {
                customer,
                site,
                contact,
                submitted_by: actor.contact(),
                number: number.clone(),
                preferred_date: date,
                schedule_type: schedule,
                preferred_time: time,
                window: window.map(|w| w.id),
                job_type: a.job_type,
                item: a.item,
                description: a.description.clone(),
                po_number: a.po_number.clone(),
                sub_customer: a.sub_customer && ctx.offers_sub_customer(),
                estimate,
                idempotency_key: key.to_owned(),
            },
        )
        .await?;
    tx.finish_request_draft(company.id, draft.id, request, customer)
        .await?;
    let detail = serde_json::json!({
        "number": number,
        "estimate": estimate_number,
        "window": window.map(|w| w.id),
    });
    let audit = actor.audit(
        &submitter.email,
        "request.submitted",
        ("service_request", request.0),
        detail,
    );
    tx.audit(company.id, &audit).await?;
    let data = serde_json::json!({"number": number, "customer_id": customer.0, "description": a.description, "preferred_date": date.map(|d| d.to_string()), "estimate": estimate_number});
    crate::webhooks::emit(&mut tx, company.id, "request.created", data).await?;
    let told = Told {
        number: &number,
        estimate_number: &estimate_number,
        answers: &a,
        ctx: &ctx,
    };
    told.office(app, &mut tx, actor).await?;
    told.submitter(app, &mut tx, actor, &submitter).await?;
    app.commit(tx, true).await?;
    app.request_events().notify(company.id);
    Ok(Submitted { number })
}

/// The picked site, or the new address written as a site of the account.
async fn site_of(
    tx: &mut Tx,
    actor: &ContactActor,
    a: &RequestAnswers,
    ctx: &Context,
) -> Result<Option<SiteId>, AppError> {
    if let Some(site) = picked_site(a, ctx) {
        return Ok(Some(site));
    }
    if !a.new_address {
        return Ok(None);
    }
    let site = tx
        .insert_site(
            actor.company().id,
            &NewSite {
                customer: Some(actor.customer()),
                name: a.line1.clone(),
                kind: "service".into(),
                line1: a.line1.clone(),
                city: a.city.clone(),
                region: a.region.clone(),
                postal_code: a.postal_code.clone(),
                ..Default::default()
            },
        )
        .await?;
    Ok(Some(SiteId(site.0)))
}

/// The picked contact, or the new one written to the account.
async fn contact_of(
    tx: &mut Tx,
    actor: &ContactActor,
    a: &RequestAnswers,
) -> Result<Option<ContactId>, AppError> {
    if !a.new_contact {
        return Ok(a.contact.map(ContactId));
    }
    let company = actor.company().id;
    let (first, last) = split_name(&a.contact_name);
    // Never more than the person adding it has: a site contact's new contact is a site
    // contact of the same sites, so enabling its access opens no billing.
    let (role, sites) = role_of_added_contact(actor.scope());
    let added = tx
        .insert_contact(
            company,
            &NewContact {
                customer: actor.customer(),
                login: None,
                first_name: first,
                last_name: last,
                email: (!a.contact_email.is_empty()).then(|| a.contact_email.to_lowercase()),
                phone: a.contact_phone.clone(),
                role,
                is_primary: false,
                is_billing: false,
                portal_enabled: false,
            },
        )
        .await?;
    for site in sites {
        tx.add_contact_site(company, added, site).await?;
    }
    Ok(Some(added))
}

/// What both emails of a submission tell.
struct Told<'a> {
    number: &'a str,
    estimate_number: &'a str,
    answers: &'a RequestAnswers,
    ctx: &'a Context,
}

impl Told<'_> {
    /// The office's notice, at its notice address.
    async fn office(&self, app: &App, tx: &mut Tx, actor: &ContactActor) -> Result<(), AppError> {
        let company = actor.company();
        let (name, email, phone) = visit_contact(self.answers, self.ctx);
        let office_link = app.links().portal(&company.slug, "/office");
        notify::office(
            tx,
            company,
            EmailKind::RequestReceivedCompany,
            &[
                ("company_name", company.name.as_str()),
                ("request_number", self.number),
                ("estimate_number", self.estimate_number),
                ("customer_name", actor.customer_name()),
                ("contact_name", &name),
                ("contact_email", &email),
                ("contact_phone", &phone),
                ("site", &where_text(self.answers, self.ctx)),
                ("preferred", &when_text(self.answers, self.ctx)),
                ("po_number", &self.answers.po_number),
                ("details", &self.answers.description),
                ("link", &office_link),
            ],
        )
        .await?;
        Ok(())
    }

    /// The receipt to whoever submitted, at their login's email.
    async fn submitter(
        &self,
        app: &App,
        tx: &mut Tx,
        actor: &ContactActor,
        submitter: &super::Who,
    ) -> Result<(), AppError> {
        if submitter.email.is_empty() {
            return Ok(());
        }
        let company = actor.company();
        let (name, email, phone) = visit_contact(self.answers, self.ctx);
        let visit = [name.as_str(), email.as_str(), phone.as_str()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let link = app.links().portal(
            &company.slug,
            &format!("/requests/{}", path_segment(self.number)),
        );
        doorstep_mail::enqueue(
            tx,
            company.id,
            EmailKind::RequestReceivedCustomer,
            &submitter.email,
            &submitter.name,
            &[
                ("company_name", company.name.as_str()),
                ("contact_name", &submitter.name),
                ("request_number", self.number),
                ("estimate_number", self.estimate_number),
                ("location", &where_text(self.answers, self.ctx)),
                ("visit_contact", &visit),
                ("preferred", &when_text(self.answers, self.ctx)),
                ("details", &self.answers.description),
                ("link", &link),
            ],
        )
        .await?;
        Ok(())
    }
}
