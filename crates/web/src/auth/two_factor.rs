//! The second factor: TOTP codes as authenticator apps make them (RFC 6238: SHA-1, six
//! digits, 30-second steps) and single-use recovery codes.

use doorstep_core::ids::CompanyId;
use doorstep_store::Store;
use doorstep_store::sessions::SessionOwner;
use rand::Rng;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::auth::secret_box::{SEALED_PREFIX, SecretKey};
use crate::{AppState, WebError};

/// Seconds per TOTP step.
const STEP: u64 = 30;
/// Recovery codes issued at a time.
pub const RECOVERY_CODES: usize = 10;
/// Letters of recovery codes: no 0/o, 1/l/i to misread.
const CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A new random secret (160 bits, as RFC 4226 recommends), base32 encoded.
pub fn new_secret() -> String {
    let bytes: [u8; 20] = rand::thread_rng().r#gen();
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => String::new(),
    }
}

/// What a sealed TOTP secret belongs to (its associated data): a sealed secret copied
/// onto another person's row does not open there.
pub fn secret_context(company: CompanyId, owner: SessionOwner) -> String {
    match owner {
        SessionOwner::Staff(s) => format!("totp:{}:staff:{}", company.0, s.0),
        SessionOwner::Login(l) => format!("totp:{}:login:{}", company.0, l.0),
    }
}

/// Seals a new base32 secret of `owner` for storing.
pub fn seal_secret(
    key: &SecretKey,
    company: CompanyId,
    owner: SessionOwner,
    secret: &str,
) -> Result<String, WebError> {
    key.seal(secret, &secret_context(company, owner))
        .map_err(WebError::internal)
}

/// The base32 secret of `owner` from its stored form; `None` (logged) when it does not
/// open with this instance's key.
pub fn open_secret(
    key: &SecretKey,
    company: CompanyId,
    owner: SessionOwner,
    stored: &str,
) -> Option<String> {
    let plain = key.open(stored, &secret_context(company, owner));
    if plain.is_none() {
        tracing::error!(
            company = company.0,
            "a stored TOTP secret does not open with this instance's secret key \
             (DOORSTEP_SECRET_KEY or the data directory's secret.key changed?)"
        );
    }
    plain
}

/// Seals every TOTP secret still stored as plain text (written before secrets were
/// encrypted); run at start, before serving. Returns how many were sealed.
pub async fn seal_plain_secrets(store: &Store, key: &SecretKey) -> Result<usize, WebError> {
    let plain = store.totp_secrets_without_prefix(SEALED_PREFIX).await?;
    let mut sealed = 0;
    for row in plain {
        let new = seal_secret(key, row.company, row.owner, &row.stored)?;
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

fn totp(secret: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 0, STEP, bytes).ok()
}

/// The code `secret` gives at `at` (for tests and for showing what an app would show).
pub fn code_at(secret: &str, at: OffsetDateTime) -> Option<String> {
    let unix = u64::try_from(at.unix_timestamp()).ok()?;
    Some(totp(secret)?.generate(unix))
}

/// The time step `code` belongs to, if it is right for `at` or one step either side
/// (clocks of phones drift).
pub fn matching_step(secret: &str, code: &str, at: OffsetDateTime) -> Option<i64> {
    let totp = totp(secret)?;
    let now_step = at.unix_timestamp() / STEP as i64;
    [now_step - 1, now_step, now_step + 1]
        .into_iter()
        .find(|step| {
            u64::try_from(*step)
                .map(|s| totp.check(code, s * STEP))
                .unwrap_or(false)
        })
}

/// The `otpauth://` address authenticator apps read from the QR code.
pub fn otpauth_url(issuer: &str, account: &str, secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let label = format!("{issuer}:{account}");
    format!(
        "otpauth://totp/{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period={STEP}",
        enc(&label).replace('+', "%20"),
        enc(issuer).replace('+', "%20"),
    )
}

/// The QR code of `text` as an SVG element to place in a page.
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build();
            // The XML declaration is for standalone files, not for HTML.
            match svg.find("<svg") {
                Some(i) => svg[i..].to_owned(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

/// A fresh set of recovery codes, formatted `xxxxx-xxxxx` for reading aloud.
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::thread_rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut s: String = (0..10)
                .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
                .collect();
            s.insert(5, '-');
            s
        })
        .collect()
}

/// The stored form of a recovery code: 50 random bits, so a plain SHA-256 suffices; the
/// input is forgiving about case, spaces and dashes.
pub fn hash_recovery_code(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

/// What a typed second factor turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    /// A current authenticator code, now used up.
    Totp,
    /// A recovery code, now used up.
    RecoveryCode,
    /// Neither (wrong, replayed or already used).
    Wrong,
    /// Too many wrong codes: try again after this time.
    Throttled(OffsetDateTime),
}

/// The audit word for a factor.
impl SecondFactor {
    /// How the audit log names it.
    pub fn label(self) -> &'static str {
        match self {
            SecondFactor::Totp => "totp",
            SecondFactor::RecoveryCode => "recovery_code",
            SecondFactor::Wrong => "wrong",
            SecondFactor::Throttled(_) => "throttled",
        }
    }
}

fn throttle_key(owner: SessionOwner) -> String {
    match owner {
        SessionOwner::Staff(s) => format!("2fa:staff:{}", s.0),
        SessionOwner::Login(l) => format!("2fa:login:{}", l.0),
    }
}

/// Checks `input` as a TOTP code or, failing that, a recovery code of `owner`, using it
/// up. Every code is counted against the same decaying throttle as passwords *before* it
/// is checked (atomically, so parallel codes never get more checks than the throttle
/// allows); a right one clears the count.
pub async fn check_second_factor(
    state: &AppState,
    company: CompanyId,
    owner: SessionOwner,
    input: &str,
) -> Result<SecondFactor, WebError> {
    let key = throttle_key(owner);
    let mut tx = state.store.begin().await?;
    let blocked = tx.claim_sign_in_attempt(company, &[&key]).await?;
    tx.commit().await?;
    if let Some(until) = blocked {
        return Ok(SecondFactor::Throttled(until));
    }
    let tf = state.store.two_factor(company, owner).await?;
    let secret = tf
        .secret
        .as_deref()
        .and_then(|stored| open_secret(&state.secret_key, company, owner, stored));
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let mut tx = state.store.begin().await?;
    let outcome = match secret.as_deref() {
        Some(secret) if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) => {
            match matching_step(secret, &digits, doorstep_store::now()) {
                Some(step) if tx.accept_totp_step(company, owner, step).await? => {
                    SecondFactor::Totp
                }
                _ => SecondFactor::Wrong,
            }
        }
        // Recovery codes work even if the secret no longer opens (a lost key).
        _ if tf.secret.is_some() && tf.enabled && !input.trim().is_empty() => {
            if tx
                .use_recovery_code(company, owner, &hash_recovery_code(input))
                .await?
            {
                SecondFactor::RecoveryCode
            } else {
                SecondFactor::Wrong
            }
        }
        _ => SecondFactor::Wrong,
    };
    if outcome != SecondFactor::Wrong {
        tx.clear_sign_in_failures(company, &key).await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn codes_match_the_rfc_6238_test_vector() {
        // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s → 94287082 (8
        // digits); the six-digit code is its last six digits.
        let secret = match Secret::Raw(b"12345678901234567890".to_vec()).to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => unreachable!(),
        };
        let at = OffsetDateTime::from_unix_timestamp(59).unwrap();
        assert_eq!(code_at(&secret, at).as_deref(), Some("287082"));
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_not_beyond() {
        let secret = new_secret();
        let at = datetime!(2026-11-23 10:00:15 UTC);
        let code = code_at(&secret, at).unwrap();
        let step = at.unix_timestamp() / 30;
        assert_eq!(matching_step(&secret, &code, at), Some(step));
        assert_eq!(
            matching_step(&secret, &code, at + time::Duration::seconds(30)),
            Some(step)
        );
        assert_eq!(
            matching_step(&secret, &code, at + time::Duration::seconds(90)),
            None
        );
        assert_eq!(matching_step(&secret, "000000x", at), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_forgivingly() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let c = &codes[0];
        assert_eq!(c.len(), 11);
        assert_eq!(
            hash_recovery_code(c),
            hash_recovery_code(&format!(" {} ", c.to_uppercase().replace('-', " ")))
        );
        assert_ne!(hash_recovery_code(c), hash_recovery_code(&codes[1]));
    }

    #[test]
    fn the_otpauth_address_names_issuer_and_account() {
        let url = otpauth_url("Acme Plumbing & Heating", "dana@example.test", "ABC");
        assert!(url.starts_with("otpauth://totp/Acme%20Plumbing%20%26%20Heating%3Adana%40example.test?secret=ABC&issuer=Acme%20Plumbing%20%26%20Heating"), "{url}");
        let svg = qr_svg(&url);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
