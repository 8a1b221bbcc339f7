//! The throwaway PostgreSQL cluster shared by every test process on the machine.
//!
//! cargo-nextest runs each test in its own process, so an in-process cache cannot
//! keep them from each starting a server: an exclusive lock on a file in /tmp does.
//! Everything here blocks; callers run it on tokio's blocking pool.

use std::fs::{self, File, OpenOptions};
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// Constant so that CI and developers know where to find (and stop) it.
const CLUSTER_DIR: &str = "/tmp/doorstep-test-pg";
const DATA_DIR: &str = "/tmp/doorstep-test-pg/data";
const PORT_FILE: &str = "/tmp/doorstep-test-pg/port";
const LOG_FILE: &str = "/tmp/doorstep-test-pg/server.log";
/// Outside the cluster directory, so that wiping the directory cannot race the lock.
const LOCK_FILE: &str = "/tmp/doorstep-test-pg.lock";

const NOT_FOUND: &str = "PostgreSQL server binaries not found: install Debian's `postgresql` \
                         package or set DOORSTEP_TEST_POSTGRES_URL";

/// Returns the admin URL of the shared cluster, starting it if no live one exists.
pub(crate) fn ensure_running() -> String {
    let lock = open_lock();
    // Held until `lock` drops at the end of this function: only one process checks
    // and starts at a time, and a started cluster is never stopped by the kit.
    lock.lock()
        .unwrap_or_else(|e| panic!("cannot lock {LOCK_FILE}: {e}"));
    let tools = Tools::find();
    let port = match live_port(&tools) {
        Some(port) => port,
        None => start(&tools),
    };
    drop(lock);
    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}

fn open_lock() -> File {
    let writable = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(LOCK_FILE);
    // A lock file left by another user may be read-only to us; flock works on it anyway.
    writable
        .or_else(|_| File::open(LOCK_FILE))
        .unwrap_or_else(|e| panic!("cannot open {LOCK_FILE}: {e}"))
}

/// The port of a cluster that is up and answering, if there is one.
fn live_port(tools: &Tools) -> Option<u16> {
    if !Path::new(DATA_DIR).join("postmaster.pid").exists() {
        return None;
    }
    let port: u16 = fs::read_to_string(PORT_FILE).ok()?.trim().parse().ok()?;
    let status = tools.run("pg_ctl", &["status", "-D", DATA_DIR]);
    if !status.status.success() {
        return None;
    }
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    Some(port)
}

/// Wipes whatever is left in the cluster directory and starts a new cluster.
fn start(tools: &Tools) -> u16 {
    if Path::new(DATA_DIR).join("postmaster.pid").exists() {
        // A server that lost its port file or stopped answering: it must go before its
        // data directory does. Failure means it was already gone.
        let _ = tools.run("pg_ctl", &["stop", "-D", DATA_DIR, "-m", "immediate"]);
    }
    match fs::remove_dir_all(CLUSTER_DIR) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => panic!("cannot remove the old test cluster {CLUSTER_DIR}: {e}"),
    }
    fs::create_dir_all(CLUSTER_DIR).unwrap_or_else(|e| panic!("cannot create {CLUSTER_DIR}: {e}"));
    if tools.as_postgres {
        let chown = Command::new("chown")
            .args(["postgres", CLUSTER_DIR])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run chown: {e}"));
        check(&chown, &format!("chown postgres {CLUSTER_DIR}"));
    }

    let initdb = tools.run(
        "initdb",
        &[
            "-D",
            DATA_DIR,
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            // The cluster is disposable; syncing it to disk only costs time.
            "--no-sync",
        ],
    );
    check(&initdb, "initdb");

    // Another process may take the port between our probe and the server's bind.
    let mut last_failure = String::new();
    for _ in 0..3 {
        let port = free_port();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={DATA_DIR} \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
             -c max_connections=300 -c shared_buffers=128MB"
        );
        let started = tools.run(
            "pg_ctl",
            &[
                "start", "-w", "-t", "60", "-D", DATA_DIR, "-l", LOG_FILE, "-o", &options,
            ],
        );
        if started.status.success() {
            write_port(port);
            return port;
        }
        last_failure = describe(&started);
    }
    let log = fs::read_to_string(LOG_FILE).unwrap_or_default();
    panic!(
        "cannot start the test PostgreSQL cluster in {DATA_DIR}: {last_failure}\nserver log:\n{log}"
    );
}

fn write_port(port: u16) {
    // Written whole then renamed, so a reader never sees a half-written number.
    let tmp = format!("{PORT_FILE}.tmp");
    fs::write(&tmp, port.to_string()).unwrap_or_else(|e| panic!("cannot write {tmp}: {e}"));
    fs::rename(&tmp, PORT_FILE).unwrap_or_else(|e| panic!("cannot write {PORT_FILE}: {e}"));
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap_or_else(|e| panic!("cannot bind a probe socket on 127.0.0.1: {e}"));
    listener
        .local_addr()
        .unwrap_or_else(|e| panic!("cannot read the probe socket's port: {e}"))
        .port()
}

fn check(output: &Output, what: &str) {
    if !output.status.success() {
        panic!(
            "{what} failed for the test PostgreSQL cluster: {}",
            describe(output)
        );
    }
}

fn describe(output: &Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout).trim(),
        String::from_utf8_lossy(&output.stderr).trim()
    )
}

/// Where the server binaries are, and whether they must run as the `postgres` user.
struct Tools {
    bindir: PathBuf,
    /// initdb and pg_ctl refuse to run as root, and CI runs as root.
    as_postgres: bool,
}

impl Tools {
    fn find() -> Self {
        let bindir = debian_bindir()
            .or_else(path_bindir)
            .unwrap_or_else(|| panic!("{NOT_FOUND}"));
        Self {
            bindir,
            as_postgres: effective_uid_is_root(),
        }
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let program = self.bindir.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        // The postgres user may not be allowed into the test's working directory.
        command.args(args).current_dir("/").stdin(Stdio::null());
        command
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
    }
}

/// Debian installs each major version side by side; the newest wins.
fn debian_bindir() -> Option<PathBuf> {
    let entries = fs::read_dir("/usr/lib/postgresql").ok()?;
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name();
            let version: Vec<u32> = name
                .to_str()?
                .split('.')
                .map(|part| part.parse().ok())
                .collect::<Option<_>>()?;
            let bindir = entry.path().join("bin");
            has_tools(&bindir).then_some((version, bindir))
        })
        .max()
        .map(|(_, bindir)| bindir)
}

fn path_bindir() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|dir| has_tools(dir))
}

fn has_tools(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("pg_ctl").is_file()
}

/// Reads the effective uid from procfs, which spares a libc dependency.
fn effective_uid_is_root() -> bool {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .is_some_and(|euid| euid == "0")
}
