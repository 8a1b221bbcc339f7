//! One's own sign-in security, for contacts (`/security`) and staff (`/office/security`):
//! setting up two-factor sign-in, recovery codes, turning it off; for administrators, the
//! company rule that every staff member must use it.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use doorstep_core::authz::{OfficeArea, staff_may};
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;
use serde::Deserialize;

use crate::auth::session::{SignedInContact, SignedInStaff};
use crate::auth::sign_in::{Audience, audit_owner};
use crate::auth::two_factor::{
    SecondFactor, check_second_factor, hash_recovery_code, new_recovery_codes, new_secret,
    open_secret, otpauth_url, qr_svg, seal_secret,
};
use crate::csrf::CsrfToken;
use crate::extract::Form;
use crate::views::{OfficeChrome, PortalChrome};
use crate::{AppState, WebError};

/// Where setup stands.
pub enum Setup {
    /// No second factor.
    Off,
    /// A secret was made; waiting for the first code to prove the app has it.
    Pending {
        /// The QR code to scan, as SVG.
        qr: String,
        /// The secret to type in by hand, in groups of four.
        secret: String,
    },
    /// Sign-in asks for a code.
    On {
        /// Unused recovery codes left.
        codes_left: i64,
    },
}

/// What the security page shows, for contacts and staff alike.
pub struct SecurityView {
    /// Two-factor state.
    pub setup: Setup,
    /// Recovery codes to show once, just made.
    pub new_codes: Vec<String>,
    /// A problem with what was submitted.
    pub error: Option<String>,
    /// What just happened.
    pub notice: Option<String>,
    /// The form token.
    pub csrf: String,
    /// `/security` or `/office/security`.
    pub base: &'static str,
    /// The company requires staff to use a second factor (then it cannot be turned off).
    pub required: bool,
    /// For administrators: the company rule's current value.
    pub policy: Option<bool>,
}

#[derive(Template)]
#[template(path = "portal/security.html")]
struct PortalSecurityPage {
    chrome: PortalChrome,
    view: SecurityView,
}

#[derive(Template)]
#[template(path = "office/security.html")]
struct OfficeSecurityPage {
    chrome: OfficeChrome,
    view: SecurityView,
}

/// A contact or a staff member on their own security page.
pub enum Me {
    /// A contact in the portal.
    Contact(Box<SignedInContact>),
    /// A member of the office.
    Staff(Box<SignedInStaff>),
}

impl Me {
    fn company(&self) -> &Company {
        match self {
            Me::Contact(c) => &c.portal.company,
            Me::Staff(s) => &s.company,
        }
    }

    fn owner(&self) -> SessionOwner {
        match self {
            Me::Contact(c) => c.portal.session.owner,
            Me::Staff(s) => s.session.owner,
        }
    }

    fn session_id(&self) -> &str {
        match self {
            Me::Contact(c) => &c.portal.session.id_hash,
            Me::Staff(s) => &s.session.id_hash,
        }
    }

    /// Staff of a company that requires a second factor may not turn theirs off.
    fn must_keep(&self) -> bool {
        matches!(self, Me::Staff(_)) && self.company().settings.require_staff_two_factor
    }

    fn is_admin(&self) -> bool {
        match self {
            Me::Staff(s) => staff_may(s.staff.role, OfficeArea::Administration),
            Me::Contact(_) => false,
        }
    }

    async fn audit(
        &self,
        state: &AppState,
        action: &'static str,
        ip: &str,
    ) -> Result<(), WebError> {
        audit_owner(state, self.company(), self.owner(), action, ip, "{}").await
    }

    async fn account_name(&self, state: &AppState) -> Result<String, WebError> {
        Ok(match self {
            Me::Staff(s) => s.staff.email.clone(),
            Me::Contact(c) => state
                .store
                .login_email(c.portal.company.id, c.portal.login)
                .await?
                .unwrap_or_default(),
        })
    }
}

/// What to say on the page after an action.
#[derive(Default)]
struct Outcome {
    new_codes: Vec<String>,
    error: Option<String>,
    notice: Option<String>,
    status: Option<StatusCode>,
}

async fn render(
    state: &AppState,
    me: Me,
    csrf: String,
    outcome: Outcome,
) -> Result<Response, WebError> {
    let company = me.company();
    let tf = state.store.two_factor(company.id, me.owner()).await?;
    let secret = tf
        .secret
        .as_deref()
        .and_then(|stored| open_secret(&state.secret_key, company.id, me.owner(), stored));
    let setup = match (tf.enabled, secret) {
        (true, _) => Setup::On {
            codes_left: tf.recovery_codes_left,
        },
        (false, Some(secret)) => {
            let url = otpauth_url(&company.name, &me.account_name(state).await?, &secret);
            let grouped = secret
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" ");
            Setup::Pending {
                qr: qr_svg(&url),
                secret: grouped,
            }
        }
        (false, None) => Setup::Off,
    };
    let view = SecurityView {
        setup,
        new_codes: outcome.new_codes,
        error: outcome.error,
        notice: outcome.notice,
        csrf: csrf.clone(),
        base: Audience::of(me.owner()).security_page(),
        required: me.must_keep(),
        policy: me
            .is_admin()
            .then_some(company.settings.require_staff_two_factor),
    };
    let html = match me {
        Me::Contact(c) => PortalSecurityPage {
            chrome: PortalChrome::of(&c, &csrf),
            view,
        }
        .render(),
        Me::Staff(s) => OfficeSecurityPage {
            chrome: OfficeChrome::of(&s, &csrf),
            view,
        }
        .render(),
    }
    .map_err(WebError::internal)?;
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(html)).into_response())
}

/// The typed code, where an action asks for one.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Checks a code typed to confirm a change; `Err` carries the page's error.
async fn confirm_code(
    state: &AppState,
    me: &Me,
    code: &str,
) -> Result<Result<(), String>, WebError> {
    if code.trim().is_empty() {
        return Ok(Err(
            "Enter the current code from your authenticator app (or a recovery code).".into(),
        ));
    }
    Ok(
        match check_second_factor(state, me.company().id, me.owner(), code).await? {
            SecondFactor::Totp | SecondFactor::RecoveryCode => Ok(()),
            SecondFactor::Wrong => Err("That code isn't right. Try the current one.".into()),
            SecondFactor::Throttled(_) => {
                Err("Too many wrong codes. Wait a few minutes and try again.".into())
            }
        },
    )
}

/// New recovery codes: the ones to show once, and their hashes to store.
fn fresh_codes() -> (Vec<String>, Vec<String>) {
    let codes = new_recovery_codes();
    let hashes = codes.iter().map(|c| hash_recovery_code(c)).collect();
    (codes, hashes)
}

impl Outcome {
    fn codes(codes: Vec<String>, text: &str) -> Self {
        Outcome {
            new_codes: codes,
            ..Outcome::notice(text)
        }
    }

    fn notice(text: &str) -> Self {
        Outcome {
            notice: Some(text.to_owned()),
            ..Outcome::default()
        }
    }
}

fn refused(error: String) -> Outcome {
    Outcome {
        error: Some(error),
        status: Some(StatusCode::UNPROCESSABLE_ENTITY),
        ..Outcome::default()
    }
}

async fn start(
    state: &AppState,
    me: Me,
    _csrf: String,
    ip: &str,
    _code: &str,
) -> Result<Response, WebError> {
    let sealed = seal_secret(
        &state.secret_key,
        me.company().id,
        me.owner(),
        &new_secret(),
    )?;
    let mut tx = state.store.begin().await?;
    let started = tx
        .begin_two_factor_setup(me.company().id, me.owner(), &sealed)
        .await?;
    tx.commit().await?;
    if started {
        me.audit(state, "two_factor.setup_started", ip).await?;
    }
    Ok(Redirect::to(Audience::of(me.owner()).security_page()).into_response())
}

async fn confirm(
    state: &AppState,
    me: Me,
    csrf: String,
    ip: &str,
    code: &str,
) -> Result<Response, WebError> {
    let tf = state.store.two_factor(me.company().id, me.owner()).await?;
    if tf.enabled || tf.secret.is_none() {
        return Ok(Redirect::to(Audience::of(me.owner()).security_page()).into_response());
    }
    if let Err(error) = confirm_code(state, &me, code).await? {
        return render(state, me, csrf, refused(error)).await;
    }
    let (codes, hashes) = fresh_codes();
    let mut tx = state.store.begin().await?;
    tx.enable_two_factor(me.company().id, me.owner(), &hashes)
        .await?;
    // A new factor ends every other session, which signed in without it.
    tx.delete_sessions_of(me.company().id, me.owner(), Some(me.session_id()))
        .await?;
    tx.commit().await?;
    me.audit(state, "two_factor.enabled", ip).await?;
    let outcome = Outcome::codes(
        codes,
        "Two-factor sign-in is on. Save your recovery codes now.",
    );
    render(state, me, csrf, outcome).await
}

async fn disable(
    state: &AppState,
    me: Me,
    csrf: String,
    ip: &str,
    code: &str,
) -> Result<Response, WebError> {
    let tf = state.store.two_factor(me.company().id, me.owner()).await?;
    if tf.enabled {
        if me.must_keep() {
            let error = "Your company requires two-factor sign-in for office staff, so it can't be turned off.".to_owned();
            return render(state, me, csrf, refused(error)).await;
        }
        if let Err(error) = confirm_code(state, &me, code).await? {
            return render(state, me, csrf, refused(error)).await;
        }
    }
    let mut tx = state.store.begin().await?;
    tx.disable_two_factor(me.company().id, me.owner()).await?;
    tx.commit().await?;
    if tf.enabled {
        me.audit(state, "two_factor.disabled", ip).await?;
    }
    let notice = if tf.enabled {
        "Two-factor sign-in is off."
    } else {
        "Setup cancelled."
    };
    let outcome = Outcome::notice(notice);
    render(state, me, csrf, outcome).await
}

async fn replace_codes(
    state: &AppState,
    me: Me,
    csrf: String,
    ip: &str,
    code: &str,
) -> Result<Response, WebError> {
    let tf = state.store.two_factor(me.company().id, me.owner()).await?;
    if !tf.enabled {
        return Ok(Redirect::to(Audience::of(me.owner()).security_page()).into_response());
    }
    if let Err(error) = confirm_code(state, &me, code).await? {
        return render(state, me, csrf, refused(error)).await;
    }
    let (codes, hashes) = fresh_codes();
    let mut tx = state.store.begin().await?;
    tx.replace_recovery_codes(me.company().id, me.owner(), &hashes)
        .await?;
    tx.commit().await?;
    me.audit(state, "two_factor.recovery_codes_replaced", ip)
        .await?;
    let outcome = Outcome::codes(
        codes,
        "New recovery codes made; the old ones no longer work.",
    );
    render(state, me, csrf, outcome).await
}

/// Declares the portal and office handlers of each action over one implementation.
macro_rules! handlers {
    ($( $portal:ident, $office:ident => $body:ident; )*) => {$(
        #[doc = concat!("The portal's `", stringify!($body), "` action.")]
        pub async fn $portal(
            State(state): State<AppState>,
            contact: SignedInContact,
            CsrfToken(csrf): CsrfToken,
            ConnectInfo(peer): ConnectInfo<SocketAddr>,
            Form(form): Form<CodeForm>,
        ) -> Result<Response, WebError> {
            let ip = peer.ip().to_string();
            $body(&state, Me::Contact(Box::new(contact)), csrf, &ip, &form.code).await
        }

        #[doc = concat!("The office's `", stringify!($body), "` action.")]
        pub async fn $office(
            State(state): State<AppState>,
            staff: SignedInStaff,
            CsrfToken(csrf): CsrfToken,
            ConnectInfo(peer): ConnectInfo<SocketAddr>,
            Form(form): Form<CodeForm>,
        ) -> Result<Response, WebError> {
            let ip = peer.ip().to_string();
            $body(&state, Me::Staff(Box::new(staff)), csrf, &ip, &form.code).await
        }
    )*};
}

handlers! {
    portal_start, office_start => start;
    portal_confirm, office_confirm => confirm;
    portal_disable, office_disable => disable;
    portal_codes, office_codes => replace_codes;
}

/// `GET /security`.
pub async fn portal_show(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    render(
        &state,
        Me::Contact(Box::new(contact)),
        csrf,
        Outcome::default(),
    )
    .await
}

/// `GET /office/security`.
pub async fn office_show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    render(&state, Me::Staff(Box::new(staff)), csrf, Outcome::default()).await
}

/// The administrator's rule.
#[derive(Deserialize)]
pub struct PolicyForm {
    require: Option<String>,
}

/// `POST /office/security/policy`: administrators require (or stop requiring) a second
/// factor of every staff member.
pub async fn office_policy(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<PolicyForm>,
) -> Result<Response, WebError> {
    if !staff_may(staff.staff.role, OfficeArea::Administration) {
        return Err(WebError::NotFound);
    }
    let require = form.require.is_some();
    let me = Me::Staff(Box::new(staff));
    let owner = me.owner();
    // An administrator cannot lock everyone out by requiring what they lack themselves.
    if require
        && !state
            .store
            .two_factor(me.company().id, owner)
            .await?
            .enabled
    {
        let error =
            "Turn on two-factor sign-in for yourself first, then require it of everyone.".into();
        return render(&state, me, csrf, refused(error)).await;
    }
    let mut settings = me.company().settings.clone();
    settings.require_staff_two_factor = require;
    let mut tx = state.store.begin().await?;
    tx.set_company_settings(me.company().id, &settings).await?;
    tx.commit().await?;
    audit_owner(
        &state,
        me.company(),
        owner,
        if require {
            "settings.staff_two_factor_required"
        } else {
            "settings.staff_two_factor_optional"
        },
        &peer.ip().to_string(),
        "{}",
    )
    .await?;
    let Me::Staff(mut staff) = me else {
        return Err(WebError::NotFound);
    };
    staff.company.settings = settings;
    let notice = if require {
        "Every office staff member must now use two-factor sign-in."
    } else {
        "Two-factor sign-in is now optional for office staff."
    };
    let outcome = Outcome::notice(notice);
    render(&state, Me::Staff(staff), csrf, outcome).await
}
