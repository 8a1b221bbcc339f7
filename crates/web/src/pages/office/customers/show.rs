//! `GET /office/customers/{number}`: everything about one account on one page — its
//! details, contacts and their portal access, sites, the newest few jobs, estimates,
//! invoices, payments, requests and support requests (each with its count), and a
//! keyset-paged timeline of what the customer did in the portal.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doorstep_core::customers::{CustomerKind, portal_activity_label};
use doorstep_core::ids::{ContactId, CustomerId, SiteId};
use doorstep_core::portal_access::PortalAccess;
use doorstep_core::status::{
    ContactRole, EstimateStatus, InvoiceStatus, JobStatus, RequestStatus, SupportStatus,
};
use doorstep_store::contacts::ContactAccess;
use doorstep_store::customer_reads::{
    AccountItem, AccountList, CustomerDetail, EventCursor, PortalEvent, SiteDetail,
};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display;
use crate::extract::{Path, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};
use doorstep_core::local_time::Zone;

/// How many of each kind of record the page lists.
const FEW: i64 = 5;
/// Timeline entries per page.
const TIMELINE: i64 = 20;

/// A contact as the page shows it.
pub(crate) struct ContactView {
    pub(crate) c: ContactAccess,
    /// The role and what it opens, read before the access buttons.
    pub(crate) role: String,
    pub(crate) status: &'static str,
    pub(crate) status_class: &'static str,
    pub(crate) last_sign_in: String,
}

/// One section of records of the account.
pub(crate) struct Section {
    pub(crate) id: &'static str,
    pub(crate) title: &'static str,
    pub(crate) count: i64,
    pub(crate) rows: Vec<SectionRow>,
    pub(crate) shows_amount: bool,
}

/// One record in a section.
pub(crate) struct SectionRow {
    pub(crate) number: String,
    pub(crate) href: String,
    pub(crate) title: String,
    pub(crate) status: String,
    pub(crate) day: String,
    pub(crate) amount: String,
}

/// One entry of the portal timeline.
pub(crate) struct TimelineEntry {
    pub(crate) what: &'static str,
    pub(crate) who: String,
    pub(crate) subject: Option<(String, String)>,
    pub(crate) when: String,
    pub(crate) iso: String,
    pub(crate) customer: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "office/customer.html")]
struct CustomerPage {
    chrome: OfficeChrome,
    customer: CustomerDetail,
    href: String,
    kind: &'static str,
    credit: String,
    terms: String,
    contacts: Vec<ContactView>,
    sites: Vec<SiteDetail>,
    sections: Vec<Section>,
    timeline: Vec<TimelineEntry>,
    older: Option<String>,
    // api-assets (issue 20)
    equipment: Vec<super::equipment_view::AssetView>,
    notice: Option<&'static str>,
    error: Option<&'static str>,
}

/// Flash messages after an action, and the timeline's cursor.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    done: Option<String>,
    error: Option<String>,
    before: Option<String>,
}

fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "enabled" => "Portal access enabled. An invitation email is on its way.",
        "enabled_existing" => {
            "Portal access enabled. This person already has a password for the portal."
        }
        "invited" => "A new invitation email is on its way.",
        "reset" => {
            "Their password was cleared, their sessions ended, and a reset link is on its way."
        }
        "locked" => "Login locked. Any open session has ended.",
        "unlocked" => "Login unlocked.",
        "disabled" => "Portal access disabled for this account.",
        "created" => "Customer created. Add its sites and contacts below.",
        "saved" => "Customer details saved.",
        "deactivated" => {
            "Customer deactivated. Its contacts' portal access has ended; its history stays."
        }
        "reactivated" => "Customer reactivated. Enable portal access per contact when needed.",
        "contact_added" => "Contact added.",
        "contact_saved" => "Contact saved.",
        "contact_deactivated" => {
            "Contact deactivated. Their portal access and sessions have ended."
        }
        "contact_reactivated" => {
            "Contact reactivated. Portal access stays off until you enable it."
        }
        "site_added" => "Site added.",
        "site_saved" => "Site saved.",
        "site_deactivated" => "Site deactivated. Its jobs keep it.",
        "site_reactivated" => "Site reactivated.",
        // api-assets (issue 20)
        code if super::equipment_view::notice(code).is_some() => {
            return super::equipment_view::notice(code);
        }
        _ => return None,
    })
}

fn error_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "no_email" => {
            "This contact has no valid email address. Edit the contact to add one, then enable portal access."
        }
        "no_login" => "This contact has no portal login yet. Enable access first.",
        "has_password" => {
            "This person has already set a password; use \"Send password reset\" instead."
        }
        "inactive" => {
            "This contact or its customer is deactivated. Reactivate it before enabling portal access."
        }
        _ => return None,
    })
}

/// A timeline cursor as links carry it: `{unix seconds}_{id}`.
fn cursor_text((at, id): EventCursor) -> String {
    format!("{}_{id}", at.unix_timestamp())
}

fn parse_cursor(raw: &str) -> Option<EventCursor> {
    let (secs, id) = raw.split_once('_')?;
    let at = OffsetDateTime::from_unix_timestamp(secs.parse().ok()?).ok()?;
    Some((at, id.parse().ok()?))
}

/// How a stored status reads.
fn status_label(kind: &str, raw: &str) -> String {
    let label = match kind {
        "jobs" => JobStatus::parse(raw).map(|s| s.label()),
        "estimates" => EstimateStatus::parse(raw).map(|s| s.label()),
        "invoices" => InvoiceStatus::parse(raw).map(|s| s.label()),
        "requests" => RequestStatus::parse(raw).map(|s| s.label()),
        "support" => SupportStatus::parse(raw).map(|s| s.label()),
        _ => Err(doorstep_core::Invalid::new("status", "")),
    };
    label.map_or_else(
        |_| {
            let mut s = raw.replace('_', " ");
            if let Some(first) = s.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            s
        },
        str::to_owned,
    )
}

/// The link of record `number` of section `id`.
fn href_of(id: &str, number: &str) -> String {
    let base = match id {
        "jobs" => "/office/jobs",
        "estimates" => "/office/estimates",
        "invoices" => "/office/invoices",
        "payments" => "/office/payments",
        "requests" => "/office/requests",
        _ => "/office/support",
    };
    format!("{base}/{}", super::url_segment(number))
}

fn section(id: &'static str, title: &'static str, list: AccountList, currency: &str) -> Section {
    let shows_amount = list.latest.iter().any(|i| i.amount_minor.is_some());
    let rows = list
        .latest
        .into_iter()
        .map(|i: AccountItem| SectionRow {
            href: href_of(id, &i.number),
            status: status_label(id, &i.status),
            day: display::date(i.day),
            amount: i
                .amount_minor
                .map(|m| display::money(m, currency))
                .unwrap_or_default(),
            title: if id == "payments" {
                doorstep_core::status::PaymentMethodKind::parse(&i.title)
                    .map_or(i.title.clone(), |m| m.label().to_owned())
            } else {
                i.title.chars().take(120).collect()
            },
            number: i.number,
        })
        .collect();
    Section {
        id,
        title,
        count: list.count,
        rows,
        shows_amount,
    }
}

/// The timeline entry of `e`; with `named`, the account is named too (the home feed).
pub(crate) fn timeline_entry(zone: &Zone, e: PortalEvent, named: bool) -> TimelineEntry {
    let link = |kind: &str| match kind {
        "estimate" => Some("/office/estimates"),
        "job" => Some("/office/jobs"),
        "service_request" => Some("/office/requests"),
        "support_request" => Some("/office/support"),
        _ => None,
    };
    let subject = match (link(&e.subject_kind), e.subject_number) {
        (Some(base), Some(n)) => Some((format!("{base}/{}", super::url_segment(&n)), n)),
        _ => None,
    };
    let customer = match (named, e.customer_number, e.customer_name) {
        (true, Some(number), Some(name)) => Some((super::page_of(&number), name)),
        _ => None,
    };
    TimelineEntry {
        what: portal_activity_label(&e.action).unwrap_or("Did something in the portal"),
        who: e.who,
        subject,
        when: display::when(zone, e.created_at),
        iso: e
            .created_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        customer,
    }
}

/// The contacts of an account as the page shows them.
pub(crate) async fn contact_views(
    state: &AppState,
    staff: &SignedInStaff,
    account: CustomerId,
    sites: &[SiteDetail],
) -> Result<Vec<ContactView>, WebError> {
    let company = staff.company.id;
    let mut contacts = Vec::new();
    for c in state.store.contacts_of_customer(company, account).await? {
        let (status, status_class) = if c.active {
            PortalAccess::of(
                c.active,
                c.portal_enabled,
                c.login_id.is_some(),
                c.has_password,
                c.locked,
            )
            .label()
        } else {
            ("Deactivated", "")
        };
        let last_sign_in = c
            .last_sign_in_at
            .map(|t| display::when(&staff.company.time_zone, t))
            .unwrap_or_else(|| "Never".to_owned());
        let role = if c.role == ContactRole::Site.as_str() {
            let own = state
                .store
                .sites_of_contact(company, ContactId(c.id))
                .await?;
            let names: Vec<&str> = sites
                .iter()
                .filter(|s| own.contains(&SiteId(s.id)))
                .map(|s| s.name.as_str())
                .collect();
            if names.is_empty() {
                "Site contact of no site: sees no jobs; no invoices, prices or estimates".to_owned()
            } else {
                format!(
                    "Site contact of {}: sees those sites' jobs and requests; no invoices, prices or estimates",
                    names.join(", ")
                )
            }
        } else {
            "Company contact: sees the whole account, invoices, statement, estimates and payments included"
                .to_owned()
        };
        contacts.push(ContactView {
            c,
            role,
            status,
            status_class,
            last_sign_in,
        });
    }
    // Active contacts first, each group by name as read.
    contacts.sort_by_key(|v| !v.c.active);
    Ok(contacts)
}

/// `GET /office/customers/{number}`.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    let customer = super::account(&state, &staff, &number).await?;
    let company = staff.company.id;
    let account = CustomerId(customer.id);
    let sites = state.store.sites_of_account(company, account).await?;
    let contacts = contact_views(&state, &staff, account, &sites).await?;
    let overview = state.store.account_overview(company, account, FEW).await?;
    let currency = staff.company.currency.clone();
    let sections = vec![
        section("jobs", "Jobs", overview.jobs, &currency),
        section("estimates", "Estimates", overview.estimates, &currency),
        section(
            "invoices",
            "Invoices (balance due)",
            overview.invoices,
            &currency,
        ),
        section("payments", "Payments", overview.payments, &currency),
        section("requests", "Service requests", overview.requests, &currency),
        section("support", "Support requests", overview.support, &currency),
    ];
    let before = query.before.as_deref().and_then(parse_cursor);
    let mut events = state
        .store
        .portal_events(company, Some(account), before, TIMELINE + 1)
        .await?;
    let href = super::page_of(&customer.number);
    let older = if events.len() as i64 > TIMELINE {
        events.truncate(TIMELINE as usize);
        events.last().map(|e| {
            format!(
                "{href}?before={}#timeline",
                cursor_text((e.created_at, e.id))
            )
        })
    } else {
        None
    };
    let timeline = events
        .into_iter()
        .map(|e| timeline_entry(&staff.company.time_zone, e, false))
        .collect();
    let terms = match customer.payment_terms_days {
        None => "The company's terms".to_owned(),
        Some(0) => "Due on receipt".to_owned(),
        Some(1) => "1 day".to_owned(),
        Some(d) => format!("{d} days"),
    };
    crate::kit::render::page(&CustomerPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        kind: CustomerKind::parse(&customer.kind).map_or("", |k| k.label()),
        credit: display::money(customer.credit_minor, &currency),
        terms,
        href,
        customer,
        contacts,
        sites,
        sections,
        timeline,
        older,
        // api-assets (issue 20)
        equipment: super::equipment_view::views(&state, &staff, account).await?,
        notice: query.done.as_deref().and_then(notice_text),
        error: query.error.as_deref().and_then(error_text),
    })
}
