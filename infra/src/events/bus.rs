//! Where relayed events go. Subscribers (the WebSocket connections of this instance) read a
//! local broadcast channel; with Redis, every instance's channel is fed from one Redis
//! pub/sub channel, so an event written on one instance reaches clients of all of them.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use futures_util::StreamExt;
use redis::AsyncCommands;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::db::OutboxRecord;

/// How many events a slow subscriber may lag before it is told it missed some (it can then
/// replay them from the outbox).
const LOCAL_CAPACITY: usize = 4096;

#[derive(Clone)]
pub struct EventBus {
    local: broadcast::Sender<Arc<OutboxRecord>>,
    redis: Option<RedisBus>,
}

#[derive(Clone)]
struct RedisBus {
    conn: redis::aio::ConnectionManager,
    channel: String,
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus")
            .field("redis", &self.redis.as_ref().map(|r| &r.channel))
            .finish()
    }
}

impl EventBus {
    pub fn in_process() -> Self {
        let (local, _) = broadcast::channel(LOCAL_CAPACITY);
        Self { local, redis: None }
    }

    /// A bus on Redis pub/sub channel `<prefix>:events`. Spawns the subscriber that feeds
    /// this instance's local channel; it reconnects until `shutdown`.
    pub async fn redis(
        client: redis::Client,
        prefix: &str,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Self> {
        let conn = client
            .get_connection_manager()
            .await
            .context("connecting to Redis")?;
        let channel = format!("{prefix}:events");
        let (local, _) = broadcast::channel(LOCAL_CAPACITY);
        // Subscribe before returning, so no event published after start-up is missed.
        let pubsub = subscribe(&client, &channel).await?;
        tokio::spawn(forward(client, channel.clone(), pubsub, local.clone(), shutdown));
        Ok(Self {
            local,
            redis: Some(RedisBus { conn, channel }),
        })
    }

    pub async fn publish(&self, records: Vec<OutboxRecord>) -> anyhow::Result<()> {
        match &self.redis {
            None => {
                for record in records {
                    // No subscriber is not an error: nobody is listening right now.
                    let _ = self.local.send(Arc::new(record));
                }
            }
            Some(bus) => {
                let mut pipe = redis::pipe();
                for record in &records {
                    pipe.publish(&bus.channel, serde_json::to_string(record)?)
                        .ignore();
                }
                let mut conn = bus.conn.clone();
                pipe.query_async::<()>(&mut conn)
                    .await
                    .context("publishing to Redis")?;
            }
        }
        Ok(())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<OutboxRecord>> {
        self.local.subscribe()
    }

    /// Whether Redis answers (always true in process).
    pub async fn ping(&self) -> bool {
        match &self.redis {
            None => true,
            Some(bus) => {
                let mut conn = bus.conn.clone();
                conn.ping::<String>().await.is_ok()
            }
        }
    }
}

async fn subscribe(client: &redis::Client, channel: &str) -> anyhow::Result<redis::aio::PubSub> {
    let mut pubsub = client
        .get_async_pubsub()
        .await
        .context("opening a Redis subscription")?;
    pubsub
        .subscribe(channel)
        .await
        .context("subscribing to the event channel")?;
    Ok(pubsub)
}

async fn forward(
    client: redis::Client,
    channel: String,
    mut pubsub: redis::aio::PubSub,
    local: broadcast::Sender<Arc<OutboxRecord>>,
    shutdown: CancellationToken,
) {
    loop {
        {
            let mut messages = pubsub.on_message();
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    message = messages.next() => match message {
                        None => break,
                        Some(message) => {
                            let payload: String = match message.get_payload() {
                                Ok(p) => p,
                                Err(e) => { tracing::warn!(error = %e, "unreadable event from Redis"); continue; }
                            };
                            match serde_json::from_str::<OutboxRecord>(&payload) {
                                Ok(record) => { let _ = local.send(Arc::new(record)); }
                                Err(e) => tracing::warn!(error = %e, "malformed event from Redis"),
                            }
                        }
                    }
                }
            }
        }
        tracing::warn!("the Redis event subscription dropped; reconnecting");
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
            match subscribe(&client, &channel).await {
                Ok(fresh) => {
                    pubsub = fresh;
                    break;
                }
                Err(e) => tracing::warn!(error = %e, "Redis still unreachable"),
            }
        }
    }
}
