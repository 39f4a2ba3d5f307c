//! The kernel's `Uploads` port: which of these URLs name files this person uploaded.

use std::collections::HashSet;

use linli_kernel::UserId;
use linli_kernel::ports::Uploads;
use linli_uploads::FileName;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entity::upload;
use crate::db::Database;

/// Names asked in one statement at most (a request holds 9 photos; this only bounds abuse).
const NAMES_PER_QUERY: usize = 500;

impl Uploads for Database {
    async fn uploaded_by(&self, owner: UserId, urls: &[String]) -> anyhow::Result<Vec<String>> {
        // Only URLs of the exact form this context gives out name a file.
        let names: HashSet<String> = urls
            .iter()
            .filter_map(|url| FileName::from_url(url))
            .map(|name| name.to_string())
            .collect();
        let names: Vec<String> = names.into_iter().collect();
        let mut owned: HashSet<String> = HashSet::new();
        for chunk in names.chunks(NAMES_PER_QUERY) {
            let found: Vec<String> = upload::Entity::find()
                .select_only()
                .column(upload::Column::StoredName)
                .filter(upload::Column::OwnerId.eq(owner.as_uuid()))
                .filter(upload::Column::StoredName.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(&self.conn)
                .await?;
            owned.extend(found);
        }
        Ok(urls
            .iter()
            .filter(|url| FileName::from_url(url).is_some_and(|name| owned.contains(&name.to_string())))
            .cloned()
            .collect())
    }
}
