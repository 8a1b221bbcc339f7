//! Fresh databases on the shared PostgreSQL server.

use std::time::Duration;

use sqlx::{Connection, Executor, PgConnection};
use tokio::sync::OnceCell;
use url::Url;

use crate::cluster;

/// Set it to use an existing server instead of the kit's own throwaway cluster.
const URL_ENV: &str = "DOORSTEP_TEST_POSTGRES_URL";

/// Concurrent test processes collide on `CREATE DATABASE` and on connection slots
/// for a moment; a few tries with a growing pause get past that.
const TRIES: u32 = 8;

static SERVER_URL: OnceCell<String> = OnceCell::const_new();

pub(crate) async fn server_url() -> String {
    SERVER_URL
        .get_or_init(|| async {
            match std::env::var(URL_ENV) {
                Ok(url) if !url.trim().is_empty() => url.trim().to_owned(),
                _ => match tokio::task::spawn_blocking(cluster::ensure_running).await {
                    Ok(url) => url,
                    // Re-raise so the test shows the cluster's own message.
                    Err(e) => match e.try_into_panic() {
                        Ok(payload) => std::panic::resume_unwind(payload),
                        Err(e) => panic!("starting the test PostgreSQL cluster was cancelled: {e}"),
                    },
                },
            }
        })
        .await
        .clone()
}

/// Creates an empty database and returns (its URL, its name).
pub(crate) async fn create_database(admin_url: &str) -> (String, String) {
    let name = format!("doorstep_t_{:016x}", rand::random::<u64>());
    // template0 is never connected to, so concurrent creations cannot find it busy
    // (template1 can be, with "being accessed by other users").
    let sql = format!("CREATE DATABASE {name} TEMPLATE template0");
    let mut last_error = String::new();
    for attempt in 0..TRIES {
        if attempt > 0 {
            pause(attempt).await;
        }
        let mut conn = match PgConnection::connect(admin_url).await {
            Ok(conn) => conn,
            Err(e) => {
                last_error = format!("cannot connect to {}: {e}", redacted(admin_url));
                continue;
            }
        };
        let created = conn.execute(sql.as_str()).await;
        let _ = conn.close().await;
        match created {
            Ok(_) => return (database_url(admin_url, &name), name),
            Err(e) => last_error = format!("{sql} failed: {e}"),
        }
    }
    let server = redacted(admin_url);
    panic!("cannot create a test database on {server} after {TRIES} tries: {last_error}");
}

/// Drops a test database, best effort: it runs in `Drop`, possibly while a failed
/// test unwinds, so it must neither panic nor need the test's runtime.
pub(crate) fn drop_database(admin_url: &str, name: &str) {
    let admin_url = admin_url.to_owned();
    let name = name.to_owned();
    let worker = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async {
            let Ok(mut conn) = PgConnection::connect(&admin_url).await else {
                return;
            };
            // FORCE ends connections a test's pool still holds; servers before 13 lack it.
            let forced = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            if conn.execute(forced.as_str()).await.is_err() {
                let plain = format!("DROP DATABASE IF EXISTS {name}");
                let _ = conn.execute(plain.as_str()).await;
            }
            let _ = conn.close().await;
        });
    });
    let _ = worker.join();
}

fn database_url(admin_url: &str, name: &str) -> String {
    let mut url = Url::parse(admin_url)
        .unwrap_or_else(|e| panic!("the PostgreSQL server URL {URL_ENV} gave is invalid: {e}"));
    url.set_path(&format!("/{name}"));
    url.into()
}

/// The URL without its password, for messages that end up in CI logs.
fn redacted(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.into()
        }
        Err(_) => "<unparsable URL>".to_owned(),
    }
}

async fn pause(attempt: u32) {
    // Jitter keeps processes that collided once from colliding again in lockstep.
    let jitter = rand::random::<u64>() % 50;
    let millis = 50 * u64::from(attempt) + jitter;
    tokio::time::sleep(Duration::from_millis(millis)).await;
}
