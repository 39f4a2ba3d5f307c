//! Roles, as DOMAIN.md lists them, and the grants that place a role at a scope.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::{RoleGrantId, Rule, Scope, ScopeKind, ScopePath, SideKind, UserId, ValidationError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    DistrictAdmin,
    SubdistrictAdmin,
    CommunityAdmin,
    GridLeader,
    GridWorker,
    StairwellLeader,
    UnitAdmin,
    TeamLeader,
    PartyMember,
    /// Implicit: any registered user who joined a team or an activity.
    Volunteer,
    /// Implicit: any logged-in user.
    Resident,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::DistrictAdmin,
        Role::SubdistrictAdmin,
        Role::CommunityAdmin,
        Role::GridLeader,
        Role::GridWorker,
        Role::StairwellLeader,
        Role::UnitAdmin,
        Role::TeamLeader,
        Role::PartyMember,
        Role::Volunteer,
        Role::Resident,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DistrictAdmin => "district_admin",
            Self::SubdistrictAdmin => "subdistrict_admin",
            Self::CommunityAdmin => "community_admin",
            Self::GridLeader => "grid_leader",
            Self::GridWorker => "grid_worker",
            Self::StairwellLeader => "stairwell_leader",
            Self::UnitAdmin => "unit_admin",
            Self::TeamLeader => "team_leader",
            Self::PartyMember => "party_member",
            Self::Volunteer => "volunteer",
            Self::Resident => "resident",
        }
    }

    /// The kind of node a grant of this role must name; `None` for the implicit roles,
    /// which nobody grants.
    pub fn scope_kind(self) -> Option<ScopeKind> {
        match self {
            Self::DistrictAdmin => Some(ScopeKind::District),
            Self::SubdistrictAdmin => Some(ScopeKind::Subdistrict),
            Self::CommunityAdmin | Self::PartyMember => Some(ScopeKind::Community),
            Self::GridLeader | Self::GridWorker => Some(ScopeKind::Grid),
            Self::StairwellLeader => Some(ScopeKind::Building),
            Self::UnitAdmin => Some(ScopeKind::Side(SideKind::UNIT)),
            Self::TeamLeader => Some(ScopeKind::Side(SideKind::VOLUNTEER_TEAM)),
            Self::Volunteer | Self::Resident => None,
        }
    }

    /// The administrators of the tree: they shape it and name its staff.
    pub const fn is_admin(self) -> bool {
        matches!(
            self,
            Self::DistrictAdmin | Self::SubdistrictAdmin | Self::CommunityAdmin
        )
    }

    /// Staff of the tree: whoever works inside a node rather than merely lives there.
    pub const fn is_staff(self) -> bool {
        self.is_admin() || matches!(self, Self::GridLeader | Self::GridWorker)
    }

    /// Whether anyone may grant this role. `party_member` comes only from an accepted member
    /// report (dual reporting), `volunteer` from joining a team or an activity, `resident`
    /// from logging in: none of them is handed out by an administrator.
    pub const fn is_grantable(self) -> bool {
        !matches!(self, Self::PartyMember | Self::Volunteer | Self::Resident)
    }

    /// The rank of the tree's posts, highest first; `None` for roles outside the ladder.
    const fn rank(self) -> Option<u8> {
        match self {
            Self::DistrictAdmin => Some(6),
            Self::SubdistrictAdmin => Some(5),
            Self::CommunityAdmin => Some(4),
            Self::GridLeader => Some(3),
            Self::GridWorker => Some(2),
            Self::StairwellLeader => Some(1),
            _ => None,
        }
    }

    /// Whether a holder of `self` may grant or revoke `other` (at a node its own grant
    /// covers; [`crate::Actor::may_appoint`] checks that part). Only administrators appoint,
    /// and only to a post ranking below their own, so no one names or removes a peer:
    ///
    /// | appointer          | may appoint                                                        |
    /// | ------------------ | ------------------------------------------------------------------ |
    /// | district_admin     | subdistrict_admin and everything below, unit_admin, team_leader    |
    /// | subdistrict_admin  | community_admin and everything below, unit_admin, team_leader      |
    /// | community_admin    | grid_leader, grid_worker, stairwell_leader, unit_admin, team_leader |
    /// | anyone else        | nothing                                                            |
    ///
    /// The ladder: district_admin > subdistrict_admin > community_admin > grid_leader >
    /// grid_worker > stairwell_leader. `unit_admin` and `team_leader` sit beside it and are
    /// appointed by a community admin or above. Roles that are not grantable are appointed
    /// by no one. District admins are made (and removed) only from the console.
    pub const fn appoints(self, other: Role) -> bool {
        if !self.is_admin() || !other.is_grantable() {
            return false;
        }
        match (self.rank(), other.rank()) {
            (Some(own), Some(theirs)) => own > theirs,
            // unit_admin, team_leader: any administrator (all rank community admin or above).
            (Some(_), None) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| {
                ValidationError::new("role", Rule::UnknownRole, format!("unknown role `{s}`"))
                    .with("value", s)
            })
    }
}

/// Why a role cannot be placed at a scope, whoever asks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantShapeError {
    #[error("{0} is held implicitly and is never granted")]
    Implicit(Role),
    #[error("{role} is held at a {expected} scope, not a {given} scope")]
    WrongScopeKind {
        role: Role,
        expected: ScopeKind,
        given: ScopeKind,
    },
}

/// A role held at a scope. Only grants of the right shape can be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    id: RoleGrantId,
    user_id: UserId,
    role: Role,
    scope: Scope,
    granted_by: Option<UserId>,
    granted_at: DateTime<Utc>,
}

impl RoleGrant {
    pub fn new(
        user_id: UserId,
        role: Role,
        scope: Scope,
        granted_by: Option<UserId>,
        granted_at: DateTime<Utc>,
    ) -> Result<Self, GrantShapeError> {
        Self::check_shape(role, scope)?;
        Ok(Self {
            id: RoleGrantId::new(),
            user_id,
            role,
            scope,
            granted_by,
            granted_at,
        })
    }

    pub fn check_shape(role: Role, scope: Scope) -> Result<(), GrantShapeError> {
        let expected = role.scope_kind().ok_or(GrantShapeError::Implicit(role))?;
        if expected != scope.kind() {
            return Err(GrantShapeError::WrongScopeKind {
                role,
                expected,
                given: scope.kind(),
            });
        }
        Ok(())
    }

    /// Rebuilds a stored grant; storage only ever holds grants made by [`RoleGrant::new`].
    pub fn restore(
        id: RoleGrantId,
        user_id: UserId,
        role: Role,
        scope: Scope,
        granted_by: Option<UserId>,
        granted_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            user_id,
            role,
            scope,
            granted_by,
            granted_at,
        }
    }

    pub fn id(&self) -> RoleGrantId {
        self.id
    }
    pub fn user_id(&self) -> UserId {
        self.user_id
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn scope(&self) -> Scope {
        self.scope
    }
    pub fn granted_by(&self) -> Option<UserId> {
        self.granted_by
    }
    pub fn granted_at(&self) -> DateTime<Utc> {
        self.granted_at
    }
}

/// A grant with the place of its scope in the tree: what storage keeps, so that "grants
/// inside this scope" is an indexed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedGrant {
    pub grant: RoleGrant,
    pub path: ScopePath,
}

/// Some roles' grants held at one node or anywhere under it, optionally of one person only:
/// the unit another context reads and replaces (a grid's team is the grid leader, grid worker
/// and stairwell leader grants under the grid; an accepted member report is one person's
/// `party_member` grant in a community).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantSet {
    pub under: Scope,
    pub roles: Vec<Role>,
    /// When set, only this person's grants belong to the set.
    pub holder: Option<UserId>,
}

impl GrantSet {
    /// Whether a grant placed at `path` belongs to the set.
    pub fn contains(&self, grant: &RoleGrant, path: &ScopePath) -> bool {
        self.roles.contains(&grant.role())
            && self.under.covers(path)
            && self.holder.is_none_or(|holder| holder == grant.user_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CommunityId, GridId};

    #[test]
    fn every_role_survives_its_text_form() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("mayor".parse::<Role>().is_err());
    }

    #[test]
    fn only_a_higher_administrator_appoints_and_never_a_peer() {
        use Role::*;
        let ladder = [
            DistrictAdmin,
            SubdistrictAdmin,
            CommunityAdmin,
            GridLeader,
            GridWorker,
            StairwellLeader,
        ];
        for (i, higher) in ladder.iter().enumerate() {
            for (j, lower) in ladder.iter().enumerate() {
                let expected = higher.is_admin() && i < j;
                assert_eq!(higher.appoints(*lower), expected, "{higher} → {lower}");
            }
        }
        for admin in [DistrictAdmin, SubdistrictAdmin, CommunityAdmin] {
            assert!(admin.appoints(UnitAdmin) && admin.appoints(TeamLeader));
            for never in [PartyMember, Volunteer, Resident] {
                assert!(!admin.appoints(never), "{admin} → {never}");
            }
        }
        for staff in [
            GridLeader,
            GridWorker,
            StairwellLeader,
            UnitAdmin,
            TeamLeader,
            PartyMember,
        ] {
            assert!(
                Role::ALL.iter().all(|r| !staff.appoints(*r)),
                "{staff} appoints nobody"
            );
        }
        assert!(!PartyMember.is_grantable() && !Volunteer.is_grantable() && !Resident.is_grantable());
    }

    #[test]
    fn a_grant_must_name_the_scope_kind_of_its_role() {
        let user = UserId::new();
        let now = Utc::now();
        assert!(RoleGrant::new(user, Role::GridWorker, Scope::Grid(GridId::new()), None, now).is_ok());
        assert_eq!(
            RoleGrant::new(
                user,
                Role::GridWorker,
                Scope::Community(CommunityId::new()),
                None,
                now
            ),
            Err(GrantShapeError::WrongScopeKind {
                role: Role::GridWorker,
                expected: ScopeKind::Grid,
                given: ScopeKind::Community
            })
        );
        assert_eq!(
            RoleGrant::new(user, Role::Resident, Scope::District, None, now),
            Err(GrantShapeError::Implicit(Role::Resident))
        );
    }
}
