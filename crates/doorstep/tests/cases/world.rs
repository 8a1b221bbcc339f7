//! `World`: the demo data in a fresh database, the application layer over it, and actors
//! signed in the way a request is (a session row, then `doorstep_app::sessions`).

use std::net::{IpAddr, Ipv4Addr};

use doorstep::demo;
use doorstep_app::{App, AppConfig, ContactActor, Links, RequestEvents, SecretKey, StaffActor};
use doorstep_core::ids::LoginId;
use doorstep_store::Store;
use doorstep_store::companies::Company;
use doorstep_store::sessions::{NewSession, SessionOwner};
use doorstep_testkit::{Backend, TestDb, fresh_database};
use doorstep_web::{FileStore, PasswordCost};

/// The demo companies in a fresh database, and the application over them.
pub struct World {
    pub app: App,
    pub store: Store,
    pub acme: Company,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

/// The address actors act from in these tests.
pub const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));

impl World {
    /// Seeds the demo (Acme and Bolt) into a fresh database on `backend`.
    pub async fn demo(backend: Backend) -> World {
        let db = fresh_database(backend).await;
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path().to_path_buf());
        demo::seed(&store, &files, PasswordCost::TestOnly)
            .await
            .unwrap();
        let config = AppConfig {
            links: Links {
                base_domain: "localhost".into(),
                public_port: None,
                https: false,
                single_company: None,
            },
            password_cost: PasswordCost::TestOnly,
            session_idle: time::Duration::hours(8),
            session_lifetime: time::Duration::days(30),
            invite_ttl: time::Duration::days(7),
            reset_ttl: time::Duration::hours(1),
        };
        let app = App::new(
            store.clone(),
            config,
            SecretKey::generate(),
            doorstep_mail::Wake::new(),
            RequestEvents::new(),
        );
        let acme = store.company_by_slug("acme").await.unwrap().unwrap();
        World {
            app,
            store,
            acme,
            _db: db,
            _dir: dir,
        }
    }

    /// The company `slug`, read afresh (settings included).
    pub async fn company(&self, slug: &str) -> Company {
        self.store.company_by_slug(slug).await.unwrap().unwrap()
    }

    /// Opens a session for `owner` at `company`, as signing in does (waiting for the
    /// second factor when `pending`); its token's hash.
    pub async fn session(&self, company: &Company, owner: SessionOwner, pending: bool) -> String {
        let id_hash = format!("{:064x}", rand_u128());
        let mut tx = self.store.begin().await.unwrap();
        tx.create_session(
            company.id,
            &NewSession {
                id_hash: id_hash.clone(),
                owner,
                active_customer: None,
                csrf_secret: "x".into(),
                ip: IP.to_string(),
                user_agent: "cases".into(),
                expires_at: doorstep_store::now() + time::Duration::days(1),
                two_factor_pending: pending,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id_hash
    }

    /// The portal login `email` of `slug`, signed in, acting for its first account.
    pub async fn contact(&self, slug: &str, email: &str) -> ContactActor {
        let company = self.company(slug).await;
        let login = self
            .store
            .login_credentials(company.id, email)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no portal login {email} at {slug}"));
        let hash = self.session(&company, login.owner, false).await;
        let mut portal = self
            .app
            .portal_login(company, &hash, time::Duration::hours(1))
            .await
            .unwrap()
            .unwrap();
        portal.accounts.truncate(1);
        self.app
            .signed_in_contact(portal, IP)
            .await
            .unwrap()
            .unwrap()
            .actor
    }

    /// The staff member `email` of `slug`, signed in.
    pub async fn staff(&self, slug: &str, email: &str) -> StaffActor {
        let company = self.company(slug).await;
        let staff = self
            .store
            .staff_credentials(company.id, email)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no staff member {email} at {slug}"));
        let hash = self.session(&company, staff.owner, false).await;
        self.app
            .signed_in_staff(company, &hash, time::Duration::hours(1), false, IP)
            .await
            .unwrap()
            .unwrap()
            .actor
    }

    /// Dana Whitaker, a company contact of the Whitaker household at Acme.
    pub async fn dana(&self) -> ContactActor {
        self.contact("acme", "dana@example.test").await
    }

    /// Sam Ortega, a site contact at Acme.
    pub async fn sam(&self) -> ContactActor {
        self.contact("acme", "sam@example.test").await
    }

    /// Olivia Park, Acme's administrator.
    pub async fn olivia(&self) -> StaffActor {
        self.staff("acme", "office@acme.test").await
    }

    /// Oscar Reyes, Acme's dispatcher (office role, not an administrator).
    pub async fn oscar(&self) -> StaffActor {
        self.staff("acme", "dispatch@acme.test").await
    }

    /// The number of rows of `table` for all companies: what a refused use case must
    /// leave as it was.
    pub async fn rows(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        doorstep_store::on_pool!(self.store, p => sqlx::query_scalar(&sql).fetch_one(p).await)
            .unwrap()
    }

    /// Counts of the tables every write touches (audit log, outbox) and of `more`: take
    /// one before a refused call and compare after it.
    pub async fn snapshot(&self, more: &[&str]) -> Vec<(String, i64)> {
        let mut tables = vec!["audit_events", "email_outbox"];
        tables.extend_from_slice(more);
        let mut counts = Vec::new();
        for t in tables {
            counts.push((t.to_owned(), self.rows(t).await));
        }
        counts
    }

    /// The latest audit action of `company`.
    pub async fn last_audit(&self, company: &Company) -> (String, String) {
        doorstep_store::on_pool!(self.store, p => sqlx::query_as(
            "SELECT action, actor_label FROM audit_events WHERE company_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(company.id.0).fetch_one(p).await)
        .unwrap()
    }

    /// The kinds and addresses of the emails queued for `company`, oldest first.
    pub async fn emails(&self, company: &Company) -> Vec<(String, String)> {
        doorstep_store::on_pool!(self.store, p => sqlx::query_as(
            "SELECT kind, to_address FROM email_outbox WHERE company_id = $1 ORDER BY id")
            .bind(company.id.0).fetch_all(p).await)
        .unwrap()
    }

    /// The portal login `email` of `company`.
    pub async fn login_of(&self, company: &Company, email: &str) -> LoginId {
        match self
            .store
            .login_credentials(company.id, email)
            .await
            .unwrap()
            .unwrap()
            .owner
        {
            SessionOwner::Login(login) => login,
            SessionOwner::Staff(_) => unreachable!("{email} is a staff member"),
        }
    }

    /// The staff member `email` of `slug`, signed in, with their session's token hash
    /// (setup: viewing the portal as a contact marks the session).
    pub async fn staff_session(&self, slug: &str, email: &str) -> (StaffActor, String) {
        let company = self.company(slug).await;
        let staff = self
            .store
            .staff_credentials(company.id, email)
            .await
            .unwrap()
            .unwrap();
        let hash = self.session(&company, staff.owner, false).await;
        let actor = self
            .app
            .signed_in_staff(company, &hash, time::Duration::hours(1), false, IP)
            .await
            .unwrap()
            .unwrap()
            .actor;
        (actor, hash)
    }

    /// The database's URL, for a server process started on the same data (the
    /// integration suite's webhook test).
    #[allow(dead_code)]
    pub fn db_url(&self) -> &str {
        &self._db.url
    }
}

/// 128 random bits, for session tokens.
fn rand_u128() -> u128 {
    use std::hash::{BuildHasher, Hasher};
    let mut out = 0_u128;
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(out);
        out = (out << 64) | u128::from(h.finish());
    }
    out
}
