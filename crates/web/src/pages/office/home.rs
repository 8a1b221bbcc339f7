//! The office's home page after sign-in, for every staff member: what needs doing today
//! (visits, new requests, open support, estimates awaiting the customer, overdue
//! invoices: counts and short lists with links) and a feed of what customers did in the
//! portal, from the same audit records as each customer's timeline; below them the last
//! twelve weeks as charts (`super::charts`).

use askama::Template;
use axum::response::Response;
use doorstep_store::customer_reads::HomeList;

use super::customers::show::{TimelineEntry, timeline_entry};
use crate::auth::session::SignedInStaff;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// How many of each list, and of the feed, the page shows.
const FEW: i64 = 5;
const FEED: i64 = 15;

/// One of the home's panels.
struct Panel {
    id: &'static str,
    title: &'static str,
    empty: &'static str,
    count: i64,
    items: Vec<PanelItem>,
    /// Where the whole list lives, when a page has it.
    all: Option<&'static str>,
}

struct PanelItem {
    href: String,
    number: String,
    title: String,
    customer: String,
}

#[derive(Template)]
#[template(path = "office/home.html")]
struct OfficeHome {
    chrome: OfficeChrome,
    panels: Vec<Panel>,
    feed: Vec<TimelineEntry>,
    checklist: Option<super::onboarding::checklist::Checklist>,
    charts: Vec<super::charts::ChartView>,
}

fn panel(
    (id, title, empty): (&'static str, &'static str, &'static str),
    base: &str,
    list: HomeList,
    all: Option<&'static str>,
) -> Panel {
    Panel {
        id,
        title,
        empty,
        count: list.count,
        items: list
            .items
            .into_iter()
            .map(|i| PanelItem {
                href: format!(
                    "{base}/{}",
                    form_urlencoded::byte_serialize(i.number.as_bytes()).collect::<String>()
                ),
                title: i.title.chars().take(80).collect(),
                number: i.number,
                customer: i.customer_name,
            })
            .collect(),
        all,
    }
}

/// Renders the office home for `staff`.
pub async fn render(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
) -> Result<Response, WebError> {
    let company = staff.company.id;
    let today = crate::kit::dates::today(&staff.company.time_zone);
    let t = state.store.office_today(company, today, FEW).await?;
    let panels = vec![
        panel(
            ("visits", "Today's visits", "No visits today."),
            "/office/jobs",
            t.visits,
            None,
        ),
        panel(
            ("requests", "New requests", "No new requests."),
            "/office/requests",
            t.new_requests,
            Some("/office/requests?status=new"),
        ),
        panel(
            ("support", "Open support", "No open support requests."),
            "/office/support",
            t.open_support,
            Some("/office/support"),
        ),
        panel(
            (
                "estimates",
                "Estimates awaiting the customer",
                "No estimates awaiting an answer.",
            ),
            "/office/estimates",
            t.awaiting_estimates,
            None,
        ),
        panel(
            ("overdue", "Overdue invoices", "No overdue invoices."),
            "/office/invoices",
            t.overdue_invoices,
            None,
        ),
    ];
    let feed = state
        .store
        .portal_events(company, None, None, FEED)
        .await?
        .into_iter()
        .map(|e| timeline_entry(&staff.company.time_zone, e, true))
        .collect();
    crate::kit::render::page(&OfficeHome {
        chrome: OfficeChrome::of(staff, csrf),
        panels,
        feed,
        checklist: super::onboarding::checklist::for_home(state, staff).await?,
        charts: super::charts::charts(state, staff).await?,
    })
}
