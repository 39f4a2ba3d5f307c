//! The WebSocket's frames in the spec: a documentation-only `GET /api/v1/ws` whose
//! 101 answer carries the server's frames (and so every context's event data), so that a
//! client generated from the spec can type them. It adds no route: the socket itself is
//! served by `ws::connect`.

use std::collections::HashMap;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::registry::{
    MetaApi, MetaMediaType, MetaOperation, MetaOperationParam, MetaParamIn, MetaPath, MetaResponse,
    MetaResponses, Registry,
};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, Union};
use uuid::Uuid;

use crate::contexts::EventData;
use crate::http::contract::{Fail, errors};
use crate::http::dto::Timestamp;

#[derive(Tags)]
pub enum RealtimeTags {
    /// Events of your scopes, live over a WebSocket.
    Realtime,
}

/// `subscribe` was accepted: events of the topic follow.
#[derive(Object, Debug)]
pub struct SubscribedFrame {
    pub topic: String,
}

#[derive(Object, Debug)]
pub struct UnsubscribedFrame {
    pub topic: String,
}

/// Something happened on a topic you subscribed to.
#[derive(Object, Debug)]
pub struct EventFrame {
    pub topic: String,
    /// Pass as `since` when subscribing again after a reconnect.
    pub id: Uuid,
    /// What happened, e.g. `grid.created`; says which shape `data` has.
    pub kind: String,
    pub data: EventData,
    pub at: Timestamp,
}

/// A refusal or a problem, e.g. `forbidden_topic`, `unknown_topic`, `since_unknown`,
/// `events_missed`, `malformed_message`, `session_revoked`.
#[derive(Object, Debug)]
pub struct ErrorFrame {
    pub code: String,
    /// For people: Simplified Chinese, or English when the upgrade request sent
    /// `Accept-Language: en`.
    pub message: String,
    /// The topic concerned, if any.
    #[oai(nullable)]
    pub topic: Option<String>,
    /// For developers, in English: what was wrong with a `malformed_message`.
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<String>,
}

#[derive(Object, Debug)]
pub struct PongFrame {}

/// One text frame from the server, by `type`.
#[derive(Union, Debug)]
#[oai(discriminator_name = "type")]
pub enum ServerFrame {
    #[oai(mapping = "subscribed")]
    Subscribed(SubscribedFrame),
    #[oai(mapping = "unsubscribed")]
    Unsubscribed(UnsubscribedFrame),
    #[oai(mapping = "event")]
    Event(EventFrame),
    #[oai(mapping = "error")]
    Error(ErrorFrame),
    #[oai(mapping = "pong")]
    Pong(PongFrame),
}

const DESCRIPTION: &str = "Opens the event WebSocket (`Upgrade: websocket`). The access token goes in the \
`Authorization` header (wx.connectSocket sets headers) or as `?access_token=`. Client frames (JSON text): \
`{\"type\":\"subscribe\",\"topic\":\"user:me\",\"since\":\"<event id>\"}`, `{\"type\":\"unsubscribe\",\"topic\":…}`, \
`{\"type\":\"ping\"}`. Topics: `user:me` (your own), `community:<id>:structure` and `district:structure` (staff \
who cover them), `community:<id>:reports` (dual reporting, for staff who see the community's people whole). Every server frame is one `ServerFrame`. One user may hold a few sockets at once \
(`LINLI_WS_MAX_PER_USER`, 5 by default); beyond, or when the server's WebSockets are full, the upgrade is \
refused with 429 `too_many_connections`.";

errors!(WsConnect: [Auth, Params] { 429: [too_many_connections] });

/// Documents the socket; serves nothing.
#[derive(Default)]
pub struct RealtimeDocs;

impl OpenApi for RealtimeDocs {
    fn meta() -> Vec<MetaApi> {
        let access_token = MetaOperationParam {
            name: "access_token".to_owned(),
            schema: String::schema_ref(),
            in_type: MetaParamIn::Query,
            description: Some("For browsers, which cannot set the `Authorization` header.".to_owned()),
            required: false,
            deprecated: false,
            explode: true,
            style: None,
        };
        vec![MetaApi {
            paths: vec![MetaPath {
                path: "/api/v1/ws".to_owned(),
                operations: vec![MetaOperation {
                    method: Method::GET,
                    tags: vec![RealtimeTags::Realtime.name()],
                    summary: Some("Open the event WebSocket"),
                    description: Some(DESCRIPTION),
                    external_docs: None,
                    params: vec![access_token],
                    request: None,
                    responses: MetaResponses {
                        responses: std::iter::once(MetaResponse {
                            description: "Switching protocols: each text frame from the server is a `ServerFrame`.",
                            status: Some(101),
                            status_range: None,
                            content: vec![MetaMediaType {
                                content_type: "application/json",
                                schema: ServerFrame::schema_ref(),
                            }],
                            headers: vec![],
                        })
                        .chain(<Fail<WsConnect> as ApiResponse>::meta().responses)
                        .collect(),
                    },
                    deprecated: false,
                    security: vec![],
                    operation_id: Some("ws_connect"),
                    code_samples: vec![],
                }],
            }],
        }]
    }

    fn register(registry: &mut Registry) {
        <ServerFrame as Type>::register(registry);
        <Fail<WsConnect> as ApiResponse>::register(registry);
        RealtimeTags::Realtime.register(registry);
    }

    fn add_routes(self, _: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {}
}
