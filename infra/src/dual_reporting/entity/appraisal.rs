use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appraisals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub report_id: Option<Uuid>,
    pub transferred_member_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub subdistrict_id: Uuid,
    pub community_id: Uuid,
    pub grid_id: Option<Uuid>,
    pub period: i32,
    pub grade: String,
    pub comment: String,
    pub appraised_by: Uuid,
    pub appraised_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
