//! The instance's secret key when `DOORSTEP_SECRET_KEY` is unset: read from
//! `{data dir}/secret.key`, or generated there (mode 0600) on first start.

use std::io::Write;
use std::path::{Path, PathBuf};

use doorstep_web::auth::secret_box::SecretKey;

use crate::error::CliError;

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "secret.key";

/// The path of the key file in `data_dir`.
pub fn key_path(data_dir: &Path) -> PathBuf {
    data_dir.join(KEY_FILE)
}

/// Reads the key file of `data_dir`, creating it with a new key when there is none.
pub fn load_or_create(data_dir: &Path) -> Result<SecretKey, CliError> {
    let path = key_path(data_dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => return parse(&path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(CliError::usage(format!(
                "cannot read the secret key {}: {e}",
                path.display()
            )));
        }
    }
    std::fs::create_dir_all(data_dir).map_err(|e| {
        CliError::usage(format!(
            "cannot create the data directory {}: {e}",
            data_dir.display()
        ))
    })?;
    let key = SecretKey::generate();
    match write_new(&path, &key) {
        Ok(()) => {
            tracing::warn!(
                path = %path.display(),
                "DOORSTEP_SECRET_KEY is unset: generated a secret key; back it up with the \
                 database (two-factor secrets cannot be read without it)"
            );
            Ok(key)
        }
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                CliError::usage(format!(
                    "cannot read the secret key {}: {e}",
                    path.display()
                ))
            })?;
            parse(&path, &text)
        }
        Err(e) => Err(CliError::usage(format!(
            "cannot write the secret key {}: {e}",
            path.display()
        ))),
    }
}

fn parse(path: &Path, text: &str) -> Result<SecretKey, CliError> {
    SecretKey::from_hex(text)
        .map_err(|why| CliError::usage(format!("invalid secret key in {}: {why}", path.display())))
}

/// Writes `key` to a file that must not exist yet, readable by its owner only, and
/// flushes it to disk.
fn write_new(path: &Path, key: &SecretKey) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(format!("{}\n", key.to_hex()).as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{key_path, load_or_create};

    #[test]
    fn the_key_file_is_made_once_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let first = load_or_create(&data).unwrap();
        let again = load_or_create(&data).unwrap();
        assert_eq!(first.to_hex(), again.to_hex());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(key_path(&data))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_malformed_key_file_is_one_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(key_path(dir.path()), "not a key").unwrap();
        let err = load_or_create(dir.path()).unwrap_err();
        assert_eq!(err.code, 2);
        assert!(
            err.message.starts_with("invalid secret key in "),
            "{}",
            err.message
        );
    }
}
