//! The upload rules, against the in-memory store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use img_parts::Bytes;
use linli_kernel::testing::ManualClock;
use linli_kernel::{Actor, SessionId, UserId};

use crate::image::ImageError;
use crate::models::ImageKind;
use crate::testing::{InMemoryUploadStore, samples};
use crate::{UploadError, UploadService};

fn person() -> Actor {
    Actor::new(UserId::new(), Some(SessionId::new()), vec![])
}

fn service(store: &InMemoryUploadStore) -> UploadService<InMemoryUploadStore, ManualClock> {
    UploadService::new(store.clone(), ManualClock::default()).with_max_bytes(4096)
}

#[tokio::test]
async fn an_image_is_kept_stripped_under_a_new_name_of_its_kind() {
    let store = InMemoryUploadStore::default();
    let uploads = service(&store);
    let actor = person();
    let upload = uploads
        .upload(&actor, Bytes::from(samples::jpeg_with_metadata()))
        .await
        .unwrap();
    assert_eq!(upload.owner, actor.user_id());
    assert_eq!(upload.kind(), ImageKind::Jpeg);
    assert_eq!(upload.size, samples::JPEG.len() as u64, "the stripped size");
    assert!(upload.url().starts_with("/files/") && upload.url().ends_with(".jpg"));
    let (name, kept) = uploads.open(&upload.name.to_string()).await.unwrap().unwrap();
    assert_eq!(name, upload.name);
    assert_eq!(kept.to_vec(), samples::JPEG.to_vec());
    assert_eq!(store.uploads(), vec![upload]);
}

#[tokio::test]
async fn what_is_not_a_kept_image_is_refused_and_nothing_kept() {
    let store = InMemoryUploadStore::default();
    let uploads = service(&store);
    let exe = uploads
        .upload(&person(), Bytes::from(samples::windows_program()))
        .await;
    assert!(
        matches!(exe, Err(UploadError::Image(ImageError::Unsupported))),
        "{exe:?}"
    );
    let broken = uploads
        .upload(&person(), Bytes::copy_from_slice(&samples::PNG[..40]))
        .await;
    assert!(
        matches!(
            broken,
            Err(UploadError::Image(ImageError::Malformed {
                kind: ImageKind::Png,
                ..
            }))
        ),
        "{broken:?}"
    );
    let big = uploads.upload(&person(), Bytes::from(vec![0xFF; 4097])).await;
    assert!(
        matches!(big, Err(UploadError::TooLarge { max_bytes: 4096 })),
        "{big:?}"
    );
    let console = uploads
        .upload(&Actor::console(), Bytes::from_static(&samples::PNG))
        .await;
    assert!(matches!(console, Err(UploadError::Forbidden)), "{console:?}");
    assert!(store.uploads().is_empty());
}

#[tokio::test]
async fn only_names_this_context_gives_out_open() {
    let store = InMemoryUploadStore::default();
    let uploads = service(&store);
    let upload = uploads
        .upload(&person(), Bytes::from_static(&samples::PNG))
        .await
        .unwrap();
    let name = upload.name.to_string();
    for other in [
        name.replace(".png", ".jpg"),
        name.to_uppercase(),
        format!("../{name}"),
        "..".to_owned(),
        String::new(),
    ] {
        assert!(uploads.open(&other).await.unwrap().is_none(), "{other}");
    }
    assert!(uploads.open(&name).await.unwrap().is_some());
}
