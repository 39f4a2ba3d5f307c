#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::json;

use super::*;

fn question(value: serde_json::Value) -> Question {
    serde_json::from_value(value).unwrap()
}

fn category(questions: Vec<Question>) -> RequestCategory {
    RequestCategory {
        key: CategoryKey::parse("key", "utilities").unwrap(),
        name: "水电气暖".to_owned(),
        deadlines: Deadlines::new(60, 120).unwrap(),
        questions: checked_questions(questions).unwrap(),
        active: true,
        updated_at: Utc::now(),
    }
}

fn answers(value: serde_json::Value) -> Answers {
    value.as_object().cloned().unwrap()
}

#[test]
fn deadlines_are_a_minute_to_ninety_days_and_resolution_not_before_response() {
    assert!(Deadlines::new(0, 10).is_err());
    assert!(Deadlines::new(10, MAX_DEADLINE_MINUTES + 1).is_err());
    assert!(Deadlines::new(120, 60).is_err());
    let d = Deadlines::new(120, 120).unwrap();
    let at = Utc::now();
    assert_eq!(d.respond_by(at), at + Duration::hours(2));
}

#[test]
fn the_defaults_are_those_of_the_issue() {
    let minutes = |key: &str| {
        DEFAULT_CATEGORIES
            .iter()
            .find(|(k, ..)| *k == key)
            .map(|(_, _, r, s)| (*r, *s))
            .unwrap()
    };
    assert_eq!(minutes("emergency"), (120, 24 * 60));
    assert_eq!(minutes("utilities"), (24 * 60, 72 * 60));
    assert_eq!(minutes("general"), (2 * 24 * 60, 7 * 24 * 60));
    assert_eq!(minutes("complex"), (2 * 24 * 60, 15 * 24 * 60));
    assert!(DEFAULT_CATEGORIES.iter().any(|(k, ..)| *k == "wish"));
}

#[test]
fn questions_are_checked_when_the_category_is_saved() {
    let dup_key = vec![
        question(
            json!({"key": "floor", "label": "几楼", "required": true, "type": "text", "max_length": 10}),
        ),
        question(
            json!({"key": "floor", "label": "哪层", "required": false, "type": "text", "max_length": 10}),
        ),
    ];
    assert!(checked_questions(dup_key).is_err());
    let dup_choice = vec![question(
        json!({"key": "kind", "label": "类型", "required": true, "type": "single_choice", "choices": ["水", "水"]}),
    )];
    assert!(checked_questions(dup_choice).is_err());
    let no_choice = vec![question(
        json!({"key": "kind", "label": "类型", "required": true, "type": "multiple_choice", "choices": []}),
    )];
    assert!(checked_questions(no_choice).is_err());
    let inverted = vec![question(
        json!({"key": "n", "label": "人数", "required": true, "type": "number", "min": 5, "max": 1}),
    )];
    assert!(checked_questions(inverted).is_err());
    let eleven = (0..11)
        .map(|i| question(json!({"key": format!("q{i}"), "label": "问", "required": false, "type": "text", "max_length": 5})))
        .collect();
    assert!(checked_questions(eleven).is_err());
}

#[test]
fn each_answer_must_be_of_its_questions_type() {
    let c = category(vec![
        question(json!({"key": "note", "label": "补充", "required": false, "type": "text", "max_length": 5})),
        question(
            json!({"key": "kind", "label": "类型", "required": true, "type": "single_choice", "choices": ["水", "电"]}),
        ),
        question(
            json!({"key": "when", "label": "时段", "required": false, "type": "multiple_choice", "choices": ["上午", "下午"]}),
        ),
    ]);
    assert!(c.checked_answers(&answers(json!({"kind": "电"}))).is_ok());
    assert!(
        c.checked_answers(&answers(json!({"kind": "气"}))).is_err(),
        "not a choice"
    );
    assert!(
        c.checked_answers(&answers(json!({}))).is_err(),
        "a required answer missing"
    );
    assert!(
        c.checked_answers(&answers(json!({"kind": null}))).is_err(),
        "null is no answer"
    );
    assert!(
        c.checked_answers(&answers(json!({"kind": "水", "note": "一二三四五六"})))
            .is_err(),
        "too long"
    );
    assert!(
        c.checked_answers(&answers(json!({"kind": "水", "when": ["上午", "上午"]})))
            .is_err(),
        "twice"
    );
    assert!(
        c.checked_answers(&answers(json!({"kind": "水", "when": "上午"})))
            .is_err(),
        "not a list"
    );
    let kept = c
        .checked_answers(&answers(json!({"kind": "水", "note": "  急 ", "when": ["下午"]})))
        .unwrap();
    assert_eq!(kept.get("note"), Some(&json!("急")), "text is trimmed");
    assert_eq!(kept.get("when"), Some(&json!(["下午"])));
}
