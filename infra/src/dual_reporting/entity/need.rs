use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "needs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub subdistrict_id: Uuid,
    pub community_id: Option<Uuid>,
    pub kind: String,
    pub category: Option<String>,
    pub title: String,
    pub description: String,
    pub urgency: String,
    /// Hundredths of `measure`.
    pub amount: i64,
    pub measure: String,
    pub status: String,
    pub posted_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
