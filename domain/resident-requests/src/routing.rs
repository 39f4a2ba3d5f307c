//! Routing: every request goes to one grid and one responsible person (一网通办: a person for
//! every matter). A new request's person is the next of the grid's workers in turn (round
//! robin), else its grid leader, else an admin of its community; an overdue one climbs a
//! level at a time.

use linli_kernel::UserId;

use crate::request::{Level, Responsible};

/// The people answerable for a grid's requests, each list in a stable order (by user id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GridTeam {
    pub workers: Vec<UserId>,
    pub leaders: Vec<UserId>,
    pub community_admins: Vec<UserId>,
}

impl GridTeam {
    fn at(&self, level: Level) -> &[UserId] {
        match level {
            Level::GridWorker => &self.workers,
            Level::GridLeader => &self.leaders,
            Level::CommunityAdmin => &self.community_admins,
        }
    }

    /// Who answers for a new request: the worker after `last` (the one the grid's previous
    /// request went to) in turn, else the first grid leader, else the first community admin;
    /// `None` when the grid has nobody at all.
    pub fn responsible_for_new(&self, last: Option<UserId>) -> Option<Responsible> {
        if !self.workers.is_empty() {
            let next = last
                .and_then(|l| self.workers.iter().position(|w| *w == l))
                .map_or(0, |i| (i + 1) % self.workers.len());
            return self.workers.get(next).map(|w| Responsible {
                user_id: *w,
                level: Level::GridWorker,
            });
        }
        self.first_from(Level::GridLeader)
    }

    /// Who an overdue request answered at `current` goes to: the first person of the next
    /// level up that has anyone; `None` at the top, or when nobody is above.
    pub fn escalated_from(&self, current: Level) -> Option<Responsible> {
        self.first_from(current.above()?)
    }

    fn first_from(&self, level: Level) -> Option<Responsible> {
        let mut level = Some(level);
        while let Some(l) = level {
            if let Some(user_id) = self.at(l).first() {
                return Some(Responsible {
                    user_id: *user_id,
                    level: l,
                });
            }
            level = l.above();
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<UserId> {
        let mut ids: Vec<UserId> = (0..n).map(|_| UserId::new()).collect();
        ids.sort();
        ids
    }

    #[test]
    fn new_requests_go_round_the_workers_in_turn() {
        let workers = ids(3);
        let team = GridTeam {
            workers: workers.clone(),
            leaders: ids(1),
            community_admins: ids(1),
        };
        let mut last = None;
        let mut picked = Vec::new();
        for _ in 0..7 {
            let r = team.responsible_for_new(last).unwrap();
            assert_eq!(r.level, Level::GridWorker);
            picked.push(r.user_id);
            last = Some(r.user_id);
        }
        let expected: Vec<UserId> = (0..7).map(|i| workers[i % 3]).collect();
        assert_eq!(picked, expected);
    }

    #[test]
    fn a_last_worker_who_left_the_team_restarts_the_turn() {
        let team = GridTeam {
            workers: ids(2),
            ..GridTeam::default()
        };
        let gone = UserId::new();
        assert_eq!(
            team.responsible_for_new(Some(gone)).unwrap().user_id,
            team.workers[0]
        );
    }

    #[test]
    fn without_workers_the_leader_answers_and_without_a_team_the_community_admin() {
        let leaders = ids(2);
        let admins = ids(1);
        let team = GridTeam {
            workers: vec![],
            leaders: leaders.clone(),
            community_admins: admins.clone(),
        };
        let r = team.responsible_for_new(None).unwrap();
        assert_eq!((r.user_id, r.level), (leaders[0], Level::GridLeader));
        let no_team = GridTeam {
            community_admins: admins.clone(),
            ..GridTeam::default()
        };
        let r = no_team.responsible_for_new(None).unwrap();
        assert_eq!((r.user_id, r.level), (admins[0], Level::CommunityAdmin));
        assert_eq!(GridTeam::default().responsible_for_new(None), None);
    }

    #[test]
    fn escalation_climbs_one_level_and_skips_an_empty_one() {
        let team = GridTeam {
            workers: ids(2),
            leaders: ids(1),
            community_admins: ids(1),
        };
        let up = team.escalated_from(Level::GridWorker).unwrap();
        assert_eq!((up.user_id, up.level), (team.leaders[0], Level::GridLeader));
        let up = team.escalated_from(Level::GridLeader).unwrap();
        assert_eq!(
            (up.user_id, up.level),
            (team.community_admins[0], Level::CommunityAdmin)
        );
        assert_eq!(team.escalated_from(Level::CommunityAdmin), None);

        let no_leader = GridTeam {
            leaders: vec![],
            ..team.clone()
        };
        let up = no_leader.escalated_from(Level::GridWorker).unwrap();
        assert_eq!(up.level, Level::CommunityAdmin, "an empty level is skipped");
        let nobody_above = GridTeam {
            workers: team.workers.clone(),
            ..GridTeam::default()
        };
        assert_eq!(nobody_above.escalated_from(Level::GridWorker), None);
    }
}
