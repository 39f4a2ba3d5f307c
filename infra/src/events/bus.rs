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

use linli_kernel::UserId;
use linli_kernel::ports::BoxFuture;

use crate::db::OutboxRecord;
use crate::db::actors::{AccessAnnouncer, AccessChange, ActorCache};
use crate::redis_guard::RedisGuard;

/// How many events a slow subscriber may lag before it is told it missed some (it can then
/// replay them from the outbox).
const LOCAL_CAPACITY: usize = 4096;

#[derive(Clone)]
pub struct EventBus {
    local: broadcast::Sender<Arc<OutboxRecord>>,
    /// Whose access changed (a session ended, grants changed): each instance drops what it
    /// cached of their actors. Sent at once by the instance that made the change, not through
    /// the outbox, so that it takes effect before the change's answer reaches the client.
    access: broadcast::Sender<AccessChange>,
    redis: Option<RedisBus>,
}

#[derive(Clone)]
struct RedisBus {
    /// For what a request waits on (access changes, readiness): short timeouts, a breaker.
    guard: RedisGuard,
    /// For the relay, which retries on its own.
    conn: redis::aio::ConnectionManager,
    channel: String,
    access_channel: String,
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
        let (access, _) = broadcast::channel(LOCAL_CAPACITY);
        Self {
            local,
            access,
            redis: None,
        }
    }

    /// A bus on Redis pub/sub channel `<prefix>:events`. Spawns the subscriber that feeds
    /// this instance's local channel; it reconnects until `shutdown`.
    pub async fn redis(
        client: redis::Client,
        guard: RedisGuard,
        prefix: &str,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Self> {
        let conn = guard.connection();
        let channel = format!("{prefix}:events");
        let access_channel = format!("{prefix}:access");
        let (local, _) = broadcast::channel(LOCAL_CAPACITY);
        let (access, _) = broadcast::channel(LOCAL_CAPACITY);
        let channels = Channels {
            events: channel.clone(),
            access: access_channel.clone(),
        };
        // Subscribe before returning, so no event published after start-up is missed.
        let pubsub = subscribe(&client, &channels).await?;
        let sinks = Sinks {
            events: local.clone(),
            access: access.clone(),
        };
        tokio::spawn(forward(client, channels, pubsub, sinks, shutdown));
        Ok(Self {
            local,
            access,
            redis: Some(RedisBus {
                guard,
                conn,
                channel,
                access_channel,
            }),
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

    /// Tells every instance (this one included) that these users' access changed.
    pub async fn publish_access_change(&self, users: &[UserId]) -> anyhow::Result<()> {
        match &self.redis {
            None => {
                let _ = self.access.send(AccessChange::Users(users.to_vec()));
            }
            Some(bus) => {
                let message = serde_json::to_string(users)?;
                let channel = bus.access_channel.clone();
                bus.guard
                    .run("access change", |mut conn| async move {
                        conn.publish::<_, _, ()>(channel, message).await
                    })
                    .await
                    .context("Redis is unavailable; other instances drop the actor when it lapses")?;
            }
        }
        Ok(())
    }

    pub fn subscribe_access_changes(&self) -> broadcast::Receiver<AccessChange> {
        self.access.subscribe()
    }

    /// Whether Redis answers (always true in process); `false` at once while its breaker is
    /// open after a failure.
    pub async fn ping(&self) -> bool {
        match &self.redis {
            None => true,
            Some(bus) => bus.guard.ping().await,
        }
    }
}

/// The Redis channels an instance listens to.
struct Channels {
    events: String,
    access: String,
}

/// Where what arrives on them goes.
struct Sinks {
    events: broadcast::Sender<Arc<OutboxRecord>>,
    access: broadcast::Sender<AccessChange>,
}

async fn subscribe(client: &redis::Client, channels: &Channels) -> anyhow::Result<redis::aio::PubSub> {
    let mut pubsub = client
        .get_async_pubsub()
        .await
        .context("opening a Redis subscription")?;
    pubsub
        .subscribe(&[channels.events.as_str(), channels.access.as_str()])
        .await
        .context("subscribing to the event channels")?;
    Ok(pubsub)
}

/// Hands one message to this instance's subscribers.
fn dispatch(message: &redis::Msg, channels: &Channels, sinks: &Sinks) {
    let payload: String = match message.get_payload() {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable message from Redis");
            return;
        }
    };
    if message.get_channel_name() == channels.access {
        match serde_json::from_str::<Vec<UserId>>(&payload) {
            Ok(users) => {
                let _ = sinks.access.send(AccessChange::Users(users));
            }
            Err(e) => tracing::warn!(error = %e, "malformed access change from Redis"),
        }
        return;
    }
    match serde_json::from_str::<OutboxRecord>(&payload) {
        Ok(record) => {
            let _ = sinks.events.send(Arc::new(record));
        }
        Err(e) => tracing::warn!(error = %e, "malformed event from Redis"),
    }
}

async fn forward(
    client: redis::Client,
    channels: Channels,
    mut pubsub: redis::aio::PubSub,
    sinks: Sinks,
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
                        Some(message) => dispatch(&message, &channels, &sinks),
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
            match subscribe(&client, &channels).await {
                Ok(fresh) => {
                    pubsub = fresh;
                    let _ = sinks.access.send(AccessChange::Everyone);
                    break;
                }
                Err(e) => tracing::warn!(error = %e, "Redis still unreachable"),
            }
        }
    }
}

impl AccessAnnouncer for EventBus {
    fn announce<'a>(&'a self, users: &'a [UserId]) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(self.publish_access_change(users))
    }
}

impl EventBus {
    /// Keeps `cache` in step with every instance's access changes until `shutdown`: what
    /// this instance changes is announced on the bus, what others announce is dropped here.
    pub fn serve_actor_cache(&self, cache: &ActorCache, shutdown: CancellationToken) {
        let mut changes = self.subscribe_access_changes();
        cache.announce_through(Arc::new(self.clone()));
        let cache = cache.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    change = changes.recv() => match change {
                        Ok(change) => cache.forget_here(&change),
                        Err(broadcast::error::RecvError::Lagged(_)) => cache.forget_here(&AccessChange::Everyone),
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                }
            }
        });
    }
}
