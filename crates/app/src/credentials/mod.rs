//! Credentials a person manages: the second factor (TOTP and recovery codes), passwords
//! set from emailed links, and self sign-up. What they share lives here: a checked new
//! password and its hashing off the async workers, the emailed links and the decaying
//! limits on the public forms that send them.

pub mod passwords;
pub mod sign_up;
pub mod totp;
pub mod two_factor;

use doorstep_core::password::check_new_password;
use doorstep_core::validation::Invalid;

use crate::crypto::password::hash_password;
use crate::{App, AppError};

/// The conflict reason of a link that expired, was used, or never existed.
pub const LINK_EXPIRED: &str = "link_expired";

/// A link that no longer works (pages show their "link expired" page for it).
pub(crate) fn link_expired() -> AppError {
    AppError::conflict(
        LINK_EXPIRED,
        "This link has expired or was already used. Ask for a new one.",
    )
}

/// A new password that passed the rules of `core::password`. Never printed.
#[derive(Clone)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    /// Checks a typed new password (field `password`).
    pub fn parse(raw: &str) -> Result<NewPassword, Invalid> {
        check_new_password(raw)?;
        Ok(NewPassword(raw.to_owned()))
    }

    /// Its argon2 hash, computed on the blocking pool so the async workers keep serving.
    pub(crate) async fn hash(self, app: &App) -> Result<String, AppError> {
        let cost = app.config().password_cost;
        tokio::task::spawn_blocking(move || hash_password(&self.0, cost))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(AppError::Internal)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::NewPassword;

    #[test]
    fn a_new_password_follows_the_core_rules_and_never_prints() {
        assert_eq!(
            NewPassword::parse("short").map(|_| ()).unwrap_err().field,
            "password"
        );
        let ok = NewPassword::parse("pipes and valves 64");
        assert_eq!(format!("{ok:?}"), "Ok(NewPassword(***))");
    }
}
