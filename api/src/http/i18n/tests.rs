use std::collections::BTreeSet;

use linli_kernel::Rule;

use super::*;

/// Every code an operation declares, read from the spec's error schemas (the `errors!`
/// declarations become enums on `code`).
fn declared_codes() -> BTreeSet<String> {
    let spec: serde_json::Value = serde_json::from_str(&crate::openapi_spec()).unwrap_or_default();
    let mut codes = BTreeSet::new();
    for schema in spec["components"]["schemas"].as_object().into_iter().flatten() {
        for code in schema.1["properties"]["code"]["enum"]
            .as_array()
            .into_iter()
            .flatten()
        {
            codes.extend(code.as_str().map(str::to_owned));
        }
    }
    codes
}

/// Every key the API words a message with.
fn all_keys() -> BTreeSet<String> {
    let mut keys = declared_codes();
    assert!(keys.len() > 40, "the spec's codes were not found: {keys:?}");
    keys.extend(crate::ws::ERROR_FRAME_CODES.iter().map(|c| (*c).to_owned()));
    // Answered outside any declaration: 405 from routing, an unknown user (no operation
    // answers it today, the mapping exists).
    keys.extend(["method_not_allowed", "user_not_found"].map(str::to_owned));
    keys.extend(Rule::ALL.iter().map(|r| format!("validation.{}", r.as_str())));
    keys
}

/// The entry itself, without the fallback to Chinese that answering uses.
fn entry(locale: Locale, key: &str) -> Option<String> {
    crate::_RUST_I18N_BACKEND
        .translate(locale.tag(), key)
        .map(|t| t.to_string())
}

fn placeholders(text: &str) -> BTreeSet<&str> {
    text.split("%{")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

#[test]
fn every_code_and_rule_has_chinese_and_english() {
    let mut missing = Vec::new();
    for key in all_keys() {
        let zh = entry(Locale::ZhCn, &key).unwrap_or_default();
        let en = entry(Locale::En, &key).unwrap_or_default();
        if zh.trim().is_empty() || en.trim().is_empty() {
            missing.push(format!("{key}: zh-CN {zh:?}, en {en:?}"));
            continue;
        }
        if !zh.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)) {
            missing.push(format!("{key}: the zh-CN entry has no Chinese: {zh:?}"));
        }
        // Both languages may name fewer facts, never one the other lacks a value for.
        let (zh_names, en_names) = (placeholders(&zh), placeholders(&en));
        if !zh_names.is_subset(&en_names) && !en_names.is_subset(&zh_names) {
            missing.push(format!("{key}: placeholders differ: {zh_names:?} / {en_names:?}"));
        }
    }
    assert!(missing.is_empty(), "catalogue gaps:\n{}", missing.join("\n"));
}

#[test]
fn every_role_and_tree_scope_kind_has_a_chinese_name() {
    for role in linli_kernel::Role::ALL {
        let name = term(Locale::ZhCn, "role", role.as_str());
        assert_ne!(name, role.as_str(), "role.{role} has no Chinese name");
    }
    for kind in ["district", "subdistrict", "community", "grid", "building"] {
        assert_ne!(term(Locale::ZhCn, "scope_kind", kind), kind);
    }
}

#[test]
fn messages_are_filled_with_their_facts() {
    let params = [("max_rows", "10000".to_owned())];
    assert_eq!(
        message(Locale::ZhCn, "import_too_large", &params),
        "一个文件最多导入 10000 个网格"
    );
    assert_eq!(
        message(Locale::En, "import_too_large", &params),
        "A file holds at most 10000 grids."
    );
    assert_eq!(message(Locale::En, "no_such_code", &[]), "no_such_code");
}

#[test]
fn chinese_unless_english_is_preferred() {
    let pick = |header: &str| Locale::from_accept_language(Some(header));
    assert_eq!(Locale::from_accept_language(None), Locale::ZhCn);
    for english in [
        "en",
        "en-US,en;q=0.9",
        "EN-gb",
        "fr, en;q=0.8, zh;q=0.5",
        "en, zh",
    ] {
        assert_eq!(pick(english), Locale::En, "{english}");
    }
    for chinese in [
        "",
        "*",
        "zh-CN",
        "zh-CN,zh;q=0.9,en;q=0.8",
        "zh, en",
        "en;q=0.5, zh-TW",
        "fr-FR",
        "en;q=0",
        "english",
        "en;q=abc",
    ] {
        assert_eq!(pick(chinese), Locale::ZhCn, "{chinese}");
    }
}
