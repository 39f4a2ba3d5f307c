use sea_orm::entity::prelude::*;

/// One row per file kept: who uploaded it and what it is. The file itself is on disk under
/// `stored_name` (see `super::files`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "uploads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_id: Uuid,
    /// `<uuid v7>.<ext>`, unique; the URL is `/files/<stored_name>`.
    #[sea_orm(unique)]
    pub stored_name: String,
    pub content_type: String,
    /// Bytes stored, after the metadata was stripped.
    pub size: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
