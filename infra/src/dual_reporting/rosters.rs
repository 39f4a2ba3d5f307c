//! Units' rosters. Each entry's name and phone are sealed with SM4-GCM under
//! `unit_roster_entries.name:<id>` and `unit_roster_entries.phone:<id>`, and the phone's
//! HMAC-SM3 blind index sits beside them, computed exactly as `users.phone_index` is (see
//! `infra/CRYPTO.md`). So an entry meets the users who bound the same phone on the index alone
//! (`unit_roster_entries.phone_index = users.phone_index`), and no phone is compared, or held,
//! in clear. This is the one place dual reporting reads identity's `users` table: only its id
//! and phone index, for which identity keeps that index.
//!
//! A replacement takes turns with others of the same unit: it first upserts the unit's
//! `unit_rosters` row (on PostgreSQL a row lock held to the commit; SQLite's write
//! transactions take turns anyway), then deletes the old entries and inserts the new ones, so
//! the later of two replacements deletes the earlier one's entries and stands whole.

use std::collections::HashMap;

use linli_dual_reporting::ports::RosterRepository;
use linli_dual_reporting::roster::{Roster, RosterEntry, RosterLine, RosterStatus};
use linli_dual_reporting::{MemberReport, RosterEntryId};
use linli_kernel::{DomainEvent, Page, PageRequest, UnitId, UserId};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query, SelectStatement};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::entity::{member_report, unit_roster, unit_roster_entry};
use super::rows::to_report;
use crate::crypto::PersonalDataKeys;
use crate::db::query::keyset_page;
use crate::db::{Database, insert_chunked, outbox};
use crate::identity::SealReport;
use crate::identity::entity::user;

/// Rows read per round of the re-seal pass.
const PAGE: u64 = 200;

fn name_context(id: Uuid) -> String {
    format!("unit_roster_entries.name:{id}")
}

fn phone_context(id: Uuid) -> String {
    format!("unit_roster_entries.phone:{id}")
}

fn entry_row(keys: &PersonalDataKeys, e: &RosterEntry) -> anyhow::Result<unit_roster_entry::ActiveModel> {
    let id = e.id.as_uuid();
    Ok(unit_roster_entry::ActiveModel {
        id: Set(id),
        unit_id: Set(e.unit_id.as_uuid()),
        line: Set(i32::try_from(e.line)?),
        name_sealed: Set(keys.seal(&e.name, &name_context(id))?),
        phone_sealed: Set(keys.seal(&e.phone, &phone_context(id))?),
        phone_index: Set(keys.blind_index(&e.phone)),
    })
}

/// The entry in clear. A value that does not open (its key was removed, or it was altered) is
/// logged and shown empty, so one broken row never takes a roster down.
fn to_entry(keys: &PersonalDataKeys, row: &unit_roster_entry::Model) -> RosterEntry {
    let open = |sealed: &str, context: String, field: &str| {
        keys.open(sealed, &context).unwrap_or_else(|error| {
            tracing::error!(
                roster_entry_id = %row.id,
                field,
                error = %error,
                "a sealed roster value does not open"
            );
            String::new()
        })
    };
    RosterEntry {
        id: RosterEntryId::from_uuid(row.id),
        unit_id: row.unit_id.into(),
        line: u32::try_from(row.line).unwrap_or(0),
        name: open(&row.name_sealed, name_context(row.id), "name"),
        phone: open(&row.phone_sealed, phone_context(row.id), "phone"),
    }
}

/// `SELECT 1 FROM users JOIN member_reports ON member_reports.user_id = users.id WHERE
/// users.phone_index = <entry>.phone_index AND member_reports.unit_id = <entry>.unit_id AND
/// member_reports.status IN ('submitted', 'accepted')`: the entry's person has reported.
fn open_report_of_entry() -> SelectStatement {
    Query::select()
        .expr(Expr::val(1))
        .from(user::Entity)
        .inner_join(
            member_report::Entity,
            Expr::col((member_report::Entity, member_report::Column::UserId))
                .equals((user::Entity, user::Column::Id)),
        )
        .and_where(
            Expr::col((user::Entity, user::Column::PhoneIndex))
                .equals((unit_roster_entry::Entity, unit_roster_entry::Column::PhoneIndex)),
        )
        .and_where(
            Expr::col((member_report::Entity, member_report::Column::UnitId))
                .equals((unit_roster_entry::Entity, unit_roster_entry::Column::UnitId)),
        )
        .and_where(
            Expr::col((member_report::Entity, member_report::Column::Status))
                .is_in(["submitted", "accepted"]),
        )
        .to_owned()
}

fn to_roster(row: unit_roster::Model) -> anyhow::Result<Roster> {
    Ok(Roster {
        unit_id: row.unit_id.into(),
        entries: u32::try_from(row.entries)?,
        uploaded_by: UserId::from_uuid(row.uploaded_by),
        uploaded_at: row.uploaded_at,
    })
}

impl RosterRepository for Database {
    async fn replace_roster(
        &self,
        roster: &Roster,
        entries: &[RosterEntry],
        events: &[DomainEvent],
    ) -> anyhow::Result<()> {
        let keys = self.personal_data_keys()?;
        // Sealed before the transaction: thousands of values take a moment, and the lock need
        // not wait for them.
        let rows = entries
            .iter()
            .map(|e| entry_row(keys, e))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let head = unit_roster::ActiveModel {
            unit_id: Set(roster.unit_id.as_uuid()),
            entries: Set(i32::try_from(roster.entries)?),
            uploaded_by: Set(roster.uploaded_by.as_uuid()),
            uploaded_at: Set(roster.uploaded_at),
        };
        let txn = self.begin_write().await?;
        unit_roster::Entity::insert(head)
            .on_conflict(
                OnConflict::column(unit_roster::Column::UnitId)
                    .update_columns([
                        unit_roster::Column::Entries,
                        unit_roster::Column::UploadedBy,
                        unit_roster::Column::UploadedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        unit_roster_entry::Entity::delete_many()
            .filter(unit_roster_entry::Column::UnitId.eq(roster.unit_id.as_uuid()))
            .exec(&txn)
            .await?;
        insert_chunked(&txn, rows).await?;
        outbox::record(&txn, events).await?;
        self.commit_with_events(txn).await?;
        Ok(())
    }

    async fn roster_of(&self, unit: UnitId) -> anyhow::Result<Option<Roster>> {
        unit_roster::Entity::find_by_id(unit.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_roster)
            .transpose()
    }

    async fn list_roster(
        &self,
        unit: UnitId,
        status: Option<RosterStatus>,
        page: PageRequest,
    ) -> anyhow::Result<Page<RosterLine>> {
        let keys = self.personal_data_keys()?;
        let mut select =
            unit_roster_entry::Entity::find().filter(unit_roster_entry::Column::UnitId.eq(unit.as_uuid()));
        select = match status {
            None => select,
            Some(RosterStatus::Reported) => select.filter(Expr::exists(open_report_of_entry())),
            Some(RosterStatus::NotReported) => select.filter(Expr::exists(open_report_of_entry()).not()),
        };
        let rows = keyset_page(&self.conn, select, unit_roster_entry::Column::Id, page, |r| r.id).await?;

        // The users behind the page's phones, and their reports naming the unit.
        let mut indexes: Vec<String> = rows.items.iter().map(|r| r.phone_index.clone()).collect();
        indexes.sort();
        indexes.dedup();
        let users: Vec<(Uuid, Option<String>)> = if indexes.is_empty() {
            Vec::new()
        } else {
            user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .column(user::Column::PhoneIndex)
                .filter(user::Column::PhoneIndex.is_in(indexes))
                .into_tuple()
                .all(&self.conn)
                .await?
        };
        let reports: Vec<MemberReport> = if users.is_empty() {
            Vec::new()
        } else {
            member_report::Entity::find()
                .filter(member_report::Column::UnitId.eq(unit.as_uuid()))
                .filter(member_report::Column::UserId.is_in(users.iter().map(|(id, _)| *id)))
                .order_by_asc(member_report::Column::Id)
                .all(&self.conn)
                .await?
                .into_iter()
                .map(to_report)
                .collect::<anyhow::Result<_>>()?
        };
        let mut users_by_index: HashMap<&str, Vec<UserId>> = HashMap::new();
        for (id, index) in &users {
            if let Some(index) = index {
                users_by_index
                    .entry(index.as_str())
                    .or_default()
                    .push(UserId::from_uuid(*id));
            }
        }
        let items = rows
            .items
            .iter()
            .map(|row| {
                let people = users_by_index
                    .get(row.phone_index.as_str())
                    .map_or(&[][..], Vec::as_slice);
                // The open report if there is one, else the latest (ids sort by filing).
                let report = reports
                    .iter()
                    .filter(|r| people.contains(&r.user_id))
                    .max_by_key(|r| (r.status.is_open(), r.id))
                    .cloned();
                RosterLine {
                    entry: to_entry(keys, row),
                    report,
                }
            })
            .collect();
        Ok(Page {
            items,
            next_after: rows.next_after,
        })
    }
}

impl Database {
    /// Rotation for rosters, as [`Database::reseal_personal_data`] is for users: seals again
    /// under the current key every name and phone sealed under an older one, and recomputes
    /// every phone index (after a change of the index key, without which entries would no
    /// longer meet their users). Values that do not open are counted, logged and left alone.
    pub async fn reseal_roster_entries(&self) -> anyhow::Result<SealReport> {
        let keys = self.personal_data_keys()?;
        let mut report = SealReport::default();
        let mut after: Option<Uuid> = None;
        loop {
            let mut query = unit_roster_entry::Entity::find()
                .order_by_asc(unit_roster_entry::Column::Id)
                .limit(PAGE);
            if let Some(after) = after {
                query = query.filter(unit_roster_entry::Column::Id.gt(after));
            }
            let rows = query.all(&self.conn).await?;
            let Some(last) = rows.last() else {
                return Ok(report);
            };
            after = Some(last.id);
            for row in &rows {
                report.rows += 1;
                let (name_context, phone_context) = (name_context(row.id), phone_context(row.id));
                let (name, phone) = match (
                    keys.key_ring().reseal(&row.name_sealed, &name_context),
                    keys.open(&row.phone_sealed, &phone_context),
                ) {
                    (Ok(name), Ok(phone)) => (name, phone),
                    (name, phone) => {
                        let error = name.err().or(phone.err()).map(|e| e.to_string());
                        tracing::error!(roster_entry_id = %row.id, error, "a sealed roster value does not open");
                        report.unreadable += 1;
                        continue;
                    }
                };
                let mut update = unit_roster_entry::Entity::update_many()
                    .filter(unit_roster_entry::Column::Id.eq(row.id))
                    .filter(unit_roster_entry::Column::PhoneSealed.eq(row.phone_sealed.clone()));
                let mut changed = false;
                if let Some(name) = name {
                    update = update.col_expr(unit_roster_entry::Column::NameSealed, Expr::value(name));
                    report.sealed += 1;
                    changed = true;
                }
                if let Some(resealed) = keys.key_ring().reseal(&row.phone_sealed, &phone_context)? {
                    update = update.col_expr(unit_roster_entry::Column::PhoneSealed, Expr::value(resealed));
                    report.sealed += 1;
                    changed = true;
                }
                let index = keys.blind_index(&phone);
                if index != row.phone_index {
                    update = update.col_expr(unit_roster_entry::Column::PhoneIndex, Expr::value(index));
                    report.reindexed += 1;
                    changed = true;
                }
                if changed {
                    update.exec(&self.conn).await?;
                }
            }
        }
    }
}
