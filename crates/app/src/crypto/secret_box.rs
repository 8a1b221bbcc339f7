//! Secrets kept encrypted at rest (the TOTP secrets): ChaCha20-Poly1305 under the
//! instance's key (`DOORSTEP_SECRET_KEY`, or the key file generated into the data
//! directory), a fresh random nonce per value, and what the value belongs to as
//! associated data, so a sealed value copied onto another row does not open there.
//!
//! Stored form: `v1:` then hex of nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes). The
//! version prefix leaves room for another algorithm or key later.

use rand::RngCore;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

/// Bytes of a key.
pub const KEY_BYTES: usize = 32;
/// The prefix of every sealed value.
pub const SEALED_PREFIX: &str = "v1:";

/// The instance's secret key. Never printed (Debug is redacted).
#[derive(Clone)]
pub struct SecretKey([u8; KEY_BYTES]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl SecretKey {
    /// A new key from the OS CSPRNG.
    pub fn generate() -> SecretKey {
        let mut key = [0_u8; KEY_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut key);
        SecretKey(key)
    }

    /// Reads a key written as 64 hex characters (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<SecretKey, String> {
        let text = text.trim();
        let bytes = hex::decode(text).map_err(|_| {
            format!(
                "use {} hex characters ({KEY_BYTES} random bytes, e.g. from `openssl rand -hex {KEY_BYTES}`)",
                KEY_BYTES * 2
            )
        })?;
        let key: [u8; KEY_BYTES] = bytes.try_into().map_err(|b: Vec<u8>| {
            format!(
                "it has {} hex characters; use {} ({KEY_BYTES} random bytes, e.g. from `openssl rand -hex {KEY_BYTES}`)",
                b.len() * 2,
                KEY_BYTES * 2
            )
        })?;
        Ok(SecretKey(key))
    }

    /// The key as 64 hex characters, for the key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn aead(&self) -> Result<LessSafeKey, String> {
        UnboundKey::new(&CHACHA20_POLY1305, &self.0)
            .map(LessSafeKey::new)
            .map_err(|_| "the secret key was refused".to_owned())
    }

    /// A secret derived from the key for `context` (HMAC-SHA256, hex): stable for the
    /// instance, different per context, never stored (the test processor's webhook
    /// signing secret of each company).
    pub fn derive(&self, context: &str) -> String {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &self.0);
        hex::encode(ring::hmac::sign(&key, context.as_bytes()).as_ref())
    }

    /// Encrypts `plain` for the owner named by `context`.
    pub fn seal(&self, plain: &str, context: &str) -> Result<String, String> {
        let mut nonce = [0_u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut data = plain.as_bytes().to_vec();
        self.aead()?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut data,
            )
            .map_err(|_| "encryption failed".to_owned())?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        Ok(format!("{SEALED_PREFIX}{}", hex::encode(out)))
    }

    /// Decrypts a value sealed for `context`; `None` when it is not a sealed value, was
    /// sealed under another key or for another owner, or was altered.
    pub fn open(&self, stored: &str, context: &str) -> Option<String> {
        let bytes = hex::decode(stored.strip_prefix(SEALED_PREFIX)?).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = sealed.to_vec();
        let plain = self
            .aead()
            .ok()?
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut data)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

/// Whether `stored` is a sealed value (rather than a secret written before encryption).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{SecretKey, is_sealed};

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_owner() {
        let key = SecretKey::generate();
        let sealed = key.seal("JBSWY3DPEHPK3PXP", "totp:1:login:7").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(
            sealed,
            key.seal("JBSWY3DPEHPK3PXP", "totp:1:login:7").unwrap(),
            "fresh nonce"
        );
        assert_eq!(
            key.open(&sealed, "totp:1:login:7").as_deref(),
            Some("JBSWY3DPEHPK3PXP")
        );
        assert_eq!(key.open(&sealed, "totp:1:login:8"), None, "another owner");
        assert_eq!(
            SecretKey::generate().open(&sealed, "totp:1:login:7"),
            None,
            "another key"
        );
        let mut altered = sealed.clone();
        altered.pop();
        altered.push(if sealed.ends_with('0') { '1' } else { '0' });
        assert_eq!(key.open(&altered, "totp:1:login:7"), None);
        assert_eq!(key.open("JBSWY3DPEHPK3PXP", "totp:1:login:7"), None);
    }

    #[test]
    fn keys_are_64_hex_characters_and_never_print() {
        let key = SecretKey::generate();
        assert_eq!(
            SecretKey::from_hex(&format!(" {}\n", key.to_hex()))
                .unwrap()
                .to_hex(),
            key.to_hex()
        );
        assert!(SecretKey::from_hex("abc").is_err());
        assert!(
            SecretKey::from_hex(&"0".repeat(62))
                .unwrap_err()
                .contains("62 hex characters")
        );
        assert!(SecretKey::from_hex(&"z".repeat(64)).is_err());
        assert_eq!(format!("{key:?}"), "SecretKey(***)");
    }
}
