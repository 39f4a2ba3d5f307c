//! A small district to test scopes against: one subdistrict, two communities side by side,
//! each with grids, a building, staff and a resident with a phone number.

use linli_kernel::{Role, Scope};
use serde_json::json;
use uuid::Uuid;

use crate::{Session, TestApp};

pub struct Community {
    pub id: Uuid,
    pub name: String,
    pub grids: Vec<Uuid>,
    pub building: Uuid,
    pub admin: Session,
    pub worker: Session,
    /// A person living here, with real name and phone.
    pub resident: Session,
    pub resident_phone: String,
    pub resident_name: String,
}

pub struct World {
    pub district_admin: Session,
    pub subdistrict: Uuid,
    pub a: Community,
    pub b: Community,
}

impl TestApp {
    pub async fn create_subdistrict(&self, admin: &Session, name: &str) -> Uuid {
        let reply = self
            .post("/api/v1/subdistricts", &admin.token, json!({ "name": name }))
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.id()
    }

    pub async fn create_community(&self, admin: &Session, subdistrict: Uuid, name: &str) -> Uuid {
        let reply = self
            .post(
                "/api/v1/communities",
                &admin.token,
                json!({ "subdistrict_id": subdistrict, "name": name }),
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.id()
    }

    pub async fn create_grid(
        &self,
        admin: &Session,
        community: Uuid,
        name: &str,
        kind: &str,
        households: i64,
    ) -> Uuid {
        let reply = self
            .post(
                "/api/v1/grids",
                &admin.token,
                json!({ "community_id": community, "name": name, "kind": kind, "households": households }),
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.id()
    }

    pub async fn create_building(&self, admin: &Session, grid: Uuid, name: &str) -> Uuid {
        let reply = self
            .post(
                "/api/v1/buildings",
                &admin.token,
                json!({ "grid_id": grid, "name": name, "stairwells": ["1单元", "2单元"] }),
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.id()
    }

    /// A resident of `building` who shared a phone number and gave a real name.
    pub async fn resident_of(&self, building: Uuid, real_name: &str, phone: &str) -> Session {
        let person = self.resident().await;
        let code = format!("phone-{}", Uuid::new_v4().simple());
        self.wechat.accept_phone(&code, phone);
        assert_eq!(
            self.post("/api/v1/me/phone", &person.token, json!({ "code": code }))
                .await
                .status,
            200
        );
        assert_eq!(
            self.patch("/api/v1/me", &person.token, json!({ "real_name": real_name }))
                .await
                .status,
            200
        );
        let reply = self
            .put(
                "/api/v1/me/residence",
                &person.token,
                json!({ "building_id": building }),
            )
            .await;
        assert_eq!(reply.status, 200, "{reply:?}");
        person
    }

    async fn community(
        &self,
        admin: &Session,
        subdistrict: Uuid,
        name: &str,
        phone: &str,
        person: &str,
    ) -> Community {
        let id = self.create_community(admin, subdistrict, name).await;
        let grid_one = self
            .create_grid(admin, id, &format!("{name}一网格"), "residential", 400)
            .await;
        let grid_two = self
            .create_grid(admin, id, &format!("{name}二网格"), "residential", 350)
            .await;
        let building = self
            .create_building(admin, grid_one, &format!("{name}1号楼"))
            .await;
        let community_admin = self
            .staff(Role::CommunityAdmin, Scope::Community(id.into()))
            .await;
        let worker = self.staff(Role::GridWorker, Scope::Grid(grid_one.into())).await;
        let resident = self.resident_of(building, person, phone).await;
        Community {
            id,
            name: name.to_owned(),
            grids: vec![grid_one, grid_two],
            building,
            admin: community_admin,
            worker,
            resident,
            resident_phone: phone.to_owned(),
            resident_name: person.to_owned(),
        }
    }

    pub async fn world(&self) -> World {
        let district_admin = self.district_admin().await;
        let subdistrict = self.create_subdistrict(&district_admin, "济阳街道").await;
        let a = self
            .community(
                &district_admin,
                subdistrict,
                "幸福里社区",
                "13800000001",
                "王建国",
            )
            .await;
        let b = self
            .community(
                &district_admin,
                subdistrict,
                "和平里社区",
                "13900000002",
                "李秀英",
            )
            .await;
        World {
            district_admin,
            subdistrict,
            a,
            b,
        }
    }
}
