//! Uploads: photos sent as `wx.uploadFile` sends them, told by their content, kept without
//! their metadata, served back by name alone, owned by their uploader; programs refused and
//! nothing kept of them. (What is refused at the edges: `uploads_limits`.)

use std::path::PathBuf;

use linli_kernel::UserId;
use linli_kernel::ports::Uploads;
use linli_tests::forms::FormBody;
use linli_tests::{Reply, TestApp, spawn_app, spawn_app_with};
use linli_uploads::testing::samples;

pub(crate) async fn upload(
    app: &TestApp,
    token: Option<&str>,
    file_name: &str,
    content_type: &str,
    content: &[u8],
) -> Reply {
    let form = FormBody::new()
        .text("category", "repair")
        .file("file", file_name, content_type, content);
    app.post_form("/api/v1/uploads", token, &form).await
}

/// The files in the upload directory (temporary ones too).
pub(crate) fn stored_files(app: &TestApp) -> Vec<PathBuf> {
    let dir = app.settings.upload_dir().unwrap();
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect()
}

/// `GET` a URL path: status, content type, the bytes.
pub(crate) async fn fetch(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = app.http.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_png_named_exe_is_kept_as_png_and_served_back_by_its_url_alone() {
    let app = spawn_app().await;
    let resident = app.resident().await;
    let reply = upload(
        &app,
        Some(&resident.token),
        "photo.exe",
        "application/x-msdownload",
        &samples::PNG,
    )
    .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["content_type"], "image/png");
    assert_eq!(reply.body["size"], samples::PNG.len());
    let url = reply.body["url"].as_str().unwrap();
    assert!(url.starts_with("/files/") && url.ends_with(".png"), "{url}");
    assert_eq!(url, format!("/files/{}.png", reply.id()));
    assert_eq!(reply.id().get_version_num(), 7);

    let (status, headers, bytes) = fetch(&app, url).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(headers["content-length"], samples::PNG.len().to_string().as_str());
    assert_eq!(bytes, samples::PNG.to_vec());
    assert_eq!(stored_files(&app).len(), 1);
}

#[tokio::test]
async fn a_program_named_png_is_refused_and_nothing_is_kept() {
    let app = spawn_app().await;
    let resident = app.resident().await;
    let reply = upload(
        &app,
        Some(&resident.token),
        "photo.png",
        "image/png",
        &samples::windows_program(),
    )
    .await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "unsupported_file_type"),
        "{reply:?}"
    );
    // A PNG's magic number in front of a program: it claims a kind but is none.
    let disguised = [b"\x89PNG\r\n\x1a\n".as_slice(), &samples::windows_program()].concat();
    let reply = upload(&app, Some(&resident.token), "photo.png", "image/png", &disguised).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "unsupported_file_type"),
        "{reply:?}"
    );
    assert_eq!(reply.body["details"]["claimed"], "image/png");
    let english = app
        .http
        .post(app.url("/api/v1/uploads"))
        .bearer_auth(&resident.token)
        .header("accept-language", "en")
        .header("content-type", FormBody::content_type())
        .body(
            FormBody::new()
                .file("file", "a.gif", "image/gif", b"GIF89a....")
                .body(),
        )
        .send()
        .await
        .unwrap();
    let english = linli_tests::into_reply(english).await;
    assert_eq!(english.code(), "unsupported_file_type");
    assert!(
        english.body["message"]
            .as_str()
            .unwrap()
            .contains("JPEG, PNG and WebP")
    );
    assert!(stored_files(&app).is_empty());
}

#[tokio::test]
async fn a_photo_with_its_position_comes_back_without_it() {
    let app = spawn_app().await;
    let resident = app.resident().await;
    let phones = [
        (
            "IMG_0001.JPG",
            "image/jpeg",
            samples::jpeg_with_metadata(),
            samples::JPEG.to_vec(),
        ),
        (
            "wx_camera_1.png",
            "image/png",
            samples::png_with_metadata(),
            samples::PNG.to_vec(),
        ),
        (
            "tmp_123.webp",
            "image/webp",
            samples::webp_with_metadata(),
            Vec::new(),
        ),
    ];
    for (name, content_type, sent, expected) in phones {
        assert!(samples::holds_position(&sent));
        let reply = upload(&app, Some(&resident.token), name, content_type, &sent).await;
        assert_eq!(reply.status, 201, "{name}: {reply:?}");
        assert_eq!(reply.body["content_type"], content_type);
        let (status, headers, served) = fetch(&app, reply.body["url"].as_str().unwrap()).await;
        assert_eq!(
            (status, headers["content-type"].to_str().unwrap()),
            (200, content_type)
        );
        assert!(
            !samples::holds_position(&served),
            "{name} still says where it was taken"
        );
        assert_eq!(reply.body["size"], served.len(), "{name}");
        assert!(served.len() < sent.len());
        if !expected.is_empty() {
            assert_eq!(served, expected, "{name}: the picture, nothing else");
        }
    }
}

#[tokio::test]
async fn one_file_in_its_field_and_only_the_configured_field() {
    let app = spawn_app_with(|s| s.upload_field = "photo".to_owned()).await;
    let resident = app.resident().await;
    let token = Some(resident.token.as_str());
    let reply = app
        .post_form(
            "/api/v1/uploads",
            token,
            &FormBody::new().file("photo", "a.jpg", "image/jpeg", &samples::JPEG),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    // In the default field, which this server does not use.
    let reply = upload(&app, token, "a.jpg", "image/jpeg", &samples::JPEG).await;
    assert_eq!((reply.status, reply.code()), (400, "file_expected"), "{reply:?}");
    assert_eq!(reply.body["details"]["field"], "photo");
    // No file; two files.
    let reply = app
        .post_form("/api/v1/uploads", token, &FormBody::new().text("photo", ""))
        .await;
    assert_eq!(reply.status, 422, "an empty file is no image: {reply:?}");
    let reply = app
        .post_form("/api/v1/uploads", token, &FormBody::new().text("note", "x"))
        .await;
    assert_eq!((reply.status, reply.code()), (400, "file_expected"), "{reply:?}");
    assert_eq!(reply.body["details"]["files"], 0);
    let two = FormBody::new()
        .file("photo", "a.jpg", "image/jpeg", &samples::JPEG)
        .file("photo", "b.jpg", "image/jpeg", &samples::JPEG);
    let reply = app.post_form("/api/v1/uploads", token, &two).await;
    assert_eq!((reply.status, reply.code()), (400, "file_expected"), "{reply:?}");
    assert_eq!(reply.body["details"]["files"], 2);
    // Not a form at all.
    let reply = app
        .http
        .post(app.url("/api/v1/uploads"))
        .bearer_auth(&resident.token)
        .header("content-type", "image/png")
        .body(samples::PNG.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 400);
    assert_eq!(stored_files(&app).len(), 1, "only the first upload is kept");
}

#[tokio::test]
async fn the_kernel_port_answers_only_the_owners_files() {
    let app = spawn_app().await;
    let (a, b) = (app.resident().await, app.resident().await);
    let url_of = |reply: Reply| reply.body["url"].as_str().unwrap().to_owned();
    let a1 = url_of(upload(&app, Some(&a.token), "1.jpg", "image/jpeg", &samples::JPEG).await);
    let a2 = url_of(upload(&app, Some(&a.token), "2.png", "image/png", &samples::PNG).await);
    let b1 = url_of(upload(&app, Some(&b.token), "3.webp", "image/webp", &samples::WEBP).await);
    let b2 = app.upload_photo(&b.token).await;
    let asked = vec![
        a1.clone(),
        b1.clone(),
        a2.clone(),
        a1.replace(".jpg", ".png"),
        format!("http://elsewhere{a1}"),
        a1.trim_start_matches("/files/").to_owned(),
        "/files/../linli.db".to_owned(),
    ];
    let db = &app.state.db;
    let mut owned = db
        .uploaded_by(UserId::from_uuid(a.user_id), &asked)
        .await
        .unwrap();
    owned.sort();
    let mut expected = vec![a1.clone(), a2.clone()];
    expected.sort();
    assert_eq!(owned, expected);
    assert_eq!(
        db.uploaded_by(UserId::from_uuid(b.user_id), &asked)
            .await
            .unwrap(),
        vec![b1]
    );
    // The harness's helper makes photos the same way.
    let (owner, other) = (UserId::from_uuid(b.user_id), UserId::from_uuid(a.user_id));
    let b2 = std::slice::from_ref(&b2);
    assert_eq!(db.uploaded_by(owner, b2).await.unwrap(), b2.to_vec());
    assert!(db.uploaded_by(other, b2).await.unwrap().is_empty());
    assert!(
        db.uploaded_by(UserId::new(), &asked).await.unwrap().is_empty(),
        "someone who uploaded nothing owns nothing"
    );
    assert!(
        db.uploaded_by(UserId::from_uuid(a.user_id), &[])
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_retried_upload_with_its_key_keeps_one_file() {
    let app = spawn_app().await;
    let resident = app.resident().await;
    let form = FormBody::new().file("file", "a.jpg", "image/jpeg", &samples::JPEG);
    let send = || {
        app.http
            .post(app.url("/api/v1/uploads"))
            .bearer_auth(&resident.token)
            .header("idempotency-key", "upload-1")
            .header("content-type", FormBody::content_type())
            .body(form.body())
            .send()
    };
    let first = linli_tests::into_reply(send().await.unwrap()).await;
    let again = linli_tests::into_reply(send().await.unwrap()).await;
    assert_eq!(first.status, 201, "{first:?}");
    assert_eq!(again.status, 201);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(first.body, again.body);
    assert_eq!(stored_files(&app).len(), 1);
}
