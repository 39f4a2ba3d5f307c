//! The dictionary of service categories (classified management, 分类管理).

use linli_kernel::Actor;
use linli_kernel::ports::Clock;
use linli_kernel::text::checked_text;

use crate::DualReportingError;
use crate::models::{CategoryKey, ServiceCategory};
use crate::ports::CategoryRepository;
use crate::rights::keeps_district_records;

pub struct CategoryService<R, C> {
    categories: R,
    clock: C,
}

impl<R: CategoryRepository, C: Clock> CategoryService<R, C> {
    pub fn new(categories: R, clock: C) -> Self {
        Self { categories, clock }
    }

    /// Every category: anyone logged in reads the dictionary (a member's assignment and a
    /// team's specialty are named by it).
    pub async fn list(&self) -> Result<Vec<ServiceCategory>, DualReportingError> {
        Ok(self.categories.categories().await?)
    }

    /// Adds a category; the district admin only.
    pub async fn create(
        &self,
        actor: &Actor,
        key: &str,
        name: &str,
    ) -> Result<ServiceCategory, DualReportingError> {
        if !keeps_district_records(actor) {
            return Err(DualReportingError::Forbidden);
        }
        let category = ServiceCategory {
            key: CategoryKey::parse("key", key)?,
            name: checked_text("name", name, 1, 32)?,
            created_at: self.clock.now(),
        };
        self.categories.insert_category(&category, &[]).await?;
        Ok(category)
    }
}
