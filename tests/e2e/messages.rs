//! Messages for people: Simplified Chinese by default, English when `Accept-Language` prefers
//! it; the code never changes with the language.

use futures_util::{SinkExt, StreamExt};
use linli_tests::{Reply, TestApp, into_reply, spawn_app};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// `method path` with a JSON body, as `token`, in the language `accept` asks for.
async fn ask(app: &TestApp, path: &str, token: &str, body: &str, accept: Option<&str>) -> Reply {
    let mut request = app
        .http
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(accept) = accept {
        request = request.header("accept-language", accept);
    }
    into_reply(request.send().await.unwrap()).await
}

fn has_chinese(text: &Value) -> bool {
    text.as_str()
        .is_some_and(|t| t.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)))
}

#[tokio::test]
async fn the_same_refusal_is_chinese_by_default_and_english_on_request() {
    let app = spawn_app().await;
    let resident = app.resident().await;
    let body = json!({ "name": "新街道" }).to_string();
    let path = "/api/v1/subdistricts";

    let chinese = ask(&app, path, &resident.token, &body, None).await;
    assert_eq!((chinese.status, chinese.code()), (403, "forbidden"));
    assert_eq!(chinese.body["message"], "您没有权限执行此操作");
    for asked in ["zh-CN", "zh-CN,zh;q=0.9,en;q=0.8", "fr"] {
        let reply = ask(&app, path, &resident.token, &body, Some(asked)).await;
        assert_eq!(reply.body["message"], chinese.body["message"], "{asked}");
    }
    for asked in ["en", "en-US,en;q=0.9", "zh;q=0.5, en-GB"] {
        let english = ask(&app, path, &resident.token, &body, Some(asked)).await;
        assert_eq!((english.status, english.code()), (403, "forbidden"), "{asked}");
        assert_eq!(english.body["message"], "You may not do this here.", "{asked}");
    }
    app.assert_contract_kept();
}

#[tokio::test]
async fn validation_names_the_field_and_rule_in_either_language() {
    let app = spawn_app().await;
    let resident = app.resident().await;
    let patch = |accept: Option<&'static str>| {
        let mut request = app
            .http
            .patch(app.url("/api/v1/me"))
            .bearer_auth(&resident.token)
            .json(&json!({ "nickname": "   " }));
        if let Some(accept) = accept {
            request = request.header("accept-language", accept);
        }
        async move { into_reply(request.send().await.unwrap()).await }
    };
    let chinese = patch(None).await;
    assert_eq!((chinese.status, chinese.code()), (400, "validation_failed"));
    assert_eq!(chinese.body["message"], "昵称不能为空");
    assert_eq!(
        chinese.body["details"],
        json!({ "field": "nickname", "rule": "empty" })
    );
    let english = patch(Some("en")).await;
    assert_eq!(english.code(), "validation_failed");
    assert_eq!(english.body["message"], "nickname must not be empty.");
    assert_eq!(english.body["details"], chinese.body["details"]);
    app.assert_contract_kept();
}

#[tokio::test]
async fn a_parser_error_is_worded_for_people_and_explained_for_developers() {
    let app = spawn_app().await;
    let resident = app.resident().await;
    let reply = ask(&app, "/api/v1/subdistricts", &resident.token, "{not json", None).await;
    assert_eq!((reply.status, reply.code()), (400, "malformed_request"));
    assert!(has_chinese(&reply.body["message"]), "{}", reply.text());
    assert!(reply.body["details"]["reason"].is_string(), "{}", reply.text());
}

/// The WebSocket's error frames follow the upgrade request's `Accept-Language`.
#[tokio::test]
async fn websocket_error_frames_speak_the_language_of_the_upgrade() {
    let app = spawn_app().await;
    let user = app.resident().await;
    let mut frames = Vec::new();
    for accept in [None, Some("en-US,en;q=0.9")] {
        let mut request = format!("ws://{}/api/v1/ws", app.addr)
            .into_client_request()
            .unwrap();
        let headers = request.headers_mut();
        headers.insert("authorization", format!("Bearer {}", user.token).parse().unwrap());
        if let Some(accept) = accept {
            headers.insert("accept-language", accept.parse().unwrap());
        }
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        socket
            .send(Message::Text(
                json!({ "type": "subscribe", "topic": "nowhere" })
                    .to_string()
                    .into(),
            ))
            .await
            .unwrap();
        let frame = loop {
            if let Some(Ok(Message::Text(text))) = socket.next().await {
                break serde_json::from_str::<Value>(&text).unwrap();
            }
        };
        frames.push(frame);
    }
    let (chinese, english) = (&frames[0], &frames[1]);
    assert_eq!(chinese["code"], "unknown_topic");
    assert_eq!(english["code"], "unknown_topic");
    assert_eq!(chinese["message"], "没有“nowhere”这个主题");
    assert_eq!(english["message"], "No such topic: `nowhere`.");
    assert_eq!(english["topic"], "nowhere");
}
