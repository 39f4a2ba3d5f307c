//! Users' phone numbers and real names at rest: sealed with SM4-GCM under `users.phone:<id>`
//! and `users.real_name:<id>` (a value copied to another row or column does not open), with
//! the HMAC-SM3 blind index of the phone beside it. See `infra/CRYPTO.md`.
//!
//! A value that does not open (its key was removed, or it was altered) is logged as an
//! error; a listing of people shows it as unavailable, a read of one user fails (a 500),
//! so a broken key never passes silently and never takes a whole listing down.

use anyhow::Context;
use linli_identity::{PhoneNumber, RealName, User};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::entity::user;
use crate::crypto::{PersonalDataKeys, normalize_phone};
use crate::db::Database;

/// Rows read per round of the start-up and re-seal passes.
const PAGE: u64 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Phone,
    RealName,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Phone => "phone",
            Field::RealName => "real_name",
        }
    }

    /// The associated data a value of this field in row `id` is sealed under.
    pub(crate) fn context(self, id: Uuid) -> String {
        format!("users.{}:{id}", self.name())
    }

    /// (clear, sealed) as the row holds them.
    fn stored(self, row: &user::Model) -> (Option<&str>, Option<&str>) {
        match self {
            Field::Phone => (row.clear_phone.as_deref(), row.phone_sealed.as_deref()),
            Field::RealName => (row.clear_real_name.as_deref(), row.real_name_sealed.as_deref()),
        }
    }

    fn columns(self) -> (user::Column, user::Column) {
        match self {
            Field::Phone => (user::Column::ClearPhone, user::Column::PhoneSealed),
            Field::RealName => (user::Column::ClearRealName, user::Column::RealNameSealed),
        }
    }
}

/// What to do with a value that does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnFailure {
    /// Fail the read (one user: the caller answers 500).
    Fail,
    /// Treat the value as absent (a listing: the others still show).
    Unavailable,
}

/// The field's value in clear. A clear value still in the old column wins: it is either
/// not sealed yet or newer than the sealed one (written by an instance of an older version).
pub(crate) fn open_field(
    keys: &PersonalDataKeys,
    row: &user::Model,
    field: Field,
    on_failure: OnFailure,
) -> anyhow::Result<Option<String>> {
    let (clear, sealed) = field.stored(row);
    if let Some(clear) = clear {
        return Ok(Some(clear.to_owned()));
    }
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    match keys.open(sealed, &field.context(row.id)) {
        Ok(value) => Ok(Some(value)),
        Err(error) => {
            tracing::error!(
                user_id = %row.id,
                field = field.name(),
                error = %error,
                "a sealed personal value does not open"
            );
            match on_failure {
                OnFailure::Unavailable => Ok(None),
                OnFailure::Fail => Err(error)
                    .with_context(|| format!("the {} of user {} does not open", field.name(), row.id)),
            }
        }
    }
}

/// The column values that store `value` of `field` sealed in row `id`, empty the clear
/// column and, for a phone, write its blind index: every sealing writes exactly these.
fn sealed_field(
    keys: &PersonalDataKeys,
    field: Field,
    id: Uuid,
    value: &str,
) -> anyhow::Result<Vec<(user::Column, Option<String>)>> {
    let (clear_column, sealed_column) = field.columns();
    let mut values = vec![
        (sealed_column, Some(keys.seal(value, &field.context(id))?)),
        (clear_column, None),
    ];
    if field == Field::Phone {
        values.push((user::Column::PhoneIndex, Some(keys.blind_index(value))));
    }
    Ok(values)
}

/// The column values that store `real_name` sealed in row `id` (and empty the clear one).
pub(crate) fn sealed_real_name(
    keys: &PersonalDataKeys,
    id: Uuid,
    real_name: &RealName,
) -> anyhow::Result<Vec<(user::Column, Option<String>)>> {
    sealed_field(keys, Field::RealName, id, real_name.as_str())
}

/// The column values that store `phone` sealed in row `id`, with its blind index.
pub(crate) fn sealed_phone(
    keys: &PersonalDataKeys,
    id: Uuid,
    phone: &PhoneNumber,
) -> anyhow::Result<Vec<(user::Column, Option<String>)>> {
    sealed_field(keys, Field::Phone, id, phone.as_str())
}

/// What a pass over the users table did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SealReport {
    /// Rows read.
    pub rows: u64,
    /// Values sealed from clear, or sealed again under the current key.
    pub sealed: u64,
    /// Phone indexes written or recomputed.
    pub reindexed: u64,
    /// Values that did not open (logged; left as they are).
    pub unreadable: u64,
}

impl Database {
    /// Seals what is still clear (rows from before sealing), and empties the clear columns.
    /// Run at start-up, after the migrations: idempotent, and safe to run on several
    /// instances at once (each write is guarded by the clear value it replaces).
    pub async fn seal_clear_personal_data(&self) -> anyhow::Result<SealReport> {
        let keys = self.personal_data_keys()?;
        let clear = sea_orm::Condition::any()
            .add(user::Column::ClearPhone.is_not_null())
            .add(user::Column::ClearRealName.is_not_null());
        self.walk_users(Some(clear), |row, report| {
            let mut writes = Vec::new();
            for field in [Field::Phone, Field::RealName] {
                let (Some(value), _) = field.stored(row) else {
                    continue;
                };
                let (clear_column, _) = field.columns();
                let values = sealed_field(keys, field, row.id, value)?;
                if field == Field::Phone {
                    report.reindexed += 1;
                }
                report.sealed += 1;
                writes.push((clear_column, value.to_owned(), values));
            }
            Ok(writes)
        })
        .await
    }

    /// Rotation: seals again under the current key every value sealed under an older one,
    /// and recomputes every phone index (after a change of the index key). Values that do
    /// not open are counted and logged, and left alone.
    pub async fn reseal_personal_data(&self) -> anyhow::Result<SealReport> {
        let keys = self.personal_data_keys()?;
        self.walk_users(None, |row, report| {
            let mut writes = Vec::new();
            for field in [Field::Phone, Field::RealName] {
                let (None, Some(sealed)) = field.stored(row) else {
                    continue;
                };
                let context = field.context(row.id);
                let Ok(value) = open_field(keys, row, field, OnFailure::Fail) else {
                    report.unreadable += 1;
                    continue;
                };
                let value = value.unwrap_or_default();
                let (_, sealed_column) = field.columns();
                let mut values = Vec::new();
                if let Some(resealed) = keys.key_ring().reseal(sealed, &context)? {
                    values.push((sealed_column, Some(resealed)));
                    report.sealed += 1;
                }
                if field == Field::Phone {
                    let index = keys.blind_index(&value);
                    if row.phone_index.as_deref() != Some(index.as_str()) {
                        values.push((user::Column::PhoneIndex, Some(index)));
                        report.reindexed += 1;
                    }
                }
                if !values.is_empty() {
                    writes.push((sealed_column, sealed.to_owned(), values));
                }
            }
            Ok(writes)
        })
        .await
    }

    /// Walks the users matching `filter` by id, a page at a time; `plan` says, per row,
    /// which writes to make, each guarded by the value of one column it replaces (a row
    /// changed meanwhile is left as the change left it).
    async fn walk_users<F>(
        &self,
        filter: Option<sea_orm::Condition>,
        mut plan: F,
    ) -> anyhow::Result<SealReport>
    where
        F: FnMut(&user::Model, &mut SealReport) -> anyhow::Result<Vec<GuardedWrite>>,
    {
        let mut report = SealReport::default();
        let mut after: Option<Uuid> = None;
        loop {
            let mut query = user::Entity::find().order_by_asc(user::Column::Id).limit(PAGE);
            if let Some(filter) = filter.clone() {
                query = query.filter(filter);
            }
            if let Some(after) = after {
                query = query.filter(user::Column::Id.gt(after));
            }
            let rows = query.all(&self.conn).await?;
            let Some(last) = rows.last() else {
                return Ok(report);
            };
            after = Some(last.id);
            for row in &rows {
                report.rows += 1;
                for (guard_column, guard_value, values) in plan(row, &mut report)? {
                    let mut statement = user::Entity::update_many()
                        .filter(user::Column::Id.eq(row.id))
                        .filter(guard_column.eq(guard_value));
                    for (column, value) in values {
                        statement = statement.col_expr(column, Expr::value(value));
                    }
                    statement.exec(&self.conn).await?;
                }
            }
        }
    }

    /// The users whose phone is `phone` (as [`normalize_phone`] reads it), found by the blind
    /// index: the number itself is never compared in SQL. Rosters and duplicate checks use it.
    pub async fn find_users_by_phone(&self, phone: &str) -> anyhow::Result<Vec<User>> {
        let keys = self.personal_data_keys()?;
        let wanted = normalize_phone(phone);
        let rows = user::Entity::find()
            .filter(user::Column::PhoneIndex.eq(keys.blind_index(phone)))
            .order_by_asc(user::Column::Id)
            .all(&self.conn)
            .await?;
        let mut users = Vec::new();
        for row in rows {
            // The index is only a pointer: the number that opens must be the one asked for.
            let opened = open_field(keys, &row, Field::Phone, OnFailure::Unavailable)?;
            if opened.is_some_and(|p| normalize_phone(&p) == wanted) {
                users.push(super::users::to_user(keys, row, OnFailure::Fail)?);
            }
        }
        Ok(users)
    }
}

/// A write planned by a pass: (guard column, the value it must still hold, the new values).
type GuardedWrite = (user::Column, String, Vec<(user::Column, Option<String>)>);

#[cfg(test)]
mod tests;
