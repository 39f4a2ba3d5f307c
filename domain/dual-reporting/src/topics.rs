//! Who may read `community:<id>:reports`: the staff who see the community's people whole (the
//! reports name them). A community one does not cover, and one that does not exist, are
//! refused alike.

use linli_kernel::events::{TopicPolicy, TopicRefusal};
use linli_kernel::ports::{BoxFuture, ScopeDirectory};
use linli_kernel::{Actor, CommunityId, Permission, Scope};

use crate::events::community_reports;

pub struct ReportTopics<D> {
    directory: D,
}

impl<D> ReportTopics<D> {
    pub fn new(directory: D) -> Self {
        Self { directory }
    }
}

fn refused(topic: &str) -> TopicRefusal {
    TopicRefusal::Forbidden(format!("`{topic}` is outside your scope"))
}

impl<D: ScopeDirectory> ReportTopics<D> {
    async fn community_topic(
        &self,
        actor: &Actor,
        requested: &str,
        id: &str,
    ) -> Result<String, TopicRefusal> {
        let id: CommunityId = id.parse().map_err(|_| refused(requested))?;
        let node = match self.directory.describe(Scope::Community(id)).await {
            Ok(Some(node)) => node,
            Ok(None) => return Err(refused(requested)),
            Err(e) => {
                tracing::warn!(error = format!("{e:#}"), "could not resolve a topic's community");
                return Err(refused(requested));
            }
        };
        if actor.can(Permission::ViewPersonalData, &node.path) {
            Ok(community_reports(id))
        } else {
            Err(refused(requested))
        }
    }
}

impl<D: ScopeDirectory> TopicPolicy for ReportTopics<D> {
    fn authorize<'a>(
        &'a self,
        actor: &'a Actor,
        requested: &'a str,
    ) -> BoxFuture<'a, Option<Result<String, TopicRefusal>>> {
        Box::pin(async move {
            let id = requested.strip_prefix("community:")?.strip_suffix(":reports")?;
            Some(self.community_topic(actor, requested, id).await)
        })
    }

    fn open_topics(&self) -> &'static [&'static str] {
        &["community:<id>:reports"]
    }
}
