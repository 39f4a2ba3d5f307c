//! Units stationed in the district and their reports to the paired grid.

use linli_kernel::ports::{Clock, ScopeDirectory};
use linli_kernel::text::checked_text;
use linli_kernel::{Actor, GridId, Page, PageRequest, Rule, Scope, UnitId, ValidationError};
use tracing::instrument;

use crate::events::{unit_created, unit_report_events};
use crate::models::{Unit, UnitKind, UnitReport, UnitReportId, UnitReportStatus};
use crate::ports::UnitRepository;
use crate::rights::{administers_unit, check_receives, keeps_district_records, sees_unit};
use crate::{DualReportingError, Resource};

/// A unit as the district admin registers it.
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub name: String,
    pub kind: String,
    pub party_organisation: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub roll_count: i64,
    pub grid_id: GridId,
}

/// The most Party members a unit may have on its rolls (the largest organs have a few
/// thousand).
pub const MAX_ROLL_COUNT: i64 = 100_000;

/// A unit as one viewer may see it: its contact and report only for its admins and the staff
/// over its grid; its name, kind and grid for everyone (a member picks their unit by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitView {
    pub unit: Unit,
    pub report: Option<UnitReport>,
    /// Whether contact, roll count and report were withheld from this viewer.
    pub restricted: bool,
}

pub struct UnitService<U, D, C> {
    units: U,
    directory: D,
    clock: C,
}

impl<U: UnitRepository, D: ScopeDirectory, C: Clock> UnitService<U, D, C> {
    pub fn new(units: U, directory: D, clock: C) -> Self {
        Self {
            units,
            directory,
            clock,
        }
    }

    #[instrument(skip_all, err)]
    pub async fn create(&self, actor: &Actor, new: NewUnit) -> Result<Unit, DualReportingError> {
        if !keeps_district_records(actor) {
            return Err(DualReportingError::Forbidden);
        }
        if !(0..=MAX_ROLL_COUNT).contains(&new.roll_count) {
            return Err(ValidationError::new("roll_count", Rule::Range, "out of range")
                .with("min", 0)
                .with("max", MAX_ROLL_COUNT)
                .into());
        }
        let name = checked_text("name", &new.name, 1, 64)?;
        let kind = UnitKind::parse("kind", &new.kind)?;
        let party_organisation = checked_text("party_organisation", &new.party_organisation, 1, 64)?;
        let contact_name = checked_text("contact_name", &new.contact_name, 1, 32)?;
        let contact_phone = checked_phone("contact_phone", &new.contact_phone)?;
        let grid = self
            .directory
            .describe(Scope::Grid(new.grid_id))
            .await?
            .ok_or(DualReportingError::NotFound(Resource::Grid))?;
        let unit = Unit {
            id: UnitId::new(),
            name,
            kind,
            party_organisation,
            contact_name,
            contact_phone,
            roll_count: u32::try_from(new.roll_count).unwrap_or(0),
            grid: grid.path,
            created_at: self.clock.now(),
        };
        self.units
            .insert_unit(&unit, &unit_created(&unit, unit.created_at))
            .await?;
        Ok(unit)
    }

    async fn unit(&self, id: UnitId) -> Result<Unit, DualReportingError> {
        self.units
            .find_unit(id)
            .await?
            .ok_or(DualReportingError::NotFound(Resource::Unit))
    }

    async fn view(&self, actor: &Actor, unit: Unit) -> Result<UnitView, DualReportingError> {
        if sees_unit(actor, &unit) {
            let report = self.units.unit_report_of(unit.id).await?;
            Ok(UnitView {
                unit,
                report,
                restricted: false,
            })
        } else {
            Ok(UnitView {
                unit,
                report: None,
                restricted: true,
            })
        }
    }

    pub async fn get(&self, actor: &Actor, id: UnitId) -> Result<UnitView, DualReportingError> {
        let unit = self.unit(id).await?;
        self.view(actor, unit).await
    }

    pub async fn list(&self, actor: &Actor, page: PageRequest) -> Result<Page<UnitView>, DualReportingError> {
        let units = self.units.list_units(page).await?;
        let mut items = Vec::with_capacity(units.items.len());
        for unit in units.items {
            items.push(self.view(actor, unit).await?);
        }
        Ok(Page {
            items,
            next_after: units.next_after,
        })
    }

    /// The unit admin files the unit's report (报到) to its paired grid; once only.
    #[instrument(skip_all, err)]
    pub async fn file_report(
        &self,
        actor: &Actor,
        unit_id: UnitId,
    ) -> Result<UnitReport, DualReportingError> {
        let unit = self.unit(unit_id).await?;
        if !administers_unit(actor, unit.id) {
            return Err(DualReportingError::Forbidden);
        }
        if self.units.unit_report_of(unit.id).await?.is_some() {
            return Err(DualReportingError::UnitAlreadyReported);
        }
        let now = self.clock.now();
        let report = UnitReport {
            id: UnitReportId::new(),
            unit_id: unit.id,
            grid: unit.grid,
            status: UnitReportStatus::Submitted,
            filed_by: actor.user_id(),
            filed_at: now,
            accepted_by: None,
            accepted_at: None,
        };
        self.units
            .insert_unit_report(&report, &unit_report_events(&report, now))
            .await?;
        Ok(report)
    }

    /// An administrator over the paired grid's community accepts the unit's report.
    #[instrument(skip_all, err)]
    pub async fn accept_report(
        &self,
        actor: &Actor,
        id: UnitReportId,
    ) -> Result<UnitReport, DualReportingError> {
        let stored = self
            .units
            .find_unit_report(id)
            .await?
            .ok_or(DualReportingError::NotFound(Resource::UnitReport))?;
        check_receives(actor, &stored.grid, Resource::UnitReport)?;
        if stored.status != UnitReportStatus::Submitted {
            return Err(DualReportingError::UnitReportState(stored.status));
        }
        let now = self.clock.now();
        let accepted = UnitReport {
            status: UnitReportStatus::Accepted,
            accepted_by: Some(actor.user_id()),
            accepted_at: Some(now),
            ..stored
        };
        if !self
            .units
            .accept_unit_report(&accepted, &unit_report_events(&accepted, now))
            .await?
        {
            return Err(DualReportingError::UnitReportState(UnitReportStatus::Accepted));
        }
        Ok(accepted)
    }
}

/// A mainland mobile number (11 digits starting with 1) or a landline with its area code
/// (digits and one `-`, 7 to 13 digits), as units give their contact.
fn checked_phone(field: &str, raw: &str) -> Result<String, ValidationError> {
    let phone = raw.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let dashes = phone.chars().filter(|c| *c == '-').count();
    let only_digits_and_dash = phone.chars().all(|c| c.is_ascii_digit() || c == '-');
    let mobile = digits == 11 && dashes == 0 && phone.starts_with('1');
    let landline =
        (7..=13).contains(&digits) && dashes <= 1 && !phone.starts_with('-') && !phone.ends_with('-');
    if only_digits_and_dash && (mobile || landline) {
        Ok(phone.to_owned())
    } else {
        Err(ValidationError::new(
            field,
            Rule::PhoneFormat,
            "not a phone number",
        ))
    }
}
