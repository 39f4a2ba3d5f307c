//! `GET /stats/coverage`: how far the Party organisation reaches into the grids.

use linli_kernel::actor::Reach;
use linli_kernel::ports::{Clock, PersonDirectory};
use linli_kernel::{Actor, CommunityId, Permission, SubdistrictId};
use tracing::instrument;

use super::{StructureService, guard};
use crate::models::CoverageStats;
use crate::ports::StructureRepository;
use crate::{GridError, Resource};

impl<R, P, C> StructureService<R, P, C>
where
    R: StructureRepository,
    P: PersonDirectory,
    C: Clock,
{
    /// The figures of one community, one subdistrict, or (with neither) the actor's whole
    /// scope: the district for a district admin.
    #[instrument(skip_all, err)]
    pub async fn coverage(
        &self,
        actor: &Actor,
        community_id: Option<CommunityId>,
        subdistrict_id: Option<SubdistrictId>,
    ) -> Result<CoverageStats, GridError> {
        let reach = match (community_id, subdistrict_id) {
            (Some(_), Some(_)) => {
                return Err(linli_kernel::ValidationError::new(
                    "community_id",
                    "give community_id or subdistrict_id, not both",
                )
                .into());
            }
            (Some(id), None) => {
                let community = self
                    .repo
                    .find_community(id)
                    .await?
                    .ok_or(GridError::NotFound(Resource::Community))?;
                guard(
                    actor,
                    Permission::ViewStats,
                    &community.path(),
                    Resource::Community,
                )?;
                Reach::at(&community.path())
            }
            (None, Some(id)) => {
                self.repo
                    .find_subdistrict(id)
                    .await?
                    .ok_or(GridError::NotFound(Resource::Subdistrict))?;
                let path = linli_kernel::ScopePath::subdistrict(id);
                guard(actor, Permission::ViewStats, &path, Resource::Subdistrict)?;
                Reach::at(&path)
            }
            (None, None) => {
                let reach = actor.reach(Permission::ViewStats);
                if reach.is_empty() {
                    return Err(GridError::Forbidden);
                }
                reach
            }
        };
        Ok(self.repo.coverage(&reach).await?)
    }
}
