//! What each uniqueness rule of the structure's tables means, so that a write refused by the
//! database answers with the rule it broke: a name taken (and which kind of name), or a grid
//! already in a branch. A rule not listed here is a bug and is reported as one.

use linli_grid::error::WriteError;
use linli_grid::ports::NameKind;
use sea_orm::DbErr;

use crate::db::violated_unique;

/// A uniqueness rule the structure relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rule {
    Name(NameKind),
    GridInOneBranch,
}

/// Each rule by its PostgreSQL constraint name and by the columns SQLite reports.
const RULES: [(&str, &str, Rule); 7] = [
    (
        "subdistricts_name_key",
        "subdistricts.name",
        Rule::Name(NameKind::Subdistrict),
    ),
    (
        "communities_subdistrict_name",
        "communities.subdistrict_id, communities.name",
        Rule::Name(NameKind::Community),
    ),
    (
        "grids_community_name",
        "grids.community_id, grids.name",
        Rule::Name(NameKind::Grid),
    ),
    (
        "buildings_community_name",
        "buildings.community_id, buildings.name",
        Rule::Name(NameKind::Building),
    ),
    (
        "stairwells_building_name",
        "stairwells.building_id, stairwells.name",
        Rule::Name(NameKind::Stairwell),
    ),
    (
        "party_branches_community_name",
        "party_branches.community_id, party_branches.name",
        Rule::Name(NameKind::PartyBranch),
    ),
    (
        "party_branch_grids_pkey",
        "party_branch_grids.grid_id",
        Rule::GridInOneBranch,
    ),
];

/// The rule a failed write broke: `None` if it broke no uniqueness rule, `Some(Err)` naming
/// the index if it broke one this context does not know (a bug, never a guess).
pub(super) fn broken_rule(error: &DbErr) -> Option<Result<Rule, String>> {
    let violated = violated_unique(error)?;
    Some(
        RULES
            .iter()
            .find(|(constraint, columns, _)| violated == *constraint || violated == *columns)
            .map(|(_, _, rule)| *rule)
            .ok_or(violated),
    )
}

/// A failed write in the port's terms; `name` is the name the write tried to use.
pub(super) fn write_error(e: DbErr, name: &str) -> WriteError {
    match broken_rule(&e) {
        Some(Ok(Rule::Name(kind))) => WriteError::NameTaken {
            kind,
            name: name.to_owned(),
        },
        Some(Ok(Rule::GridInOneBranch)) => WriteError::Storage(anyhow::anyhow!(
            "a write outside the branches broke the grid-in-one-branch rule: {e}"
        )),
        Some(Err(index)) => WriteError::Storage(anyhow::anyhow!(
            "a write broke the unique index `{index}`, which the structure does not know: {e}"
        )),
        None => WriteError::Storage(e.into()),
    }
}

#[cfg(test)]
mod tests;
