//! Building the application: database, state, listener; then serving until told to stop.

use std::net::SocketAddr;

use doorstep_store::Store;
use doorstep_web::AppState;
use tokio::net::TcpListener;

use crate::error::CliError;
use crate::settings::{Secret, Settings, redact};

/// A ready-to-serve application: its socket is already bound, so tests can read the
/// port and talk to it at once, with no sleeping or polling.
pub struct App {
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    state: AppState,
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    mail: Option<doorstep_mail::SmtpSender>,
    serve: doorstep_web::ServeOptions,
    reminder_clock: ReminderClock,
    webhook_pace: doorstep_app::webhooks::worker::Pace,
}

/// Connects to the configured database and applies pending migrations.
pub async fn connect_and_migrate(settings: &Settings) -> Result<Store, CliError> {
    let url = settings.database_url.expose();
    let store = Store::connect_with(url, settings.db_pool_size)
        .await
        .map_err(|e| CliError::usage(format!("{} ({})", e, redact(url))))?;
    store.migrate().await?;
    Ok(store)
}

impl App {
    /// Connects, migrates and binds.
    pub async fn build(settings: &Settings) -> Result<App, CliError> {
        let store = connect_and_migrate(settings).await?;
        Self::build_with_store(settings, store).await
    }

    /// Binds the listener for an already opened store.
    pub async fn build_with_store(settings: &Settings, store: Store) -> Result<App, CliError> {
        // The company may be created after the server starts: until then the bare host
        // answers "no portal" as it would without the setting.
        if let Some(slug) = &settings.single_company
            && store.company_by_slug(slug.as_str()).await?.is_none()
        {
            tracing::warn!(%slug, "--single-company names no company yet; create it with doorstep company create");
        }
        let listener = TcpListener::bind(settings.bind)
            .await
            .map_err(|e| CliError::usage(format!("cannot listen on {}: {e}", settings.bind)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| CliError::failed(e.to_string()))?;
        // /metrics shows every company's traffic: it has its own listener, never a
        // company's host.
        let metrics_listener = match settings.metrics_bind {
            Some(bind) => Some(TcpListener::bind(bind).await.map_err(|e| {
                CliError::usage(format!(
                    "cannot listen on {bind} for metrics: {e} (set --metrics-bind to another ADDRESS:PORT, or off)"
                ))
            })?),
            None => None,
        };
        let metrics_addr = match &metrics_listener {
            Some(l) => Some(
                l.local_addr()
                    .map_err(|e| CliError::failed(e.to_string()))?,
            ),
            None => None,
        };
        if let Some(at) = metrics_addr {
            tracing::info!(%at, "metrics served on http://{at}/metrics");
        }
        let mail = match &settings.smtp_url {
            Some(url) => {
                let config = doorstep_mail::SmtpConfig::parse(url.expose(), &settings.mail_from)
                    .map_err(|e| CliError::usage(e.to_string()))?;
                tracing::info!(smtp = %config.describe(), "email is sent by SMTP");
                Some(
                    doorstep_mail::SmtpSender::new(&config)
                        .map_err(|e| CliError::usage(e.to_string()))?,
                )
            }
            None => {
                tracing::info!("no DOORSTEP_SMTP_URL: emails stay in the outbox");
                None
            }
        };
        let key = match &settings.secret_key {
            Some(key) => key.clone(),
            None => crate::secret_key::load_or_create(&settings.data_dir)?,
        };
        let sealed = doorstep_app::credentials::two_factor::seal_plain_secrets(&store, &key)
            .await
            .map_err(|e| {
                CliError::failed(format!("cannot encrypt the stored TOTP secrets: {e}"))
            })?;
        if sealed > 0 {
            tracing::info!(
                sealed,
                "encrypted TOTP secrets stored before encryption at rest"
            );
        }
        let reminder_clock = ReminderClock::from_env()?;
        let webhook_pace = webhook_pace_from_env()?;
        let mut state = AppState::new(store, settings.web_config(addr.port()), key);
        let stripe = &settings.stripe;
        state.app = state.app.clone().with_stripe_defaults(
            stripe.secret_key.as_ref().map(Secret::expose),
            stripe.webhook_secret.as_ref().map(Secret::expose),
        );
        if let Some(base) = &stripe.api_base {
            state.app = state.app.clone().with_stripe_api_base(base);
        }
        Ok(App {
            reminder_clock,
            webhook_pace,
            listener,
            metrics_listener,
            state,
            addr,
            metrics_addr,
            mail,
            serve: doorstep_web::ServeOptions {
                header_timeout: settings.header_timeout,
                max_connections: settings.max_connections,
                grace: settings.shutdown_grace,
            },
        })
    }

    /// The address actually bound (the port is chosen by the OS when 0 was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address of the operations listener serving `/metrics`, if any.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// The application's shared state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then drains for the grace period: readiness
    /// answers 503 while requests in flight and the email being sent finish; then the
    /// listeners close and the pool with them.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), CliError> {
        let draining = self.state.draining.clone();
        let request_events = self.state.request_events.clone();
        let store = self.state.store.clone();
        let grace = self.serve.grace;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let signal = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };
        let worker = tokio::spawn(doorstep_mail::run(
            store.clone(),
            self.mail,
            self.state.mail_wake.clone(),
            signal(stopped.clone()),
            grace,
        ));
        // The visit reminders of the day before: every node sweeps, each reminder is
        // claimed by exactly one sweep (see `doorstep_app::jobs::send_visit_reminders`).
        let reminders = tokio::spawn(reminder_sweeps(
            self.state.app.clone(),
            self.state.config.data_dir.join("imports"),
            self.reminder_clock,
            signal(stopped.clone()),
        ));
        // Outgoing webhooks: every node posts, each delivery leased to one of them.
        let webhooks = tokio::spawn(doorstep_app::webhooks::worker::run(
            self.state.app.clone(),
            self.webhook_pace,
            signal(stopped.clone()),
        ));
        let operations = self.metrics_listener.map(|listener| {
            let options = doorstep_web::ServeOptions {
                grace: std::time::Duration::ZERO,
                ..self.serve
            };
            let router = doorstep_web::operations_router(self.state.clone());
            tokio::spawn(doorstep_web::server::serve_app(
                listener,
                router,
                options,
                signal(stopped.clone()),
            ))
        });
        let shutdown = async move {
            shutdown.await;
            draining.store(true, std::sync::atomic::Ordering::SeqCst);
            // Open inbox streams never end by themselves; end them so requests can drain.
            request_events.close();
            let _ = stop.send(true);
            tracing::info!(?grace, "shutting down: finishing requests in flight");
        };
        let served = doorstep_web::serve(self.listener, self.state, self.serve, shutdown).await;
        // The worker was told to stop with the listener and has had the grace period to
        // finish its send; it only records the outcome now.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), worker).await;
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), reminders).await;
        let _ = tokio::time::timeout(std::time::Duration::from_secs(11), webhooks).await;
        if let Some(operations) = operations {
            let _ = operations.await;
        }
        store.close().await;
        served.map_err(|e| CliError::failed(format!("server failed: {e}")))
    }
}

/// How often the server looks for visit reminders to send.
const REMINDER_SWEEP: std::time::Duration = std::time::Duration::from_secs(60);

/// Test only: the instant (RFC 3339) the reminder sweep's clock reads when the server
/// starts; it then runs on with real time. Honoured by debug builds only: a release build
/// refuses to start when it is set. Never used by anything but the reminder and autopay sweeps.
pub const TEST_FAKE_NOW: &str = "DOORSTEP_TEST_FAKE_NOW";

/// Test only: how often (milliseconds) the reminder sweep runs instead of every minute.
/// Same rules as [`TEST_FAKE_NOW`].
pub const TEST_REMINDER_SWEEP_MS: &str = "DOORSTEP_TEST_REMINDER_SWEEP_MS";

/// The reminder sweep's clock and pace: the real clock once a minute, except in a test
/// that set [`TEST_FAKE_NOW`] / [`TEST_REMINDER_SWEEP_MS`] on a debug build.
#[derive(Debug, Clone, Copy)]
struct ReminderClock {
    /// Added to the real time.
    offset: time::Duration,
    every: std::time::Duration,
}

impl ReminderClock {
    /// Reads the test-only variables; none set is the real clock.
    fn from_env() -> Result<ReminderClock, CliError> {
        let fake_now = std::env::var(TEST_FAKE_NOW).ok().filter(|v| !v.is_empty());
        let every = std::env::var(TEST_REMINDER_SWEEP_MS)
            .ok()
            .filter(|v| !v.is_empty());
        let real = ReminderClock {
            offset: time::Duration::ZERO,
            every: REMINDER_SWEEP,
        };
        if fake_now.is_none() && every.is_none() {
            return Ok(real);
        }
        if !cfg!(debug_assertions) {
            return Err(CliError::usage(format!(
                "{TEST_FAKE_NOW} and {TEST_REMINDER_SWEEP_MS} are for test builds only: unset them"
            )));
        }
        let mut clock = real;
        if let Some(at) = fake_now {
            let at = time::OffsetDateTime::parse(
                &at,
                &time::format_description::well_known::Rfc3339,
            )
            .map_err(|_| {
                CliError::usage(format!(
                    "invalid {TEST_FAKE_NOW} {at:?}: use an RFC 3339 instant such as 2031-01-14T12:00:00Z"
                ))
            })?;
            clock.offset = at - time::OffsetDateTime::now_utc();
        }
        if let Some(ms) = every {
            let ms: u64 = ms.parse().map_err(|_| {
                CliError::usage(format!(
                    "invalid {TEST_REMINDER_SWEEP_MS} {ms:?}: use milliseconds"
                ))
            })?;
            clock.every = std::time::Duration::from_millis(ms.clamp(10, 60_000));
        }
        tracing::warn!(?clock, "test-only reminder clock in use");
        Ok(clock)
    }
}

/// Sends the visit reminders due, at the clock's pace until `stop` completes; a failed
/// sweep is logged and tried again at the next.
async fn reminder_sweeps(
    app: doorstep_app::App,
    imports_dir: std::path::PathBuf,
    clock: ReminderClock,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    let mut tick = tokio::time::interval(clock.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = tick.tick() => {}
        }
        let now = time::OffsetDateTime::now_utc() + clock.offset;
        match doorstep_app::jobs::send_visit_reminders(&app, now).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "visit reminders queued"),
            Err(err) => tracing::warn!(error = %err, "cannot send visit reminders"),
        }
        // Autopay runs on the same clock: the invoices due on each company's today are
        // charged once (see `doorstep_app::payments::autopay`).
        match doorstep_app::payments::autopay::run_autopay(&app, now).await {
            Ok(run) if run == Default::default() => {}
            Ok(run) => tracing::info!(
                paid = run.paid,
                failed = run.failed,
                retried = run.retried,
                "autopay charges made"
            ),
            Err(err) => tracing::warn!(error = %err, "cannot run autopay"),
        }
        // Files kept for imports (issue 18) a day after their dry run: never imported.
        let removed = doorstep_app::customers::import::clean_kept_files(
            imports_dir.clone(),
            KEPT_IMPORT_FILES,
        )
        .await;
        if removed > 0 {
            tracing::info!(removed, "old import files removed");
        }
    }
}

/// How long a file kept for an import (after its dry run) may wait to be imported.
const KEPT_IMPORT_FILES: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Test only: every failed webhook delivery is retried after this many milliseconds
/// (and the worker polls at that pace) instead of backing off from 30 seconds. Honoured by
/// debug builds only, like [`TEST_REMINDER_SWEEP_MS`]: a release build refuses to start.
pub const TEST_WEBHOOK_RETRY_MS: &str = "DOORSTEP_TEST_WEBHOOK_RETRY_MS";

/// The webhook worker's pace: the real one, or the test pace of [`TEST_WEBHOOK_RETRY_MS`].
fn webhook_pace_from_env() -> Result<doorstep_app::webhooks::worker::Pace, CliError> {
    let pace = doorstep_app::webhooks::worker::Pace::default();
    let Some(ms) = std::env::var(TEST_WEBHOOK_RETRY_MS)
        .ok()
        .filter(|v| !v.is_empty())
    else {
        return Ok(pace);
    };
    if !cfg!(debug_assertions) {
        return Err(CliError::usage(format!(
            "{TEST_WEBHOOK_RETRY_MS} is for test builds only: unset it"
        )));
    }
    let ms: u64 = ms.parse().map_err(|_| {
        CliError::usage(format!(
            "invalid {TEST_WEBHOOK_RETRY_MS} {ms:?}: use milliseconds"
        ))
    })?;
    let every = std::time::Duration::from_millis(ms.clamp(10, 60_000));
    tracing::warn!(?every, "test-only webhook retry pace in use");
    Ok(doorstep_app::webhooks::worker::Pace {
        idle: every,
        fixed_retry: Some(every),
    })
}

/// A future completing on Ctrl-C or SIGTERM. The handlers are installed when this is
/// called, not when the future is first polled, so a signal that arrives right after
/// the server says it is listening is still a graceful shutdown.
#[cfg(unix)]
pub fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, CliError> {
    use tokio::signal::unix::{SignalKind, signal};
    let install =
        |kind| signal(kind).map_err(|e| CliError::failed(format!("cannot handle signals: {e}")));
    let mut term = install(SignalKind::terminate())?;
    let mut int = install(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
    })
}

/// A future completing on Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, CliError> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
