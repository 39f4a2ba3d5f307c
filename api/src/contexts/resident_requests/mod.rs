//! Resident requests' face (居民诉求): the category dictionary, posting and following a request
//! from a phone, staff's handling, and the task board.

mod categories;
mod dto;
mod error;
pub mod events;
mod requests;
mod tasks;

use std::sync::Arc;

use linli_infra::content::ContentChecker;
use linli_infra::db::Database;
use linli_kernel::ports::{Directory, SystemClock};
use linli_resident_requests::Requests;
use linli_resident_requests::ports::RequestPorts;
use poem_openapi::Tags;

use crate::http::error::ApiError;

#[derive(Tags)]
pub enum RequestTags {
    /// The dictionary of request categories: deadlines and extra questions.
    RequestCategories,
    /// Residents' requests (居民诉求), from posting to a rated close.
    Requests,
    /// The task board: claiming, doing and verifying the work of requests.
    Tasks,
}

/// The context's API groups.
pub type Apis = (
    categories::RequestCategoriesApi,
    requests::RequestsApi,
    tasks::TasksApi,
);

/// What the use cases reach: the database (requests, people, grants, homes, uploads), the
/// scope directory, the content check and the clock.
#[derive(Clone)]
pub struct Ports {
    db: Database,
    directory: Directory<Database>,
    content: ContentChecker,
}

impl RequestPorts for Ports {
    type Store = Database;
    type Directory = Directory<Database>;
    type People = Database;
    type Grants = Database;
    type Homes = Database;
    type Files = Database;
    type Content = ContentChecker;
    type Clock = SystemClock;

    fn store(&self) -> &Database {
        &self.db
    }
    fn directory(&self) -> &Directory<Database> {
        &self.directory
    }
    fn people(&self) -> &Database {
        &self.db
    }
    fn grants(&self) -> &Database {
        &self.db
    }
    fn homes(&self) -> &Database {
        &self.db
    }
    fn files(&self) -> &Database {
        &self.db
    }
    fn content(&self) -> &ContentChecker {
        &self.content
    }
    fn clock(&self) -> &SystemClock {
        &SystemClock
    }
}

impl Ports {
    pub fn new(db: &Database, directory: &Directory<Database>, content: &ContentChecker) -> Self {
        Self {
            db: db.clone(),
            directory: directory.clone(),
            content: content.clone(),
        }
    }
}

pub struct Services {
    pub service: Requests<Ports>,
}

/// What resident requests' handlers reach (`Data<&ResidentRequests>`).
#[derive(Clone)]
pub struct ResidentRequests(pub Arc<Services>);

impl std::ops::Deref for ResidentRequests {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

impl ResidentRequests {
    pub fn build(ports: Ports) -> Self {
        Self(Arc::new(Services {
            service: Requests::new(ports),
        }))
    }
}

/// A domain view as the API shows it; a view that cannot be shown (a request without its
/// grid) is a bug, answered as an internal error and logged, never made up.
pub(crate) fn shown<T, U>(view: T) -> Result<U, ApiError>
where
    U: TryFrom<T, Error = anyhow::Error>,
{
    U::try_from(view).map_err(|e| ApiError::internal(&e))
}
