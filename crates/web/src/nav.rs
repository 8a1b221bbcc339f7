//! The portal's navigation: one table of entries, each shown only when the person may use
//! its page, so a disabled feature is absent from the menu as its URL answers 404.

use doorstep_core::authz::{ContactScope, PortalAction, contact_may};
use doorstep_core::settings::PortalSettings;

/// One possible entry: its label, where it goes, and the rule that shows it.
struct NavItem {
    label: &'static str,
    href: &'static str,
    action: PortalAction,
}

/// Every portal section in menu order; adding a page is one line here.
const PORTAL_NAV: &[NavItem] = &[
    NavItem {
        label: "Home",
        href: "/",
        action: PortalAction::ViewAccount,
    },
    NavItem {
        label: "Jobs",
        href: "/jobs",
        action: PortalAction::ViewJobs,
    },
    NavItem {
        label: "Estimates",
        href: "/estimates",
        action: PortalAction::ViewEstimates,
    },
    NavItem {
        label: "Invoices",
        href: "/invoices",
        action: PortalAction::ViewInvoices,
    },
    NavItem {
        label: "Statement",
        href: "/statement",
        action: PortalAction::ViewInvoices,
    },
    NavItem {
        label: "Payments",
        href: "/payments",
        action: PortalAction::ViewPayments,
    },
    NavItem {
        label: "Service history",
        href: "/service-history",
        action: PortalAction::ViewServiceHistory,
    },
    NavItem {
        label: "Sales history",
        href: "/sales-history",
        action: PortalAction::ViewSalesHistory,
    },
    NavItem {
        label: "Requests",
        href: "/requests",
        action: PortalAction::RequestService,
    },
    NavItem {
        label: "Support",
        href: "/support",
        action: PortalAction::Support,
    },
];

/// One link of the menu as rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavEntry {
    /// What the link says.
    pub label: &'static str,
    /// Where it goes.
    pub href: &'static str,
    /// Whether it is the section of the page shown (`aria-current="page"`).
    pub current: bool,
}

/// The entries `scope` may use under `settings`, none marked current yet.
pub fn portal_nav(scope: &ContactScope, settings: &PortalSettings) -> Vec<NavEntry> {
    PORTAL_NAV
        .iter()
        .filter(|item| contact_may(scope, settings, item.action))
        .map(|item| NavEntry {
            label: item.label,
            href: item.href,
            current: false,
        })
        .collect()
}

/// Marks the entry of the section `path` belongs to (`/jobs/J-1` is under Jobs).
pub fn mark_current(entries: &mut [NavEntry], path: &str) {
    for entry in entries.iter_mut() {
        entry.current = entry.href == path
            || (entry.href != "/"
                && path
                    .strip_prefix(entry.href)
                    .is_some_and(|rest| rest.starts_with('/')));
    }
}

#[cfg(test)]
mod tests {
    use doorstep_core::ids::{CustomerId, SiteId};
    use doorstep_core::status::ContactRole;

    use super::*;

    fn scope(role: ContactRole) -> ContactScope {
        ContactScope {
            customer: CustomerId(1),
            role,
            sites: vec![SiteId(1)],
        }
    }

    #[test]
    fn histories_leave_the_menu_when_switched_off() {
        let settings = PortalSettings {
            show_sales_history: false,
            ..PortalSettings::default()
        };
        let labels: Vec<_> = portal_nav(&scope(ContactRole::Site), &settings)
            .iter()
            .map(|e| e.label)
            .collect();
        assert_eq!(labels, ["Home", "Jobs", "Service history", "Requests"]);
    }

    #[test]
    fn a_job_page_marks_jobs_current_and_home_only_on_home() {
        let mut nav = portal_nav(&scope(ContactRole::Company), &PortalSettings::default());
        mark_current(&mut nav, "/jobs/J-1");
        let current: Vec<_> = nav.iter().filter(|e| e.current).map(|e| e.href).collect();
        assert_eq!(current, ["/jobs"]);
        mark_current(&mut nav, "/");
        let current: Vec<_> = nav.iter().filter(|e| e.current).map(|e| e.href).collect();
        assert_eq!(current, ["/"]);
        mark_current(&mut nav, "/jobsx");
        assert!(nav.iter().all(|e| !e.current));
    }
}
