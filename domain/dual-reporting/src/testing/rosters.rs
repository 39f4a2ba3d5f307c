//! In-memory rosters and transferred members. A roster entry is matched to the reports of the
//! users whose phone (`Rows::phones`, see [`InMemoryDualReporting::bind_phone`]) is its own.

use linli_kernel::testing::lock;
use linli_kernel::{DomainEvent, Page, PageRequest, UnitId, UserId};

use super::InMemoryDualReporting;
use crate::error::WriteError;
use crate::models::{MemberReport, TransferredMemberId};
use crate::ports::{RosterRepository, TransferredFilter, TransferredMemberRepository};
use crate::roster::{Roster, RosterEntry, RosterLine, RosterStatus, normalized_mobile};
use crate::transferred::{TransferStatus, TransferredMember};

impl InMemoryDualReporting {
    /// Records that `user` bound `phone`, as identity keeps it.
    pub fn bind_phone(&self, user: UserId, phone: &str) {
        lock(&self.0).phones.push((user, phone.to_owned()));
    }

    pub fn transferred(&self, id: TransferredMemberId) -> Option<TransferredMember> {
        lock(&self.0).transferred.iter().find(|t| t.id == id).cloned()
    }

    /// The unit's stored entries, in order.
    pub fn roster_entries(&self, unit: UnitId) -> Vec<RosterEntry> {
        lock(&self.0)
            .roster_entries
            .iter()
            .filter(|e| e.unit_id == unit)
            .cloned()
            .collect()
    }
}

impl TransferredMemberRepository for InMemoryDualReporting {
    async fn insert_transferred(
        &self,
        member: &TransferredMember,
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        if rows
            .transferred
            .iter()
            .any(|t| t.user_id == member.user_id && t.is_active())
        {
            return Err(WriteError::TransferredMemberExists);
        }
        if rows
            .reports
            .iter()
            .any(|r| r.user_id == member.user_id && r.status.is_open())
        {
            return Err(WriteError::OpenReportExists);
        }
        rows.transferred.push(member.clone());
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn find_transferred(&self, id: TransferredMemberId) -> anyhow::Result<Option<TransferredMember>> {
        Ok(self.transferred(id))
    }

    async fn active_transferred_of(&self, user: UserId) -> anyhow::Result<Option<TransferredMember>> {
        Ok(lock(&self.0)
            .transferred
            .iter()
            .find(|t| t.user_id == user && t.is_active())
            .cloned())
    }

    async fn list_transferred(
        &self,
        filter: &TransferredFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<TransferredMember>> {
        let rows: Vec<TransferredMember> = lock(&self.0)
            .transferred
            .iter()
            .filter(|t| filter.reach.covers(&t.place) || filter.own == Some(t.user_id))
            .filter(|t| filter.community_id.is_none_or(|c| t.community_id() == Some(c)))
            .filter(|t| filter.status.is_none_or(|s| t.status == s))
            .filter(|t| page.after().is_none_or(|after| t.id.as_uuid() > after))
            .take(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX))
            .cloned()
            .collect();
        Ok(Page::from_rows(rows, page, |t| t.id.as_uuid()))
    }

    async fn transition_transferred(
        &self,
        member: &TransferredMember,
        from: TransferStatus,
        events: &[DomainEvent],
    ) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        let Some(stored) = rows
            .transferred
            .iter_mut()
            .find(|t| t.id == member.id && t.status == from)
        else {
            return Ok(false);
        };
        *stored = member.clone();
        rows.events.extend_from_slice(events);
        Ok(true)
    }

    async fn discard_transferred(&self, id: TransferredMemberId) -> anyhow::Result<()> {
        lock(&self.0).transferred.retain(|t| t.id != id);
        Ok(())
    }
}

impl RosterRepository for InMemoryDualReporting {
    async fn replace_roster(
        &self,
        roster: &Roster,
        entries: &[RosterEntry],
        events: &[DomainEvent],
    ) -> anyhow::Result<()> {
        let mut rows = lock(&self.0);
        rows.rosters.retain(|r| r.unit_id != roster.unit_id);
        rows.rosters.push(roster.clone());
        rows.roster_entries.retain(|e| e.unit_id != roster.unit_id);
        rows.roster_entries.extend_from_slice(entries);
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn roster_of(&self, unit: UnitId) -> anyhow::Result<Option<Roster>> {
        Ok(lock(&self.0).rosters.iter().find(|r| r.unit_id == unit).cloned())
    }

    async fn list_roster(
        &self,
        unit: UnitId,
        status: Option<RosterStatus>,
        page: PageRequest,
    ) -> anyhow::Result<Page<RosterLine>> {
        let rows = lock(&self.0);
        let matched = |entry: &RosterEntry| -> Option<MemberReport> {
            let users: Vec<UserId> = rows
                .phones
                .iter()
                .filter(|(_, phone)| normalized_mobile(phone).as_deref() == Some(entry.phone.as_str()))
                .map(|(user, _)| *user)
                .collect();
            let mut reports: Vec<&MemberReport> = rows
                .reports
                .iter()
                .filter(|r| r.unit_id == unit && users.contains(&r.user_id))
                .collect();
            reports.sort_by_key(|r| (r.status.is_open(), r.id));
            reports.last().map(|r| (*r).clone())
        };
        let lines: Vec<RosterLine> = rows
            .roster_entries
            .iter()
            .filter(|e| e.unit_id == unit)
            .filter(|e| page.after().is_none_or(|after| e.id.as_uuid() > after))
            .map(|entry| RosterLine {
                report: matched(entry),
                entry: entry.clone(),
            })
            .filter(|line| match status {
                None => true,
                Some(RosterStatus::Reported) => line.reported(),
                Some(RosterStatus::NotReported) => !line.reported(),
            })
            .take(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX))
            .collect();
        Ok(Page::from_rows(lines, page, |l| l.entry.id.as_uuid()))
    }
}
