//! What the structure announces: one kind per change, with its data. Subdistricts and
//! communities on `district:structure`; what lies inside a community on
//! `community:<id>:structure`; a person's place in a grid team on their own channel.

use chrono::{DateTime, Utc};
use linli_kernel::events::{ContextEvent, topics};
use linli_kernel::{BuildingId, CommunityId, DomainEvent, GridId, PartyBranchId, SubdistrictId, UserId};
use serde::Serialize;

use crate::models::{BranchKind, Building, Community, Grid, GridKind, PartyBranch, Subdistrict};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum StructureEvent {
    SubdistrictCreated {
        subdistrict_id: SubdistrictId,
        name: String,
    },
    SubdistrictRenamed {
        subdistrict_id: SubdistrictId,
        name: String,
    },
    CommunityCreated {
        community_id: CommunityId,
        subdistrict_id: SubdistrictId,
        name: String,
    },
    CommunityRenamed {
        community_id: CommunityId,
        name: String,
    },
    GridCreated {
        grid_id: GridId,
        community_id: CommunityId,
        name: String,
        kind: GridKind,
    },
    GridUpdated {
        grid_id: GridId,
        community_id: CommunityId,
    },
    BuildingCreated {
        building_id: BuildingId,
        grid_id: GridId,
        community_id: CommunityId,
        name: String,
    },
    BuildingRenamed {
        building_id: BuildingId,
        community_id: CommunityId,
        name: String,
    },
    PartyBranchCreated {
        branch_id: PartyBranchId,
        community_id: CommunityId,
        kind: BranchKind,
        grid_ids: Vec<GridId>,
    },
    PartyBranchDissolved {
        branch_id: PartyBranchId,
        community_id: CommunityId,
    },
    GridTeamChanged {
        grid_id: GridId,
        community_id: CommunityId,
        leader: Option<UserId>,
        workers: Vec<UserId>,
    },
    /// Told to the person: what they now are in the grid's team (`[]`: nothing any more).
    GridTeamMembershipChanged {
        grid_id: GridId,
        user_id: UserId,
        roles: Vec<String>,
    },
}

impl ContextEvent for StructureEvent {
    fn kind(&self) -> &'static str {
        match self {
            Self::SubdistrictCreated { .. } => "subdistrict.created",
            Self::SubdistrictRenamed { .. } => "subdistrict.renamed",
            Self::CommunityCreated { .. } => "community.created",
            Self::CommunityRenamed { .. } => "community.renamed",
            Self::GridCreated { .. } => "grid.created",
            Self::GridUpdated { .. } => "grid.updated",
            Self::BuildingCreated { .. } => "building.created",
            Self::BuildingRenamed { .. } => "building.renamed",
            Self::PartyBranchCreated { .. } => "party_branch.created",
            Self::PartyBranchDissolved { .. } => "party_branch.dissolved",
            Self::GridTeamChanged { .. } => "grid_team.changed",
            Self::GridTeamMembershipChanged { .. } => "grid_team.membership_changed",
        }
    }
}

impl StructureEvent {
    pub fn subdistrict_created(s: &Subdistrict) -> Self {
        Self::SubdistrictCreated {
            subdistrict_id: s.id,
            name: s.name.to_string(),
        }
    }

    pub fn subdistrict_renamed(s: &Subdistrict) -> Self {
        Self::SubdistrictRenamed {
            subdistrict_id: s.id,
            name: s.name.to_string(),
        }
    }

    pub fn community_created(c: &Community) -> Self {
        Self::CommunityCreated {
            community_id: c.id,
            subdistrict_id: c.subdistrict_id,
            name: c.name.to_string(),
        }
    }

    pub fn community_renamed(c: &Community) -> Self {
        Self::CommunityRenamed {
            community_id: c.id,
            name: c.name.to_string(),
        }
    }

    pub fn grid_created(g: &Grid) -> Self {
        Self::GridCreated {
            grid_id: g.id,
            community_id: g.community_id,
            name: g.name.to_string(),
            kind: g.kind,
        }
    }

    pub fn grid_updated(g: &Grid) -> Self {
        Self::GridUpdated {
            grid_id: g.id,
            community_id: g.community_id,
        }
    }

    pub fn building_created(b: &Building) -> Self {
        Self::BuildingCreated {
            building_id: b.id,
            grid_id: b.grid_id,
            community_id: b.community_id,
            name: b.name.to_string(),
        }
    }

    pub fn building_renamed(b: &Building) -> Self {
        Self::BuildingRenamed {
            building_id: b.id,
            community_id: b.community_id,
            name: b.name.to_string(),
        }
    }

    pub fn branch_created(b: &PartyBranch) -> Self {
        Self::PartyBranchCreated {
            branch_id: b.id,
            community_id: b.community_id,
            kind: b.kind,
            grid_ids: b.grid_ids.clone(),
        }
    }

    pub fn branch_dissolved(b: &PartyBranch) -> Self {
        Self::PartyBranchDissolved {
            branch_id: b.id,
            community_id: b.community_id,
        }
    }

    /// The channel this event is announced on.
    pub fn topic(&self) -> String {
        match self {
            Self::SubdistrictCreated { .. }
            | Self::SubdistrictRenamed { .. }
            | Self::CommunityCreated { .. }
            | Self::CommunityRenamed { .. } => topics::DISTRICT_STRUCTURE.to_owned(),
            Self::GridCreated { community_id, .. }
            | Self::GridUpdated { community_id, .. }
            | Self::BuildingCreated { community_id, .. }
            | Self::BuildingRenamed { community_id, .. }
            | Self::PartyBranchCreated { community_id, .. }
            | Self::PartyBranchDissolved { community_id, .. }
            | Self::GridTeamChanged { community_id, .. } => topics::community_structure(*community_id),
            Self::GridTeamMembershipChanged { user_id, .. } => topics::user(*user_id),
        }
    }

    /// The event, happened at `at`, as the outbox records it.
    pub fn at(self, at: DateTime<Utc>) -> DomainEvent {
        DomainEvent::of(self.topic(), &self, at)
    }
}

/// One of each kind, for checking that every kind's data matches what the API documents.
#[cfg(any(test, feature = "testing"))]
pub fn samples() -> Vec<StructureEvent> {
    let (s, c, g) = (SubdistrictId::new(), CommunityId::new(), GridId::new());
    let name = || "一网格".to_owned();
    vec![
        StructureEvent::SubdistrictCreated {
            subdistrict_id: s,
            name: name(),
        },
        StructureEvent::SubdistrictRenamed {
            subdistrict_id: s,
            name: name(),
        },
        StructureEvent::CommunityCreated {
            community_id: c,
            subdistrict_id: s,
            name: name(),
        },
        StructureEvent::CommunityRenamed {
            community_id: c,
            name: name(),
        },
        StructureEvent::GridCreated {
            grid_id: g,
            community_id: c,
            name: name(),
            kind: GridKind::Residential,
        },
        StructureEvent::GridUpdated {
            grid_id: g,
            community_id: c,
        },
        StructureEvent::BuildingCreated {
            building_id: BuildingId::new(),
            grid_id: g,
            community_id: c,
            name: name(),
        },
        StructureEvent::BuildingRenamed {
            building_id: BuildingId::new(),
            community_id: c,
            name: name(),
        },
        StructureEvent::PartyBranchCreated {
            branch_id: PartyBranchId::new(),
            community_id: c,
            kind: BranchKind::Joint,
            grid_ids: vec![g, GridId::new()],
        },
        StructureEvent::PartyBranchDissolved {
            branch_id: PartyBranchId::new(),
            community_id: c,
        },
        StructureEvent::GridTeamChanged {
            grid_id: g,
            community_id: c,
            leader: Some(UserId::new()),
            workers: vec![UserId::new()],
        },
        StructureEvent::GridTeamChanged {
            grid_id: g,
            community_id: c,
            leader: None,
            workers: vec![],
        },
        StructureEvent::GridTeamMembershipChanged {
            grid_id: g,
            user_id: UserId::new(),
            roles: vec!["grid_worker".to_owned()],
        },
    ]
}
