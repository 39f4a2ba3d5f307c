//! Users, sessions with their refresh tokens, and role grants. (A user's residence refers to
//! the structure's `buildings` table by name, not through the grid context's code.)

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000002_identity"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Openid,
    Unionid,
    Nickname,
    RealName,
    Phone,
    ResidenceBuildingId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    TokenHash,
    SessionId,
    UserId,
    ExpiresAt,
    SpentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RoleGrants {
    Table,
    Id,
    UserId,
    Role,
    ScopeKind,
    ScopeId,
    ScopeKey,
    SubdistrictId,
    CommunityId,
    GridId,
    BuildingId,
    GrantedBy,
    GrantedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(uuid(Users::Id).primary_key())
                    // Unique: logins for one new openid racing each other make one user.
                    .col(string_len(Users::Openid, 128).unique_key())
                    .col(string_len_null(Users::Unionid, 128))
                    .col(string_len_null(Users::Nickname, 128))
                    .col(string_len_null(Users::RealName, 128))
                    .col(string_len_null(Users::Phone, 32))
                    .col(uuid_null(Users::ResidenceBuildingId))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::ResidenceBuildingId)
                            .to(Alias::new("buildings"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("users_residence")
                    .table(Users::Table)
                    .col(Users::ResidenceBuildingId)
                    .to_owned(),
            )
            .await?;

        // A session is one family of rotated refresh tokens; revoking it ends them all, and
        // the access tokens that name it.
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(uuid(Sessions::Id).primary_key())
                    .col(uuid(Sessions::UserId))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;

        // Only the SHA-256 of a refresh token is stored.
        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(string_len(RefreshTokens::TokenHash, 64).primary_key())
                    .col(uuid(RefreshTokens::SessionId))
                    .col(uuid(RefreshTokens::UserId))
                    .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::SpentAt))
                    .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshTokens::Table, RefreshTokens::SessionId)
                            .to(Sessions::Table, Sessions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("refresh_tokens_session")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::SessionId)
                    .to_owned(),
            )
            .await?;

        // scope_key ("district", "grid:<id>") makes one grant per user, role and scope
        // unique on both back ends (a NULL scope_id would not be). The path columns place
        // the scope in the tree so listings filter by scope with plain indexes.
        manager
            .create_table(
                Table::create()
                    .table(RoleGrants::Table)
                    .col(uuid(RoleGrants::Id).primary_key())
                    .col(uuid(RoleGrants::UserId))
                    .col(string_len(RoleGrants::Role, 32))
                    .col(string_len(RoleGrants::ScopeKind, 16))
                    .col(uuid_null(RoleGrants::ScopeId))
                    .col(string_len(RoleGrants::ScopeKey, 64))
                    .col(uuid_null(RoleGrants::SubdistrictId))
                    .col(uuid_null(RoleGrants::CommunityId))
                    .col(uuid_null(RoleGrants::GridId))
                    .col(uuid_null(RoleGrants::BuildingId))
                    .col(uuid_null(RoleGrants::GrantedBy))
                    .col(timestamp_with_time_zone(RoleGrants::GrantedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RoleGrants::Table, RoleGrants::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("role_grants_user_role_scope")
                    .table(RoleGrants::Table)
                    .col(RoleGrants::UserId)
                    .col(RoleGrants::Role)
                    .col(RoleGrants::ScopeKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("role_grants_community", RoleGrants::CommunityId),
            ("role_grants_grid", RoleGrants::GridId),
            ("role_grants_building", RoleGrants::BuildingId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(RoleGrants::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RoleGrants::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
