use super::*;
use crate::error::{RequestError, Resource};
use crate::rights::Standing;
use crate::service::RequestQuery;

#[tokio::test]
async fn an_anonymous_author_is_shown_to_themselves_and_the_grids_staff_only() {
    let t = Town::new();
    let author = t.resident(Some(&t.a1_b1));
    let neighbour = t.resident(Some(&t.a1_b2));
    let id = t
        .post(
            &author,
            NewRequest {
                anonymous: true,
                ..new_request("general")
            },
        )
        .await
        .request
        .id;
    let for_neighbour = t.service.get(&neighbour, id).await.unwrap();
    assert_eq!(for_neighbour.view.standing, Standing::Neighbour);
    assert_eq!(for_neighbour.view.author, None);
    assert!(
        for_neighbour.timeline.iter().all(|s| s.actor.is_none()),
        "the author's own steps do not name them either"
    );
    let listed = t
        .service
        .list(&neighbour, RequestQuery::default(), page())
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].author, None);

    let for_staff = t.service.get(t.worker(), id).await.unwrap();
    let shown = for_staff.view.author.unwrap();
    assert_eq!(shown.id, author.user_id());
    assert!(!shown.masked, "staff over the grid see the author whole");
    assert_eq!(
        for_staff.timeline[0].actor.as_ref().map(|p| p.id),
        Some(author.user_id())
    );
    assert_eq!(
        t.service.get(&author, id).await.unwrap().view.author.unwrap().id,
        author.user_id()
    );
}

#[tokio::test]
async fn a_neighbour_sees_the_author_masked_and_outsiders_see_nothing() {
    let t = Town::new();
    let (author, request) = t.posted().await;
    let neighbour = t.resident(Some(&t.a1_b2));
    let shown = t
        .service
        .get(&neighbour, request.id)
        .await
        .unwrap()
        .view
        .author
        .unwrap();
    assert_eq!(shown.id, author.user_id());
    assert!(shown.masked);
    assert_eq!(shown.phone.as_deref(), Some("138****5678"));

    let elsewhere = t.resident(None);
    let other_grid_worker = &t.b1_worker;
    for outsider in [&elsewhere, other_grid_worker, &t.member] {
        assert!(matches!(
            t.service.get(outsider, request.id).await,
            Err(RequestError::NotFound(Resource::Request))
        ));
        let listed = t
            .service
            .list(outsider, RequestQuery::default(), page())
            .await
            .unwrap();
        assert!(listed.items.iter().all(|v| v.request.id != request.id));
    }
}

#[tokio::test]
async fn mine_lists_the_authors_own_newest_first_and_staff_list_their_grids() {
    let t = Town::new();
    let author = t.resident(Some(&t.a1_b1));
    let first = t.post(&author, new_request("general")).await.request.id;
    let second = t.post(&author, new_request("utilities")).await.request.id;
    let other = t.resident(None);
    t.post(
        &other,
        NewRequest {
            grid_id: Some(grid_of(&t.b1)),
            ..new_request("general")
        },
    )
    .await;
    let mine = t
        .service
        .list(
            &author,
            RequestQuery {
                mine: true,
                ..Default::default()
            },
            page(),
        )
        .await
        .unwrap();
    let ids: Vec<RequestId> = mine.items.iter().map(|v| v.request.id).collect();
    assert_eq!(ids, vec![second, first]);

    let for_worker = t
        .service
        .list(t.worker(), RequestQuery::default(), page())
        .await
        .unwrap();
    assert_eq!(for_worker.items.len(), 2, "the a1 worker sees a1's requests only");
    let for_b = t
        .service
        .list(&t.b1_worker, RequestQuery::default(), page())
        .await
        .unwrap();
    assert_eq!(for_b.items.len(), 1);
}

#[tokio::test]
async fn staff_are_shown_open_requests_of_the_same_category_nearby_as_possible_duplicates() {
    let t = Town::new();
    let (_, first) = t.posted().await;
    let (_, other_category) = {
        let author = t.resident(Some(&t.a1_b1));
        let v = t.post(&author, new_request("utilities")).await;
        (author, v.request)
    };
    let (author, second) = t.posted().await;
    let detail = t.service.get(t.worker(), second.id).await.unwrap();
    assert_eq!(detail.possible_duplicates, vec![first.id]);
    assert!(!detail.possible_duplicates.contains(&other_category.id));
    assert!(
        t.service
            .get(&author, second.id)
            .await
            .unwrap()
            .possible_duplicates
            .is_empty()
    );

    t.ports.clock.advance(chrono::Duration::days(31));
    let (_, late) = t.posted().await;
    let detail = t.service.get(t.worker(), late.id).await.unwrap();
    assert!(
        detail.possible_duplicates.is_empty(),
        "older than 30 days: {:?}",
        detail.possible_duplicates
    );
}
