use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resident_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub author_id: Uuid,
    pub anonymous: bool,
    pub category: String,
    pub title: String,
    pub description: String,
    /// URL paths, a JSON array.
    pub photos: String,
    /// Answers to the category's questions, a JSON object.
    pub answers: String,
    pub subdistrict_id: Uuid,
    pub community_id: Uuid,
    pub grid_id: Uuid,
    pub building_id: Option<Uuid>,
    pub status: String,
    pub moderation: String,
    pub responsible_id: Option<Uuid>,
    pub responsible_level: Option<String>,
    pub posted_at: DateTimeUtc,
    pub respond_by: DateTimeUtc,
    pub resolve_by: DateTimeUtc,
    pub responded_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub rating: Option<i16>,
    pub rating_comment: Option<String>,
    pub merged_into: Option<Uuid>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
