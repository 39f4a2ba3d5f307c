//! The author closes the loop on a resolved request: confirms it with a rating, or reopens it
//! with a reason (back to `accepted`, for staff to add the work still needed).

use linli_kernel::text::checked_text;
use linli_kernel::{Actor, RequestId, Rule, ValidationError};
use tracing::instrument;

use super::Requests;
use super::handling::Step;
use super::reading::RequestView;
use crate::error::{RequestError, Resource};
use crate::ports::RequestPorts;
use crate::request::{Action, Rating, RequestStatus, ResidentRequest, TimelineEntry};
use crate::rights::Standing;

/// The author's rating of the outcome.
#[derive(Debug, Clone)]
pub struct NewRating {
    pub stars: u8,
    pub comment: String,
}

impl NewRating {
    fn checked(self) -> Result<Rating, ValidationError> {
        if !(1..=5).contains(&self.stars) {
            return Err(ValidationError::new("rating", Rule::Range, "a rating is 1 to 5")
                .with("min", 1)
                .with("max", 5));
        }
        Ok(Rating {
            stars: self.stars,
            comment: checked_text("comment", &self.comment, 0, 200)?,
        })
    }
}

impl<P: RequestPorts> Requests<P> {
    /// The actor's own resolved request: others who may see it are refused.
    async fn own_resolved(&self, actor: &Actor, id: RequestId) -> Result<ResidentRequest, RequestError> {
        let (request, _) = self.visible(actor, id).await?;
        if request.author != actor.user_id() {
            return Err(RequestError::NotAuthor);
        }
        if request.status != RequestStatus::Resolved {
            return Err(RequestError::RequestState(request.status));
        }
        Ok(request)
    }

    /// Confirms the outcome and rates it: the request is closed.
    #[instrument(skip_all, err)]
    pub async fn confirm(
        &self,
        actor: &Actor,
        id: RequestId,
        rating: NewRating,
    ) -> Result<RequestView, RequestError> {
        let rating = rating.checked()?;
        self.refuse_risky(actor.user_id(), &rating.comment).await?;
        let request = self
            .retrying(|| async {
                let request = self.own_resolved(actor, id).await?;
                let now = self.now();
                let mut step = Step::of(&request, now);
                step.request.status = RequestStatus::Closed;
                step.request.closed_at = Some(now);
                step.request.rating = Some(rating.clone());
                let mut entry = TimelineEntry::new(id, Action::Confirmed, Some(actor.user_id()), now)
                    .with_fact("rating", rating.stars);
                if !rating.comment.is_empty() {
                    entry = entry.with_note(rating.comment.clone());
                }
                step.record(entry, &self.followers(id).await?, None);
                self.write(step).await
            })
            .await?;
        self.author_view(actor, request).await
    }

    /// Says the problem is not solved: the request goes back to `accepted`.
    #[instrument(skip_all, err)]
    pub async fn reopen(
        &self,
        actor: &Actor,
        id: RequestId,
        reason: &str,
    ) -> Result<RequestView, RequestError> {
        let reason = checked_text("reason", reason, 1, 200)?;
        self.refuse_risky(actor.user_id(), &reason).await?;
        let request = self
            .retrying(|| async {
                let request = self.own_resolved(actor, id).await?;
                let now = self.now();
                let mut step = Step::of(&request, now);
                step.request.status = RequestStatus::Accepted;
                step.request.resolved_at = None;
                let entry = TimelineEntry::new(id, Action::Reopened, Some(actor.user_id()), now)
                    .with_note(reason.clone());
                step.record(entry, &self.followers(id).await?, None);
                self.write(step).await
            })
            .await?;
        self.author_view(actor, request).await
    }

    async fn author_view(
        &self,
        actor: &Actor,
        request: ResidentRequest,
    ) -> Result<RequestView, RequestError> {
        let standing = self.standing(actor, &request).await?.unwrap_or(Standing::Author);
        let mut views = self.views(actor, vec![(request, standing)]).await?;
        views.pop().ok_or(RequestError::NotFound(Resource::Request))
    }
}
