//! INTERIM, removed when wip-content and wip-uploads merge: stand-ins so this branch compiles.
#![allow(dead_code)]

use linli_kernel::UserId;
use linli_kernel::ports::{ContentCheck, ContentCheckError, ContentVerdict, Uploads};

#[derive(Clone, Default)]
pub struct ContentChecker;

impl ContentCheck for ContentChecker {
    async fn check(&self, _author: UserId, _texts: &[&str]) -> Result<ContentVerdict, ContentCheckError> {
        Ok(ContentVerdict::Pass)
    }
}

#[derive(Clone)]
pub struct Files;

impl Uploads for Files {
    async fn uploaded_by(&self, _owner: UserId, urls: &[String]) -> anyhow::Result<Vec<String>> {
        Ok(urls.to_vec())
    }
}
