//! What the dual-reporting end-to-end files share: registering a unit, appointing its admin,
//! reading lists and frames, and checking that an answer leaks nothing.

use std::time::Duration;

use futures_util::StreamExt;
use linli_tests::world::World;
use linli_tests::{Reply, Session, TestApp, WebSocket};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

/// A unit paired with `grid`, registered by the district admin.
pub async fn register_unit(app: &TestApp, world: &World, name: &str, grid: Uuid) -> Uuid {
    let reply = app
        .post(
            "/api/v1/units",
            &world.district_admin.token,
            json!({
                "name": name,
                "kind": "municipal_organ",
                "party_organisation": format!("中共{name}机关委员会"),
                "contact_name": "赵主任",
                "contact_phone": "0531-88880001",
                "roll_count": 120,
                "grid_id": grid,
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.id()
}

/// The scopes at which the user of `session` holds `party_member`, from `GET /me`.
pub async fn party_member_scopes(app: &TestApp, session: &Session) -> Vec<String> {
    let me = app.get("/api/v1/me", &session.token).await;
    assert_eq!(me.status, 200, "{me:?}");
    me.body["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["role"] == "party_member")
        .map(|r| r["scope"].as_str().unwrap().to_owned())
        .collect()
}

/// The items of a listing answered 200.
pub fn items(reply: &Reply) -> &Vec<Value> {
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body["items"].as_array().unwrap()
}

/// Fails if the answer's text holds any of `secrets` (a name, a phone, an id).
pub fn assert_hides(what: &str, reply: &Reply, secrets: &[&str]) {
    let text = reply.text();
    for secret in secrets {
        assert!(!text.contains(secret), "{what} leaked `{secret}`: {text}");
    }
}

/// The next JSON frame; fails the test if none comes within five seconds.
pub async fn next_frame(socket: &mut WebSocket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame within five seconds")
            .expect("the socket stays open")
            .unwrap();
        if let Message::Text(text) = frame {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// A resident of community B (whom community A's staff do not cover) appointed `unit_admin` of
/// `unit` through `POST /role-grants`.
pub async fn appoint_unit_admin(app: &TestApp, world: &World, unit: Uuid, phone: &str) -> Session {
    let person = app.resident_of(world.b.building, "钱主任", phone).await;
    let reply = app
        .post(
            "/api/v1/role-grants",
            &world.district_admin.token,
            json!({ "user_id": person.user_id, "role": "unit_admin", "scope": format!("unit:{unit}") }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    person
}

/// The district's day (China Standard Time), as the server counts validity.
pub fn day(offset: i64) -> String {
    ((chrono::Utc::now() + chrono::Duration::hours(8)).date_naive() + chrono::Duration::days(offset))
        .to_string()
}
