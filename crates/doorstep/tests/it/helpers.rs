//! `TestApp`: the application started for one test.

use std::net::SocketAddr;
use std::path::PathBuf;

use doorstep::app::App;
use doorstep::settings::{Secret, Settings};
use doorstep_store::Store;
use doorstep_testkit::{Backend, TestDb, fresh_database};
use tokio::sync::oneshot;

/// The running application with its own database and data directory.
pub struct TestApp {
    pub addr: SocketAddr,
    /// The operations listener (`/metrics`).
    pub metrics_addr: Option<SocketAddr>,
    pub store: Store,
    pub db: TestDb,
    _data_dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    running: Option<tokio::task::JoinHandle<Result<(), doorstep::error::CliError>>>,
}

/// The settings a test app runs with (cheap password hashing, port 0).
pub fn test_settings(db_url: &str, data_dir: PathBuf) -> Settings {
    Settings {
        database_url: Secret::new(db_url),
        bind: "127.0.0.1:0".parse().unwrap(),
        base_domain: "localhost".into(),
        data_dir,
        smtp_url: None,
        mail_from: "no-reply@localhost".into(),
        invite_ttl: time::Duration::days(7),
        reset_ttl: time::Duration::hours(1),
        https: false,
        public_port: None,
        db_pool_size: 4,
        session_idle: time::Duration::hours(8),
        session_lifetime: time::Duration::days(30),
        secret_key: None,
        metrics_bind: Some("127.0.0.1:0".parse().unwrap()),
        header_timeout: std::time::Duration::from_secs(10),
        max_connections: 512,
        api_rate: Default::default(),
        shutdown_grace: std::time::Duration::from_secs(1),
        insecure_fast_password_hashing: true,
        stripe: Default::default(),
        single_company: None,
    }
}

impl TestApp {
    /// Starts the app on `backend`; the socket is bound before this returns.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with_smtp(backend, None).await
    }

    /// Starts the app sending email to the SMTP server at `smtp_url`.
    pub async fn spawn_with_smtp(backend: Backend, smtp_url: Option<String>) -> TestApp {
        Self::spawn_with(backend, |s| s.smtp_url = smtp_url.map(Secret::new)).await
    }

    /// Starts the app with the test settings changed by `adjust`.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let db = fresh_database(backend).await;
        let data_dir = tempfile::tempdir().unwrap();
        let mut settings = test_settings(&db.url, data_dir.path().to_path_buf());
        adjust(&mut settings);
        let app = App::build(&settings).await.expect("app builds");
        let addr = app.addr();
        let metrics_addr = app.metrics_addr();
        let store = app.state().store.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let running = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        TestApp {
            addr,
            metrics_addr,
            store,
            db,
            _data_dir: data_dir,
            stop: Some(stop),
            running: Some(running),
        }
    }

    /// Signals shutdown (as SIGTERM does) and returns at once; the app keeps running
    /// through its grace period.
    #[allow(dead_code)]
    pub fn begin_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Signals shutdown and waits until the app has stopped (its pool closed), at most
    /// `bound`; answers how long that took.
    #[allow(dead_code)]
    pub async fn shutdown_within(&mut self, bound: std::time::Duration) -> std::time::Duration {
        let started = std::time::Instant::now();
        self.begin_shutdown();
        let running = self.running.take().expect("the app is running");
        tokio::time::timeout(bound, running)
            .await
            .unwrap_or_else(|_| panic!("the app did not stop within {bound:?}"))
            .expect("the app's task")
            .expect("the app stops cleanly");
        started.elapsed()
    }

    /// The app's file store, to put files the way uploads do.
    #[allow(dead_code)]
    pub fn files(&self) -> doorstep_web::FileStore {
        doorstep_web::FileStore::new(self._data_dir.path().to_path_buf())
    }

    /// The app's data directory (uploads, the generated secret key).
    #[allow(dead_code)]
    pub fn data_dir(&self) -> PathBuf {
        self._data_dir.path().to_path_buf()
    }

    /// The URL of `path` on the portal of `slug`.
    pub fn url(&self, slug: &str, path: &str) -> String {
        format!("http://{slug}.localhost:{}{path}", self.addr.port())
    }

    /// A cookie-keeping client that reaches any `*.localhost` name of this app.
    pub fn client(&self, slugs: &[&str]) -> reqwest::Client {
        let mut builder = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none());
        for slug in slugs {
            builder = builder.resolve(&format!("{slug}.localhost"), self.addr);
        }
        builder.build().unwrap()
    }

    /// GETs `/metrics` from the operations listener.
    #[allow(dead_code)]
    pub async fn metrics(&self) -> reqwest::Response {
        let at = self.metrics_addr.expect("the test app serves metrics");
        reqwest::get(format!("http://{at}/metrics")).await.unwrap()
    }

    /// GETs `path` with an arbitrary `Host` header.
    pub async fn get_with_host(&self, host: &str, path: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(format!("http://{}{path}", self.addr))
            .header(reqwest::header::HOST, host)
            .send()
            .await
            .unwrap()
    }

    /// Creates a company the way the CLI does, with an admin; returns its id.
    pub async fn create_company(&self, slug: &str, name: &str) -> doorstep_core::ids::CompanyId {
        let mut tx = self.store.begin().await.unwrap();
        let id = tx
            .create_company(&doorstep_store::companies::NewCompany {
                slug: slug.into(),
                name: name.into(),
                email: format!("hello@{slug}.test"),
                phone: "(555) 010-1000".into(),
                address_line1: "1 Main Street".into(),
                city: "Springfield".into(),
                region: "IL".into(),
                postal_code: "62701".into(),
                currency: "USD".into(),
                brand_primary: "#0b5cad".into(),
                brand_accent: "#f5a623".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        id
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Parses an HTML body for CSS-selector assertions.
pub fn html(body: &str) -> scraper::Html {
    scraper::Html::parse_document(body)
}

/// The text of the first element matching `selector`, trimmed.
pub fn text_of(doc: &scraper::Html, selector: &str) -> Option<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel)
        .next()
        .map(|e| e.text().collect::<String>().trim().to_owned())
}

/// GETs `page` and returns the CSRF token of its forms.
pub async fn csrf_of(client: &reqwest::Client, page: &str) -> String {
    let body = client.get(page).send().await.unwrap().text().await.unwrap();
    let doc = html(&body);
    let sel = scraper::Selector::parse("input[name=csrf_token]").unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or_else(|| panic!("no csrf_token on {page}"))
        .to_owned()
}

impl TestApp {
    /// The origin of a company's portal, as browsers send it.
    pub fn origin(&self, slug: &str) -> String {
        format!("http://{slug}.localhost:{}", self.addr.port())
    }

    /// Posts a form the way a browser would from this site: token fetched from `page`,
    /// same-site Origin header.
    pub async fn submit(
        &self,
        client: &reqwest::Client,
        slug: &str,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = csrf_of(client, &self.url(slug, page)).await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &token));
        client
            .post(self.url(slug, action))
            .header("origin", self.origin(slug))
            .form(&form)
            .send()
            .await
            .unwrap()
    }
}

/// The people of a small company, for sign-in and access tests.
#[allow(dead_code)]
pub struct People {
    pub acme: doorstep_core::ids::CompanyId,
    pub household: doorstep_core::ids::CustomerId,
    pub harbor: doorstep_core::ids::CustomerId,
    pub dana: doorstep_core::ids::LoginId,
    pub sam: doorstep_core::ids::LoginId,
}

/// Every fixture password.
pub const PASSWORD: &str = "correct horse battery";

/// Creates Acme with: Dana, a company contact on two accounts (household, Harbor);
/// Sam, a site contact of Harbor's Bayview site only; an office admin; and Bolt with
/// its own Dana (another password).
pub async fn seed_people(app: &TestApp) -> People {
    use doorstep_core::status::{ContactRole, StaffRole};
    use doorstep_store::contacts::NewContact;
    use doorstep_store::customers::{NewCustomer, NewSite};
    use doorstep_web::PasswordCost;
    use doorstep_web::auth::password::hash_password;

    let hash = hash_password(PASSWORD, PasswordCost::TestOnly).unwrap();
    let acme = app.create_company("acme", "Acme Plumbing & Heating").await;
    let bolt = app.create_company("bolt", "Bolt Electric").await;
    let mut tx = app.store.begin().await.unwrap();
    tx.create_staff(
        acme,
        "office@acme.test",
        "Olivia Park",
        StaffRole::Admin,
        Some(&hash),
    )
    .await
    .unwrap();
    let household = tx
        .insert_customer(
            acme,
            &NewCustomer {
                number: "C-1".into(),
                name: "Dana Whitaker".into(),
                billing_line1: "14 Elm Street".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let harbor = tx
        .insert_customer(
            acme,
            &NewCustomer {
                number: "C-2".into(),
                name: "Harbor Property Co.".into(),
                kind: "commercial".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    tx.insert_site(
        acme,
        &NewSite {
            customer: Some(household),
            name: "Home".into(),
            line1: "14 Elm Street".into(),
            city: "Springfield".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let bayview = tx
        .insert_site(
            acme,
            &NewSite {
                customer: Some(harbor),
                name: "Bayview Apartments".into(),
                line1: "45 Bayview Road".into(),
                city: "Springfield".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    tx.insert_site(
        acme,
        &NewSite {
            customer: Some(harbor),
            name: "Pier Offices".into(),
            line1: "9 Pier Street".into(),
            city: "Springfield".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let dana = tx
        .insert_login(acme, "dana@example.test", Some(&hash))
        .await
        .unwrap();
    let sam = tx
        .insert_login(acme, "sam@example.test", Some(&hash))
        .await
        .unwrap();
    let contact = |customer, login, first: &str, role| NewContact {
        customer,
        login: Some(login),
        first_name: first.into(),
        last_name: "X".into(),
        email: Some(format!("{}@example.test", first.to_lowercase())),
        phone: String::new(),
        role,
        is_primary: false,
        is_billing: false,
        portal_enabled: true,
    };
    tx.insert_contact(
        acme,
        &contact(household, dana, "Dana", ContactRole::Company),
    )
    .await
    .unwrap();
    tx.insert_contact(acme, &contact(harbor, dana, "Dana", ContactRole::Company))
        .await
        .unwrap();
    let sam_contact = tx
        .insert_contact(acme, &contact(harbor, sam, "Sam", ContactRole::Site))
        .await
        .unwrap();
    tx.add_contact_site(acme, sam_contact, bayview)
        .await
        .unwrap();
    let other_hash = hash_password("bolt only password", PasswordCost::TestOnly).unwrap();
    let bolt_customer = tx
        .insert_customer(
            bolt,
            &NewCustomer {
                number: "B-1".into(),
                name: "Dana at Bolt".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let bolt_dana = tx
        .insert_login(bolt, "dana@example.test", Some(&other_hash))
        .await
        .unwrap();
    tx.insert_contact(
        bolt,
        &contact(bolt_customer, bolt_dana, "Dana", ContactRole::Company),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    People {
        acme,
        household,
        harbor,
        dana,
        sam,
    }
}

/// Signs `email` in at `slug`'s portal with the fixture password.
pub async fn sign_in(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    email: &str,
) -> reqwest::Response {
    app.submit(
        client,
        slug,
        "/sign-in",
        "/sign-in",
        &[("email", email), ("password", PASSWORD)],
    )
    .await
}

/// A multipart body as a browser sends it: text `fields`, then `files` (name, bytes) in the
/// file input `file_field`; the content type with its boundary, and the body.
pub fn multipart_body(
    fields: &[(&str, &str)],
    file_field: &str,
    files: &[(&str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "----doorstepTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (filename, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A client signed in to acme's office as its administrator.
pub async fn office(app: &TestApp) -> reqwest::Client {
    let client = app.client(&["acme"]);
    let res = app
        .submit(
            &client,
            "acme",
            "/office",
            "/office/sign-in",
            &[("email", "office@acme.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    client
}

/// Another node: `doorstep serve` on `db_url` with the data directory `dir` (so the same
/// secret key, sessions and kept files); its address. Killed when dropped.
#[allow(dead_code)]
pub async fn serve_node(
    db_url: &str,
    dir: &std::path::Path,
) -> (tokio::process::Child, SocketAddr) {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_doorstep"))
        .args([
            "serve",
            "--database-url",
            db_url,
            "--bind",
            "127.0.0.1:0",
            "--metrics-bind",
            "off",
        ])
        .env("DOORSTEP_DATA_DIR", dir)
        .env("DOORSTEP_LOG", "warn")
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().expect("a line");
    let addr = line
        .strip_prefix("Listening on http://")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|a| a.trim_end_matches('/').parse::<SocketAddr>().ok())
        .unwrap_or_else(|| panic!("{line}"));
    (child, addr)
}
