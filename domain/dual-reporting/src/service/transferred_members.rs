//! Transferred members (组织关系转入): a community admin registers a Party member whose
//! organisation relation moved to the community as the community's own member, assigned to
//! one of its grids; registering grants `party_member` in the community, withdrawing takes it
//! back.
//!
//! The rules:
//! - Only an administrator over the community registers and withdraws (404 for a community
//!   outside one's sight, 403 for one seen but not administered).
//! - The person must already be someone the admin covers (lives or holds a role in their
//!   scope), as for grid teams: registering does not pull anyone into scope. There is no
//!   invitation to fall back on (`party_member` is nobody's to appoint), so anyone else, and
//!   an unknown user id alike, is refused ([`DualReportingError::PersonNotCovered`]); the
//!   person first records their residence in the community. Nobody registers themselves
//!   (forbidden, as nobody grants their own role).
//! - The grid must be one of the community's (checked through the scope directory). The
//!   grid's Party branch is the grid context's to know, and a grid belongs to one branch at
//!   most, so a registration stores the grid only: its branch follows from it.
//! - They must have given their real name and bound a phone, as a reporter must.
//! - A person is a Party member of the district one way at a time: an active registration
//!   and an open member report exclude each other, and storage keeps that under concurrency
//!   (see the port).

use chrono::NaiveDate;
use linli_kernel::people::{PersonRecord, PersonView};
use linli_kernel::ports::{Clock, GrantStore, PersonDirectory, ScopeDirectory};
use linli_kernel::text::checked_text;
use linli_kernel::{
    Actor, CommunityId, GridId, Page, PageRequest, Permission, PlacedGrant, Role, RoleGrant, Rule, Scope,
    UserId, ValidationError,
};
use tracing::instrument;

use super::people::{community_place, missing_profile, party_member_set, whole};
use crate::error::WriteError;
use crate::events::transferred_member_events;
use crate::models::TransferredMemberId;
use crate::ports::{TransferredFilter, TransferredMemberRepository};
use crate::rights::denied;
use crate::transferred::{TransferStatus, TransferredMember};
use crate::{DualReportingError, Resource};

/// The earliest day a relation can have moved: the Party's founding.
const EARLIEST_TRANSFER: NaiveDate = match NaiveDate::from_ymd_opt(1921, 7, 1) {
    Some(day) => day,
    None => NaiveDate::MIN,
};

/// A registration as the community admin enters it.
#[derive(Debug, Clone)]
pub struct NewTransferredMember {
    pub user_id: UserId,
    pub community_id: CommunityId,
    pub grid_id: GridId,
    pub transferred_on: NaiveDate,
    pub from_organisation: String,
}

/// A registration with its person as one viewer may see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferredMemberView {
    pub member: TransferredMember,
    pub person: PersonView,
}

/// The narrowing a listing asks for, inside what the viewer may see anyway.
#[derive(Debug, Clone, Copy, Default)]
pub struct TransferredQuery {
    pub community_id: Option<CommunityId>,
    pub status: Option<TransferStatus>,
}

pub struct TransferredMemberService<T, D, P, G, C> {
    members: T,
    directory: D,
    people: P,
    grants: G,
    clock: C,
}

fn community_of(member: &TransferredMember) -> Result<CommunityId, DualReportingError> {
    member
        .community_id()
        .ok_or_else(|| anyhow::anyhow!("a transferred member without a community").into())
}

impl<T, D, P, G, C> TransferredMemberService<T, D, P, G, C>
where
    T: TransferredMemberRepository,
    D: ScopeDirectory,
    P: PersonDirectory,
    G: GrantStore,
    C: Clock,
{
    pub fn new(members: T, directory: D, people: P, grants: G, clock: C) -> Self {
        Self {
            members,
            directory,
            people,
            grants,
            clock,
        }
    }

    /// Registers a transferred member in the community and grants them `party_member` there.
    /// Of two registrations of one person at once, one stands and the other is told the
    /// person is registered.
    #[instrument(skip_all, err)]
    pub async fn register(
        &self,
        actor: &Actor,
        new: NewTransferredMember,
    ) -> Result<TransferredMemberView, DualReportingError> {
        let community = self
            .directory
            .describe(Scope::Community(new.community_id))
            .await?
            .ok_or(DualReportingError::NotFound(Resource::Community))?;
        actor
            .check(Permission::ManageStructure, &community.path)
            .map_err(|d| denied(d, Resource::Community))?;
        if new.user_id == actor.user_id() {
            return Err(DualReportingError::Forbidden);
        }
        let from_organisation = checked_text("from_organisation", &new.from_organisation, 1, 64)?;
        let now = self.clock.now();
        // Not in the future, nor before the Party was founded (a typo in the year).
        let (earliest, today) = (EARLIEST_TRANSFER, now.date_naive());
        if !(earliest..=today).contains(&new.transferred_on) {
            return Err(
                ValidationError::new("transferred_at", Rule::Range, "must be a past day")
                    .with("min", earliest.to_string())
                    .with("max", today.to_string())
                    .into(),
            );
        }
        let grid = self
            .directory
            .describe(Scope::Grid(new.grid_id))
            .await?
            .filter(|g| g.path.community == Some(new.community_id))
            .ok_or(DualReportingError::GridOutsideCommunity(new.grid_id))?;
        let person = self.covered_person(actor, new.user_id).await?;
        let missing = missing_profile(&person);
        if !missing.is_empty() {
            return Err(DualReportingError::PersonProfileIncomplete(missing));
        }

        let member = TransferredMember {
            id: TransferredMemberId::new(),
            user_id: new.user_id,
            place: grid.path,
            from_organisation,
            transferred_on: new.transferred_on,
            status: TransferStatus::Active,
            registered_by: actor.user_id(),
            registered_at: now,
            withdrawn_by: None,
            withdrawn_at: None,
            reason: None,
        };
        // Storage decides between concurrent registrations and filings; the grant follows
        // the registration that stands, so a loser never touches the winner's grant.
        self.members
            .insert_transferred(&member, &[])
            .await
            .map_err(|e| match e {
                WriteError::OpenReportExists => DualReportingError::MemberReportOpen,
                other => other.into(),
            })?;
        let announced = member.clone();
        let granted = self
            .grant(actor, &member, move |_, _| {
                transferred_member_events(&announced, now)
            })
            .await;
        if let Err(e) = granted {
            // Without the grant the registration does not stand.
            let _ = self.members.discard_transferred(member.id).await;
            return Err(e);
        }
        // A withdrawal may have come between the registration and the grant, and found
        // nothing to revoke: then the grant must go too.
        let stored = self.members.find_transferred(member.id).await?;
        if stored.is_some_and(|m| m.status != TransferStatus::Active) {
            self.grants
                .replace_grants(
                    Some(actor.user_id()),
                    &party_member_set(member.user_id, new.community_id),
                    Vec::new(),
                    |_, _| Vec::new(),
                )
                .await?;
        }
        self.view(actor, member, &person)
    }

    /// Grants the member `party_member` in their community (kept if they hold it already).
    async fn grant<F>(
        &self,
        actor: &Actor,
        member: &TransferredMember,
        events: F,
    ) -> Result<(), DualReportingError>
    where
        F: FnOnce(&[RoleGrant], &[RoleGrant]) -> Vec<linli_kernel::DomainEvent> + Send,
    {
        let community = community_of(member)?;
        let grant = RoleGrant::new(
            member.user_id,
            Role::PartyMember,
            Scope::Community(community),
            Some(actor.user_id()),
            self.clock.now(),
        )
        .map_err(|e| DualReportingError::Unknown(e.into()))?;
        let placed = PlacedGrant {
            grant,
            path: community_place(&member.place),
        };
        self.grants
            .replace_grants(
                Some(actor.user_id()),
                &party_member_set(member.user_id, community),
                vec![placed],
                events,
            )
            .await?;
        Ok(())
    }

    /// The person, if the actor covers them; anyone else, known or not, is answered alike.
    async fn covered_person(&self, actor: &Actor, user: UserId) -> Result<PersonRecord, DualReportingError> {
        self.people
            .people(&[user])
            .await?
            .into_iter()
            .find(|p| p.id == user && p.is_covered_by(actor))
            .ok_or(DualReportingError::PersonNotCovered)
    }

    fn view(
        &self,
        actor: &Actor,
        member: TransferredMember,
        person: &PersonRecord,
    ) -> Result<TransferredMemberView, DualReportingError> {
        let person = if sees_whole(actor, &member) {
            whole(person)
        } else {
            person.view_for(actor)
        };
        Ok(TransferredMemberView { member, person })
    }

    /// The registrations the actor may see (in communities where they see people whole, and
    /// their own), narrowed by `query`.
    pub async fn list(
        &self,
        actor: &Actor,
        query: TransferredQuery,
        page: PageRequest,
    ) -> Result<Page<TransferredMemberView>, DualReportingError> {
        let filter = TransferredFilter {
            reach: actor.reach(Permission::ViewPersonalData),
            own: Some(actor.user_id()),
            community_id: query.community_id,
            status: query.status,
        };
        let members = self.members.list_transferred(&filter, page).await?;
        let mut ids: Vec<UserId> = members.items.iter().map(|m| m.user_id).collect();
        ids.sort();
        ids.dedup();
        let people = self.people.people(&ids).await?;
        let items = members
            .items
            .into_iter()
            .map(|member| {
                let person = match people.iter().find(|p| p.id == member.user_id) {
                    Some(person) if sees_whole(actor, &member) => whole(person),
                    Some(person) => person.view_for(actor),
                    None => PersonView::hidden(member.user_id),
                };
                TransferredMemberView { member, person }
            })
            .collect();
        Ok(Page {
            items,
            next_after: members.next_after,
        })
    }

    /// Withdraws an active registration (the person moved away, or was entered by mistake):
    /// an administrator over the community. The person loses `party_member` there, and may
    /// be registered again or report as an in-service member.
    #[instrument(skip_all, err)]
    pub async fn withdraw(
        &self,
        actor: &Actor,
        id: TransferredMemberId,
        reason: &str,
    ) -> Result<TransferredMemberView, DualReportingError> {
        let member = self
            .members
            .find_transferred(id)
            .await?
            .filter(|m| sees_whole(actor, m))
            .ok_or(DualReportingError::NotFound(Resource::TransferredMember))?;
        if !actor.can(Permission::ManageStructure, &member.place) {
            return Err(DualReportingError::Forbidden);
        }
        if member.status != TransferStatus::Active {
            return Err(DualReportingError::TransferState(member.status));
        }
        let reason = checked_text("reason", reason, 0, 200)?;
        let community = community_of(&member)?;
        let now = self.clock.now();
        let withdrawn = TransferredMember {
            status: TransferStatus::Withdrawn,
            withdrawn_by: Some(actor.user_id()),
            withdrawn_at: Some(now),
            reason: (!reason.is_empty()).then_some(reason),
            ..member.clone()
        };
        if !self
            .members
            .transition_transferred(&withdrawn, TransferStatus::Active, &[])
            .await?
        {
            return Err(DualReportingError::TransferState(TransferStatus::Withdrawn));
        }
        let announced = withdrawn.clone();
        let revoked = self
            .grants
            .replace_grants(
                Some(actor.user_id()),
                &party_member_set(member.user_id, community),
                Vec::new(),
                move |_, _| transferred_member_events(&announced, now),
            )
            .await;
        if let Err(e) = revoked {
            // The person keeps the role, so the registration stays active.
            let _ = self
                .members
                .transition_transferred(&member, TransferStatus::Withdrawn, &[])
                .await;
            return Err(e.into());
        }
        // A new registration of the person in the community may have granted between our
        // transition and our revocation, and lost its grant to it: then it is granted again.
        // (Any registration after this look grants on its own, as replacements take turns.)
        if let Some(again) = self.members.active_transferred_of(member.user_id).await?
            && again.community_id() == Some(community)
        {
            self.grant(actor, &again, |_, _| Vec::new()).await?;
        }
        let person = self.people.people(&[member.user_id]).await?.into_iter().next();
        Ok(TransferredMemberView {
            person: person.map_or_else(|| PersonView::hidden(withdrawn.user_id), |p| whole(&p)),
            member: withdrawn,
        })
    }
}

/// Whether the actor sees this registration's person whole: the person, staff over the
/// community.
fn sees_whole(actor: &Actor, member: &TransferredMember) -> bool {
    actor.user_id() == member.user_id || actor.can(Permission::ViewPersonalData, &member.place)
}
