//! An import costs what it is allowed to: nothing for a caller who may not import, and a
//! bounded answer and bounded memory for any file an admin sends.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use linli_tests::forms::{FormBody, answer_before_body};
use linli_tests::{spawn_app, spawn_app_with};

/// The review's file: 5,000 rows, each listing one building 200 times (~2 MB).
fn attack_file(community: &str) -> String {
    let buildings = vec!["A"; 200].join(";");
    let mut csv = "community,name,kind,households,buildings\n".to_owned();
    for i in 0..5_000 {
        writeln!(csv, "{community},{i},residential,400,{buildings}").unwrap();
    }
    csv
}

/// This process's resident and peak memory in kB: the server runs inside the test.
fn memory_kb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[tokio::test]
async fn the_attack_file_is_refused_at_once_to_a_resident_and_briefly_to_an_admin() {
    let app = spawn_app().await;
    let world = app.world().await;
    let csv = attack_file(&world.a.name);
    assert!(csv.len() > 2_000_000, "{} bytes", csv.len());

    let (rss_before, peak_before) = memory_kb();
    let started = Instant::now();
    let resident = app.import_csv(&world.a.resident.token, csv.clone()).await;
    let resident_took = started.elapsed();
    assert_eq!(
        (resident.status, resident.code()),
        (403, "forbidden"),
        "{resident:?}"
    );

    let started = Instant::now();
    let admin = app.import_csv(&world.a.admin.token, csv).await;
    let admin_took = started.elapsed();
    let (rss_after, peak_after) = memory_kb();
    assert_eq!((admin.status, admin.code()), (422, "import_rejected"));
    let errors = admin.body["details"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 100);
    assert_eq!(
        admin.body["details"]["error_count"], 5_000,
        "one repeated building per row"
    );
    let answer = admin.text().len();
    eprintln!(
        "import of {} rows: resident 403 in {resident_took:?}; admin 422 in {admin_took:?}, \
         {answer} bytes; RSS {rss_before} → {rss_after} kB, peak {peak_before} → {peak_after} kB",
        5_000
    );
    assert!(answer < 32 * 1024, "the answer stays small: {answer} bytes");
    // The review saw 0.4 → 2.15 GB. Other tests share this process, so the bound is loose.
    assert!(
        rss_after.saturating_sub(rss_before) < 128 * 1024,
        "RSS {rss_before} → {rss_after} kB"
    );
    assert!(
        peak_after.saturating_sub(peak_before) < 128 * 1024,
        "peak {peak_before} → {peak_after} kB"
    );
}

#[tokio::test]
async fn a_file_over_the_row_limit_is_refused_whole_with_the_limit() {
    let app = spawn_app_with(|s| s.import_max_rows = 3).await;
    let world = app.world().await;
    let mut csv = "community,name,kind,households,buildings\n".to_owned();
    for i in 0..4 {
        writeln!(csv, "{},{i}号网格,reserved,0,", world.a.name).unwrap();
    }
    let reply = app.import_csv(&world.a.admin.token, csv).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "import_too_large"),
        "{reply:?}"
    );
    assert_eq!(reply.body["details"]["max_rows"], 3);
}

#[tokio::test]
async fn a_form_over_the_row_limit_is_refused_whole_too() {
    let app = spawn_app_with(|s| s.import_max_rows = 3).await;
    let world = app.world().await;
    let mut csv = "community,name,kind,households,buildings\n".to_owned();
    for i in 0..4 {
        writeln!(csv, "{},{i}号网格,reserved,0,", world.a.name).unwrap();
    }
    let reply = app.import_form(&world.a.admin.token, csv).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "import_too_large"),
        "{reply:?}"
    );
    assert_eq!(reply.body["details"]["max_rows"], 3);
}

#[tokio::test]
async fn a_caller_who_may_not_import_is_refused_before_the_form_is_read() {
    let app = spawn_app().await;
    let world = app.world().await;
    let form = FormBody::new().text("note", "网格导入").file(
        "file",
        "网格.csv",
        "text/csv",
        attack_file(&world.a.name).as_bytes(),
    );
    let whole = form.unfinished();
    // The head, a field and the start of the file; then the client says nothing more.
    let first = &whole[..4096];
    let head = |token: &str| {
        format!(
            "POST /api/v1/grids/import HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n\
             content-type: {}\r\n",
            FormBody::content_type()
        )
    };
    let patience = Duration::from_secs(20);
    let answer = answer_before_body(
        app.addr,
        &head(&world.a.resident.token),
        3_000_000,
        first,
        patience,
    )
    .await
    .expect("answered before the body came");
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(answer.contains("\"forbidden\""), "{answer}");
    // The whole attack file as a form: refused at once, nothing imported.
    let reply = app
        .import_form(&world.a.resident.token, attack_file(&world.a.name))
        .await;
    assert_eq!((reply.status, reply.code()), (403, "forbidden"));
}
