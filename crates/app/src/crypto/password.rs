//! Password hashing with argon2id.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::PasswordCost;

fn hasher(cost: PasswordCost) -> Argon2<'static> {
    let params = match cost {
        // OWASP: m=19 MiB, t=2, p=1.
        PasswordCost::Standard => Params::new(19 * 1024, 2, 1, None),
        PasswordCost::TestOnly => Params::new(256, 1, 1, None),
    }
    .unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (`$argon2id$...`) with a fresh random salt.
pub fn hash_password(password: &str, cost: PasswordCost) -> Result<String, String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    hasher(cost)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks a password against a stored PHC string; the parameters come from the string.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{hash_password, verify_password};
    use crate::crypto::PasswordCost;

    #[test]
    fn hashes_are_argon2id_and_verify_only_the_right_password() -> Result<(), String> {
        let hash = hash_password("correct horse battery", PasswordCost::TestOnly)?;
        assert!(hash.starts_with("$argon2id$v=19$m=256,t=1,p=1$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batter", &hash));
        Ok(())
    }

    #[test]
    fn standard_cost_uses_the_owasp_parameters() -> Result<(), String> {
        let hash = hash_password("correct horse battery", PasswordCost::Standard)?;
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        Ok(())
    }
}
