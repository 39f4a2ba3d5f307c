//! The shared kernel of linli: what every bounded context speaks.
//!
//! Ids, the actor with its roles and scopes, personal data and its masking, domain events,
//! pagination and validation errors. Nothing here knows HTTP, SQL, Redis or WeChat.

pub mod actor;
pub mod error;
pub mod events;
pub mod ids;
pub mod page;
pub mod people;
pub mod ports;
pub mod roles;
pub mod scope;
pub mod text;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use actor::{Actor, ActorGrants, Denial, Permission};
pub use error::{Rule, ValidationError};
pub use events::DomainEvent;
pub use ids::*;
pub use page::{Page, PageRequest};
pub use roles::{GrantSet, PlacedGrant, Role, RoleGrant};
pub use scope::{Scope, ScopeKind, ScopePath, SideKind};
