//! Secret tokens for links sent by email or printed by the CLI.

use sha2::{Digest, Sha256};

use super::random_hex;

/// A fresh token: 256 bits from the OS CSPRNG, as hex; only its hash is ever stored.
pub fn new_token() -> String {
    random_hex(32)
}

/// The stored form of a token: SHA-256, hex. Tokens carry full entropy, so a fast hash
/// suffices where a password would need argon2.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::{hash_token, new_token};

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(hash_token(&a), a);
        assert_eq!(hash_token(&a), hash_token(&a));
    }
}
