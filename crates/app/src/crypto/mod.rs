//! Credentials at rest: password hashing, single-use tokens, sealed secrets.

pub mod password;
pub mod secret_box;
pub mod token;

use rand::RngCore;

/// How expensive password hashing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCost {
    /// OWASP's argon2id recommendation (19 MiB, 2 passes): for real use.
    Standard,
    /// Cheap parameters so test suites stay fast; never for real passwords.
    TestOnly,
}

/// Random bytes as lower-case hex, from the OS-seeded CSPRNG.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0_u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}
