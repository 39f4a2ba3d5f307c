use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub unit_id: Uuid,
    pub subdistrict_id: Uuid,
    pub community_id: Uuid,
    pub grid_id: Option<Uuid>,
    /// A JSON array of strings.
    pub skills: String,
    pub availability: String,
    pub note: String,
    pub status: String,
    pub category: Option<String>,
    pub post: Option<String>,
    pub reason: Option<String>,
    pub filed_at: DateTimeUtc,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
