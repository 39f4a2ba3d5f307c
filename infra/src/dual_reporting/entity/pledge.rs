use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pledges")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// The accepted report the pledge was made on; a transferred member's pledge names their
    /// registration in `transferred_member_id` instead.
    pub member_report_id: Option<Uuid>,
    /// The registration of the transferred member who pledged (migration 000030).
    pub transferred_member_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub subdistrict_id: Uuid,
    pub community_id: Uuid,
    pub grid_id: Uuid,
    pub title: String,
    pub category: String,
    pub target: i32,
    pub period: i32,
    pub verified_count: i32,
    pub pending_count: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
