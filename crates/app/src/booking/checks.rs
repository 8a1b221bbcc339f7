//! What a contact may pick on the request form, read fresh each time, and the checks
//! every step runs against it. The same checks run on every step's POST, on the summary
//! and again at submit, so a value crafted into a form (another account's site, a hidden
//! catalogue item) or gone stale (a window filled up) is refused wherever it arrives.

use doorstep_core::email::EmailAddress;
use doorstep_core::ids::SiteId;
use doorstep_core::request_form::{
    RequestAnswers, check_date, check_description, check_schedule, check_short, check_time,
    earliest_date,
};
use doorstep_core::settings::PortalSettings;
use doorstep_core::status::{ContactRole, ScheduleType};
use doorstep_core::visits::slot_and_hours;
use doorstep_store::booking::OpenWindow;
use doorstep_store::contacts::ContactAccess;
use doorstep_store::customers::SiteSummary;
use doorstep_store::request_portal::Choice;
use time::Date;

use super::form::{Errors, Step};
use crate::{App, AppError, ContactActor};

/// How many open windows step 1 offers.
const WINDOWS_SHOWN: i64 = 20;

/// What the contact may pick from, read fresh for every step.
pub struct Context {
    /// Today (the company's).
    pub today: Date,
    /// The first date a request may ask for.
    pub earliest: Date,
    /// The company's switches.
    pub settings: PortalSettings,
    /// The sites this contact may request for.
    pub sites: Vec<SiteSummary>,
    /// The account's contacts.
    pub contacts: Vec<ContactAccess>,
    /// Open windows from the earliest date.
    pub windows: Vec<OpenWindow>,
    /// Requestable job types.
    pub job_types: Vec<Choice>,
    /// The requestable catalogue.
    pub items: Vec<Choice>,
    /// A company contact (site contacts may not add addresses).
    pub company_contact: bool,
}

impl Context {
    /// Reads what `actor` may pick now.
    pub async fn load(app: &App, actor: &ContactActor) -> Result<Context, AppError> {
        let company = actor.company();
        let scope = actor.scope();
        let settings = company.settings.clone();
        let today = company.time_zone.date_of(doorstep_store::now());
        let earliest = earliest_date(today, settings.request_lead_days);
        let company_contact = scope.role == ContactRole::Company;
        let only = (!company_contact).then_some(scope.sites.as_slice());
        let store = app.store();
        Ok(Context {
            today,
            earliest,
            sites: store
                .sites_of_customer(company.id, scope.customer, only)
                .await?,
            // A site contact sees and picks only the people of its own sites.
            contacts: match only {
                Some(sites) => {
                    store
                        .contacts_of_sites(company.id, scope.customer, sites)
                        .await?
                }
                None => {
                    store
                        .contacts_of_customer(company.id, scope.customer)
                        .await?
                }
            },
            windows: store
                .open_windows(company.id, earliest, WINDOWS_SHOWN)
                .await?,
            job_types: store.requestable_job_types(company.id).await?,
            items: store.requestable_items(company.id).await?,
            settings,
            company_contact,
        })
    }

    /// Whether a new address may be typed.
    pub fn may_add_address(&self) -> bool {
        self.company_contact && self.settings.show_new_address_field
    }

    /// The open window `id`, if it is offered.
    pub fn window(&self, id: i64) -> Option<&OpenWindow> {
        self.windows.iter().find(|w| w.id == id)
    }

    /// The site `id`, if this contact may pick it.
    pub fn site(&self, id: i64) -> Option<&SiteSummary> {
        self.sites.iter().find(|s| s.id == id)
    }

    /// The account's contact `id`.
    pub fn contact(&self, id: i64) -> Option<&ContactAccess> {
        self.contacts.iter().find(|c| c.id == id)
    }

    /// Whether the sub-customer tick is offered.
    pub fn offers_sub_customer(&self) -> bool {
        self.settings.show_sub_customers && self.company_contact
    }
}

/// Checks the answers of `step` against what may be picked now; adds to `errors`.
pub fn check_step(step: Step, a: &RequestAnswers, ctx: &Context, errors: &mut Errors) {
    match step {
        Step::When => {
            if errors.has("choice") {
                return;
            }
            if let Some(id) = a.window {
                if ctx.window(id).is_none() {
                    errors.add(
                        "choice",
                        "That time is fully booked or no longer offered. Choose another.",
                    );
                }
                return;
            }
            if let Err(m) = check_date(&a.date, ctx.today, ctx.settings.request_lead_days) {
                errors.add("date", m);
            }
            match check_schedule(&a.schedule) {
                Err(m) => errors.add("schedule", m),
                Ok(ScheduleType::Exact) => {
                    if let Err(m) = check_time(&a.time) {
                        errors.add("time", m);
                    }
                }
                Ok(_) => {}
            }
        }
        Step::Address => {
            if errors.has("site") {
                return;
            }
            if a.new_address {
                if !ctx.may_add_address() {
                    errors.add("site", "Choose one of the addresses listed.");
                    return;
                }
                if let Err(m) = check_short(&a.line1, Some("Enter the street address.")) {
                    errors.add("line1", m);
                }
                for (name, value) in [
                    ("city", &a.city),
                    ("region", &a.region),
                    ("postal_code", &a.postal_code),
                ] {
                    if let Err(m) = check_short(value, None) {
                        errors.add(name, m);
                    }
                }
            } else {
                match a.site {
                    None => errors.add("site", "Choose the address of the work."),
                    Some(id) if ctx.site(id).is_none() => {
                        errors.add("site", "Choose one of the addresses listed.")
                    }
                    Some(_) => {}
                }
            }
        }
        Step::Contact => {
            if errors.has("contact") {
                return;
            }
            if a.new_contact {
                if let Err(m) = check_short(&a.contact_name, Some("Enter the contact's name.")) {
                    errors.add("contact_name", m);
                }
                if !a.contact_email.is_empty() && EmailAddress::parse(&a.contact_email).is_err() {
                    errors.add(
                        "contact_email",
                        "Enter a valid email address, like name@example.com.",
                    );
                }
                match check_short(&a.contact_phone, None) {
                    Err(m) => errors.add("contact_phone", m),
                    Ok(phone) if phone.is_empty() && a.contact_email.is_empty() => errors.add(
                        "contact_phone",
                        "Give an email address or a phone number so we can reach them.",
                    ),
                    Ok(_) => {}
                }
            } else {
                match a.contact {
                    None => errors.add("contact", "Choose who we should contact."),
                    Some(id) if ctx.contact(id).is_none() => {
                        errors.add("contact", "Choose one of the contacts listed.")
                    }
                    Some(_) => {}
                }
            }
        }
        Step::What => {
            if let Some(id) = a.job_type
                && !errors.has("job_type")
                && !ctx.job_types.iter().any(|t| t.id == id)
            {
                errors.add("job_type", "Choose one of the kinds listed.");
            }
            if let Some(id) = a.item
                && !errors.has("item")
                && !ctx.items.iter().any(|i| i.id == id)
            {
                errors.add(
                    "item",
                    "That item is no longer offered. Choose another, or leave it empty.",
                );
            }
            if let Err(m) = check_description(&a.description) {
                errors.add("description", m);
            }
            if let Err(e) = doorstep_core::request_form::parse_po_number(&a.po_number) {
                errors.add("po_number", e.message);
            }
        }
        // Photos are optional and checked when they are uploaded.
        Step::Photos | Step::Summary => {}
    }
}

/// The first step whose stored answers no longer pass, with its messages.
pub fn first_failing(a: &RequestAnswers, ctx: &Context) -> Option<(Step, Errors)> {
    Step::ALL
        .into_iter()
        .filter(|s| *s != Step::Summary)
        .find_map(|step| {
            let mut errors = Errors::default();
            check_step(step, a, ctx, &mut errors);
            (!errors.is_empty()).then_some((step, errors))
        })
}

/// The site picked, as an id the store will accept.
pub fn picked_site(a: &RequestAnswers, ctx: &Context) -> Option<SiteId> {
    a.site
        .filter(|_| !a.new_address)
        .and_then(|id| ctx.site(id))
        .map(|s| SiteId(s.id))
}

/// The date and time asked for, as people read it: `Tue, May 6, 2025 · Morning (AM)`,
/// `... at 9:30 AM`, or the window booked.
pub fn when_text(a: &RequestAnswers, ctx: &Context) -> String {
    if let Some(w) = a.window.and_then(|id| ctx.window(id)) {
        let slot = slot_and_hours(&w.slot, &w.start_time, &w.end_time);
        let day = doorstep_core::local_time::weekday_date(w.window_date);
        return format!("{day} · {slot} (booked window)");
    }
    let day = check_date(&a.date, Date::MIN, 0)
        .map(doorstep_core::local_time::weekday_date)
        .unwrap_or_else(|_| a.date.clone());
    if a.schedule == "exact" {
        let at = doorstep_core::visits::parse_clock("time", &a.time)
            .map(doorstep_core::local_time::time_of_day)
            .unwrap_or_else(|_| a.time.clone());
        format!("{day} at {at}")
    } else {
        let slot = ScheduleType::parse(&a.schedule)
            .map(|s| s.label())
            .unwrap_or("");
        format!("{day} · {slot}")
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
pub fn visit_contact(a: &RequestAnswers, ctx: &Context) -> (String, String, String) {
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
