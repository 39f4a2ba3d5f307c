//! Writing the planned demo structure through the live adapters.

use super::*;

/// Writes the plan through the structure's and identity's adapters, unless its first
/// subdistrict exists already (then it was loaded before): returns whether it loaded.
/// Not one transaction: an interrupted load is finished by loading into a fresh database.
pub async fn load<S, G>(
    store: &S,
    grants: &G,
    people: &mut dyn DemoPeople,
    now: DateTime<Utc>,
) -> anyhow::Result<bool>
where
    S: PlaceRepository + BranchRepository,
    G: GrantStore,
{
    let plan = plan(now)?;
    let marker: Vec<String> = plan
        .subdistricts
        .first()
        .map(|s| s.name.as_str().to_owned())
        .into_iter()
        .collect();
    if !store.subdistricts_named(&marker).await?.is_empty() {
        return Ok(false);
    }
    let mut ids = Vec::with_capacity(plan.people.len());
    for person in &plan.people {
        ids.push(people.person(person).await?);
    }
    for s in &plan.subdistricts {
        store
            .insert_subdistrict(s, &StructureEvent::subdistrict_created(s).at(now))
            .await?;
    }
    for c in &plan.communities {
        store
            .insert_community(c, &StructureEvent::community_created(c).at(now))
            .await?;
        let grids: Vec<GridWithBuildings> = plan
            .grids
            .iter()
            .filter(|g| g.grid.community_id == c.id)
            .cloned()
            .collect();
        let events: Vec<DomainEvent> = grids
            .iter()
            .map(|g| StructureEvent::grid_created(&g.grid).at(now))
            .collect();
        store.insert_grids(&grids, &events).await?;
    }
    for b in &plan.branches {
        store
            .insert_branch(b, &StructureEvent::branch_created(b).at(now))
            .await?;
    }
    write_posts(&plan, &ids, grants, now).await?;
    Ok(true)
}

/// The admins of each node are added beside whoever holds the role there already (a
/// bootstrap admin, say); each grid's team is set whole.
async fn write_posts<G: GrantStore>(
    plan: &Plan,
    ids: &[UserId],
    grants: &G,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let user = |post: &Post| {
        ids.get(post.person)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("a post names no one"))
    };
    let mut teams: HashMap<GridId, GridTeam> = HashMap::new();
    for post in &plan.posts {
        let holder = user(post)?;
        match post.role {
            Role::GridLeader | Role::GridWorker | Role::StairwellLeader => {
                let Some(grid) = post.path.grid else { continue };
                let team = teams.entry(grid).or_default();
                match (post.role, post.path.building) {
                    (Role::GridLeader, _) => team.leader = Some(holder),
                    (Role::GridWorker, _) => team.workers.push(holder),
                    (_, Some(building)) => team.stairwell_leaders.push((building, holder)),
                    _ => {}
                }
            }
            role => add_at(grants, post.path, role, holder, now).await?,
        }
    }
    for planned in &plan.grids {
        let grid = &planned.grid;
        let Some(team) = teams.remove(&grid.id) else {
            continue;
        };
        let replacement = team.to_grants(grid, None, now)?;
        let announced = grid.clone();
        grants
            .replace_grants(
                None,
                &GridTeam::grant_set(grid),
                replacement,
                move |before, after| {
                    team_change_events(
                        &announced,
                        &GridTeam::from_grants(before),
                        &GridTeam::from_grants(after),
                        now,
                    )
                },
            )
            .await?;
    }
    Ok(())
}

/// Gives `user` the role at the node `path` names, keeping its other holders.
async fn add_at<G: GrantStore>(
    grants: &G,
    path: ScopePath,
    role: Role,
    user: UserId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let node = path.scope();
    let set = GrantSet {
        under: node,
        roles: vec![role],
        holder: None,
    };
    let mut replacement: Vec<PlacedGrant> = grants
        .grants_in(&set)
        .await?
        .into_iter()
        .filter(|g| g.scope() == node)
        .map(|grant| PlacedGrant { grant, path })
        .collect();
    replacement.push(PlacedGrant {
        grant: RoleGrant::new(user, role, node, None, now)?,
        path,
    });
    grants
        .replace_grants(None, &set, replacement, |_, _| Vec::new())
        .await
}
