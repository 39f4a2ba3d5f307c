//! `POST /grids/import`: many grids with their buildings from one CSV file, all or none.

use std::collections::{HashMap, HashSet};

use linli_kernel::ports::Clock;
use linli_kernel::{Actor, DomainEvent, GridId, Permission};
use serde::Serialize;
use tracing::instrument;

use super::PlaceService;
use crate::GridError;
use crate::events::StructureEvent;
use crate::import::{RowError, parse_grid_csv};
use crate::models::{Building, Community, Grid, Warning};
use crate::ports::{GridWithBuildings, NameKind, PlaceRepository};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub grids: usize,
    pub buildings: usize,
    /// Warnings by line, e.g. residential grids outside 300–500 households.
    pub warnings: Vec<(u64, Warning)>,
}

impl<P, C> PlaceService<P, C>
where
    P: PlaceRepository,
    C: Clock,
{
    #[instrument(skip_all, err)]
    pub async fn import_grids(&self, actor: &Actor, csv: &str) -> Result<ImportReport, GridError> {
        let (rows, mut errors) = parse_grid_csv(csv);

        let mut names: Vec<String> = rows.iter().map(|r| r.community.clone()).collect();
        names.sort();
        names.dedup();
        // Communities outside the actor's scope are as unknown as ones that do not exist.
        let communities: HashMap<String, Community> = self
            .places
            .communities_named(&names)
            .await?
            .into_iter()
            .filter(|c| actor.can(Permission::ManageStructure, &c.path()))
            .map(|c| (c.name.as_str().to_owned(), c))
            .collect();
        let community_ids: Vec<_> = communities.values().map(|c| c.id).collect();
        let mut taken: HashSet<(linli_kernel::CommunityId, NameKind, String)> = self
            .places
            .names_in_communities(&community_ids)
            .await?
            .into_iter()
            .collect();

        let now = self.clock.now();
        let mut planned: Vec<GridWithBuildings> = Vec::new();
        let mut warnings = Vec::new();
        for row in rows {
            let Some(community) = communities.get(&row.community) else {
                errors.push(RowError::new(
                    row.line,
                    Some("community"),
                    format!("no community named `{}` in your scope", row.community),
                ));
                continue;
            };
            let mut row_ok = true;
            if taken
                .iter()
                .any(|(c, k, n)| *c == community.id && *k == NameKind::Grid && n == row.name.as_str())
            {
                errors.push(RowError::new(
                    row.line,
                    Some("name"),
                    format!("`{}` already has a grid named `{}`", community.name, row.name),
                ));
                row_ok = false;
            }
            for building in &row.buildings {
                let clash = taken.iter().any(|(c, k, n)| {
                    *c == community.id && *k == NameKind::Building && n == building.as_str()
                });
                if clash {
                    errors.push(RowError::new(
                        row.line,
                        Some("buildings"),
                        format!("`{}` already has a building named `{building}`", community.name),
                    ));
                    row_ok = false;
                }
            }
            if !row_ok {
                continue;
            }
            taken.insert((community.id, NameKind::Grid, row.name.as_str().to_owned()));
            taken.extend(
                row.buildings
                    .iter()
                    .map(|b| (community.id, NameKind::Building, b.as_str().to_owned())),
            );
            let grid = Grid {
                id: GridId::new(),
                community_id: community.id,
                subdistrict_id: community.subdistrict_id,
                name: row.name,
                kind: row.kind,
                households: row.households,
                created_at: now,
            };
            if let Some(warning) = Warning::for_grid_size(grid.kind, grid.households) {
                warnings.push((row.line, warning));
            }
            let buildings = row
                .buildings
                .into_iter()
                .map(|name| Building::new(&grid, name, &[], now))
                .collect::<Result<Vec<_>, _>>()?;
            planned.push(GridWithBuildings { grid, buildings });
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(GridError::ImportRejected(errors));
        }

        let events: Vec<DomainEvent> = planned
            .iter()
            .map(|p| StructureEvent::grid_created(&p.grid).at(now))
            .collect();
        self.places.insert_grids(&planned, &events).await?;
        Ok(ImportReport {
            grids: planned.len(),
            buildings: planned.iter().map(|p| p.buildings.len()).sum(),
            warnings,
        })
    }
}
