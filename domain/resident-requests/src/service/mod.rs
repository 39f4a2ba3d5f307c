//! The use cases of resident requests, as methods of one service over [`RequestPorts`]; every
//! method takes the [`Actor`] and checks its rights before it reads or writes. The methods
//! live by what they do: the dictionary (`categories.rs`), posting (`posting.rs`), reading
//! (`reading.rs`), staff's handling (`handling.rs`), the work on tasks (`tasks.rs`) and the
//! author's close (`closing.rs`).
//!
//! A change is computed from what was read and written only over the versions it was read at
//! ([`RequestRepository::apply`]); when someone else changed a row meanwhile, the use case
//! reads again and decides anew ([`Requests::retrying`]), so concurrent changes never
//! overwrite each other and a rule is always checked against the state it changes.

use std::future::Future;

use linli_kernel::people::PersonView;
use linli_kernel::ports::{PersonDirectory, Residences};
use linli_kernel::{Actor, RequestId, UserId};

use crate::error::{RequestError, Resource};
use crate::ports::{RequestPorts, RequestRepository};
use crate::request::ResidentRequest;
use crate::rights::{Standing, standing};

mod categories;
mod closing;
mod handling;
mod posting;
mod reading;
mod tasks;

#[cfg(test)]
mod tests;

pub use categories::{CategoryPatch, NewCategory};
pub use closing::NewRating;
pub use handling::Transfer;
pub use posting::NewRequest;
pub use reading::{BoardQuery, RequestDetail, RequestQuery, RequestView, TaskView, TimelineStep};
pub use tasks::NewCompletion;

/// How many times a use case reads again and retries after losing a race before it gives up
/// with [`RequestError::Changed`].
const ATTEMPTS: usize = 5;

/// Resident requests and their tasks.
pub struct Requests<P> {
    ports: P,
}

/// What one attempt at a change came to.
pub(crate) enum Attempt<T> {
    Done(T),
    /// A row moved on since it was read: read again and decide anew.
    Lost,
}

impl<P: RequestPorts> Requests<P> {
    pub fn new(ports: P) -> Self {
        Self { ports }
    }

    pub fn ports(&self) -> &P {
        &self.ports
    }

    /// Runs `attempt` until it is done, at most [`ATTEMPTS`] times.
    pub(crate) async fn retrying<T, F, Fut>(&self, mut attempt: F) -> Result<T, RequestError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Attempt<T>, RequestError>>,
    {
        for _ in 0..ATTEMPTS {
            if let Attempt::Done(value) = attempt().await? {
                return Ok(value);
            }
        }
        Err(RequestError::Changed)
    }

    /// The request and where the actor stands to it; `NotFound` when they may not see it.
    pub(crate) async fn visible(
        &self,
        actor: &Actor,
        id: RequestId,
    ) -> Result<(ResidentRequest, Standing), RequestError> {
        let request = self
            .ports
            .store()
            .find_request(id)
            .await?
            .ok_or(RequestError::NotFound(Resource::Request))?;
        let standing = self.standing(actor, &request).await?;
        standing
            .map(|s| (request, s))
            .ok_or(RequestError::NotFound(Resource::Request))
    }

    /// Where the actor stands to `request`, reading their home and what they follow only
    /// when the cheaper grounds do not already decide.
    pub(crate) async fn standing(
        &self,
        actor: &Actor,
        request: &ResidentRequest,
    ) -> Result<Option<Standing>, RequestError> {
        if let Some(s) = standing(actor, request, None, false) {
            return Ok(Some(s));
        }
        let follows = self
            .ports
            .store()
            .followers(request.id)
            .await?
            .contains(&actor.user_id());
        let home = if follows {
            None
        } else {
            self.ports.homes().residence_of(actor.user_id()).await?
        };
        Ok(standing(actor, request, home.as_ref(), follows))
    }

    /// The request, which the actor must handle (staff over its grid). Others who may see it
    /// are refused (403); those who may not are told it does not exist.
    pub(crate) async fn handled(
        &self,
        actor: &Actor,
        id: RequestId,
    ) -> Result<ResidentRequest, RequestError> {
        let (request, standing) = self.visible(actor, id).await?;
        if standing == Standing::Handler {
            Ok(request)
        } else {
            Err(RequestError::Forbidden)
        }
    }

    /// The people among `ids` as `viewer` may see them, in the order of `ids`; someone the
    /// directory does not know is shown by id only.
    pub(crate) async fn people_as_seen(
        &self,
        viewer: &Actor,
        ids: &[UserId],
    ) -> Result<Vec<PersonView>, RequestError> {
        let mut unique: Vec<UserId> = ids.to_vec();
        unique.sort();
        unique.dedup();
        let records = self.ports.people().people(&unique).await?;
        Ok(ids
            .iter()
            .map(|id| {
                records
                    .iter()
                    .find(|r| r.id == *id)
                    .map_or_else(|| PersonView::hidden(*id), |r| r.view_for(viewer))
            })
            .collect())
    }
}
