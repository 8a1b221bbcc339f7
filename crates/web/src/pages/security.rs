//! One's own sign-in security, for contacts (`/security`) and staff (`/office/security`):
//! setting up two-factor sign-in, recovery codes, turning it off; for administrators, the
//! company rule that every staff member must use it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::credentials::totp::open_secret;
use doorstep_app::credentials::two_factor::{self, Disabled, Holder};
use doorstep_core::authz::{OfficeArea, staff_may};
use doorstep_core::credentials::may_turn_off_second_factor;
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;
use serde::Deserialize;

use crate::auth::session::{SignedInContact, SignedInStaff};
use crate::auth::sign_in::{Audience, AudiencePages};
use crate::auth::two_factor::{otpauth_url, qr_svg};
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

    /// Whose factor the use cases change.
    fn holder(&self) -> Holder<'_> {
        match self {
            Me::Contact(c) => Holder::Contact(&c.actor),
            Me::Staff(s) => Holder::Staff(&s.actor),
        }
    }

    /// Staff of a company that requires a second factor may not turn theirs off.
    fn must_keep(&self) -> bool {
        !may_turn_off_second_factor(matches!(self, Me::Staff(_)), &self.company().settings)
    }

    fn is_admin(&self) -> bool {
        match self {
            Me::Staff(s) => staff_may(s.staff.role, OfficeArea::Administration),
            Me::Contact(_) => false,
        }
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

/// Answers a refused change: back to the page when the state moved on (nothing to
/// confirm), else the page with the reason.
async fn refusal(
    state: &AppState,
    me: Me,
    csrf: String,
    err: AppError,
) -> Result<Response, WebError> {
    match err {
        AppError::Conflict {
            reason: "not_pending" | "not_enabled",
            ..
        } => Ok(Redirect::to(Audience::of(me.owner()).security_page()).into_response()),
        AppError::Invalid(e) => render(state, me, csrf, refused(e.message)).await,
        AppError::Conflict { message, .. } => render(state, me, csrf, refused(message)).await,
        e => Err(e.into()),
    }
}

async fn start(state: &AppState, me: Me, _csrf: String, _code: &str) -> Result<Response, WebError> {
    two_factor::start(&state.app, me.holder()).await?;
    Ok(Redirect::to(Audience::of(me.owner()).security_page()).into_response())
}

async fn confirm(state: &AppState, me: Me, csrf: String, code: &str) -> Result<Response, WebError> {
    match two_factor::confirm(&state.app, me.holder(), me.session_id(), code).await {
        Ok(codes) => {
            let text = "Two-factor sign-in is on. Save your recovery codes now.";
            render(state, me, csrf, Outcome::codes(codes, text)).await
        }
        Err(e) => refusal(state, me, csrf, e).await,
    }
}

async fn disable(state: &AppState, me: Me, csrf: String, code: &str) -> Result<Response, WebError> {
    match two_factor::disable(&state.app, me.holder(), code).await {
        Ok(done) => {
            let notice = match done {
                Disabled::TurnedOff => "Two-factor sign-in is off.",
                Disabled::SetupCancelled => "Setup cancelled.",
            };
            render(state, me, csrf, Outcome::notice(notice)).await
        }
        Err(e) => refusal(state, me, csrf, e).await,
    }
}

async fn replace_codes(
    state: &AppState,
    me: Me,
    csrf: String,
    code: &str,
) -> Result<Response, WebError> {
    match two_factor::replace_recovery_codes(&state.app, me.holder(), code).await {
        Ok(codes) => {
            let text = "New recovery codes made; the old ones no longer work.";
            render(state, me, csrf, Outcome::codes(codes, text)).await
        }
        Err(e) => refusal(state, me, csrf, e).await,
    }
}

/// Declares the portal and office handlers of each action over one implementation.
macro_rules! handlers {
    ($( $portal:ident, $office:ident => $body:ident; )*) => {$(
        #[doc = concat!("The portal's `", stringify!($body), "` action.")]
        pub async fn $portal(
            State(state): State<AppState>,
            contact: SignedInContact,
            CsrfToken(csrf): CsrfToken,
            Form(form): Form<CodeForm>,
        ) -> Result<Response, WebError> {
            $body(&state, Me::Contact(Box::new(contact)), csrf, &form.code).await
        }

        #[doc = concat!("The office's `", stringify!($body), "` action.")]
        pub async fn $office(
            State(state): State<AppState>,
            staff: SignedInStaff,
            CsrfToken(csrf): CsrfToken,
            Form(form): Form<CodeForm>,
        ) -> Result<Response, WebError> {
            $body(&state, Me::Staff(Box::new(staff)), csrf, &form.code).await
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
    mut staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<PolicyForm>,
) -> Result<Response, WebError> {
    let require = form.require.is_some();
    let changed = {
        let admin = staff.actor.admin()?;
        two_factor::require_of_staff(&state.app, admin, require).await
    };
    match changed {
        Ok(settings) => {
            staff.company.settings = settings;
            let notice = if require {
                "Every office staff member must now use two-factor sign-in."
            } else {
                "Two-factor sign-in is now optional for office staff."
            };
            render(
                &state,
                Me::Staff(Box::new(staff)),
                csrf,
                Outcome::notice(notice),
            )
            .await
        }
        Err(e) => refusal(&state, Me::Staff(Box::new(staff)), csrf, e).await,
    }
}
