//! The email a locked portal login gets when the right password is given: queued at
//! most once a day per login, decided by one conditional `UPDATE`, so parallel attempts
//! on any node cannot queue two.

use doorstep_core::ids::{CompanyId, LoginId};
use time::Duration;

use crate::{StoreError, Tx, db_time, now, on_tx};

/// How often a locked login's contact may be told at most.
pub const LOCKED_NOTICE_EVERY: Duration = Duration::days(1);

/// Where a locked-access notice goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedNoticeTo {
    /// The login's email address.
    pub address: String,
    /// The first name of a contact using the login, empty if none.
    pub name: String,
}

impl Tx {
    /// Records that `login`'s locked-access notice is being queued now, if it is locked
    /// and no notice was queued in the last [`LOCKED_NOTICE_EVERY`] (since it was last
    /// locked or unlocked); returns whom to send it to, or `None` when it is not due.
    pub async fn claim_locked_notice(
        &mut self,
        company: CompanyId,
        login: LoginId,
    ) -> Result<Option<LockedNoticeTo>, StoreError> {
        let at = now();
        let address: Option<String> = on_tx!(self, c => sqlx::query_scalar(
            "UPDATE portal_logins SET locked_notice_at = $3 \
             WHERE company_id = $1 AND id = $2 AND locked_at IS NOT NULL \
             AND (locked_notice_at IS NULL OR locked_notice_at <= $4) RETURNING email")
            .bind(company.0).bind(login.0).bind(db_time(at)).bind(db_time(at - LOCKED_NOTICE_EVERY))
            .fetch_optional(&mut *c).await)?;
        let Some(address) = address else {
            return Ok(None);
        };
        let name: Option<String> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT first_name FROM contacts WHERE company_id = $1 AND login_id = $2 \
             ORDER BY id LIMIT 1")
            .bind(company.0).bind(login.0).fetch_optional(&mut *c).await)?;
        Ok(Some(LockedNoticeTo {
            address,
            name: name.unwrap_or_default(),
        }))
    }
}
