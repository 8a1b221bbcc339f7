//! The office's rules for customer accounts, their contacts and their sites (issue 17):
//! what each field accepts, which parent account a sub-customer may have, which sites a
//! site contact names, how a search reads a customer number, and which audited portal
//! actions make up a customer's timeline.

use crate::Invalid;
use crate::email::EmailAddress;
use crate::ids::{CustomerId, SiteId};
use crate::status::ContactRole;

/// Longest customer, contact or site name.
pub const NAME_MAX: usize = 120;
/// Longest phone number as typed.
pub const PHONE_MAX: usize = 40;
/// Longest address line (street, city, region, postal code).
pub const LINE_MAX: usize = 200;
/// Longest notes or access notes.
pub const NOTES_MAX: usize = 4000;
/// Longest external reference (another system's id).
pub const EXTERNAL_REF_MAX: usize = 64;
/// Longest payment terms, in days.
pub const TERMS_MAX_DAYS: i64 = 365;
/// The prefix of customer numbers (`C-1001`).
pub const NUMBER_PREFIX: &str = "C-";

/// Household or business: the kind of a customer account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerKind {
    /// A household.
    Residential,
    /// A business.
    Commercial,
}

impl CustomerKind {
    /// Both kinds, in the order forms offer them.
    pub const ALL: [CustomerKind; 2] = [CustomerKind::Residential, CustomerKind::Commercial];

    /// The stored form.
    pub fn as_str(&self) -> &'static str {
        match self {
            CustomerKind::Residential => "residential",
            CustomerKind::Commercial => "commercial",
        }
    }

    /// As people read it.
    pub fn label(&self) -> &'static str {
        match self {
            CustomerKind::Residential => "Residential",
            CustomerKind::Commercial => "Commercial",
        }
    }

    /// Parses the stored or posted form.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "residential" => Ok(CustomerKind::Residential),
            "commercial" => Ok(CustomerKind::Commercial),
            _ => Err(Invalid::new("kind", "Choose residential or commercial.")),
        }
    }
}

/// A single-line text: trimmed, at most `max` characters, no control characters.
fn line(field: &'static str, raw: &str, max: usize, what: &str) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(Invalid::new(
            field,
            format!("Keep the {what} on one line and under {max} characters."),
        ));
    }
    Ok(value.to_owned())
}

/// A required name (`field` names the form field, `what` the thing named): trimmed, one
/// line, at most [`NAME_MAX`] characters.
pub fn check_name(field: &'static str, raw: &str, what: &str) -> Result<String, Invalid> {
    let name = line(field, raw, NAME_MAX, "name")?;
    if name.is_empty() {
        return Err(Invalid::new(field, format!("Enter the {what}.")));
    }
    Ok(name)
}

/// An optional name part (a contact's family name), bounded like a name.
pub fn check_optional_name(field: &'static str, raw: &str) -> Result<String, Invalid> {
    line(field, raw, NAME_MAX, "name")
}

/// An optional email address: empty means none; anything else must be one address,
/// answered lower-case.
pub fn check_optional_email(field: &'static str, raw: &str) -> Result<Option<String>, Invalid> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    EmailAddress::parse(raw)
        .map(|e| Some(e.as_str().to_owned()))
        .map_err(|e| Invalid::new(field, e.message))
}

/// An optional phone number as people type it: digits and `+ ( ) - . /` spaces and an
/// extension (`x12`, `ext. 12`), at most [`PHONE_MAX`] characters.
pub fn check_phone(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let phone = raw.trim();
    if phone.is_empty() {
        return Ok(String::new());
    }
    let allowed = |c: char| c.is_ascii_digit() || " +()-./".contains(c) || "xXet".contains(c);
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if phone.chars().count() > PHONE_MAX || !phone.chars().all(allowed) || digits < 3 {
        return Err(Invalid::new(
            field,
            format!(
                "Enter a phone number of digits (spaces, + ( ) - and an extension like x12 allowed), under {PHONE_MAX} characters."
            ),
        ));
    }
    Ok(phone.to_owned())
}

/// An optional address line (street, city, region, postal code).
pub fn check_line(field: &'static str, raw: &str) -> Result<String, Invalid> {
    line(field, raw, LINE_MAX, "address line")
}

/// A required street address.
pub fn check_street(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let street = check_line(field, raw)?;
    if street.is_empty() {
        return Err(Invalid::new(field, "Enter the street address."));
    }
    Ok(street)
}

/// Optional notes of several lines, at most [`NOTES_MAX`] characters.
pub fn check_notes(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let notes = raw.trim().replace("\r\n", "\n");
    if notes.chars().count() > NOTES_MAX
        || notes
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid::new(
            field,
            format!("Keep the notes under {NOTES_MAX} characters."),
        ));
    }
    Ok(notes)
}

/// An optional external reference (the id of the account in another system): empty
/// means none; one line of at most [`EXTERNAL_REF_MAX`] characters.
pub fn check_external_ref(raw: &str) -> Result<Option<String>, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > EXTERNAL_REF_MAX || value.chars().any(char::is_control) {
        return Err(Invalid::new(
            "external_ref",
            format!("Keep the reference on one line and under {EXTERNAL_REF_MAX} characters."),
        ));
    }
    Ok(Some(value.to_owned()))
}

/// Payment terms in days: empty means the company's own; else a whole number from 0
/// (due on receipt) to [`TERMS_MAX_DAYS`].
pub fn check_payment_terms(raw: &str) -> Result<Option<i64>, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<i64>() {
        Ok(days) if (0..=TERMS_MAX_DAYS).contains(&days) => Ok(Some(days)),
        _ => Err(Invalid::new(
            "payment_terms_days",
            format!(
                "Enter the days an invoice is due after it is issued, 0 to {TERMS_MAX_DAYS}, or leave it empty for the company's terms."
            ),
        )),
    }
}

/// What the office knows of a proposed parent account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentFacts {
    /// The parent is an active account of the same company.
    pub active: bool,
    /// The parent itself, then its parent, and so on up to the top account.
    pub chain: Vec<CustomerId>,
}

/// Whether `parent` may be the parent account of `child` (`None` for an account not yet
/// created): it must be an active account of the same company (`facts` is `None` when
/// the company has no such account), not the account itself, and not one of its
/// sub-customers at any depth (no cycle).
pub fn check_parent(child: Option<CustomerId>, facts: Option<&ParentFacts>) -> Result<(), Invalid> {
    let field = "parent";
    let Some(facts) = facts else {
        return Err(Invalid::new(
            field,
            "No customer has that number. Enter the parent account's number, like C-1002.",
        ));
    };
    if !facts.active {
        return Err(Invalid::new(
            field,
            "That account is deactivated; choose an active parent account.",
        ));
    }
    if let Some(child) = child {
        if facts.chain.first() == Some(&child) {
            return Err(Invalid::new(field, "An account cannot be its own parent."));
        }
        if facts.chain.contains(&child) {
            return Err(Invalid::new(
                field,
                "That account is a sub-customer of this one; an account cannot sit under its own sub-customer.",
            ));
        }
    }
    Ok(())
}

/// The sites a contact of `role` is tied to, from those `chosen` on the form: a company
/// contact is tied to none (they see the whole account); a site contact must name at
/// least one, each an active site of the same account (`account_sites`).
pub fn check_contact_sites(
    role: ContactRole,
    chosen: &[SiteId],
    account_sites: &[SiteId],
) -> Result<Vec<SiteId>, Invalid> {
    match role {
        ContactRole::Company => Ok(Vec::new()),
        ContactRole::Site => {
            if chosen.is_empty() {
                return Err(Invalid::new(
                    "sites",
                    "Choose at least one site this contact looks after.",
                ));
            }
            if chosen.iter().any(|s| !account_sites.contains(s)) {
                return Err(Invalid::new(
                    "sites",
                    "Choose among this customer's own active sites.",
                ));
            }
            let mut sites = chosen.to_vec();
            sites.sort_by_key(|s| s.0);
            sites.dedup();
            Ok(sites)
        }
    }
}

/// Parses the contact role as posted.
pub fn check_role(raw: &str) -> Result<ContactRole, Invalid> {
    ContactRole::parse(raw).map_err(|_| {
        Invalid::new(
            "role",
            "Choose company contact (the whole account) or site contact (chosen sites).",
        )
    })
}

/// The customer number a search means, if it can mean one: `C-1001`, `c-1001` and `1001`
/// all mean `C-1001`.
pub fn number_query(q: &str) -> Option<String> {
    let q = q.trim();
    let digits = match q.get(..2) {
        Some(p) if p.eq_ignore_ascii_case(NUMBER_PREFIX) => &q[2..],
        _ => q,
    };
    (!digits.is_empty() && digits.len() < 19 && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("{NUMBER_PREFIX}{digits}"))
}

/// The lower-case prefix a name or email search walks an index with: trimmed, at most
/// 100 characters; `None` when empty.
pub fn search_prefix(q: &str) -> Option<String> {
    let q: String = q
        .trim()
        .chars()
        .take(100)
        .collect::<String>()
        .to_lowercase();
    (!q.is_empty()).then_some(q)
}

/// Audited actions of a portal login or contact that the office sees on the customer's
/// timeline and its home feed, with how each reads. Sign-ins are recorded with the
/// login as actor; the others with the contact.
pub const PORTAL_ACTIVITY: &[(&str, &str)] = &[
    ("estimate.approved", "Approved an estimate"),
    ("estimate.declined", "Declined an estimate"),
    (
        "estimate.changes_requested",
        "Asked for changes to an estimate",
    ),
    ("visit.rescheduled", "Rescheduled a visit"),
    ("visit.reschedule_requested", "Asked to reschedule a visit"),
    ("visit.cancelled", "Cancelled a visit"),
    ("request.submitted", "Requested service"),
    ("request.proposal_accepted", "Accepted a proposed time"),
    ("request.proposal_declined", "Declined a proposed time"),
    ("support.opened", "Opened a support request"),
    ("support.commented", "Replied on a support request"),
    ("payment.made", "Paid online"),
    ("rating.given", "Rated a visit"),
    ("sign_in.succeeded", "Signed in to the portal"),
    (
        "access.invitation_accepted",
        "Accepted the portal invitation",
    ),
];

/// Actions of [`PORTAL_ACTIVITY`] whose actor is the login (not the contact).
pub const LOGIN_ACTIONS: &[&str] = &["sign_in.succeeded", "access.invitation_accepted"];

/// How an audited portal action reads on the timeline, or `None` for actions the
/// timeline leaves out.
pub fn portal_activity_label(action: &str) -> Option<&'static str> {
    PORTAL_ACTIVITY
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, label)| *label)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_are_required_trimmed_and_bounded() {
        assert_eq!(
            check_name("name", "  Acme Co. ", "customer's name").unwrap(),
            "Acme Co."
        );
        assert_eq!(
            check_name("name", " ", "customer's name")
                .unwrap_err()
                .field,
            "name"
        );
        assert!(check_name("name", &"x".repeat(NAME_MAX + 1), "name").is_err());
        assert!(check_name("name", "two\nlines", "name").is_err());
        assert_eq!(check_optional_name("last_name", "").unwrap(), "");
    }

    #[test]
    fn emails_are_optional_and_lower_cased_when_given() {
        assert_eq!(check_optional_email("email", " ").unwrap(), None);
        assert_eq!(
            check_optional_email("email", " Dana@Example.TEST ")
                .unwrap()
                .as_deref(),
            Some("dana@example.test")
        );
        let err = check_optional_email("contact_email", "not an email").unwrap_err();
        assert_eq!(err.field, "contact_email");
    }

    #[test]
    fn phones_allow_what_people_type_and_nothing_else() {
        for ok in [
            "(555) 010-3344",
            "+44 20 7946 0958",
            "555.010.3344 x12",
            "555-0100 ext. 4",
            "",
        ] {
            assert!(check_phone("phone", ok).is_ok(), "{ok}");
        }
        for bad in ["call me", "12", "<script>", &"5".repeat(PHONE_MAX + 1)] {
            assert_eq!(
                check_phone("phone", bad).unwrap_err().field,
                "phone",
                "{bad}"
            );
        }
    }

    #[test]
    fn kinds_roles_terms_and_references_are_checked() {
        assert_eq!(
            CustomerKind::parse("commercial").unwrap(),
            CustomerKind::Commercial
        );
        assert_eq!(CustomerKind::parse("alien").unwrap_err().field, "kind");
        assert_eq!(check_role("site").unwrap(), ContactRole::Site);
        assert_eq!(check_role("boss").unwrap_err().field, "role");
        assert_eq!(check_payment_terms("").unwrap(), None);
        assert_eq!(check_payment_terms(" 30 ").unwrap(), Some(30));
        assert_eq!(check_payment_terms("0").unwrap(), Some(0));
        for bad in ["-1", "366", "thirty", "1.5"] {
            assert_eq!(
                check_payment_terms(bad).unwrap_err().field,
                "payment_terms_days"
            );
        }
        assert_eq!(check_external_ref("  ").unwrap(), None);
        assert_eq!(
            check_external_ref(" QB-17 ").unwrap().as_deref(),
            Some("QB-17")
        );
        assert!(check_external_ref(&"r".repeat(EXTERNAL_REF_MAX + 1)).is_err());
        assert!(check_street("line1", " ").is_err());
        assert!(check_notes("notes", &"n".repeat(NOTES_MAX + 1)).is_err());
        assert_eq!(
            check_notes("notes", "gate\r\ncode 42").unwrap(),
            "gate\ncode 42"
        );
    }

    #[test]
    fn a_parent_must_be_active_and_not_the_account_or_below_it() {
        let (a, b, c) = (CustomerId(1), CustomerId(2), CustomerId(3));
        let active = |chain: Vec<CustomerId>| ParentFacts {
            active: true,
            chain,
        };
        // A new account under an active one, and b under a (a has no parent).
        assert!(check_parent(None, Some(&active(vec![a]))).is_ok());
        assert!(check_parent(Some(b), Some(&active(vec![a]))).is_ok());
        // Unknown, deactivated, itself, and its own sub-customer (c under b under a).
        assert!(check_parent(Some(b), None).is_err());
        let asleep = ParentFacts {
            active: false,
            chain: vec![a],
        };
        assert!(check_parent(Some(b), Some(&asleep)).is_err());
        assert!(check_parent(Some(a), Some(&active(vec![a]))).is_err());
        let err = check_parent(Some(a), Some(&active(vec![c, b, a]))).unwrap_err();
        assert_eq!(err.field, "parent");
        assert!(err.message.contains("sub-customer"), "{}", err.message);
    }

    #[test]
    fn a_site_contact_names_at_least_one_site_of_its_own_account() {
        let own = [SiteId(1), SiteId(2)];
        assert_eq!(
            check_contact_sites(ContactRole::Company, &[SiteId(1)], &own).unwrap(),
            vec![]
        );
        assert_eq!(
            check_contact_sites(ContactRole::Site, &[SiteId(2), SiteId(1), SiteId(2)], &own)
                .unwrap(),
            vec![SiteId(1), SiteId(2)]
        );
        assert_eq!(
            check_contact_sites(ContactRole::Site, &[], &own)
                .unwrap_err()
                .field,
            "sites"
        );
        assert!(check_contact_sites(ContactRole::Site, &[SiteId(9)], &own).is_err());
    }

    #[test]
    fn searches_read_customer_numbers_and_prefixes() {
        assert_eq!(number_query("C-1001").as_deref(), Some("C-1001"));
        assert_eq!(number_query(" c-1001").as_deref(), Some("C-1001"));
        assert_eq!(number_query("1001").as_deref(), Some("C-1001"));
        for not in ["", "C-", "Dana", "C-10a", "J-1001"] {
            assert_eq!(number_query(not), None, "{not}");
        }
        assert_eq!(search_prefix("  Dana W ").as_deref(), Some("dana w"));
        assert_eq!(search_prefix("   "), None);
    }

    #[test]
    fn the_timeline_reads_portal_actions_and_leaves_the_rest_out() {
        assert_eq!(
            portal_activity_label("estimate.approved"),
            Some("Approved an estimate")
        );
        assert_eq!(
            portal_activity_label("sign_in.succeeded"),
            Some("Signed in to the portal")
        );
        assert_eq!(portal_activity_label("catalogue_item.added"), None);
        for a in LOGIN_ACTIONS {
            assert!(portal_activity_label(a).is_some(), "{a}");
        }
    }
}
