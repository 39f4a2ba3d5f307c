//! `GET /api/v1/ws`: authenticated WebSocket connections. Text frames carry JSON:
//! the client sends `ping`, `subscribe` and `unsubscribe`; the server answers `pong`,
//! `subscribed`, `unsubscribed`, `event` and `error`. `subscribe` with `since` first replays
//! the topic's events after that event from the outbox, then goes on live, in order.
//!
//! Topics open today: `user:me`. The others of API.md arrive with their contexts; each is
//! one more arm in [`resolve_topic`].

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use linli_infra::db::OutboxRecord;
use linli_kernel::events::topics;
use linli_kernel::{Actor, EventId};
use poem::http::StatusCode;
use poem::web::websocket::{CloseCode, Message, WebSocket, WebSocketStream};
use poem::web::{Data, Query};
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::http::error::ApiError;
use crate::state::AppState;

/// At most this many events are replayed per `subscribe`; a client further behind
/// re-subscribes from the last one it got.
const REPLAY_LIMIT: u64 = 500;

#[derive(Deserialize)]
pub struct TokenQuery {
    access_token: Option<String>,
}

/// The token comes in the `Authorization` header (wx.connectSocket sets headers) or, for
/// browsers, as `?access_token=`. It is checked before the upgrade, so a bad one gets a
/// plain 401.
#[handler]
pub async fn connect(
    req: &Request,
    ws: WebSocket,
    Data(state): Data<&AppState>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let token = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_owned)
        .or(query.access_token);
    let Some(token) = token else {
        return ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "send an access token")
            .into_response();
    };
    let actor = match state.auth.authenticate(&token).await {
        Ok(actor) => actor,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let state = state.clone();
    ws.on_upgrade(move |socket| Session::new(state, actor).run(socket))
        .into_response()
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    Ping,
    Subscribe { topic: String, since: Option<String> },
    Unsubscribe { topic: String },
}

/// Maps a topic as the client names it to the outbox topic, if this actor may read it.
fn resolve_topic(actor: &Actor, topic: &str) -> Result<String, (&'static str, String)> {
    match topic {
        "user:me" => Ok(topics::user(actor.user_id())),
        t if t.starts_with("user:") => Err((
            "forbidden_topic",
            "subscribe to your own events as `user:me`".to_owned(),
        )),
        other => Err((
            "unknown_topic",
            format!("no topic `{other}`; open topics: user:me"),
        )),
    }
}

struct Session {
    state: AppState,
    actor: Actor,
    /// Outbox topic → (the name the client used, the last outbox position sent).
    subscriptions: HashMap<String, (String, i64)>,
}

impl Session {
    fn new(state: AppState, actor: Actor) -> Self {
        Self {
            state,
            actor,
            subscriptions: HashMap::new(),
        }
    }

    async fn run(mut self, socket: WebSocketStream) {
        let (mut sink, mut stream) = socket.split();
        // Subscribe to the bus before anything else, so nothing falls between a replay and
        // the live events (duplicates are dropped by outbox position).
        let mut bus = self.state.bus.subscribe();
        let shutdown = self.state.shutdown.clone();
        loop {
            let outgoing: Vec<Value> = tokio::select! {
                () = shutdown.cancelled() => {
                    let _ = sink.send(Message::Close(Some((CloseCode::Away, "server shutting down".to_owned())))).await;
                    break;
                }
                incoming = stream.next() => match incoming {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                    Some(Ok(Message::Text(text))) => self.handle(&text).await,
                    Some(Ok(Message::Ping(payload))) => {
                        if sink.send(Message::Pong(payload)).await.is_err() { break; }
                        Vec::new()
                    }
                    Some(Ok(_)) => vec![error_frame("unsupported_frame", "send JSON in text frames")],
                },
                event = bus.recv() => match event {
                    Ok(record) => self.deliver(&record).into_iter().collect(),
                    Err(RecvError::Lagged(missed)) => vec![json!({
                        "type": "error",
                        "code": "events_missed",
                        "message": format!("{missed} events were missed; subscribe again with `since`"),
                    })],
                    Err(RecvError::Closed) => break,
                },
            };
            for frame in outgoing {
                if sink.send(Message::Text(frame.to_string())).await.is_err() {
                    return;
                }
            }
        }
    }

    async fn handle(&mut self, text: &str) -> Vec<Value> {
        let message: ClientMessage = match serde_json::from_str(text) {
            Ok(m) => m,
            Err(e) => return vec![error_frame("malformed_message", &e.to_string())],
        };
        match message {
            ClientMessage::Ping => vec![json!({ "type": "pong" })],
            ClientMessage::Unsubscribe { topic } => {
                if let Ok(internal) = resolve_topic(&self.actor, &topic) {
                    self.subscriptions.remove(&internal);
                }
                vec![json!({ "type": "unsubscribed", "topic": topic })]
            }
            ClientMessage::Subscribe { topic, since } => self.subscribe(topic, since).await,
        }
    }

    async fn subscribe(&mut self, topic: String, since: Option<String>) -> Vec<Value> {
        let internal = match resolve_topic(&self.actor, &topic) {
            Ok(t) => t,
            Err((code, message)) => {
                return vec![json!({ "type": "error", "code": code, "message": message, "topic": topic })];
            }
        };
        let since = match since.as_deref().map(str::parse::<EventId>).transpose() {
            Ok(s) => s,
            Err(_) => return vec![error_frame("malformed_message", "`since` must be an event id")],
        };
        let mut frames = vec![json!({ "type": "subscribed", "topic": topic })];
        let mut last_seq = i64::MAX;
        if let Some(since) = since {
            match self
                .state
                .db
                .events_after(&internal, Some(since), REPLAY_LIMIT)
                .await
            {
                Ok(records) => {
                    last_seq = 0;
                    for record in &records {
                        frames.push(event_frame(&topic, record));
                        last_seq = record.seq;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = format!("{e:#}"), "replay failed");
                    frames.push(error_frame(
                        "replay_failed",
                        "could not replay; live events follow",
                    ));
                }
            }
        }
        // Without a replay, every live event from now on is new; with one, only those after it.
        let floor = if last_seq == i64::MAX { i64::MIN } else { last_seq };
        self.subscriptions.insert(internal, (topic, floor));
        frames
    }

    fn deliver(&mut self, record: &Arc<OutboxRecord>) -> Option<Value> {
        let (client_topic, last_seq) = self.subscriptions.get_mut(&record.event.topic)?;
        if record.seq <= *last_seq {
            return None;
        }
        *last_seq = record.seq;
        Some(event_frame(client_topic, record))
    }
}

fn event_frame(topic: &str, record: &OutboxRecord) -> Value {
    json!({
        "type": "event",
        "topic": topic,
        "id": record.event.id,
        "kind": record.event.kind,
        "data": record.event.data,
        "at": record.event.occurred_at,
    })
}

fn error_frame(code: &str, message: &str) -> Value {
    json!({ "type": "error", "code": code, "message": message })
}
