//! Party branches: an independent branch over one grid, or a joint branch over several
//! neighbouring grids of one community. A grid belongs to at most one branch.

use linli_kernel::ports::Clock;
use linli_kernel::{Actor, GridId, Page, PageRequest, PartyBranchId, Permission, ScopePath};
use tracing::instrument;

use super::{guard, visible};
use crate::events::StructureEvent;
use crate::models::{BranchKind, PartyBranch, PlaceName};
use crate::ports::{BranchRepository, ListFilter, PlaceRepository};
use crate::{GridError, Resource};

/// A branch as one actor sees it: only the grids it covers (a grid worker in a joint branch
/// sees its own grid), and how many others the branch holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchView {
    pub branch: PartyBranch,
    pub other_grids: usize,
}

impl BranchView {
    pub fn seen_by(actor: &Actor, mut branch: PartyBranch) -> Self {
        let total = branch.grid_ids.len();
        let (subdistrict, community) = (branch.subdistrict_id, branch.community_id);
        branch.grid_ids.retain(|g| {
            actor.can(
                Permission::ViewStructure,
                &ScopePath::grid(subdistrict, community, *g),
            )
        });
        Self {
            other_grids: total - branch.grid_ids.len(),
            branch,
        }
    }
}

pub struct BranchService<P, B, C> {
    places: P,
    branches: B,
    clock: C,
}

impl<P, B, C> BranchService<P, B, C> {
    pub fn new(places: P, branches: B, clock: C) -> Self {
        Self {
            places,
            branches,
            clock,
        }
    }
}

impl<P, B, C> BranchService<P, B, C>
where
    P: PlaceRepository,
    B: BranchRepository,
    C: Clock,
{
    #[instrument(skip_all, err)]
    pub async fn create_branch(
        &self,
        actor: &Actor,
        name: &str,
        kind: BranchKind,
        grid_ids: &[GridId],
    ) -> Result<BranchView, GridError> {
        let name = PlaceName::parse("name", name)?;
        if grid_ids.len() > PartyBranch::MAX_GRIDS {
            return Err(linli_kernel::ValidationError::new(
                "grid_ids",
                linli_kernel::Rule::TooMany,
                format!("a branch covers at most {} grids", PartyBranch::MAX_GRIDS),
            )
            .with("max", PartyBranch::MAX_GRIDS)
            .into());
        }
        let mut wanted = grid_ids.to_vec();
        wanted.sort();
        wanted.dedup();
        if wanted.len() != grid_ids.len() {
            return Err(linli_kernel::ValidationError::new(
                "grid_ids",
                linli_kernel::Rule::Duplicate,
                "a grid is listed twice",
            )
            .into());
        }
        let fits = match kind {
            BranchKind::Independent => wanted.len() == 1,
            BranchKind::Joint => wanted.len() >= 2,
        };
        if !fits {
            return Err(GridError::BranchGridCount);
        }
        let grids = self.places.find_grids(&wanted).await?;
        // Every grid must exist and be visible; one the actor cannot see is "not found".
        for id in &wanted {
            match grids.iter().find(|g| g.id == *id) {
                Some(grid) => guard(actor, Permission::ViewStructure, &grid.path(), Resource::Grid)?,
                None => return Err(GridError::NotFound(Resource::Grid)),
            }
        }
        let Some(first) = grids.first() else {
            return Err(GridError::BranchGridCount);
        };
        if grids.iter().any(|g| g.community_id != first.community_id) {
            return Err(GridError::BranchSpansCommunities);
        }
        guard(actor, Permission::ManageStructure, &first.path(), Resource::Grid)?;
        if let Some((grid, _)) = self.branches.branches_holding(&wanted).await?.first() {
            return Err(GridError::GridAlreadyInBranch(*grid));
        }
        let now = self.clock.now();
        let branch = PartyBranch {
            id: PartyBranchId::new(),
            community_id: first.community_id,
            subdistrict_id: first.subdistrict_id,
            name,
            kind,
            grid_ids: wanted,
            created_at: now,
        };
        let e = StructureEvent::branch_created(&branch).at(now);
        // The check above gives a clear answer; the storage's uniqueness settles races.
        self.branches.insert_branch(&branch, &e).await?;
        Ok(BranchView::seen_by(actor, branch))
    }

    pub async fn branch(&self, actor: &Actor, id: PartyBranchId) -> Result<BranchView, GridError> {
        let found = self.visible_branch(actor, id).await?;
        Ok(BranchView::seen_by(actor, found))
    }

    /// The whole branch, if the actor may see it at all.
    async fn visible_branch(&self, actor: &Actor, id: PartyBranchId) -> Result<PartyBranch, GridError> {
        let found = self
            .branches
            .find_branch(id)
            .await?
            .ok_or(GridError::NotFound(Resource::PartyBranch))?;
        // Grid staff see the branch that covers their grid, as the listing shows it.
        let sees_a_grid = found.grid_ids.iter().any(|g| {
            let grid = ScopePath::grid(found.subdistrict_id, found.community_id, *g);
            actor.can(Permission::ViewStructure, &grid)
        });
        if !sees_a_grid {
            guard(
                actor,
                Permission::ViewStructure,
                &found.path(),
                Resource::PartyBranch,
            )?;
        }
        Ok(found)
    }

    #[instrument(skip_all, err)]
    pub async fn dissolve_branch(&self, actor: &Actor, id: PartyBranchId) -> Result<(), GridError> {
        // Whoever gets past `visible_branch` may see it, so a refusal now is "forbidden".
        let branch = self.visible_branch(actor, id).await?;
        if !actor.can(Permission::ManageStructure, &branch.path()) {
            return Err(GridError::Forbidden);
        }
        let e = StructureEvent::branch_dissolved(&branch).at(self.clock.now());
        if !self.branches.delete_branch(id, &e).await? {
            return Err(GridError::NotFound(Resource::PartyBranch));
        }
        Ok(())
    }

    pub async fn branches(
        &self,
        actor: &Actor,
        community_id: Option<linli_kernel::CommunityId>,
        kind_filter: Option<BranchKind>,
        page: PageRequest,
    ) -> Result<Page<BranchView>, GridError> {
        let Some(filter) = visible(
            actor,
            ListFilter {
                community_id,
                branch_kind: kind_filter,
                ..ListFilter::default()
            },
        ) else {
            return Ok(Page::empty());
        };
        let page = self.branches.list_branches(&filter, page).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|b| BranchView::seen_by(actor, b))
                .collect(),
            next_after: page.next_after,
        })
    }
}
