//! What one WebSocket client may send: messages of a bounded size (checked by tungstenite
//! from the frame header, before the payload is read), at a bounded rate (a token bucket
//! per connection).

use std::io;
use std::time::Instant;

use poem::web::websocket::WebSocketConfig;

use crate::config::TransportSettings;

/// tungstenite's refusal of an oversized message or frame, as poem hands it over (an
/// `io::Error` carrying tungstenite's text: "Space limit exceeded: Message too long: …").
pub fn is_too_large(error: &io::Error) -> bool {
    error.to_string().starts_with("Space limit exceeded")
}

/// Caps both a frame and a whole (fragmented) message at `max_bytes`.
pub fn config(settings: &TransportSettings) -> WebSocketConfig {
    let max = settings.ws_max_message_bytes.max(1024);
    WebSocketConfig::default()
        .max_message_size(Some(max))
        .max_frame_size(Some(max))
}

/// A token bucket: `burst` messages at once, then `per_second`.
pub struct MessageBudget {
    tokens: f64,
    burst: f64,
    per_second: f64,
    refilled: Instant,
}

impl MessageBudget {
    pub fn new(settings: &TransportSettings) -> Self {
        let burst = f64::from(settings.ws_message_burst.max(1));
        Self {
            tokens: burst,
            burst,
            per_second: f64::from(settings.ws_messages_per_second.max(1)),
            refilled: Instant::now(),
        }
    }

    /// Counts one message arriving now; `false` when it is over the budget.
    pub fn take(&mut self) -> bool {
        self.take_at(Instant::now())
    }

    fn take_at(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn budget(burst: u32, per_second: u32) -> MessageBudget {
        MessageBudget::new(&TransportSettings {
            ws_message_burst: burst,
            ws_messages_per_second: per_second,
            ..TransportSettings::default()
        })
    }

    #[test]
    fn a_burst_passes_then_the_rate_applies() {
        let mut budget = budget(3, 2);
        let start = budget.refilled;
        assert!((0..3).all(|_| budget.take_at(start)));
        assert!(!budget.take_at(start), "the fourth at once is over");
        assert!(
            budget.take_at(start + Duration::from_millis(500)),
            "half a second earns one"
        );
        assert!(!budget.take_at(start + Duration::from_millis(500)));
        assert!(
            (0..3).all(|_| budget.take_at(start + Duration::from_secs(60))),
            "refills to the burst"
        );
        assert!(!budget.take_at(start + Duration::from_secs(60)), "and no further");
    }

    #[test]
    fn tungstenites_capacity_error_is_recognised() {
        use tokio_tungstenite::tungstenite::error::{CapacityError, Error};
        let error = Error::Capacity(CapacityError::MessageTooLong { size: 2, max_size: 1 });
        assert!(is_too_large(&io::Error::other(error.to_string())));
        assert!(!is_too_large(&io::Error::other("connection reset")));
    }
}
