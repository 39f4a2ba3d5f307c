//! The console's audit trail: each `linli admin` action that changed something, with who ran
//! it and where, in the `console_audit` table.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{EntityTrait, QueryFilter, QueryOrder};

use super::entity::console_audit;
use crate::db::Database;

/// One console action, as it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleAction {
    pub occurred_at: DateTime<Utc>,
    /// The operating-system account that ran the command.
    pub operator: String,
    /// The machine it ran on.
    pub host: String,
    /// `dev` or `production`.
    pub environment: String,
    /// e.g. `admin_grant`.
    pub action: String,
    /// What was done, e.g. `district_admin at district to openid o-123 (grant …)`.
    pub detail: String,
}

impl Database {
    /// Records the action; answers with its row's id, for [`Database::amend_console_action`].
    pub async fn record_console_action(&self, action: &ConsoleAction) -> anyhow::Result<uuid::Uuid> {
        let id = uuid::Uuid::now_v7();
        console_audit::Entity::insert(console_audit::ActiveModel {
            id: Set(id),
            occurred_at: Set(action.occurred_at),
            operator: Set(action.operator.clone()),
            host: Set(action.host.clone()),
            environment: Set(action.environment.clone()),
            action: Set(action.action.clone()),
            detail: Set(action.detail.clone()),
        })
        .exec_without_returning(&self.conn)
        .await?;
        Ok(id)
    }

    /// Completes the detail of an action recorded first as intent (with what it made).
    pub async fn amend_console_action(&self, id: uuid::Uuid, detail: &str) -> anyhow::Result<()> {
        console_audit::Entity::update_many()
            .col_expr(
                console_audit::Column::Detail,
                sea_orm::sea_query::Expr::value(detail),
            )
            .filter(sea_orm::ColumnTrait::eq(&console_audit::Column::Id, id))
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    /// The trail, oldest first.
    pub async fn console_actions(&self) -> anyhow::Result<Vec<ConsoleAction>> {
        Ok(console_audit::Entity::find()
            .order_by_asc(console_audit::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|row| ConsoleAction {
                occurred_at: row.occurred_at,
                operator: row.operator,
                host: row.host,
                environment: row.environment,
                action: row.action,
                detail: row.detail,
            })
            .collect())
    }
}
