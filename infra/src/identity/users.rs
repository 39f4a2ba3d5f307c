//! Users, and people as other contexts see them.

use anyhow::Context;
use chrono::{DateTime, Utc};
use linli_identity::ports::UserRepository;
use linli_identity::{Nickname, OpenId, PhoneNumber, RealName, Residence, UnionId, User, UserUpdate};
use linli_kernel::people::PersonRecord;
use linli_kernel::ports::{PersonDirectory, Residences};
use linli_kernel::{BuildingId, DomainEvent, RoleGrant, ScopePath, UserId};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entity::{role_grant, user};
use super::grants::to_grant;
use super::personal::{Field, OnFailure, open_field, sealed_phone, sealed_real_name};
use crate::crypto::PersonalDataKeys;
use crate::db::{Database, outbox};

/// The residence a row holds, with its place in the tree.
fn residence_of(row: &user::Model) -> Option<Residence> {
    match (
        row.residence_building_id,
        row.residence_subdistrict_id,
        row.residence_community_id,
        row.residence_grid_id,
    ) {
        (Some(building), Some(subdistrict), Some(community), Some(grid)) => Some(Residence {
            building: BuildingId::from_uuid(building),
            path: ScopePath::building(subdistrict.into(), community.into(), grid.into(), building.into()),
        }),
        _ => None,
    }
}

/// The user a row holds, its phone and real name opened with `keys`.
pub(crate) fn to_user(
    keys: &PersonalDataKeys,
    row: user::Model,
    on_failure: OnFailure,
) -> anyhow::Result<User> {
    let real_name = open_field(keys, &row, Field::RealName, on_failure)?;
    let phone = open_field(keys, &row, Field::Phone, on_failure)?;
    let context = || format!("stored user {} is malformed", row.id);
    Ok(User {
        id: UserId::from_uuid(row.id),
        openid: OpenId::parse(&row.openid).with_context(context)?,
        unionid: row
            .unionid
            .as_deref()
            .map(UnionId::parse)
            .transpose()
            .with_context(context)?,
        nickname: row
            .nickname
            .as_deref()
            .map(Nickname::parse)
            .transpose()
            .with_context(context)?,
        real_name: real_name
            .as_deref()
            .map(RealName::parse)
            .transpose()
            .with_context(context)?,
        phone: phone
            .as_deref()
            .map(PhoneNumber::parse)
            .transpose()
            .with_context(context)?,
        residence: residence_of(&row),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

impl Database {
    /// The WeChat openid a user logged in with, or `None` for an unknown user: what WeChat
    /// calls that person (the content check names the author by it). Reads nothing else.
    pub async fn openid_of(&self, id: UserId) -> anyhow::Result<Option<OpenId>> {
        let openid: Option<String> = user::Entity::find_by_id(id.as_uuid())
            .select_only()
            .column(user::Column::Openid)
            .into_tuple()
            .one(&self.conn)
            .await?;
        openid
            .map(|o| OpenId::parse(&o).with_context(|| format!("stored user {id} has a malformed openid")))
            .transpose()
    }
}

impl UserRepository for Database {
    async fn upsert_by_openid(
        &self,
        openid: &OpenId,
        unionid: Option<&UnionId>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<User> {
        let row = user::ActiveModel {
            id: Set(UserId::new().as_uuid()),
            openid: Set(openid.as_str().to_owned()),
            unionid: Set(unionid.map(|u| u.as_str().to_owned())),
            nickname: NotSet,
            clear_real_name: NotSet,
            clear_phone: NotSet,
            real_name_sealed: NotSet,
            phone_sealed: NotSet,
            phone_index: NotSet,
            residence_building_id: NotSet,
            residence_subdistrict_id: NotSet,
            residence_community_id: NotSet,
            residence_grid_id: NotSet,
            created_at: Set(now),
            updated_at: Set(now),
        };
        // Insert, or on a known openid keep the row (refreshing the unionid when WeChat
        // gives one): concurrent first logins end with one user.
        let mut on_conflict = OnConflict::column(user::Column::Openid);
        if unionid.is_some() {
            on_conflict.update_column(user::Column::Unionid);
        } else {
            on_conflict.do_nothing();
        }
        user::Entity::insert(row)
            .on_conflict(on_conflict)
            .try_insert()
            .exec_without_returning(&self.conn)
            .await?;
        let stored = user::Entity::find()
            .filter(user::Column::Openid.eq(openid.as_str()))
            .one(&self.conn)
            .await?
            .context("the user just upserted is missing")?;
        to_user(self.personal_data_keys()?, stored, OnFailure::Fail)
    }

    async fn find_user(&self, id: UserId) -> anyhow::Result<Option<User>> {
        let keys = self.personal_data_keys()?;
        user::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(|row| to_user(keys, row, OnFailure::Fail))
            .transpose()
    }

    async fn find_user_with_grants(&self, id: UserId) -> anyhow::Result<Option<(User, Vec<RoleGrant>)>> {
        let keys = self.personal_data_keys()?;
        // One SELECT with a LEFT JOIN; sea-orm groups the grants under their user.
        let Some((row, grants)) = user::Entity::find_by_id(id.as_uuid())
            .find_with_related(role_grant::Entity)
            .all(&self.conn)
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let grants = grants.iter().map(to_grant).collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Some((to_user(keys, row, OnFailure::Fail)?, grants)))
    }

    async fn update_user(
        &self,
        id: UserId,
        update: &UserUpdate,
        now: DateTime<Utc>,
        events: &[DomainEvent],
    ) -> anyhow::Result<()> {
        let mut statement = user::Entity::update_many()
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .filter(user::Column::Id.eq(id.as_uuid()));
        if let Some(nickname) = &update.nickname {
            statement = statement.col_expr(user::Column::Nickname, Expr::value(nickname.as_str()));
        } else if update.clear_nickname {
            statement = statement.col_expr(user::Column::Nickname, Expr::value(Option::<String>::None));
        }
        if update.real_name.is_none() && update.clear_real_name {
            for column in [user::Column::RealNameSealed, user::Column::ClearRealName] {
                statement = statement.col_expr(column, Expr::value(Option::<String>::None));
            }
        }
        // Sealed before the transaction: the keys are in memory, nothing here waits.
        let mut sealed = Vec::new();
        if let Some(real_name) = &update.real_name {
            sealed.extend(sealed_real_name(
                self.personal_data_keys()?,
                id.as_uuid(),
                real_name,
            )?);
        }
        if let Some(phone) = &update.phone {
            sealed.extend(sealed_phone(self.personal_data_keys()?, id.as_uuid(), phone)?);
        }
        for (column, value) in sealed {
            statement = statement.col_expr(column, Expr::value(value));
        }
        if let Some(residence) = update.residence {
            let path = residence.path;
            statement = statement
                .col_expr(
                    user::Column::ResidenceBuildingId,
                    Expr::value(residence.building.as_uuid()),
                )
                .col_expr(
                    user::Column::ResidenceSubdistrictId,
                    Expr::value(path.subdistrict.map(|i| i.as_uuid())),
                )
                .col_expr(
                    user::Column::ResidenceCommunityId,
                    Expr::value(path.community.map(|i| i.as_uuid())),
                )
                .col_expr(
                    user::Column::ResidenceGridId,
                    Expr::value(path.grid.map(|i| i.as_uuid())),
                );
        }
        let txn = self.begin_write().await?;
        statement.exec(&txn).await?;
        outbox::record(&txn, events).await?;
        self.commit_with_events(txn).await?;
        Ok(())
    }
}

impl Residences for Database {
    async fn residence_of(&self, person: UserId) -> anyhow::Result<Option<ScopePath>> {
        Ok(user::Entity::find_by_id(person.as_uuid())
            .one(&self.conn)
            .await?
            .as_ref()
            .and_then(residence_of)
            .map(|r| r.path))
    }
}

impl PersonDirectory for Database {
    async fn people(&self, ids: &[UserId]) -> anyhow::Result<Vec<PersonRecord>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys = self.personal_data_keys()?;
        let uuids: Vec<uuid::Uuid> = ids.iter().map(|i| i.as_uuid()).collect();
        let users = user::Entity::find()
            .filter(user::Column::Id.is_in(uuids.clone()))
            .all(&self.conn)
            .await?;
        let grants = role_grant::Entity::find()
            .filter(role_grant::Column::UserId.is_in(uuids))
            .all(&self.conn)
            .await?;
        // A value that does not open is logged and shown as unavailable: one broken row
        // never takes a listing down.
        users
            .into_iter()
            .map(|u| {
                let real_name = open_field(keys, &u, Field::RealName, OnFailure::Unavailable)?;
                let phone = open_field(keys, &u, Field::Phone, OnFailure::Unavailable)?;
                let mut places: Vec<ScopePath> = residence_of(&u).map(|r| r.path).into_iter().collect();
                places.extend(
                    grants
                        .iter()
                        .filter(|g| g.user_id == u.id)
                        .map(super::grants::path_of),
                );
                Ok(PersonRecord {
                    id: UserId::from_uuid(u.id),
                    nickname: u.nickname,
                    real_name,
                    phone,
                    places,
                })
            })
            .collect()
    }
}
