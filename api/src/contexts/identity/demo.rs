//! Identity's part of the demo district: the people, made through the same adapter as users
//! who log in (someone who logged in before keeps their row and id). Writing a profile
//! records no event here on purpose: nobody is subscribed to a user who does not exist yet.

use chrono::Utc;
use linli_identity::ports::UserRepository;
use linli_identity::{Nickname, OpenId, PhoneNumber, RealName, UserUpdate};
use linli_infra::db::Database;
use linli_kernel::UserId;
use linli_kernel::ports::BoxFuture;

use crate::demo::{DemoPeople, DemoPerson};

pub struct Registrar(pub Database);

impl DemoPeople for Registrar {
    fn person<'a>(&'a mut self, who: &'a DemoPerson) -> BoxFuture<'a, anyhow::Result<UserId>> {
        Box::pin(async move {
            let now = Utc::now();
            let user = self
                .0
                .upsert_by_openid(&OpenId::parse(&who.openid)?, None, now)
                .await?;
            let update = UserUpdate {
                // Not the real name: nicknames are stored in clear, real names sealed.
                nickname: Some(Nickname::parse(&nickname_of(&who.name))?),
                real_name: Some(RealName::parse(&who.name)?),
                phone: Some(PhoneNumber::parse(&who.phone)?),
                residence: None,
                ..UserUpdate::default()
            };
            self.0.update_user(user.id, &update, now, &[]).await?;
            Ok(user.id)
        })
    }
}

/// `老王` for 王明: what neighbours would call them.
fn nickname_of(name: &str) -> String {
    let surname: String = name.chars().take(1).collect();
    format!("老{surname}")
}
