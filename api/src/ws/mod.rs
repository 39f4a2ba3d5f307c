//! `GET /api/v1/ws`: authenticated WebSocket connections. Text frames carry JSON:
//! the client sends `ping`, `subscribe` and `unsubscribe`; the server answers `pong`,
//! `subscribed`, `unsubscribed`, `event` and `error`. `subscribe` with `since` first replays
//! the topic's events after that event from the outbox, then goes on live, in order.
//!
//! Which topics an actor may read is each context's rule (its `TopicPolicy`, gathered in
//! `contexts::topic_policies`): `user:me`, `community:<id>:structure`, `district:structure`,
//! `community:<id>:reports`. The session behind the connection is checked again on every
//! message and every half minute: a logout or revoked session closes the socket.

pub mod docs;
mod limits;
mod slots;

pub use slots::{WsSlot, WsSlots, total_for as ws_total_for};

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use linli_infra::db::OutboxRecord;
use linli_kernel::events::TopicRefusal;
use linli_kernel::{Actor, EventId};
use poem::http::StatusCode;
use poem::web::websocket::{CloseCode, Message, WebSocket, WebSocketStream};
use poem::web::{Data, Query};
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::http::error::ApiError;
use crate::http::i18n::{self, Locale};
use crate::http::security::Recheck;
use crate::http::state::AppState;

/// At most this many events are replayed per `subscribe`; a client further behind is told
/// so (`replay_truncated`) and re-subscribes from the last one it got.
const REPLAY_LIMIT: u64 = 500;
/// How long a connection closed for breaking a limit waits for the client's close.
const CLOSE_LINGER: Duration = Duration::from_secs(2);
/// How often an open connection checks that its session still stands.
const SESSION_CHECK: Duration = Duration::from_secs(30);

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
    let token = crate::http::security::bearer_token(req)
        .map(str::to_owned)
        .or(query.access_token);
    let Some(token) = token else {
        return ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized").into_response();
    };
    let actor = match state.authenticator.0.authenticate(&token).await {
        Ok(actor) => actor,
        Err(e) => return e.into_response(),
    };
    // Held by the session until it ends: one user cannot take every connection slot.
    let Some(slot) = state.ws_slots.take(actor.user_id()) else {
        return crate::http::contract::with_retry_after(
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_connections").into_response(),
        );
    };
    let state = state.clone();
    // The upgrade request's language (wx.connectSocket sends `Accept-Language` among its
    // `header`s) words the session's error frames.
    let locale = Locale::current();
    ws.config(limits::config(&state.transport))
        .on_upgrade(move |socket| Session::new(state, actor, locale, slot).run(socket))
        .into_response()
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    Ping,
    Subscribe { topic: String, since: Option<String> },
    Unsubscribe { topic: String },
}

struct Session {
    state: AppState,
    actor: Actor,
    locale: Locale,
    /// Stored topic → (the name the client used, the last position sent).
    subscriptions: HashMap<String, (String, i64)>,
    budget: limits::MessageBudget,
    /// This socket's place in the caps, given back when the session ends.
    _slot: WsSlot,
}

/// What a session does after handling something.
enum Next {
    Send(Vec<Value>),
    /// The session ended: say why, close, stop.
    End(&'static str),
    /// The client broke a limit: close with this code and reason, stop.
    Refuse(CloseCode, &'static str),
}

impl Session {
    fn new(state: AppState, actor: Actor, locale: Locale, slot: WsSlot) -> Self {
        let budget = limits::MessageBudget::new(&state.transport);
        Self {
            state,
            actor,
            locale,
            subscriptions: HashMap::new(),
            budget,
            _slot: slot,
        }
    }

    async fn run(mut self, socket: WebSocketStream) {
        let (mut sink, mut stream) = socket.split();
        // Subscribe to the bus before anything else, so nothing falls between a replay and
        // the live events (duplicates are dropped by position).
        let mut bus = self.state.bus.subscribe();
        let shutdown = self.state.shutdown.clone();
        let mut session_check = tokio::time::interval(SESSION_CHECK);
        session_check.tick().await;
        loop {
            let next: Next = tokio::select! {
                () = shutdown.cancelled() => {
                    let _ = sink.send(Message::Close(Some((CloseCode::Away, "server shutting down".to_owned())))).await;
                    break;
                }
                _ = session_check.tick() => self.recheck().await.map_or_else(Next::End, |()| Next::Send(Vec::new())),
                incoming = stream.next() => match incoming {
                    Some(Err(e)) if limits::is_too_large(&e) => Next::Refuse(CloseCode::Size, "message_too_large"),
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                    Some(Ok(_)) if !self.budget.take() => Next::Refuse(CloseCode::Policy, "rate_limited"),
                    Some(Ok(Message::Text(text))) => match self.recheck().await {
                        Ok(()) => Next::Send(self.handle(&text).await),
                        Err(why) => Next::End(why),
                    },
                    Some(Ok(Message::Ping(payload))) => {
                        if sink.send(Message::Pong(payload)).await.is_err() { break; }
                        Next::Send(Vec::new())
                    }
                    Some(Ok(_)) => Next::Send(vec![self.error_frame("unsupported_frame", &[])]),
                },
                event = bus.recv() => match event {
                    Ok(record) => Next::Send(self.deliver(&record).into_iter().collect()),
                    Err(RecvError::Lagged(missed)) => {
                        Next::Send(vec![self.error_frame("events_missed", &[("count", missed.to_string())])])
                    }
                    Err(RecvError::Closed) => break,
                },
            };
            match next {
                Next::Send(frames) => {
                    for frame in frames {
                        if sink.send(Message::Text(frame.to_string())).await.is_err() {
                            return;
                        }
                    }
                }
                Next::End(code) => {
                    let _ = sink
                        .send(Message::Text(self.error_frame(code, &[]).to_string()))
                        .await;
                    let _ = sink
                        .send(Message::Close(Some((CloseCode::Policy, code.to_owned()))))
                        .await;
                    return;
                }
                Next::Refuse(close_code, reason) => {
                    tracing::info!(reason, "closing a WebSocket that broke a limit");
                    let _ = sink
                        .send(Message::Close(Some((close_code, reason.to_owned()))))
                        .await;
                    // Read (and drop) what is still coming until the client answers the
                    // close: closing a socket with unread data resets it, and the client
                    // would never see why it was closed.
                    let drain = async { while let Some(Ok(_)) = stream.next().await {} };
                    let _ = tokio::time::timeout(CLOSE_LINGER, drain).await;
                    return;
                }
            }
        }
    }

    /// Reloads the actor; fails when its session has ended. A storage hiccup keeps the
    /// connection as it was.
    async fn recheck(&mut self) -> Result<(), &'static str> {
        match self.state.authenticator.0.recheck(&self.actor).await {
            Recheck::Current(actor) => {
                self.actor = actor;
                Ok(())
            }
            Recheck::Unknown => Ok(()),
            Recheck::Ended => Err("session_revoked"),
        }
    }

    async fn handle(&mut self, text: &str) -> Vec<Value> {
        let message: ClientMessage = match serde_json::from_str(text) {
            Ok(m) => m,
            Err(e) => {
                let frame = self.error_frame("malformed_message", &[]);
                return vec![with_field(frame, "reason", e.to_string())];
            }
        };
        match message {
            ClientMessage::Ping => vec![json!({ "type": "pong" })],
            ClientMessage::Unsubscribe { topic } => {
                if let Ok(stored) = self.state.topics.authorize(&self.actor, &topic).await {
                    self.subscriptions.remove(&stored);
                }
                vec![json!({ "type": "unsubscribed", "topic": topic })]
            }
            ClientMessage::Subscribe { topic, since } => self.subscribe(topic, since).await,
        }
    }

    async fn subscribe(&mut self, topic: String, since: Option<String>) -> Vec<Value> {
        let stored = match self.state.topics.authorize(&self.actor, &topic).await {
            Ok(t) => t,
            Err(refusal) => {
                let (code, why) = match refusal {
                    TopicRefusal::Forbidden(why) => ("forbidden_topic", why),
                    TopicRefusal::Unknown(why) => ("unknown_topic", why),
                };
                tracing::debug!(code, why, "subscription refused");
                let frame = self.error_frame(code, &[("topic", topic.clone())]);
                return vec![with_field(frame, "topic", topic)];
            }
        };
        let since = match since.as_deref().map(str::parse::<EventId>).transpose() {
            Ok(s) => s,
            Err(_) => {
                let frame = self.error_frame("malformed_message", &[]);
                return vec![with_field(frame, "reason", "`since` must be an event id")];
            }
        };
        let mut frames = vec![json!({ "type": "subscribed", "topic": topic })];
        let mut floor = i64::MIN;
        if let Some(since) = since {
            match self.state.db.events_after(&stored, since, REPLAY_LIMIT).await {
                Ok(Some(records)) => {
                    for record in &records {
                        frames.push(event_frame(&topic, record));
                        floor = record.position;
                    }
                    if records.len() as u64 == REPLAY_LIMIT {
                        frames.push(self.error_frame("replay_truncated", &[]));
                    }
                }
                Ok(None) => frames.push(self.error_frame("since_unknown", &[])),
                Err(e) => {
                    tracing::warn!(error = format!("{e:#}"), "replay failed");
                    frames.push(self.error_frame("replay_failed", &[]));
                }
            }
        }
        self.subscriptions.insert(stored, (topic, floor));
        frames
    }

    fn deliver(&mut self, record: &Arc<OutboxRecord>) -> Option<Value> {
        let (client_topic, last_position) = self.subscriptions.get_mut(&record.event.topic)?;
        if record.position <= *last_position {
            return None;
        }
        *last_position = record.position;
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
        "at": crate::http::dto::Timestamp::format(&record.event.occurred_at),
    })
}

/// Every code an error frame may carry; each has its words in the catalogue (`ws.yml`).
pub const ERROR_FRAME_CODES: &[&str] = &[
    "unsupported_frame",
    "events_missed",
    "session_revoked",
    "malformed_message",
    "forbidden_topic",
    "unknown_topic",
    "replay_truncated",
    "since_unknown",
    "replay_failed",
];

/// `frame` with one more field (`topic`, or a developer's `reason`).
fn with_field(mut frame: Value, key: &str, value: impl Into<Value>) -> Value {
    if let Some(fields) = frame.as_object_mut() {
        fields.insert(key.to_owned(), value.into());
    }
    frame
}

impl Session {
    /// An error frame worded in the language of the upgrade request.
    fn error_frame(&self, code: &str, params: &[(&str, String)]) -> Value {
        debug_assert!(ERROR_FRAME_CODES.contains(&code), "undeclared frame code {code}");
        json!({ "type": "error", "code": code, "message": i18n::message(self.locale, code, params) })
    }
}
