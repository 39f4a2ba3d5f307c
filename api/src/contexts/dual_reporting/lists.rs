//! The three lists (三张清单): their services and API groups, built beside the rest of the
//! context so that its other parts need only one field and one entry for them.

use linli_dual_reporting::{NeedService, OfferService, ProjectService};
use linli_infra::db::Database;
use linli_kernel::ports::{Directory, SystemClock};

use super::{needs, offers, projects};

/// The lists' API groups.
pub type Apis = (offers::ResourceOffersApi, needs::NeedsApi, projects::ProjectsApi);

pub type Offers = OfferService<Database, Database, Database, SystemClock>;
pub type Needs = NeedService<Database, Database, Database, Database, Directory<Database>, SystemClock>;
pub type Projects = ProjectService<Database, Database, Database, Database, SystemClock>;

pub struct Lists {
    pub offers: Offers,
    pub needs: Needs,
    pub projects: Projects,
}

impl Lists {
    pub fn build(db: &Database, directory: &Directory<Database>) -> Self {
        Self {
            offers: OfferService::new(db.clone(), db.clone(), db.clone(), SystemClock),
            needs: NeedService::new(
                db.clone(),
                db.clone(),
                db.clone(),
                db.clone(),
                directory.clone(),
                SystemClock,
            ),
            projects: ProjectService::new(db.clone(), db.clone(), db.clone(), db.clone(), SystemClock),
        }
    }
}
