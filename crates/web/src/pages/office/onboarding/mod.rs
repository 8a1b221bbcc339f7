//! Setting the company up (issue 18): the brand page (colours and logo), the portal
//! switches page, the office home's setup checklist, and viewing the portal as a contact.

pub mod branding;
pub mod checklist;
pub mod switches;
pub mod view_as;
