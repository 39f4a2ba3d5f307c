//! The service categories.

use linli_dual_reporting::error::WriteError;
use linli_dual_reporting::ports::CategoryRepository;
use linli_dual_reporting::{CategoryKey, ServiceCategory};
use linli_kernel::DomainEvent;
use sea_orm::{EntityTrait, QueryOrder};

use super::entity::service_category;
use super::rows::{category_row, to_category};
use crate::db::{Database, is_unique_violation, outbox};

impl CategoryRepository for Database {
    async fn categories(&self) -> anyhow::Result<Vec<ServiceCategory>> {
        service_category::Entity::find()
            .order_by_asc(service_category::Column::Key)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_category)
            .collect()
    }

    async fn find_category(&self, key: &CategoryKey) -> anyhow::Result<Option<ServiceCategory>> {
        service_category::Entity::find_by_id(key.as_str().to_owned())
            .one(&self.conn)
            .await?
            .map(to_category)
            .transpose()
    }

    async fn insert_category(
        &self,
        category: &ServiceCategory,
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let result = async {
            let txn = self.begin_write().await?;
            service_category::Entity::insert(category_row(category))
                .exec_without_returning(&txn)
                .await?;
            outbox::record(&txn, events).await?;
            self.commit_with_events(txn).await
        }
        .await;
        match result {
            Ok(()) => Ok(()),
            // The key is the table's only unique column.
            Err(e) if is_unique_violation(&e) => Err(WriteError::CategoryTaken(category.key.to_string())),
            Err(e) => Err(WriteError::Storage(e.into())),
        }
    }
}
