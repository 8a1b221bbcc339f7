//! The one-time link a new staff member (the company's first administrator, printed by
//! `doorstep company create`) follows to choose a password: anonymous, the link is the
//! credential, and it works once.

use std::net::IpAddr;

use doorstep_core::password::check_new_password;
use doorstep_core::validation::Invalid;
use doorstep_store::companies::Company;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};

use crate::crypto::password::hash_password;
use crate::crypto::token::hash_token;
use crate::error::FieldErrors;
use crate::{App, AppError};

/// A new password typed twice, checked.
#[derive(Clone)]
pub struct NewPassword {
    password: String,
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    /// Checks the password against the rules and that `confirm` repeats it (asked only
    /// once the password itself is acceptable).
    pub fn parse(password: &str, confirm: &str) -> Result<NewPassword, FieldErrors> {
        let mut errors = FieldErrors::default();
        if errors.check(check_new_password(password)).is_some() && password != confirm {
            errors.0.push(Invalid::new(
                "confirm",
                "The two passwords differ. Type the same password twice.",
            ));
        }
        if errors.is_empty() {
            Ok(NewPassword {
                password: password.to_owned(),
            })
        } else {
            Err(errors)
        }
    }
}

/// Sets the password of the staff member whose setup link carries `token`, using the link
/// up, in one transaction; `NotFound` when the link is unknown, used or expired.
pub async fn set_up_staff_password(
    app: &App,
    company: &Company,
    ip: IpAddr,
    token: &str,
    password: NewPassword,
) -> Result<(), AppError> {
    let cost = app.config().password_cost;
    // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let hash = tokio::task::spawn_blocking(move || hash_password(&password.password, cost))
        .await
        .map_err(|e| internal(e.to_string()))?
        .map_err(internal)?;
    let mut tx = app.store.begin().await?;
    let owner = tx
        .consume_token(company.id, &hash_token(token), TokenPurpose::StaffSetup)
        .await?;
    let Some(TokenOwner::Staff(staff)) = owner else {
        return Err(AppError::NotFound);
    };
    tx.set_staff_password(company.id, staff, &hash).await?;
    let audit = crate::audit::record(
        ("staff", Some(staff.0), ""),
        "staff.password_set",
        ("staff_user", staff.0),
        ip,
        serde_json::json!({}),
    );
    tx.audit(company.id, &audit).await?;
    tx.commit().await?;
    Ok(())
}

/// Hashing failed (it does not, short of the runtime failing): a server error whose
/// cause reaches the log.
fn internal(cause: String) -> AppError {
    AppError::Internal(format!("password hashing failed: {cause}"))
}
