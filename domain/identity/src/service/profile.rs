//! A user's own profile: `GET /me`, `PATCH /me`, the phone number, the residence.

use linli_kernel::ports::{Clock, ScopeDirectory, ScopeNode};
use linli_kernel::{Actor, BuildingId, RoleGrant, Scope};
use tracing::instrument;

use crate::appointments::Invitation;
use crate::events::IdentityEvent;
use crate::models::{Nickname, RealName, Residence, User, UserUpdate};
use crate::ports::{AppointmentRepository, RoleGrantRepository, UserRepository, WechatApi, WechatFailure};
use crate::{IdentityError, Resource};

/// A role the user holds, with the node it is held at (absent for scopes whose context is
/// not built yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleView {
    pub grant: RoleGrant,
    pub node: Option<ScopeNode>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeView {
    pub user: User,
    pub roles: Vec<RoleView>,
    pub residence: Option<ScopeNode>,
    /// Appointments waiting for the user's answer.
    pub invitations: Vec<PendingInvitation>,
}

/// An appointment waiting for the user's answer, with the node it is at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    pub invitation: Invitation,
    pub node: Option<ScopeNode>,
}

pub struct ProfileService<R, W, D, C> {
    repo: R,
    wechat: W,
    directory: D,
    clock: C,
}

impl<R, W, D, C> ProfileService<R, W, D, C>
where
    R: UserRepository + RoleGrantRepository + AppointmentRepository,
    W: WechatApi,
    D: ScopeDirectory,
    C: Clock,
{
    pub fn new(repo: R, wechat: W, directory: D, clock: C) -> Self {
        Self {
            repo,
            wechat,
            directory,
            clock,
        }
    }

    async fn current_user(&self, actor: &Actor) -> Result<User, IdentityError> {
        self.repo
            .find_user(actor.user_id())
            .await?
            .ok_or(IdentityError::NotFound(Resource::User))
    }

    #[instrument(skip_all, err)]
    pub async fn me(&self, actor: &Actor) -> Result<MeView, IdentityError> {
        let user = self.current_user(actor).await?;
        let grants = self.repo.grants_of(user.id).await?;
        let invitations = self.repo.open_invitations_of(user.id, self.clock.now()).await?;
        // One statement each for the user, the grants and the invitations, one for the names
        // of every place.
        let mut scopes: Vec<Scope> = grants.iter().map(RoleGrant::scope).collect();
        scopes.extend(invitations.iter().map(|i| i.scope));
        scopes.extend(user.residence.map(|r| Scope::Building(r.building)));
        let nodes = self.directory.describe_many(&scopes).await?;
        let node_of = |scope: Scope| nodes.iter().find(|n| n.scope == scope).cloned();
        let roles = grants
            .into_iter()
            .map(|grant| RoleView {
                node: node_of(grant.scope()),
                grant,
            })
            .collect();
        let residence = user.residence.and_then(|r| node_of(Scope::Building(r.building)));
        let invitations = invitations
            .into_iter()
            .map(|invitation| PendingInvitation {
                node: node_of(invitation.scope),
                invitation,
            })
            .collect();
        Ok(MeView {
            user,
            roles,
            residence,
            invitations,
        })
    }

    #[instrument(skip_all, err)]
    pub async fn update_profile(
        &self,
        actor: &Actor,
        nickname: Option<&str>,
        real_name: Option<&str>,
    ) -> Result<MeView, IdentityError> {
        let update = UserUpdate {
            nickname: nickname.map(Nickname::parse).transpose()?,
            real_name: real_name.map(RealName::parse).transpose()?,
            ..UserUpdate::default()
        };
        let user = self.current_user(actor).await?;
        let now = self.clock.now();
        let event = IdentityEvent::ProfileUpdated { user_id: user.id }.at(now);
        self.repo.update_user(user.id, &update, now, &[event]).await?;
        self.me(actor).await
    }

    /// Asks WeChat for the number behind a `getPhoneNumber` code and keeps it.
    #[instrument(skip_all, err)]
    pub async fn bind_phone(&self, actor: &Actor, code: &str) -> Result<MeView, IdentityError> {
        let code = code.trim();
        if code.is_empty() || code.len() > 256 {
            return Err(linli_kernel::ValidationError::new(
                "code",
                linli_kernel::Rule::WechatCode,
                "must be the code getPhoneNumber returned",
            )
            .into());
        }
        let phone = self
            .wechat
            .phone_number(code)
            .await
            .map_err(|failure| match failure {
                WechatFailure::InvalidCode => IdentityError::InvalidPhoneCode,
                other => other.into(),
            })?;
        let user = self.current_user(actor).await?;
        let now = self.clock.now();
        let event = IdentityEvent::PhoneBound { user_id: user.id }.at(now);
        let update = UserUpdate {
            phone: Some(phone),
            ..UserUpdate::default()
        };
        self.repo.update_user(user.id, &update, now, &[event]).await?;
        self.me(actor).await
    }

    /// Records the building the user lives in (usually scanned from its QR code).
    #[instrument(skip_all, err)]
    pub async fn set_residence(&self, actor: &Actor, building: BuildingId) -> Result<MeView, IdentityError> {
        let node = self
            .directory
            .describe(Scope::Building(building))
            .await?
            .ok_or(IdentityError::NotFound(Resource::Building))?;
        let user = self.current_user(actor).await?;
        let now = self.clock.now();
        let event = IdentityEvent::ResidenceChanged {
            user_id: user.id,
            building_id: building,
        }
        .at(now);
        let update = UserUpdate {
            residence: Some(Residence {
                building,
                path: node.path,
            }),
            ..UserUpdate::default()
        };
        self.repo.update_user(user.id, &update, now, &[event]).await?;
        self.me(actor).await
    }
}
