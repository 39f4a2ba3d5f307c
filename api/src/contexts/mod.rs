//! The contexts this API serves. Adding one means adding its folder beside these and one
//! line in each of: the `mod` list, [`Contexts`] and its `build`, [`Apis`], `attach`, and
//! (if it has one) `load_demo`.

pub mod dual_reporting;
pub mod grid;
pub mod identity;
pub mod resident_requests;
pub mod uploads;

use linli_identity::AuthSettings;
use linli_infra::content::ContentChecker;
use linli_infra::db::Database;
use linli_infra::identity::tokens::JwtTokens;
use linli_infra::wechat::WechatClient;
use std::sync::Arc;

use linli_kernel::events::{TopicPolicies, topics};
use linli_kernel::ports::Directory;
use poem::{Endpoint, EndpointExt};
use poem_openapi::Union;

/// Every context's API groups, nested so that their number never meets poem-openapi's
/// limit on tuple length.
pub type Apis = (
    identity::Apis,
    grid::Apis,
    dual_reporting::Apis,
    resident_requests::Apis,
    uploads::Apis,
);

/// The data of every context's events, for the spec's WebSocket frames.
#[derive(Union, Debug)]
#[oai(one_of)]
pub enum EventData {
    Identity(identity::events::IdentityEventData),
    Grid(grid::events::StructureEventData),
    DualReporting(dual_reporting::events::DualReportingEventData),
    ResidentRequests(resident_requests::events::RequestEventData),
}

/// Who may read each context's topics.
pub fn topic_policies(db: &Database) -> TopicPolicies {
    TopicPolicies::default()
        .with(Arc::new(topics::OwnChannel))
        .with(Arc::new(linli_grid::topics::StructureTopics::new(db.clone())))
        .with(Arc::new(linli_dual_reporting::topics::ReportTopics::new(
            directory(db),
        )))
        .with(Arc::new(linli_resident_requests::topics::RequestTopics::new(
            db.clone(),
            directory(db),
        )))
}

/// What the contexts need from the shared adapters.
pub struct Foundation<'a> {
    pub db: &'a Database,
    pub wechat: &'a WechatClient,
    /// Checks what people publish (`linli_kernel::ports::ContentCheck`): WeChat's
    /// `msg_sec_check`, or the dev word lists without a WeChat app id. Clone it into a
    /// context's services.
    pub content: &'a ContentChecker,
    pub tokens: &'a JwtTokens,
    pub auth: AuthSettings,
    /// Rows a CSV import may hold (a grid file, a unit's roster).
    pub import_max_rows: usize,
    /// Where uploaded files go, and their size limit.
    pub uploads: uploads::UploadSettings,
}

/// Each context's services, as its handlers reach them.
#[derive(Clone)]
pub struct Contexts {
    pub identity: identity::Identity,
    pub grid: grid::Structure,
    pub dual_reporting: dual_reporting::DualReporting,
    pub resident_requests: resident_requests::ResidentRequests,
    pub uploads: uploads::Files,
}

/// The scope directory: the tree (the grid context) and every side kind a context registers.
pub fn directory(db: &Database) -> Directory<Database> {
    Directory::new(db.clone()).with_side(Arc::new(linli_infra::dual_reporting::UnitDirectory::new(
        db.clone(),
    )))
}

impl Contexts {
    pub fn build(foundation: Foundation<'_>) -> Self {
        let directory = directory(foundation.db);
        Self {
            identity: identity::Identity::build(
                foundation.db,
                foundation.wechat,
                foundation.tokens,
                &directory,
                foundation.auth,
            ),
            grid: grid::Structure::build(foundation.db, foundation.import_max_rows),
            dual_reporting: dual_reporting::DualReporting::build(
                foundation.db,
                &directory,
                foundation.import_max_rows,
            ),
            resident_requests: resident_requests::ResidentRequests::build(resident_requests::Ports::new(
                foundation.db,
                &directory,
                foundation.content,
            )),
            uploads: uploads::Files::build(foundation.db, &foundation.uploads),
        }
    }

    /// Gives every request its contexts' data.
    pub fn attach<E: Endpoint>(&self, endpoint: E) -> impl Endpoint + use<E> {
        endpoint
            .data(self.identity.clone())
            .data(self.grid.clone())
            .data(self.dual_reporting.clone())
            .data(self.resident_requests.clone())
            .data(self.uploads.clone())
    }
}

/// Loads the demo district unless it is there already: returns whether it loaded. Each
/// context writes its part through its own adapters.
pub async fn load_demo(db: &Database) -> anyhow::Result<bool> {
    let mut people = identity::demo::Registrar(db.clone());
    let now = chrono::Utc::now();
    let started = std::time::Instant::now();
    let structure = grid::demo::load(db, db, &mut people, now).await?;
    let structure_ms = started.elapsed().as_millis();
    // Dual reporting's units, members and lists sit on the structure's grids.
    let dual_reporting = dual_reporting::demo::load(db, now).await?;
    tracing::info!(
        structure,
        dual_reporting,
        structure_ms,
        dual_reporting_ms = started.elapsed().as_millis() - structure_ms,
        "demo district"
    );
    Ok(structure || dual_reporting)
}
