//! The outbox relay: publishes committed events to the bus, in order, at most a moment after
//! they were written.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::EventBus;
use crate::db::Database;

const BATCH: u64 = 500;
/// Other instances' writes do not wake this one; it polls for them this often.
const POLL: Duration = Duration::from_millis(250);

pub async fn run_outbox_relay(db: Database, bus: EventBus, shutdown: CancellationToken) {
    let wake = db.outbox_written();
    loop {
        loop {
            let bus = bus.clone();
            match db
                .relay_outbox(BATCH, |records| async move { bus.publish(records).await })
                .await
            {
                Ok(n) if n as u64 == BATCH => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = format!("{e:#}"), "relaying the outbox failed; retrying");
                    tokio::select! {
                        () = shutdown.cancelled() => return,
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                    break;
                }
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}
