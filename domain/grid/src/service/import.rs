//! `POST /grids/import`: many grids with their buildings from one CSV file, all or none.

use std::collections::{HashMap, HashSet};

use linli_kernel::ports::Clock;
use linli_kernel::{Actor, CommunityId, DomainEvent, GridId, Permission, SubdistrictId};
use serde::Serialize;
use tracing::instrument;

use super::PlaceService;
use crate::GridError;
use crate::events::StructureEvent;
use crate::import::{GridRow, RowError, RowErrors, parse_grid_csv};
use crate::models::{Building, Community, Grid, Warning};
use crate::ports::{GridWithBuildings, NameKind, PlaceRepository};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub grids: usize,
    pub buildings: usize,
    /// Warnings by line, e.g. residential grids outside 300–500 households.
    pub warnings: Vec<(u64, Warning)>,
}

/// The communities a file may name: those the actor manages, by name.
struct Targets {
    by_name: HashMap<String, Vec<Community>>,
    subdistricts: HashMap<String, SubdistrictId>,
}

impl Targets {
    /// The one community a row names, by its name and, when given, its subdistrict's.
    fn resolve(&self, row: &GridRow) -> Result<&Community, RowError> {
        let named = self.by_name.get(&row.community).map_or(&[][..], Vec::as_slice);
        let within = row.subdistrict.as_ref().map(|s| self.subdistricts.get(s));
        let mut matching = named
            .iter()
            .filter(|c| within.is_none_or(|s| s == Some(&c.subdistrict_id)));
        match (matching.next(), matching.next()) {
            (Some(community), None) => Ok(community),
            (Some(_), Some(_)) => Err(RowError::new(
                row.line,
                Some("community"),
                "community_ambiguous",
                format!(
                    "`{}` names communities in several subdistricts: add the column subdistrict (街道)",
                    row.community
                ),
            )),
            (None, _) => Err(RowError::new(
                row.line,
                Some("community"),
                "community_unknown",
                match &row.subdistrict {
                    Some(s) => format!("no community named `{}` in `{s}` in your scope", row.community),
                    None => format!("no community named `{}` in your scope", row.community),
                },
            )),
        }
    }
}

impl<P, C> PlaceService<P, C>
where
    P: PlaceRepository,
    C: Clock,
{
    /// Whether the actor may import at all (it manages the structure somewhere): asked
    /// before the file is read, so that a refused caller costs nothing.
    pub fn check_import(&self, actor: &Actor) -> Result<(), GridError> {
        if actor.reach(Permission::ManageStructure).is_empty() {
            return Err(GridError::Forbidden);
        }
        Ok(())
    }

    #[instrument(skip_all, err)]
    pub async fn import_grids(&self, actor: &Actor, csv: &str) -> Result<ImportReport, GridError> {
        self.check_import(actor)?;
        let mut errors = RowErrors::default();
        let rows = parse_grid_csv(csv, self.import_max_rows, &mut errors)?;
        let targets = self.targets(actor, &rows).await?;
        let community_ids: Vec<CommunityId> = targets.by_name.values().flatten().map(|c| c.id).collect();
        let mut taken: HashSet<(CommunityId, NameKind, String)> = self
            .places
            .names_in_communities(&community_ids)
            .await?
            .into_iter()
            .collect();

        let now = self.clock.now();
        let mut planned: Vec<GridWithBuildings> = Vec::new();
        let mut warnings = Vec::new();
        for row in rows {
            let community = match targets.resolve(&row) {
                Ok(community) => community,
                Err(error) => {
                    errors.push(error);
                    continue;
                }
            };
            let clashes = clashes(&row, community, &taken);
            if !clashes.is_empty() {
                clashes.into_iter().for_each(|e| errors.push(e));
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
            return Err(errors.into_error());
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

    /// The communities the rows name that the actor manages (others are as unknown as ones
    /// that do not exist), and the subdistricts the rows name.
    async fn targets(&self, actor: &Actor, rows: &[GridRow]) -> Result<Targets, GridError> {
        let distinct = |names: Vec<&String>| -> Vec<String> {
            let set: HashSet<&String> = names.into_iter().collect();
            set.into_iter().cloned().collect()
        };
        let community_names = distinct(rows.iter().map(|r| &r.community).collect());
        let subdistrict_names = distinct(rows.iter().filter_map(|r| r.subdistrict.as_ref()).collect());
        let mut by_name: HashMap<String, Vec<Community>> = HashMap::new();
        for community in self.places.communities_named(&community_names).await? {
            if actor.can(Permission::ManageStructure, &community.path()) {
                by_name
                    .entry(community.name.as_str().to_owned())
                    .or_default()
                    .push(community);
            }
        }
        let subdistricts = self
            .places
            .subdistricts_named(&subdistrict_names)
            .await?
            .into_iter()
            .map(|s| (s.name.as_str().to_owned(), s.id))
            .collect();
        Ok(Targets {
            by_name,
            subdistricts,
        })
    }
}

/// The row's names already taken in its community (stored, or earlier in the file).
fn clashes(
    row: &GridRow,
    community: &Community,
    taken: &HashSet<(CommunityId, NameKind, String)>,
) -> Vec<RowError> {
    let is_taken = |kind, name: &str| taken.contains(&(community.id, kind, name.to_owned()));
    let mut found = Vec::new();
    if is_taken(NameKind::Grid, row.name.as_str()) {
        found.push(RowError::new(
            row.line,
            Some("name"),
            "name_taken",
            format!("`{}` already has a grid named `{}`", community.name, row.name),
        ));
    }
    for building in row
        .buildings
        .iter()
        .filter(|b| is_taken(NameKind::Building, b.as_str()))
    {
        found.push(RowError::new(
            row.line,
            Some("buildings"),
            "name_taken",
            format!("`{}` already has a building named `{building}`", community.name),
        ));
    }
    found
}
