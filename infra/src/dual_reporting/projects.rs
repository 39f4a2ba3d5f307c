//! Projects, the shares of offers they take, their signatures and activities. Every write is
//! one transaction whose first statement is an UPDATE conditional on the state the use case
//! decided from: on PostgreSQL it locks the row (a concurrent writer waits, then finds the
//! condition false), on SQLite the write lock is taken at BEGIN. So of two concurrent changes
//! one writes and the other is told nothing moved; an offer's share is taken only while
//! enough is left, and a need only while open.

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use linli_dual_reporting::appraisal::Period;
use linli_dual_reporting::error::WriteError;
use linli_dual_reporting::ports::{ProjectFilter, ProjectRepository};
use linli_dual_reporting::{
    Activity, ActivityId, NeedId, NeedStatus, Party, Project, ProjectId, ProjectOffer, ProjectStatus,
    Quantity, ResourceOfferId, Signature,
};
use linli_kernel::{DomainEvent, Page, PageRequest, ScopePath, UnitId, UserId};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::entity::{need, project, project_activity, project_offer, project_signature, resource_offer};
use crate::db::query::{PathColumns, keyset_page, reach_condition};
use crate::db::{Database, insert_chunked, outbox, violated_unique};

fn storage(e: DbErr) -> WriteError {
    WriteError::Storage(e.into())
}

fn project_row(p: &Project) -> anyhow::Result<project::ActiveModel> {
    Ok(project::ActiveModel {
        id: Set(p.id.as_uuid()),
        need_id: Set(p.need_id.as_uuid()),
        subdistrict_id: Set(p
            .place
            .subdistrict
            .context("a project without a subdistrict")?
            .as_uuid()),
        community_id: Set(p.place.community.map(|c| c.as_uuid())),
        title: Set(p.title.clone()),
        description: Set(p.description.clone()),
        status: Set(p.status.as_str().to_owned()),
        activity_count: Set(i32::try_from(p.activity_count)?),
        beneficiary_count: Set(i64::try_from(p.beneficiary_count)?),
        created_by: Set(p.created_by.as_uuid()),
        created_at: Set(p.created_at),
        started_at: Set(p.started_at),
        finished_at: Set(p.finished_at),
        reason: Set(p.reason.clone()),
    })
}

fn share_row(project: ProjectId, share: &ProjectOffer) -> project_offer::ActiveModel {
    project_offer::ActiveModel {
        project_id: Set(project.as_uuid()),
        offer_id: Set(share.offer_id.as_uuid()),
        unit_id: Set(share.unit_id.as_uuid()),
        amount: Set(share.quantity.hundredths()),
        measure: Set(share.quantity.measure().to_owned()),
    }
}

fn signature_row(project: ProjectId, s: &Signature) -> project_signature::ActiveModel {
    project_signature::ActiveModel {
        project_id: Set(project.as_uuid()),
        party: Set(s.party.key()),
        unit_id: Set(match s.party {
            Party::Unit(unit) => Some(unit.as_uuid()),
            Party::Need => None,
        }),
        signed_by: Set(s.signed_by.as_uuid()),
        signed_at: Set(s.signed_at),
    }
}

fn to_project(
    row: project::Model,
    shares: &[project_offer::Model],
    signatures: &[project_signature::Model],
) -> anyhow::Result<Project> {
    let mut place = ScopePath::subdistrict(row.subdistrict_id.into());
    place.community = row.community_id.map(Into::into);
    let offers = shares
        .iter()
        .filter(|s| s.project_id == row.id)
        .map(|s| {
            Ok(ProjectOffer {
                offer_id: ResourceOfferId::from_uuid(s.offer_id),
                unit_id: s.unit_id.into(),
                quantity: Quantity::from_hundredths(s.amount, &s.measure)
                    .with_context(|| format!("project {} takes {} {}", row.id, s.amount, s.measure))?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let signatures = signatures
        .iter()
        .filter(|s| s.project_id == row.id)
        .map(|s| {
            Ok(Signature {
                party: Party::from_key(&s.party).ok_or_else(|| anyhow!("signature party `{}`", s.party))?,
                signed_by: UserId::from_uuid(s.signed_by),
                signed_at: s.signed_at,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Project {
        id: ProjectId::from_uuid(row.id),
        need_id: NeedId::from_uuid(row.need_id),
        place,
        status: ProjectStatus::parse("status", &row.status)?,
        offers,
        signatures,
        activity_count: u32::try_from(row.activity_count)?,
        beneficiary_count: u64::try_from(row.beneficiary_count)?,
        title: row.title,
        description: row.description,
        created_by: UserId::from_uuid(row.created_by),
        created_at: row.created_at,
        started_at: row.started_at,
        finished_at: row.finished_at,
        reason: row.reason,
    })
}

fn to_activity(row: project_activity::Model) -> anyhow::Result<Activity> {
    Ok(Activity {
        id: ActivityId::from_uuid(row.id),
        project_id: ProjectId::from_uuid(row.project_id),
        title: row.title,
        held_on: row.held_on,
        participants: u32::try_from(row.participants)?,
        beneficiaries: u32::try_from(row.beneficiaries)?,
        note: row.note,
        recorded_by: UserId::from_uuid(row.recorded_by),
        recorded_at: row.recorded_at,
    })
}

/// Projects some offer of one of `units` is in.
fn with_units(units: impl IntoIterator<Item = Uuid>) -> Condition {
    Condition::all().add(
        project::Column::Id.in_subquery(
            Query::select()
                .column(project_offer::Column::ProjectId)
                .from(project_offer::Entity)
                .and_where(project_offer::Column::UnitId.is_in(units))
                .to_owned(),
        ),
    )
}

fn listed(filter: &ProjectFilter) -> Condition {
    let mut visible = Condition::any().add(reach_condition(
        &filter.visible.reach,
        PathColumns {
            subdistrict: Some(project::Column::SubdistrictId),
            community: Some(project::Column::CommunityId),
            grid: None,
            building: None,
            side: None,
        },
    ));
    if !filter.visible.units.is_empty() {
        visible = visible.add(with_units(filter.visible.units.iter().map(|u| u.as_uuid())));
    }
    let mut all = Condition::all().add(visible);
    if let Some(status) = filter.status {
        all = all.add(project::Column::Status.eq(status.as_str()));
    }
    if let Some(need) = filter.need_id {
        all = all.add(project::Column::NeedId.eq(need.as_uuid()));
    }
    if let Some(unit) = filter.unit_id {
        all = all.add(with_units([unit.as_uuid()]));
    }
    all
}

/// The shares in the order of their offers' ids: every write locks offers in that one order,
/// so two projects sharing offers never wait on each other in a circle (a deadlock on
/// PostgreSQL).
fn by_offer(shares: &[ProjectOffer]) -> Vec<&ProjectOffer> {
    let mut sorted: Vec<&ProjectOffer> = shares.iter().collect();
    sorted.sort_by_key(|s| s.offer_id);
    sorted
}

/// Moves the need from `from` to `to`; whether it was in `from`.
async fn move_need(
    txn: &DatabaseTransaction,
    id: Uuid,
    from: NeedStatus,
    to: NeedStatus,
) -> Result<bool, DbErr> {
    let moved = need::Entity::update_many()
        .col_expr(need::Column::Status, Expr::value(to.as_str()))
        .filter(need::Column::Id.eq(id))
        .filter(need::Column::Status.eq(from.as_str()))
        .exec(txn)
        .await?;
    Ok(moved.rows_affected > 0)
}

impl Database {
    /// The projects of `rows`, with their shares and signatures (two queries for all).
    async fn assemble(&self, rows: Vec<project::Model>) -> anyhow::Result<Vec<Project>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let shares = project_offer::Entity::find()
            .filter(project_offer::Column::ProjectId.is_in(ids.clone()))
            .order_by_asc(project_offer::Column::OfferId)
            .all(&self.conn)
            .await?;
        let signatures = project_signature::Entity::find()
            .filter(project_signature::Column::ProjectId.is_in(ids))
            .order_by_asc(project_signature::Column::SignedAt)
            .all(&self.conn)
            .await?;
        rows.into_iter()
            .map(|row| to_project(row, &shares, &signatures))
            .collect()
    }

    /// The first half of a write: a transaction whose UPDATE of the project found it in
    /// `from` (with `set` applied), or `None` (rolled back) if it was not.
    async fn project_in(
        &self,
        id: ProjectId,
        from: ProjectStatus,
        set: impl FnOnce(sea_orm::UpdateMany<project::Entity>) -> sea_orm::UpdateMany<project::Entity>,
    ) -> Result<Option<DatabaseTransaction>, DbErr> {
        let txn = self.begin_write().await?;
        let update = project::Entity::update_many()
            .filter(project::Column::Id.eq(id.as_uuid()))
            .filter(project::Column::Status.eq(from.as_str()));
        let updated = set(update).exec(&txn).await?;
        if updated.rows_affected == 0 {
            txn.rollback().await?;
            return Ok(None);
        }
        Ok(Some(txn))
    }
}

/// What the three lists say of one unit over a year, for its indicators at the year-end
/// appraisal (`UnitRecordCounts`): projects with the unit's offers completed in the year,
/// and activities held in the year in projects with its offers (whatever became of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitProjectRecords {
    pub projects_completed: u32,
    pub activities_held: u32,
}

impl Database {
    /// The unit's [`UnitProjectRecords`] for `period` (district time).
    pub async fn unit_project_records(
        &self,
        unit: UnitId,
        period: Period,
    ) -> anyhow::Result<UnitProjectRecords> {
        let (start, end) = period.bounds();
        let projects_completed = project::Entity::find()
            .filter(with_units([unit.as_uuid()]))
            .filter(project::Column::Status.eq(ProjectStatus::Completed.as_str()))
            .filter(project::Column::FinishedAt.gte(start))
            .filter(project::Column::FinishedAt.lt(end))
            .count(&self.conn)
            .await?;
        let first = NaiveDate::from_ymd_opt(period.year(), 1, 1).context("a year without a first day")?;
        let last = NaiveDate::from_ymd_opt(period.year(), 12, 31).context("a year without a last day")?;
        let activities_held = project_activity::Entity::find()
            .filter(
                project_activity::Column::ProjectId.in_subquery(
                    Query::select()
                        .column(project_offer::Column::ProjectId)
                        .from(project_offer::Entity)
                        .and_where(project_offer::Column::UnitId.eq(unit.as_uuid()))
                        .to_owned(),
                ),
            )
            .filter(project_activity::Column::HeldOn.between(first, last))
            .count(&self.conn)
            .await?;
        Ok(UnitProjectRecords {
            projects_completed: u32::try_from(projects_completed)?,
            activities_held: u32::try_from(activities_held)?,
        })
    }
}

impl ProjectRepository for Database {
    async fn insert_project(&self, p: &Project, events: &[DomainEvent]) -> Result<(), WriteError> {
        let row = project_row(p)?;
        let txn = self.begin_write().await.map_err(storage)?;
        if !move_need(&txn, p.need_id.as_uuid(), NeedStatus::Open, NeedStatus::InProject)
            .await
            .map_err(storage)?
        {
            txn.rollback().await.map_err(storage)?;
            return Err(WriteError::NeedTaken);
        }
        for share in by_offer(&p.offers) {
            let amount = share.quantity.hundredths();
            let taken = resource_offer::Entity::update_many()
                .col_expr(
                    resource_offer::Column::Committed,
                    Expr::col(resource_offer::Column::Committed).add(amount),
                )
                .filter(resource_offer::Column::Id.eq(share.offer_id.as_uuid()))
                .filter(
                    Expr::col(resource_offer::Column::Committed)
                        .add(amount)
                        .lte(Expr::col(resource_offer::Column::Amount)),
                )
                .exec(&txn)
                .await
                .map_err(storage)?;
            if taken.rows_affected == 0 {
                txn.rollback().await.map_err(storage)?;
                return Err(WriteError::OfferShort(share.offer_id));
            }
        }
        let written = async {
            project::Entity::insert(row).exec_without_returning(&txn).await?;
            insert_chunked(&txn, p.offers.iter().map(|s| share_row(p.id, s)).collect()).await?;
            outbox::record(&txn, events).await
        }
        .await;
        if let Err(e) = written {
            txn.rollback().await.map_err(storage)?;
            return Err(match violated_unique(&e) {
                // Only reachable if a need's status were out of step with its projects.
                Some(index) if index == "projects_one_live" || index == "projects.need_id" => {
                    WriteError::NeedTaken
                }
                _ => storage(e),
            });
        }
        self.commit_with_events(txn).await.map_err(storage)
    }

    async fn find_project(&self, id: ProjectId) -> anyhow::Result<Option<Project>> {
        let Some(row) = project::Entity::find_by_id(id.as_uuid()).one(&self.conn).await? else {
            return Ok(None);
        };
        Ok(self.assemble(vec![row]).await?.pop())
    }

    async fn list_projects(
        &self,
        filter: &ProjectFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<Project>> {
        let select = project::Entity::find().filter(listed(filter));
        let rows = keyset_page(&self.conn, select, project::Column::Id, page, |r| r.id).await?;
        Ok(Page {
            items: self.assemble(rows.items).await?,
            next_after: rows.next_after,
        })
    }

    async fn add_signatures(
        &self,
        id: ProjectId,
        signatures: &[Signature],
        events: &[DomainEvent],
    ) -> Result<bool, WriteError> {
        // Setting the status to itself takes the row's lock, so a start waits for the
        // signatures and a signature for the start.
        let Some(txn) = self
            .project_in(id, ProjectStatus::Planned, |u| {
                u.col_expr(project::Column::Status, Expr::col(project::Column::Status))
            })
            .await
            .map_err(storage)?
        else {
            return Ok(false);
        };
        let written = async {
            insert_chunked(&txn, signatures.iter().map(|s| signature_row(id, s)).collect()).await?;
            outbox::record(&txn, events).await
        }
        .await;
        if let Err(e) = written {
            txn.rollback().await.map_err(storage)?;
            return Err(match violated_unique(&e) {
                Some(_) => WriteError::AlreadySigned,
                None => storage(e),
            });
        }
        self.commit_with_events(txn).await.map_err(storage)?;
        Ok(true)
    }

    async fn transition(
        &self,
        p: &Project,
        from: ProjectStatus,
        events: &[DomainEvent],
    ) -> anyhow::Result<bool> {
        let Some(txn) = self
            .project_in(p.id, from, |u| {
                u.col_expr(project::Column::Status, Expr::value(p.status.as_str()))
                    .col_expr(project::Column::StartedAt, Expr::value(p.started_at))
                    .col_expr(project::Column::FinishedAt, Expr::value(p.finished_at))
                    .col_expr(project::Column::Reason, Expr::value(p.reason.clone()))
            })
            .await?
        else {
            return Ok(false);
        };
        let need = p.need_id.as_uuid();
        match p.status {
            ProjectStatus::Cancelled => {
                for share in by_offer(&p.offers) {
                    resource_offer::Entity::update_many()
                        .col_expr(
                            resource_offer::Column::Committed,
                            Expr::col(resource_offer::Column::Committed).sub(share.quantity.hundredths()),
                        )
                        .filter(resource_offer::Column::Id.eq(share.offer_id.as_uuid()))
                        .exec(&txn)
                        .await?;
                }
                move_need(&txn, need, NeedStatus::InProject, NeedStatus::Open).await?;
            }
            ProjectStatus::Completed => {
                move_need(&txn, need, NeedStatus::InProject, NeedStatus::Met).await?;
            }
            ProjectStatus::Planned | ProjectStatus::Active => {}
        }
        outbox::record(&txn, events).await?;
        self.commit_with_events(txn).await?;
        Ok(true)
    }

    async fn insert_activity(&self, activity: &Activity, events: &[DomainEvent]) -> anyhow::Result<bool> {
        let Some(txn) = self
            .project_in(activity.project_id, ProjectStatus::Active, |u| {
                u.col_expr(
                    project::Column::ActivityCount,
                    Expr::col(project::Column::ActivityCount).add(1),
                )
                .col_expr(
                    project::Column::BeneficiaryCount,
                    Expr::col(project::Column::BeneficiaryCount).add(i64::from(activity.beneficiaries)),
                )
            })
            .await?
        else {
            return Ok(false);
        };
        let row = project_activity::ActiveModel {
            id: Set(activity.id.as_uuid()),
            project_id: Set(activity.project_id.as_uuid()),
            title: Set(activity.title.clone()),
            held_on: Set(activity.held_on),
            participants: Set(i32::try_from(activity.participants)?),
            beneficiaries: Set(i32::try_from(activity.beneficiaries)?),
            note: Set(activity.note.clone()),
            recorded_by: Set(activity.recorded_by.as_uuid()),
            recorded_at: Set(activity.recorded_at),
        };
        project_activity::Entity::insert(row)
            .exec_without_returning(&txn)
            .await?;
        outbox::record(&txn, events).await?;
        self.commit_with_events(txn).await?;
        Ok(true)
    }

    async fn list_activities(&self, id: ProjectId, page: PageRequest) -> anyhow::Result<Page<Activity>> {
        let select =
            project_activity::Entity::find().filter(project_activity::Column::ProjectId.eq(id.as_uuid()));
        let rows = keyset_page(&self.conn, select, project_activity::Column::Id, page, |r| r.id).await?;
        Ok(Page {
            items: rows
                .items
                .into_iter()
                .map(to_activity)
                .collect::<anyhow::Result<_>>()?,
            next_after: rows.next_after,
        })
    }
}
