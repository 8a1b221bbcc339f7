//! Two-factor sign-in: a person sets it up (a secret sealed under the instance's key,
//! confirmed with a first code), replaces their recovery codes or turns it off; the code
//! asked at sign-in; and the administrator's rule that every staff member must use it.
//! Every change and its audit record are written in one transaction.

use std::net::IpAddr;

use doorstep_core::credentials::may_turn_off_second_factor;
use doorstep_core::settings::PortalSettings;
use doorstep_core::validation::Invalid;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::companies::Company;
use doorstep_store::sessions::{Session, SessionOwner};
use doorstep_store::two_factor::TwoFactor;
use doorstep_store::{Store, Tx};
use time::OffsetDateTime;

use super::totp::{
    hash_recovery_code, matching_step, new_recovery_codes, new_secret, open_secret, seal_secret,
};
use crate::crypto::secret_box::{SEALED_PREFIX, SecretKey};
use crate::sign_in::session::open_in;
use crate::sign_in::{Client, owner_record};
use crate::{Admin, App, AppError, ContactActor, StaffActor};

/// Longest typed code looked at.
const CODE_MAX: usize = 64;

/// Whose second factor: a contact's portal login or a staff member, on their own
/// security page.
#[derive(Debug, Clone, Copy)]
pub enum Holder<'a> {
    /// A contact, for their portal login.
    Contact(&'a ContactActor),
    /// A member of the office staff.
    Staff(&'a StaffActor),
}

impl Holder<'_> {
    /// The company.
    pub fn company(&self) -> &Company {
        match self {
            Holder::Contact(c) => c.company(),
            Holder::Staff(s) => s.company(),
        }
    }

    /// The login or staff member whose factor it is.
    pub fn owner(&self) -> SessionOwner {
        match self {
            Holder::Contact(c) => SessionOwner::Login(c.login()),
            Holder::Staff(s) => SessionOwner::Staff(s.id()),
        }
    }

    /// Whether the rules let them turn their factor off (see `core::credentials`).
    pub fn may_turn_off(&self) -> bool {
        may_turn_off_second_factor(matches!(self, Holder::Staff(_)), &self.company().settings)
    }

    /// An audit record of them doing `action` to their own sign-in.
    async fn audit(&self, app: &App, action: &'static str) -> Result<NewAuditEvent, AppError> {
        let detail = serde_json::json!({});
        Ok(match self {
            Holder::Contact(c) => {
                let label = app
                    .store
                    .login_email(c.company().id, c.login())
                    .await?
                    .unwrap_or_default();
                c.audit(&label, action, ("login", c.login().0), detail)
            }
            Holder::Staff(s) => s.audit(action, ("staff_user", s.id().0), detail),
        })
    }
}

/// Which second factor a right code was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// A current authenticator code, now used up.
    Totp,
    /// A recovery code, now used up.
    RecoveryCode,
}

impl Factor {
    /// How the audit log names it.
    pub fn label(self) -> &'static str {
        match self {
            Factor::Totp => "totp",
            Factor::RecoveryCode => "recovery_code",
        }
    }
}

/// What checking a typed code found.
enum Checked {
    /// Right, and used up in the open transaction, in which the change it allows is to
    /// be written.
    Right(Factor, Tx),
    /// Wrong, replayed or already used; nothing written.
    Wrong,
    /// Too many wrong codes: try again after this time.
    Throttled(OffsetDateTime),
}

fn throttle_key(owner: SessionOwner) -> String {
    match owner {
        SessionOwner::Staff(s) => format!("2fa:staff:{}", s.0),
        SessionOwner::Login(l) => format!("2fa:login:{}", l.0),
    }
}

/// Checks `input` as a TOTP code or, failing that, a recovery code of `owner`. Every
/// code is counted against the same decaying throttle as passwords *before* it is checked
/// (atomically, so parallel codes never get more checks than the throttle allows); a
/// right one is used up and clears the count in the transaction it returns.
async fn check(
    app: &App,
    company: &Company,
    owner: SessionOwner,
    tf: &TwoFactor,
    input: &str,
) -> Result<Checked, AppError> {
    let key = throttle_key(owner);
    let mut tx = app.store.begin().await?;
    let blocked = tx.claim_sign_in_attempt(company.id, &[&key]).await?;
    tx.commit().await?;
    if let Some(until) = blocked {
        return Ok(Checked::Throttled(until));
    }
    let secret = tf
        .secret
        .as_deref()
        .and_then(|stored| open_secret(app.secret_key(), company.id, owner, stored));
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let mut tx = app.store.begin().await?;
    let factor = match secret.as_deref() {
        Some(secret) if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) => {
            match matching_step(secret, &digits, doorstep_store::now()) {
                Some(step) if tx.accept_totp_step(company.id, owner, step).await? => {
                    Some(Factor::Totp)
                }
                _ => None,
            }
        }
        // Recovery codes work even if the secret no longer opens (a lost key).
        _ if tf.secret.is_some() && tf.enabled && !input.trim().is_empty() => tx
            .use_recovery_code(company.id, owner, &hash_recovery_code(input))
            .await?
            .then_some(Factor::RecoveryCode),
        _ => None,
    };
    match factor {
        Some(factor) => {
            tx.clear_sign_in_failures(company.id, &key).await?;
            Ok(Checked::Right(factor, tx))
        }
        None => Ok(Checked::Wrong),
    }
}

/// The code typed on the security page to confirm a change: the open transaction it was
/// used up in, or why it was refused.
async fn confirm_code(
    app: &App,
    who: Holder<'_>,
    tf: &TwoFactor,
    code: &str,
) -> Result<Tx, AppError> {
    let code: String = code.chars().take(CODE_MAX).collect();
    if code.trim().is_empty() {
        return Err(Invalid::new(
            "code",
            "Enter the current code from your authenticator app (or a recovery code).",
        )
        .into());
    }
    match check(app, who.company(), who.owner(), tf, &code).await? {
        Checked::Right(_, tx) => Ok(tx),
        Checked::Wrong => {
            Err(Invalid::new("code", "That code isn't right. Try the current one.").into())
        }
        Checked::Throttled(_) => Err(AppError::conflict(
            "throttled",
            "Too many wrong codes. Wait a few minutes and try again.",
        )),
    }
}

/// New recovery codes: the ones to show once, and their hashes to store.
fn fresh_codes() -> (Vec<String>, Vec<String>) {
    let codes = new_recovery_codes();
    let hashes = codes.iter().map(|c| hash_recovery_code(c)).collect();
    (codes, hashes)
}

/// Starts setup: a new secret, sealed to its owner under the instance's key, waits for
/// its first code. Does nothing (and answers false) once the factor is on, so a stolen
/// session cannot silently swap the secret.
pub async fn start(app: &App, who: Holder<'_>) -> Result<bool, AppError> {
    let company = who.company().id;
    let sealed = seal_secret(app.secret_key(), company, who.owner(), &new_secret())
        .map_err(AppError::Internal)?;
    let audit = who.audit(app, "two_factor.setup_started").await?;
    let mut tx = app.store.begin().await?;
    let started = tx
        .begin_two_factor_setup(company, who.owner(), &sealed)
        .await?;
    if started {
        tx.audit(company, &audit).await?;
    }
    tx.commit().await?;
    Ok(started)
}

/// Turns the factor on with the first code from the app, returning the recovery codes
/// to show once. Every other session of the holder ends (they signed in without it);
/// `current_session` (its id hash) stays. Refused with a `not_pending` conflict when no
/// setup is waiting, an invalid `code` when the code is missing or wrong, a `throttled`
/// conflict after too many wrong ones.
pub async fn confirm(
    app: &App,
    who: Holder<'_>,
    current_session: &str,
    code: &str,
) -> Result<Vec<String>, AppError> {
    let company = who.company().id;
    let tf = app.store.two_factor(company, who.owner()).await?;
    if tf.enabled || tf.secret.is_none() {
        return Err(AppError::conflict(
            "not_pending",
            "Start setting up two-factor sign-in first.",
        ));
    }
    let audit = who.audit(app, "two_factor.enabled").await?;
    let mut tx = confirm_code(app, who, &tf, code).await?;
    let (codes, hashes) = fresh_codes();
    tx.enable_two_factor(company, who.owner(), &hashes).await?;
    tx.delete_sessions_of(company, who.owner(), Some(current_session))
        .await?;
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(codes)
}

/// What turning the factor off did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disabled {
    /// It was on and is off.
    TurnedOff,
    /// Setup had started and was cancelled.
    SetupCancelled,
}

/// Turns the factor off (confirmed with a current code), or cancels a setup. Refused
/// with a `required` conflict for staff of a company that requires it, before any code
/// is looked at.
pub async fn disable(app: &App, who: Holder<'_>, code: &str) -> Result<Disabled, AppError> {
    let company = who.company().id;
    let tf = app.store.two_factor(company, who.owner()).await?;
    if !tf.enabled {
        let mut tx = app.store.begin().await?;
        tx.disable_two_factor(company, who.owner()).await?;
        tx.commit().await?;
        return Ok(Disabled::SetupCancelled);
    }
    if !who.may_turn_off() {
        return Err(AppError::conflict(
            "required",
            "Your company requires two-factor sign-in for office staff, so it can't be turned off.",
        ));
    }
    let audit = who.audit(app, "two_factor.disabled").await?;
    let mut tx = confirm_code(app, who, &tf, code).await?;
    tx.disable_two_factor(company, who.owner()).await?;
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(Disabled::TurnedOff)
}

/// Replaces the recovery codes (confirmed with a current code), returning the new ones
/// to show once; the old ones stop working. Refused with a `not_enabled` conflict when
/// the factor is off.
pub async fn replace_recovery_codes(
    app: &App,
    who: Holder<'_>,
    code: &str,
) -> Result<Vec<String>, AppError> {
    let company = who.company().id;
    let tf = app.store.two_factor(company, who.owner()).await?;
    if !tf.enabled {
        return Err(AppError::conflict(
            "not_enabled",
            "Turn on two-factor sign-in first.",
        ));
    }
    let audit = who.audit(app, "two_factor.recovery_codes_replaced").await?;
    let mut tx = confirm_code(app, who, &tf, code).await?;
    let (codes, hashes) = fresh_codes();
    tx.replace_recovery_codes(company, who.owner(), &hashes)
        .await?;
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(codes)
}

/// The administrator requires (or stops requiring) a second factor of every staff
/// member, field-wise on the saved settings; returns them. Refused with an
/// `own_factor_first` conflict when requiring it while lacking one themselves, so an
/// administrator cannot lock everyone out.
pub async fn require_of_staff(
    app: &App,
    admin: Admin<'_>,
    require: bool,
) -> Result<PortalSettings, AppError> {
    let own = SessionOwner::Staff(admin.id());
    if require && !app.store.two_factor(admin.company().id, own).await?.enabled {
        return Err(AppError::conflict(
            "own_factor_first",
            "Turn on two-factor sign-in for yourself first, then require it of everyone.",
        ));
    }
    let action = if require {
        "settings.staff_two_factor_required"
    } else {
        "settings.staff_two_factor_optional"
    };
    crate::settings::change(app, admin, action, serde_json::json!({}), |s| {
        s.require_staff_two_factor = require;
    })
    .await
}

/// How the code asked at sign-in ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInCode {
    /// Right: the waiting session was replaced by a full one (a new id again); the new
    /// session's cookie token.
    Passed {
        /// The token to set as the session cookie.
        token: String,
        /// Which factor it was.
        factor: Factor,
    },
    /// Wrong, replayed or used; audited.
    Wrong,
    /// Too many wrong codes: try again after this time.
    Throttled(OffsetDateTime),
}

/// Where a sign-in's code is typed: the company, the waiting session, and the browser.
#[derive(Debug, Clone, Copy)]
pub struct Challenge<'a> {
    /// The company.
    pub company: &'a Company,
    /// The session waiting for the second factor.
    pub pending: &'a Session,
    /// Where the request came from.
    pub ip: IpAddr,
    /// The browser's self-description.
    pub user_agent: &'a str,
}

/// The second step of signing in: a right code (TOTP or recovery) replaces the waiting
/// session with a full one, with its audit records, in one transaction. Refused with an
/// invalid `code` when none was typed, and [`AppError::NotFound`] when the session is not
/// waiting for one.
pub async fn pass_sign_in(
    app: &App,
    at: Challenge<'_>,
    code: &str,
) -> Result<SignInCode, AppError> {
    let (company, owner) = (at.company, at.pending.owner);
    if !at.pending.two_factor_pending {
        return Err(AppError::NotFound);
    }
    let code: String = code.chars().take(CODE_MAX).collect();
    if code.trim().is_empty() {
        return Err(Invalid::new(
            "code",
            "Enter the 6-digit code from your authenticator app, or a recovery code.",
        )
        .into());
    }
    let tf = app.store.two_factor(company.id, owner).await?;
    match check(app, company, owner, &tf, &code).await? {
        Checked::Right(factor, mut tx) => {
            let detail = serde_json::json!({"factor": factor.label()});
            let passed = owner_record(owner, "sign_in.second_factor_passed", at.ip, detail);
            tx.audit(company.id, &passed).await?;
            tx.delete_session(company.id, &at.pending.id_hash).await?;
            let client = Client {
                ip: at.ip,
                user_agent: at.user_agent.to_owned(),
                session_token: None,
            };
            let token = open_in(app, &mut tx, company, owner, &client, false).await?;
            tx.commit().await?;
            Ok(SignInCode::Passed { token, factor })
        }
        Checked::Wrong => {
            let failed = owner_record(
                owner,
                "sign_in.second_factor_failed",
                at.ip,
                serde_json::json!({}),
            );
            let mut tx = app.store.begin().await?;
            tx.audit(company.id, &failed).await?;
            tx.commit().await?;
            Ok(SignInCode::Wrong)
        }
        Checked::Throttled(until) => Ok(SignInCode::Throttled(until)),
    }
}

/// Seals every TOTP secret still stored as plain text (written before secrets were
/// encrypted); run at start, before serving. Returns how many were sealed.
pub async fn seal_plain_secrets(store: &Store, key: &SecretKey) -> Result<usize, AppError> {
    let plain = store.totp_secrets_without_prefix(SEALED_PREFIX).await?;
    let mut sealed = 0;
    for row in plain {
        let new =
            seal_secret(key, row.company, row.owner, &row.stored).map_err(AppError::Internal)?;
        let mut tx = store.begin().await?;
        if tx
            .replace_totp_secret(row.company, row.owner, &row.stored, &new)
            .await?
        {
            sealed += 1;
        }
        tx.commit().await?;
    }
    Ok(sealed)
}
