//! The HTTP server loop: poem's endpoint served through hyper, because poem's `Server` sets
//! no timer and so cannot bound how long a client may take to send its headers. Here:
//!
//! - HTTP/1 only (no h2c): the load balancer in front speaks HTTP/1.1 upstream;
//! - a request's headers must arrive within the header timeout (hyper's); a connection
//!   waiting for its next request is closed after it too; a body must arrive within the
//!   body-read timeout (`http::middleware::limit_body`), which the idle timeout alone
//!   cannot bound (each byte counts as traffic);
//! - a connection with no traffic either way for the idle timeout is shut down (a request
//!   in flight finishes first, unless it stays silent for another idle period);
//! - at most `max_connections` are open at once, WebSockets included: beyond that the
//!   server stops accepting, and new connections wait in the listen backlog until one
//!   closes. An upgraded socket keeps its slot; `ws::WsSlots` caps WebSockets per user and
//!   at three quarters of the slots, so plain HTTP always has room;
//! - on shutdown it stops accepting, lets connections finish within the grace period, then
//!   drops what is left. Upgraded connections (WebSockets) leave hyper, so neither timeout
//!   applies to them; they close themselves on shutdown.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use poem::endpoint::BoxEndpoint;
use poem::http::uri::Scheme;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint, EndpointExt, IntoEndpoint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

type Body = http_body_util::combinators::BoxBody<Bytes, io::Error>;

/// How patient the server is with its clients.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

/// Serves `endpoint` on `listener` until `signal` resolves, then drains within `grace`.
pub async fn serve<E>(
    listener: TcpListener,
    endpoint: E,
    limits: ConnectionLimits,
    signal: impl Future<Output = ()>,
    grace: Duration,
) -> io::Result<()>
where
    E: IntoEndpoint,
    E::Endpoint: 'static,
{
    // Boxed: the whole middleware stack as one type overflows the compiler's depth limit.
    let endpoint: Arc<BoxEndpoint<'static, poem::Response>> =
        Arc::new(endpoint.into_endpoint().map_to_response().boxed());
    let local = listener.local_addr()?;
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let drain = CancellationToken::new();
    let abandon = CancellationToken::new();
    tokio::pin!(signal);
    loop {
        let permit = tokio::select! {
            () = &mut signal => break,
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (stream, remote) = tokio::select! {
            () = &mut signal => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before we took it:
                    // pause rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let connection = Connection {
            local,
            remote,
            limits,
            drain: drain.clone(),
            abandon: abandon.clone(),
        };
        tokio::spawn(connection.serve(stream, permit, endpoint.clone()));
    }
    drop(listener);
    drain.cancel();
    // Every open connection holds a slot: all slots free means all connections closed.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(grace, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the grace period; dropping them");
        abandon.cancel();
    }
    Ok(())
}

struct Connection {
    local: SocketAddr,
    remote: SocketAddr,
    limits: ConnectionLimits,
    /// Finish what is in flight and close (shutdown).
    drain: CancellationToken,
    /// Close now (the grace period is over).
    abandon: CancellationToken,
}

impl Connection {
    async fn serve(
        self,
        stream: TcpStream,
        permit: OwnedSemaphorePermit,
        endpoint: Arc<BoxEndpoint<'static, poem::Response>>,
    ) {
        let activity = Arc::new(Activity::new());
        let io = Watched {
            inner: stream,
            activity: activity.clone(),
            _slot: permit,
        };
        let (local, remote) = (self.local, self.remote);
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let endpoint = endpoint.clone();
            async move {
                let req = poem::Request::from((
                    req,
                    LocalAddr(Addr::SocketAddr(local)),
                    RemoteAddr(Addr::SocketAddr(remote)),
                    Scheme::HTTP,
                ));
                let response: hyper::Response<Body> = endpoint.get_response(req).await.into();
                Ok::<_, Infallible>(response)
            }
        });
        // HTTP/1 only: the load balancer speaks HTTP/1.1 upstream, and cleartext HTTP/2
        // (h2c) would bring many streams per connection and no header timeout.
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.header_read_timeout)
            .serve_connection(TokioIo::new(io), service)
            .with_upgrades();
        tokio::pin!(conn);
        let mut closing = false;
        // Silence counts from the last traffic, or from when we last acted on silence.
        let mut quiet_from = Instant::now();
        loop {
            tokio::select! {
                // Done, or upgraded: the WebSocket owns the stream (and its slot) now.
                _ = &mut conn => return,
                () = self.abandon.cancelled() => return,
                () = self.drain.cancelled(), if !closing => {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
                () = activity.silent_for(&self.limits, quiet_from) => {
                    if closing {
                        return;
                    }
                    quiet_from = Instant::now();
                    tracing::debug!(remote = %remote, "closing an idle connection");
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }
}

/// When a connection last moved bytes, in milliseconds since it opened (0: never).
struct Activity {
    opened: Instant,
    last_ms: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            opened: Instant::now(),
            last_ms: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms.max(1), Ordering::Relaxed);
    }

    /// Resolves once nothing has moved for the idle timeout, counting from `floor` at the
    /// earliest; before the first byte, for the header timeout (hyper's own header timer
    /// starts only once it knows the protocol, which takes a byte).
    async fn silent_for(&self, limits: &ConnectionLimits, floor: Instant) {
        loop {
            let last_ms = self.last_ms.load(Ordering::Relaxed);
            let period = if last_ms == 0 {
                limits.header_read_timeout.min(limits.idle_timeout)
            } else {
                limits.idle_timeout
            };
            let last = self.opened + Duration::from_millis(last_ms);
            let deadline = last.max(floor) + period;
            if Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline).await;
        }
    }
}

/// A stream that notes its traffic and holds its connection's slot until dropped.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
    _slot: OwnedSemaphorePermit,
}

impl AsyncRead for Watched {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.activity.touch();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.touch();
        }
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.touch();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
