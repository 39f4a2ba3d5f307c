//! Uploads at their edges: what is refused before or while a form is read (anonymous
//! callers, oversize and endless files, bodies that stop arriving) and what is not served
//! (paths that are not names), with nothing kept or read beyond the bounds.

use std::time::Duration;

use linli_tests::forms::{FormBody, answer_before_body};
use linli_tests::{TestApp, spawn_app, spawn_app_with};
use linli_uploads::testing::samples;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::uploads::{fetch, stored_files, upload};

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
