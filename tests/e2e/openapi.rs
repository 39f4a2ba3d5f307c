/// The committed spec is what the code generates: regenerate it with
/// `cargo run -- openapi > openapi/openapi.json`.
#[test]
fn the_committed_openapi_spec_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json"))
        .expect("openapi/openapi.json is committed");
    let generated = linli_api::openapi_spec();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}
