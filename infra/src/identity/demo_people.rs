//! Many demo people at once (`linli demo`): thousands of members would take minutes one by
//! one through `upsert_by_openid` and `update_user`. Their real names and phones are sealed
//! exactly as `update_user` seals them; someone who logged in before keeps their row, id and
//! profile. No event is recorded: nobody is subscribed to a user who does not exist yet.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use linli_identity::{Nickname, OpenId, PhoneNumber, RealName};
use linli_kernel::UserId;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entity::user;
use super::personal::{sealed_phone, sealed_real_name};
use crate::db::{Database, INSERT_CHUNK};

/// A person as the demo makes them: their profile complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub openid: OpenId,
    pub nickname: Nickname,
    pub real_name: RealName,
    pub phone: PhoneNumber,
}

impl Database {
    /// Makes every person not there yet (by openid) and answers everyone's id, in order.
    pub async fn insert_people(
        &self,
        people: &[NewPerson],
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<UserId>> {
        let keys = self.personal_data_keys()?;
        let mut rows = Vec::with_capacity(people.len());
        for person in people {
            let id = UserId::new().as_uuid();
            let mut row = user::ActiveModel {
                id: Set(id),
                openid: Set(person.openid.as_str().to_owned()),
                unionid: Set(None),
                nickname: Set(Some(person.nickname.as_str().to_owned())),
                clear_real_name: Set(None),
                clear_phone: Set(None),
                real_name_sealed: Set(None),
                phone_sealed: Set(None),
                phone_index: Set(None),
                residence_building_id: Set(None),
                residence_subdistrict_id: Set(None),
                residence_community_id: Set(None),
                residence_grid_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            };
            let sealed = sealed_real_name(keys, id, &person.real_name)?
                .into_iter()
                .chain(sealed_phone(keys, id, &person.phone)?);
            for (column, value) in sealed {
                match column {
                    user::Column::RealNameSealed => row.real_name_sealed = Set(value),
                    user::Column::PhoneSealed => row.phone_sealed = Set(value),
                    user::Column::PhoneIndex => row.phone_index = Set(value),
                    // The clear columns, emptied: they are empty in a new row.
                    _ => {}
                }
            }
            rows.push(row);
        }
        let txn = self.begin_write().await?;
        for chunk in rows.chunks(INSERT_CHUNK) {
            user::Entity::insert_many(chunk.to_vec())
                .on_conflict(OnConflict::column(user::Column::Openid).do_nothing().to_owned())
                .try_insert()
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        let mut ids: HashMap<String, UserId> = HashMap::with_capacity(people.len());
        for chunk in people.chunks(INSERT_CHUNK) {
            let openids: Vec<&str> = chunk.iter().map(|p| p.openid.as_str()).collect();
            let found: Vec<(uuid::Uuid, String)> = user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .column(user::Column::Openid)
                .filter(user::Column::Openid.is_in(openids))
                .into_tuple()
                .all(&self.conn)
                .await?;
            ids.extend(
                found
                    .into_iter()
                    .map(|(id, openid)| (openid, UserId::from_uuid(id))),
            );
        }
        people
            .iter()
            .map(|p| {
                ids.get(p.openid.as_str())
                    .copied()
                    .ok_or_else(|| anyhow::anyhow!("person {} was not stored", p.openid.as_str()))
            })
            .collect()
    }
}
