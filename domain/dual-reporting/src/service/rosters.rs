//! Units' rosters (名册): a unit admin uploads who is on the unit's rolls, so the unit sees by
//! name who has not yet reported. Entries are matched to member reports by phone: a report
//! naming the unit, filed by a user whose bound phone is the entry's.
//!
//! Who sees what:
//! - The unit's admins upload the roster and see it whole.
//! - Staff who see the unit's people (`ViewPersonalData` over the unit's node, i.e. over its
//!   paired grid: that grid's staff, its community's, subdistrict's and district's admins)
//!   may read the roster, to follow the report rate. An entry is whole to them only where
//!   their scope covers the person's place, the community of the person's matched report;
//!   otherwise it is masked (`王**`, `138****5678`). A person on a roster who has reported
//!   nowhere has only the unit as their place, and only the unit's admins see them whole.
//! - Anyone else is refused (403: units are no secret, their rosters are).

use std::collections::HashMap;

use linli_kernel::people::{mask_name, mask_phone};
use linli_kernel::ports::{Clock, ScopeDirectory};
use linli_kernel::{Actor, CommunityId, Page, PageRequest, Permission, Scope, UnitId};
use tracing::instrument;

use crate::events::roster_replaced;
use crate::models::{MemberReportId, ReportStatus, RosterEntryId, Unit};
use crate::ports::{RosterRepository, UnitRepository};
use crate::rights::{administers_unit, sees_unit};
use crate::roster::{
    DEFAULT_MAX_ROWS, Roster, RosterEntry, RosterLine, RosterStatus, RowErrors, parse_roster_csv,
};
use crate::{DualReportingError, Resource};

/// The report an entry is matched to, as the roster shows it: whether, where and in what
/// state the person reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterReport {
    /// The report itself, for a viewer who may open it (the unit's admins, staff over its
    /// community): `None` for anyone else, who is told only where and in what state.
    pub member_report_id: Option<MemberReportId>,
    pub community_id: Option<CommunityId>,
    /// The community's name, when the directory knows it.
    pub community_name: Option<String>,
    pub status: ReportStatus,
}

/// An entry as one viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntryView {
    /// With name and phone masked when `masked`.
    pub entry: RosterEntry,
    pub masked: bool,
    /// Whether the person has reported (an open report naming the unit).
    pub reported: bool,
    pub report: Option<RosterReport>,
}

/// A unit's roster as one viewer may see it: when and by how many it was last uploaded (`None`
/// before the first upload), and a page of its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterListing {
    pub roster: Option<Roster>,
    pub entries: Page<RosterEntryView>,
}

pub struct RosterService<R, U, D, C> {
    rosters: R,
    units: U,
    directory: D,
    clock: C,
    max_rows: usize,
}

impl<R, U, D, C> RosterService<R, U, D, C>
where
    R: RosterRepository,
    U: UnitRepository,
    D: ScopeDirectory,
    C: Clock,
{
    pub fn new(rosters: R, units: U, directory: D, clock: C) -> Self {
        Self {
            rosters,
            units,
            directory,
            clock,
            max_rows: DEFAULT_MAX_ROWS,
        }
    }

    /// The most rows a roster file may hold (`LINLI_IMPORT_MAX_ROWS`).
    pub fn with_max_rows(mut self, max_rows: usize) -> Self {
        self.max_rows = max_rows;
        self
    }

    async fn unit(&self, id: UnitId) -> Result<Unit, DualReportingError> {
        self.units
            .find_unit(id)
            .await?
            .ok_or(DualReportingError::NotFound(Resource::Unit))
    }

    /// Whether the actor may upload the unit's roster (its admins only): asked before the
    /// file is read, so that a refused caller costs nothing.
    pub async fn check_upload(&self, actor: &Actor, unit_id: UnitId) -> Result<Unit, DualReportingError> {
        let unit = self.unit(unit_id).await?;
        if administers_unit(actor, unit.id) {
            Ok(unit)
        } else {
            Err(DualReportingError::Forbidden)
        }
    }

    /// Replaces the unit's roster with the file's people, all or nothing: a file with any bad
    /// line stores nothing and answers every bad line (the first hundred, and the count).
    #[instrument(skip_all, err)]
    pub async fn replace(
        &self,
        actor: &Actor,
        unit_id: UnitId,
        csv: &str,
    ) -> Result<Roster, DualReportingError> {
        let unit = self.check_upload(actor, unit_id).await?;
        let mut errors = RowErrors::default();
        let rows = parse_roster_csv(csv, self.max_rows, &mut errors)?;
        if !errors.is_empty() {
            return Err(errors.into_error());
        }
        let entries: Vec<RosterEntry> = rows
            .into_iter()
            .map(|row| RosterEntry {
                id: RosterEntryId::new(),
                unit_id: unit.id,
                line: u32::try_from(row.line).unwrap_or(u32::MAX),
                name: row.name,
                phone: row.phone,
            })
            .collect();
        let roster = Roster {
            unit_id: unit.id,
            entries: u32::try_from(entries.len()).unwrap_or(u32::MAX),
            uploaded_by: actor.user_id(),
            uploaded_at: self.clock.now(),
        };
        self.rosters
            .replace_roster(&roster, &entries, &roster_replaced(&unit, &roster))
            .await?;
        Ok(roster)
    }

    /// The unit's roster, a page at a time in the order of the file, each entry with whether
    /// and where the person reported; `status` keeps those who have (or have not) reported.
    pub async fn list(
        &self,
        actor: &Actor,
        unit_id: UnitId,
        status: Option<RosterStatus>,
        page: PageRequest,
    ) -> Result<RosterListing, DualReportingError> {
        let unit = self.unit(unit_id).await?;
        if !sees_unit(actor, &unit) {
            return Err(DualReportingError::Forbidden);
        }
        let roster = self.rosters.roster_of(unit.id).await?;
        let lines = self.rosters.list_roster(unit.id, status, page).await?;
        let names = self.community_names(&lines.items).await?;
        let admin = administers_unit(actor, unit.id);
        let items = lines
            .items
            .into_iter()
            .map(|line| view(actor, admin, &names, line))
            .collect();
        Ok(RosterListing {
            roster,
            entries: Page {
                items,
                next_after: lines.next_after,
            },
        })
    }

    async fn community_names(
        &self,
        lines: &[RosterLine],
    ) -> Result<HashMap<CommunityId, String>, DualReportingError> {
        let mut scopes: Vec<Scope> = lines
            .iter()
            .filter_map(|l| l.report.as_ref()?.community_id())
            .map(Scope::Community)
            .collect();
        scopes.sort_by_key(|s| s.id());
        scopes.dedup();
        if scopes.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(self
            .directory
            .describe_many(&scopes)
            .await?
            .into_iter()
            .filter_map(|node| Some((node.path.community?, node.name)))
            .collect())
    }
}

/// One line as `actor` may see it: whole for the unit's admins and for staff over the
/// community of the person's report; masked for anyone else.
fn view(
    actor: &Actor,
    admin: bool,
    names: &HashMap<CommunityId, String>,
    line: RosterLine,
) -> RosterEntryView {
    let reported = line.reported();
    let RosterLine { mut entry, report } = line;
    let whole = admin
        || report
            .as_ref()
            .is_some_and(|r| actor.can(Permission::ViewPersonalData, &r.place));
    if !whole {
        entry.name = mask_name(&entry.name);
        entry.phone = mask_phone(&entry.phone);
    }
    RosterEntryView {
        entry,
        masked: !whole,
        reported,
        report: report.map(|r| RosterReport {
            member_report_id: whole.then_some(r.id),
            community_id: r.community_id(),
            community_name: r.community_id().and_then(|c| names.get(&c).cloned()),
            status: r.status,
        }),
    }
}
