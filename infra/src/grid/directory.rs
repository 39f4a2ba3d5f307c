//! The scope directory of the tree: other contexts place a scope in it and name it. Every
//! node asked for, with the names above it, comes back from one statement.

use linli_kernel::ports::{ScopeDirectory, ScopeNode};
use linli_kernel::{Scope, ScopeKind, ScopePath};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement, UnionType};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, FromQueryResult, StatementBuilder};
use uuid::Uuid;

use super::entity::district;
use crate::db::Database;

/// One node with the ids and names of its ancestors, as the union below answers.
#[derive(Debug, FromQueryResult)]
struct NodeRow {
    kind: String,
    id: Option<Uuid>,
    name: String,
    subdistrict_id: Option<Uuid>,
    subdistrict_name: Option<String>,
    community_id: Option<Uuid>,
    community_name: Option<String>,
    grid_id: Option<Uuid>,
    grid_name: Option<String>,
}

impl NodeRow {
    fn into_node(self) -> Option<ScopeNode> {
        let (sub, com, grd) = (
            self.subdistrict_id.map(Into::into),
            self.community_id.map(Into::into),
            self.grid_id.map(Into::into),
        );
        let (scope, path) = match (self.kind.as_str(), self.id) {
            ("district", _) => (Scope::District, ScopePath::district()),
            ("subdistrict", Some(id)) => (Scope::Subdistrict(id.into()), ScopePath::subdistrict(id.into())),
            ("community", Some(id)) => (Scope::Community(id.into()), ScopePath::community(sub?, id.into())),
            ("grid", Some(id)) => (Scope::Grid(id.into()), ScopePath::grid(sub?, com?, id.into())),
            ("building", Some(id)) => (
                Scope::Building(id.into()),
                ScopePath::building(sub?, com?, grd?, id.into()),
            ),
            _ => return None,
        };
        let full_name = [self.subdistrict_name, self.community_name, self.grid_name]
            .into_iter()
            .flatten()
            .chain([self.name.clone()])
            .collect::<Vec<_>>()
            .join(" / ");
        Some(ScopeNode {
            scope,
            path,
            name: self.name,
            full_name,
        })
    }
}

/// `SELECT '<kind>' AS kind, <table>.id, <table>.name, …` with the ancestors joined in;
/// `ancestors` names which of subdistrict, community and grid the table has.
fn nodes_of(kind: &str, table: Alias, ids: Vec<Uuid>, ancestors: [bool; 3]) -> SelectStatement {
    let mut select = Query::select();
    select
        .expr_as(Expr::val(kind.to_owned()), Alias::new("kind"))
        .expr_as(Expr::col((table.clone(), Alias::new("id"))), Alias::new("id"))
        .expr_as(Expr::col((table.clone(), Alias::new("name"))), Alias::new("name"))
        .from(table.clone())
        .and_where(Expr::col((table.clone(), Alias::new("id"))).is_in(ids));
    let parents = [
        ("subdistrict", "subdistricts", "s"),
        ("community", "communities", "c"),
        ("grid", "grids", "g"),
    ];
    for ((parent, parent_table, alias), present) in parents.into_iter().zip(ancestors) {
        let (id_as, name_as) = (format!("{parent}_id"), format!("{parent}_name"));
        if present {
            let own_column = if kind == parent {
                "id".to_owned()
            } else {
                format!("{parent}_id")
            };
            select
                .join_as(
                    JoinType::LeftJoin,
                    Alias::new(parent_table),
                    Alias::new(alias),
                    Expr::col((Alias::new(alias), Alias::new("id")))
                        .equals((table.clone(), Alias::new(own_column))),
                )
                .expr_as(
                    Expr::col((Alias::new(alias), Alias::new("id"))),
                    Alias::new(id_as),
                )
                .expr_as(
                    Expr::col((Alias::new(alias), Alias::new("name"))),
                    Alias::new(name_as),
                );
        } else {
            select
                .expr_as(Expr::cust("NULL"), Alias::new(id_as))
                .expr_as(Expr::cust("NULL"), Alias::new(name_as));
        }
    }
    select
}

impl ScopeDirectory for Database {
    fn supports(&self, kind: ScopeKind) -> bool {
        kind.is_tree()
    }

    async fn describe_many(&self, scopes: &[Scope]) -> anyhow::Result<Vec<ScopeNode>> {
        let ids = |want: ScopeKind| -> Vec<Uuid> {
            scopes
                .iter()
                .filter(|s| s.kind() == want)
                .filter_map(Scope::id)
                .collect()
        };
        // The deepest kinds first: their ancestors' columns are all real, which fixes the
        // union's column types for the branches that fill some with NULL.
        let mut parts: Vec<SelectStatement> = [
            ("building", "buildings", ScopeKind::Building, [true, true, true]),
            ("grid", "grids", ScopeKind::Grid, [true, true, false]),
            (
                "community",
                "communities",
                ScopeKind::Community,
                [true, false, false],
            ),
            (
                "subdistrict",
                "subdistricts",
                ScopeKind::Subdistrict,
                [false, false, false],
            ),
        ]
        .into_iter()
        .filter_map(|(kind, table, scope_kind, ancestors)| {
            let wanted = ids(scope_kind);
            (!wanted.is_empty()).then(|| nodes_of(kind, Alias::new(table), wanted, ancestors))
        })
        .collect();
        if scopes.contains(&Scope::District) {
            let mut district = Query::select();
            district
                .expr_as(Expr::val("district"), Alias::new("kind"))
                .expr_as(Expr::cust("NULL"), Alias::new("id"))
                .column(district::Column::Name)
                .from(district::Entity);
            for column in [
                "subdistrict_id",
                "subdistrict_name",
                "community_id",
                "community_name",
                "grid_id",
                "grid_name",
            ] {
                district.expr_as(Expr::cust("NULL"), Alias::new(column));
            }
            parts.push(district);
        }
        let mut parts = parts.into_iter();
        let Some(mut union) = parts.next() else {
            return Ok(Vec::new());
        };
        for part in parts {
            union.union(UnionType::All, part);
        }
        let statement = StatementBuilder::build(&union, &self.backend());
        let rows = NodeRow::find_by_statement(statement).all(&self.conn).await?;
        Ok(rows.into_iter().filter_map(NodeRow::into_node).collect())
    }
}

impl Database {
    pub async fn set_district_name(&self, name: &str) -> anyhow::Result<()> {
        district::ActiveModel {
            id: Set(1),
            name: Set(name.to_owned()),
        }
        .update(&self.conn)
        .await?;
        Ok(())
    }

    pub async fn district_name(&self) -> anyhow::Result<String> {
        Ok(district::Entity::find_by_id(1)
            .one(&self.conn)
            .await?
            .map(|d| d.name)
            .unwrap_or_default())
    }
}
