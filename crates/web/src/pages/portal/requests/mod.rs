//! "Request service": the guided form (one page per step, answers kept in a server-side
//! draft), submitting it once, and the account's own requests.

pub mod check;
pub mod list;
pub mod photo_files;
pub mod photos;
pub mod steps;
pub mod submit;

use doorstep_core::authz::{PortalAction, request_photo_limit};
use doorstep_core::request_form::RequestAnswers;
use doorstep_store::request_portal::RequestDraft;

use crate::auth::session::SignedInContact;
use crate::pages::portal::billing::require;
use crate::{AppState, WebError};

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

/// How many photos `contact` may attach to a request; with none the photos step is skipped.
pub fn photo_limit(contact: &SignedInContact) -> u8 {
    request_photo_limit(&contact.scope, &contact.portal.company.settings)
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

/// The draft `key` of this contact (authz first; anyone else's draft is 404).
pub async fn load_draft(
    state: &AppState,
    contact: &SignedInContact,
    key: &str,
) -> Result<(RequestDraft, RequestAnswers), WebError> {
    require(contact, PortalAction::RequestService)?;
    if !valid_key(key) {
        return Err(WebError::NotFound);
    }
    let draft = state
        .store
        .request_draft(
            contact.portal.company.id,
            key,
            contact.portal.login,
            contact.scope.customer,
        )
        .await?
        .ok_or(WebError::NotFound)?;
    let answers = serde_json::from_str(&draft.answers).unwrap_or_default();
    Ok((draft, answers))
}

/// The URL of `step` of draft `key`.
pub fn step_href(key: &str, step: Step) -> String {
    format!("/requests/new/{key}/{}", step.slug())
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
