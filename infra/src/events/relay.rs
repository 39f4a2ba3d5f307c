//! The outbox relay: publishes committed events to the bus, in order, at most a moment after
//! they were written. A background job, so one instance relays at a time and `/metrics` shows
//! when it last succeeded.

use std::time::Duration;

use super::EventBus;
use crate::db::Database;
use crate::jobs::Job;

/// The job's name: its lock and its metric series.
pub const OUTBOX_RELAY: &str = "outbox_relay";
const BATCH: u64 = 500;
/// Other instances' writes do not wake this one; it polls for them this often.
const POLL: Duration = Duration::from_millis(250);
/// After a failure (the database or Redis away), wait this long instead of the poll.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Relays the outbox: woken by every commit that wrote events, polls every 250 ms for other
/// instances' events, and goes on while batches come back full.
pub fn outbox_relay(db: Database, bus: EventBus) -> Job {
    let wake = db.outbox_written();
    Job::new(OUTBOX_RELAY, POLL, move |run| {
        let (db, bus) = (db.clone(), bus.clone());
        async move {
            loop {
                let bus = bus.clone();
                let relayed = db
                    .relay_outbox(BATCH, |records| async move { bus.publish(records).await })
                    .await?;
                if (relayed as u64) < BATCH || run.shutting_down() {
                    return Ok(());
                }
            }
        }
    })
    .woken_by(wake)
    .retry_after(RETRY_AFTER)
}
