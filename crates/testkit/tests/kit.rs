//! The kit's promises, checked on real engines.

// Test code: a failed step should stop the test where it happened.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use doorstep_testkit::{Backend, both_backends, fresh_database, postgres_server_url};
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};

const CREATE: &str = "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)";
const INSERT: &str = "INSERT INTO note (id, body) VALUES ($1, $2)";
const SELECT: &str = "SELECT body FROM note WHERE id = $1";
/// Counts the table `note` without failing when it is absent.
const HAS_NOTE: &str = "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'note'";
const SQLITE_HAS_NOTE: &str =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'note'";

/// Creates the table, writes a row and reads it back on the given database.
async fn round_trip(backend: Backend, url: &str) -> String {
    match backend {
        Backend::Sqlite => {
            let mut conn = SqliteConnection::connect(url).await.unwrap();
            conn.execute(CREATE).await.unwrap();
            sqlx::query(INSERT)
                .bind(1_i64)
                .bind("hello")
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query_scalar(SELECT)
                .bind(1_i64)
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
        Backend::Postgres => {
            let mut conn = PgConnection::connect(url).await.unwrap();
            conn.execute(CREATE).await.unwrap();
            sqlx::query(INSERT)
                .bind(1_i32)
                .bind("hello")
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query_scalar(SELECT)
                .bind(1_i32)
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
    }
}

async fn has_note_table(backend: Backend, url: &str) -> bool {
    let count: i64 = match backend {
        Backend::Sqlite => {
            let mut conn = SqliteConnection::connect(url).await.unwrap();
            sqlx::query_scalar(SQLITE_HAS_NOTE)
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
        Backend::Postgres => {
            let mut conn = PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar(HAS_NOTE)
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
    };
    count > 0
}

both_backends! {
    /// The simplest thing a migration does works on a fresh database.
    async fn fresh_database_accepts_create_insert_select(backend: Backend) {
        let db = fresh_database(backend).await;
        assert_eq!(round_trip(backend, &db.url).await, "hello");
    }

    /// Tests running side by side never see each other's tables.
    async fn two_fresh_databases_are_distinct(backend: Backend) {
        let first = fresh_database(backend).await;
        let second = fresh_database(backend).await;
        assert_ne!(first.url, second.url);
        round_trip(backend, &first.url).await;
        assert!(has_note_table(backend, &first.url).await);
        assert!(!has_note_table(backend, &second.url).await);
    }

    /// A fn returning a Result makes tests that return it.
    async fn tests_may_return_a_result(backend: Backend) -> Result<(), sqlx::Error> {
        let db = fresh_database(backend).await;
        let url = db.url.clone();
        match backend {
            Backend::Sqlite => SqliteConnection::connect(&url).await?.close().await,
            Backend::Postgres => PgConnection::connect(&url).await?.close().await,
        }
    }
}

#[tokio::test]
async fn sqlite_url_names_a_file_in_a_temp_dir_removed_on_drop() {
    let db = fresh_database(Backend::Sqlite).await;
    let path = db
        .url
        .strip_prefix("sqlite://")
        .unwrap()
        .strip_suffix("?mode=rwc")
        .unwrap();
    let dir = PathBuf::from(path).parent().unwrap().to_owned();
    round_trip(Backend::Sqlite, &db.url).await;
    assert!(PathBuf::from(path).is_file());
    drop(db);
    assert!(!dir.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_database_is_named_for_the_kit_and_dropped_with_it() {
    let db = fresh_database(Backend::Postgres).await;
    let name = db.url.rsplit('/').next().unwrap().to_owned();
    assert!(name.starts_with("doorstep_t_"), "{name}");
    // A pool still open when the TestDb goes must not keep the database alive.
    let mut still_open = PgConnection::connect(&db.url).await.unwrap();
    still_open.execute("SELECT 1").await.unwrap();

    let mut admin = PgConnection::connect(&postgres_server_url().await)
        .await
        .unwrap();
    let exists = "SELECT COUNT(*) FROM pg_database WHERE datname = $1";
    let before: i64 = sqlx::query_scalar(exists)
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    drop(db);
    let after: i64 = sqlx::query_scalar(exists)
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!((before, after), (1, 0));
}

#[tokio::test]
async fn server_url_is_the_same_on_every_call() {
    assert_eq!(postgres_server_url().await, postgres_server_url().await);
}
