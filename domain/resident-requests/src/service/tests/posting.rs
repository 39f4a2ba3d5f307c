use chrono::Duration;
use linli_kernel::ports::{Clock, ContentVerdict};

use super::*;
use crate::error::{RequestError, Resource};
use crate::request::{Level, Moderation, RequestStatus};

#[tokio::test]
async fn a_request_goes_to_the_grid_of_the_building_given_with_both_deadlines() {
    let t = Town::new();
    let author = t.resident(None);
    let now = t.ports.clock.now();
    let view = t
        .post(
            &author,
            NewRequest {
                building_id: t.a1_b2.path.building,
                ..new_request("emergency")
            },
        )
        .await;
    let r = view.request;
    assert_eq!(r.place, t.a1_b2.path);
    assert_eq!(r.status, RequestStatus::Submitted);
    assert_eq!(
        r.respond_by,
        now + Duration::hours(2),
        "emergency: 2 h to respond"
    );
    assert_eq!(
        r.resolve_by,
        now + Duration::hours(24),
        "emergency: 24 h to resolve"
    );
    assert_eq!(r.responsible.unwrap().level, Level::GridWorker);
    assert_eq!(view.author.unwrap().id, author.user_id());
    assert_eq!(t.ports.store.event_kinds(), vec!["request.posted"; 3]);
}

#[tokio::test]
async fn without_a_building_the_authors_home_decides_before_the_grid_named() {
    let t = Town::new();
    let neighbour = t.resident(Some(&t.a1_b1));
    let view = t
        .post(
            &neighbour,
            NewRequest {
                grid_id: Some(grid_of(&t.b1)),
                ..new_request("general")
            },
        )
        .await;
    assert_eq!(
        view.request.place, t.a1_b1.path,
        "the home wins over the grid named"
    );

    let homeless = t.resident(None);
    let view = t
        .post(
            &homeless,
            NewRequest {
                grid_id: Some(grid_of(&t.b1)),
                ..new_request("general")
            },
        )
        .await;
    assert_eq!(view.request.place, t.b1.path);
    assert_eq!(view.request.responsible.unwrap().user_id, t.b1_worker.user_id());
}

#[tokio::test]
async fn a_request_with_no_place_at_all_is_refused_and_unknown_places_are_not_found() {
    let t = Town::new();
    let homeless = t.resident(None);
    let refused = t.service.post(&homeless, new_request("general")).await;
    assert!(matches!(refused, Err(RequestError::LocationRequired)));
    let unknown = t
        .service
        .post(
            &homeless,
            NewRequest {
                grid_id: Some(GridId::new()),
                ..new_request("general")
            },
        )
        .await;
    assert!(matches!(unknown, Err(RequestError::NotFound(Resource::Grid))));
    let unknown = t
        .service
        .post(
            &homeless,
            NewRequest {
                building_id: Some(linli_kernel::BuildingId::new()),
                ..new_request("general")
            },
        )
        .await;
    assert!(matches!(unknown, Err(RequestError::NotFound(Resource::Building))));
    assert_eq!(t.ports.store.count_requests(), 0);
}

#[tokio::test]
async fn new_requests_of_a_grid_go_round_its_workers_in_turn() {
    let t = Town::new();
    let author = t.resident(Some(&t.a1_b1));
    let mut responsible = Vec::new();
    for _ in 0..5 {
        let view = t.post(&author, new_request("general")).await;
        responsible.push(view.request.responsible.unwrap().user_id);
    }
    let w: Vec<UserId> = t.a1_workers.iter().map(Actor::user_id).collect();
    assert_eq!(responsible, vec![w[0], w[1], w[0], w[1], w[0]]);
}

#[tokio::test]
async fn a_grid_without_a_team_lands_at_the_community_admin() {
    let t = Town::new();
    let author = t.resident(None);
    let view = t
        .post(
            &author,
            NewRequest {
                grid_id: Some(grid_of(&t.a2)),
                ..new_request("general")
            },
        )
        .await;
    let responsible = view.request.responsible.unwrap();
    assert_eq!(
        (responsible.user_id, responsible.level),
        (t.a_admin.user_id(), Level::CommunityAdmin)
    );
}

#[tokio::test]
async fn a_risky_text_stores_nothing_and_an_unavailable_check_neither() {
    let t = Town::new();
    t.ports.content.flag("赌博", ContentVerdict::Risky);
    let author = t.resident(Some(&t.a1_b1));
    let refused = t
        .service
        .post(
            &author,
            NewRequest {
                description: "楼下有人聚众赌博".to_owned(),
                ..new_request("general")
            },
        )
        .await;
    assert!(matches!(refused, Err(RequestError::ContentRejected)));
    let asked = t.ports.content.asked();
    assert!(
        asked.iter().all(|(who, _)| *who == author.user_id()),
        "checked as the author"
    );
    assert_eq!(asked.len(), 2, "title and description are both checked");

    t.ports.content.set_unavailable(true);
    let unavailable = t.service.post(&author, new_request("general")).await;
    assert!(matches!(
        unavailable,
        Err(RequestError::ContentCheckUnavailable(_))
    ));
    assert_eq!(t.ports.store.count_requests(), 0);
    assert!(t.ports.store.events().is_empty());
}

#[tokio::test]
async fn a_doubtful_text_is_kept_for_staff_and_its_author_until_approved() {
    let t = Town::new();
    t.ports.content.flag("投诉", ContentVerdict::Review);
    let author = t.resident(Some(&t.a1_b1));
    let neighbour = t.resident(Some(&t.a1_b2));
    let view = t
        .post(
            &author,
            NewRequest {
                title: "投诉物业".to_owned(),
                ..new_request("general")
            },
        )
        .await;
    let id = view.request.id;
    assert_eq!(view.request.moderation, Moderation::PendingReview);
    assert!(t.service.get(&author, id).await.is_ok());
    assert!(t.service.get(t.worker(), id).await.is_ok());
    assert!(matches!(
        t.service.get(&neighbour, id).await,
        Err(RequestError::NotFound(Resource::Request))
    ));
    let listed = t
        .service
        .list(&neighbour, Default::default(), page())
        .await
        .unwrap();
    assert!(
        listed.items.is_empty(),
        "a held request is not listed to neighbours"
    );

    assert!(matches!(
        t.service.approve(&author, id).await,
        Err(RequestError::Forbidden)
    ));
    t.service.approve(t.worker(), id).await.unwrap();
    assert_eq!(
        t.service
            .get(&neighbour, id)
            .await
            .unwrap()
            .view
            .request
            .moderation,
        Moderation::Visible
    );
}

#[tokio::test]
async fn photos_must_be_the_authors_own_uploads_and_nine_at_most() {
    let t = Town::new();
    let author = t.resident(Some(&t.a1_b1));
    let other = t.resident(Some(&t.a1_b1));
    let mine = t.ports.files.upload(author.user_id());
    let theirs = t.ports.files.upload(other.user_id());
    let refused = t
        .service
        .post(
            &author,
            NewRequest {
                photos: vec![mine.clone(), theirs.clone()],
                ..new_request("general")
            },
        )
        .await;
    assert!(matches!(refused, Err(RequestError::PhotoNotUploaded(p)) if p == theirs));
    let made_up = t
        .service
        .post(
            &author,
            NewRequest {
                photos: vec!["/files/nothing.jpg".to_owned()],
                ..new_request("general")
            },
        )
        .await;
    assert!(matches!(made_up, Err(RequestError::PhotoNotUploaded(_))));
    let ten: Vec<String> = (0..10).map(|_| t.ports.files.upload(author.user_id())).collect();
    let too_many = t
        .service
        .post(
            &author,
            NewRequest {
                photos: ten.clone(),
                ..new_request("general")
            },
        )
        .await;
    assert!(matches!(too_many, Err(RequestError::Validation(e)) if e.field == "photos"));
    let view = t
        .post(
            &author,
            NewRequest {
                photos: ten[..9].to_vec(),
                ..new_request("general")
            },
        )
        .await;
    assert_eq!(view.request.photos.len(), 9);
}

#[tokio::test]
async fn a_retired_or_unknown_category_takes_no_requests() {
    let t = Town::new();
    let district = Actor::new(UserId::new(), None, vec![(Role::DistrictAdmin, Scope::District)]);
    t.service
        .update_category(
            &district,
            "complex",
            crate::service::CategoryPatch {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let author = t.resident(Some(&t.a1_b1));
    for key in ["complex", "nonsense"] {
        let refused = t.service.post(&author, new_request(key)).await;
        assert!(matches!(refused, Err(RequestError::UnknownCategory(k)) if k == key));
    }
}

#[tokio::test]
async fn answers_are_checked_against_the_categorys_questions() {
    let t = Town::new();
    let district = Actor::new(UserId::new(), None, vec![(Role::DistrictAdmin, Scope::District)]);
    let floor: crate::Question = serde_json::from_value(serde_json::json!({
        "key": "floor", "label": "几楼？", "required": true, "type": "number", "min": 1, "max": 40
    }))
    .unwrap();
    t.service
        .update_category(
            &district,
            "utilities",
            crate::service::CategoryPatch {
                questions: Some(vec![floor]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let author = t.resident(Some(&t.a1_b1));
    let with = |answers: serde_json::Value| NewRequest {
        answers: answers.as_object().cloned().unwrap_or_default(),
        ..new_request("utilities")
    };
    for bad in [
        serde_json::json!({}),
        serde_json::json!({"floor": 41}),
        serde_json::json!({"floor": "三楼"}),
        serde_json::json!({"floor": 3, "colour": "red"}),
    ] {
        let refused = t.service.post(&author, with(bad.clone())).await;
        assert!(matches!(refused, Err(RequestError::Validation(_))), "{bad}");
    }
    let view = t.post(&author, with(serde_json::json!({"floor": 3}))).await;
    assert_eq!(view.request.answers.get("floor"), Some(&serde_json::json!(3)));
}

#[tokio::test]
async fn only_the_district_admin_keeps_the_dictionary_and_keys_are_unique() {
    let t = Town::new();
    let district = Actor::new(UserId::new(), None, vec![(Role::DistrictAdmin, Scope::District)]);
    let new = || crate::service::NewCategory {
        key: "noise".to_owned(),
        name: "噪音扰民".to_owned(),
        respond_within_minutes: 60,
        resolve_within_minutes: 24 * 60,
        questions: vec![],
    };
    assert!(matches!(
        t.service.create_category(&t.a_admin, new()).await,
        Err(RequestError::Forbidden)
    ));
    t.service.create_category(&district, new()).await.unwrap();
    assert!(matches!(
        t.service.create_category(&district, new()).await,
        Err(RequestError::CategoryTaken(k)) if k == "noise"
    ));
    assert!(matches!(
        t.service
            .update_category(&district, "missing", Default::default())
            .await,
        Err(RequestError::NotFound(Resource::Category))
    ));
    let keys: Vec<String> = t
        .service
        .categories()
        .await
        .unwrap()
        .iter()
        .map(|c| c.key.to_string())
        .collect();
    assert!(keys.contains(&"noise".to_owned()) && keys.contains(&"wish".to_owned()));
}
