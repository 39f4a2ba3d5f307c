//! Users, and people as other contexts see them.

use super::*;

impl UserRepository for InMemoryIdentity {
    async fn upsert_by_openid(
        &self,
        openid: &OpenId,
        unionid: Option<&UnionId>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<User> {
        let mut rows = lock(&self.0);
        // As `ON CONFLICT (openid)`: a known openid keeps its row, taking a unionid when one
        // is given and keeping the stored one otherwise.
        if let Some(user) = rows.users.iter_mut().find(|u| &u.openid == openid) {
            if let Some(unionid) = unionid {
                user.unionid = Some(unionid.clone());
            }
            return Ok(user.clone());
        }
        let user = User {
            id: UserId::new(),
            openid: openid.clone(),
            unionid: unionid.cloned(),
            nickname: None,
            real_name: None,
            phone: None,
            residence: None,
            created_at: now,
            updated_at: now,
        };
        rows.users.push(user.clone());
        Ok(user)
    }

    async fn find_user(&self, id: UserId) -> anyhow::Result<Option<User>> {
        Ok(lock(&self.0).users.iter().find(|u| u.id == id).cloned())
    }

    async fn find_user_with_grants(&self, id: UserId) -> anyhow::Result<Option<(User, Vec<RoleGrant>)>> {
        let Some(user) = self.find_user(id).await? else {
            return Ok(None);
        };
        Ok(Some((user, RoleGrantRepository::grants_of(self, id).await?)))
    }

    async fn update_user(
        &self,
        id: UserId,
        update: &UserUpdate,
        now: DateTime<Utc>,
        events: &[DomainEvent],
    ) -> anyhow::Result<()> {
        let mut rows = lock(&self.0);
        // As the adapter's `UPDATE … WHERE id = ?`: an unknown id changes no row, and the
        // events are stored all the same.
        if let Some(user) = rows.users.iter_mut().find(|u| u.id == id) {
            if let Some(nickname) = &update.nickname {
                user.nickname = Some(nickname.clone());
            } else if update.clear_nickname {
                user.nickname = None;
            }
            if let Some(real_name) = &update.real_name {
                user.real_name = Some(real_name.clone());
            } else if update.clear_real_name {
                user.real_name = None;
            }
            if let Some(phone) = &update.phone {
                user.phone = Some(phone.clone());
            }
            if let Some(residence) = update.residence {
                user.residence = Some(residence);
            }
            user.updated_at = now;
        }
        rows.events.extend_from_slice(events);
        Ok(())
    }
}

impl PersonDirectory for InMemoryIdentity {
    /// As the adapter: a person's places are their residence and the scopes of their grants.
    async fn people(&self, ids: &[UserId]) -> anyhow::Result<Vec<PersonRecord>> {
        let rows = lock(&self.0);
        Ok(rows
            .users
            .iter()
            .filter(|u| ids.contains(&u.id))
            .map(|u| PersonRecord {
                id: u.id,
                nickname: u.nickname.as_ref().map(|n| n.as_str().to_owned()),
                real_name: u.real_name.as_ref().map(|n| n.as_str().to_owned()),
                phone: u.phone.as_ref().map(|p| p.as_str().to_owned()),
                places: u
                    .residence
                    .map(|r| r.path)
                    .into_iter()
                    .chain(
                        rows.grants
                            .iter()
                            .filter(|p| p.grant.user_id() == u.id)
                            .map(|p| p.path),
                    )
                    .collect(),
            })
            .collect())
    }
}
