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
/// How long the instance that changed someone's access waits for every instance to say it
/// dropped their cached actors. Past it the change's answer leaves anyway: a stuck instance
/// drops the entries when they lapse.
const ACK_WAIT: Duration = Duration::from_secs(1);

/// An access change as it travels between instances. `ack` names it, so that each instance
/// can say it has dropped what the change touched.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct AccessMessage {
    ack: uuid::Uuid,
    users: Vec<UserId>,
}

#[derive(Clone)]
pub struct EventBus {
    local: broadcast::Sender<Arc<OutboxRecord>>,
    /// Whose access changed (a session ended, grants changed): each instance drops what it
    /// cached of their actors. Sent at once by the instance that made the change, not through
    /// the outbox, so that it takes effect before the change's answer reaches the client.
    access: broadcast::Sender<Arrived>,
    /// The acknowledgements of access changes, from every instance (see [`ACK_WAIT`]).
    acks: broadcast::Sender<uuid::Uuid>,
    redis: Option<RedisBus>,
}

/// An access change as this instance received it; `ack` is what to acknowledge once done.
#[derive(Debug, Clone)]
pub(crate) struct Arrived {
    change: AccessChange,
    ack: Option<uuid::Uuid>,
}

#[derive(Clone)]
struct RedisBus {
    /// For what a request waits on (access changes, readiness): short timeouts, a breaker.
    guard: RedisGuard,
    /// For the relay, which retries on its own.
    conn: redis::aio::ConnectionManager,
    channel: String,
    access_channel: String,
    ack_channel: String,
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
        let (acks, _) = broadcast::channel(LOCAL_CAPACITY);
        Self {
            local,
            access,
            acks,
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
        let ack_channel = format!("{prefix}:access-acks");
        let (local, _) = broadcast::channel(LOCAL_CAPACITY);
        let (access, _) = broadcast::channel(LOCAL_CAPACITY);
        let (acks, _) = broadcast::channel(LOCAL_CAPACITY);
        let channels = Channels {
            events: channel.clone(),
            access: access_channel.clone(),
            acks: ack_channel.clone(),
        };
        // Subscribe before returning, so no event published after start-up is missed.
        let pubsub = subscribe(&client, &channels).await?;
        let sinks = Sinks {
            events: local.clone(),
            access: access.clone(),
            acks: acks.clone(),
        };
        tokio::spawn(forward(client, channels, pubsub, sinks, shutdown));
        Ok(Self {
            local,
            access,
            acks,
            redis: Some(RedisBus {
                guard,
                conn,
                channel,
                access_channel,
                ack_channel,
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

    /// Tells every instance (this one included) that these users' access changed, and waits
    /// (up to [`ACK_WAIT`]) until each has dropped what it cached of them: a revocation holds
    /// on every instance before its answer leaves.
    pub async fn publish_access_change(&self, users: &[UserId]) -> anyhow::Result<()> {
        let Some(bus) = &self.redis else {
            let _ = self.access.send(Arrived {
                change: AccessChange::Users(users.to_vec()),
                ack: None,
            });
            return Ok(());
        };
        let ack = uuid::Uuid::new_v4();
        let message = serde_json::to_string(&AccessMessage {
            ack,
            users: users.to_vec(),
        })?;
        // Listening before publishing, so that no acknowledgement arrives unseen.
        let mut acks = self.acks.subscribe();
        let channel = bus.access_channel.clone();
        let receivers: usize = bus
            .guard
            .run("access change", |mut conn| async move {
                conn.publish::<_, _, usize>(channel, message).await
            })
            .await
            .context("Redis is unavailable; other instances drop the actor when it lapses")?;
        let all_acknowledged = async {
            let mut acknowledged = 0;
            while acknowledged < receivers {
                match acks.recv().await {
                    Ok(id) if id == ack => acknowledged += 1,
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        };
        if tokio::time::timeout(ACK_WAIT, all_acknowledged).await.is_err() {
            tracing::warn!(
                receivers,
                "not every instance acknowledged an access change in time; theirs lapses within the actor TTL"
            );
        }
        Ok(())
    }

    /// Says on the bus that this instance has dropped what an access change touched.
    async fn acknowledge(&self, ack: uuid::Uuid) {
        let Some(bus) = &self.redis else { return };
        let channel = bus.ack_channel.clone();
        // A failure trips (and logs) the guard; the announcer stops waiting at ACK_WAIT.
        let _ = bus
            .guard
            .run("access acknowledgement", |mut conn| async move {
                conn.publish::<_, _, ()>(channel, ack.to_string()).await
            })
            .await;
    }

    fn subscribe_access_changes(&self) -> broadcast::Receiver<Arrived> {
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
    acks: String,
}

/// Where what arrives on them goes.
struct Sinks {
    events: broadcast::Sender<Arc<OutboxRecord>>,
    access: broadcast::Sender<Arrived>,
    acks: broadcast::Sender<uuid::Uuid>,
}

async fn subscribe(client: &redis::Client, channels: &Channels) -> anyhow::Result<redis::aio::PubSub> {
    let mut pubsub = client
        .get_async_pubsub()
        .await
        .context("opening a Redis subscription")?;
    pubsub
        .subscribe(&[
            channels.events.as_str(),
            channels.access.as_str(),
            channels.acks.as_str(),
        ])
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
    if message.get_channel_name() == channels.acks {
        match payload.parse() {
            Ok(ack) => {
                let _ = sinks.acks.send(ack);
            }
            Err(e) => tracing::warn!(error = %e, "malformed access acknowledgement from Redis"),
        }
        return;
    }
    if message.get_channel_name() == channels.access {
        // An instance of the release before acknowledgements sends the bare list of users;
        // during a rolling deploy its changes are dropped here too, just not acknowledged.
        let arrived = serde_json::from_str::<AccessMessage>(&payload)
            .map(|AccessMessage { ack, users }| (users, Some(ack)))
            .or_else(|_| serde_json::from_str::<Vec<UserId>>(&payload).map(|users| (users, None)));
        match arrived {
            Ok((users, ack)) => {
                let _ = sinks.access.send(Arrived {
                    change: AccessChange::Users(users),
                    ack,
                });
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
                    let _ = sinks.access.send(Arrived {
                        change: AccessChange::Everyone,
                        ack: None,
                    });
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
        let bus = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    change = changes.recv() => match change {
                        Ok(Arrived { change, ack }) => {
                            cache.forget_here(&change);
                            if let Some(ack) = ack {
                                bus.acknowledge(ack).await;
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => cache.forget_here(&AccessChange::Everyone),
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                }
            }
        });
    }
}
