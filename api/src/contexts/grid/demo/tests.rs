use super::*;

#[test]
fn the_demo_district_has_the_districts_figures() {
    let plan = plan(Utc::now()).unwrap();
    let kind = |k: GridKind| plan.grids.iter().filter(|g| g.grid.kind == k).count();
    assert_eq!(plan.subdistricts.len(), 3);
    assert_eq!(plan.communities.len(), 16);
    assert_eq!(plan.grids.len(), 247);
    assert_eq!(kind(GridKind::Residential), 147);
    assert_eq!(kind(GridKind::Reserved), 42);
    assert_eq!(kind(GridKind::Dedicated), 58);
    let independent = plan
        .branches
        .iter()
        .filter(|b| b.kind == BranchKind::Independent)
        .count();
    let joint: Vec<&PartyBranch> = plan
        .branches
        .iter()
        .filter(|b| b.kind == BranchKind::Joint)
        .collect();
    assert_eq!(independent, 71);
    assert_eq!(joint.len(), 23);
    assert_eq!(joint.iter().map(|b| b.grid_ids.len()).sum::<usize>(), 70);
    let mut covered: Vec<GridId> = plan.branches.iter().flat_map(|b| b.grid_ids.clone()).collect();
    let before = covered.len();
    covered.sort();
    covered.dedup();
    assert_eq!(covered.len(), before, "no grid is in two branches");
    assert_eq!(covered.len(), 141);
}

#[test]
fn residential_grids_hold_300_to_500_households_and_every_grid_has_a_team() {
    let plan = plan(Utc::now()).unwrap();
    for planned in plan.grids.iter().filter(|g| g.grid.kind == GridKind::Residential) {
        assert!(
            Households::NORM.contains(&planned.grid.households.get()),
            "{}",
            planned.grid.name
        );
    }
    for planned in &plan.grids {
        assert_eq!(plan.holders(Role::GridLeader, Scope::Grid(planned.grid.id)), 1);
    }
}

#[test]
fn chinese_numbers_read_as_they_should() {
    assert_eq!(chinese_number(1), "一");
    assert_eq!(chinese_number(10), "十");
    assert_eq!(chinese_number(14), "十四");
    assert_eq!(chinese_number(20), "二十");
}
