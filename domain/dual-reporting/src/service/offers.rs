//! Resource offers (资源清单): what units put at the communities' disposal.

use chrono::NaiveDate;
use linli_kernel::ports::Clock;
use linli_kernel::text::checked_text;
use linli_kernel::{Actor, Page, PageRequest, Rule, UnitId, ValidationError};
use tracing::instrument;

use crate::lists::{Quantity, ResourceKind, ResourceOffer, ResourceOfferId, Validity, district_today};
use crate::models::{CategoryKey, Unit};
use crate::ports::{CategoryRepository, ListReach, OfferFilter, OfferRepository, UnitRepository};
use crate::rights::{administered_units, administers_unit, keeps_district_records, list_reach, sees_listed};
use crate::{DualReportingError, Resource};

/// An offer as a unit's admin (or the district admin) makes it.
#[derive(Debug, Clone)]
pub struct NewOffer {
    pub unit_id: UnitId,
    pub kind: String,
    pub category: Option<String>,
    pub title: String,
    pub description: String,
    pub amount: f64,
    pub measure: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

/// An offer with what a reader needs beside it: the unit's name and whether it is open today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferView {
    pub offer: ResourceOffer,
    pub unit_name: String,
    pub open: bool,
}

/// The narrowing a listing asks for, inside what the viewer may see anyway.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfferQuery {
    pub unit_id: Option<UnitId>,
    pub kind: Option<ResourceKind>,
    /// Only the offers open today.
    pub open: bool,
    /// Only the offers valid on this day (the resource bank's validity).
    pub valid_on: Option<NaiveDate>,
    /// Only the offers whose period stands so today: begun and not ended (`Current`), not
    /// begun yet, or ended.
    pub validity: Option<Validity>,
}

/// Whether the actor sees the offer: the unit's admins, and whoever sees the lists at the
/// unit's place (its paired grid).
pub(crate) fn sees_offer(actor: &Actor, offer: &ResourceOffer) -> bool {
    administers_unit(actor, offer.unit_id) || sees_listed(actor, &offer.place)
}

/// The offers (and projects) a listing shows the actor.
pub(crate) fn list_visibility(actor: &Actor) -> ListReach {
    ListReach {
        reach: list_reach(actor),
        units: administered_units(actor),
    }
}

/// Names the units of `offers`, and says which are open on `today`.
pub(crate) async fn offer_views<U: UnitRepository>(
    units: &U,
    offers: Vec<ResourceOffer>,
    today: NaiveDate,
) -> Result<Vec<OfferView>, DualReportingError> {
    let mut ids: Vec<UnitId> = offers.iter().map(|o| o.unit_id).collect();
    ids.sort();
    ids.dedup();
    let named: Vec<Unit> = units.find_units(&ids).await?;
    Ok(offers
        .into_iter()
        .map(|offer| OfferView {
            unit_name: named
                .iter()
                .find(|u| u.id == offer.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            open: offer.is_open(today),
            offer,
        })
        .collect())
}

/// A category named by a form: a known key of the dictionary, or none.
pub(crate) async fn checked_category<K: CategoryRepository>(
    categories: &K,
    raw: Option<&str>,
) -> Result<Option<CategoryKey>, DualReportingError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let key = CategoryKey::parse("category", raw)?;
    if categories.find_category(&key).await?.is_none() {
        return Err(DualReportingError::UnknownCategory(key.to_string()));
    }
    Ok(Some(key))
}

pub struct OfferService<O, U, K, C> {
    offers: O,
    units: U,
    categories: K,
    clock: C,
}

impl<O, U, K, C> OfferService<O, U, K, C>
where
    O: OfferRepository,
    U: UnitRepository,
    K: CategoryRepository,
    C: Clock,
{
    pub fn new(offers: O, units: U, categories: K, clock: C) -> Self {
        Self {
            offers,
            units,
            categories,
            clock,
        }
    }

    /// Offers a resource in a unit's name: its admins, or the district admin (who enters
    /// the offers of units that have no admin in the system yet). The period must not have
    /// ended already.
    #[instrument(skip_all, err)]
    pub async fn create(&self, actor: &Actor, new: NewOffer) -> Result<OfferView, DualReportingError> {
        let unit = self
            .units
            .find_unit(new.unit_id)
            .await?
            .ok_or(DualReportingError::NotFound(Resource::Unit))?;
        if !administers_unit(actor, unit.id) && !keeps_district_records(actor) {
            return Err(DualReportingError::Forbidden);
        }
        let kind = ResourceKind::parse("kind", &new.kind)?;
        let title = checked_text("title", &new.title, 1, 64)?;
        let description = checked_text("description", &new.description, 0, 500)?;
        let quantity = Quantity::new(new.amount, &new.measure)?;
        let now = self.clock.now();
        let today = district_today(now);
        if new.valid_until < new.valid_from {
            return Err(
                ValidationError::new("valid_until", Rule::Range, "must not be before valid_from")
                    .with("min", new.valid_from)
                    .into(),
            );
        }
        if new.valid_until < today {
            return Err(
                ValidationError::new("valid_until", Rule::Range, "must not be in the past")
                    .with("min", today)
                    .into(),
            );
        }
        let category = checked_category(&self.categories, new.category.as_deref()).await?;
        let offer = ResourceOffer {
            id: ResourceOfferId::new(),
            unit_id: unit.id,
            place: unit.path(),
            kind,
            category,
            title,
            description,
            quantity,
            committed: 0,
            valid_from: new.valid_from,
            valid_until: new.valid_until,
            offered_by: actor.user_id(),
            created_at: now,
        };
        self.offers.insert_offer(&offer, &[]).await?;
        Ok(OfferView {
            open: offer.is_open(today),
            unit_name: unit.name,
            offer,
        })
    }

    /// An offer the actor sees; any other is not there.
    pub async fn get(&self, actor: &Actor, id: ResourceOfferId) -> Result<OfferView, DualReportingError> {
        let offer = self
            .offers
            .find_offer(id)
            .await?
            .filter(|o| sees_offer(actor, o))
            .ok_or(DualReportingError::NotFound(Resource::ResourceOffer))?;
        let today = district_today(self.clock.now());
        let mut views = offer_views(&self.units, vec![offer], today).await?;
        views
            .pop()
            .ok_or(DualReportingError::NotFound(Resource::ResourceOffer))
    }

    /// The offers the actor sees (at places where they see the lists, of units they
    /// administer), narrowed by `query`; oldest first.
    pub async fn list(
        &self,
        actor: &Actor,
        query: OfferQuery,
        page: PageRequest,
    ) -> Result<Page<OfferView>, DualReportingError> {
        let visible = list_visibility(actor);
        if visible.is_empty() {
            return Ok(Page::empty());
        }
        let today = district_today(self.clock.now());
        let filter = OfferFilter {
            visible,
            unit_id: query.unit_id,
            kind: query.kind,
            open_on: query.open.then_some(today),
            validity: query
                .valid_on
                .map(|day| (Validity::Current, day))
                .into_iter()
                .chain(query.validity.map(|v| (v, today)))
                .collect(),
        };
        let offers = self.offers.list_offers(&filter, page).await?;
        Ok(Page {
            items: offer_views(&self.units, offers.items, today).await?,
            next_after: offers.next_after,
        })
    }
}
