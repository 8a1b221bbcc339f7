//! The binary's command line: configuration, subcommands and their errors.

use std::process::{Command, Output, Stdio};

use doorstep_testkit::{Backend, both_backends, fresh_database};
use tokio::io::{AsyncBufReadExt, BufReader};

/// Runs the real binary with `args` in a scratch directory, with no DOORSTEP_* variables.
pub fn doorstep(args: &[&str]) -> Output {
    doorstep_with_env(args, &[])
}

/// Runs the binary with `args` and the given environment additions.
pub fn doorstep_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_doorstep"));
    cmd.args(args).current_dir(dir.path()).stdin(Stdio::null());
    for (key, _) in std::env::vars() {
        if key.starts_with("DOORSTEP_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output().unwrap()
}

fn stderr_line(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected: {err:?}"
    );
    err
}

#[test]
fn an_unknown_subcommand_is_one_line_and_exit_code_2() {
    let out = doorstep(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_line(&out).contains("unrecognized subcommand 'frobnicate'"));
}

#[test]
fn a_malformed_database_url_is_one_line_and_exit_code_2() {
    for url in ["mysql://localhost/db", "not a url", "postgres://u@[bad/x"] {
        let out = doorstep(&["migrate", "--database-url", url]);
        assert_eq!(out.status.code(), Some(2), "{url}");
        let line = stderr_line(&out);
        assert!(line.starts_with("error: "), "{line}");
    }
}

#[test]
fn an_unreachable_database_is_one_line_and_exit_code_2() {
    let out = doorstep(&[
        "migrate",
        "--database-url",
        "postgres://doorstep:secret@127.0.0.1:1/doorstep",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let line = stderr_line(&out);
    assert!(line.contains("cannot reach the database"), "{line}");
    assert!(
        !line.contains("secret"),
        "the password must not be printed: {line}"
    );
    let out = doorstep(&[
        "migrate",
        "--database-url",
        "sqlite:///nonexistent-dir/x/doorstep.db",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_line(&out).contains("cannot reach the database"));
}

#[test]
fn a_busy_port_is_one_line_and_exit_code_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/d.db", dir.path().display());
    let out = doorstep(&[
        "serve",
        "--database-url",
        &db,
        "--bind",
        &format!("127.0.0.1:{port}"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_line(&out).contains(&format!("cannot listen on 127.0.0.1:{port}")));
}

#[test]
fn help_documents_every_setting_and_its_variable() {
    let out = doorstep(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--database-url",
        "DOORSTEP_DATABASE_URL",
        "--bind",
        "DOORSTEP_BIND",
        "DOORSTEP_BASE_DOMAIN",
        "DOORSTEP_DATA_DIR",
        "DOORSTEP_SMTP_URL",
        "serve",
        "demo",
        "migrate",
        "company",
        "backup",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}");
    }
}

#[test]
fn a_flag_wins_over_its_environment_variable() {
    let dir = tempfile::tempdir().unwrap();
    let good = format!("sqlite://{}/d.db", dir.path().display());
    let env = [("DOORSTEP_DATABASE_URL", "mysql://wrong/db")];
    let out = doorstep_with_env(&["migrate"], &env);
    assert_eq!(out.status.code(), Some(2), "the variable is read");
    let out = doorstep_with_env(&["migrate", "--database-url", &good], &env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn company_create_refuses_bad_input_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/d.db", dir.path().display());
    let base = ["company", "create", "--database-url", &db];
    for (extra, expected) in [
        (
            [
                "--slug",
                "Bad Slug",
                "--name",
                "X",
                "--admin-email",
                "a@b.co",
            ],
            "--slug",
        ),
        (
            ["--slug", "office", "--name", "X", "--admin-email", "a@b.co"],
            "reserved",
        ),
        (
            ["--slug", "okay", "--name", " ", "--admin-email", "a@b.co"],
            "--name",
        ),
        (
            [
                "--slug",
                "okay",
                "--name",
                "X",
                "--admin-email",
                "not-an-email",
            ],
            "--admin-email",
        ),
    ] {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        let out = doorstep(&args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(stderr_line(&out).contains(expected), "{extra:?}");
    }
    let ok = [
        "--slug",
        "okay",
        "--name",
        "Okay Co",
        "--admin-email",
        "a@b.co",
    ];
    let args: Vec<&str> = base.iter().chain(ok.iter()).copied().collect();
    assert!(doorstep(&args).status.success());
    let dup = doorstep(&args);
    assert_eq!(dup.status.code(), Some(2));
    assert!(stderr_line(&dup).contains("already exists"));
}

#[test]
fn backup_writes_a_consistent_copy_of_a_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/live.db", dir.path().display());
    let copy = dir.path().join("copy.db");
    let copy = copy.to_str().unwrap();
    let create = [
        "company",
        "create",
        "--database-url",
        &db,
        "--slug",
        "acme",
        "--name",
        "Acme",
        "--admin-email",
        "a@acme.test",
    ];
    assert!(doorstep(&create).status.success());
    let out = doorstep(&["backup", "--database-url", &db, "--to", copy]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = doorstep(&[
        "company",
        "create",
        "--database-url",
        &format!("sqlite://{copy}"),
        "--slug",
        "acme",
        "--name",
        "Acme",
        "--admin-email",
        "a@acme.test",
    ]);
    assert!(
        stderr_line(&check).contains("already exists"),
        "the copy holds acme"
    );
    let again = doorstep(&["backup", "--database-url", &db, "--to", copy]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr_line(&again).contains("already exists"));
    let missing = doorstep(&[
        "backup",
        "--database-url",
        &format!("sqlite://{}/none.db", dir.path().display()),
        "--to",
        "/tmp/x.db",
    ]);
    assert_eq!(missing.status.code(), Some(2));
}

both_backends! {
    async fn migrate_applies_every_migration_and_is_idempotent(backend: Backend) {
        let db = fresh_database(backend).await;
        // Counted from the files, so a new migration does not need this test edited.
        let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../store/migrations/sqlite"))
            .unwrap()
            .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql")))
            .count();
        for _ in 0..2 {
            let out = doorstep(&["migrate", "--database-url", &db.url]);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(stdout.contains(&format!("({shipped} migrations applied)")), "{stdout}");
        }
        if backend == Backend::Postgres {
            let out = doorstep(&["backup", "--database-url", &db.url, "--to", "/tmp/never.db"]);
            assert_eq!(out.status.code(), Some(2));
            assert!(stderr_line(&out).contains("pg_dump"));
        }
    }

    async fn serve_runs_on_either_database_and_stops_on_sigterm(backend: Backend) {
        let db = fresh_database(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_doorstep"))
            .args(["serve", "--database-url", &db.url, "--bind", "127.0.0.1:0", "--metrics-bind", "127.0.0.1:0", "--shutdown-grace-secs", "1"])
            .env("DOORSTEP_DATA_DIR", dir.path())
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines.next_line().await.unwrap().expect("a line");
        let addr = line.strip_prefix("Listening on http://").unwrap_or_else(|| panic!("{line}")).to_owned();
        let ready = reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
        assert_eq!(ready.status(), 200);
        let pid = child.id().unwrap().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait()).await.unwrap().unwrap();
        assert!(status.success(), "graceful exit on SIGTERM: {status:?}");
    }
}

#[test]
fn api_key_create_prints_a_working_key_once_and_refuses_bad_input_writing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/d.db", dir.path().display());
    let create = [
        "company",
        "create",
        "--database-url",
        &db,
        "--slug",
        "acme",
        "--name",
        "Acme",
        "--admin-email",
        "a@acme.test",
    ];
    assert!(doorstep(&create).status.success());
    let base = ["api-key", "create", "--database-url", &db];
    for (extra, expected) in [
        (
            ["--company", "nobody", "--name", "Sync", "--scopes", "read"],
            "no company with slug",
        ),
        (
            [
                "--company",
                "Bad Slug",
                "--name",
                "Sync",
                "--scopes",
                "read",
            ],
            "--company",
        ),
        (
            ["--company", "acme", "--name", " ", "--scopes", "read"],
            "--name",
        ),
        (
            [
                "--company",
                "acme",
                "--name",
                "Sync",
                "--scopes",
                "read,admin",
            ],
            "--scopes",
        ),
    ] {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        let out = doorstep(&args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(stderr_line(&out).contains(expected), "{extra:?}");
        assert!(out.stdout.is_empty(), "{extra:?}");
    }
    let ok = [
        "--company",
        "acme",
        "--name",
        "Sync",
        "--scopes",
        "read,write",
    ];
    let args: Vec<&str> = base.iter().chain(ok.iter()).copied().collect();
    let out = doorstep(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let key = stdout.trim_end();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(doorstep_core::api_keys::looks_like_key(key), "{key}");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = doorstep_store::Store::connect_with(&db, 1).await.unwrap();
        let acme = store.company_by_slug("acme").await.unwrap().unwrap();
        let keys = store.api_keys(acme.id).await.unwrap();
        assert_eq!(keys.len(), 1, "only the good command wrote a key");
        assert_eq!(
            (keys[0].name.as_str(), keys[0].scopes.as_str()),
            ("Sync", "read write")
        );
        assert!(key.starts_with(&keys[0].prefix));
        let stored = store
            .api_key_by_hash(acme.id, &doorstep_web::auth::token::hash_token(key))
            .await
            .unwrap();
        assert!(
            stored.is_some(),
            "only the hash is stored, and it is the printed key's"
        );
        let actions = store.audit_actions(acme.id).await.unwrap();
        assert_eq!(
            actions.iter().filter(|a| *a == "api_key.created").count(),
            1,
            "{actions:?}"
        );
        store.close().await;
    });
}
