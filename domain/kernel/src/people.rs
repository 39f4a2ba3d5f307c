//! People as others see them: personal data is whole only for the person and for staff
//! whose scope covers them; everyone else sees it masked.

use serde::Serialize;

use crate::{Actor, Permission, ScopePath, UserId};

/// What the system holds about a person, with the places that tie them to the tree: where
/// they live and where they hold roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRecord {
    pub id: UserId,
    pub nickname: Option<String>,
    pub real_name: Option<String>,
    pub phone: Option<String>,
    pub places: Vec<ScopePath>,
}

/// A person as one viewer may see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonView {
    pub id: UserId,
    pub nickname: Option<String>,
    pub real_name: Option<String>,
    pub phone: Option<String>,
    /// Whether real name and phone were masked for this viewer.
    pub masked: bool,
}

impl PersonView {
    /// Someone known by id only: nothing about them is shown (an invitee, or a person the
    /// directory does not know, answered alike).
    pub fn hidden(id: UserId) -> Self {
        Self {
            id,
            nickname: None,
            real_name: None,
            phone: None,
            masked: true,
        }
    }
}

impl PersonRecord {
    /// Whether the actor's scope covers this person (lives or holds a role where the actor
    /// sees personal data). Not true of oneself as such: one's own record is shown whole
    /// (`view_for`), but covering oneself is no ground to appoint oneself.
    pub fn is_covered_by(&self, actor: &Actor) -> bool {
        self.places
            .iter()
            .any(|place| actor.can(Permission::ViewPersonalData, place))
    }

    pub fn view_for(&self, viewer: &Actor) -> PersonView {
        let whole = viewer.user_id() == self.id || self.is_covered_by(viewer);
        PersonView {
            id: self.id,
            nickname: self.nickname.clone(),
            real_name: if whole {
                self.real_name.clone()
            } else {
                self.real_name.as_deref().map(mask_name)
            },
            phone: if whole {
                self.phone.clone()
            } else {
                self.phone.as_deref().map(mask_phone)
            },
            masked: !whole,
        }
    }
}

/// `13812345678` → `138****5678`; a number too short to keep both ends is starred whole.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().collect();
    let n = digits.len();
    if n < 8 {
        return "*".repeat(n);
    }
    let head: String = digits.iter().take(3).collect();
    let tail: String = digits.iter().skip(n - 4).collect();
    format!("{head}{}{tail}", "*".repeat(n - 7))
}

/// `张三丰` → `张**`: the family name stays, as on Chinese government sites.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CommunityId, GridId, Role, Scope, SubdistrictId};

    #[test]
    fn phones_keep_the_first_three_and_last_four_digits() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+8613812345678"), "+86*******5678");
        assert_eq!(mask_phone("12345"), "*****");
    }

    #[test]
    fn names_keep_the_family_name() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李"), "李*");
    }

    #[test]
    fn staff_covering_the_person_see_them_whole_and_others_masked() {
        let (sub, community) = (SubdistrictId::new(), CommunityId::new());
        let home = ScopePath::grid(sub, community, GridId::new());
        let person = PersonRecord {
            id: UserId::new(),
            nickname: Some("老王".into()),
            real_name: Some("王建国".into()),
            phone: Some("13812345678".into()),
            places: vec![home],
        };
        let own_admin = Actor::new(
            UserId::new(),
            None,
            vec![(Role::CommunityAdmin, Scope::Community(community))],
        );
        let other_admin = Actor::new(
            UserId::new(),
            None,
            vec![(Role::CommunityAdmin, Scope::Community(CommunityId::new()))],
        );
        let themselves = Actor::new(person.id, None, vec![]);

        assert_eq!(person.view_for(&own_admin).phone.as_deref(), Some("13812345678"));
        assert_eq!(person.view_for(&themselves).real_name.as_deref(), Some("王建国"));
        let masked = person.view_for(&other_admin);
        assert_eq!(masked.phone.as_deref(), Some("138****5678"));
        assert_eq!(masked.real_name.as_deref(), Some("王**"));
        assert!(masked.masked);
    }
}
