use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub request_id: Uuid,
    pub subdistrict_id: Uuid,
    pub community_id: Uuid,
    pub grid_id: Uuid,
    pub building_id: Option<Uuid>,
    pub title: String,
    pub needed: i32,
    pub due_at: Option<DateTimeUtc>,
    pub status: String,
    pub claimant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub claimed_at: Option<DateTimeUtc>,
    pub started_at: Option<DateTimeUtc>,
    pub completion_note: Option<String>,
    /// URL paths, a JSON array.
    pub completion_photos: Option<String>,
    pub completed_at: Option<DateTimeUtc>,
    pub verified_by: Option<Uuid>,
    pub verified_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
