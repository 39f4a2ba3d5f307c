//! The transport's limits: bounded metric labels, header and idle timeouts, the connection
//! cap, WebSocket message size and rate, and logs that keep ERROR for our own failures.
//! Waits here are hang guards, never measured latencies.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use linli_tests::logs::capture_logs;
use linli_tests::{TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// A hang guard: generous, so a slow machine never fails a test that is right.
const GUARD: Duration = Duration::from_secs(15);

async fn metrics(app: &TestApp) -> String {
    app.http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn request_series(metrics: &str) -> usize {
    metrics
        .lines()
        .filter(|l| l.starts_with("linli_http_requests_total{"))
        .count()
}

/// Reads until the server closes the connection; what it sent.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return received,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

#[tokio::test]
async fn invented_methods_add_no_metric_series() {
    let app = spawn_app().await;
    app.request(Method::GET, "/healthz", None, None).await;
    let before = metrics(&app).await;
    for i in 0..300 {
        let method = Method::from_bytes(format!("INVENTED{i}").as_bytes()).unwrap();
        app.request(method, "/healthz", None, None).await;
    }
    let long_method = "X".repeat(60 * 1024);
    let mut raw = TcpStream::connect(app.addr).await.unwrap();
    raw.write_all(
        format!("{long_method} /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    tokio::time::timeout(GUARD, read_to_close(&mut raw))
        .await
        .expect("the server answers or closes");
    let after = metrics(&app).await;
    assert!(!after.contains("INVENTED"), "{after}");
    assert!(!after.contains("XXXXXXXX"));
    assert!(
        request_series(&after) <= request_series(&before) + 3,
        "before:\n{before}\nafter:\n{after}"
    );
    assert!(after.contains(r#"method="other""#), "{after}");
}

#[tokio::test]
async fn a_client_sending_headers_slowly_is_cut_off() {
    let app = spawn_app_with(|s| s.limits.header_read_timeout_seconds = 2).await;
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    // One header line a second for ten seconds: the server must hang up long before.
    let mut lines_sent = 0;
    let mut buffer = [0u8; 1024];
    let cut_off = loop {
        tokio::select! {
            read = slow.read(&mut buffer) => match read {
                Ok(0) | Err(_) => break true,
                Ok(_) => {} // a 408, say; the close follows
            },
            () = tokio::time::sleep(Duration::from_secs(1)) => {
                if lines_sent == 10 {
                    break false;
                }
                lines_sent += 1;
                if slow.write_all(format!("x-slow-{lines_sent}: 1\r\n").as_bytes()).await.is_err() {
                    break true;
                }
            }
        }
    };
    assert!(cut_off, "still open after ten header lines, one a second");
    assert!(lines_sent < 10, "cut off only after {lines_sent} lines");
    // One that never sends a byte gets no longer (the idle timeout is a minute here).
    let mut silent = TcpStream::connect(app.addr).await.unwrap();
    let closed = tokio::time::timeout(GUARD, read_to_close(&mut silent)).await;
    assert!(
        closed.is_ok(),
        "a connection that never speaks waits out the idle timeout"
    );
    // Everyone else is still served.
    assert_eq!(app.request(Method::GET, "/healthz", None, None).await.status, 200);
}

#[tokio::test]
async fn a_silent_connection_is_closed_but_a_quiet_websocket_is_not() {
    let app = spawn_app_with(|s| {
        s.limits.idle_timeout_seconds = 1;
        s.limits.header_read_timeout_seconds = 1;
    })
    .await;
    let user = app.resident().await;
    let mut socket = app.websocket(&user.token).await;
    let mut silent = TcpStream::connect(app.addr).await.unwrap();
    let closed = tokio::time::timeout(GUARD, read_to_close(&mut silent)).await;
    assert!(closed.is_ok(), "a connection that never speaks is closed");
    // The WebSocket stayed quiet as long as that took, and longer.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    socket
        .send(Message::Text(json!({ "type": "ping" }).to_string().into()))
        .await
        .unwrap();
    let reply = tokio::time::timeout(GUARD, socket.next())
        .await
        .expect("a reply")
        .expect("the WebSocket is open")
        .unwrap();
    assert_eq!(reply.into_text().unwrap().as_str(), r#"{"type":"pong"}"#);
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let app = spawn_app_with(|s| s.limits.max_connections = 2).await;
    let request = b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n";
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut buffer = [0u8; 1024];
        let n = tokio::time::timeout(GUARD, stream.read(&mut buffer))
            .await
            .unwrap()
            .unwrap();
        assert!(buffer[..n].starts_with(b"HTTP/1.1 200"));
        held.push(stream); // kept alive: it holds a slot
    }
    let mut third = TcpStream::connect(app.addr).await.unwrap();
    third.write_all(request).await.unwrap();
    let mut buffer = [0u8; 1024];
    let waited = tokio::time::timeout(Duration::from_millis(500), third.read(&mut buffer)).await;
    assert!(waited.is_err(), "served beyond the cap");
    drop(held.pop());
    let n = tokio::time::timeout(GUARD, third.read(&mut buffer))
        .await
        .expect("served once a slot frees")
        .unwrap();
    assert!(buffer[..n].starts_with(b"HTTP/1.1 200"));
}

/// The close frame the server ends with, reading while `send` writes (which may never
/// finish: the server stops reading).
async fn close_after(socket: linli_tests::WebSocket, send: Vec<Message>) -> Option<(CloseCode, String)> {
    let (mut sink, mut stream) = socket.split();
    let writer = tokio::spawn(async move {
        for message in send {
            if sink.send(message).await.is_err() {
                return;
            }
        }
    });
    let close = tokio::time::timeout(GUARD, async {
        while let Some(frame) = stream.next().await {
            match frame {
                Ok(Message::Close(frame)) => {
                    return frame.map(|f| (f.code, f.reason.as_str().to_owned()));
                }
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    })
    .await
    .expect("the server closes");
    writer.abort();
    close
}

#[tokio::test]
async fn an_oversized_websocket_message_closes_with_1009_and_the_server_carries_on() {
    let app = spawn_app().await;
    let user = app.resident().await;
    let socket = app.websocket(&user.token).await;
    let huge = Message::Binary(vec![b'a'; 15 * 1024 * 1024].into());
    let close = close_after(socket, vec![huge]).await;
    assert_eq!(close.map(|c| c.0), Some(CloseCode::Size));
    let mut again = app.websocket(&user.token).await;
    again
        .send(Message::Text(json!({ "type": "ping" }).to_string().into()))
        .await
        .unwrap();
    let reply = tokio::time::timeout(GUARD, again.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(reply.into_text().unwrap().as_str(), r#"{"type":"pong"}"#);
    assert_eq!(app.request(Method::GET, "/healthz", None, None).await.status, 200);
}

#[tokio::test]
async fn a_websocket_flood_closes_with_1008() {
    let app = spawn_app_with(|s| {
        s.limits.ws_message_burst = 5;
        s.limits.ws_messages_per_second = 1;
    })
    .await;
    let user = app.resident().await;
    let socket = app.websocket(&user.token).await;
    let ping = Message::Text(json!({ "type": "ping" }).to_string().into());
    let close = close_after(socket, vec![ping; 200]).await;
    assert_eq!(close, Some((CloseCode::Policy, "rate_limited".to_owned())));
    // Within the rate, a connection lives on.
    let mut calm = app.websocket(&user.token).await;
    for _ in 0..5 {
        calm.send(Message::Text(json!({ "type": "ping" }).to_string().into()))
            .await
            .unwrap();
        let reply = tokio::time::timeout(GUARD, calm.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(reply.is_text(), "{reply:?}");
    }
}

#[tokio::test]
async fn client_errors_are_logged_at_info_not_error() {
    let logs = capture_logs();
    let app = spawn_app().await;
    let user = app.resident().await;
    assert_eq!(
        app.request(Method::GET, "/no/such/path", None, None).await.status,
        404
    );
    assert_eq!(
        app.request(Method::GET, "/api/v1/me", None, None).await.status,
        401
    );
    let grid = uuid::Uuid::now_v7();
    assert_eq!(
        app.get(&format!("/api/v1/grids/{grid}"), &user.token)
            .await
            .status,
        404
    );
    let bad = app
        .http
        .patch(app.url("/api/v1/me"))
        .bearer_auth(&user.token)
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let text = logs.text();
    assert!(text.contains("status=404"), "{text}");
    let errors: Vec<&str> = text.lines().filter(|l| l.contains("ERROR")).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// An upgrade that the server refuses: its HTTP status and error code.
async fn refused_upgrade(app: &TestApp, token: &str) -> (u16, String) {
    use tokio_tungstenite::tungstenite::Error;
    match tokio_tungstenite::connect_async(websocket_request(app, token)).await {
        Err(Error::Http(response)) => {
            let body: serde_json::Value =
                serde_json::from_slice(response.body().as_deref().unwrap_or_default()).unwrap();
            (
                response.status().as_u16(),
                body["code"].as_str().unwrap().to_owned(),
            )
        }
        other => panic!("the upgrade was not refused: {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn one_user_cannot_hold_every_websocket() {
    let app = spawn_app_with(|s| s.limits.max_connections = 16).await;
    let (greedy, other) = (app.resident().await, app.resident().await);
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(app.websocket(&greedy.token).await);
    }
    assert_eq!(
        refused_upgrade(&app, &greedy.token).await,
        (429, "too_many_connections".to_owned())
    );
    let _others = app.websocket(&other.token).await;
    // A closed socket gives its place back.
    let mut closed = held.pop().unwrap();
    closed.close(None).await.unwrap();
    while closed.next().await.is_some() {}
    let reopened = tokio::time::timeout(GUARD, async {
        loop {
            if let Ok(Ok((socket, _))) = tokio::time::timeout(Duration::from_secs(1), async {
                tokio_tungstenite::connect_async(websocket_request(&app, &greedy.token)).await
            })
            .await
            {
                return socket;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(reopened.is_ok(), "a sixth after one closed");
}

#[tokio::test]
async fn websockets_leave_a_quarter_of_the_connections_to_http() {
    // 8 connections: WebSockets may hold 6, whoever opens them (the test's HTTP client
    // keeps one more open).
    let app = spawn_app_with(|s| s.limits.max_connections = 8).await;
    let mut users = Vec::new();
    for _ in 0..4 {
        users.push(app.resident().await);
    }
    let mut held = Vec::new();
    for user in &users[..3] {
        for _ in 0..2 {
            held.push(app.websocket(&user.token).await);
        }
    }
    assert_eq!(
        refused_upgrade(&app, &users[3].token).await.1,
        "too_many_connections"
    );
    assert_eq!(app.request(Method::GET, "/healthz", None, None).await.status, 200);
}

fn websocket_request(
    app: &TestApp,
    token: &str,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{}/api/v1/ws", app.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

#[tokio::test]
async fn a_body_trickled_a_byte_at_a_time_gets_408() {
    let app = spawn_app_with(|s| {
        s.limits.body_read_timeout_seconds = 1;
        s.limits.idle_timeout_seconds = 5;
    })
    .await;
    let user = app.resident().await;
    let (mut read, mut write) = TcpStream::connect(app.addr).await.unwrap().into_split();
    let head = format!(
        "PATCH /api/v1/me HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: 100\r\n\r\n",
        user.token
    );
    write.write_all(head.as_bytes()).await.unwrap();
    // A byte every 200 ms: never idle, and the whole body would take 20 s.
    let trickle = tokio::spawn(async move {
        for _ in 0..100 {
            if write.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let answered = tokio::time::timeout(Duration::from_secs(4), async {
        loop {
            match read.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    trickle.abort();
    assert!(answered.is_ok(), "the connection is still open after 4 s");
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("request_timeout"), "{text}");
    // A body sent at once is unaffected.
    let reply = app.patch("/api/v1/me", &user.token, json!({})).await;
    assert_ne!(reply.status, 408);
}

#[tokio::test]
async fn cleartext_http2_is_not_spoken() {
    let app = spawn_app().await;
    let mut h2c = TcpStream::connect(app.addr).await.unwrap();
    // The HTTP/2 connection preface, then an empty SETTINGS frame.
    h2c.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    let mut received = vec![0u8; 1024];
    let n = tokio::time::timeout(GUARD, h2c.read(&mut received))
        .await
        .expect("the server answers or closes")
        .unwrap_or(0);
    received.truncate(n);
    // An HTTP/2 server would answer with a SETTINGS frame (type 4 at byte 3).
    assert!(
        received.is_empty() || received.starts_with(b"HTTP/1.1 "),
        "{received:?}"
    );
}

#[tokio::test]
async fn an_overridden_post_is_counted_as_the_patch_it_is() {
    let app = spawn_app().await;
    let user = app.resident().await;
    let reply = app
        .http
        .post(app.url("/api/v1/me"))
        .bearer_auth(&user.token)
        .header("x-http-method-override", "PATCH")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let text = metrics(&app).await;
    let me: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("linli_http_requests_total{") && l.contains(r#"route="/api/v1/me""#))
        .collect();
    assert!(me.iter().any(|l| l.contains(r#"method="PATCH""#)), "{me:#?}");
    assert!(!me.iter().any(|l| l.contains(r#"method="POST""#)), "{me:#?}");
}
