//! The guided "Request service" form: its steps, what the contact may pick from (read
//! fresh each time), and the checks every step runs against it. The same checks run on
//! every step's POST, on the summary and again at submit, so a value crafted into a form
//! (another account's site, a hidden catalogue item) or gone stale (a window filled up)
//! is refused wherever it arrives.

use doorstep_core::email::EmailAddress;
use doorstep_core::ids::SiteId;
use doorstep_core::request_form::{
    RequestAnswers, check_date, check_description, check_schedule, check_short, check_time,
    earliest_date,
};
use doorstep_core::settings::PortalSettings;
use doorstep_core::status::{ContactRole, ScheduleType};
use doorstep_store::booking::OpenWindow;
use doorstep_store::contacts::ContactAccess;
use doorstep_store::customers::SiteSummary;
use doorstep_store::request_portal::Choice;
use time::Date;

use crate::{App, AppError, ContactActor};

/// The steps of the form, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Preferred date and time, or a published window.
    When,
    /// Which address.
    Address,
    /// Who to contact.
    Contact,
    /// What needs doing.
    What,
    /// Up to four photos (optional; skipped when the company takes none).
    Photos,
    /// Everything at once, with "Make changes" and "Submit request".
    Summary,
}

impl Step {
    /// Every step in order.
    pub const ALL: [Step; 6] = [
        Step::When,
        Step::Address,
        Step::Contact,
        Step::What,
        Step::Photos,
        Step::Summary,
    ];

    /// The step's URL segment.
    pub fn slug(self) -> &'static str {
        match self {
            Step::When => "when",
            Step::Address => "address",
            Step::Contact => "contact",
            Step::What => "what",
            Step::Photos => "photos",
            Step::Summary => "summary",
        }
    }

    /// The step's heading.
    pub fn title(self) -> &'static str {
        match self {
            Step::When => "When would you like us to come?",
            Step::Address => "Where is the work?",
            Step::Contact => "Who should we contact?",
            Step::What => "What needs doing?",
            Step::Photos => "Add photos (optional)",
            Step::Summary => "Check and send your request",
        }
    }

    /// 1-based position.
    pub fn number(self) -> u8 {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) as u8 + 1
    }

    /// The step named `slug`.
    pub fn parse(slug: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.slug() == slug)
    }

    /// The step after this one.
    pub fn next(self) -> Step {
        Step::ALL
            .get(self.number() as usize)
            .copied()
            .unwrap_or(Step::Summary)
    }
}

/// How many steps count as answered: the optional photos step counts as soon as "What"
/// was answered when the company takes no photos, so it never blocks the summary.
pub fn answered(a: &RequestAnswers, photo_limit: u8) -> u8 {
    if photo_limit == 0 && a.done >= Step::What.number() {
        a.done.max(Step::Photos.number())
    } else {
        a.done
    }
}

/// How many steps the counter shows ("step 2 of 6"): the photos step only when offered.
pub fn step_total(photo_limit: u8) -> u8 {
    Step::ALL.len() as u8 - u8::from(photo_limit == 0)
}

/// A draft key as it appears in URLs: 32 lower-case hex digits, nothing else.
pub fn valid_key(key: &str) -> bool {
    key.len() == 32
        && key
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// How many open windows step 1 offers.
const WINDOWS_SHOWN: i64 = 20;

/// What the contact may pick from, read fresh for every step.
pub struct Context {
    /// Today (UTC).
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
        let today = doorstep_store::now().date();
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

/// Messages by field name, shown next to the field.
#[derive(Debug, Default, Clone)]
pub struct Errors(Vec<(&'static str, String)>);

impl Errors {
    /// The message for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Whether `field` has a message.
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    /// No messages at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first message, if any.
    pub fn first(&self) -> Option<&str> {
        self.0.first().map(|(_, m)| m.as_str())
    }

    /// Adds a message for `field`.
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// A posted id: `Ok(None)` when empty, `Err(())` when not a number.
fn id_of(raw: &str) -> Result<Option<i64>, ()> {
    match raw.trim() {
        "" => Ok(None),
        raw => raw.parse::<i64>().map(Some).map_err(|_| ()),
    }
}

/// Copies the posted fields of `step` into `answers` (other steps' answers are kept);
/// malformed ids become messages.
pub fn read_form(step: Step, answers: &mut RequestAnswers, pairs: &[(String, String)]) -> Errors {
    let mut errors = Errors::default();
    match step {
        Step::When => {
            let choice = field(pairs, "choice");
            answers.window = None;
            if let Some(id) = choice.strip_prefix("window-") {
                match id.parse::<i64>() {
                    Ok(id) => answers.window = Some(id),
                    Err(_) => errors.add("choice", "Choose one of the times listed."),
                }
            }
            answers.date = field(pairs, "date").trim().to_owned();
            answers.schedule = field(pairs, "schedule").trim().to_owned();
            answers.time = field(pairs, "time").trim().to_owned();
        }
        Step::Address => {
            let site = field(pairs, "site");
            answers.new_address = site == "new";
            answers.site = None;
            if !answers.new_address {
                match id_of(site) {
                    Ok(id) => answers.site = id,
                    Err(()) => errors.add("site", "Choose one of the addresses listed."),
                }
            }
            answers.line1 = field(pairs, "line1").trim().to_owned();
            answers.city = field(pairs, "city").trim().to_owned();
            answers.region = field(pairs, "region").trim().to_owned();
            answers.postal_code = field(pairs, "postal_code").trim().to_owned();
        }
        Step::Contact => {
            let contact = field(pairs, "contact");
            answers.new_contact = contact == "new";
            answers.contact = None;
            if !answers.new_contact {
                match id_of(contact) {
                    Ok(id) => answers.contact = id,
                    Err(()) => errors.add("contact", "Choose one of the contacts listed."),
                }
            }
            answers.contact_name = field(pairs, "contact_name").trim().to_owned();
            answers.contact_email = field(pairs, "contact_email").trim().to_owned();
            answers.contact_phone = field(pairs, "contact_phone").trim().to_owned();
        }
        Step::What => {
            match id_of(field(pairs, "job_type")) {
                Ok(id) => answers.job_type = id,
                Err(()) => errors.add("job_type", "Choose one of the kinds listed."),
            }
            match id_of(field(pairs, "item")) {
                Ok(id) => answers.item = id,
                Err(()) => errors.add("item", "Choose one of the items listed."),
            }
            answers.description = field(pairs, "description").trim().to_owned();
            answers.po_number = field(pairs, "po_number").trim().to_owned();
            answers.sub_customer = field(pairs, "sub_customer") == "1";
        }
        // Photos come as a multipart upload of their own (`photos.rs`).
        Step::Photos | Step::Summary => {}
    }
    errors
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
            if let Err(m) = check_short(&a.po_number, None) {
                errors.add("po_number", m);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_in_order_and_keys_are_strict() {
        assert_eq!(Step::When.next(), Step::Address);
        assert_eq!(Step::What.next(), Step::Photos);
        assert_eq!(Step::Photos.next(), Step::Summary);
        assert_eq!(Step::Summary.next(), Step::Summary);
        assert_eq!(Step::parse("contact"), Some(Step::Contact));
        assert_eq!(Step::parse("../x"), None);
        assert!(valid_key(&"a1".repeat(16)));
        assert!(!valid_key(&"A1".repeat(16)));
        assert!(!valid_key("short"));
    }

    #[test]
    fn without_photos_the_photos_step_never_blocks_the_summary() {
        let mut a = RequestAnswers {
            done: Step::Contact.number(),
            ..RequestAnswers::default()
        };
        assert_eq!(answered(&a, 0), Step::Contact.number());
        a.done = Step::What.number();
        assert_eq!(answered(&a, 4), Step::What.number());
        assert_eq!(answered(&a, 0), Step::Photos.number());
        assert_eq!((step_total(4), step_total(0)), (6, 5));
    }
}
