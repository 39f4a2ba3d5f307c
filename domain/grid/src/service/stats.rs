//! `GET /stats/coverage`: how far the Party organisation reaches into the grids.

use linli_kernel::actor::Reach;
use linli_kernel::{Actor, CommunityId, Permission, SubdistrictId};
use tracing::instrument;

use super::guard;
use crate::models::CoverageStats;
use crate::ports::{CoverageRepository, PlaceRepository};
use crate::{GridError, Resource};

pub struct CoverageService<P, S> {
    places: P,
    figures: S,
}

impl<P, S> CoverageService<P, S> {
    pub fn new(places: P, figures: S) -> Self {
        Self { places, figures }
    }
}

impl<P, S> CoverageService<P, S>
where
    P: PlaceRepository,
    S: CoverageRepository,
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
                    linli_kernel::Rule::MutuallyExclusive,
                    "give community_id or subdistrict_id, not both",
                )
                .with("other", "subdistrict_id")
                .into());
            }
            (Some(id), None) => {
                let community = self
                    .places
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
                self.places
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
        Ok(self.figures.coverage(&reach).await?)
    }
}
