//! Sealing users' phones and real names: the start-up pass, rotation of either key, lookups
//! by phone, and values that do not open.

use std::sync::Arc;

use chrono::Utc;
use linli_identity::ports::UserRepository;
use linli_identity::{OpenId, PhoneNumber, RealName, UserUpdate};
use linli_kernel::UserId;
use linli_kernel::ports::PersonDirectory;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::crypto::PersonalDataKeys;
use crate::db::Database;
use crate::db::testing::ScratchDatabase;
use crate::identity::entity::user;

const PHONE: &str = "13800138000";
const NAME: &str = "张伟";

/// The test harness's ring (`t1`) and index key, and others to rotate to.
fn keys(data: &str, index: &str) -> Arc<PersonalDataKeys> {
    Arc::new(PersonalDataKeys::parse(data, index).unwrap())
}
fn t1() -> String {
    format!("t1:{}", "11".repeat(16))
}
fn t2_then_t1() -> String {
    format!("t2:{},{}", "33".repeat(16), t1())
}
fn index_key() -> String {
    "22".repeat(32)
}

async fn migrated(scratch: &ScratchDatabase) -> Database {
    let db = scratch.connect(4).await;
    db.migrate().await.unwrap();
    db
}

async fn user_with(db: &Database, openid: &str, phone: &str, name: &str) -> UserId {
    let now = Utc::now();
    let user = db
        .upsert_by_openid(&OpenId::parse(openid).unwrap(), None, now)
        .await
        .unwrap();
    let update = UserUpdate {
        real_name: Some(RealName::parse(name).unwrap()),
        phone: Some(PhoneNumber::parse(phone).unwrap()),
        ..UserUpdate::default()
    };
    db.update_user(user.id, &update, now, &[]).await.unwrap();
    user.id
}

async fn row(db: &Database, id: UserId) -> user::Model {
    user::Entity::find_by_id(id.as_uuid())
        .one(db.connection())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn phones_and_names_are_stored_sealed_bound_to_their_row_with_an_index() {
    let scratch = ScratchDatabase::sqlite();
    let db = migrated(&scratch).await;
    let id = user_with(&db, "o-1", PHONE, NAME).await;
    let stored = row(&db, id).await;
    assert_eq!(
        (stored.clear_phone.as_deref(), stored.clear_real_name.as_deref()),
        (None, None)
    );
    let phone = stored.phone_sealed.unwrap();
    let name = stored.real_name_sealed.unwrap();
    assert!(phone.starts_with("v1:t1:") && !phone.contains(PHONE), "{phone}");
    assert!(name.starts_with("v1:t1:") && !name.contains(NAME), "{name}");
    assert_eq!(stored.phone_index.unwrap().len(), 64);

    let user = db.find_user(id).await.unwrap().unwrap();
    assert_eq!(user.phone.unwrap().as_str(), PHONE);
    assert_eq!(user.real_name.unwrap().as_str(), NAME);
}

#[tokio::test]
async fn clear_values_from_before_sealing_are_sealed_once_at_start() {
    let scratch = ScratchDatabase::sqlite();
    let db = migrated(&scratch).await;
    let id = db
        .upsert_by_openid(&OpenId::parse("o-old").unwrap(), None, Utc::now())
        .await
        .unwrap()
        .id;
    // A row as the previous version wrote it.
    user::Entity::update_many()
        .col_expr(user::Column::ClearPhone, Expr::value(PHONE))
        .col_expr(user::Column::ClearRealName, Expr::value(NAME))
        .filter(user::Column::Id.eq(id.as_uuid()))
        .exec(db.connection())
        .await
        .unwrap();
    // Readable before the pass too (the clear value is used).
    assert_eq!(
        db.find_user(id).await.unwrap().unwrap().phone.unwrap().as_str(),
        PHONE
    );

    let report = db.seal_clear_personal_data().await.unwrap();
    assert_eq!((report.rows, report.sealed, report.reindexed), (1, 2, 1));
    let stored = row(&db, id).await;
    assert_eq!((stored.clear_phone, stored.clear_real_name), (None, None));
    assert!(stored.phone_sealed.unwrap().starts_with("v1:t1:"));
    let user = db.find_user(id).await.unwrap().unwrap();
    assert_eq!(user.real_name.unwrap().as_str(), NAME);
    assert_eq!(db.find_users_by_phone(PHONE).await.unwrap().len(), 1);

    // Idempotent: nothing is left to seal.
    assert_eq!(db.seal_clear_personal_data().await.unwrap().rows, 0);
}

#[tokio::test]
async fn lookups_by_phone_match_exactly_whatever_the_format() {
    let scratch = ScratchDatabase::sqlite();
    let db = migrated(&scratch).await;
    let first = user_with(&db, "o-1", PHONE, NAME).await;
    let second = user_with(&db, "o-2", "+8613800138000", "李娜").await;
    user_with(&db, "o-3", "13800138001", "王芳").await;

    for asked in [PHONE, "+86 138-0013-8000", "１３８００１３８０００"] {
        let found: Vec<UserId> = db
            .find_users_by_phone(asked)
            .await
            .unwrap()
            .iter()
            .map(|u| u.id)
            .collect();
        let mut expected = vec![first, second];
        expected.sort_by_key(|id| id.as_uuid());
        assert_eq!(found, expected, "{asked}");
    }
    assert!(db.find_users_by_phone("13900000000").await.unwrap().is_empty());
}

#[tokio::test]
async fn after_a_data_key_rotation_old_values_open_lookups_work_and_reseal_moves_them() {
    let scratch = ScratchDatabase::sqlite();
    let db = migrated(&scratch).await;
    let id = user_with(&db, "o-1", PHONE, NAME).await;

    let rotated = db
        .clone()
        .with_personal_data_keys(keys(&t2_then_t1(), &index_key()));
    let user = rotated.find_user(id).await.unwrap().unwrap();
    assert_eq!(user.phone.unwrap().as_str(), PHONE);
    // The index key did not change: the old index still finds the user.
    assert_eq!(rotated.find_users_by_phone(PHONE).await.unwrap().len(), 1);
    // New values are sealed under t2.
    let other = user_with(&rotated, "o-2", "13800138001", "李娜").await;
    assert!(
        row(&rotated, other)
            .await
            .phone_sealed
            .unwrap()
            .starts_with("v1:t2:")
    );

    let report = rotated.reseal_personal_data().await.unwrap();
    assert_eq!(
        (report.rows, report.sealed, report.reindexed, report.unreadable),
        (2, 2, 0, 0)
    );
    let stored = row(&rotated, id).await;
    assert!(stored.phone_sealed.unwrap().starts_with("v1:t2:"));
    assert!(stored.real_name_sealed.unwrap().starts_with("v1:t2:"));
    // t1 can go now.
    let only_t2 = db
        .clone()
        .with_personal_data_keys(keys(&format!("t2:{}", "33".repeat(16)), &index_key()));
    assert_eq!(
        only_t2
            .find_user(id)
            .await
            .unwrap()
            .unwrap()
            .real_name
            .unwrap()
            .as_str(),
        NAME
    );
    assert_eq!(only_t2.find_users_by_phone(PHONE).await.unwrap().len(), 1);
}

#[tokio::test]
async fn after_an_index_key_rotation_reseal_recomputes_the_indexes() {
    let scratch = ScratchDatabase::sqlite();
    let db = migrated(&scratch).await;
    user_with(&db, "o-1", PHONE, NAME).await;

    let new_index = db.clone().with_personal_data_keys(keys(&t1(), &"44".repeat(32)));
    assert!(new_index.find_users_by_phone(PHONE).await.unwrap().is_empty());
    let report = new_index.reseal_personal_data().await.unwrap();
    assert_eq!((report.sealed, report.reindexed), (0, 1));
    assert_eq!(new_index.find_users_by_phone(PHONE).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_value_that_does_not_open_fails_one_read_and_is_unavailable_in_a_listing() {
    let scratch = ScratchDatabase::sqlite();
    let db = migrated(&scratch).await;
    let id = user_with(&db, "o-1", PHONE, NAME).await;

    let wrong = db
        .clone()
        .with_personal_data_keys(keys(&format!("t9:{}", "55".repeat(16)), &index_key()));
    let error = wrong.find_user(id).await.unwrap_err();
    let shown = format!("{error:#}");
    assert!(
        shown.contains("does not open") && !shown.contains(PHONE),
        "{shown}"
    );

    let people = wrong.people(&[id]).await.unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(
        (people[0].phone.as_deref(), people[0].real_name.as_deref()),
        (None, None)
    );

    let report = wrong.reseal_personal_data().await.unwrap();
    assert_eq!(report.unreadable, 2);
    // Left alone: the right keys still open it.
    assert_eq!(
        db.find_user(id).await.unwrap().unwrap().phone.unwrap().as_str(),
        PHONE
    );
}

#[tokio::test]
async fn without_keys_nothing_is_written_in_clear() {
    let scratch = ScratchDatabase::sqlite();
    let with_keys = migrated(&scratch).await;
    let id = with_keys
        .upsert_by_openid(&OpenId::parse("o-1").unwrap(), None, Utc::now())
        .await
        .unwrap()
        .id;
    let without = Database::connect(&crate::db::DatabaseSettings {
        url: scratch.url(),
        max_connections: 2,
    })
    .await
    .unwrap();
    let update = UserUpdate {
        phone: Some(PhoneNumber::parse(PHONE).unwrap()),
        ..UserUpdate::default()
    };
    assert!(without.update_user(id, &update, Utc::now(), &[]).await.is_err());
    assert_eq!(row(&with_keys, id).await.phone_sealed, None);
}

/// `GET /me` reads the user and their grants in one statement (a LEFT JOIN), so the whole
/// answer takes three: this, the open invitations, and the names of the places.
#[tokio::test]
async fn a_user_and_their_grants_are_read_in_one_statement() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use linli_kernel::{PlacedGrant, Role, RoleGrant, Scope, ScopePath};

    let scratch = ScratchDatabase::sqlite();
    let mut db = migrated(&scratch)
        .await
        .with_personal_data_keys(keys(&t1(), &index_key()));
    let id = user_with(&db, "o-me", PHONE, NAME).await;
    let grants: Vec<PlacedGrant> = [Role::DistrictAdmin, Role::SubdistrictAdmin]
        .into_iter()
        .filter_map(|role| {
            let scope = match role {
                Role::DistrictAdmin => Scope::District,
                _ => Scope::Subdistrict(linli_kernel::SubdistrictId::new()),
            };
            let grant = RoleGrant::new(id, role, scope, None, Utc::now()).ok()?;
            Some(PlacedGrant {
                grant,
                path: ScopePath::district(),
            })
        })
        .collect();
    crate::identity::grants::insert_grants(db.connection(), &grants)
        .await
        .unwrap();

    let statements = Arc::new(AtomicUsize::new(0));
    let counted = statements.clone();
    db.conn.set_metric_callback(move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
    });
    let (user, held) = db.find_user_with_grants(id).await.unwrap().unwrap();
    assert_eq!(statements.load(Ordering::SeqCst), 1);
    assert_eq!(user.id, id);
    assert_eq!(user.phone.map(|p| p.as_str().to_owned()).as_deref(), Some(PHONE));
    assert_eq!(held.len(), 2);

    let resident = user_with(&db, "o-resident", "13900139000", "李娜").await;
    let (_, none_held) = db.find_user_with_grants(resident).await.unwrap().unwrap();
    assert!(none_held.is_empty(), "a user without grants is still found");
    let nobody = db.find_user_with_grants(UserId::new()).await.unwrap();
    assert!(nobody.is_none());
}
