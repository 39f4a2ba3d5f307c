//! The figures of dual reporting over a scope (`GET /stats/dual-reporting`): what the
//! district reports of units, members, pledges and the three lists.

/// Units registered in a scope: counted where their paired grid lies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitFigures {
    pub registered: u64,
    /// Units paired with a grid. Every unit is paired when it is registered, so this equals
    /// `registered` today; it is counted apart so that the figure stays right if unpairing
    /// comes.
    pub paired: u64,
    /// Units whose report to their grid was accepted.
    pub reported: u64,
}

/// In-service members' reports to communities in a scope, by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemberFigures {
    pub accepted: u64,
    pub submitted: u64,
    pub rejected: u64,
    pub withdrawn: u64,
    /// People with an accepted report (one open report each, so equal to `accepted` unless
    /// storage was written around the rule).
    pub members: u64,
}

impl MemberFigures {
    /// Reports in every state: in the demo district, one a person.
    pub fn total(&self) -> u64 {
        self.accepted + self.submitted + self.rejected + self.withdrawn
    }
}

/// Pledges made by members serving in a scope; kept: verified records reach the target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PledgeFigures {
    pub made: u64,
    pub kept: u64,
}

/// Projects placed in a scope, by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProjectFigures {
    pub planned: u64,
    pub active: u64,
    pub completed: u64,
    pub cancelled: u64,
}

impl ProjectFigures {
    pub fn total(&self) -> u64 {
        self.planned + self.active + self.completed + self.cancelled
    }
}

/// Everything `GET /stats/dual-reporting` answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DualReportingStats {
    pub units: UnitFigures,
    pub members: MemberFigures,
    /// Transferred members (组织关系转入) registered by communities in the scope, counted
    /// apart from in-service members. Zero until their registrations land (the rosters work).
    pub transferred_members: u64,
    pub pledges: PledgeFigures,
    /// Resource offers of units, counted where the unit's paired grid lies.
    pub offers: u64,
    /// Needs posted by subdistricts and communities in the scope.
    pub needs: u64,
    pub projects: ProjectFigures,
}
