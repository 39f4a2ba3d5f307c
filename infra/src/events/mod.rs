//! The event bus (in-process, or Redis pub/sub shared by every instance) and the relay that
//! feeds it from the outbox.

mod bus;
mod relay;

pub use bus::EventBus;
pub use relay::{OUTBOX_RELAY, outbox_relay};
