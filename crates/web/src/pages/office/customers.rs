//! The office's customer list and customer page (contacts and their portal access).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doorstep_core::authz::OfficeArea;
use doorstep_core::ids::{ContactId, CustomerId, SiteId};
use doorstep_core::status::ContactRole;
use doorstep_store::contacts::ContactAccess;
use doorstep_store::customers::{CustomerListRow, CustomerSummary};
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Path, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

const PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "office/customers.html")]
struct ListPage {
    chrome: OfficeChrome,
    q: String,
    rows: Vec<CustomerListRow>,
    next: Option<String>,
}

/// The list's query string.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    after_name: Option<String>,
    after_id: Option<i64>,
}

/// `GET /office/customers`: search and keyset paging by name.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let after = match (&query.after_name, query.after_id) {
        (Some(name), Some(id)) => Some((name.as_str(), id)),
        _ => None,
    };
    let q = query.q.trim().chars().take(100).collect::<String>();
    let mut rows = state
        .store
        .customers_page(staff.company.id, Some(&q), after, PAGE + 1)
        .await?;
    let next = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|last| {
            let params = [
                ("q", q.as_str()),
                ("after_name", last.name.as_str()),
                ("after_id", &last.id.to_string()),
            ];
            let encoded: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(params)
                .finish();
            format!("/office/customers?{encoded}")
        })
    } else {
        None
    };
    crate::kit::render::page(&ListPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        q,
        rows,
        next,
    })
}

struct ContactView {
    c: ContactAccess,
    /// The role and what it opens, read before the access buttons.
    role: String,
    status: &'static str,
    status_class: &'static str,
    last_sign_in: String,
}

#[derive(Template)]
#[template(path = "office/customer.html")]
struct CustomerPage {
    chrome: OfficeChrome,
    customer: CustomerSummary,
    contacts: Vec<ContactView>,
    notice: Option<&'static str>,
    error: Option<&'static str>,
}

/// Flash messages after an access action.
#[derive(Deserialize, Default)]
pub struct Flash {
    done: Option<String>,
    error: Option<String>,
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
        _ => return None,
    })
}

fn error_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "no_email" => {
            "This contact has no valid email address. Add one before enabling portal access."
        }
        "no_login" => "This contact has no portal login yet. Enable access first.",
        "has_password" => {
            "This person has already set a password; use \"Send password reset\" instead."
        }
        _ => return None,
    })
}

/// `GET /office/customers/{number}`.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let company = staff.company.id;
    let customer = state
        .store
        .customer_by_number(company, &number)
        .await?
        .ok_or(WebError::NotFound)?;
    let account = CustomerId(customer.id);
    let sites = state
        .store
        .sites_of_customer(company, account, None)
        .await?;
    let mut contacts = Vec::new();
    for c in state.store.contacts_of_customer(company, account).await? {
        let (status, status_class) = match (c.portal_enabled, c.login_id, c.has_password, c.locked)
        {
            (_, Some(_), _, true) => ("Locked", "danger"),
            (false, _, _, _) => ("No access", ""),
            (true, None, _, _) => ("Invited", "warning"),
            (true, Some(_), true, _) => ("Active", "success"),
            (true, Some(_), false, _) => ("Invited", "warning"),
        };
        let last_sign_in = c
            .last_sign_in_at
            .map(|t| crate::display::when(&staff.company.time_zone, t))
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
    crate::kit::render::page(&CustomerPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        customer,
        contacts,
        notice: flash.done.as_deref().and_then(notice_text),
        error: flash.error.as_deref().and_then(error_text),
    })
}
