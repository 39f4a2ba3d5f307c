//! INTERIM, removed when wip-content and wip-uploads merge: stand-ins so this branch compiles.
#![allow(dead_code)]

use linli_kernel::UserId;
use linli_kernel::ports::Uploads;

#[derive(Clone)]
pub struct Files;

impl Uploads for Files {
    async fn uploaded_by(&self, _owner: UserId, urls: &[String]) -> anyhow::Result<Vec<String>> {
        Ok(urls.to_vec())
    }
}
