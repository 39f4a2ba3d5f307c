//! The data of the structure's events (`linli_grid::events::StructureEvent`), as the spec
//! documents them for WebSocket subscribers. A test holds every kind the domain makes to its
//! shape here, so the two cannot drift apart.

use uuid::Uuid;

use crate::http::events::event_data;

use super::branches::BranchKind;
use super::places::GridKind;

event_data! {
    StructureEventData;
    "subdistrict.created" => SubdistrictCreatedData { subdistrict_id: Uuid, name: String }
    "subdistrict.renamed" => SubdistrictRenamedData { subdistrict_id: Uuid, name: String }
    "community.created" => CommunityCreatedData { community_id: Uuid, subdistrict_id: Uuid, name: String }
    "community.renamed" => CommunityRenamedData { community_id: Uuid, name: String }
    "grid.created" => GridCreatedData { grid_id: Uuid, community_id: Uuid, name: String, kind: GridKind }
    "grid.updated" => GridUpdatedData { grid_id: Uuid, community_id: Uuid }
    "building.created" => BuildingCreatedData { building_id: Uuid, grid_id: Uuid, community_id: Uuid, name: String }
    "building.renamed" => BuildingRenamedData { building_id: Uuid, community_id: Uuid, name: String }
    "party_branch.created" => PartyBranchCreatedData {
        branch_id: Uuid, community_id: Uuid, kind: BranchKind, grid_ids: Vec<Uuid>
    }
    "party_branch.dissolved" => PartyBranchDissolvedData { branch_id: Uuid, community_id: Uuid }
    /// A grid's team now: its leader (null when none) and workers.
    "grid_team.changed" => GridTeamChangedData {
        grid_id: Uuid, community_id: Uuid, #[oai(nullable)] leader: Option<Uuid>, workers: Vec<Uuid>
    }
    /// On your own channel: what you now are in a grid's team (`[]`: nothing any more).
    "grid_team.membership_changed" => GridTeamMembershipChangedData {
        grid_id: Uuid, user_id: Uuid, roles: Vec<String>
    }
}

#[cfg(test)]
mod tests {
    use linli_kernel::events::ContextEvent;

    use super::conforms;

    #[test]
    fn every_structure_event_has_the_documented_shape() {
        for event in linli_grid::events::samples() {
            let data = serde_json::to_value(&event).unwrap_or_default();
            assert_eq!(conforms(event.kind(), &data), Ok(()), "{data}");
        }
    }
}
