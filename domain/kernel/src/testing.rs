//! In-memory fakes of the kernel's ports, for the use-case tests of every context
//! (`features = ["testing"]`). They keep the rules the real adapters keep (a grant set's
//! replacement is all or nothing, ids of unchanged grants survive), and nothing else.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::people::PersonRecord;
use crate::ports::{Clock, GrantStore, PersonDirectory};
use crate::roles::{GrantSet, PlacedGrant};
use crate::{DomainEvent, RoleGrant, UserId};

/// Locks a fake's state; a test that panicked while holding it has failed already.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A clock that stands still until told to move.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl Default for ManualClock {
    fn default() -> Self {
        let start = Utc
            .with_ymd_and_hms(2026, 11, 26, 8, 30, 0)
            .single()
            .unwrap_or_else(Utc::now);
        Self(Arc::new(Mutex::new(start)))
    }
}

impl ManualClock {
    pub fn advance(&self, by: Duration) {
        let mut now = lock(&self.0);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *lock(&self.0)
    }
}

/// Grants in memory, with the events their changes recorded.
#[derive(Debug, Clone, Default)]
pub struct InMemoryGrants {
    pub grants: Arc<Mutex<Vec<PlacedGrant>>>,
    pub events: Arc<Mutex<Vec<DomainEvent>>>,
}

impl InMemoryGrants {
    pub fn held_by(&self, user: UserId) -> Vec<RoleGrant> {
        lock(&self.grants)
            .iter()
            .filter(|p| p.grant.user_id() == user)
            .map(|p| p.grant.clone())
            .collect()
    }

    pub fn recorded(&self) -> Vec<DomainEvent> {
        lock(&self.events).clone()
    }
}

fn same_holding(a: &RoleGrant, b: &RoleGrant) -> bool {
    a.user_id() == b.user_id() && a.role() == b.role() && a.scope() == b.scope()
}

impl GrantStore for InMemoryGrants {
    async fn grants_in(&self, set: &GrantSet) -> anyhow::Result<Vec<RoleGrant>> {
        Ok(lock(&self.grants)
            .iter()
            .filter(|p| set.contains(&p.grant, &p.path))
            .map(|p| p.grant.clone())
            .collect())
    }

    async fn replace_grants<F>(
        &self,
        set: &GrantSet,
        replacement: Vec<PlacedGrant>,
        events: F,
    ) -> anyhow::Result<()>
    where
        F: FnOnce(&[RoleGrant], &[RoleGrant]) -> Vec<DomainEvent> + Send,
    {
        let mut grants = lock(&self.grants);
        let before: Vec<RoleGrant> = grants
            .iter()
            .filter(|p| set.contains(&p.grant, &p.path))
            .map(|p| p.grant.clone())
            .collect();
        grants.retain(|p| {
            !set.contains(&p.grant, &p.path) || replacement.iter().any(|r| same_holding(&r.grant, &p.grant))
        });
        for placed in replacement {
            if !before.iter().any(|b| same_holding(b, &placed.grant)) {
                grants.push(placed);
            }
        }
        let after: Vec<RoleGrant> = grants
            .iter()
            .filter(|p| set.contains(&p.grant, &p.path))
            .map(|p| p.grant.clone())
            .collect();
        lock(&self.events).extend(events(&before, &after));
        Ok(())
    }
}

/// People in memory. As in storage, the places where someone holds a role are among their
/// places, when the fake is given the grants.
#[derive(Debug, Clone, Default)]
pub struct InMemoryPeople {
    pub people: Arc<Mutex<Vec<PersonRecord>>>,
    pub grants: Option<InMemoryGrants>,
}

impl InMemoryPeople {
    pub fn with_grants(grants: InMemoryGrants) -> Self {
        Self {
            people: Arc::default(),
            grants: Some(grants),
        }
    }

    pub fn add(&self, person: PersonRecord) {
        lock(&self.people).push(person);
    }
}

impl PersonDirectory for InMemoryPeople {
    async fn people(&self, ids: &[UserId]) -> anyhow::Result<Vec<PersonRecord>> {
        let held: Vec<PlacedGrant> = self
            .grants
            .as_ref()
            .map(|g| lock(&g.grants).clone())
            .unwrap_or_default();
        Ok(lock(&self.people)
            .iter()
            .filter(|p| ids.contains(&p.id))
            .map(|p| {
                let mut person = p.clone();
                person
                    .places
                    .extend(held.iter().filter(|g| g.grant.user_id() == p.id).map(|g| g.path));
                person
            })
            .collect())
    }
}
