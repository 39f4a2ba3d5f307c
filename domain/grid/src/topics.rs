//! Who may read the structure's topics: staff who cover the community (or, for the
//! district's own topic, the district). A community one does not cover, and one that does
//! not exist, are refused alike.

use linli_kernel::events::{TopicPolicy, TopicRefusal, topics};
use linli_kernel::ports::BoxFuture;
use linli_kernel::{Actor, CommunityId, Permission, ScopePath};

use crate::ports::PlaceRepository;

pub struct StructureTopics<P> {
    places: P,
}

impl<P> StructureTopics<P> {
    pub fn new(places: P) -> Self {
        Self { places }
    }
}

fn refused(topic: &str) -> TopicRefusal {
    TopicRefusal::Forbidden(format!("`{topic}` is outside your scope"))
}

impl<P: PlaceRepository> StructureTopics<P> {
    async fn community_topic(
        &self,
        actor: &Actor,
        requested: &str,
        id: &str,
    ) -> Result<String, TopicRefusal> {
        let id: CommunityId = id.parse().map_err(|_| refused(requested))?;
        let community = match self.places.find_community(id).await {
            Ok(Some(community)) => community,
            Ok(None) => return Err(refused(requested)),
            Err(e) => {
                tracing::warn!(error = format!("{e:#}"), "could not resolve a topic's community");
                return Err(refused(requested));
            }
        };
        if actor.can(Permission::ViewStructure, &community.path()) {
            Ok(topics::community_structure(community.id))
        } else {
            Err(refused(requested))
        }
    }
}

impl<P: PlaceRepository> TopicPolicy for StructureTopics<P> {
    fn authorize<'a>(
        &'a self,
        actor: &'a Actor,
        requested: &'a str,
    ) -> BoxFuture<'a, Option<Result<String, TopicRefusal>>> {
        Box::pin(async move {
            if requested == topics::DISTRICT_STRUCTURE {
                return Some(if actor.can(Permission::ViewStructure, &ScopePath::district()) {
                    Ok(topics::DISTRICT_STRUCTURE.to_owned())
                } else {
                    Err(refused(requested))
                });
            }
            let id = requested.strip_prefix("community:")?.strip_suffix(":structure")?;
            Some(self.community_topic(actor, requested, id).await)
        })
    }

    fn open_topics(&self) -> &'static [&'static str] {
        &["community:<id>:structure", "district:structure"]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::Utc;
    use linli_kernel::{Role, Scope, SubdistrictId, UserId};

    use super::*;
    use crate::events::StructureEvent;
    use crate::models::{Community, PlaceName};
    use crate::ports::PlaceRepository;
    use crate::testing::InMemoryStructure;

    #[tokio::test]
    async fn staff_covering_a_community_read_its_structure_and_others_are_refused_alike() {
        let places = InMemoryStructure::default();
        let community = Community {
            id: CommunityId::new(),
            subdistrict_id: SubdistrictId::new(),
            name: PlaceName::parse("name", "幸福里社区").unwrap(),
            created_at: Utc::now(),
        };
        let e = StructureEvent::community_created(&community).at(Utc::now());
        places.insert_community(&community, &e).await.unwrap();
        let policy = StructureTopics::new(places);
        let topic = topics::community_structure(community.id);
        let actor = |role, scope| Actor::new(UserId::new(), None, vec![(role, scope)]);
        let admin = actor(Role::CommunityAdmin, Scope::Community(community.id));
        let beside = actor(Role::CommunityAdmin, Scope::Community(CommunityId::new()));
        let district = actor(Role::DistrictAdmin, Scope::District);
        assert_eq!(policy.authorize(&admin, &topic).await, Some(Ok(topic.clone())));
        assert_eq!(policy.authorize(&district, &topic).await, Some(Ok(topic.clone())));
        assert!(matches!(
            policy.authorize(&beside, &topic).await,
            Some(Err(TopicRefusal::Forbidden(_)))
        ));
        let nowhere = topics::community_structure(CommunityId::new());
        assert!(matches!(
            policy.authorize(&district, &nowhere).await,
            Some(Err(TopicRefusal::Forbidden(_)))
        ));
        assert!(matches!(
            policy.authorize(&admin, topics::DISTRICT_STRUCTURE).await,
            Some(Err(TopicRefusal::Forbidden(_)))
        ));
        assert_eq!(
            policy.authorize(&admin, "user:me").await,
            None,
            "not the structure's topic"
        );
    }
}
