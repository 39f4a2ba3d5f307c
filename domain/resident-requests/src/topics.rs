//! Who may read this context's topics: `request:<id>` its author, those following it and the
//! staff over its grid (what `GET /requests/{id}` shows them, less the neighbours, who read it
//! by REST); `community:<id>:requests` the staff handling requests there; `grid:<id>:tasks`
//! whoever sees that grid's task board (staff, and Party members of its community). What does
//! not exist is refused as what one may not read.

use linli_kernel::events::{TopicPolicy, TopicRefusal};
use linli_kernel::ports::{BoxFuture, ScopeDirectory};
use linli_kernel::{Actor, CommunityId, GridId, RequestId, Scope};

use crate::events::{community_requests, grid_tasks, request_topic};
use crate::ports::RequestRepository;
use crate::rights::{Standing, handles, may_claim, standing};

pub struct RequestTopics<S, D> {
    store: S,
    directory: D,
}

impl<S, D> RequestTopics<S, D> {
    pub fn new(store: S, directory: D) -> Self {
        Self { store, directory }
    }
}

fn refused(topic: &str) -> TopicRefusal {
    TopicRefusal::Forbidden(format!("`{topic}` is outside your scope"))
}

/// Logs a storage failure and refuses: a subscription is never granted on a guess.
fn unresolved(topic: &str, error: &anyhow::Error) -> TopicRefusal {
    tracing::warn!(error = format!("{error:#}"), topic, "could not resolve a topic");
    refused(topic)
}

impl<S: RequestRepository, D: ScopeDirectory> RequestTopics<S, D> {
    async fn request(&self, actor: &Actor, topic: &str, id: &str) -> Result<String, TopicRefusal> {
        let id: RequestId = id.parse().map_err(|_| refused(topic))?;
        let store = &self.store;
        let request = match store.find_request(id).await {
            Ok(Some(r)) => r,
            Ok(None) => return Err(refused(topic)),
            Err(e) => return Err(unresolved(topic, &e)),
        };
        let follows = match store.followers(id).await {
            Ok(f) => f.contains(&actor.user_id()),
            Err(e) => return Err(unresolved(topic, &e)),
        };
        match standing(actor, &request, None, follows) {
            Some(Standing::Handler | Standing::Author | Standing::Follower) => Ok(request_topic(id)),
            _ => Err(refused(topic)),
        }
    }

    async fn place(&self, topic: &str, scope: Scope) -> Result<linli_kernel::ScopePath, TopicRefusal> {
        match self.directory.describe(scope).await {
            Ok(Some(node)) => Ok(node.path),
            Ok(None) => Err(refused(topic)),
            Err(e) => Err(unresolved(topic, &e)),
        }
    }

    async fn community(&self, actor: &Actor, topic: &str, id: &str) -> Result<String, TopicRefusal> {
        let id: CommunityId = id.parse().map_err(|_| refused(topic))?;
        let path = self.place(topic, Scope::Community(id)).await?;
        if handles(actor, &path) {
            Ok(community_requests(id))
        } else {
            Err(refused(topic))
        }
    }

    async fn board(&self, actor: &Actor, topic: &str, id: &str) -> Result<String, TopicRefusal> {
        let id: GridId = id.parse().map_err(|_| refused(topic))?;
        let path = self.place(topic, Scope::Grid(id)).await?;
        if handles(actor, &path) || may_claim(actor, &path) {
            Ok(grid_tasks(id))
        } else {
            Err(refused(topic))
        }
    }
}

impl<S: RequestRepository, D: ScopeDirectory> TopicPolicy for RequestTopics<S, D> {
    fn authorize<'a>(
        &'a self,
        actor: &'a Actor,
        requested: &'a str,
    ) -> BoxFuture<'a, Option<Result<String, TopicRefusal>>> {
        Box::pin(async move {
            if let Some(id) = requested.strip_prefix("request:") {
                return Some(self.request(actor, requested, id).await);
            }
            if let Some(id) = requested
                .strip_prefix("community:")
                .and_then(|rest| rest.strip_suffix(":requests"))
            {
                return Some(self.community(actor, requested, id).await);
            }
            let id = requested.strip_prefix("grid:")?.strip_suffix(":tasks")?;
            Some(self.board(actor, requested, id).await)
        })
    }

    fn open_topics(&self) -> &'static [&'static str] {
        &["request:<id>", "community:<id>:requests", "grid:<id>:tasks"]
    }
}
