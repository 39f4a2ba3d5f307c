#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures_util::stream;
use hyper::body::Bytes;
use poem::{Body, Request};

use super::*;

const BOUNDARY: &str = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

fn part(name: &str, file_name: Option<&str>, content: &[u8]) -> Vec<u8> {
    let disposition = match file_name {
        Some(file) => format!("form-data; name=\"{name}\"; filename=\"{file}\""),
        None => format!("form-data; name=\"{name}\""),
    };
    [
        format!("--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n").as_bytes(),
        content,
        b"\r\n",
    ]
    .concat()
}

fn form(parts: &[Vec<u8>]) -> Form {
    let body = [parts.concat(), format!("--{BOUNDARY}--\r\n").into_bytes()].concat();
    Form {
        content_type: format!("multipart/form-data; boundary={BOUNDARY}"),
        body: Body::from(body),
        field: "file".to_owned(),
    }
}

#[tokio::test]
async fn the_file_is_read_past_text_fields_before_and_after_it() {
    let content = form(&[
        part("user", None, "张三".as_bytes()),
        part("file", Some("photo.exe"), b"the file"),
        part("note", None, b"after"),
    ])
    .read_file(64)
    .await;
    assert_eq!(content, Ok(b"the file".to_vec()));
}

#[tokio::test]
async fn one_file_in_the_field_or_the_form_is_refused() {
    let expected = |files| {
        Err(FormError::FileExpected {
            field: "file".to_owned(),
            files,
        })
    };
    let none = form(&[part("note", None, b"x")]).read_file(64).await;
    assert_eq!(none, expected(0));
    let elsewhere = form(&[part("photo", Some("a.png"), b"x")]).read_file(64).await;
    assert_eq!(elsewhere, expected(1));
    let two = form(&[
        part("file", Some("a.png"), b"x"),
        part("file", Some("b.png"), b"y"),
    ])
    .read_file(64)
    .await;
    assert_eq!(two, expected(2));
    let two = form(&[
        part("file", Some("a.png"), b"x"),
        part("other", Some("b.png"), b"y"),
    ])
    .read_file(64)
    .await;
    assert_eq!(two, expected(2));
}

#[tokio::test]
async fn a_file_over_its_limit_stops_the_reading() {
    let big = form(&[part("file", Some("a.png"), &[7u8; 100])])
        .read_file(99)
        .await;
    assert_eq!(big, Err(FormError::TooLarge { max_bytes: 99 }));
    let exact = form(&[part("file", Some("a.png"), &[7u8; 100])])
        .read_file(100)
        .await;
    assert_eq!(exact.map(|c| c.len()), Ok(100));
}

#[tokio::test]
async fn what_is_not_a_form_is_malformed() {
    let mut no_boundary = form(&[part("file", Some("a"), b"x")]);
    no_boundary.content_type = "multipart/form-data".to_owned();
    assert!(matches!(
        no_boundary.read_file(64).await,
        Err(FormError::Malformed(_))
    ));
    let garbage = Form {
        content_type: "multipart/form-data; boundary=x".to_owned(),
        body: Body::from_bytes(Bytes::from_static(b"this is not a form")),
        field: "file".to_owned(),
    };
    assert!(matches!(
        garbage.read_file(64).await,
        Err(FormError::Malformed(_))
    ));
}

fn streamed(chunks: Vec<Bytes>, declared: Option<usize>, limit: usize, deadline: Duration) -> Body {
    let body = Body::from_bytes_stream(stream::iter(chunks.into_iter().map(Ok::<_, io::Error>)));
    let mut builder = Request::builder();
    if let Some(length) = declared {
        builder = builder.header(header::CONTENT_LENGTH, length.to_string());
    }
    let mut req = builder.body(body);
    stream_body(&mut req, limit, deadline);
    req.take_body()
}

async fn limit_hit(body: Body) -> Option<BodyLimit> {
    match body.into_bytes().await {
        Ok(_) => None,
        Err(e) => body_limit_of(&e),
    }
}

#[tokio::test]
async fn a_streamed_body_is_bounded_in_size_and_time() {
    let chunks = vec![Bytes::from(vec![1u8; 60]), Bytes::from(vec![2u8; 60])];
    let whole = streamed(chunks.clone(), None, 120, Duration::from_secs(30));
    assert_eq!(whole.into_bytes().await.unwrap().len(), 120);
    let over = streamed(chunks, None, 100, Duration::from_secs(30));
    assert_eq!(
        limit_hit(over).await,
        Some(BodyLimit::TooLarge { max_bytes: 100 })
    );

    // Declared too large: refused before any byte is read (this body would never end).
    let body = Body::from_bytes_stream(stream::pending::<Result<Bytes, io::Error>>());
    let mut req = Request::builder()
        .header(header::CONTENT_LENGTH, "1000000")
        .body(body);
    stream_body(&mut req, 100, Duration::from_secs(3600));
    let declared = req.take_body();
    assert_eq!(
        limit_hit(declared).await,
        Some(BodyLimit::TooLarge { max_bytes: 100 })
    );

    // A body that stops arriving.
    let body = Body::from_bytes_stream(stream::pending::<Result<Bytes, io::Error>>());
    let mut req = Request::builder().body(body);
    stream_body(&mut req, 100, Duration::from_millis(10));
    assert_eq!(
        limit_hit(req.take_body()).await,
        Some(BodyLimit::TimedOut { seconds: 0 })
    );
}

#[tokio::test]
async fn a_streamed_form_reports_its_bound_as_too_large() {
    let body = [
        part("file", Some("a.png"), &[9u8; 500]),
        format!("--{BOUNDARY}--\r\n").into_bytes(),
    ]
    .concat();
    let chunks = body.chunks(64).map(Bytes::copy_from_slice).collect();
    let form = Form {
        content_type: format!("multipart/form-data; boundary={BOUNDARY}"),
        body: streamed(chunks, None, 200, Duration::from_secs(30)),
        field: "file".to_owned(),
    };
    assert_eq!(
        form.read_file(10_000).await,
        Err(FormError::TooLarge { max_bytes: 200 })
    );
}

#[test]
fn sizes_read_as_people_read_them() {
    assert_eq!(readable_size(5 * 1024 * 1024), "5 MB");
    assert_eq!(readable_size(1024 * 1024 + 512 * 1024), "1.5 MB");
    assert_eq!(readable_size(64 * 1024), "64 KB");
    assert_eq!(readable_size(100), "100 B");
}
