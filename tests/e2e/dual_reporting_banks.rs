//! The search banks (信息资源库): the member bank and the resource bank exported as CSV hold
//! exactly the rows their listings give with the same filters, named, defused for
//! spreadsheets, every page of them once; a viewer outside the scope gets the header alone.

use std::collections::BTreeSet;

use futures_util::{StreamExt, stream};
use linli_tests::world::World;
use linli_tests::{Reply, Session, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::dual_reporting_support::day;

const MEMBER_BANK_HEADER: [&str; 10] = [
    "姓名",
    "手机号",
    "单位",
    "社区",
    "网格",
    "状态",
    "服务类别",
    "岗位",
    "技能",
    "报到时间",
];

/// A unit paired with `grid`, registered by the district admin.
async fn unit(app: &TestApp, world: &World, name: &str, grid: Uuid) -> Uuid {
    let reply = app
        .post(
            "/api/v1/units",
            &world.district_admin.token,
            json!({
                "name": name,
                "kind": "municipal_organ",
                "party_organisation": "中共某某机关委员会",
                "contact_name": "赵主任",
                "contact_phone": "0531-88880001",
                "roll_count": 300,
                "grid_id": grid,
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.id()
}

/// Someone logged in through WeChat with a real name and a bound phone (where they live
/// does not matter to a report).
async fn member(app: &TestApp, name: &str, phone: &str) -> Session {
    let person = app.resident().await;
    let code = format!("phone-{}", Uuid::new_v4().simple());
    app.wechat.accept_phone(&code, phone);
    let bound = app
        .post("/api/v1/me/phone", &person.token, json!({ "code": code }))
        .await;
    assert_eq!(bound.status, 200, "{bound:?}");
    let named = app
        .patch("/api/v1/me", &person.token, json!({ "real_name": name }))
        .await;
    assert_eq!(named.status, 200, "{named:?}");
    person
}

/// `member`'s report of `unit` to `community`, with these skills.
async fn file(app: &TestApp, member: &Session, unit: Uuid, community: Uuid, skills: &[&str]) -> Uuid {
    let reply = app
        .post(
            "/api/v1/member-reports",
            &member.token,
            json!({ "unit_id": unit, "community_id": community, "skills": skills }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.id()
}

async fn accept(app: &TestApp, admin: &Session, report: Uuid, grid: Uuid, category: &str, post: &str) {
    let reply = app
        .post(
            &format!("/api/v1/member-reports/{report}/accept"),
            &admin.token,
            json!({ "grid_id": grid, "category": category, "post": post }),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

/// A CSV answer: status, headers, the raw body.
struct Download {
    status: u16,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl Download {
    /// The file's lines after its header (which must be `header`), each as its cells.
    fn rows(&self, header: &[&str]) -> Vec<Vec<String>> {
        assert_eq!(self.status, 200, "{}", String::from_utf8_lossy(&self.bytes));
        assert_eq!(
            self.headers["content-type"], "text/csv; charset=utf-8",
            "{:?}",
            self.headers
        );
        let disposition = self.headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(self.bytes.starts_with(b"\xEF\xBB\xBF"), "a UTF-8 BOM, for Excel");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(&self.bytes[3..]);
        let read: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(read, header);
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
}

async fn download(app: &TestApp, path: &str, token: Option<&str>) -> Download {
    let mut request = app.http.request(Method::GET, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the server answers");
    Download {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        bytes: response.bytes().await.expect("the whole body").to_vec(),
    }
}

async fn member_bank(app: &TestApp, token: &str, query: &str) -> Vec<Vec<String>> {
    download(
        app,
        &format!("/api/v1/member-reports/export.csv{query}"),
        Some(token),
    )
    .await
    .rows(&MEMBER_BANK_HEADER)
}

/// The listing's pages with the same filters, whole.
async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let separator = if query.is_empty() { "?" } else { "&" };
        let reply: Reply = app
            .get(
                &format!("/api/v1/member-reports{query}{separator}limit=100&cursor={cursor}"),
                token,
            )
            .await;
        assert_eq!(reply.status, 200, "{reply:?}");
        all.extend(reply.body["items"].as_array().unwrap().iter().cloned());
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => return all,
        }
    }
}

/// Names and phones, as the listing shows them to the viewer.
fn people_of(items: &[Value]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|i| {
            (
                i["member"]["real_name"].as_str().unwrap_or("").to_owned(),
                i["member"]["phone"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn people_in(rows: &[Vec<String>]) -> Vec<(String, String)> {
    rows.iter().map(|r| (r[0].clone(), r[1].clone())).collect()
}

/// A row without its filing time (checked apart).
fn cells(row: &[String]) -> Vec<&str> {
    row[..9].iter().map(String::as_str).collect()
}

fn is_china_minute(cell: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(cell, "%Y-%m-%d %H:%M").is_ok()
}

#[tokio::test]
async fn the_member_bank_export_holds_exactly_the_filtered_rows_named_and_defused() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (a, b) = (&world.a, &world.b);
    let justice = unit(&app, &world, "市司法局", a.grids[1]).await;
    let plant = unit(&app, &world, "=HYPERLINK(\"http://x\")", b.grids[1]).await;

    let lawyer = member(&app, "孙律师", "13700000001").await;
    let waiting = member(&app, "周党员", "13700000002").await;
    let injector = member(&app, "=1+2", "13700000003").await;
    let elsewhere = member(&app, "吴党员", "13700000004").await;
    let r_lawyer = file(&app, &lawyer, justice, a.id, &["法律咨询", "调解"]).await;
    let _ = file(&app, &waiting, justice, a.id, &[]).await;
    let r_injector = file(&app, &injector, plant, a.id, &["-急救"]).await;
    let _ = file(&app, &elsewhere, justice, b.id, &["法律咨询"]).await;
    accept(&app, &a.admin, r_lawyer, a.grids[0], "legal_aid", "楼道长").await;
    accept(&app, &a.admin, r_injector, a.grids[1], "health", "@网格员").await;

    let admin = &a.admin.token;
    let everything = member_bank(&app, admin, "").await;
    assert_eq!(everything.len(), 3, "community A's reports only: {everything:?}");
    assert_eq!(
        cells(&everything[0]),
        [
            "孙律师",
            "13700000001",
            "市司法局",
            "幸福里社区",
            "幸福里社区一网格",
            "已接收",
            "法律援助",
            "楼道长",
            "法律咨询、调解",
        ]
    );
    assert_eq!(
        cells(&everything[1]),
        [
            "周党员",
            "13700000002",
            "市司法局",
            "幸福里社区",
            "",
            "待接收",
            "",
            "",
            ""
        ]
    );
    // Whatever a spreadsheet would evaluate is prefixed with `'`.
    assert_eq!(
        cells(&everything[2]),
        [
            "'=1+2",
            "13700000003",
            "'=HYPERLINK(\"http://x\")",
            "幸福里社区",
            "幸福里社区二网格",
            "已接收",
            "医疗健康",
            "'@网格员",
            "'-急救",
        ]
    );
    assert!(
        everything.iter().all(|r| is_china_minute(&r[9])),
        "{everything:?}"
    );

    // Each filter narrows as the listing's does, and the names and phones are the listing's.
    let filters = [
        (format!("?unit_id={justice}"), vec!["孙律师", "周党员"]),
        ("?status=accepted".to_owned(), vec!["孙律师", "=1+2"]),
        ("?status=submitted".to_owned(), vec!["周党员"]),
        (format!("?grid_id={}", a.grids[1]), vec!["=1+2"]),
        ("?skill=法律咨询".to_owned(), vec!["孙律师"]),
        ("?skill=法律".to_owned(), vec![]),
        ("?category=health".to_owned(), vec!["=1+2"]),
        (
            format!(
                "?community_id={}&unit_id={justice}&status=accepted&category=legal_aid",
                a.id
            ),
            vec!["孙律师"],
        ),
        (format!("?community_id={}", b.id), vec![]),
    ];
    for (query, expected) in filters {
        let rows = member_bank(&app, admin, &query).await;
        let items = listed(&app, admin, &query).await;
        let names: Vec<&str> = items
            .iter()
            .map(|i| i["member"]["real_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, expected, "{query}");
        let mut shown = people_of(&items);
        for (name, _) in &mut shown {
            if name.starts_with('=') {
                name.insert(0, '\'');
            }
        }
        assert_eq!(people_in(&rows), shown, "{query}");
    }

    // The unit's admin exports the unit's members wherever they reported, seen whole.
    // (A resident of B, whom the district admin covers: appointed at once, not invited.)
    let person = app.resident_of(b.building, "钱主任", "13600000101").await;
    let granted = app
        .post(
            "/api/v1/role-grants",
            &world.district_admin.token,
            json!({ "user_id": person.user_id, "role": "unit_admin", "scope": format!("unit:{justice}") }),
        )
        .await;
    assert_eq!(granted.status, 201, "{granted:?}");
    let of_unit = member_bank(&app, &person.token, "").await;
    assert_eq!(
        people_in(&of_unit),
        [
            ("孙律师".to_owned(), "13700000001".to_owned()),
            ("周党员".to_owned(), "13700000002".to_owned()),
            ("吴党员".to_owned(), "13700000004".to_owned()),
        ]
    );
    assert_eq!(of_unit[2][3], "和平里社区");

    // A member exports their own report alone.
    let own = member_bank(&app, &lawyer.token, "").await;
    assert_eq!(people_in(&own), [("孙律师".to_owned(), "13700000001".to_owned())]);

    // The filters are checked as the listing checks them, before anything is sent.
    let bad = download(
        &app,
        "/api/v1/member-reports/export.csv?category=Not%20a%20key",
        Some(admin),
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.text());
    assert_eq!(bad.json()["code"], "validation_failed");
    let malformed = download(
        &app,
        "/api/v1/member-reports/export.csv?unit_id=nope",
        Some(admin),
    )
    .await;
    assert_eq!(
        (malformed.status, malformed.json()["code"].as_str()),
        (400, Some("malformed_request"))
    );
    let anonymous = download(&app, "/api/v1/member-reports/export.csv", None).await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn a_viewer_outside_the_scope_exports_the_header_alone() {
    let app = spawn_app().await;
    let world = app.world().await;
    let justice = unit(&app, &world, "市司法局", world.a.grids[1]).await;
    let lawyer = member(&app, "孙律师", "13700000011").await;
    let report = file(&app, &lawyer, justice, world.a.id, &["法律咨询"]).await;
    accept(
        &app,
        &world.a.admin,
        report,
        world.a.grids[0],
        "legal_aid",
        "楼道长",
    )
    .await;

    let seen = member_bank(&app, &world.a.admin.token, "").await;
    assert_eq!(people_in(&seen).len(), 1);
    let header_alone = "\u{feff}姓名,手机号,单位,社区,网格,状态,服务类别,岗位,技能,报到时间\r\n";
    let strangers = [
        ("community B's admin", &world.b.admin),
        ("community B's grid worker", &world.b.worker),
        ("a resident of A", &world.a.resident),
    ];
    for (who, stranger) in strangers {
        for query in [
            String::new(),
            format!("?community_id={}", world.a.id),
            format!("?unit_id={justice}"),
            "?status=accepted".to_owned(),
            format!("?grid_id={}", world.a.grids[0]),
        ] {
            let reply = download(
                &app,
                &format!("/api/v1/member-reports/export.csv{query}"),
                Some(&stranger.token),
            )
            .await;
            assert!(reply.rows(&MEMBER_BANK_HEADER).is_empty(), "{who} {query}");
            assert_eq!(reply.text(), header_alone, "{who} {query}");
        }
    }
    // The grid worker of the grid the member was assigned to sees them, as in the listing.
    let worker = member_bank(&app, &world.a.worker.token, "").await;
    assert_eq!(people_in(&worker).len(), 1, "the worker of the member's grid");
}

#[tokio::test]
async fn an_export_longer_than_a_page_holds_every_report_once() {
    const MEMBERS: usize = 250;
    let app = spawn_app().await;
    let world = app.world().await;
    let justice = unit(&app, &world, "市司法局", world.a.grids[1]).await;
    let phones: Vec<String> = (0..MEMBERS).map(|i| format!("1370000{i:04}")).collect();
    let app = &app;
    let community = world.a.id;
    stream::iter(phones.iter().enumerate())
        .for_each_concurrent(8, |(i, phone)| async move {
            let person = member(app, &format!("党员{i:03}"), phone).await;
            file(app, &person, justice, community, &["志愿服务"]).await;
        })
        .await;

    let reply = download(
        app,
        "/api/v1/member-reports/export.csv",
        Some(&world.a.admin.token),
    )
    .await;
    assert!(
        !reply.headers.contains_key("content-length"),
        "streamed, not buffered: {:?}",
        reply.headers
    );
    let rows = reply.rows(&MEMBER_BANK_HEADER);
    assert_eq!(rows.len(), MEMBERS);
    let exported: BTreeSet<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    let expected: BTreeSet<&str> = phones.iter().map(String::as_str).collect();
    assert_eq!(exported, expected, "each member once");
    // Oldest first, as the listing pages them.
    let items = listed(app, &world.a.admin.token, "").await;
    assert_eq!(people_in(&rows), people_of(&items));
    // Narrowed, the pages still join up.
    let narrowed = member_bank(
        app,
        &world.a.admin.token,
        &format!("?unit_id={justice}&status=submitted&skill=志愿服务"),
    )
    .await;
    assert_eq!(narrowed.len(), MEMBERS);
}

const RESOURCE_BANK_HEADER: [&str; 13] = [
    "名称",
    "类型",
    "服务类别",
    "提供单位",
    "社区",
    "网格",
    "数量",
    "计量单位",
    "剩余数量",
    "有效期开始",
    "有效期结束",
    "状态",
    "说明",
];

/// An offer entered by the district admin for `unit`.
#[allow(clippy::too_many_arguments)]
async fn offer(
    app: &TestApp,
    world: &World,
    unit: Uuid,
    kind: &str,
    category: Option<&str>,
    title: &str,
    amount: f64,
    measure: &str,
    from: i64,
    until: i64,
) -> Uuid {
    let reply = app
        .post(
            "/api/v1/resource-offers",
            &world.district_admin.token,
            json!({
                "unit_id": unit,
                "kind": kind,
                "category": category,
                "title": title,
                "description": if category.is_some() { "每周六上午" } else { "" },
                "amount": amount,
                "measure": measure,
                "valid_from": day(from),
                "valid_until": day(until),
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.id()
}

async fn resource_bank(app: &TestApp, token: &str, query: &str) -> Vec<Vec<String>> {
    download(
        app,
        &format!("/api/v1/resource-offers/export.csv{query}"),
        Some(token),
    )
    .await
    .rows(&RESOURCE_BANK_HEADER)
}

/// The titles of the offers the listing gives with the same filters, whole.
async fn offers_listed(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let separator = if query.is_empty() { "?" } else { "&" };
        let reply = app
            .get(
                &format!("/api/v1/resource-offers{query}{separator}limit=100&cursor={cursor}"),
                token,
            )
            .await;
        assert_eq!(reply.status, 200, "{reply:?}");
        all.extend(
            reply.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["title"].as_str().unwrap().to_owned()),
        );
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => return all,
        }
    }
}

fn titles(rows: &[Vec<String>]) -> Vec<String> {
    rows.iter().map(|r| r[0].clone()).collect()
}

/// A title as the export writes it: defused if a spreadsheet would evaluate it.
fn defused(title: &str) -> String {
    if title.starts_with(['=', '+', '-', '@']) {
        format!("'{title}")
    } else {
        title.to_owned()
    }
}

#[tokio::test]
async fn the_resource_bank_export_holds_exactly_the_filtered_offers_named_and_defused() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (a, b) = (&world.a, &world.b);
    let power = unit(&app, &world, "市供电公司", a.grids[0]).await;
    let hospital = unit(&app, &world, "=市医院", b.grids[0]).await;
    offer(
        &app,
        &world,
        power,
        "volunteers",
        Some("elderly_disabled_help"),
        "周末助老志愿服务",
        20.0,
        "人",
        0,
        60,
    )
    .await;
    offer(
        &app, &world, power, "funds", None, "=SUM(A1)", 50000.5, "元", 10, 20,
    )
    .await;
    offer(&app, &world, hospital, "venue", None, "@会议室", 1.0, "间", 0, 30).await;

    let admin = &world.district_admin.token;
    let everything = resource_bank(&app, admin, "").await;
    assert_eq!(
        everything,
        [
            vec![
                "周末助老志愿服务",
                "志愿者",
                "助老助残",
                "市供电公司",
                "幸福里社区",
                "幸福里社区一网格",
                "20",
                "人",
                "20",
                &day(0),
                &day(60),
                "可用",
                "每周六上午",
            ],
            vec![
                "'=SUM(A1)",
                "资金",
                "",
                "市供电公司",
                "幸福里社区",
                "幸福里社区一网格",
                "50000.5",
                "元",
                "50000.5",
                &day(10),
                &day(20),
                "未开始",
                "",
            ],
            vec![
                "'@会议室",
                "场地",
                "",
                "'=市医院",
                "和平里社区",
                "和平里社区一网格",
                "1",
                "间",
                "1",
                &day(0),
                &day(30),
                "可用",
                "",
            ],
        ]
    );

    // Each filter narrows as the listing's does.
    let filters = [
        ("?kind=funds".to_owned(), vec!["=SUM(A1)"]),
        (format!("?unit_id={hospital}"), vec!["@会议室"]),
        (
            "?validity=current".to_owned(),
            vec!["周末助老志愿服务", "@会议室"],
        ),
        ("?validity=upcoming".to_owned(), vec!["=SUM(A1)"]),
        ("?validity=expired".to_owned(), vec![]),
        (
            format!("?valid_on={}", day(15)),
            vec!["周末助老志愿服务", "=SUM(A1)", "@会议室"],
        ),
        (format!("?valid_on={}", day(45)), vec!["周末助老志愿服务"]),
        ("?open=true".to_owned(), vec!["周末助老志愿服务", "@会议室"]),
        (
            format!("?unit_id={power}&validity=current&kind=volunteers"),
            vec!["周末助老志愿服务"],
        ),
        (
            format!("?valid_on={}&validity=current", day(15)),
            vec!["周末助老志愿服务", "@会议室"],
        ),
    ];
    for (query, expected) in filters {
        let listed = offers_listed(&app, admin, &query).await;
        assert_eq!(listed, expected, "{query}");
        let exported = titles(&resource_bank(&app, admin, &query).await);
        let expected: Vec<String> = expected.iter().map(|t| defused(t)).collect();
        assert_eq!(exported, expected, "{query}");
    }

    // A community's staff see the offers of the units paired in it.
    let of_a = resource_bank(&app, &a.admin.token, "").await;
    assert_eq!(titles(&of_a), ["周末助老志愿服务", "'=SUM(A1)"]);
    let of_b = resource_bank(&app, &b.admin.token, "").await;
    assert_eq!(titles(&of_b), ["'@会议室"]);

    // The filters are checked before anything is sent.
    for query in ["?valid_on=tomorrow", "?validity=soon", "?kind=gold"] {
        let bad = download(
            &app,
            &format!("/api/v1/resource-offers/export.csv{query}"),
            Some(admin),
        )
        .await;
        assert_eq!(
            (bad.status, bad.json()["code"].as_str()),
            (400, Some("malformed_request")),
            "{query}"
        );
    }
    let anonymous = download(&app, "/api/v1/resource-offers/export.csv", None).await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn a_viewer_outside_the_scope_exports_no_offer() {
    let app = spawn_app().await;
    let world = app.world().await;
    let power = unit(&app, &world, "市供电公司", world.a.grids[0]).await;
    offer(
        &app,
        &world,
        power,
        "volunteers",
        Some("elderly_disabled_help"),
        "周末助老志愿服务",
        20.0,
        "人",
        0,
        60,
    )
    .await;
    assert_eq!(resource_bank(&app, &world.a.admin.token, "").await.len(), 1);
    let header_alone = "\u{feff}名称,类型,服务类别,提供单位,社区,网格,数量,计量单位,剩余数量,有效期开始,有效期结束,状态,说明\r\n";
    for (who, stranger) in [
        ("community B's admin", &world.b.admin),
        ("a resident of A", &world.a.resident),
        ("a grid worker of A", &world.a.worker),
    ] {
        for query in ["", &format!("?unit_id={power}"), "?validity=current"] {
            let reply = download(
                &app,
                &format!("/api/v1/resource-offers/export.csv{query}"),
                Some(&stranger.token),
            )
            .await;
            assert!(reply.rows(&RESOURCE_BANK_HEADER).is_empty(), "{who} {query}");
            assert_eq!(reply.text(), header_alone, "{who} {query}");
        }
    }
}

#[tokio::test]
async fn an_export_of_more_offers_than_a_page_holds_each_once() {
    const OFFERS: usize = 230;
    let app = spawn_app().await;
    let world = app.world().await;
    let power = unit(&app, &world, "市供电公司", world.a.grids[0]).await;
    let (app, world) = (&app, &world);
    stream::iter(0..OFFERS)
        .for_each_concurrent(8, |i| async move {
            offer(
                app,
                world,
                power,
                "equipment",
                None,
                &format!("物资{i:03}"),
                1.0,
                "批",
                0,
                30,
            )
            .await;
        })
        .await;
    let reply = download(
        app,
        "/api/v1/resource-offers/export.csv?kind=equipment",
        Some(&world.a.admin.token),
    )
    .await;
    assert!(!reply.headers.contains_key("content-length"), "streamed");
    let rows = reply.rows(&RESOURCE_BANK_HEADER);
    assert_eq!(rows.len(), OFFERS);
    let exported: BTreeSet<String> = titles(&rows).into_iter().collect();
    assert_eq!(exported.len(), OFFERS, "each offer once");
    assert_eq!(
        titles(&rows),
        offers_listed(app, &world.a.admin.token, "?kind=equipment").await,
        "oldest first, as the listing pages them"
    );
}
