//! Serving connections: our own accept loop over hyper, so that slow clients, connection
//! floods and shutdown all have bounds.
//!
//! - A client has `header_timeout` to send a request's headers, and a kept-alive connection
//!   may sit idle between requests no longer than that (hyper's header-read timer, which
//!   `axum::serve` does not set).
//! - At most `max_connections` are served at once; more wait in the kernel's listen queue,
//!   so a flood cannot use up the process's file descriptors.
//! - On shutdown the listener keeps accepting for the `grace` period, so a load balancer
//!   checking `/readyz` sees 503 and drains the node instead of having connections
//!   refused; open connections finish the request in flight and close, new ones are
//!   answered once with `Connection: close`. When the grace period ends, whatever is still
//!   open is dropped: shutdown never takes longer than `grace`.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// How connections are served.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// Time to send a request's headers; also the longest idle time of a kept-alive
    /// connection.
    pub header_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// After the shutdown signal: how long the listener keeps answering (`/readyz` with
    /// 503) and requests in flight may finish.
    pub grace: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_timeout: Duration::from_secs(10),
            max_connections: 512,
            grace: Duration::from_secs(10),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes and the grace period after it
/// ends. The app sees each request's peer address as `ConnectInfo<SocketAddr>`.
pub async fn serve_app(
    listener: TcpListener,
    app: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let draining = Arc::new(AtomicBool::new(false));
    let (drain_tx, _) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout)
        .keep_alive(true);
    let serve = |stream: TcpStream, peer: SocketAddr, permit: OwnedSemaphorePermit| {
        let service = connection_service(app.clone(), peer, draining.clone());
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let mut drain = drain_tx.subscribe();
        async move {
            let _permit = permit;
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = drain.changed() => {
                    // Finish the request in flight (an idle connection closes at once).
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(err) = result {
                tracing::debug!(%peer, %err, "connection ended with an error");
            }
        }
    };

    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            (stream, peer, permit) = accept(&listener, &permits) => {
                connections.spawn(serve(stream, peer, permit));
            }
        }
    }

    draining.store(true, Ordering::SeqCst);
    let _ = drain_tx.send(true);
    let deadline = tokio::time::sleep(options.grace);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            biased;
            () = &mut deadline => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            (stream, peer, permit) = accept(&listener, &permits) => {
                connections.spawn(serve(stream, peer, permit));
            }
        }
    }
    drop(listener);
    if !connections.is_empty() {
        tracing::warn!(
            open = connections.len(),
            "grace period over: closing the connections still open"
        );
    }
    connections.shutdown().await;
    Ok(())
}

/// Waits for a free connection slot, then for a connection. Errors such as running out
/// of file descriptors are logged and retried after a pause rather than ending the
/// server.
async fn accept(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
) -> (TcpStream, SocketAddr, OwnedSemaphorePermit) {
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            // The semaphore is never closed; wait for ever rather than spin.
            return std::future::pending().await;
        };
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                return (stream, peer, permit);
            }
            Err(err) if is_connection_error(&err) => {}
            Err(err) => {
                tracing::error!(%err, "cannot accept connections; retrying in 100 ms");
                drop(permit);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Errors about one connection (it was reset before we took it), not the listener.
fn is_connection_error(err: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        err.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// The per-connection service: hands the app the peer address and, while draining, asks
/// the client to close the connection after this response.
fn connection_service(
    app: Router,
    peer: SocketAddr,
    draining: Arc<AtomicBool>,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = Response<Body>,
    Error = Infallible,
    Future = impl Future<Output = Result<Response<Body>, Infallible>> + Send,
> + Clone {
    hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let app = app.clone();
        let draining = draining.clone();
        async move {
            let mut response = app.oneshot(request.map(Body::new)).await?;
            if draining.load(Ordering::SeqCst) {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            Ok(response)
        }
    })
}
