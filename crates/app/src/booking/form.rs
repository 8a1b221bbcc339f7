//! The guided "Request service" form: its steps in order, and reading each step's
//! posted fields into the draft's answers. What the answers are checked against lives in
//! [`super::checks`].

use doorstep_core::request_form::RequestAnswers;

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
