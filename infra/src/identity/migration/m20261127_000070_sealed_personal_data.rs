//! Phone numbers and real names sealed at rest (SM4-GCM, see `infra/CRYPTO.md`): new text
//! columns for the sealed values (a sealed phone does not fit the old `varchar(32)`, and
//! SQLite cannot change a column's type), and `phone_index`, the HMAC-SM3 blind index, for
//! exact-match lookups. The old `phone` and `real_name` columns keep what is still clear:
//! a migration cannot see the keys, so identity's adapter seals those at start-up (see
//! `identity::personal::seal_clear_values`) and empties them. Down drops the sealed values.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000070_sealed_personal_data"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    PhoneSealed,
    RealNameSealed,
    PhoneIndex,
}

const INDEX_NAME: &str = "idx_users_phone_index";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite's ALTER TABLE takes one change at a time.
        for column in [Users::PhoneSealed, Users::RealNameSealed] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(ColumnDef::new(column).text().null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::PhoneIndex).string_len(64).null())
                    .to_owned(),
            )
            .await?;
        // Not unique: one number may stand behind several WeChat accounts.
        manager
            .create_index(
                Index::create()
                    .name(INDEX_NAME)
                    .table(Users::Table)
                    .col(Users::PhoneIndex)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX_NAME).table(Users::Table).to_owned())
            .await?;
        for column in [Users::PhoneIndex, Users::RealNameSealed, Users::PhoneSealed] {
            manager
                .alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
