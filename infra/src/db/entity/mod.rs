//! sea-orm entities of the shared tables; they stay inside `infra` and never reach the domain.

pub mod idempotency_key;
pub mod outbox;
