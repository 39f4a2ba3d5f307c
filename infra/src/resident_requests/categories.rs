//! The request categories.

use linli_kernel::DomainEvent;
use linli_resident_requests::category::{CategoryKey, RequestCategory};
use linli_resident_requests::error::WriteError;
use linli_resident_requests::ports::CategoryRepository;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entity::request_category;
use super::rows::{category_row, to_category};
use crate::db::{Database, is_unique_violation, outbox};

impl CategoryRepository for Database {
    async fn categories(&self) -> anyhow::Result<Vec<RequestCategory>> {
        request_category::Entity::find()
            .order_by_asc(request_category::Column::Key)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_category)
            .collect()
    }

    async fn find_category(&self, key: &CategoryKey) -> anyhow::Result<Option<RequestCategory>> {
        request_category::Entity::find_by_id(key.as_str().to_owned())
            .one(&self.conn)
            .await?
            .map(to_category)
            .transpose()
    }

    async fn insert_category(
        &self,
        category: &RequestCategory,
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let row = category_row(category)?;
        let result = async {
            let txn = self.begin_write().await?;
            request_category::Entity::insert(row)
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

    async fn update_category(
        &self,
        category: &RequestCategory,
        events: &[DomainEvent],
    ) -> anyhow::Result<bool> {
        let update = request_category::Entity::update_many()
            .set(category_row(category)?)
            .filter(request_category::Column::Key.eq(category.key.as_str()));
        Ok(self.transition_with_events(update, events).await?)
    }
}
