//! Needs. Their status is moved by the projects' adapter, with the project that moves it.

use anyhow::Context;
use linli_dual_reporting::error::WriteError;
use linli_dual_reporting::ports::{NeedFilter, NeedRepository};
use linli_dual_reporting::{CategoryKey, Need, NeedId, NeedStatus, Quantity, ResourceKind, Urgency};
use linli_kernel::{DomainEvent, Page, PageRequest, ScopePath, UserId};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::entity::need;
use crate::db::query::{PathColumns, keyset_page, reach_condition};
use crate::db::{Database, outbox};

fn need_row(n: &Need) -> anyhow::Result<need::ActiveModel> {
    Ok(need::ActiveModel {
        id: Set(n.id.as_uuid()),
        subdistrict_id: Set(n
            .place
            .subdistrict
            .context("a need without a subdistrict")?
            .as_uuid()),
        community_id: Set(n.place.community.map(|c| c.as_uuid())),
        kind: Set(n.kind.as_str().to_owned()),
        category: Set(n.category.as_ref().map(|c| c.as_str().to_owned())),
        title: Set(n.title.clone()),
        description: Set(n.description.clone()),
        urgency: Set(n.urgency.as_str().to_owned()),
        amount: Set(n.quantity.hundredths()),
        measure: Set(n.quantity.measure().to_owned()),
        status: Set(n.status.as_str().to_owned()),
        posted_by: Set(n.posted_by.as_uuid()),
        created_at: Set(n.created_at),
    })
}

fn to_need(row: need::Model) -> anyhow::Result<Need> {
    let mut place = ScopePath::subdistrict(row.subdistrict_id.into());
    place.community = row.community_id.map(Into::into);
    Ok(Need {
        id: NeedId::from_uuid(row.id),
        place,
        kind: ResourceKind::parse("kind", &row.kind)?,
        category: row
            .category
            .as_deref()
            .map(|c| CategoryKey::parse("category", c))
            .transpose()?,
        urgency: Urgency::parse("urgency", &row.urgency)?,
        quantity: Quantity::from_hundredths(row.amount, &row.measure)
            .with_context(|| format!("need {} has quantity {} {}", row.id, row.amount, row.measure))?,
        status: NeedStatus::parse("status", &row.status)?,
        title: row.title,
        description: row.description,
        posted_by: UserId::from_uuid(row.posted_by),
        created_at: row.created_at,
    })
}

fn listed(filter: &NeedFilter) -> Condition {
    let mut all = Condition::all().add(reach_condition(
        &filter.reach,
        PathColumns {
            subdistrict: Some(need::Column::SubdistrictId),
            community: Some(need::Column::CommunityId),
            grid: None,
            building: None,
            side: None,
        },
    ));
    if let Some(status) = filter.status {
        all = all.add(need::Column::Status.eq(status.as_str()));
    }
    if let Some(kind) = filter.kind {
        all = all.add(need::Column::Kind.eq(kind.as_str()));
    }
    if let Some(urgency) = filter.urgency {
        all = all.add(need::Column::Urgency.eq(urgency.as_str()));
    }
    all
}

impl NeedRepository for Database {
    async fn insert_need(&self, n: &Need, events: &[DomainEvent]) -> Result<(), WriteError> {
        let row = need_row(n)?;
        let result = async {
            let txn = self.begin_write().await?;
            need::Entity::insert(row).exec_without_returning(&txn).await?;
            outbox::record(&txn, events).await?;
            self.commit_with_events(txn).await
        }
        .await;
        result.map_err(|e| WriteError::Storage(e.into()))
    }

    async fn find_need(&self, id: NeedId) -> anyhow::Result<Option<Need>> {
        need::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_need)
            .transpose()
    }

    async fn list_needs(&self, filter: &NeedFilter, page: PageRequest) -> anyhow::Result<Page<Need>> {
        let select = need::Entity::find().filter(listed(filter));
        let rows = keyset_page(&self.conn, select, need::Column::Id, page, |r| r.id).await?;
        Ok(Page {
            items: rows
                .items
                .into_iter()
                .map(to_need)
                .collect::<anyhow::Result<_>>()?,
            next_after: rows.next_after,
        })
    }
}
