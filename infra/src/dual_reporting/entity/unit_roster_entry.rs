use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "unit_roster_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub unit_id: Uuid,
    pub line: i32,
    /// `v1:<key id>:…`, sealed under `unit_roster_entries.name:<id>`.
    pub name_sealed: String,
    /// `v1:<key id>:…`, sealed under `unit_roster_entries.phone:<id>`.
    pub phone_sealed: String,
    /// HMAC-SM3 of the phone, as `users.phone_index`: entries meet users on it.
    pub phone_index: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
