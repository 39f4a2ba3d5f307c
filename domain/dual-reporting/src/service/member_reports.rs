//! Member reports: an in-service Party member reports to the community where they live, the
//! community receives (accepts with an assignment, or rejects), and the member may later be
//! withdrawn. Accepting grants `party_member` in the community; withdrawing takes it back.

use linli_kernel::people::{PersonRecord, PersonView};
use linli_kernel::ports::{Clock, GrantStore, PersonDirectory, ScopeDirectory};
use linli_kernel::text::checked_text;
use linli_kernel::{
    Actor, CommunityId, GridId, Page, PageRequest, Permission, PlacedGrant, Role, RoleGrant, Scope, UnitId,
};
use tracing::instrument;

use super::people::{community_place, missing_profile, party_member_set, whole};
use crate::events::member_report_events;
use crate::models::{Assignment, CategoryKey, MemberReport, MemberReportId, ReportStatus, checked_skills};
use crate::ports::{
    CategoryRepository, MemberReportRepository, ReportFilter, TransferredMemberRepository, UnitRepository,
};
use crate::rights::{administered_units, administers_unit};
use crate::{DualReportingError, Resource};

/// A report as the member files it.
#[derive(Debug, Clone)]
pub struct NewMemberReport {
    pub unit_id: UnitId,
    pub community_id: CommunityId,
    pub skills: Vec<String>,
    pub availability: String,
    pub note: String,
}

/// A report with its member as one viewer may see them: whole for the member, the staff over
/// the community and the unit's admins; masked for anyone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberReportView {
    pub report: MemberReport,
    pub member: PersonView,
}

/// The narrowing a listing asks for, inside what the viewer may see anyway.
/// The narrowing a listing asks for, inside what the viewer may see anyway: the member bank's
/// filters (在职党员信息资源库).
#[derive(Debug, Clone, Default)]
pub struct ReportQuery {
    pub community_id: Option<CommunityId>,
    pub unit_id: Option<UnitId>,
    pub status: Option<ReportStatus>,
    pub grid_id: Option<GridId>,
    /// One of the skills the member gave, exactly.
    pub skill: Option<String>,
    pub category: Option<CategoryKey>,
}

pub struct MemberReportService<R, U, K, D, P, G, C> {
    pub(crate) reports: R,
    pub(crate) units: U,
    pub(crate) categories: K,
    pub(crate) directory: D,
    pub(crate) people: P,
    pub(crate) grants: G,
    pub(crate) clock: C,
}

/// Whether the actor sees this report's member whole: the member, staff over the community,
/// the admins of the member's unit.
fn sees_whole(actor: &Actor, report: &MemberReport) -> bool {
    actor.user_id() == report.user_id
        || actor.can(Permission::ViewPersonalData, &report.place)
        || administers_unit(actor, report.unit_id)
}

impl<R, U, K, D, P, G, C> MemberReportService<R, U, K, D, P, G, C>
where
    R: MemberReportRepository + TransferredMemberRepository,
    U: UnitRepository,
    K: CategoryRepository,
    D: ScopeDirectory,
    P: PersonDirectory,
    G: GrantStore,
    C: Clock,
{
    pub fn new(reports: R, units: U, categories: K, directory: D, people: P, grants: G, clock: C) -> Self {
        Self {
            reports,
            units,
            categories,
            directory,
            people,
            grants,
            clock,
        }
    }

    /// Files the actor's report. They must have given their real name and bound a phone, and
    /// have no other open report.
    #[instrument(skip_all, err)]
    pub async fn file(
        &self,
        actor: &Actor,
        new: NewMemberReport,
    ) -> Result<MemberReportView, DualReportingError> {
        let skills = checked_skills(&new.skills)?;
        let availability = checked_text("availability", &new.availability, 0, 64)?;
        let note = checked_text("note", &new.note, 0, 200)?;
        let me = self.person(actor).await?;
        let missing = missing_profile(&me);
        if !missing.is_empty() {
            return Err(DualReportingError::ProfileIncomplete(missing));
        }
        if self.units.find_unit(new.unit_id).await?.is_none() {
            return Err(DualReportingError::NotFound(Resource::Unit));
        }
        let community = self
            .directory
            .describe(Scope::Community(new.community_id))
            .await?
            .ok_or(DualReportingError::NotFound(Resource::Community))?;
        let now = self.clock.now();
        let report = MemberReport {
            id: MemberReportId::new(),
            user_id: actor.user_id(),
            unit_id: new.unit_id,
            place: community.path,
            skills,
            availability,
            note,
            status: ReportStatus::Submitted,
            assignment: None,
            reason: None,
            filed_at: now,
            decided_by: None,
            decided_at: None,
        };
        self.reports
            .insert_report(&report, &member_report_events(&report, now))
            .await?;
        Ok(MemberReportView {
            member: whole(&me),
            report,
        })
    }

    async fn person(&self, actor: &Actor) -> Result<PersonRecord, DualReportingError> {
        self.people
            .people(&[actor.user_id()])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                DualReportingError::Unknown(anyhow::anyhow!("the actor {} is not a user", actor.user_id()))
            })
    }

    /// The reports the actor may see (to communities where they see people whole, of units
    /// they administer, their own), narrowed by `query`.
    pub async fn list(
        &self,
        actor: &Actor,
        query: ReportQuery,
        page: PageRequest,
    ) -> Result<Page<MemberReportView>, DualReportingError> {
        let filter = ReportFilter {
            reach: actor.reach(Permission::ViewPersonalData),
            units: administered_units(actor),
            own: Some(actor.user_id()),
            community_id: query.community_id,
            unit_id: query.unit_id,
            status: query.status,
            grid_id: query.grid_id,
            skill: query.skill,
            category: query.category,
        };
        let reports = self.reports.list_reports(&filter, page).await?;
        let items = self.views(actor, reports.items).await?;
        Ok(Page {
            items,
            next_after: reports.next_after,
        })
    }

    pub async fn get(
        &self,
        actor: &Actor,
        id: MemberReportId,
    ) -> Result<MemberReportView, DualReportingError> {
        let report = self.visible(actor, id).await?;
        let mut views = self.views(actor, vec![report]).await?;
        views
            .pop()
            .ok_or(DualReportingError::NotFound(Resource::MemberReport))
    }

    async fn visible(&self, actor: &Actor, id: MemberReportId) -> Result<MemberReport, DualReportingError> {
        self.reports
            .find_report(id)
            .await?
            .filter(|r| sees_whole(actor, r))
            .ok_or(DualReportingError::NotFound(Resource::MemberReport))
    }

    async fn views(
        &self,
        actor: &Actor,
        reports: Vec<MemberReport>,
    ) -> Result<Vec<MemberReportView>, DualReportingError> {
        let mut ids: Vec<_> = reports.iter().map(|r| r.user_id).collect();
        ids.sort();
        ids.dedup();
        let people = self.people.people(&ids).await?;
        Ok(reports
            .into_iter()
            .map(|report| {
                let member = match people.iter().find(|p| p.id == report.user_id) {
                    Some(person) if sees_whole(actor, &report) => whole(person),
                    Some(person) => person.view_for(actor),
                    None => PersonView::hidden(report.user_id),
                };
                MemberReportView { report, member }
            })
            .collect())
    }

    /// A report the actor may decide on: an administrator over its community, never on their
    /// own report (accepting it would grant themselves `party_member`; no one grants their own
    /// role). Someone who may see it but not decide is forbidden; anyone else is told it is not
    /// there.
    async fn to_decide(&self, actor: &Actor, id: MemberReportId) -> Result<MemberReport, DualReportingError> {
        let report = self.visible(actor, id).await?;
        if report.user_id != actor.user_id() && actor.can(Permission::ManageStructure, &report.place) {
            Ok(report)
        } else {
            Err(DualReportingError::Forbidden)
        }
    }

    /// Writes `next` if the report is still `from`; otherwise says what it became meanwhile.
    async fn move_on(
        &self,
        next: &MemberReport,
        from: ReportStatus,
        events: &[linli_kernel::DomainEvent],
    ) -> Result<(), DualReportingError> {
        if self.reports.transition(next, from, events).await? {
            return Ok(());
        }
        let now = self
            .reports
            .find_report(next.id)
            .await?
            .map_or(from, |r| r.status);
        Err(DualReportingError::ReportState(now))
    }

    /// Accepts a submitted report, assigning the member to a grid of the community, a service
    /// category and a post; grants them `party_member` in the community. Of two admins
    /// accepting at once, one succeeds and the other is told the report is accepted.
    #[instrument(skip_all, err)]
    pub async fn accept(
        &self,
        actor: &Actor,
        id: MemberReportId,
        grid_id: GridId,
        category: &str,
        post: &str,
    ) -> Result<MemberReportView, DualReportingError> {
        let report = self.to_decide(actor, id).await?;
        if report.status != ReportStatus::Submitted {
            return Err(DualReportingError::ReportState(report.status));
        }
        let category = CategoryKey::parse("category", category)?;
        let assignment = Assignment::new(grid_id, category, post)?;
        if self
            .categories
            .find_category(&assignment.category)
            .await?
            .is_none()
        {
            return Err(DualReportingError::UnknownCategory(
                assignment.category.to_string(),
            ));
        }
        let community = report
            .community_id()
            .ok_or_else(|| anyhow::anyhow!("a report without a community"))?;
        let grid = self.directory.describe(Scope::Grid(grid_id)).await?;
        let Some(grid) = grid.filter(|g| g.path.community == Some(community)) else {
            return Err(DualReportingError::GridOutsideCommunity(grid_id));
        };
        let now = self.clock.now();
        let accepted = MemberReport {
            status: ReportStatus::Accepted,
            place: grid.path,
            assignment: Some(assignment),
            decided_by: Some(actor.user_id()),
            decided_at: Some(now),
            ..report.clone()
        };
        self.move_on(&accepted, ReportStatus::Submitted, &[]).await?;
        // The report is ours to accept now; the grant and the announcement go together.
        let grant = RoleGrant::new(
            report.user_id,
            Role::PartyMember,
            Scope::Community(community),
            Some(actor.user_id()),
            now,
        )
        .map_err(|e| DualReportingError::Unknown(e.into()))?;
        let placed = PlacedGrant {
            grant,
            path: community_place(&report.place),
        };
        let announced = accepted.clone();
        let granted = self
            .grants
            .replace_grants(
                Some(actor.user_id()),
                &party_member_set(report.user_id, community),
                vec![placed],
                move |_, _| member_report_events(&announced, now),
            )
            .await;
        if let Err(e) = granted {
            // Without the grant the acceptance does not stand: the report is submitted again.
            let _ = self
                .reports
                .transition(&report, ReportStatus::Accepted, &[])
                .await;
            return Err(e.into());
        }
        // A withdrawal may have come between our transition and our grant, and revoked
        // before we granted: then the grant must go too. (Any withdrawal after this look
        // revokes on its own, since replacements of the set take turns.)
        let now_stored = self.reports.find_report(id).await?;
        if now_stored.is_some_and(|r| r.status != ReportStatus::Accepted) {
            self.grants
                .replace_grants(
                    Some(actor.user_id()),
                    &party_member_set(report.user_id, community),
                    Vec::new(),
                    |_, _| Vec::new(),
                )
                .await?;
        }
        self.get(actor, id).await
    }

    /// Rejects a submitted report with a reason the member sees.
    #[instrument(skip_all, err)]
    pub async fn reject(
        &self,
        actor: &Actor,
        id: MemberReportId,
        reason: &str,
    ) -> Result<MemberReportView, DualReportingError> {
        let report = self.to_decide(actor, id).await?;
        if report.status != ReportStatus::Submitted {
            return Err(DualReportingError::ReportState(report.status));
        }
        let reason = checked_text("reason", reason, 1, 200)?;
        let now = self.clock.now();
        let rejected = MemberReport {
            status: ReportStatus::Rejected,
            reason: Some(reason),
            decided_by: Some(actor.user_id()),
            decided_at: Some(now),
            ..report
        };
        self.move_on(
            &rejected,
            ReportStatus::Submitted,
            &member_report_events(&rejected, now),
        )
        .await?;
        self.get(actor, id).await
    }

    /// Withdraws an open report: the member themselves (they moved, or changed their mind),
    /// or an administrator over the community. An accepted member loses `party_member` there;
    /// they may report anew.
    #[instrument(skip_all, err)]
    pub async fn withdraw(
        &self,
        actor: &Actor,
        id: MemberReportId,
        reason: &str,
    ) -> Result<MemberReportView, DualReportingError> {
        let report = self.visible(actor, id).await?;
        let own = report.user_id == actor.user_id();
        if !own && !actor.can(Permission::ManageStructure, &report.place) {
            return Err(DualReportingError::Forbidden);
        }
        if !report.status.is_open() {
            return Err(DualReportingError::ReportState(report.status));
        }
        let reason = checked_text("reason", reason, 0, 200)?;
        let now = self.clock.now();
        let withdrawn = MemberReport {
            status: ReportStatus::Withdrawn,
            reason: (!reason.is_empty()).then_some(reason),
            decided_by: Some(actor.user_id()),
            decided_at: Some(now),
            ..report.clone()
        };
        if report.status == ReportStatus::Submitted {
            self.move_on(
                &withdrawn,
                ReportStatus::Submitted,
                &member_report_events(&withdrawn, now),
            )
            .await?;
            return self.get(actor, id).await;
        }
        self.move_on(&withdrawn, ReportStatus::Accepted, &[]).await?;
        let community = report
            .community_id()
            .ok_or_else(|| anyhow::anyhow!("a report without a community"))?;
        let announced = withdrawn.clone();
        let revoked = self
            .grants
            .replace_grants(
                Some(actor.user_id()),
                &party_member_set(report.user_id, community),
                Vec::new(),
                move |_, _| member_report_events(&announced, now),
            )
            .await;
        if let Err(e) = revoked {
            // The member keeps the role, so the report stays accepted.
            let _ = self
                .reports
                .transition(&report, ReportStatus::Withdrawn, &[])
                .await;
            return Err(e.into());
        }
        // A registration of the person as a transferred member of the community may have
        // granted between our transition and our revocation, and lost its grant to it: then
        // it is granted again. (A registration after this look grants on its own.)
        if let Some(registered) = self.reports.active_transferred_of(report.user_id).await?
            && registered.community_id() == Some(community)
        {
            let grant = RoleGrant::new(
                report.user_id,
                Role::PartyMember,
                Scope::Community(community),
                Some(actor.user_id()),
                now,
            )
            .map_err(|e| DualReportingError::Unknown(e.into()))?;
            let placed = PlacedGrant {
                grant,
                path: community_place(&report.place),
            };
            self.grants
                .replace_grants(
                    Some(actor.user_id()),
                    &party_member_set(report.user_id, community),
                    vec![placed],
                    |_, _| Vec::new(),
                )
                .await?;
        }
        self.get(actor, id).await
    }
}
