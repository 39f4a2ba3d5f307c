//! Uploads: photos sent as `wx.uploadFile` sends them, told by their content, kept without
//! their metadata, served back by name alone; and what is refused (programs, oversize files,
//! anonymous callers, paths that are not names), with nothing kept of it.

use std::path::PathBuf;
use std::time::Duration;

use linli_kernel::UserId;
use linli_kernel::ports::Uploads;
use linli_tests::forms::{FormBody, answer_before_body};
use linli_tests::{Reply, TestApp, spawn_app, spawn_app_with};
use linli_uploads::testing::samples;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn upload(
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
fn stored_files(app: &TestApp) -> Vec<PathBuf> {
    let dir = app.settings.upload_dir().unwrap();
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect()
}

/// `GET` a URL path: status, content type, the bytes.
async fn fetch(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
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
async fn an_oversize_file_is_413_and_nothing_is_kept() {
    let app = spawn_app_with(|s| s.upload_max_bytes = 64 * 1024).await;
    let resident = app.resident().await;
    let mut big = samples::PNG.to_vec();
    big.resize(64 * 1024 + 1, 0);
    let reply = upload(&app, Some(&resident.token), "big.png", "image/png", &big).await;
    assert_eq!((reply.status, reply.code()), (413, "file_too_large"), "{reply:?}");
    assert_eq!(reply.body["details"]["max_bytes"], 64 * 1024);
    assert!(reply.body["message"].as_str().unwrap().contains("64 KB"));
    assert!(stored_files(&app).is_empty());
    // The connection was not spoilt: the next upload on it goes through.
    let reply = upload(&app, Some(&resident.token), "ok.png", "image/png", &samples::PNG).await;
    assert_eq!(reply.status, 201, "{reply:?}");
}

/// Streams `total` bytes of a form whose file never ends, without a declared length, and
/// gives the answer and how many bytes the server let in before it stopped reading.
async fn flood(app: &TestApp, token: &str, total: usize) -> (String, usize) {
    let stream = TcpStream::connect(app.addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let head = format!(
        "POST /api/v1/uploads HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n\
         content-type: {}\r\ntransfer-encoding: chunked\r\n\r\n",
        FormBody::content_type()
    );
    let start = FormBody::new()
        .file("file", "huge.jpg", "image/jpeg", &samples::JPEG)
        .unfinished();
    // Without the part's closing line break: the file goes on.
    let start = start[..start.len() - 2].to_vec();
    let writer = tokio::spawn(async move {
        let mut sent = 0;
        write.write_all(head.as_bytes()).await.unwrap();
        let first = format!("{:x}\r\n", start.len());
        write.write_all(first.as_bytes()).await.unwrap();
        write.write_all(&start).await.unwrap();
        write.write_all(b"\r\n").await.unwrap();
        let chunk = vec![0x55u8; 64 * 1024];
        while sent < total {
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            if write.write_all(&framed).await.is_err() {
                break;
            }
            sent += chunk.len();
        }
        sent
    });
    let mut answer = Vec::new();
    let _ = read.read_to_end(&mut answer).await;
    let sent = writer.await.unwrap();
    (String::from_utf8_lossy(&answer).into_owned(), sent)
}

#[tokio::test]
async fn an_endless_upload_is_cut_off_at_its_bound_and_fills_neither_memory_nor_disk() {
    let app = spawn_app_with(|s| s.upload_max_bytes = 1024 * 1024).await;
    let resident = app.resident().await;
    let offered = 256 * 1024 * 1024;
    let (answer, sent) = flood(&app, &resident.token, offered).await;
    eprintln!("an endless upload: the client pushed {sent} of {offered} bytes");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("file_too_large"), "{answer}");
    // The server stops reading a little past the form's bound (4 MiB and 64 KiB here: the
    // CSV imports' limit is the larger), after which the client can only fill the sockets'
    // buffers: far from what it offered, and never held in memory or written anywhere.
    assert!(
        sent < 64 * 1024 * 1024,
        "the server read {sent} of {offered} bytes"
    );
    assert!(stored_files(&app).is_empty());
}

#[tokio::test]
async fn uploading_needs_a_login_and_the_refusal_comes_before_the_body() {
    let app = spawn_app().await;
    let anonymous = upload(&app, None, "a.png", "image/png", &samples::PNG).await;
    assert_eq!((anonymous.status, anonymous.code()), (401, "unauthorized"));
    let forged = upload(&app, Some("not-a-token"), "a.png", "image/png", &samples::PNG).await;
    assert_eq!(forged.status, 401);
    // A form of 3 MB that stops after its first bytes: the answer does not wait for it.
    let form = FormBody::new().file("file", "a.png", "image/png", &samples::PNG[..20]);
    let head = format!(
        "POST /api/v1/uploads HTTP/1.1\r\nhost: x\r\ncontent-type: {}\r\n",
        FormBody::content_type()
    );
    let answer = answer_before_body(
        app.addr,
        &head,
        3_000_000,
        &form.unfinished(),
        Duration::from_secs(20),
    )
    .await
    .expect("answered without the body");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(stored_files(&app).is_empty());
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

/// `GET path` written as is, without a client's path normalisation.
async fn raw_get(app: &TestApp, path: &str) -> String {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn only_names_given_out_are_served_and_no_path_leaves_the_directory() {
    let app = spawn_app().await;
    let resident = app.resident().await;
    let reply = upload(&app, Some(&resident.token), "a.png", "image/png", &samples::PNG).await;
    let url = reply.body["url"].as_str().unwrap().to_owned();
    let dir = app.settings.upload_dir().unwrap();
    // Files the server did not write, in the directory and beside it.
    std::fs::write(dir.join("decoy.png"), samples::PNG).unwrap();
    std::fs::write(dir.join("../secret.png"), b"secret").unwrap();
    let unknown = format!("/files/{}.png", uuid::Uuid::now_v7());
    for path in [
        unknown.as_str(),
        &url.replace(".png", ".jpg"),
        &url.to_uppercase().replace("/FILES/", "/files/"),
        "/files/decoy.png",
        "/files/..%2Fsecret.png",
        "/files/%2e%2e%2fsecret.png",
        "/files/..%5Csecret.png",
        "/files/%2Fetc%2Fpasswd",
    ] {
        let (status, _, body) = fetch(&app, path).await;
        assert_eq!(status, 404, "{path}");
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["code"], "file_not_found", "{path}");
    }
    for path in [
        "/files/../secret.png",
        "/files/../../linli.db",
        "/files/..%2F..%2Flinli.db",
        "/files/uploads/../secret.png",
        "/files/.",
        "/files/./decoy.png",
    ] {
        let answer = raw_get(&app, path).await;
        assert!(answer.starts_with("HTTP/1.1 404"), "{path}: {answer}");
        assert!(!answer.contains("secret"), "{path}");
    }
    assert_eq!(fetch(&app, &url).await.0, 200);
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

#[tokio::test]
async fn a_form_that_stops_arriving_gets_408() {
    let app = spawn_app_with(|s| s.limits.body_read_timeout_seconds = 1).await;
    let resident = app.resident().await;
    let head = format!(
        "POST /api/v1/uploads HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\ncontent-type: {}\r\n",
        resident.token,
        FormBody::content_type()
    );
    let form = FormBody::new().file("file", "a.jpg", "image/jpeg", &samples::JPEG);
    let answer = answer_before_body(
        app.addr,
        &head,
        100_000,
        &form.unfinished(),
        Duration::from_secs(20),
    )
    .await
    .expect("answered once the body is late");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    assert!(stored_files(&app).is_empty());
}
