//! The one place that answers "may this person see or do this?" (product.md §1).
//!
//! Handlers and the API ask here; the storage layer scopes every query by company and
//! account as a second wall. Rules are plain functions so each one has a unit test.

use crate::ids::{CustomerId, SiteId};
use crate::settings::PortalSettings;
use crate::status::{ContactRole, StaffRole};

/// A signed-in contact acting for one customer account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactScope {
    /// The account the contact acts for now.
    pub customer: CustomerId,
    /// Company contact or site contact.
    pub role: ContactRole,
    /// For site contacts: the only sites they may see.
    pub sites: Vec<SiteId>,
}

/// Things a portal visitor may want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalAction {
    /// See the account's dashboard and information.
    ViewAccount,
    /// See jobs (site contacts: of their sites).
    ViewJobs,
    /// See completed service jobs with their invoices (site contacts: of their sites).
    ViewServiceHistory,
    /// See product sales with their invoices (site contacts: of their sites).
    ViewSalesHistory,
    /// See estimates.
    ViewEstimates,
    /// Approve or decline estimates.
    AnswerEstimates,
    /// See invoices and the statement.
    ViewInvoices,
    /// Pay invoices.
    Pay,
    /// See payments and saved payment methods.
    ViewPayments,
    /// See assets, equipment and rentals.
    ViewAssets,
    /// Request service (site contacts: for their sites).
    RequestService,
    /// Open and follow support requests.
    Support,
    /// Message the office.
    Message,
    /// Rate completed jobs.
    Rate,
    /// Manage the account's contacts and sites.
    ManageContacts,
    /// Reschedule or cancel a scheduled visit (site contacts: of their sites), before
    /// the company's cut-off, which `visits::visit_change` judges.
    ChangeVisits,
    /// Accept or decline a time the office proposed for a request (site contacts: of
    /// their sites).
    AnswerProposals,
    /// See money and invoice references wherever they appear: job costs, line prices and
    /// totals, invoice numbers and invoice notes on job pages and in the histories.
    /// Company contacts only (product.md §1: site contacts never see invoices or prices).
    SeeMoney,
}

impl PortalAction {
    /// Whether the action only changes things (answering, paying, messaging, rating,
    /// managing contacts, moving visits): refused to staff viewing the portal as a
    /// contact, who may look but never act. Sections that are read and written alike
    /// (requests, support) are guarded by their writes' routes.
    pub fn is_write(self) -> bool {
        use PortalAction::*;
        matches!(
            self,
            AnswerEstimates
                | Pay
                | Message
                | Rate
                | ManageContacts
                | ChangeVisits
                | AnswerProposals
        )
    }
}

/// Whether a contact with `scope` may do `action` under the company's `settings`.
/// A disabled feature is refused for everyone; billing and account management are for
/// company contacts only.
pub fn contact_may(scope: &ContactScope, settings: &PortalSettings, action: PortalAction) -> bool {
    use PortalAction::*;
    let company_contact = scope.role == ContactRole::Company;
    match action {
        ViewAccount | ViewJobs => true,
        ViewServiceHistory => settings.show_service_history,
        ViewSalesHistory => settings.show_sales_history,
        RequestService => settings.can_create_job,
        Message => settings.allow_messages,
        Rate => settings.allow_ratings,
        Support => settings.allow_support_requests && company_contact,
        ViewEstimates => settings.show_estimates && company_contact,
        AnswerEstimates => {
            settings.show_estimates && settings.allow_estimate_approval && company_contact
        }
        ViewInvoices => settings.show_invoices && company_contact,
        Pay => settings.show_invoices && settings.can_make_payment && company_contact,
        ViewPayments => settings.show_payment_history && company_contact,
        ViewAssets => settings.show_assets && company_contact,
        ManageContacts => company_contact,
        ChangeVisits => settings.allow_reschedule,
        AnswerProposals => settings.can_create_job,
        SeeMoney => company_contact,
    }
}

/// The role and sites of a contact that a contact with `scope` adds to its account (the
/// request form's "new contact"). Nobody hands out more than it has: a company contact's
/// new contact is a company contact; a site contact's is a site contact of the same sites,
/// so enabling its access later never opens the account's billing.
pub fn role_of_added_contact(scope: &ContactScope) -> (ContactRole, Vec<SiteId>) {
    match scope.role {
        ContactRole::Company => (ContactRole::Company, Vec::new()),
        ContactRole::Site => (ContactRole::Site, scope.sites.clone()),
    }
}

/// Whether a contact with `scope` may see something at `site` of account `customer`.
/// Site contacts see only their own sites; nothing of another account is ever visible.
pub fn contact_may_see_site(
    scope: &ContactScope,
    customer: CustomerId,
    site: Option<SiteId>,
) -> bool {
    if customer != scope.customer {
        return false;
    }
    match scope.role {
        ContactRole::Company => true,
        ContactRole::Site => site.is_some_and(|s| scope.sites.contains(&s)),
    }
}

/// Office areas, by what they touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeArea {
    /// Customers, contacts, sites, portal access, requests, jobs, billing, messages.
    DayToDay,
    /// Portal settings, branding, staff, API keys, webhooks, email templates.
    Administration,
}

/// Whether a staff member of `role` may work in `area`.
pub fn staff_may(role: StaffRole, area: OfficeArea) -> bool {
    match area {
        OfficeArea::DayToDay => true,
        OfficeArea::Administration => role == StaffRole::Admin,
    }
}

/// Office work added with the requests issue, each mapped to the area it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeWork {
    /// The requestable catalogue: what every customer's portal offers, like the other
    /// portal settings (seed 004 keeps it under Settings).
    Catalogue,
    /// Publishing availability windows and seeing their bookings: daily scheduling.
    Availability,
    /// Proposing another time for a customer's request: part of the requests inbox.
    ProposeTime,
    /// Whether and until when customers may change visits: a portal setting.
    VisitSettings,
}

/// The office area `work` belongs to; ask [`staff_may`] with it.
pub fn area_of(work: OfficeWork) -> OfficeArea {
    match work {
        OfficeWork::Catalogue | OfficeWork::VisitSettings => OfficeArea::Administration,
        OfficeWork::Availability | OfficeWork::ProposeTime => OfficeArea::DayToDay,
    }
}

/// How many photos a contact with `scope` may attach to a service request: the company's
/// limit (never above four) when it lets customers request service and upload files, else none.
pub fn request_photo_limit(scope: &ContactScope, settings: &PortalSettings) -> u8 {
    if contact_may(scope, settings, PortalAction::RequestService) && settings.allow_uploads {
        settings.photo_limit()
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company_contact() -> ContactScope {
        ContactScope {
            customer: CustomerId(1),
            role: ContactRole::Company,
            sites: vec![],
        }
    }

    fn site_contact() -> ContactScope {
        ContactScope {
            customer: CustomerId(1),
            role: ContactRole::Site,
            sites: vec![SiteId(10)],
        }
    }

    #[test]
    fn site_contact_cannot_see_invoices_pay_or_answer_estimates() {
        let s = PortalSettings::default();
        for action in [
            PortalAction::ViewInvoices,
            PortalAction::Pay,
            PortalAction::AnswerEstimates,
            PortalAction::ViewEstimates,
            PortalAction::ViewPayments,
            PortalAction::ManageContacts,
        ] {
            assert!(!contact_may(&site_contact(), &s, action), "{action:?}");
            assert!(contact_may(&company_contact(), &s, action), "{action:?}");
        }
        assert!(contact_may(
            &site_contact(),
            &s,
            PortalAction::RequestService
        ));
        assert!(contact_may(&site_contact(), &s, PortalAction::ViewJobs));
    }

    #[test]
    fn only_company_contacts_see_money_whatever_the_settings() {
        let on = PortalSettings::default();
        let off = PortalSettings {
            show_invoices: false,
            show_payment_history: false,
            ..PortalSettings::default()
        };
        for s in [&on, &off] {
            assert!(contact_may(&company_contact(), s, PortalAction::SeeMoney));
            assert!(!contact_may(&site_contact(), s, PortalAction::SeeMoney));
        }
    }

    #[test]
    fn a_contact_added_by_a_site_contact_is_a_site_contact_of_the_same_sites() {
        let two_sites = ContactScope {
            sites: vec![SiteId(10), SiteId(12)],
            ..site_contact()
        };
        assert_eq!(
            role_of_added_contact(&two_sites),
            (ContactRole::Site, vec![SiteId(10), SiteId(12)])
        );
        assert_eq!(
            role_of_added_contact(&company_contact()),
            (ContactRole::Company, vec![])
        );
    }

    #[test]
    fn a_disabled_feature_is_refused_even_to_company_contacts() {
        let s = PortalSettings {
            show_invoices: false,
            can_create_job: false,
            allow_estimate_approval: false,
            ..PortalSettings::default()
        };
        assert!(!contact_may(
            &company_contact(),
            &s,
            PortalAction::ViewInvoices
        ));
        assert!(!contact_may(&company_contact(), &s, PortalAction::Pay));
        assert!(!contact_may(
            &company_contact(),
            &s,
            PortalAction::RequestService
        ));
        assert!(!contact_may(
            &company_contact(),
            &s,
            PortalAction::AnswerEstimates
        ));
        assert!(contact_may(
            &company_contact(),
            &s,
            PortalAction::ViewEstimates
        ));
    }

    #[test]
    fn site_contact_sees_only_its_own_sites_of_its_own_account() {
        let scope = site_contact();
        assert!(contact_may_see_site(
            &scope,
            CustomerId(1),
            Some(SiteId(10))
        ));
        assert!(!contact_may_see_site(
            &scope,
            CustomerId(1),
            Some(SiteId(11))
        ));
        assert!(!contact_may_see_site(&scope, CustomerId(1), None));
        assert!(!contact_may_see_site(
            &scope,
            CustomerId(2),
            Some(SiteId(10))
        ));
    }

    #[test]
    fn company_contact_sees_every_site_of_its_account_only() {
        let scope = company_contact();
        assert!(contact_may_see_site(
            &scope,
            CustomerId(1),
            Some(SiteId(99))
        ));
        assert!(contact_may_see_site(&scope, CustomerId(1), None));
        assert!(!contact_may_see_site(&scope, CustomerId(2), None));
    }

    #[test]
    fn histories_follow_their_switches_for_every_contact() {
        let on = PortalSettings::default();
        let off = PortalSettings {
            show_service_history: false,
            show_sales_history: false,
            ..PortalSettings::default()
        };
        for scope in [company_contact(), site_contact()] {
            for action in [
                PortalAction::ViewServiceHistory,
                PortalAction::ViewSalesHistory,
            ] {
                assert!(contact_may(&scope, &on, action), "{action:?}");
                assert!(!contact_may(&scope, &off, action), "{action:?}");
            }
        }
    }

    #[test]
    fn only_admins_administer() {
        assert!(staff_may(StaffRole::Admin, OfficeArea::Administration));
        assert!(!staff_may(StaffRole::Office, OfficeArea::Administration));
        assert!(staff_may(StaffRole::Office, OfficeArea::DayToDay));
    }

    #[test]
    fn only_administrators_edit_the_catalogue_while_all_staff_schedule_and_propose() {
        use crate::status::StaffRole;
        let may = |role, work| staff_may(role, area_of(work));
        assert!(may(StaffRole::Admin, OfficeWork::Catalogue));
        assert!(!may(StaffRole::Office, OfficeWork::Catalogue));
        for work in [OfficeWork::Availability, OfficeWork::ProposeTime] {
            assert!(may(StaffRole::Office, work), "{work:?}");
            assert!(may(StaffRole::Admin, work), "{work:?}");
        }
    }

    #[test]
    fn request_photos_follow_the_company_limit_and_the_upload_switch() {
        let mut settings = PortalSettings::default();
        for scope in [company_contact(), site_contact()] {
            assert_eq!(request_photo_limit(&scope, &settings), 4);
        }
        settings.photo_limit_per_request = 2;
        assert_eq!(request_photo_limit(&company_contact(), &settings), 2);
        settings.photo_limit_per_request = 9;
        assert_eq!(request_photo_limit(&company_contact(), &settings), 4);
        settings.allow_uploads = false;
        assert_eq!(request_photo_limit(&company_contact(), &settings), 0);
        settings.allow_uploads = true;
        settings.can_create_job = false;
        assert_eq!(request_photo_limit(&site_contact(), &settings), 0);
    }

    #[test]
    fn every_contact_may_change_visits_and_answer_proposals_only_while_the_company_allows() {
        let on = PortalSettings::default();
        let off = PortalSettings {
            allow_reschedule: false,
            can_create_job: false,
            ..PortalSettings::default()
        };
        for scope in [company_contact(), site_contact()] {
            for action in [PortalAction::ChangeVisits, PortalAction::AnswerProposals] {
                assert!(contact_may(&scope, &on, action), "{action:?}");
                assert!(!contact_may(&scope, &off, action), "{action:?}");
            }
        }
        assert!(staff_may(
            StaffRole::Admin,
            area_of(OfficeWork::VisitSettings)
        ));
        assert!(!staff_may(
            StaffRole::Office,
            area_of(OfficeWork::VisitSettings)
        ));
    }
}
