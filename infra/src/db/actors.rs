//! The actors of live sessions, cached in process: an authenticated request costs a token
//! check and a map look-up, not two statements. Every change of a session or of grants
//! drops what it touched, here at once and on every other instance through the event bus;
//! entries also lapse after [`TTL`], which bounds staleness should a message be lost.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockWriteGuard};
use std::time::{Duration, Instant};

use linli_kernel::ports::BoxFuture;
use linli_kernel::{ActorGrants, SessionId, UserId};

/// How long an entry may be used without being dropped by a change.
pub const TTL: Duration = Duration::from_secs(30);
/// Beyond this many sessions the cache starts again; it refills from storage on demand.
const CAPACITY: usize = 100_000;

#[derive(Default)]
struct Entries {
    by_session: HashMap<SessionId, (UserId, ActorGrants, Instant)>,
}

/// Whose cached access an instance must drop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessChange {
    Users(Vec<UserId>),
    /// Messages may have been missed (a subscription dropped): drop everything.
    Everyone,
}

/// Tells the other instances of a deployment (the event bus serves it).
pub trait AccessAnnouncer: Send + Sync + 'static {
    fn announce<'a>(&'a self, users: &'a [UserId]) -> BoxFuture<'a, anyhow::Result<()>>;
}

#[derive(Clone, Default)]
pub struct ActorCache {
    /// Read on every authenticated request, written on a miss or a change: readers do not
    /// wait for each other.
    entries: Arc<RwLock<Entries>>,
    /// Bumped by every change: a look-up that read storage before a change must not store
    /// what it read after it.
    generation: Arc<AtomicU64>,
    announcer: Arc<std::sync::OnceLock<Arc<dyn AccessAnnouncer>>>,
}

impl std::fmt::Debug for ActorCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActorCache").finish_non_exhaustive()
    }
}

impl ActorCache {
    fn entries(&self) -> RwLockWriteGuard<'_, Entries> {
        self.entries.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The grants cached for this live session of this user, if fresh.
    pub(crate) fn get(&self, session: SessionId, user: UserId) -> Option<ActorGrants> {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        let (holder, grants, at) = entries.by_session.get(&session)?;
        (*holder == user && at.elapsed() < TTL).then(|| grants.clone())
    }

    /// The generation to pass to [`ActorCache::put`] after reading storage.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Stores what was read at `generation`, unless something changed since.
    pub(crate) fn put(&self, session: SessionId, user: UserId, grants: ActorGrants, generation: u64) {
        let mut entries = self.entries();
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if entries.by_session.len() >= CAPACITY {
            entries.by_session.clear();
        }
        entries.by_session.insert(session, (user, grants, Instant::now()));
    }

    /// Drops what `change` names, on this instance only.
    pub fn forget_here(&self, change: &AccessChange) {
        let mut entries = self.entries();
        self.generation.fetch_add(1, Ordering::SeqCst);
        match change {
            AccessChange::Everyone => entries.by_session.clear(),
            AccessChange::Users(users) => entries
                .by_session
                .retain(|_, (holder, _, _)| !users.contains(holder)),
        }
    }

    /// These users' sessions or grants changed: forget them here at once, and on every
    /// other instance through the bus (awaited, so it has left before the answer does).
    pub(crate) async fn changed(&self, users: &[UserId]) {
        if users.is_empty() {
            return;
        }
        self.forget_here(&AccessChange::Users(users.to_vec()));
        if let Some(announcer) = self.announcer.get()
            && let Err(e) = announcer.announce(users).await
        {
            // Other instances drop the entries within TTL anyway.
            tracing::warn!(error = format!("{e:#}"), "could not announce an access change");
        }
    }

    /// From now on, changes are announced to the other instances too.
    pub fn announce_through(&self, announcer: Arc<dyn AccessAnnouncer>) {
        let _ = self.announcer.set(announcer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_kernel::{Role, Scope};

    #[test]
    fn a_change_drops_the_users_sessions_and_a_read_before_it_is_not_stored() {
        let cache = ActorCache::default();
        let (user, other) = (UserId::new(), UserId::new());
        let (session, other_session) = (SessionId::new(), SessionId::new());
        let grants: ActorGrants = Arc::new([(Role::DistrictAdmin, Scope::District)]);
        cache.put(session, user, grants.clone(), cache.generation());
        cache.put(other_session, other, grants.clone(), cache.generation());
        assert!(cache.get(session, user).is_some());
        assert!(
            cache.get(session, other).is_none(),
            "a session answers for its own user only"
        );

        let read_at = cache.generation();
        cache.forget_here(&AccessChange::Users(vec![user]));
        assert!(cache.get(session, user).is_none());
        assert!(cache.get(other_session, other).is_some());
        cache.put(session, user, grants, read_at);
        assert!(cache.get(session, user).is_none(), "a stale read is not cached");
    }
}
