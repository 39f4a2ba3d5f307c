//! What the use cases about members share of a person: showing them whole, what their
//! profile lacks, and the `party_member` grant a community gives them.

use linli_kernel::people::{PersonRecord, PersonView};
use linli_kernel::{CommunityId, GrantSet, Role, Scope, ScopePath, UserId};

use crate::models::MissingProfile;

/// A person shown whole, to someone entitled to see them so.
pub(crate) fn whole(person: &PersonRecord) -> PersonView {
    PersonView {
        id: person.id,
        nickname: person.nickname.clone(),
        real_name: person.real_name.clone(),
        phone: person.phone.clone(),
        masked: false,
    }
}

/// What a community needs to know of a member and the person has not given: a real name
/// and a bound phone, in that order.
pub(crate) fn missing_profile(person: &PersonRecord) -> Vec<MissingProfile> {
    [
        (person.real_name.is_none(), MissingProfile::RealName),
        (person.phone.is_none(), MissingProfile::Phone),
    ]
    .into_iter()
    .filter_map(|(absent, what)| absent.then_some(what))
    .collect()
}

/// The `party_member` grant of one person in one community: what accepting a report or
/// registering a transferred member adds and a withdrawal takes away, without touching
/// anyone else's.
pub(crate) fn party_member_set(user: UserId, community: CommunityId) -> GrantSet {
    GrantSet {
        under: Scope::Community(community),
        roles: vec![Role::PartyMember],
        holder: Some(user),
    }
}

/// The community's own place, from a place in it (a grid): where the grant is held.
pub(crate) fn community_place(place: &ScopePath) -> ScopePath {
    ScopePath {
        grid: None,
        building: None,
        side: None,
        ..*place
    }
}

#[cfg(test)]
mod tests {
    use linli_kernel::{GridId, SubdistrictId};

    use super::*;

    #[test]
    fn a_profile_lacks_the_real_name_first_then_the_phone() {
        let person = |real_name: Option<&str>, phone: Option<&str>| PersonRecord {
            id: UserId::new(),
            nickname: None,
            real_name: real_name.map(str::to_owned),
            phone: phone.map(str::to_owned),
            places: vec![],
        };
        assert!(missing_profile(&person(Some("王建国"), Some("13912345678"))).is_empty());
        assert_eq!(
            missing_profile(&person(None, None)),
            [MissingProfile::RealName, MissingProfile::Phone]
        );
        assert_eq!(
            missing_profile(&person(Some("王建国"), None)),
            [MissingProfile::Phone]
        );
    }

    #[test]
    fn a_grid_s_community_place_keeps_the_subdistrict_and_community_only() {
        let (subdistrict, community) = (SubdistrictId::new(), CommunityId::new());
        let grid = ScopePath::grid(subdistrict, community, GridId::new());
        assert_eq!(
            community_place(&grid),
            ScopePath::community(subdistrict, community)
        );
    }
}
