//! Needs (需求清单): what subdistricts and communities ask for, and the offers that match.

use linli_kernel::ports::{Clock, ScopeDirectory};
use linli_kernel::text::checked_text;
use linli_kernel::{Actor, CommunityId, Page, PageRequest, Permission, Scope, SubdistrictId};
use tracing::instrument;

use crate::lists::{Need, NeedId, NeedStatus, Quantity, ResourceKind, Urgency, district_today};
use crate::matching::{Reason, Score, rank};
use crate::ports::{CategoryRepository, NeedFilter, NeedRepository, OfferRepository, UnitRepository};
use crate::rights::{denied, list_reach, sees_listed};
use crate::service::offers::{OfferView, checked_category, offer_views};
use crate::{DualReportingError, Resource};

/// The node that posts a need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedPlace {
    Subdistrict(SubdistrictId),
    Community(CommunityId),
}

/// A need as an administrator posts it.
#[derive(Debug, Clone)]
pub struct NewNeed {
    pub place: NeedPlace,
    pub kind: String,
    pub category: Option<String>,
    pub title: String,
    pub description: String,
    pub urgency: String,
    pub amount: f64,
    pub measure: String,
}

/// The narrowing a listing asks for, inside what the viewer may see anyway.
#[derive(Debug, Clone, Copy, Default)]
pub struct NeedQuery {
    pub status: Option<NeedStatus>,
    pub kind: Option<ResourceKind>,
    pub urgency: Option<Urgency>,
}

/// One open offer as ranked for a need: its place in the ranking (1 is the best), its score
/// and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedOffer {
    pub rank: u32,
    pub offer: OfferView,
    pub score: Score,
    pub reasons: Vec<Reason>,
}

/// The most matches one answer gives.
pub const MAX_MATCHES: usize = 100;

pub struct NeedService<N, O, U, K, D, C> {
    needs: N,
    offers: O,
    units: U,
    categories: K,
    directory: D,
    clock: C,
}

impl<N, O, U, K, D, C> NeedService<N, O, U, K, D, C>
where
    N: NeedRepository,
    O: OfferRepository,
    U: UnitRepository,
    K: CategoryRepository,
    D: ScopeDirectory,
    C: Clock,
{
    pub fn new(needs: N, offers: O, units: U, categories: K, directory: D, clock: C) -> Self {
        Self {
            needs,
            offers,
            units,
            categories,
            directory,
            clock,
        }
    }

    /// Posts a need at a subdistrict or a community: an administrator over it (the
    /// subdistrict's or community's own admin, or the district admin). A node outside the
    /// actor's sight is answered as not there.
    #[instrument(skip_all, err)]
    pub async fn create(&self, actor: &Actor, new: NewNeed) -> Result<Need, DualReportingError> {
        let (scope, resource) = match new.place {
            NeedPlace::Subdistrict(id) => (Scope::Subdistrict(id), Resource::Subdistrict),
            NeedPlace::Community(id) => (Scope::Community(id), Resource::Community),
        };
        let node = self
            .directory
            .describe(scope)
            .await?
            .ok_or(DualReportingError::NotFound(resource))?;
        actor
            .check(Permission::ManageStructure, &node.path)
            .map_err(|denial| denied(denial, resource))?;
        let kind = ResourceKind::parse("kind", &new.kind)?;
        let urgency = Urgency::parse("urgency", &new.urgency)?;
        let title = checked_text("title", &new.title, 1, 64)?;
        let description = checked_text("description", &new.description, 0, 500)?;
        let quantity = Quantity::new(new.amount, &new.measure)?;
        let category = checked_category(&self.categories, new.category.as_deref()).await?;
        let need = Need {
            id: NeedId::new(),
            place: node.path,
            kind,
            category,
            title,
            description,
            urgency,
            quantity,
            status: NeedStatus::Open,
            posted_by: actor.user_id(),
            created_at: self.clock.now(),
        };
        self.needs.insert_need(&need, &[]).await?;
        Ok(need)
    }

    /// A need the actor sees (district staff, administrators over its node); any other is
    /// not there.
    pub async fn get(&self, actor: &Actor, id: NeedId) -> Result<Need, DualReportingError> {
        self.needs
            .find_need(id)
            .await?
            .filter(|n| sees_listed(actor, &n.place))
            .ok_or(DualReportingError::NotFound(Resource::Need))
    }

    /// The needs the actor sees, narrowed by `query`; oldest first.
    pub async fn list(
        &self,
        actor: &Actor,
        query: NeedQuery,
        page: PageRequest,
    ) -> Result<Page<Need>, DualReportingError> {
        let reach = list_reach(actor);
        if reach.is_empty() {
            return Ok(Page::empty());
        }
        let filter = NeedFilter {
            reach,
            status: query.status,
            kind: query.kind,
            urgency: query.urgency,
        };
        Ok(self.needs.list_needs(&filter, page).await?)
    }

    /// Every offer of the district open today, ranked for the need (see [`crate::matching`]),
    /// the best `limit` of them. Whoever sees the need sees them all, wherever the offering
    /// unit is paired: the resource bank exists so that any need may draw on it.
    pub async fn matches(
        &self,
        actor: &Actor,
        id: NeedId,
        limit: usize,
    ) -> Result<(Need, Vec<RankedOffer>), DualReportingError> {
        let need = self.get(actor, id).await?;
        let today = district_today(self.clock.now());
        let open: Vec<_> = self
            .offers
            .open_offers(today)
            .await?
            .into_iter()
            .filter(|o| o.is_open(today))
            .collect();
        let mut ranked = rank(&need, open);
        ranked.truncate(limit.clamp(1, MAX_MATCHES));
        let scored: Vec<_> = ranked.iter().map(|m| (m.score, m.reasons.clone())).collect();
        let views = offer_views(&self.units, ranked.into_iter().map(|m| m.offer).collect(), today).await?;
        let matches = views
            .into_iter()
            .zip(scored)
            .zip(1u32..)
            .map(|((offer, (score, reasons)), rank)| RankedOffer {
                rank,
                offer,
                score,
                reasons,
            })
            .collect();
        Ok((need, matches))
    }
}
