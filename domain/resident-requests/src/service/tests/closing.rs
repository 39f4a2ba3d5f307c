use super::*;
use crate::error::RequestError;
use crate::request::{Action, RequestStatus};
use crate::service::NewRating;

async fn resolved(t: &Town) -> (Actor, RequestId) {
    let (author, id, _) = t.accepted(1).await;
    t.service.resolve(t.worker(), id, "").await.unwrap();
    (author, id)
}

fn stars(n: u8) -> NewRating {
    NewRating {
        stars: n,
        comment: "很及时".to_owned(),
    }
}

#[tokio::test]
async fn the_author_confirms_with_a_rating_of_one_to_five_and_the_request_closes() {
    let t = Town::new();
    let (author, id) = resolved(&t).await;
    for bad in [0, 6] {
        assert!(matches!(
            t.service.confirm(&author, id, stars(bad)).await,
            Err(RequestError::Validation(e)) if e.field == "rating"
        ));
    }
    assert!(matches!(
        t.service.confirm(t.worker(), id, stars(5)).await,
        Err(RequestError::NotAuthor)
    ));
    let view = t.service.confirm(&author, id, stars(4)).await.unwrap();
    assert_eq!(view.request.status, RequestStatus::Closed);
    assert_eq!(view.request.rating.as_ref().map(|r| r.stars), Some(4));
    let last = t.service.get(&author, id).await.unwrap().timeline.pop().unwrap();
    assert_eq!(
        (last.entry.action, last.entry.note.as_deref()),
        (Action::Confirmed, Some("很及时"))
    );
    assert!(matches!(
        t.service.confirm(&author, id, stars(5)).await,
        Err(RequestError::RequestState(RequestStatus::Closed))
    ));
}

#[tokio::test]
async fn reopening_sends_it_back_to_accepted_with_the_reason() {
    let t = Town::new();
    let (author, id) = resolved(&t).await;
    assert!(matches!(
        t.service.reopen(&author, id, "").await,
        Err(RequestError::Validation(_))
    ));
    let view = t.service.reopen(&author, id, "灯还是不亮").await.unwrap();
    assert_eq!(view.request.status, RequestStatus::Accepted);
    assert_eq!(view.request.resolved_at, None);
    // Staff add the work still needed.
    t.service
        .add_tasks(t.worker(), id, vec![task("换整个灯座")])
        .await
        .unwrap();
    let detail = t.service.get(t.worker(), id).await.unwrap();
    assert_eq!(detail.tasks.len(), 2);
}

#[tokio::test]
async fn nobody_confirms_a_request_that_is_not_resolved() {
    let t = Town::new();
    let (author, request) = t.posted().await;
    assert!(matches!(
        t.service.confirm(&author, request.id, stars(5)).await,
        Err(RequestError::RequestState(RequestStatus::Submitted))
    ));
}

#[tokio::test]
async fn a_risky_comment_or_reason_is_refused() {
    let t = Town::new();
    t.ports
        .content
        .flag("赌博", linli_kernel::ports::ContentVerdict::Risky);
    let (author, id) = resolved(&t).await;
    let risky = NewRating {
        stars: 1,
        comment: "去赌博吧".to_owned(),
    };
    assert!(matches!(
        t.service.confirm(&author, id, risky).await,
        Err(RequestError::ContentRejected)
    ));
    assert!(matches!(
        t.service.reopen(&author, id, "赌博").await,
        Err(RequestError::ContentRejected)
    ));
    assert_eq!(t.request(id).status, RequestStatus::Resolved);
}
