//! Posting a request: checked, routed to one grid and one responsible person with both
//! deadlines, passed through the content check, stored with its first timeline step.

use linli_kernel::ports::{
    Clock, ContentCheck, ContentCheckError, ContentVerdict, GrantStore, Residences, ScopeDirectory, Uploads,
};
use linli_kernel::text::checked_text;
use linli_kernel::{Actor, BuildingId, GrantSet, GridId, RequestId, Role, Scope, ScopePath, UserId};
use tracing::instrument;

use super::Requests;
use super::reading::RequestView;
use crate::category::{Answers, CategoryKey, RequestCategory};
use crate::error::{RequestError, Resource};
use crate::events::request_events;
use crate::ports::{CategoryRepository, Change, RequestPorts, RequestRepository};
use crate::request::{Action, MAX_PHOTOS, Moderation, RequestStatus, ResidentRequest, TimelineEntry};
use crate::rights::Standing;
use crate::routing::GridTeam;

/// A request as the resident posts it.
#[derive(Debug, Clone, Default)]
pub struct NewRequest {
    pub category: String,
    pub title: String,
    pub description: String,
    pub photos: Vec<String>,
    pub answers: Answers,
    pub building_id: Option<BuildingId>,
    pub grid_id: Option<GridId>,
    pub anonymous: bool,
}

impl<P: RequestPorts> Requests<P> {
    /// Posts the actor's request. Routed to the grid of the building given, else of the
    /// author's registered home, else the grid named. A text the content check finds risky is
    /// refused and nothing is stored; a doubtful one is stored but shown only to its author and
    /// to staff until staff approve it.
    #[instrument(skip_all, err)]
    pub async fn post(&self, actor: &Actor, new: NewRequest) -> Result<RequestView, RequestError> {
        let category = self.open_category(&new.category).await?;
        let title = checked_text("title", &new.title, 1, 50)?;
        let description = checked_text("description", &new.description, 1, 1000)?;
        let answers = category.checked_answers(&new.answers)?;
        let photos = self.own_uploads(actor.user_id(), new.photos).await?;
        let place = self.route(actor.user_id(), new.building_id, new.grid_id).await?;
        let mut published: Vec<&str> = vec![&title, &description];
        published.extend(answers.values().filter_map(serde_json::Value::as_str));
        let moderation = self.moderated(actor.user_id(), &published).await?;

        let grid = place.grid.ok_or(RequestError::LocationRequired)?;
        let team = self.grid_team(&place).await?;
        let last = self.ports.store().last_assigned_worker(grid).await?;
        let now = self.ports.clock().now();
        let request = ResidentRequest {
            id: RequestId::new(),
            author: actor.user_id(),
            anonymous: new.anonymous,
            category: category.key.clone(),
            title,
            description,
            photos,
            answers,
            place,
            status: RequestStatus::Submitted,
            moderation,
            responsible: team.responsible_for_new(last),
            posted_at: now,
            respond_by: category.deadlines.respond_by(now),
            resolve_by: category.deadlines.resolve_by(now),
            responded_at: None,
            resolved_at: None,
            closed_at: None,
            rating: None,
            merged_into: None,
            version: 0,
        };
        let entry = TimelineEntry::new(request.id, Action::Posted, Some(actor.user_id()), now)
            .with_fact("grid_id", grid)
            .with_fact("moderation", moderation);
        let change = Change {
            events: request_events(&request, &entry, &[], None),
            new_requests: vec![request.clone()],
            timeline: vec![entry],
            ..Change::default()
        };
        if !self.ports.store().apply(&change).await? {
            // A new request guards nothing: storage refusing it is a bug, never a race.
            return Err(anyhow::anyhow!("storage refused to insert request {}", request.id).into());
        }
        let author = self.people_as_seen(actor, &[actor.user_id()]).await?.pop();
        Ok(RequestView {
            request,
            author,
            standing: Standing::Author,
        })
    }

    async fn open_category(&self, key: &str) -> Result<RequestCategory, RequestError> {
        let key = CategoryKey::parse("category", key)?;
        self.ports
            .store()
            .find_category(&key)
            .await?
            .filter(|c| c.active)
            .ok_or_else(|| RequestError::UnknownCategory(key.as_str().to_owned()))
    }

    /// `photos`, each checked to be one of `owner`'s uploads, at most [`MAX_PHOTOS`], each
    /// once.
    pub(crate) async fn own_uploads(
        &self,
        owner: UserId,
        photos: Vec<String>,
    ) -> Result<Vec<String>, RequestError> {
        if photos.len() > MAX_PHOTOS {
            return Err(linli_kernel::ValidationError::new(
                "photos",
                linli_kernel::Rule::TooMany,
                "at most 9 photos",
            )
            .with("max", MAX_PHOTOS)
            .into());
        }
        let mut unique = photos.clone();
        unique.sort();
        unique.dedup();
        if unique.len() != photos.len() {
            return Err(linli_kernel::ValidationError::new(
                "photos",
                linli_kernel::Rule::Duplicate,
                "a photo is listed twice",
            )
            .into());
        }
        let known = self.ports.files().uploaded_by(owner, &photos).await?;
        match photos.iter().find(|p| !known.contains(p)) {
            Some(stranger) => Err(RequestError::PhotoNotUploaded(stranger.clone())),
            None => Ok(photos),
        }
    }

    /// Where a new request goes: the building's place, else the author's home, else the grid's.
    async fn route(
        &self,
        author: UserId,
        building: Option<BuildingId>,
        grid: Option<GridId>,
    ) -> Result<ScopePath, RequestError> {
        let directory = self.ports.directory();
        if let Some(building) = building {
            return Ok(directory
                .describe(Scope::Building(building))
                .await?
                .ok_or(RequestError::NotFound(Resource::Building))?
                .path);
        }
        if let Some(home) = self.ports.homes().residence_of(author).await? {
            return Ok(home);
        }
        if let Some(grid) = grid {
            return Ok(directory
                .describe(Scope::Grid(grid))
                .await?
                .ok_or(RequestError::NotFound(Resource::Grid))?
                .path);
        }
        Err(RequestError::LocationRequired)
    }

    /// Refuses `text` (a comment, a reason, a note others will read) when the content check
    /// finds it risky; a doubtful one passes, as these are never held for review.
    pub(crate) async fn refuse_risky(&self, author: UserId, text: &str) -> Result<(), RequestError> {
        if text.is_empty() {
            return Ok(());
        }
        self.moderated(author, &[text]).await.map(|_| ())
    }

    /// The content check's verdict on what the author wrote, as the request's visibility.
    pub(crate) async fn moderated(&self, author: UserId, texts: &[&str]) -> Result<Moderation, RequestError> {
        match self.ports.content().check(author, texts).await {
            Ok(ContentVerdict::Pass) => Ok(Moderation::Visible),
            Ok(ContentVerdict::Review) => Ok(Moderation::PendingReview),
            Ok(ContentVerdict::Risky) => Err(RequestError::ContentRejected),
            Err(ContentCheckError::Unavailable(e)) => Err(RequestError::ContentCheckUnavailable(e)),
        }
    }

    /// The people answerable for the requests of the grid at `place`: its workers and
    /// leaders, and its community's admins, each in a stable order.
    pub(crate) async fn grid_team(&self, place: &ScopePath) -> Result<GridTeam, RequestError> {
        let (Some(grid), Some(community)) = (place.grid, place.community) else {
            return Ok(GridTeam::default());
        };
        let grants = self.ports.grants();
        let at_grid = grants
            .grants_in(&GrantSet {
                under: Scope::Grid(grid),
                roles: vec![Role::GridWorker, Role::GridLeader],
                holder: None,
            })
            .await?;
        let admins = grants
            .grants_in(&GrantSet {
                under: Scope::Community(community),
                roles: vec![Role::CommunityAdmin],
                holder: None,
            })
            .await?;
        let holders = |role: Role, grants: &[linli_kernel::RoleGrant]| {
            let mut ids: Vec<UserId> = grants
                .iter()
                .filter(|g| g.role() == role)
                .map(linli_kernel::RoleGrant::user_id)
                .collect();
            ids.sort();
            ids.dedup();
            ids
        };
        Ok(GridTeam {
            workers: holders(Role::GridWorker, &at_grid),
            leaders: holders(Role::GridLeader, &at_grid),
            community_admins: holders(Role::CommunityAdmin, &admins),
        })
    }
}
