//! Setting the company up (issue 18): its brand ([`branding`]: colours checked for
//! contrast, the logo), the portal's switches ([`switches`]), the office home's setup
//! checklist ([`checklist`]) and viewing the portal as a contact ([`view_as`]). Every
//! change is audited.

pub mod branding;
pub mod checklist;
pub mod switches;
pub mod view_as;
