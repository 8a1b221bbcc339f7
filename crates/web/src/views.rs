//! View models shared by several pages.

use doorstep_store::companies::Company;

use crate::auth::session::SignedInContact;
use crate::nav::{NavEntry, mark_current, portal_nav};

/// What a page needs to show a company's branding and contact details.
pub struct Brand {
    /// The company's name.
    pub name: String,
    /// Whether a logo was uploaded (served at `/brand/logo`).
    pub has_logo: bool,
    /// Address lines, non-empty ones only.
    pub address: Vec<String>,
    /// Phone, possibly empty.
    pub phone: String,
    /// The phone as a `tel:` target (digits and `+` only).
    pub phone_href: String,
    /// Email, possibly empty.
    pub email: String,
}

impl Brand {
    /// Builds the branding of `company`.
    pub fn of(company: &Company) -> Self {
        let city_region = [company.city.as_str(), company.region.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let city_line = [city_region.as_str(), company.postal_code.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let address = [
            company.address_line1.clone(),
            company.address_line2.clone(),
            city_line,
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
        Brand {
            name: company.name.clone(),
            has_logo: company.logo_key.is_some(),
            address,
            phone: company.phone.clone(),
            phone_href: company
                .phone
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect(),
            email: company.email.clone(),
        }
    }

    /// Whom to contact, for messages such as the sign-in page's: "Acme at (555) 010-1000
    /// or hello@acme.test", leaving out what the company has not filled in.
    pub fn whom_to_contact(&self) -> String {
        doorstep_core::sign_in::whom_to_contact(&self.name, &self.phone, &self.email)
    }
}

/// Formats `minor` units in the company's currency (`$1,234.56`).
pub fn money(company: &Company, minor: i64) -> String {
    let currency = doorstep_core::money::Currency::parse(&company.currency)
        .unwrap_or(doorstep_core::money::Currency::USD);
    doorstep_core::money::Money::new(minor, currency).display()
}

/// The frame of every signed-in portal page: branding, the active account, the switcher.
pub struct PortalChrome {
    /// Branding.
    pub brand: Brand,
    /// The account acted for.
    pub account_name: String,
    /// Whether the login has other accounts to switch to.
    pub can_switch: bool,
    /// The CSRF token for the header's forms.
    pub csrf: String,
    /// The sections this person may open.
    pub nav: Vec<NavEntry>,
    /// The contact's name when a staff member views the portal as them (the banner).
    pub viewing: Option<String>,
}

impl PortalChrome {
    /// The chrome for `contact`'s page.
    pub fn of(contact: &SignedInContact, csrf: &str) -> Self {
        PortalChrome {
            brand: Brand::of(&contact.portal.company),
            account_name: contact.active.customer_name.clone(),
            can_switch: contact.portal.accounts.len() > 1,
            csrf: csrf.to_owned(),
            nav: portal_nav(&contact.scope, &contact.portal.company.settings),
            viewing: contact.viewing.clone(),
        }
    }

    /// Marks the menu entry of the section `path` belongs to as the current page.
    pub fn at(mut self, path: &str) -> Self {
        mark_current(&mut self.nav, path);
        self
    }
}

/// The frame of every office page.
pub struct OfficeChrome {
    /// Branding.
    pub brand: Brand,
    /// The signed-in staff member's name.
    pub name: String,
    /// Their role, for people.
    pub role: &'static str,
    /// The CSRF token for the header's forms.
    pub csrf: String,
    /// Whether the administration pages are offered.
    pub admin: bool,
    /// Requests nobody has opened yet, for the navigation's badge.
    pub new_requests: i64,
    /// The navigation entry (its href) of the page's section, marked `aria-current`.
    pub current: &'static str,
    /// The navigation group holding that entry ("billing", "settings" or "").
    pub group: &'static str,
    // import-pages (issue 18)
    /// Whether the import and export pages are offered.
    pub may_import: bool,
}

impl OfficeChrome {
    /// The chrome for `staff`'s page.
    pub fn of(staff: &crate::auth::session::SignedInStaff, csrf: &str) -> Self {
        OfficeChrome {
            brand: Brand::of(&staff.company),
            name: staff.staff.name.clone(),
            role: staff.staff.role.label(),
            csrf: csrf.to_owned(),
            admin: staff
                .actor
                .may(doorstep_core::authz::OfficeArea::Administration),
            new_requests: staff.new_requests,
            current: office_section(&staff.path),
            group: office_group(office_section(&staff.path)),
            // import-pages (issue 18): whoever the import's use cases let in.
            may_import: staff.actor.may(doorstep_core::authz::OfficeArea::DayToDay),
        }
    }

    /// ` aria-current="page"` for the navigation entry `href` of the current section.
    pub fn mark(&self, href: &str) -> &'static str {
        if self.current == href {
            " aria-current=\"page\""
        } else {
            ""
        }
    }
}

/// The office navigation entries, longest first so a page finds its own section.
const OFFICE_SECTIONS: &[(&str, &str)] = &[
    ("/office/payments/autopay-failures", "billing"),
    ("/office/company/domains", "settings"),
    ("/office/settings/visits", "settings"),
    ("/office/settings/portal", "settings"),
    ("/office/email-templates", "settings"),
    ("/office/availability", "settings"),
    ("/office/customers", ""),
    ("/office/catalogue", "settings"),
    ("/office/estimates", "billing"),
    ("/office/tax-rates", "billing"),
    ("/office/security", "settings"),
    ("/office/requests", ""),
    ("/office/invoices", "billing"),
    ("/office/payments", "billing"),
    ("/office/contacts", ""),
    ("/office/branding", "settings"),
    ("/office/company", "settings"),
    ("/office/support", ""),
    ("/office/outbox", "settings"),
    ("/office/webhooks", "settings"),
    ("/office/audit", "settings"),
    ("/office/sites", ""),
    ("/office/staff", "settings"),
    ("/office/jobs", ""),
    ("/office/api-keys", "settings"),
    // import-pages (issue 18)
    ("/office/import", ""),
];

/// The href of the navigation entry `path` belongs to ("/office" for the home page, ""
/// for none). Contacts and sites are pages of their customer.
fn office_section(path: &str) -> &'static str {
    if path == "/office" || path == "/office/" {
        return "/office";
    }
    OFFICE_SECTIONS
        .iter()
        .map(|(href, _)| *href)
        .find(|href| {
            path.strip_prefix(href).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with('/') || rest.starts_with('.')
            })
        })
        .map_or("", |href| match href {
            "/office/contacts" | "/office/sites" => "/office/customers",
            href => href,
        })
}

/// The navigation group of the entry `current`.
fn office_group(current: &str) -> &'static str {
    OFFICE_SECTIONS
        .iter()
        .find(|(href, _)| *href == current)
        .map_or("", |(_, group)| group)
}

#[cfg(test)]
mod office_nav_tests {
    use super::{office_group, office_section};

    #[test]
    fn every_office_page_marks_the_section_it_belongs_to() {
        assert_eq!(office_section("/office"), "/office");
        assert_eq!(office_section("/office/jobs/J-1001/edit"), "/office/jobs");
        assert_eq!(
            office_section("/office/contacts/4/edit"),
            "/office/customers"
        );
        assert_eq!(
            office_section("/office/sites/2/deactivate"),
            "/office/customers"
        );
        assert_eq!(office_section("/office/audit.csv"), "/office/audit");
        assert_eq!(
            office_section("/office/settings/visits"),
            "/office/settings/visits"
        );
        assert_eq!(office_section("/office/staffing"), "");
        assert_eq!(
            office_group(office_section("/office/invoices/I-7")),
            "billing"
        );
        assert_eq!(
            office_group(office_section("/office/staff/3/deactivate")),
            "settings"
        );
        assert_eq!(office_group(office_section("/office/requests/R-1")), "");
        // import-pages (issue 18)
        assert_eq!(
            office_section("/office/import/contacts/12"),
            "/office/import"
        );
    }
}
