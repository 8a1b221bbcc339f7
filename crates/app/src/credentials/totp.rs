//! The second factor's codes: TOTP codes as authenticator apps make them (RFC 6238:
//! SHA-1, six digits, 30-second steps), single-use recovery codes, and the sealing of
//! secrets to their owner.

use doorstep_core::ids::CompanyId;
use doorstep_store::sessions::SessionOwner;
use rand::Rng;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::SecretKey;

/// Seconds per TOTP step.
pub const STEP: u64 = 30;
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

/// Seals a base32 secret of `owner` for storing.
pub fn seal_secret(
    key: &SecretKey,
    company: CompanyId,
    owner: SessionOwner,
    secret: &str,
) -> Result<String, String> {
    key.seal(secret, &secret_context(company, owner))
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
    fn a_sealed_secret_opens_only_for_its_owner() {
        let key = SecretKey::generate();
        let owner = SessionOwner::Login(doorstep_core::ids::LoginId(7));
        let sealed = seal_secret(&key, CompanyId(1), owner, "JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(
            open_secret(&key, CompanyId(1), owner, &sealed).as_deref(),
            Some("JBSWY3DPEHPK3PXP")
        );
        let other = SessionOwner::Staff(doorstep_core::ids::StaffUserId(7));
        assert_eq!(open_secret(&key, CompanyId(1), other, &sealed), None);
    }
}
