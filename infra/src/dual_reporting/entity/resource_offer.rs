use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resource_offers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub unit_id: Uuid,
    pub subdistrict_id: Uuid,
    pub community_id: Uuid,
    pub grid_id: Uuid,
    pub kind: String,
    pub category: Option<String>,
    pub title: String,
    pub description: String,
    /// Hundredths of `measure`.
    pub amount: i64,
    pub measure: String,
    /// Hundredths taken by projects.
    pub committed: i64,
    pub valid_from: Date,
    pub valid_until: Date,
    pub offered_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
