//! The three lists in memory, keeping the rules storage keeps: a need taken by one project,
//! an offer never taken beyond its quantity, a side signing once while planned, transitions
//! only from the state expected, activities only while active.

use chrono::NaiveDate;
use linli_kernel::testing::lock;
use linli_kernel::{DomainEvent, Page, PageRequest};

use super::InMemoryDualReporting;
use crate::error::WriteError;
use crate::lists::{
    Activity, Need, NeedId, NeedStatus, Project, ProjectId, ProjectStatus, ResourceOffer, ResourceOfferId,
    Signature,
};
use crate::ports::{
    NeedFilter, NeedRepository, OfferFilter, OfferRepository, ProjectFilter, ProjectRepository,
};

#[derive(Debug, Default)]
pub struct ListRows {
    pub offers: Vec<ResourceOffer>,
    pub needs: Vec<Need>,
    pub projects: Vec<Project>,
    pub activities: Vec<Activity>,
}

fn page_of<T: Clone>(rows: Vec<&T>, page: PageRequest, id: impl Fn(&T) -> uuid::Uuid) -> Page<T> {
    let rows: Vec<T> = rows
        .into_iter()
        .filter(|r| page.after().is_none_or(|after| id(r) > after))
        .take(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX))
        .cloned()
        .collect();
    Page::from_rows(rows, page, id)
}

impl InMemoryDualReporting {
    pub fn offer(&self, id: ResourceOfferId) -> Option<ResourceOffer> {
        lock(&self.0).lists.offers.iter().find(|o| o.id == id).cloned()
    }

    pub fn need(&self, id: NeedId) -> Option<Need> {
        lock(&self.0).lists.needs.iter().find(|n| n.id == id).cloned()
    }

    pub fn project(&self, id: ProjectId) -> Option<Project> {
        lock(&self.0).lists.projects.iter().find(|p| p.id == id).cloned()
    }

    /// Changes a stored project behind the services' back, as a concurrent request would.
    pub fn meddle_with_project(&self, id: ProjectId, change: impl FnOnce(&mut Project)) {
        if let Some(project) = lock(&self.0).lists.projects.iter_mut().find(|p| p.id == id) {
            change(project);
        }
    }
}

impl OfferRepository for InMemoryDualReporting {
    async fn insert_offer(&self, offer: &ResourceOffer, events: &[DomainEvent]) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        rows.lists.offers.push(offer.clone());
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn find_offer(&self, id: ResourceOfferId) -> anyhow::Result<Option<ResourceOffer>> {
        Ok(self.offer(id))
    }

    async fn find_offers(&self, ids: &[ResourceOfferId]) -> anyhow::Result<Vec<ResourceOffer>> {
        Ok(lock(&self.0)
            .lists
            .offers
            .iter()
            .filter(|o| ids.contains(&o.id))
            .cloned()
            .collect())
    }

    async fn list_offers(
        &self,
        filter: &OfferFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<ResourceOffer>> {
        let rows = lock(&self.0);
        let matching: Vec<&ResourceOffer> = rows
            .lists
            .offers
            .iter()
            .filter(|o| filter.visible.reach.covers(&o.place) || filter.visible.units.contains(&o.unit_id))
            .filter(|o| filter.unit_id.is_none_or(|u| o.unit_id == u))
            .filter(|o| filter.kind.is_none_or(|k| o.kind == k))
            .filter(|o| filter.open_on.is_none_or(|day| o.is_open(day)))
            .filter(|o| filter.validity.iter().all(|(v, day)| o.validity_on(*day) == *v))
            .collect();
        Ok(page_of(matching, page, |o| o.id.as_uuid()))
    }

    async fn open_offers(&self, day: NaiveDate) -> anyhow::Result<Vec<ResourceOffer>> {
        Ok(lock(&self.0)
            .lists
            .offers
            .iter()
            .filter(|o| o.is_open(day))
            .cloned()
            .collect())
    }
}

impl NeedRepository for InMemoryDualReporting {
    async fn insert_need(&self, need: &Need, events: &[DomainEvent]) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        rows.lists.needs.push(need.clone());
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn find_need(&self, id: NeedId) -> anyhow::Result<Option<Need>> {
        Ok(self.need(id))
    }

    async fn list_needs(&self, filter: &NeedFilter, page: PageRequest) -> anyhow::Result<Page<Need>> {
        let rows = lock(&self.0);
        let matching: Vec<&Need> = rows
            .lists
            .needs
            .iter()
            .filter(|n| filter.reach.covers(&n.place))
            .filter(|n| filter.status.is_none_or(|s| n.status == s))
            .filter(|n| filter.kind.is_none_or(|k| n.kind == k))
            .filter(|n| filter.urgency.is_none_or(|u| n.urgency == u))
            .collect();
        Ok(page_of(matching, page, |n| n.id.as_uuid()))
    }
}

impl ProjectRepository for InMemoryDualReporting {
    async fn insert_project(&self, project: &Project, events: &[DomainEvent]) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        let lists = &mut rows.lists;
        if !lists
            .needs
            .iter()
            .any(|n| n.id == project.need_id && n.status == NeedStatus::Open)
        {
            return Err(WriteError::NeedTaken);
        }
        for share in &project.offers {
            let left = lists
                .offers
                .iter()
                .find(|o| o.id == share.offer_id)
                .map_or(0, ResourceOffer::remaining);
            if share.quantity.hundredths() > left {
                return Err(WriteError::OfferShort(share.offer_id));
            }
        }
        for share in &project.offers {
            if let Some(offer) = lists.offers.iter_mut().find(|o| o.id == share.offer_id) {
                offer.committed += share.quantity.hundredths();
            }
        }
        if let Some(need) = lists.needs.iter_mut().find(|n| n.id == project.need_id) {
            need.status = NeedStatus::InProject;
        }
        lists.projects.push(project.clone());
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn find_project(&self, id: ProjectId) -> anyhow::Result<Option<Project>> {
        Ok(self.project(id))
    }

    async fn list_projects(
        &self,
        filter: &ProjectFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<Project>> {
        let rows = lock(&self.0);
        let matching: Vec<&Project> = rows
            .lists
            .projects
            .iter()
            .filter(|p| {
                filter.visible.reach.covers(&p.place)
                    || p.unit_ids().iter().any(|u| filter.visible.units.contains(u))
            })
            .filter(|p| filter.status.is_none_or(|s| p.status == s))
            .filter(|p| filter.need_id.is_none_or(|n| p.need_id == n))
            .filter(|p| filter.unit_id.is_none_or(|u| p.unit_ids().contains(&u)))
            .collect();
        Ok(page_of(matching, page, |p| p.id.as_uuid()))
    }

    async fn add_signatures(
        &self,
        project: ProjectId,
        signatures: &[Signature],
        events: &[DomainEvent],
    ) -> Result<bool, WriteError> {
        let mut rows = lock(&self.0);
        let Some(stored) = rows
            .lists
            .projects
            .iter_mut()
            .find(|p| p.id == project && p.status == ProjectStatus::Planned)
        else {
            return Ok(false);
        };
        if signatures.iter().any(|s| stored.has_signed(s.party)) {
            return Err(WriteError::AlreadySigned);
        }
        stored.signatures.extend_from_slice(signatures);
        rows.events.extend_from_slice(events);
        Ok(true)
    }

    async fn transition(
        &self,
        project: &Project,
        from: ProjectStatus,
        events: &[DomainEvent],
    ) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        let lists = &mut rows.lists;
        let Some(stored) = lists
            .projects
            .iter_mut()
            .find(|p| p.id == project.id && p.status == from)
        else {
            return Ok(false);
        };
        stored.status = project.status;
        stored.started_at = project.started_at;
        stored.finished_at = project.finished_at;
        stored.reason.clone_from(&project.reason);
        let need_status = match project.status {
            ProjectStatus::Cancelled => Some(NeedStatus::Open),
            ProjectStatus::Completed => Some(NeedStatus::Met),
            _ => None,
        };
        if project.status == ProjectStatus::Cancelled {
            for share in &project.offers {
                if let Some(offer) = lists.offers.iter_mut().find(|o| o.id == share.offer_id) {
                    offer.committed -= share.quantity.hundredths();
                }
            }
        }
        if let Some(status) = need_status
            && let Some(need) = lists.needs.iter_mut().find(|n| n.id == project.need_id)
        {
            need.status = status;
        }
        rows.events.extend_from_slice(events);
        Ok(true)
    }

    async fn insert_activity(&self, activity: &Activity, events: &[DomainEvent]) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        let lists = &mut rows.lists;
        let Some(project) = lists
            .projects
            .iter_mut()
            .find(|p| p.id == activity.project_id && p.status == ProjectStatus::Active)
        else {
            return Ok(false);
        };
        project.activity_count += 1;
        project.beneficiary_count += u64::from(activity.beneficiaries);
        lists.activities.push(activity.clone());
        rows.events.extend_from_slice(events);
        Ok(true)
    }

    async fn list_activities(&self, project: ProjectId, page: PageRequest) -> anyhow::Result<Page<Activity>> {
        let rows = lock(&self.0);
        let matching: Vec<&Activity> = rows
            .lists
            .activities
            .iter()
            .filter(|a| a.project_id == project)
            .collect();
        Ok(page_of(matching, page, |a| a.id.as_uuid()))
    }
}
