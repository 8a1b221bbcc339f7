//! Setting up the company (issue 18), administrators only: its details ([`details`]) and
//! its staff ([`staff`]: invite, resend the invitation, change role, deactivate and
//! reactivate, always keeping one active administrator). Every change is audited.

pub mod details;
pub mod domains;
pub mod staff;
