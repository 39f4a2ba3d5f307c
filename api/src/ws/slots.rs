//! How many WebSockets may be open: at most `per_user` for one user, and at most
//! `total` in all. Upgraded sockets keep their connection's slot in the server's cap
//! (`server.rs`), so `total` is kept below it: plain HTTP always has room.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use linli_kernel::UserId;

/// The share of `max_connections` WebSockets may take: three quarters.
pub fn total_for(max_connections: usize) -> usize {
    (max_connections.saturating_mul(3) / 4).max(1)
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_user: HashMap<UserId, usize>,
}

/// Cheap to clone; shared by every connection.
#[derive(Clone)]
pub struct WsSlots {
    counts: Arc<Mutex<Counts>>,
    per_user: usize,
    total: usize,
}

/// One open socket's place; given back when dropped.
pub struct WsSlot {
    counts: Arc<Mutex<Counts>>,
    user: UserId,
}

impl WsSlots {
    pub fn new(per_user: usize, total: usize) -> Self {
        Self {
            counts: Arc::default(),
            per_user: per_user.max(1),
            total: total.max(1),
        }
    }

    /// A place for one more socket of `user`, or `None` when the user or the server is full.
    pub fn take(&self, user: UserId) -> Option<WsSlot> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if counts.total >= self.total {
            return None;
        }
        let mine = counts.by_user.entry(user).or_insert(0);
        if *mine >= self.per_user {
            return None;
        }
        *mine += 1;
        counts.total += 1;
        drop(counts);
        Some(WsSlot {
            counts: self.counts.clone(),
            user,
        })
    }
}

impl Drop for WsSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.total = counts.total.saturating_sub(1);
        if let Some(mine) = counts.by_user.get_mut(&self.user) {
            *mine -= 1;
            if *mine == 0 {
                counts.by_user.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_and_the_server_are_capped_and_slots_come_back() {
        let slots = WsSlots::new(2, 3);
        let (a, b) = (UserId::new(), UserId::new());
        let a1 = slots.take(a).unwrap();
        let _a2 = slots.take(a).unwrap();
        assert!(slots.take(a).is_none(), "a third for one user");
        let _b1 = slots.take(b).unwrap();
        assert!(slots.take(b).is_none(), "over the total");
        drop(a1);
        assert!(slots.take(b).is_some(), "a closed socket gives its place back");
        assert_eq!(total_for(4096), 3072);
        assert_eq!(total_for(1), 1);
    }
}
