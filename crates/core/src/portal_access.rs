//! Where a contact's portal access stands (issue 20, api-people), from the contact's and
//! its login's facts: one rule for every place that names it.

/// A contact's portal access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalAccess {
    /// No access: never enabled, disabled, or the contact is deactivated.
    None,
    /// Enabled, and the person has not chosen a password yet.
    Invited,
    /// Enabled, with a password: the person signs in.
    Active,
    /// The login is locked: the person cannot sign in until the office unlocks it.
    Locked,
}

impl PortalAccess {
    /// The access of a contact that is `active` (not deactivated), has access `enabled`,
    /// `has_login`, whose login `has_password` and is `locked`.
    pub fn of(
        active: bool,
        enabled: bool,
        has_login: bool,
        has_password: bool,
        locked: bool,
    ) -> PortalAccess {
        match (active && enabled, has_login, has_password, locked) {
            (false, ..) => PortalAccess::None,
            (true, true, _, true) => PortalAccess::Locked,
            (true, true, true, false) => PortalAccess::Active,
            (true, ..) => PortalAccess::Invited,
        }
    }

    /// How a page names the state, with the badge class it is drawn in.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            PortalAccess::None => ("No access", ""),
            PortalAccess::Invited => ("Invited", "warning"),
            PortalAccess::Active => ("Active", "success"),
            PortalAccess::Locked => ("Locked", "danger"),
        }
    }

    /// The state as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PortalAccess::None => "none",
            PortalAccess::Invited => "invited",
            PortalAccess::Active => "active",
            PortalAccess::Locked => "locked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_follows_the_contact_and_its_login() {
        assert_eq!(
            PortalAccess::of(true, false, true, true, false),
            PortalAccess::None
        );
        assert_eq!(
            PortalAccess::of(false, true, true, true, false),
            PortalAccess::None
        );
        assert_eq!(
            PortalAccess::of(true, true, true, false, false),
            PortalAccess::Invited
        );
        assert_eq!(
            PortalAccess::of(true, true, false, false, false),
            PortalAccess::Invited
        );
        assert_eq!(
            PortalAccess::of(true, true, true, true, false),
            PortalAccess::Active
        );
        assert_eq!(
            PortalAccess::of(true, true, true, true, true),
            PortalAccess::Locked
        );
        assert_eq!(
            PortalAccess::of(true, true, true, false, true).as_str(),
            "locked"
        );
    }
}
