//! The signed-in contact's dashboard: the account at a glance, each block linking to its
//! page. Blocks appear only when the company's settings and authz allow them; site
//! contacts see no money, estimates or invoices.

use askama::Template;
use axum::response::Response;
use doorstep_core::authz::PortalAction;
use doorstep_core::status::{
    ContactRole, EstimateStatus, InvoiceState, JobStatus, RequestStatus, SupportStatus,
};
use doorstep_store::customers::{CustomerSummary, SiteSummary};
use doorstep_store::dashboard::{CardRow, SubCustomerRow};

use crate::auth::session::SignedInContact;
use crate::display::{date, day, weekday_date};
use crate::kit::dates::today;
use crate::kit::render::page;
use crate::kit::urls::path_segment;
use crate::pages::portal::billing::may;
use crate::views::{PortalChrome, money};
use crate::{AppState, WebError};

/// How many entries a dashboard block lists before "see all".
const BLOCK: i64 = 5;

/// One line of a block: text, a link (possibly none), a status and an amount or date.
struct Item {
    title: String,
    href: Option<String>,
    /// Short facts (a number, an amount, a date), each kept on one line.
    detail: Vec<String>,
    /// Where, last; free text that may wrap.
    place: Option<String>,
    badge: &'static str,
    badge_class: &'static str,
}

/// Money at a glance (company contacts only).
struct Balance {
    due: String,
    overdue_count: usize,
    credit: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/dashboard.html")]
struct DashboardPage {
    chrome: PortalChrome,
    customer: CustomerSummary,
    site_contact: bool,
    balance: Option<Balance>,
    statement: bool,
    visits: Vec<Item>,
    estimates: Option<Vec<Item>>,
    invoices: Option<Vec<Item>>,
    requests: Vec<Item>,
    support: Option<Vec<Item>>,
    service_sites: Option<Vec<SiteSummary>>,
    pickup_sites: Option<Vec<SiteSummary>>,
    cards: Option<Vec<CardRow>>,
    sub_customers: Option<Vec<SubCustomerRow>>,
}

/// Renders the dashboard of `contact`'s active account.
pub async fn render(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
) -> Result<Response, WebError> {
    let company = &contact.portal.company;
    let settings = &company.settings;
    let store = &state.store;
    let scope = &contact.scope;
    let zone = &company.time_zone;
    let today = today(zone);
    let customer = store
        .customer_summary(company.id, scope.customer)
        .await?
        .ok_or(WebError::NotFound)?;
    let site_contact = scope.role == ContactRole::Site;
    // Balances, invoices and priced estimates: money, which site contacts never see.
    let sees_money = may(contact, PortalAction::SeeMoney);
    let billing = sees_money && may(contact, PortalAction::ViewInvoices);

    let visits = store
        .upcoming_visits(company.id, scope, doorstep_store::now(), BLOCK)
        .await?
        .into_iter()
        .map(|v| {
            let status = JobStatus::parse(&v.status).unwrap_or(JobStatus::Scheduled);
            Item {
                title: v.summary,
                href: Some(format!("/jobs/{}", path_segment(&v.number))),
                detail: vec![v.number, weekday_date(zone.date_of(v.job_date))],
                place: v.site_name,
                badge: status.label(),
                badge_class: "",
            }
        })
        .collect();

    let estimates = if sees_money && may(contact, PortalAction::ViewEstimates) {
        let rows = store
            .estimates_page(company.id, scope, Some(today), None, BLOCK)
            .await?;
        Some(
            rows.into_iter()
                .map(|e| Item {
                    href: Some(format!("/estimates/{}", path_segment(&e.number))),
                    detail: [Some(e.number), Some(money(company, e.total_minor))]
                        .into_iter()
                        .chain([e.expires_on.map(|d| format!("answer by {}", date(d)))])
                        .flatten()
                        .collect(),
                    place: None,
                    title: e.title,
                    badge: EstimateStatus::Pending.customer_label(),
                    badge_class: "warning",
                })
                .collect(),
        )
    } else {
        None
    };

    let (invoices, balance) = if billing {
        let open = store.open_invoices(company.id, scope).await?;
        let due: i64 = open.iter().map(|i| i.balance_minor()).sum();
        let overdue_count = open
            .iter()
            .filter(|i| i.state(today) == InvoiceState::Overdue)
            .count();
        let balance = Balance {
            due: money(company, due),
            overdue_count,
            credit: settings
                .show_credit
                .then(|| money(company, customer.credit_minor)),
        };
        let items = open
            .iter()
            .take(BLOCK as usize)
            .map(|i| {
                let state = i.state(today);
                Item {
                    title: format!("Invoice {}", i.number),
                    href: Some(format!("/invoices/{}", path_segment(&i.number))),
                    detail: vec![format!(
                        "{} due {}",
                        money(company, i.balance_minor()),
                        date(i.due_on)
                    )],
                    place: None,
                    badge: state.label(),
                    badge_class: if state == InvoiceState::Overdue {
                        "danger"
                    } else {
                        "warning"
                    },
                }
            })
            .collect();
        (Some(items), Some(balance))
    } else {
        (None, None)
    };

    // Each request links to its page, for those who may open it.
    let request_pages = may(contact, PortalAction::RequestService);
    let requests = store
        .open_service_requests(company.id, scope, BLOCK)
        .await?
        .into_iter()
        .map(|r| Item {
            href: request_pages.then(|| format!("/requests/{}", path_segment(&r.number))),
            detail: vec![r.number, format!("sent {}", day(zone, r.created_at))],
            place: None,
            title: r.title,
            badge: RequestStatus::parse(&r.status).map_or("Sent", |s| s.customer_label()),
            badge_class: "",
        })
        .collect();

    let support = if may(contact, PortalAction::Support) {
        let rows = store
            .open_support_requests(company.id, scope.customer, BLOCK)
            .await?;
        Some(
            rows.into_iter()
                .map(|r| Item {
                    href: Some(format!("/support/{}", path_segment(&r.number))),
                    detail: vec![r.number, format!("opened {}", day(zone, r.created_at))],
                    place: None,
                    title: r.title,
                    badge: SupportStatus::parse(&r.status)
                        .map(|s| s.label())
                        .unwrap_or("Open"),
                    badge_class: "",
                })
                .collect(),
        )
    } else {
        None
    };

    let only = site_contact.then_some(scope.sites.as_slice());
    let sites = store
        .sites_of_customer(company.id, scope.customer, only)
        .await?;
    let (pickup, service): (Vec<_>, Vec<_>) = sites.into_iter().partition(|s| s.kind == "pickup");
    let service_sites = settings.show_service_address.then_some(service);
    let pickup_sites = settings.show_pickup_address.then_some(pickup);

    let cards = if settings.show_payment_method && !site_contact {
        Some(store.cards_on_file(company.id, scope.customer).await?)
    } else {
        None
    };
    let sub_customers = if settings.show_sub_customers && !site_contact {
        Some(store.sub_customers(company.id, scope.customer, 20).await?)
    } else {
        None
    };

    page(&DashboardPage {
        chrome: PortalChrome::of(contact, csrf).at("/"),
        customer,
        site_contact,
        balance,
        statement: billing,
        visits,
        estimates,
        invoices,
        requests,
        support,
        service_sites,
        pickup_sites,
        cards,
        sub_customers,
    })
}
