use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub openid: String,
    pub unionid: Option<String>,
    pub nickname: Option<String>,
    /// A real name still in clear, from before sealing: emptied at start-up.
    #[sea_orm(column_name = "real_name")]
    pub clear_real_name: Option<String>,
    /// A phone still in clear, from before sealing: emptied at start-up.
    #[sea_orm(column_name = "phone")]
    pub clear_phone: Option<String>,
    /// `v1:<key id>:…`, sealed under `users.real_name:<id>`.
    pub real_name_sealed: Option<String>,
    /// `v1:<key id>:…`, sealed under `users.phone:<id>`.
    pub phone_sealed: Option<String>,
    /// HMAC-SM3 of the normalised phone (the blind index).
    pub phone_index: Option<String>,
    pub residence_building_id: Option<Uuid>,
    pub residence_subdistrict_id: Option<Uuid>,
    pub residence_community_id: Option<Uuid>,
    pub residence_grid_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Read with the user in one statement for `GET /me`.
    #[sea_orm(has_many = "super::role_grant::Entity")]
    RoleGrant,
}

impl Related<super::role_grant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RoleGrant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
