//! Single-use tokens (invitations, resets, sign-in links, setup links), kept only as hashes.
//!
//! Revocation rules (issue 14, point 6): issuing a token of a purpose revokes the owner's
//! older unused tokens of that purpose; using any token of a login, or changing its
//! password ([`Tx::revoke_login_links`], called by `set_login_password`), revokes all its
//! outstanding invitation, reset and sign-in links. A revoked token is marked used, in the
//! same transaction as the change, so no later request can use it.

use doorstep_core::ids::{CompanyId, LoginId, StaffUserId};
use time::OffsetDateTime;

use crate::insert::Val;
use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// What a token is for; a token of one purpose never works for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Invitation of a contact to the portal.
    Invite,
    /// Password reset.
    Reset,
    /// Passwordless sign-in link.
    SignInLink,
    /// Email address verification.
    VerifyEmail,
    /// First password of a new staff member.
    StaffSetup,
}

impl TokenPurpose {
    fn as_str(&self) -> &'static str {
        match self {
            TokenPurpose::Invite => "invite",
            TokenPurpose::Reset => "reset",
            TokenPurpose::SignInLink => "sign_in_link",
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::StaffSetup => "staff_setup",
        }
    }
}

/// The links that can set a login's password or sign it in: what a use of any link, or a
/// password change, revokes.
const LOGIN_LINKS: [TokenPurpose; 3] = [
    TokenPurpose::Invite,
    TokenPurpose::Reset,
    TokenPurpose::SignInLink,
];

/// Whose token it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOwner {
    /// A staff member.
    Staff(StaffUserId),
    /// A portal login.
    Login(LoginId),
}

#[derive(sqlx::FromRow)]
struct OwnerRow {
    staff_user_id: Option<i64>,
    login_id: Option<i64>,
}

impl OwnerRow {
    fn owner(self) -> Option<TokenOwner> {
        match (self.staff_user_id, self.login_id) {
            (Some(s), None) => Some(TokenOwner::Staff(StaffUserId(s))),
            (None, Some(l)) => Some(TokenOwner::Login(LoginId(l))),
            _ => None,
        }
    }
}

impl Store {
    /// Whose unexpired, unused token of `purpose` this hash is, without using it up.
    pub async fn peek_token(
        &self,
        company: CompanyId,
        token_hash: &str,
        purpose: TokenPurpose,
    ) -> Result<Option<TokenOwner>, StoreError> {
        let row: Option<OwnerRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT staff_user_id, login_id FROM auth_tokens WHERE company_id = $1 AND token_hash = $2 \
             AND purpose = $3 AND used_at IS NULL AND expires_at > $4")
            .bind(company.0).bind(token_hash).bind(purpose.as_str()).bind(db_time(now()))
            .fetch_optional(p).await)?;
        Ok(row.and_then(OwnerRow::owner))
    }
}

impl Tx {
    /// Stores a token's hash for `owner`, valid until `expires_at`.
    pub async fn create_token(
        &mut self,
        company: CompanyId,
        token_hash: &str,
        purpose: TokenPurpose,
        owner: TokenOwner,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (staff, login) = match owner {
            TokenOwner::Staff(s) => (Some(s.0), None),
            TokenOwner::Login(l) => (None, Some(l.0)),
        };
        // A new link of a kind replaces the older ones of that kind.
        self.revoke_tokens(company, owner, &[purpose]).await?;
        self.insert_row(
            "auth_tokens",
            company.0,
            &[
                ("token_hash", token_hash.into()),
                ("purpose", purpose.as_str().into()),
                ("staff_user_id", Val::Int(staff)),
                ("login_id", Val::Int(login)),
                ("expires_at", expires_at.into()),
                ("created_at", now().into()),
            ],
            true,
        )
        .await?;
        Ok(())
    }

    /// Uses a token up: answers its owner once, and never again (atomically, so two
    /// concurrent uses cannot both succeed).
    pub async fn consume_token(
        &mut self,
        company: CompanyId,
        token_hash: &str,
        purpose: TokenPurpose,
    ) -> Result<Option<TokenOwner>, StoreError> {
        let at = db_time(now());
        let row: Option<OwnerRow> = on_tx!(self, c => sqlx::query_as(
            "UPDATE auth_tokens SET used_at = $4 WHERE company_id = $1 AND token_hash = $2 \
             AND purpose = $3 AND used_at IS NULL AND expires_at > $4 RETURNING staff_user_id, login_id")
            .bind(company.0).bind(token_hash).bind(purpose.as_str()).bind(at)
            .fetch_optional(&mut *c).await)?;
        let owner = row.and_then(OwnerRow::owner);
        // Using any link of a login revokes its other outstanding links.
        if let Some(TokenOwner::Login(login)) = owner {
            self.revoke_login_links(company, login).await?;
        }
        Ok(owner)
    }

    /// Revokes every outstanding invitation, reset and sign-in link of `login` (after
    /// one was used, or its password changed).
    pub async fn revoke_login_links(
        &mut self,
        company: CompanyId,
        login: LoginId,
    ) -> Result<u64, StoreError> {
        self.revoke_tokens(company, TokenOwner::Login(login), &LOGIN_LINKS)
            .await
    }

    /// Marks every unused token of `owner` with one of `purposes` used, now.
    async fn revoke_tokens(
        &mut self,
        company: CompanyId,
        owner: TokenOwner,
        purposes: &[TokenPurpose],
    ) -> Result<u64, StoreError> {
        let (column, id) = match owner {
            TokenOwner::Staff(s) => ("staff_user_id", s.0),
            TokenOwner::Login(l) => ("login_id", l.0),
        };
        let list = (0..purposes.len())
            .map(|i| format!("${}", i + 4))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE auth_tokens SET used_at = $3 WHERE company_id = $1 AND {column} = $2 \
             AND used_at IS NULL AND purpose IN ({list})"
        );
        let at = db_time(now());
        let n = on_tx!(self, c => {
            let mut q = sqlx::query(&sql).bind(company.0).bind(id).bind(at);
            for p in purposes {
                q = q.bind(p.as_str());
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
        Ok(n)
    }
}
