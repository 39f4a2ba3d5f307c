//! The dictionary of request categories: anyone logged in reads it (the mini-program shows it
//! when a resident posts); the district admin adds and changes categories.

use linli_kernel::ports::Clock;
use linli_kernel::text::checked_text;
use linli_kernel::{Actor, Permission, ScopePath};

use super::Requests;
use crate::category::{CategoryKey, Deadlines, Question, RequestCategory, checked_questions};
use crate::error::{RequestError, Resource};
use crate::events::category_saved;
use crate::ports::{CategoryRepository, RequestPorts};

/// A category as the district admin describes it.
#[derive(Debug, Clone)]
pub struct NewCategory {
    pub key: String,
    pub name: String,
    pub respond_within_minutes: u32,
    pub resolve_within_minutes: u32,
    pub questions: Vec<Question>,
}

/// The changes a `PATCH` asks for; what is absent stays.
#[derive(Debug, Clone, Default)]
pub struct CategoryPatch {
    pub name: Option<String>,
    pub respond_within_minutes: Option<u32>,
    pub resolve_within_minutes: Option<u32>,
    pub questions: Option<Vec<Question>>,
    pub active: Option<bool>,
}

/// Whether the actor keeps the district's dictionaries: a district admin.
fn keeps_dictionaries(actor: &Actor) -> bool {
    actor.can(Permission::ManageStructure, &ScopePath::district())
}

impl<P: RequestPorts> Requests<P> {
    /// Every category, active or retired (a request keeps a retired one), by key.
    pub async fn categories(&self) -> Result<Vec<RequestCategory>, RequestError> {
        Ok(self.ports.store().categories().await?)
    }

    pub async fn create_category(
        &self,
        actor: &Actor,
        new: NewCategory,
    ) -> Result<RequestCategory, RequestError> {
        if !keeps_dictionaries(actor) {
            return Err(RequestError::Forbidden);
        }
        let now = self.ports.clock().now();
        let category = RequestCategory {
            key: CategoryKey::parse("key", &new.key)?,
            name: checked_text("name", &new.name, 1, 32)?,
            deadlines: Deadlines::new(new.respond_within_minutes, new.resolve_within_minutes)?,
            questions: checked_questions(new.questions)?,
            active: true,
            updated_at: now,
        };
        let events = [category_saved(&category.key, true, now)];
        self.ports.store().insert_category(&category, &events).await?;
        Ok(category)
    }

    /// Changes a category. Requests already posted keep the deadlines they were given.
    pub async fn update_category(
        &self,
        actor: &Actor,
        key: &str,
        patch: CategoryPatch,
    ) -> Result<RequestCategory, RequestError> {
        if !keeps_dictionaries(actor) {
            return Err(RequestError::Forbidden);
        }
        let key = CategoryKey::parse("key", key)?;
        let mut category = self
            .ports
            .store()
            .find_category(&key)
            .await?
            .ok_or(RequestError::NotFound(Resource::Category))?;
        if let Some(name) = patch.name {
            category.name = checked_text("name", &name, 1, 32)?;
        }
        category.deadlines = Deadlines::new(
            patch
                .respond_within_minutes
                .unwrap_or(category.deadlines.respond_within_minutes),
            patch
                .resolve_within_minutes
                .unwrap_or(category.deadlines.resolve_within_minutes),
        )?;
        if let Some(questions) = patch.questions {
            category.questions = checked_questions(questions)?;
        }
        if let Some(active) = patch.active {
            category.active = active;
        }
        let now = self.ports.clock().now();
        category.updated_at = now;
        let events = [category_saved(&category.key, category.active, now)];
        if self.ports.store().update_category(&category, &events).await? {
            Ok(category)
        } else {
            Err(RequestError::NotFound(Resource::Category))
        }
    }
}
