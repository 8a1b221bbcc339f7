//! The summary (`GET /requests/new/{draft}/summary`) and submitting it
//! (`POST /requests/new/{draft}/submit`): every answer checked again, then in one
//! transaction the draft is claimed (so a double click or retry submits once), a window
//! place taken, the request and its open estimate written, photos moved, and both emails
//! queued. Anything refused leaves nothing behind.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_core::authz::role_of_added_contact;
use doorstep_core::ids::{ContactId, SiteId};
use doorstep_core::request_form::RequestAnswers;
use doorstep_core::status::{EstimateStatus, ScheduleType};
use doorstep_mail::EmailKind;
use doorstep_store::billing::NewEstimate;
use doorstep_store::contacts::NewContact;
use doorstep_store::customers::NewSite;
use doorstep_store::request_portal::{DocumentKind, PortalRequest, RequestDraft};

use super::check::{Context, first_failing, picked_site};
use super::photos::{PhotoView, photo_views};
use super::{Step, load_draft, photo_limit, step_href};
use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::Path;
use crate::kit::render::page;
use crate::kit::urls::path_segment;
use crate::views::PortalChrome;
use crate::{AppState, WebError};

/// One section of the summary with its "Make changes" link.
pub struct SummarySection {
    /// Heading.
    pub title: &'static str,
    /// Lines shown.
    pub lines: Vec<String>,
    /// The step to change it.
    pub change: String,
}

#[derive(Template)]
#[template(path = "portal/requests/summary.html")]
struct SummaryPage {
    chrome: PortalChrome,
    sections: Vec<SummarySection>,
    /// Shown when the company takes photos (or some were added before it stopped).
    photos_offered: bool,
    /// "Make changes" leads to the photos step only while it is offered.
    photos_editable: bool,
    photos: Vec<PhotoView>,
    photos_change: String,
    action: String,
    refusal: Option<String>,
}

/// The date and time asked for, as people read it.
pub fn when_text(a: &RequestAnswers, ctx: &Context) -> String {
    if let Some(w) = a.window.and_then(|id| ctx.window(id)) {
        let slot = ScheduleType::parse(&w.slot)
            .map(|s| s.label())
            .unwrap_or("");
        let hours = if w.start_time.is_empty() {
            String::new()
        } else {
            format!(" {}–{}", w.start_time, w.end_time)
        };
        return format!("{} · {slot}{hours} (booked window)", w.window_date);
    }
    let slot = ScheduleType::parse(&a.schedule)
        .map(|s| s.label())
        .unwrap_or("");
    if a.schedule == "exact" {
        format!("{} at {}", a.date, a.time)
    } else {
        format!("{} · {slot}", a.date)
    }
}

/// The address, as people read it.
pub fn where_text(a: &RequestAnswers, ctx: &Context) -> String {
    if a.new_address {
        return [&a.line1, &a.city, &a.region, &a.postal_code]
            .into_iter()
            .filter(|p| !p.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
    }
    a.site
        .and_then(|id| ctx.site(id))
        .map(|s| {
            let place = [s.line1.as_str(), s.city.as_str()]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            format!("{} — {place}", s.name)
        })
        .unwrap_or_default()
}

/// The visit contact: name, email, phone.
pub fn who(a: &RequestAnswers, ctx: &Context) -> (String, String, String) {
    if a.new_contact {
        return (
            a.contact_name.clone(),
            a.contact_email.clone(),
            a.contact_phone.clone(),
        );
    }
    a.contact
        .and_then(|id| ctx.contact(id))
        .map(|c| {
            (
                format!("{} {}", c.first_name, c.last_name)
                    .trim()
                    .to_owned(),
                c.email.clone().unwrap_or_default(),
                c.phone.clone(),
            )
        })
        .unwrap_or_default()
}

fn what_lines(a: &RequestAnswers, ctx: &Context) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(t) = a
        .job_type
        .and_then(|id| ctx.job_types.iter().find(|t| t.id == id))
    {
        lines.push(format!("{}: {}", ctx.settings.job_type_label(), t.name));
    }
    if let Some(i) = a.item.and_then(|id| ctx.items.iter().find(|i| i.id == id)) {
        let kind = if i.kind == "product" {
            "Product"
        } else {
            "Service"
        };
        lines.push(format!("{kind}: {}", i.name));
    }
    lines.push(a.description.clone());
    if !a.po_number.is_empty() {
        lines.push(format!("PO number: {}", a.po_number));
    }
    if a.sub_customer && ctx.offers_sub_customer() {
        lines.push("For a sub-customer".into());
    }
    lines
}

/// Renders the summary of `draft`, with `refusal` above it when the submit was refused.
#[allow(clippy::too_many_arguments)]
pub async fn render_summary(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
    ctx: &Context,
    draft: &RequestDraft,
    a: &RequestAnswers,
    refusal: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let key = &draft.draft_key;
    let (name, email, phone) = who(a, ctx);
    let reach: Vec<String> = [name, email, phone]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    let sections = vec![
        SummarySection {
            title: "Date and time",
            lines: vec![when_text(a, ctx)],
            change: step_href(key, Step::When),
        },
        SummarySection {
            title: "Address",
            lines: vec![where_text(a, ctx)],
            change: step_href(key, Step::Address),
        },
        SummarySection {
            title: "Contact",
            lines: reach,
            change: step_href(key, Step::Contact),
        },
        SummarySection {
            title: "What needs doing",
            lines: what_lines(a, ctx),
            change: step_href(key, Step::What),
        },
    ];
    let photos = state
        .store
        .draft_photos(contact.portal.company.id, draft.id)
        .await?;
    let view = SummaryPage {
        chrome: PortalChrome::of(contact, csrf).at("/requests"),
        sections,
        photos_offered: photo_limit(contact) > 0 || !photos.is_empty(),
        photos_editable: photo_limit(contact) > 0,
        photos: photo_views(key, &photos),
        photos_change: step_href(key, Step::Photos),
        action: format!("/requests/new/{key}/submit"),
        refusal,
    };
    let mut response = page(&view)?;
    *response.status_mut() = status;
    Ok(response)
}

fn confirmation(number: &str) -> Response {
    Redirect::to(&format!("/requests/{}?submitted=1", path_segment(number))).into_response()
}

fn split_name(full: &str) -> (String, String) {
    match full.trim().rsplit_once(' ') {
        Some((first, last)) => (first.trim().to_owned(), last.trim().to_owned()),
        None => (full.trim().to_owned(), String::new()),
    }
}

/// `POST /requests/new/{draft}/submit`.
pub async fn submit(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let (draft, a) = load_draft(&state, &contact, &key).await?;
    let company = &contact.portal.company;
    if let Some(number) = &draft.request_number {
        return Ok(confirmation(number));
    }
    if a.done < Step::What.number() {
        return Ok(Redirect::to(&step_href(&key, Step::When)).into_response());
    }
    let ctx = Context::load(&state, &contact).await?;
    if let Some((step, _)) = first_failing(&a, &ctx) {
        // The step shows what is wrong now (a window filled up, an item withdrawn...).
        return Ok(Redirect::to(&step_href(&key, step)).into_response());
    }
    let (contact_name, contact_email, contact_phone) = who(&a, &ctx);
    let when = when_text(&a, &ctx);
    let location = where_text(&a, &ctx);
    let window = a.window.and_then(|id| ctx.window(id));
    let (date, schedule, time) = match window {
        Some(w) => (
            Some(w.window_date),
            ScheduleType::parse(&w.slot).ok(),
            w.start_time.clone(),
        ),
        None => (
            doorstep_core::request_form::check_date(
                &a.date,
                ctx.today,
                ctx.settings.request_lead_days,
            )
            .ok(),
            ScheduleType::parse(&a.schedule).ok(),
            if a.schedule == "exact" {
                a.time.clone()
            } else {
                String::new()
            },
        ),
    };
    let customer = contact.scope.customer;
    // Read before the transaction: a submit holds one connection, never waits for a second.
    let request_email = state.store.office_notice_address(company.id).await?;
    let submitter = state
        .store
        .login_email(company.id, contact.portal.login)
        .await?
        .unwrap_or_default();
    let submitter_name = state
        .store
        .contact_access(company.id, contact.active.contact)
        .await?
        .map(|c| {
            format!("{} {}", c.first_name, c.last_name)
                .trim()
                .to_owned()
        })
        .unwrap_or_default();

    let mut tx = state.store.begin().await?;
    // First write: a second submit of this draft waits here, then finds it claimed.
    if !tx.claim_request_draft(company.id, draft.id).await? {
        drop(tx);
        return match state
            .store
            .request_by_idempotency_key(company.id, customer, &key)
            .await?
        {
            Some(number) => Ok(confirmation(&number)),
            None => {
                render_summary(
                    &state,
                    &contact,
                    &csrf,
                    &ctx,
                    &draft,
                    &a,
                    Some(
                        "This request is already being sent. Reload the page in a moment."
                            .to_owned(),
                    ),
                    StatusCode::CONFLICT,
                )
                .await
            }
        };
    }
    if let Some(w) = window
        && !tx
            .take_window_place_checked(company.id, w.id, ctx.today)
            .await?
    {
        drop(tx);
        return render_summary(&state, &contact, &csrf, &ctx, &draft, &a, Some("Sorry: the time you picked was just fully booked. Nothing was sent. Use “Make changes” next to Date and time to pick another.".to_owned()), StatusCode::CONFLICT).await;
    }
    let site = match picked_site(&a, &ctx) {
        Some(site) => Some(site),
        None if a.new_address => Some(SiteId(
            tx.insert_site(
                company.id,
                &NewSite {
                    customer: Some(customer),
                    name: a.line1.clone(),
                    kind: "service".into(),
                    line1: a.line1.clone(),
                    city: a.city.clone(),
                    region: a.region.clone(),
                    postal_code: a.postal_code.clone(),
                    ..Default::default()
                },
            )
            .await?
            .0,
        )),
        None => None,
    };
    let visit_contact = if a.new_contact {
        let (first, last) = split_name(&a.contact_name);
        // Never more than the person adding it has: a site contact's new contact is a
        // site contact of the same sites, so enabling its access opens no billing.
        let (role, sites) = role_of_added_contact(&contact.scope);
        let added = tx
            .insert_contact(
                company.id,
                &NewContact {
                    customer,
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
            tx.add_contact_site(company.id, added, site).await?;
        }
        Some(added)
    } else {
        a.contact.map(ContactId)
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
                contact: visit_contact,
                submitted_by: contact.active.contact,
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
                idempotency_key: key.clone(),
            },
        )
        .await?;
    tx.finish_request_draft(company.id, draft.id, request, customer)
        .await?;

    let portal = state.config.portal_url(&company.slug);
    let link = format!("{portal}/requests/{}", path_segment(&number));
    let office_link = format!("{portal}/office");
    let customer_name = contact.active.customer_name.clone();
    if !request_email.trim().is_empty() {
        doorstep_mail::enqueue(
            &mut tx,
            company.id,
            EmailKind::RequestReceivedCompany,
            &request_email,
            &company.name,
            &[
                ("company_name", company.name.as_str()),
                ("request_number", &number),
                ("estimate_number", &estimate_number),
                ("customer_name", &customer_name),
                ("contact_name", &contact_name),
                ("contact_email", &contact_email),
                ("contact_phone", &contact_phone),
                ("site", &location),
                ("preferred", &when),
                ("po_number", &a.po_number),
                ("details", &a.description),
                ("link", &office_link),
            ],
        )
        .await?;
    }
    if !submitter.is_empty() {
        let visit = [
            contact_name.as_str(),
            contact_email.as_str(),
            contact_phone.as_str(),
        ]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
        doorstep_mail::enqueue(
            &mut tx,
            company.id,
            EmailKind::RequestReceivedCustomer,
            &submitter,
            &submitter_name,
            &[
                ("company_name", company.name.as_str()),
                ("contact_name", &submitter_name),
                ("request_number", &number),
                ("estimate_number", &estimate_number),
                ("location", &location),
                ("visit_contact", &visit),
                ("preferred", &when),
                ("details", &a.description),
                ("link", &link),
            ],
        )
        .await?;
    }
    tx.commit().await?;
    state.mail_wake.wake();
    state.request_events.notify(company.id);
    Ok(confirmation(&number))
}
