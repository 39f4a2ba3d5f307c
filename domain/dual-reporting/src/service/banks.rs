//! The search banks (信息资源库): the in-service member bank is the member-report listing
//! with the names a reader (or a spreadsheet) wants beside each report, its unit's, its
//! community's and grid's and its service category's, looked up once per page.

use std::collections::{HashMap, HashSet};

use linli_kernel::ports::{Clock, GrantStore, PersonDirectory, ScopeDirectory};
use linli_kernel::{Actor, Page, PageRequest, Scope};

use super::member_reports::{MemberReportService, MemberReportView, ReportQuery};
use crate::DualReportingError;
use crate::ports::{CategoryRepository, MemberReportRepository, UnitRepository};

/// One line of the member bank: a report as the viewer sees it in the listing (the member
/// whole or masked alike), and the names of what it refers to; `None` where there is none
/// (no grid or category before acceptance) or the name cannot be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberBankEntry {
    pub view: MemberReportView,
    pub unit: Option<String>,
    pub community: Option<String>,
    pub grid: Option<String>,
    /// The service category's name, e.g. `法律援助`.
    pub category: Option<String>,
}

impl<R, U, K, D, P, G, C> MemberReportService<R, U, K, D, P, G, C>
where
    R: MemberReportRepository,
    U: UnitRepository,
    K: CategoryRepository,
    D: ScopeDirectory,
    P: PersonDirectory,
    G: GrantStore,
    C: Clock,
{
    /// One page of the member bank: exactly the page [`Self::list`] gives (the same reports,
    /// the same rights), each with its names. One lookup of units, one of the tree and one of
    /// the categories per page, whatever its length.
    pub async fn bank(
        &self,
        actor: &Actor,
        query: ReportQuery,
        page: PageRequest,
    ) -> Result<Page<MemberBankEntry>, DualReportingError> {
        let listed = self.list(actor, query, page).await?;
        if listed.items.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next_after: listed.next_after,
            });
        }
        let mut unit_ids: Vec<_> = listed.items.iter().map(|v| v.report.unit_id).collect();
        unit_ids.sort();
        unit_ids.dedup();
        let units: HashMap<_, _> = self
            .units
            .find_units(&unit_ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let mut scopes = HashSet::new();
        for view in &listed.items {
            if let Some(community) = view.report.community_id() {
                scopes.insert(Scope::Community(community));
            }
            if let Some(assignment) = &view.report.assignment {
                scopes.insert(Scope::Grid(assignment.grid_id));
            }
        }
        let scopes: Vec<Scope> = scopes.into_iter().collect();
        let places: HashMap<_, _> = self
            .directory
            .describe_many(&scopes)
            .await?
            .into_iter()
            .map(|node| (node.scope, node.name))
            .collect();
        let categories: HashMap<_, _> = if listed.items.iter().any(|v| v.report.assignment.is_some()) {
            self.categories
                .categories()
                .await?
                .into_iter()
                .map(|c| (c.key, c.name))
                .collect()
        } else {
            HashMap::new()
        };
        let items = listed
            .items
            .into_iter()
            .map(|view| {
                let report = &view.report;
                let assignment = report.assignment.as_ref();
                MemberBankEntry {
                    unit: units.get(&report.unit_id).cloned(),
                    community: report
                        .community_id()
                        .and_then(|c| places.get(&Scope::Community(c)).cloned()),
                    grid: assignment.and_then(|a| places.get(&Scope::Grid(a.grid_id)).cloned()),
                    category: assignment.and_then(|a| categories.get(&a.category).cloned()),
                    view,
                }
            })
            .collect();
        Ok(Page {
            items,
            next_after: listed.next_after,
        })
    }
}
