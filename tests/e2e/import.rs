use linli_tests::spawn_app;
use serde_json::Value;

async fn import(app: &linli_tests::TestApp, token: &str, csv: &str) -> linli_tests::Reply {
    app.import_csv(token, csv).await
}

async fn grid_count(app: &linli_tests::TestApp, token: &str, community: uuid::Uuid) -> usize {
    app.get(
        &format!("/api/v1/grids?community_id={community}&limit=100"),
        token,
    )
    .await
    .body["items"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_good_file_imports_every_grid_with_its_buildings() {
    let app = spawn_app().await;
    let world = app.world().await;
    let csv = format!(
        "community,name,kind,households,buildings\n\
         {a},三网格,residential,410,5号楼;6号楼\n\
         {a},四网格,residential,260,7号楼\n\
         {a},人民医院,dedicated,0,\n",
        a = world.a.name
    );
    let reply = import(&app, &world.a.admin.token, &csv).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["grids"], 3);
    assert_eq!(reply.body["buildings"], 3);
    assert_eq!(
        reply.body["warnings"][0]["line"], 3,
        "260 households is outside the norm"
    );
    assert_eq!(grid_count(&app, &world.a.admin.token, world.a.id).await, 5);
}

#[tokio::test]
async fn a_file_with_bad_rows_imports_nothing_and_names_each_bad_line() {
    let app = spawn_app().await;
    let world = app.world().await;
    let csv = format!(
        "community,name,kind,households,buildings\n\
         {a},三网格,residential,410,5号楼\n\
         {a},四网格,mixed,300,\n\
         {a},五网格,residential,lots,\n\
         {b},六网格,residential,300,\n\
         {a},{taken},residential,300,\n\
         {a},七网格,residential,300,{building}\n\
         不存在社区,八网格,reserved,0,\n",
        a = world.a.name,
        b = world.b.name,
        taken = format_args!("{}一网格", world.a.name),
        building = format_args!("{}1号楼", world.a.name),
    );
    let reply = import(&app, &world.a.admin.token, &csv).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "import_rejected"),
        "{reply:?}"
    );
    let lines: Vec<u64> = reply.body["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8]);
    let errors: &Vec<Value> = reply.body["details"]["errors"].as_array().unwrap();
    assert_eq!(errors[0]["field"], "kind");
    assert_eq!(
        errors[2]["field"], "community",
        "another community's name is unknown to this admin"
    );
    assert!(
        !reply.text().contains("和平里社区一网格"),
        "nothing about community B leaks"
    );
    assert_eq!(
        grid_count(&app, &world.a.admin.token, world.a.id).await,
        2,
        "nothing was imported"
    );
}

#[tokio::test]
async fn a_file_without_the_header_is_refused_at_line_one() {
    let app = spawn_app().await;
    let world = app.world().await;
    let reply = import(&app, &world.a.admin.token, "a,b,c\n1,2,3\n").await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["details"]["errors"][0]["line"], 1);
}

#[tokio::test]
async fn a_form_carrying_the_file_imports_as_the_file_does() {
    let app = spawn_app().await;
    let world = app.world().await;
    let csv = format!(
        "community,name,kind,households,buildings\n{a},三网格,residential,410,5号楼;6号楼\n",
        a = world.a.name
    );
    let reply = app.import_form(&world.a.admin.token, csv).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(
        (reply.body["grids"].as_u64(), reply.body["buildings"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(grid_count(&app, &world.a.admin.token, world.a.id).await, 3);
    // GBK, as Excel saves it, works in a form too.
    let csv = format!("社区,网格,类型,户数,楼栋\n{},四网格,reserved,0,\n", world.a.name);
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    let form = linli_tests::forms::FormBody::new().file("file", "网格.csv", "text/csv", &gbk);
    let reply = app
        .post_form("/api/v1/grids/import", Some(&world.a.admin.token), &form)
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    // A form without the file in its field, and a file over the import's size limit.
    let form = linli_tests::forms::FormBody::new().file("csv", "网格.csv", "text/csv", b"a,b\n");
    let reply = app
        .post_form("/api/v1/grids/import", Some(&world.a.admin.token), &form)
        .await;
    assert_eq!((reply.status, reply.code()), (400, "file_expected"), "{reply:?}");
    let huge = "x".repeat(4 * 1024 * 1024 + 1);
    let reply = app.import_form(&world.a.admin.token, huge).await;
    assert_eq!(
        (reply.status, reply.code()),
        (413, "payload_too_large"),
        "{reply:?}"
    );
    assert_eq!(grid_count(&app, &world.a.admin.token, world.a.id).await, 4);
}
