//! The test binary's logging. One global subscriber, installed once: it prints the server's
//! logs when `TEST_LOG` is set, and copies every event (all levels) into the buffer of a
//! test that asked for it with `capture_logs`. A `#[tokio::test]` runs on one thread and the
//! server it spawns runs its tasks there too, so the buffer is kept per thread and holds that
//! test's logs and no other's.
//!
//! (A subscriber set per thread with `set_default` would miss events now and then: tracing
//! caches "nobody listens here" per call site, and another test's thread may cache it.)

use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, Mutex, Once};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, filter};

type Buffer = Arc<Mutex<Vec<u8>>>;

thread_local! {
    /// The buffer of the test running on this thread, while it captures.
    static CAPTURE: RefCell<Option<Buffer>> = const { RefCell::new(None) };
}

fn capturing() -> bool {
    CAPTURE.with(|c| c.borrow().is_some())
}

/// Installs the global subscriber, once.
pub fn install() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let printed = std::env::var_os("TEST_LOG").is_some().then(|| {
            tracing_subscriber::fmt::layer()
                .with_test_writer()
                .with_filter(EnvFilter::new("info,sqlx=warn"))
        });
        let captured = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(ThreadBuffer)
            .with_filter(filter::filter_fn(|_| capturing()));
        let _ = tracing_subscriber::registry()
            .with(printed)
            .with(captured)
            .try_init();
    });
}

/// Writes into this thread's capture buffer, if there is one.
struct ThreadBuffer;

impl<'a> MakeWriter<'a> for ThreadBuffer {
    type Writer = ThreadBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        ThreadBuffer
    }
}

impl Write for ThreadBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        CAPTURE.with(|c| {
            if let Some(buffer) = c.borrow().as_ref() {
                buffer.lock().unwrap().extend_from_slice(bytes);
            }
        });
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The logs of this test, at every level, from now until the result is dropped.
pub struct CapturedLogs {
    buffer: Buffer,
}

impl CapturedLogs {
    /// Everything logged so far, one line an event, with the fields of its spans.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.lock().unwrap()).into_owned()
    }
}

impl Drop for CapturedLogs {
    fn drop(&mut self) {
        CAPTURE.with(|c| c.borrow_mut().take());
    }
}

/// Captures what this test's thread logs (the server's logs included).
pub fn capture_logs() -> CapturedLogs {
    install();
    let buffer = Buffer::default();
    CAPTURE.with(|c| *c.borrow_mut() = Some(buffer.clone()));
    CapturedLogs { buffer }
}
