//! Test support for Doorstep: a fresh, empty database per test on SQLite or on a real
//! PostgreSQL server, and [`both_backends!`] to run one test body on both engines.
//!
//! PostgreSQL comes from `DOORSTEP_TEST_POSTGRES_URL` when set; otherwise the kit starts
//! one throwaway cluster in `/tmp/doorstep-test-pg`, shared by every test process and
//! left running for the next run. Stop it with
//! `runuser -u postgres -- /usr/lib/postgresql/<version>/bin/pg_ctl -D /tmp/doorstep-test-pg/data stop -m fast`
//! (without `runuser -u postgres --` when not root).

// Test support code: a setup failure should stop the test at once, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cluster;
mod macros;
mod postgres;
pub mod smtp;

use tempfile::TempDir;

/// Lets [`both_backends!`] expand to `#[tokio::test]` without callers depending on tokio.
#[doc(hidden)]
pub use tokio as __tokio;

/// Which database engine a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database for one test; dropping it removes the SQLite temp dir.
///
/// Dropping a PostgreSQL one drops the database, so a reused cluster does not fill the disk.
#[derive(Debug)]
pub struct TestDb {
    /// The URL to hand to sqlx or to the app's settings.
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    /// The directory is held only so that it lives as long as the database.
    Sqlite {
        _dir: TempDir,
    },
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            postgres::drop_database(admin_url, name);
        }
    }
}

/// Creates a fresh empty database: SQLite = a new file in a new temp dir, URL `sqlite://<path>?mode=rwc`;
/// Postgres = `CREATE DATABASE doorstep_t_<random hex>` on the shared test server, URL pointing at it.
pub async fn fresh_database(backend: Backend) -> TestDb {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::Builder::new()
                .prefix("doorstep-test-")
                .tempdir()
                .unwrap_or_else(|e| panic!("cannot create a temp dir for a test database: {e}"));
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            TestDb {
                url,
                cleanup: Cleanup::Sqlite { _dir: dir },
            }
        }
        Backend::Postgres => {
            let admin_url = postgres_server_url().await;
            let (url, name) = postgres::create_database(&admin_url).await;
            TestDb {
                url,
                cleanup: Cleanup::Postgres { admin_url, name },
            }
        }
    }
}

/// The admin URL of the shared test PostgreSQL server (starting it if needed).
pub async fn postgres_server_url() -> String {
    postgres::server_url().await
}
