//! Stored files on disk, by random key, outside any web root.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::security::random_hex;

/// The directory files are kept in; names are random keys, never a user's filename.
#[derive(Clone, Debug)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    /// Files live under `{data_dir}/files`.
    pub fn new(data_dir: PathBuf) -> Self {
        FileStore {
            root: data_dir.join("files"),
        }
    }

    /// Writes `bytes` durably and returns their new key: temp file, fsync, rename, so a
    /// crash leaves either the whole file or nothing under the key.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let key = random_hex(16);
        let dir = self.root.join(&key[..2]);
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!(".{key}.tmp"));
        {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, dir.join(&key))?;
        if let Ok(d) = std::fs::File::open(&dir) {
            // Makes the rename itself durable; not every platform allows syncing a directory.
            let _ = d.sync_all();
        }
        Ok(key)
    }

    /// Reads the file of `key`; a key that is not one of ours is simply not found.
    pub async fn read(&self, key: &str) -> std::io::Result<Vec<u8>> {
        let path = self.path_of(key).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "not a storage key")
        })?;
        tokio::fs::read(path).await
    }

    fn path_of(&self, key: &str) -> Option<PathBuf> {
        let valid = key.len() == 32 && key.chars().all(|c| c.is_ascii_hexdigit());
        valid.then(|| self.root.join(&key[..2]).join(key))
    }

    /// The directory holding the files.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

#[cfg(test)]
mod tests {
    use super::FileStore;

    #[tokio::test]
    async fn stored_bytes_come_back_by_key_and_paths_cannot_escape() -> std::io::Result<()> {
        let dir = std::env::temp_dir().join(format!("doorstep-files-{}", super::random_hex(6)));
        let files = FileStore::new(dir.clone());
        let key = files.put(b"hello")?;
        assert_eq!(files.read(&key).await?, b"hello");
        assert!(files.read("../../etc/passwd").await.is_err());
        assert!(
            files
                .read(&key.to_uppercase().replace('A', "/"))
                .await
                .is_err()
        );
        std::fs::remove_dir_all(dir)
    }
}
