//! The portal's second wall: SQL conditions that keep a contact's reads inside what it
//! may see, whatever the handler asked.

use doorstep_core::authz::ContactScope;
use doorstep_core::status::ContactRole;

/// ` AND column IN (...)` for a site contact's sites, with placeholders from `$next`, and
/// the ids to bind in order; nothing for a company contact. A site contact without sites
/// sees nothing.
pub(crate) fn site_condition(
    scope: &ContactScope,
    column: &str,
    next: usize,
) -> (String, Vec<i64>) {
    match scope.role {
        ContactRole::Company => (String::new(), Vec::new()),
        ContactRole::Site if scope.sites.is_empty() => (" AND 1 = 0".to_owned(), Vec::new()),
        ContactRole::Site => {
            let params: Vec<String> = (next..next + scope.sites.len())
                .map(|i| format!("${i}"))
                .collect();
            (
                format!(" AND {column} IN ({})", params.join(", ")),
                scope.sites.iter().map(|s| s.0).collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::site_condition;
    use doorstep_core::authz::ContactScope;
    use doorstep_core::ids::{CustomerId, SiteId};
    use doorstep_core::status::ContactRole;

    #[test]
    fn site_contacts_are_held_to_their_sites_and_company_contacts_are_not() {
        let mut scope = ContactScope {
            customer: CustomerId(1),
            role: ContactRole::Site,
            sites: vec![SiteId(4), SiteId(9)],
        };
        assert_eq!(
            site_condition(&scope, "site_id", 3),
            (" AND site_id IN ($3, $4)".to_owned(), vec![4, 9])
        );
        scope.sites.clear();
        assert_eq!(site_condition(&scope, "site_id", 3).0, " AND 1 = 0");
        scope.role = ContactRole::Company;
        assert_eq!(
            site_condition(&scope, "site_id", 3),
            (String::new(), vec![])
        );
    }
}
