use chrono::Duration;
use linli_kernel::ports::Clock;

use super::*;
use crate::error::{RequestError, Resource};
use crate::request::{Action, Level, RequestStatus};
use crate::service::Transfer;
use crate::task::TaskStatus;

#[tokio::test]
async fn staff_accept_with_tasks_which_open_on_the_board() {
    let t = Town::new();
    let (_, request) = t.posted().await;
    let no_tasks = t.service.accept(t.worker(), request.id, vec![]).await;
    assert!(matches!(no_tasks, Err(RequestError::Validation(e)) if e.field == "tasks"));
    t.ports.clock.advance(Duration::minutes(30));
    let view = t
        .service
        .accept(t.worker(), request.id, vec![task("换灯泡"), task("检查线路")])
        .await
        .unwrap();
    assert_eq!(view.request.status, RequestStatus::Accepted);
    assert_eq!(view.request.responded_at, Some(t.ports.clock.now()));
    let detail = t.service.get(t.worker(), request.id).await.unwrap();
    assert_eq!(detail.tasks.len(), 2);
    assert!(detail.tasks.iter().all(|v| v.task.status == TaskStatus::Open));
    let steps: Vec<Action> = detail.timeline.iter().map(|s| s.entry.action).collect();
    assert_eq!(steps, vec![Action::Posted, Action::Accepted]);
    let kinds = t.ports.store.event_kinds();
    assert_eq!(
        kinds.iter().filter(|k| *k == "task.opened").count(),
        4,
        "two tasks, board and request"
    );
    let again = t.service.accept(t.worker(), request.id, vec![task("再来")]).await;
    assert!(matches!(
        again,
        Err(RequestError::RequestState(RequestStatus::Accepted))
    ));
}

#[tokio::test]
async fn only_staff_over_the_grid_handle_a_request() {
    let t = Town::new();
    let (author, request) = t.posted().await;
    let neighbour = t.resident(Some(&t.a1_b2));
    assert!(matches!(
        t.service.accept(&author, request.id, vec![task("x")]).await,
        Err(RequestError::Forbidden)
    ));
    assert!(matches!(
        t.service.reject(&neighbour, request.id, "不管").await,
        Err(RequestError::Forbidden)
    ));
    for outsider in [&t.b1_worker, &t.member] {
        assert!(matches!(
            t.service.accept(outsider, request.id, vec![task("x")]).await,
            Err(RequestError::NotFound(Resource::Request))
        ));
    }
    // Above the grid: its leader and the community admin handle it too.
    t.service
        .reject(&t.a_admin, request.id, "不属于社区职责")
        .await
        .unwrap();
    assert_eq!(t.request(request.id).status, RequestStatus::Rejected);
}

#[tokio::test]
async fn a_rejection_needs_a_reason_the_author_reads() {
    let t = Town::new();
    let (author, request) = t.posted().await;
    let blank = t.service.reject(t.worker(), request.id, "  ").await;
    assert!(matches!(blank, Err(RequestError::Validation(e)) if e.field == "reason"));
    t.service
        .reject(t.worker(), request.id, "属于物业维修范围")
        .await
        .unwrap();
    let detail = t.service.get(&author, request.id).await.unwrap();
    let last = detail.timeline.last().unwrap();
    assert_eq!(last.entry.action, Action::Rejected);
    assert_eq!(last.entry.note.as_deref(), Some("属于物业维修范围"));
}

#[tokio::test]
async fn a_transfer_resets_the_responsible_person_and_keeps_the_clock() {
    let t = Town::new();
    let (author, request) = t.posted().await;
    t.ports.clock.advance(Duration::hours(1));
    let view = t
        .service
        .transfer(
            t.worker(),
            request.id,
            Transfer {
                grid_id: grid_of(&t.b1),
                note: "在和平里".to_owned(),
            },
        )
        .await
        .unwrap();
    assert_eq!(view.request.status, RequestStatus::Transferred);
    let moved = t.request(request.id);
    assert_eq!(moved.place, t.b1.path);
    assert_eq!(moved.responsible.unwrap().user_id, t.b1_worker.user_id());
    assert_eq!(
        (moved.respond_by, moved.resolve_by),
        (request.respond_by, request.resolve_by)
    );
    assert!(moved.responded_at.is_some(), "a transfer is a response");
    // It now waits for b1's staff; a1's worker no longer handles it.
    assert!(matches!(
        t.service.accept(t.worker(), request.id, vec![task("x")]).await,
        Err(RequestError::NotFound(_))
    ));
    t.service
        .accept(&t.b1_worker, request.id, vec![task("修")])
        .await
        .unwrap();
    let community_topics: Vec<String> = t
        .ports
        .store
        .events()
        .iter()
        .filter(|e| e.kind == "request.transferred")
        .map(|e| e.topic.clone())
        .filter(|topic| topic.starts_with("community:"))
        .collect();
    assert_eq!(
        community_topics.len(),
        2,
        "both communities hear of it: {community_topics:?}"
    );
    assert!(t.service.get(&author, request.id).await.is_ok());
    let same = t
        .service
        .transfer(
            &t.b1_worker,
            request.id,
            Transfer {
                grid_id: grid_of(&t.b1),
                note: String::new(),
            },
        )
        .await;
    assert!(same.is_err());
}

#[tokio::test]
async fn a_merged_requests_author_follows_the_other_one() {
    let t = Town::new();
    let (_, target) = t.posted().await;
    let elsewhere = t.resident(None);
    let duplicate = t
        .post(
            &elsewhere,
            NewRequest {
                grid_id: Some(grid_of(&t.a1)),
                ..new_request("general")
            },
        )
        .await
        .request;
    assert!(matches!(
        t.service.get(&elsewhere, target.id).await,
        Err(RequestError::NotFound(_))
    ));
    assert!(matches!(
        t.service.merge(t.worker(), duplicate.id, duplicate.id).await,
        Err(RequestError::MergeTarget)
    ));
    t.service
        .merge(t.worker(), duplicate.id, target.id)
        .await
        .unwrap();
    let merged = t.request(duplicate.id);
    assert_eq!(
        (merged.status, merged.merged_into),
        (RequestStatus::Merged, Some(target.id))
    );
    let followed = t.service.get(&elsewhere, target.id).await.unwrap();
    assert_eq!(followed.timeline.last().unwrap().entry.action, Action::Absorbed);
    let mine = t
        .service
        .list(
            &elsewhere,
            crate::service::RequestQuery {
                mine: true,
                ..Default::default()
            },
            page(),
        )
        .await
        .unwrap();
    assert_eq!(mine.items.len(), 2, "their own and the one they follow");

    // From now on the follower hears what happens to the target.
    t.service
        .accept(t.worker(), target.id, vec![task("修")])
        .await
        .unwrap();
    let heard = t
        .ports
        .store
        .events()
        .iter()
        .any(|e| e.kind == "request.accepted" && e.topic == format!("user:{}", elsewhere.user_id()));
    assert!(heard);
    // A merged request merges nothing more, and nothing merges into it.
    let (_, third) = t.posted().await;
    assert!(matches!(
        t.service.merge(t.worker(), third.id, duplicate.id).await,
        Err(RequestError::MergeTarget)
    ));
}

#[tokio::test]
async fn staff_resolve_only_when_nobody_holds_a_task_and_open_ones_are_withdrawn() {
    let t = Town::new();
    let (_, id, tasks) = t.accepted(2).await;
    t.service.claim(&t.member, tasks[0], None).await.unwrap();
    assert!(matches!(
        t.service.resolve(t.worker(), id, "").await,
        Err(RequestError::TasksUnfinished)
    ));
    t.service.release(&t.member, tasks[0]).await.unwrap();
    let view = t.service.resolve(t.worker(), id, "电话沟通已解决").await.unwrap();
    assert_eq!(view.request.status, RequestStatus::Resolved);
    let detail = t.service.get(t.worker(), id).await.unwrap();
    assert!(
        detail
            .tasks
            .iter()
            .all(|v| v.task.status == TaskStatus::Withdrawn)
    );
}

#[tokio::test]
async fn a_lost_race_is_read_again_and_decided_on_the_new_state() {
    let t = Town::new();
    let (_, request) = t.posted().await;
    // Two staff answer at once: one accepts, the other's rejection finds it accepted.
    let (a, b) = tokio::join!(
        t.service.accept(t.worker(), request.id, vec![task("修")]),
        t.service.reject(&t.a1_leader, request.id, "重复")
    );
    assert!(
        a.is_ok() != b.is_ok(),
        "exactly one answer is written: {a:?} / {b:?}"
    );
    assert!(t.ports.store.lost_races() >= 1, "the two did race");
    let stored = t.request(request.id);
    let decided = t.service.get(t.worker(), request.id).await.unwrap();
    assert_eq!(decided.timeline.len(), 2, "one answer in the timeline");
    assert!(matches!(
        stored.status,
        RequestStatus::Accepted | RequestStatus::Rejected
    ));
    assert_eq!(stored.responsible.unwrap().level, Level::GridWorker);
}

#[tokio::test]
async fn a_request_others_follow_is_merged_no_further_and_a_transfer_names_another_grid() {
    let t = Town::new();
    let (_, a) = t.posted().await;
    let (_, b) = t.posted().await;
    let (_, c) = t.posted().await;
    t.service.merge(t.worker(), a.id, b.id).await.unwrap();
    assert!(matches!(
        t.service.merge(t.worker(), b.id, c.id).await,
        Err(RequestError::MergeTarget)
    ));
    let same = t
        .service
        .transfer(
            t.worker(),
            c.id,
            Transfer {
                grid_id: grid_of(&t.a1),
                note: String::new(),
            },
        )
        .await;
    assert!(matches!(same, Err(RequestError::Validation(e)) if e.field == "grid_id"));
}
