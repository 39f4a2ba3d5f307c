//! The search banks (信息资源库): the in-service member bank is the member-report listing
//! with the names a reader (or a spreadsheet) wants beside each report, its unit's, its
//! community's and grid's and its service category's; the resource bank is the offer listing
//! with the names of each offer's community, grid and category. Names are looked up once per
//! page.

use std::collections::{HashMap, HashSet};

use linli_kernel::ports::{Clock, GrantStore, PersonDirectory, ScopeDirectory};
use linli_kernel::{Actor, Page, PageRequest, Scope};

use super::member_reports::{MemberReportService, MemberReportView, ReportQuery};
use super::offers::{OfferQuery, OfferService, OfferView};
use crate::DualReportingError;
use crate::models::CategoryKey;
use crate::ports::{CategoryRepository, MemberReportRepository, OfferRepository, UnitRepository};

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
    R: MemberReportRepository + crate::ports::TransferredMemberRepository,
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
        let places = names_of(&self.directory, &scopes).await?;
        let categories = category_names(
            &self.categories,
            listed
                .items
                .iter()
                .filter_map(|v| v.report.assignment.as_ref().map(|a| &a.category)),
        )
        .await?;
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

/// One line of the resource bank: an offer as the listing gives it (with its unit's name and
/// whether it is open today), and the names of its place (the unit's paired grid and its
/// community) and of its service category; `None` where there is none or it is not found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceBankEntry {
    pub view: OfferView,
    pub community: Option<String>,
    pub grid: Option<String>,
    pub category: Option<String>,
}

/// The resource bank (资源库): the offer listing, named for a reader or a spreadsheet.
pub struct ResourceBank<O, U, K, D, C> {
    offers: OfferService<O, U, K, C>,
    categories: K,
    directory: D,
}

impl<O, U, K, D, C> ResourceBank<O, U, K, D, C>
where
    O: OfferRepository,
    U: UnitRepository,
    K: CategoryRepository + Clone,
    D: ScopeDirectory,
    C: Clock,
{
    pub fn new(offers: O, units: U, categories: K, directory: D, clock: C) -> Self {
        Self {
            offers: OfferService::new(offers, units, categories.clone(), clock),
            categories,
            directory,
        }
    }

    /// One page of the resource bank: exactly the page [`OfferService::list`] gives (the
    /// same offers, the same rights), each with its names.
    pub async fn page(
        &self,
        actor: &Actor,
        query: OfferQuery,
        page: PageRequest,
    ) -> Result<Page<ResourceBankEntry>, DualReportingError> {
        let listed = self.offers.list(actor, query, page).await?;
        if listed.items.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next_after: listed.next_after,
            });
        }
        let mut scopes = HashSet::new();
        for view in &listed.items {
            let place = &view.offer.place;
            scopes.extend(place.community.map(Scope::Community));
            scopes.extend(place.grid.map(Scope::Grid));
        }
        let scopes: Vec<Scope> = scopes.into_iter().collect();
        let places = names_of(&self.directory, &scopes).await?;
        let categories = category_names(
            &self.categories,
            listed.items.iter().filter_map(|v| v.offer.category.as_ref()),
        )
        .await?;
        let items = listed
            .items
            .into_iter()
            .map(|view| {
                let place = &view.offer.place;
                ResourceBankEntry {
                    community: place
                        .community
                        .and_then(|c| places.get(&Scope::Community(c)).cloned()),
                    grid: place.grid.and_then(|g| places.get(&Scope::Grid(g)).cloned()),
                    category: view
                        .offer
                        .category
                        .as_ref()
                        .and_then(|c| categories.get(c).cloned()),
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

/// The names of the nodes among `scopes`, in one lookup per kind.
async fn names_of<D: ScopeDirectory>(
    directory: &D,
    scopes: &[Scope],
) -> Result<HashMap<Scope, String>, DualReportingError> {
    Ok(directory
        .describe_many(scopes)
        .await?
        .into_iter()
        .map(|node| (node.scope, node.name))
        .collect())
}

/// The dictionary's names, read only when some key needs one.
async fn category_names<'a, K: CategoryRepository>(
    categories: &K,
    mut keys: impl Iterator<Item = &'a CategoryKey>,
) -> Result<HashMap<CategoryKey, String>, DualReportingError> {
    if keys.next().is_none() {
        return Ok(HashMap::new());
    }
    Ok(categories
        .categories()
        .await?
        .into_iter()
        .map(|c| (c.key, c.name))
        .collect())
}
