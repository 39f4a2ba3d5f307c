//! What the parts of the demo district share. Each context contributes its part (see
//! `contexts::load_demo`): the structure plans the places and posts, identity makes the
//! people who hold them.

use linli_kernel::UserId;
use linli_kernel::ports::BoxFuture;

/// Someone the demo names to a post, before they exist as a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPerson {
    pub openid: String,
    pub name: String,
    pub phone: String,
}

/// Makes (or finds, by openid) the user behind a demo person.
pub trait DemoPeople: Send {
    fn person<'a>(&'a mut self, who: &'a DemoPerson) -> BoxFuture<'a, anyhow::Result<UserId>>;
}
