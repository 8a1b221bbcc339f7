//! Authentication of a request's session: the only place actors are built. A session is
//! re-read on every request, so access the office disables or locks ends at once; its
//! last use is written at most once a minute (the idle timeout's granularity).

use std::net::IpAddr;

use doorstep_core::authz::ContactScope;
use doorstep_core::ids::LoginId;
use doorstep_core::status::ContactRole;
use doorstep_store::companies::Company;
use doorstep_store::contacts::AccountAccess;
use doorstep_store::sessions::{Session, SessionOwner};
use doorstep_store::staff::StaffUser;

use crate::actor::{ContactActor, StaffActor};
use crate::{App, AppError};

/// How often a session's last use is written.
const TOUCH_EVERY: time::Duration = time::Duration::minutes(1);

/// Why a request is not (yet) signed in as the page needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSignedIn {
    /// No live session of the right kind: sign in.
    SignIn,
    /// Password (or link) right, second factor owed.
    SecondFactorOwed,
    /// A portal login with several accounts has not chosen one.
    ChooseAccount,
    /// A staff member of a company that requires a second factor has not set one up: only
    /// its setup is open to them.
    SetUpSecondFactor,
}

/// A signed-in portal login, whichever account it acts for.
#[derive(Clone)]
pub struct PortalLogin {
    /// The company.
    pub company: Company,
    /// The login.
    pub login: LoginId,
    /// Its session.
    pub session: Session,
    /// Every account it may act for (at least one).
    pub accounts: Vec<AccountAccess>,
}

/// A signed-in contact acting for one customer account.
#[derive(Clone)]
pub struct SignedInContact {
    /// The company, login, session and accounts.
    pub portal: PortalLogin,
    /// The account acted for now.
    pub active: AccountAccess,
    /// What the authorization rules need to know.
    pub scope: ContactScope,
    /// The actor use cases take.
    pub actor: ContactActor,
}

/// A signed-in member of the office staff.
#[derive(Clone)]
pub struct SignedInStaff {
    /// The company.
    pub company: Company,
    /// The staff member.
    pub staff: StaffUser,
    /// Their session.
    pub session: Session,
    /// The actor use cases take.
    pub actor: StaffActor,
}

/// What a request's session token finds: the session or why none.
type Found<T> = Result<Result<T, NotSignedIn>, AppError>;

impl App {
    /// The live session whose token hashes to `id_hash` at `company`, unused for less than
    /// `idle`; refreshes its last use.
    pub async fn live_session(
        &self,
        company: &Company,
        id_hash: &str,
        idle: time::Duration,
    ) -> Result<Option<Session>, AppError> {
        let now = doorstep_store::now();
        let session = self
            .store
            .live_session(company.id, id_hash, now - idle)
            .await?;
        if let Some(s) = session
            .as_ref()
            .filter(|s| now - s.last_seen_at >= TOUCH_EVERY)
        {
            self.store.touch_session(company.id, &s.id_hash).await?;
        }
        Ok(session)
    }

    /// The portal login of a session, whichever account it acts for.
    pub async fn portal_login(
        &self,
        company: Company,
        id_hash: &str,
        idle: time::Duration,
    ) -> Found<PortalLogin> {
        let now = doorstep_store::now();
        // One query for the session and its accounts.
        let Some((session, accounts)) = self
            .store
            .live_portal_session(company.id, id_hash, now - idle)
            .await?
        else {
            return Ok(Err(NotSignedIn::SignIn));
        };
        let SessionOwner::Login(login) = session.owner else {
            return Ok(Err(NotSignedIn::SignIn));
        };
        if session.two_factor_pending {
            return Ok(Err(NotSignedIn::SecondFactorOwed));
        }
        if now - session.last_seen_at >= TOUCH_EVERY {
            self.store
                .touch_session(company.id, &session.id_hash)
                .await?;
        }
        if accounts.is_empty() {
            return Ok(Err(NotSignedIn::SignIn));
        }
        Ok(Ok(PortalLogin {
            company,
            login,
            session,
            accounts,
        }))
    }

    /// The contact a portal login acts as now: its chosen account, or its only one.
    pub async fn signed_in_contact(
        &self,
        portal: PortalLogin,
        ip: IpAddr,
    ) -> Found<SignedInContact> {
        let chosen = portal
            .session
            .active_customer
            .and_then(|c| portal.accounts.iter().find(|a| a.customer == c))
            .or_else(|| (portal.accounts.len() == 1).then(|| &portal.accounts[0]))
            .cloned();
        let Some(active) = chosen else {
            return Ok(Err(NotSignedIn::ChooseAccount));
        };
        let sites = match active.role {
            ContactRole::Company => Vec::new(),
            ContactRole::Site => {
                self.store
                    .sites_of_contact(portal.company.id, active.contact)
                    .await?
            }
        };
        let scope = ContactScope {
            customer: active.customer,
            role: active.role,
            sites,
        };
        let actor = ContactActor::new(
            portal.company.clone(),
            portal.login,
            active.contact,
            active.customer_name.clone(),
            scope.clone(),
            ip,
        );
        Ok(Ok(SignedInContact {
            portal,
            active,
            scope,
            actor,
        }))
    }

    /// The staff member of a session. With `setting_up` false, a member who owes the
    /// second factor their company requires is refused with
    /// [`NotSignedIn::SetUpSecondFactor`]; only the pages of its setup pass `true`.
    pub async fn signed_in_staff(
        &self,
        company: Company,
        id_hash: &str,
        idle: time::Duration,
        setting_up: bool,
        ip: IpAddr,
    ) -> Found<SignedInStaff> {
        let Some(session) = self.live_session(&company, id_hash, idle).await? else {
            return Ok(Err(NotSignedIn::SignIn));
        };
        let SessionOwner::Staff(id) = session.owner else {
            return Ok(Err(NotSignedIn::SignIn));
        };
        if session.two_factor_pending {
            return Ok(Err(NotSignedIn::SecondFactorOwed));
        }
        let Some(staff) = self.store.staff_by_id(company.id, id).await? else {
            return Ok(Err(NotSignedIn::SignIn));
        };
        if company.settings.require_staff_two_factor
            && !setting_up
            && !self
                .store
                .two_factor(company.id, session.owner)
                .await?
                .enabled
        {
            return Ok(Err(NotSignedIn::SetUpSecondFactor));
        }
        let actor = StaffActor::new(company.clone(), staff.clone(), ip);
        Ok(Ok(SignedInStaff {
            company,
            staff,
            session,
            actor,
        }))
    }
}
