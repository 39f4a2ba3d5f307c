//! Co-building projects (项目清单): a need matched with offers, signed by both sides, then run
//! to completion (or cancelled), with the activities held under it.
//!
//! The need's side (an administrator over the need's node) proposes a project, starts it
//! once every side has signed, and says when it is completed: the project serves them, so
//! they say when it is done. Each offering unit's admin signs for the unit; either side may
//! cancel, and either records the activities held. Every change is a write conditional on
//! the state it was decided from, so of two concurrent changes one wins and the other is
//! told the state it finds.

use chrono::NaiveDate;
use linli_kernel::ports::Clock;
use linli_kernel::text::checked_text;
use linli_kernel::{Actor, DomainEvent, Page, PageRequest, Permission, Rule, ValidationError};
use tracing::instrument;

use crate::events::project_status_changed;
use crate::lists::{
    Activity, ActivityId, Need, NeedId, NeedStatus, Party, Project, ProjectId, ProjectOffer, ProjectStatus,
    Quantity, ResourceOffer, ResourceOfferId, Signature, checked_people, district_today,
};
use crate::ports::{NeedRepository, OfferRepository, ProjectFilter, ProjectRepository, UnitRepository};
use crate::rights::{administers_unit, sees_listed};
use crate::service::offers::{OfferView, list_visibility, offer_views};
use crate::{DualReportingError, Resource};

/// What a project takes of one offer: `amount` in the offer's measure, or all that is left.
#[derive(Debug, Clone, Copy)]
pub struct NewShare {
    pub offer_id: ResourceOfferId,
    pub amount: Option<f64>,
}

/// A project as the need's side proposes it.
#[derive(Debug, Clone)]
pub struct NewProject {
    pub need_id: NeedId,
    pub title: String,
    pub description: String,
    pub offers: Vec<NewShare>,
}

/// An activity as either side records it.
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub title: String,
    pub held_on: NaiveDate,
    pub participants: i64,
    pub beneficiaries: i64,
    pub note: String,
}

/// The narrowing a listing asks for, inside what the viewer may see anyway.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProjectQuery {
    pub status: Option<ProjectStatus>,
    pub need_id: Option<NeedId>,
    pub unit_id: Option<linli_kernel::UnitId>,
}

/// A project with its need and offers as the viewer may read them, and what the viewer may
/// still sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectView {
    pub project: Project,
    pub need: Option<Need>,
    pub offers: Vec<OfferView>,
    /// The sides the viewer may sign for and has not: what `sign` would add.
    pub to_sign: Vec<Party>,
}

/// The most offers one project combines.
pub const MAX_SHARES: usize = 10;

/// Whether the actor speaks for the need's side: an administrator over the need's node.
fn need_side(actor: &Actor, project: &Project) -> bool {
    actor.can(Permission::ManageStructure, &project.place)
}

/// The sides the actor may sign for: the need's, and each offering unit they administer.
fn sides_of(actor: &Actor, project: &Project) -> Vec<Party> {
    project
        .parties()
        .into_iter()
        .filter(|party| match party {
            Party::Need => need_side(actor, project),
            Party::Unit(unit) => administers_unit(actor, *unit),
        })
        .collect()
}

/// Whether the actor sees the project: whoever sees the need's place, and the admins of the
/// offering units.
fn sees_project(actor: &Actor, project: &Project) -> bool {
    sees_listed(actor, &project.place) || project.unit_ids().iter().any(|u| administers_unit(actor, *u))
}

pub struct ProjectService<P, N, O, U, C> {
    projects: P,
    needs: N,
    offers: O,
    units: U,
    clock: C,
}

impl<P, N, O, U, C> ProjectService<P, N, O, U, C>
where
    P: ProjectRepository,
    N: NeedRepository,
    O: OfferRepository,
    U: UnitRepository,
    C: Clock,
{
    pub fn new(projects: P, needs: N, offers: O, units: U, clock: C) -> Self {
        Self {
            projects,
            needs,
            offers,
            units,
            clock,
        }
    }

    /// Proposes a project for an open need with open offers, planned and unsigned. The
    /// need's side proposes (the need is theirs); an offer is named by what matching showed
    /// them, wherever its unit is. The need and the offers' shares are taken at once, or not
    /// at all if another project took them first.
    #[instrument(skip_all, err)]
    pub async fn create(&self, actor: &Actor, new: NewProject) -> Result<ProjectView, DualReportingError> {
        let need = self
            .needs
            .find_need(new.need_id)
            .await?
            .filter(|n| sees_listed(actor, &n.place))
            .ok_or(DualReportingError::NotFound(Resource::Need))?;
        if !actor.can(Permission::ManageStructure, &need.place) {
            return Err(DualReportingError::Forbidden);
        }
        let title = checked_text("title", &new.title, 1, 64)?;
        let description = checked_text("description", &new.description, 0, 500)?;
        if new.offers.is_empty() || new.offers.len() > MAX_SHARES {
            return Err(
                ValidationError::new("offers", Rule::TooMany, "name 1 to 10 offers")
                    .with("max", MAX_SHARES)
                    .into(),
            );
        }
        for (i, share) in new.offers.iter().enumerate() {
            if new
                .offers
                .iter()
                .skip(i + 1)
                .any(|s| s.offer_id == share.offer_id)
            {
                return Err(
                    ValidationError::new("offers", Rule::Duplicate, "an offer is named twice")
                        .with("value", share.offer_id)
                        .into(),
                );
            }
        }
        if need.status != NeedStatus::Open {
            return Err(DualReportingError::NeedState(need.status));
        }
        let now = self.clock.now();
        let today = district_today(now);
        let ids: Vec<ResourceOfferId> = new.offers.iter().map(|s| s.offer_id).collect();
        let found = self.offers.find_offers(&ids).await?;
        let mut shares = Vec::with_capacity(new.offers.len());
        let mut offers = Vec::with_capacity(new.offers.len());
        for share in &new.offers {
            let offer = found
                .iter()
                .find(|o| o.id == share.offer_id)
                .ok_or(DualReportingError::NotFound(Resource::ResourceOffer))?;
            if !offer.is_open(today) {
                return Err(DualReportingError::OfferNotOpen(offer.id));
            }
            let quantity = match share.amount {
                Some(amount) => Quantity::new(amount, offer.quantity.measure())?,
                None => Quantity::from_hundredths(offer.remaining(), offer.quantity.measure())
                    .ok_or(DualReportingError::OfferNotOpen(offer.id))?,
            };
            if quantity.hundredths() > offer.remaining() {
                return Err(DualReportingError::OfferShort(offer.id));
            }
            shares.push(ProjectOffer {
                offer_id: offer.id,
                unit_id: offer.unit_id,
                quantity,
            });
            offers.push(offer.clone());
        }
        let project = Project {
            id: ProjectId::new(),
            need_id: need.id,
            place: need.place,
            title,
            description,
            status: ProjectStatus::Planned,
            offers: shares,
            signatures: Vec::new(),
            activity_count: 0,
            beneficiary_count: 0,
            created_by: actor.user_id(),
            created_at: now,
            started_at: None,
            finished_at: None,
            reason: None,
        };
        self.projects
            .insert_project(&project, &project_status_changed(&project, None, &offers, now))
            .await?;
        self.view(actor, project).await
    }

    async fn visible(&self, actor: &Actor, id: ProjectId) -> Result<Project, DualReportingError> {
        self.projects
            .find_project(id)
            .await?
            .filter(|p| sees_project(actor, p))
            .ok_or(DualReportingError::NotFound(Resource::Project))
    }

    async fn view(&self, actor: &Actor, project: Project) -> Result<ProjectView, DualReportingError> {
        let mut views = self.views(actor, vec![project]).await?;
        views.pop().ok_or(DualReportingError::NotFound(Resource::Project))
    }

    async fn views(
        &self,
        actor: &Actor,
        projects: Vec<Project>,
    ) -> Result<Vec<ProjectView>, DualReportingError> {
        let today = district_today(self.clock.now());
        let mut ids: Vec<ResourceOfferId> = projects
            .iter()
            .flat_map(|p| p.offers.iter().map(|o| o.offer_id))
            .collect();
        ids.sort();
        ids.dedup();
        let offers = offer_views(&self.units, self.offers.find_offers(&ids).await?, today).await?;
        let mut views = Vec::with_capacity(projects.len());
        for project in projects {
            // The need is the need side's record: an offering unit's admin reads the project
            // (title, description) but not the need's own entry.
            let need = if sees_listed(actor, &project.place) {
                self.needs.find_need(project.need_id).await?
            } else {
                None
            };
            let to_sign = if project.status == ProjectStatus::Planned {
                sides_of(actor, &project)
                    .into_iter()
                    .filter(|p| !project.has_signed(*p))
                    .collect()
            } else {
                Vec::new()
            };
            views.push(ProjectView {
                offers: project
                    .offers
                    .iter()
                    .filter_map(|share| offers.iter().find(|o| o.offer.id == share.offer_id).cloned())
                    .collect(),
                need,
                to_sign,
                project,
            });
        }
        Ok(views)
    }

    pub async fn get(&self, actor: &Actor, id: ProjectId) -> Result<ProjectView, DualReportingError> {
        let project = self.visible(actor, id).await?;
        self.view(actor, project).await
    }

    /// The projects the actor sees (by the need's place, or an offering unit they
    /// administer), narrowed by `query`; oldest first.
    pub async fn list(
        &self,
        actor: &Actor,
        query: ProjectQuery,
        page: PageRequest,
    ) -> Result<Page<ProjectView>, DualReportingError> {
        let visible = list_visibility(actor);
        if visible.is_empty() {
            return Ok(Page::empty());
        }
        let filter = ProjectFilter {
            visible,
            status: query.status,
            need_id: query.need_id,
            unit_id: query.unit_id,
        };
        let projects = self.projects.list_projects(&filter, page).await?;
        Ok(Page {
            items: self.views(actor, projects.items).await?,
            next_after: projects.next_after,
        })
    }

    /// Signs a planned project for every side the actor speaks for and that has not signed:
    /// the need's (an administrator over its node) and each offering unit they administer.
    #[instrument(skip_all, err)]
    pub async fn sign(&self, actor: &Actor, id: ProjectId) -> Result<ProjectView, DualReportingError> {
        let project = self.visible(actor, id).await?;
        let mine = sides_of(actor, &project);
        if mine.is_empty() {
            return Err(DualReportingError::Forbidden);
        }
        if project.status != ProjectStatus::Planned {
            return Err(DualReportingError::ProjectState(project.status));
        }
        let now = self.clock.now();
        let signatures: Vec<Signature> = mine
            .into_iter()
            .filter(|p| !project.has_signed(*p))
            .map(|party| Signature {
                party,
                signed_by: actor.user_id(),
                signed_at: now,
            })
            .collect();
        if signatures.is_empty() {
            return Err(DualReportingError::AlreadySigned);
        }
        if !self.projects.add_signatures(project.id, &signatures, &[]).await? {
            return Err(self.state_now(id, project.status).await?);
        }
        self.get(actor, id).await
    }

    /// Starts a planned project once every side has signed; the need's side.
    #[instrument(skip_all, err)]
    pub async fn start(&self, actor: &Actor, id: ProjectId) -> Result<ProjectView, DualReportingError> {
        let project = self.visible(actor, id).await?;
        if !need_side(actor, &project) {
            return Err(DualReportingError::Forbidden);
        }
        if project.status != ProjectStatus::Planned {
            return Err(DualReportingError::ProjectState(project.status));
        }
        let pending = project.pending();
        if !pending.is_empty() {
            return Err(DualReportingError::ProjectUnsigned(pending));
        }
        let now = self.clock.now();
        let next = Project {
            status: ProjectStatus::Active,
            started_at: Some(now),
            ..project
        };
        self.move_on(actor, next, ProjectStatus::Planned).await
    }

    /// Completes an active project; the need's side, whom it served.
    #[instrument(skip_all, err)]
    pub async fn complete(&self, actor: &Actor, id: ProjectId) -> Result<ProjectView, DualReportingError> {
        let project = self.visible(actor, id).await?;
        if !need_side(actor, &project) {
            return Err(DualReportingError::Forbidden);
        }
        if project.status != ProjectStatus::Active {
            return Err(DualReportingError::ProjectState(project.status));
        }
        let next = Project {
            status: ProjectStatus::Completed,
            finished_at: Some(self.clock.now()),
            ..project
        };
        self.move_on(actor, next, ProjectStatus::Active).await
    }

    /// Cancels a planned or active project, with a reason; either side. The offers get their
    /// shares back and the need is open again.
    #[instrument(skip_all, err)]
    pub async fn cancel(
        &self,
        actor: &Actor,
        id: ProjectId,
        reason: &str,
    ) -> Result<ProjectView, DualReportingError> {
        let project = self.visible(actor, id).await?;
        if sides_of(actor, &project).is_empty() {
            return Err(DualReportingError::Forbidden);
        }
        if !project.status.may_become(ProjectStatus::Cancelled) {
            return Err(DualReportingError::ProjectState(project.status));
        }
        let reason = checked_text("reason", reason, 1, 200)?;
        let from = project.status;
        let next = Project {
            status: ProjectStatus::Cancelled,
            finished_at: Some(self.clock.now()),
            reason: Some(reason),
            ..project
        };
        self.move_on(actor, next, from).await
    }

    /// Records an activity held under an active project; either side. It cannot be held in
    /// the future, nor before the project started.
    #[instrument(skip_all, err)]
    pub async fn record_activity(
        &self,
        actor: &Actor,
        id: ProjectId,
        new: NewActivity,
    ) -> Result<Activity, DualReportingError> {
        let project = self.visible(actor, id).await?;
        if sides_of(actor, &project).is_empty() {
            return Err(DualReportingError::Forbidden);
        }
        if project.status != ProjectStatus::Active {
            return Err(DualReportingError::ProjectState(project.status));
        }
        let title = checked_text("title", &new.title, 1, 64)?;
        let note = checked_text("note", &new.note, 0, 500)?;
        let participants = checked_people("participants", new.participants)?;
        let beneficiaries = checked_people("beneficiaries", new.beneficiaries)?;
        let now = self.clock.now();
        let today = district_today(now);
        let started = project.started_at.map_or(today, district_today);
        if new.held_on > today || new.held_on < started {
            return Err(ValidationError::new(
                "held_on",
                Rule::Range,
                "between the project's start and today",
            )
            .with("min", started)
            .with("max", today)
            .into());
        }
        let activity = Activity {
            id: ActivityId::new(),
            project_id: project.id,
            title,
            held_on: new.held_on,
            participants,
            beneficiaries,
            note,
            recorded_by: actor.user_id(),
            recorded_at: now,
        };
        if !self.projects.insert_activity(&activity, &[]).await? {
            return Err(self.state_now(id, project.status).await?);
        }
        Ok(activity)
    }

    /// The activities of a project the actor sees; oldest first.
    pub async fn activities(
        &self,
        actor: &Actor,
        id: ProjectId,
        page: PageRequest,
    ) -> Result<Page<Activity>, DualReportingError> {
        let project = self.visible(actor, id).await?;
        Ok(self.projects.list_activities(project.id, page).await?)
    }

    /// Writes `next` if the project is still `from`, announcing it to both sides'
    /// communities; otherwise says what it became meanwhile.
    async fn move_on(
        &self,
        actor: &Actor,
        next: Project,
        from: ProjectStatus,
    ) -> Result<ProjectView, DualReportingError> {
        let ids: Vec<ResourceOfferId> = next.offers.iter().map(|o| o.offer_id).collect();
        let offers: Vec<ResourceOffer> = self.offers.find_offers(&ids).await?;
        let at = next
            .finished_at
            .or(next.started_at)
            .unwrap_or_else(|| self.clock.now());
        let events: Vec<DomainEvent> = project_status_changed(&next, Some(from), &offers, at);
        if !self.projects.transition(&next, from, &events).await? {
            return Err(self.state_now(next.id, from).await?);
        }
        self.get(actor, next.id).await
    }

    /// The error for a conditional write that found the project changed: the state it is in.
    async fn state_now(
        &self,
        id: ProjectId,
        read: ProjectStatus,
    ) -> Result<DualReportingError, DualReportingError> {
        let now = self.projects.find_project(id).await?.map_or(read, |p| p.status);
        Ok(DualReportingError::ProjectState(now))
    }
}
