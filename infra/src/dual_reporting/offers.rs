//! Resource offers. What projects take of an offer is written by the projects' adapter, as
//! a conditional UPDATE of `committed`.

use anyhow::Context;
use chrono::NaiveDate;
use linli_dual_reporting::error::WriteError;
use linli_dual_reporting::ports::{OfferFilter, OfferRepository};
use linli_dual_reporting::{CategoryKey, Quantity, ResourceKind, ResourceOffer, ResourceOfferId, Validity};
use linli_kernel::{DomainEvent, Page, PageRequest, ScopePath, SideKind, UserId};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::entity::resource_offer;
use crate::db::query::{PathColumns, keyset_page, reach_condition};
use crate::db::{Database, outbox};

fn offer_row(o: &ResourceOffer) -> anyhow::Result<resource_offer::ActiveModel> {
    Ok(resource_offer::ActiveModel {
        id: Set(o.id.as_uuid()),
        unit_id: Set(o.unit_id.as_uuid()),
        subdistrict_id: Set(o
            .place
            .subdistrict
            .context("an offer without a subdistrict")?
            .as_uuid()),
        community_id: Set(o
            .place
            .community
            .context("an offer without a community")?
            .as_uuid()),
        grid_id: Set(o.place.grid.context("an offer without a grid")?.as_uuid()),
        kind: Set(o.kind.as_str().to_owned()),
        category: Set(o.category.as_ref().map(|c| c.as_str().to_owned())),
        title: Set(o.title.clone()),
        description: Set(o.description.clone()),
        amount: Set(o.quantity.hundredths()),
        measure: Set(o.quantity.measure().to_owned()),
        committed: Set(o.committed),
        valid_from: Set(o.valid_from),
        valid_until: Set(o.valid_until),
        offered_by: Set(o.offered_by.as_uuid()),
        created_at: Set(o.created_at),
    })
}

pub(super) fn to_offer(row: resource_offer::Model) -> anyhow::Result<ResourceOffer> {
    let place = ScopePath::grid(
        row.subdistrict_id.into(),
        row.community_id.into(),
        row.grid_id.into(),
    )
    .with_side(SideKind::UNIT, row.unit_id);
    Ok(ResourceOffer {
        id: ResourceOfferId::from_uuid(row.id),
        unit_id: row.unit_id.into(),
        place,
        kind: ResourceKind::parse("kind", &row.kind)?,
        category: row
            .category
            .as_deref()
            .map(|c| CategoryKey::parse("category", c))
            .transpose()?,
        quantity: Quantity::from_hundredths(row.amount, &row.measure)
            .with_context(|| format!("offer {} has quantity {} {}", row.id, row.amount, row.measure))?,
        title: row.title,
        description: row.description,
        committed: row.committed,
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        offered_by: UserId::from_uuid(row.offered_by),
        created_at: row.created_at,
    })
}

/// Open on `day`: inside the period, and something left.
fn open_on(day: NaiveDate) -> Condition {
    Condition::all()
        .add(resource_offer::Column::ValidFrom.lte(day))
        .add(resource_offer::Column::ValidUntil.gte(day))
        .add(Expr::col(resource_offer::Column::Committed).lt(Expr::col(resource_offer::Column::Amount)))
}

fn listed(filter: &OfferFilter) -> Condition {
    let mut visible = Condition::any().add(reach_condition(
        &filter.visible.reach,
        PathColumns {
            subdistrict: Some(resource_offer::Column::SubdistrictId),
            community: Some(resource_offer::Column::CommunityId),
            grid: Some(resource_offer::Column::GridId),
            building: None,
            side: None,
        },
    ));
    if !filter.visible.units.is_empty() {
        visible = visible
            .add(resource_offer::Column::UnitId.is_in(filter.visible.units.iter().map(|u| u.as_uuid())));
    }
    let mut all = Condition::all().add(visible);
    if let Some(unit) = filter.unit_id {
        all = all.add(resource_offer::Column::UnitId.eq(unit.as_uuid()));
    }
    if let Some(kind) = filter.kind {
        all = all.add(resource_offer::Column::Kind.eq(kind.as_str()));
    }
    if let Some(day) = filter.open_on {
        all = all.add(open_on(day));
    }
    for (validity, day) in &filter.validity {
        all = all.add(match validity {
            Validity::Upcoming => Condition::all().add(resource_offer::Column::ValidFrom.gt(*day)),
            Validity::Current => Condition::all()
                .add(resource_offer::Column::ValidFrom.lte(*day))
                .add(resource_offer::Column::ValidUntil.gte(*day)),
            Validity::Expired => Condition::all().add(resource_offer::Column::ValidUntil.lt(*day)),
        });
    }
    all
}

impl OfferRepository for Database {
    async fn insert_offer(&self, offer: &ResourceOffer, events: &[DomainEvent]) -> Result<(), WriteError> {
        let row = offer_row(offer)?;
        let result = async {
            let txn = self.begin_write().await?;
            resource_offer::Entity::insert(row)
                .exec_without_returning(&txn)
                .await?;
            outbox::record(&txn, events).await?;
            self.commit_with_events(txn).await
        }
        .await;
        result.map_err(|e| WriteError::Storage(e.into()))
    }

    async fn find_offer(&self, id: ResourceOfferId) -> anyhow::Result<Option<ResourceOffer>> {
        resource_offer::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_offer)
            .transpose()
    }

    async fn find_offers(&self, ids: &[ResourceOfferId]) -> anyhow::Result<Vec<ResourceOffer>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        resource_offer::Entity::find()
            .filter(resource_offer::Column::Id.is_in(ids.iter().map(ResourceOfferId::as_uuid)))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_offer)
            .collect()
    }

    async fn list_offers(
        &self,
        filter: &OfferFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<ResourceOffer>> {
        let select = resource_offer::Entity::find().filter(listed(filter));
        let rows = keyset_page(&self.conn, select, resource_offer::Column::Id, page, |r| r.id).await?;
        Ok(Page {
            items: rows
                .items
                .into_iter()
                .map(to_offer)
                .collect::<anyhow::Result<_>>()?,
            next_after: rows.next_after,
        })
    }

    async fn open_offers(&self, day: NaiveDate) -> anyhow::Result<Vec<ResourceOffer>> {
        resource_offer::Entity::find()
            .filter(open_on(day))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_offer)
            .collect()
    }
}
