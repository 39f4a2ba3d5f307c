use tokio::task::JoinSet;

use super::*;
use crate::error::{RequestError, Resource};
use crate::request::{Action, RequestStatus};
use crate::service::NewCompletion;
use crate::task::TaskStatus;

async fn done(t: &Town, id: TaskId) {
    t.service.claim(&t.member, id, None).await.unwrap();
    t.service.start(&t.member, id).await.unwrap();
    t.service
        .complete(
            &t.member,
            id,
            NewCompletion {
                note: "已更换".to_owned(),
                photos: vec![t.ports.files.upload(t.member.user_id())],
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_party_member_of_the_community_claims_and_the_request_is_in_progress() {
    let t = Town::new();
    let (_, id, tasks) = t.accepted(1).await;
    let board = t
        .service
        .board(&t.member, Default::default(), page())
        .await
        .unwrap();
    assert_eq!(board.items.len(), 1);
    let view = t.service.claim(&t.member, tasks[0], None).await.unwrap();
    assert_eq!(view.task.status, TaskStatus::Claimed);
    assert_eq!(view.claimant.unwrap().id, t.member.user_id());
    assert_eq!(t.request(id).status, RequestStatus::InProgress);
    let board = t
        .service
        .board(&t.member, Default::default(), page())
        .await
        .unwrap();
    assert!(board.items.is_empty(), "a claimed task leaves the open board");
}

#[tokio::test]
async fn others_may_not_claim_and_nobody_claims_twice() {
    let t = Town::new();
    let (author, _, tasks) = t.accepted(1).await;
    let other_member = t.staff(Role::PartyMember, &t.b);
    assert!(matches!(
        t.service.claim(&other_member, tasks[0], None).await,
        Err(RequestError::NotFound(Resource::Task))
    ));
    assert!(matches!(
        t.service.claim(t.worker(), tasks[0], None).await,
        Err(RequestError::ClaimNotAllowed)
    ));
    assert!(matches!(
        t.service.claim(&author, tasks[0], None).await,
        Err(RequestError::NotFound(Resource::Task))
    ));
    assert!(matches!(
        t.service
            .claim(&t.member, tasks[0], Some(linli_kernel::VolunteerTeamId::new()))
            .await,
        Err(RequestError::TeamUnknown)
    ));
    t.service.claim(&t.member, tasks[0], None).await.unwrap();
    let second = t.staff(Role::PartyMember, &t.a);
    assert!(matches!(
        t.service.claim(&second, tasks[0], None).await,
        Err(RequestError::TaskAlreadyClaimed)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_many_concurrent_claims_exactly_one_wins() {
    let t = Town::new();
    let (_, _, tasks) = t.accepted(3).await;
    for task_id in tasks {
        let mut claims = JoinSet::new();
        let claimants: Vec<Actor> = (0..16).map(|_| t.staff(Role::PartyMember, &t.a)).collect();
        for claimant in claimants {
            let service = t.service.clone();
            claims.spawn(async move { (claimant.user_id(), service.claim(&claimant, task_id, None).await) });
        }
        let mut winners = Vec::new();
        while let Some(joined) = claims.join_next().await {
            match joined.unwrap() {
                (who, Ok(_)) => winners.push(who),
                (_, Err(RequestError::TaskAlreadyClaimed)) => {}
                (_, Err(other)) => panic!("a loser must be told the task is claimed, not {other:?}"),
            }
        }
        assert_eq!(winners.len(), 1);
        let stored = t
            .ports
            .store
            .0
            .lock()
            .unwrap()
            .tasks
            .iter()
            .find(|x| x.id == task_id)
            .cloned()
            .unwrap();
        assert_eq!(stored.claim.unwrap().claimant, winners[0]);
    }
    assert!(t.ports.store.lost_races() > 0, "the claims did race");
}

#[tokio::test]
async fn only_the_claimant_releases_starts_and_completes() {
    let t = Town::new();
    let (_, _, tasks) = t.accepted(1).await;
    let id = tasks[0];
    t.service.claim(&t.member, id, None).await.unwrap();
    let other = t.staff(Role::PartyMember, &t.a);
    assert!(matches!(
        t.service.start(&other, id).await,
        Err(RequestError::NotClaimant)
    ));
    assert!(matches!(
        t.service.release(&other, id).await,
        Err(RequestError::NotClaimant)
    ));
    t.service.start(&t.member, id).await.unwrap();
    assert!(matches!(
        t.service.release(&t.member, id).await,
        Err(RequestError::TaskState(TaskStatus::InProgress))
    ));
    let someone_elses = t.ports.files.upload(other.user_id());
    let refused = t
        .service
        .complete(
            &t.member,
            id,
            NewCompletion {
                note: String::new(),
                photos: vec![someone_elses],
            },
        )
        .await;
    assert!(matches!(refused, Err(RequestError::PhotoNotUploaded(_))));
}

#[tokio::test]
async fn a_released_task_is_open_for_the_next_claimant() {
    let t = Town::new();
    let (_, id, tasks) = t.accepted(1).await;
    t.service.claim(&t.member, tasks[0], None).await.unwrap();
    let view = t.service.release(&t.member, tasks[0]).await.unwrap();
    assert_eq!((view.task.status, view.task.claim), (TaskStatus::Open, None));
    let next = t.staff(Role::PartyMember, &t.a);
    t.service.claim(&next, tasks[0], None).await.unwrap();
    let steps: Vec<Action> = t
        .service
        .get(t.worker(), id)
        .await
        .unwrap()
        .timeline
        .iter()
        .map(|s| s.entry.action)
        .collect();
    assert_eq!(
        steps,
        vec![
            Action::Posted,
            Action::Accepted,
            Action::TaskClaimed,
            Action::TaskReleased,
            Action::TaskClaimed
        ]
    );
}

#[tokio::test]
async fn the_last_verification_resolves_the_request_and_nobody_verifies_their_own_work() {
    let t = Town::new();
    let (_, id, tasks) = t.accepted(2).await;
    done(&t, tasks[0]).await;
    done(&t, tasks[1]).await;
    assert!(matches!(
        t.service.verify(&t.member, tasks[0]).await,
        Err(RequestError::Forbidden)
    ));
    t.service.verify(t.worker(), tasks[0]).await.unwrap();
    assert_eq!(t.request(id).status, RequestStatus::InProgress);
    t.service.verify(&t.a1_leader, tasks[1]).await.unwrap();
    let resolved = t.request(id);
    assert_eq!(resolved.status, RequestStatus::Resolved);
    assert_eq!(
        resolved.resolved_at,
        Some(linli_kernel::ports::Clock::now(&t.ports.clock))
    );

    // A grid worker who is also a Party member may claim, but not verify what they did.
    let (_, _, more) = t.accepted(1).await;
    let both = Actor::new(
        t.worker().user_id(),
        None,
        vec![(Role::GridWorker, t.a1.scope), (Role::PartyMember, t.a.scope)],
    );
    t.service.claim(&both, more[0], None).await.unwrap();
    t.service.start(&both, more[0]).await.unwrap();
    t.service
        .complete(&both, more[0], NewCompletion::default())
        .await
        .unwrap();
    assert!(matches!(
        t.service.verify(&both, more[0]).await,
        Err(RequestError::OwnTask)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_last_verifications_at_once_still_resolve_the_request() {
    let t = Town::new();
    for _ in 0..10 {
        let (_, id, tasks) = t.accepted(2).await;
        done(&t, tasks[0]).await;
        done(&t, tasks[1]).await;
        let (s1, s2) = (t.service.clone(), t.service.clone());
        let (w, l) = (t.worker().clone(), t.a1_leader.clone());
        let (a, b) = (tasks[0], tasks[1]);
        let one = tokio::spawn(async move { s1.verify(&w, a).await });
        let two = tokio::spawn(async move { s2.verify(&l, b).await });
        one.await.unwrap().unwrap();
        two.await.unwrap().unwrap();
        assert_eq!(t.request(id).status, RequestStatus::Resolved);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn claims_of_different_tasks_of_one_request_never_collide() {
    let t = Town::new();
    let (_, id, tasks) = t.accepted(12).await;
    let mut claims = JoinSet::new();
    for task_id in tasks {
        let claimant = t.staff(Role::PartyMember, &t.a);
        let service = t.service.clone();
        claims.spawn(async move { service.claim(&claimant, task_id, None).await });
    }
    while let Some(joined) = claims.join_next().await {
        joined.unwrap().unwrap();
    }
    assert_eq!(t.request(id).status, RequestStatus::InProgress);
}

#[tokio::test]
async fn a_claim_retried_by_its_winner_is_answered_again_and_the_author_claims_nothing() {
    let t = Town::new();
    let (_, id, tasks) = t.accepted(2).await;
    t.service.claim(&t.member, tasks[0], None).await.unwrap();
    let again = t.service.claim(&t.member, tasks[0], None).await.unwrap();
    assert_eq!(again.claimant.unwrap().id, t.member.user_id());
    let steps = t.service.get(t.worker(), id).await.unwrap().timeline.len();
    assert_eq!(steps, 3, "the retry wrote nothing");

    // An author who is a Party member of the community may not claim their own request's work.
    let author = t.staff(Role::PartyMember, &t.a);
    t.ports.homes.set(author.user_id(), t.a1_b1.path);
    let own = t.post(&author, new_request("general")).await.request.id;
    t.service.accept(t.worker(), own, vec![task("x")]).await.unwrap();
    let own_task = t.service.get(t.worker(), own).await.unwrap().tasks[0].task.id;
    assert!(matches!(
        t.service.claim(&author, own_task, None).await,
        Err(RequestError::OwnRequest)
    ));
}

#[tokio::test]
async fn a_finished_task_is_not_claimable_and_mine_lists_what_one_holds() {
    let t = Town::new();
    let (_, _, tasks) = t.accepted(3).await;
    done(&t, tasks[0]).await;
    t.service.claim(&t.member, tasks[1], None).await.unwrap();
    let other = t.staff(Role::PartyMember, &t.a);
    assert!(matches!(
        t.service.claim(&other, tasks[0], None).await,
        Err(RequestError::TaskState(TaskStatus::Done))
    ));
    let mine = t
        .service
        .board(
            &t.member,
            crate::service::BoardQuery {
                mine: true,
                ..Default::default()
            },
            page(),
        )
        .await
        .unwrap();
    let held: Vec<TaskId> = mine.items.iter().map(|v| v.task.id).collect();
    assert_eq!(
        held,
        vec![tasks[0], tasks[1]],
        "done and claimed, not the open one"
    );
}

#[tokio::test]
async fn a_party_member_sees_the_request_behind_a_task_but_never_an_anonymous_author() {
    let t = Town::new();
    let author = t.resident(Some(&t.a1_b1));
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
    assert!(
        matches!(t.service.get(&t.member, id).await, Err(RequestError::NotFound(_))),
        "not before it is taken on"
    );
    t.service.accept(t.worker(), id, vec![task("x")]).await.unwrap();
    let seen = t.service.get(&t.member, id).await.unwrap();
    assert_eq!(seen.view.author, None);
    assert!(
        seen.timeline
            .iter()
            .all(|s| s.actor.as_ref().is_none_or(|a| a.id != author.user_id()))
    );
}

#[tokio::test]
async fn a_risky_completion_note_is_refused() {
    let t = Town::new();
    t.ports
        .content
        .flag("赌博", linli_kernel::ports::ContentVerdict::Risky);
    let (_, _, tasks) = t.accepted(1).await;
    t.service.claim(&t.member, tasks[0], None).await.unwrap();
    t.service.start(&t.member, tasks[0]).await.unwrap();
    let refused = t
        .service
        .complete(
            &t.member,
            tasks[0],
            NewCompletion {
                note: "顺便去赌博".to_owned(),
                photos: vec![],
            },
        )
        .await;
    assert!(matches!(refused, Err(RequestError::ContentRejected)));
}
