//! Resident requests (居民诉求) and the task board: a resident posts a request from their
//! phone; it is routed to one grid and one responsible person with deadlines; staff accept it
//! with tasks, which Party members claim from the board (exactly one claimant each), do, and
//! staff verify; the resident confirms and rates the outcome. Every step is kept in the
//! request's timeline, from which the response, resolution and satisfaction rates are counted.

pub mod category;
pub mod error;
pub mod events;
pub mod ports;
pub mod request;
pub mod rights;
pub mod routing;
pub mod service;
pub mod task;
pub mod topics;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use category::{CategoryKey, Deadlines, Question, QuestionKind, RequestCategory};
pub use error::{RequestError, Resource};
pub use request::{Action, Level, Moderation, RequestStatus, ResidentRequest, TimelineEntry};
pub use service::Requests;
pub use task::{NewTask, Task, TaskStatus};
