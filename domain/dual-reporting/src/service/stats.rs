//! `GET /stats/dual-reporting`: the figures of units, members, pledges and the three lists
//! over one community, one subdistrict, or the caller's whole scope, under the same rules as
//! the grid context's coverage figures.

use linli_kernel::actor::Reach;
use linli_kernel::ports::ScopeDirectory;
use linli_kernel::{Actor, CommunityId, Permission, Rule, Scope, SubdistrictId, ValidationError};
use tracing::instrument;

use crate::ports::StatsRepository;
use crate::rights::denied;
use crate::stats::DualReportingStats;
use crate::{DualReportingError, Resource};

pub struct StatsService<D, S> {
    directory: D,
    figures: S,
}

impl<D: ScopeDirectory, S: StatsRepository> StatsService<D, S> {
    pub fn new(directory: D, figures: S) -> Self {
        Self { directory, figures }
    }

    /// The figures of one community, one subdistrict, or (with neither) the actor's whole
    /// scope: the district for a district admin. A place outside the actor's scope is not
    /// found (or forbidden, to staff who see it but may not read its figures).
    #[instrument(skip_all, err)]
    pub async fn stats(
        &self,
        actor: &Actor,
        community_id: Option<CommunityId>,
        subdistrict_id: Option<SubdistrictId>,
    ) -> Result<DualReportingStats, DualReportingError> {
        let reach = match (community_id, subdistrict_id) {
            (Some(_), Some(_)) => {
                return Err(ValidationError::new(
                    "community_id",
                    Rule::MutuallyExclusive,
                    "give community_id or subdistrict_id, not both",
                )
                .with("other", "subdistrict_id")
                .into());
            }
            (Some(id), None) => {
                self.place(actor, Scope::Community(id), Resource::Community)
                    .await?
            }
            (None, Some(id)) => {
                self.place(actor, Scope::Subdistrict(id), Resource::Subdistrict)
                    .await?
            }
            (None, None) => {
                let reach = actor.reach(Permission::ViewStats);
                if reach.is_empty() {
                    return Err(DualReportingError::Forbidden);
                }
                reach
            }
        };
        Ok(self.figures.dual_reporting_stats(&reach).await?)
    }

    async fn place(
        &self,
        actor: &Actor,
        scope: Scope,
        resource: Resource,
    ) -> Result<Reach, DualReportingError> {
        let node = self
            .directory
            .describe(scope)
            .await?
            .ok_or(DualReportingError::NotFound(resource))?;
        actor
            .check(Permission::ViewStats, &node.path)
            .map_err(|denial| denied(denial, resource))?;
        Ok(Reach::at(&node.path))
    }
}
