//! The `unit` scope kind: a unit is a node beside the tree, placed at its paired grid, so
//! that `unit_admin` can be granted at `unit:<id>` and the staff over the grid cover it.

use linli_dual_reporting::ports::UnitRepository;
use linli_kernel::ports::{BoxFuture, ScopeNode, SideDirectory};
use linli_kernel::{Scope, SideKind, UnitId};
use uuid::Uuid;

use crate::db::Database;

pub struct UnitDirectory {
    db: Database,
}

impl UnitDirectory {
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

impl SideDirectory for UnitDirectory {
    fn kind(&self) -> SideKind {
        SideKind::UNIT
    }

    fn describe<'a>(&'a self, ids: &'a [Uuid]) -> BoxFuture<'a, anyhow::Result<Vec<ScopeNode>>> {
        Box::pin(async move {
            let ids: Vec<UnitId> = ids.iter().copied().map(UnitId::from_uuid).collect();
            let units = self.db.find_units(&ids).await?;
            Ok(units
                .into_iter()
                .map(|unit| ScopeNode {
                    scope: Scope::Side(SideKind::UNIT, unit.id.as_uuid()),
                    path: unit.path(),
                    full_name: unit.name.clone(),
                    name: unit.name,
                })
                .collect())
        })
    }
}
