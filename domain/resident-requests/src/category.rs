//! Request categories: the dictionary the district admin keeps. Each category sets the two
//! deadlines of the requests in it (first response, resolution) and may ask extra questions,
//! whose answers are checked against their declared type.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use linli_kernel::text::checked_text;
use linli_kernel::{Rule, ValidationError};
use serde::{Deserialize, Serialize};

/// A category's key, e.g. `general`: how a request names its category.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CategoryKey(String);

impl CategoryKey {
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        let ok = (1..=32).contains(&raw.len())
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::new(
                field,
                Rule::TokenFormat,
                "a key is 1 to 32 lowercase letters, digits or `_`, starting with a letter",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CategoryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest deadline a category may set: a quarter of a year.
pub const MAX_DEADLINE_MINUTES: u32 = 90 * 24 * 60;
/// Extra questions a category may ask at most.
pub const MAX_QUESTIONS: usize = 10;
/// Choices a question may offer at most.
pub const MAX_CHOICES: usize = 20;

/// How long staff have, from posting, to respond to a request and to resolve it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    pub respond_within_minutes: u32,
    pub resolve_within_minutes: u32,
}

impl Deadlines {
    /// Both from 1 minute to [`MAX_DEADLINE_MINUTES`], and resolution no sooner than response.
    pub fn new(respond_within_minutes: u32, resolve_within_minutes: u32) -> Result<Self, ValidationError> {
        for (field, minutes) in [
            ("respond_within_minutes", respond_within_minutes),
            ("resolve_within_minutes", resolve_within_minutes),
        ] {
            if !(1..=MAX_DEADLINE_MINUTES).contains(&minutes) {
                return Err(
                    ValidationError::new(field, Rule::Range, "a deadline is 1 minute to 90 days")
                        .with("min", 1)
                        .with("max", MAX_DEADLINE_MINUTES),
                );
            }
        }
        if resolve_within_minutes < respond_within_minutes {
            return Err(ValidationError::new(
                "resolve_within_minutes",
                Rule::Range,
                "resolution cannot be due before the first response",
            )
            .with("min", respond_within_minutes)
            .with("max", MAX_DEADLINE_MINUTES));
        }
        Ok(Self {
            respond_within_minutes,
            resolve_within_minutes,
        })
    }

    /// When a request posted at `posted_at` must have had its first response.
    pub fn respond_by(&self, posted_at: DateTime<Utc>) -> DateTime<Utc> {
        posted_at + Duration::minutes(i64::from(self.respond_within_minutes))
    }

    /// When a request posted at `posted_at` must be resolved.
    pub fn resolve_by(&self, posted_at: DateTime<Utc>) -> DateTime<Utc> {
        posted_at + Duration::minutes(i64::from(self.resolve_within_minutes))
    }
}

/// What an extra question takes as its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Free text of at most `max_length` characters.
    Text { max_length: u32 },
    /// A whole number from `min` to `max`.
    Number { min: i64, max: i64 },
    /// One of `choices`.
    SingleChoice { choices: Vec<String> },
    /// Any of `choices`, each at most once.
    MultipleChoice { choices: Vec<String> },
}

/// An extra question a category asks, e.g. "哪一层？" (a number) for a broken stairwell light.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// How an answer names the question.
    pub key: CategoryKey,
    pub label: String,
    pub required: bool,
    #[serde(flatten)]
    pub kind: QuestionKind,
}

impl Question {
    /// Checks the question itself: a label, sane bounds, distinct non-empty choices.
    pub fn checked(self, index: usize) -> Result<Self, ValidationError> {
        let field = format!("questions[{index}]");
        let label = checked_text(&format!("{field}.label"), &self.label, 1, 100)?;
        let kind = match self.kind {
            QuestionKind::Text { max_length } => {
                if !(1..=2000).contains(&max_length) {
                    return Err(ValidationError::new(
                        format!("{field}.max_length"),
                        Rule::Range,
                        "a text answer is 1 to 2000 characters long",
                    )
                    .with("min", 1)
                    .with("max", 2000));
                }
                QuestionKind::Text { max_length }
            }
            QuestionKind::Number { min, max } => {
                if min > max {
                    return Err(ValidationError::new(
                        format!("{field}.min"),
                        Rule::Range,
                        "min must not be above max",
                    )
                    .with("min", i64::MIN)
                    .with("max", max));
                }
                QuestionKind::Number { min, max }
            }
            QuestionKind::SingleChoice { choices } => QuestionKind::SingleChoice {
                choices: checked_choices(&field, choices)?,
            },
            QuestionKind::MultipleChoice { choices } => QuestionKind::MultipleChoice {
                choices: checked_choices(&field, choices)?,
            },
        };
        Ok(Self { label, kind, ..self })
    }

    /// The answer given, checked against the question's type; `None` when the answer is
    /// absent (or JSON null) and the question is optional.
    pub fn answer(
        &self,
        given: Option<&serde_json::Value>,
    ) -> Result<Option<serde_json::Value>, ValidationError> {
        let field = format!("answers.{}", self.key);
        let given = given.filter(|v| !v.is_null());
        let Some(value) = given else {
            return if self.required {
                Err(ValidationError::new(
                    field,
                    Rule::Empty,
                    "this question must be answered",
                ))
            } else {
                Ok(None)
            };
        };
        let wrong = |what: &str| {
            ValidationError::new(field.clone(), Rule::UnknownValue, format!("must be {what}"))
                .with("value", value.to_string())
        };
        let checked = match &self.kind {
            QuestionKind::Text { max_length } => {
                let text = value.as_str().ok_or_else(|| wrong("text"))?;
                let min = usize::from(self.required);
                serde_json::Value::String(checked_text(&field, text, min, *max_length as usize)?)
            }
            QuestionKind::Number { min, max } => {
                let n = value.as_i64().ok_or_else(|| wrong("a whole number"))?;
                if n < *min || n > *max {
                    return Err(
                        ValidationError::new(field, Rule::Range, "the number is out of range")
                            .with("min", min)
                            .with("max", max),
                    );
                }
                serde_json::Value::from(n)
            }
            QuestionKind::SingleChoice { choices } => {
                let choice = value.as_str().ok_or_else(|| wrong("one of the choices"))?;
                if !choices.iter().any(|c| c == choice) {
                    return Err(wrong("one of the choices"));
                }
                serde_json::Value::String(choice.to_owned())
            }
            QuestionKind::MultipleChoice { choices } => {
                let picked = value.as_array().ok_or_else(|| wrong("a list of choices"))?;
                let mut kept: Vec<String> = Vec::with_capacity(picked.len());
                for item in picked {
                    let choice = item.as_str().ok_or_else(|| wrong("a list of choices"))?;
                    if !choices.iter().any(|c| c == choice) {
                        return Err(wrong("a list of choices"));
                    }
                    if kept.iter().any(|k| k == choice) {
                        return Err(
                            ValidationError::new(field, Rule::Duplicate, "a choice is picked twice")
                                .with("value", choice),
                        );
                    }
                    kept.push(choice.to_owned());
                }
                if kept.is_empty() && self.required {
                    return Err(ValidationError::new(
                        field,
                        Rule::Empty,
                        "pick at least one choice",
                    ));
                }
                serde_json::Value::from(kept)
            }
        };
        Ok(Some(checked))
    }
}

fn checked_choices(field: &str, choices: Vec<String>) -> Result<Vec<String>, ValidationError> {
    if choices.is_empty() || choices.len() > MAX_CHOICES {
        return Err(ValidationError::new(
            format!("{field}.choices"),
            Rule::TooMany,
            "a choice question offers 1 to 20 choices",
        )
        .with("max", MAX_CHOICES));
    }
    let mut kept: Vec<String> = Vec::with_capacity(choices.len());
    for (i, choice) in choices.iter().enumerate() {
        let choice = checked_text(&format!("{field}.choices[{i}]"), choice, 1, 50)?;
        if kept.contains(&choice) {
            return Err(ValidationError::new(
                format!("{field}.choices"),
                Rule::Duplicate,
                "a choice is listed twice",
            )
            .with("value", &choice));
        }
        kept.push(choice);
    }
    Ok(kept)
}

/// Checks a category's questions: at most [`MAX_QUESTIONS`], keys distinct.
pub fn checked_questions(questions: Vec<Question>) -> Result<Vec<Question>, ValidationError> {
    if questions.len() > MAX_QUESTIONS {
        return Err(
            ValidationError::new("questions", Rule::TooMany, "at most 10 questions")
                .with("max", MAX_QUESTIONS),
        );
    }
    let mut kept: Vec<Question> = Vec::with_capacity(questions.len());
    for (i, question) in questions.into_iter().enumerate() {
        if kept.iter().any(|q| q.key == question.key) {
            return Err(
                ValidationError::new("questions", Rule::Duplicate, "a question key is used twice")
                    .with("value", question.key.as_str()),
            );
        }
        kept.push(question.checked(i)?);
    }
    Ok(kept)
}

/// The answers to a category's questions, as stored: question key → checked value.
pub type Answers = serde_json::Map<String, serde_json::Value>;

/// A category of requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestCategory {
    pub key: CategoryKey,
    pub name: String,
    pub deadlines: Deadlines,
    pub questions: Vec<Question>,
    /// A retired category takes no new requests; those filed under it keep it.
    pub active: bool,
    pub updated_at: DateTime<Utc>,
}

impl RequestCategory {
    /// Checks `answers` against the category's questions: every required one answered, each
    /// answer of its question's type, no answer to a question the category does not ask.
    pub fn checked_answers(&self, answers: &Answers) -> Result<Answers, ValidationError> {
        if let Some(stray) = answers
            .keys()
            .find(|k| !self.questions.iter().any(|q| q.key.as_str() == *k))
        {
            return Err(ValidationError::new(
                format!("answers.{stray}"),
                Rule::UnknownValue,
                "the category asks no such question",
            )
            .with("value", stray));
        }
        let mut kept = Answers::new();
        for question in &self.questions {
            if let Some(value) = question.answer(answers.get(question.key.as_str()))? {
                kept.insert(question.key.as_str().to_owned(), value);
            }
        }
        Ok(kept)
    }
}

/// The categories every district starts with: key, name, minutes to respond, minutes to
/// resolve (emergency 2 h / 24 h, utilities 24 h / 72 h, general 2 days / 7 days, complex
/// 2 days / 15 days, and residents' small wishes 微心愿, 3 days / 30 days).
pub const DEFAULT_CATEGORIES: [(&str, &str, u32, u32); 5] = [
    ("emergency", "紧急求助", 2 * 60, 24 * 60),
    ("utilities", "水电气暖", 24 * 60, 72 * 60),
    ("general", "一般诉求", 2 * 24 * 60, 7 * 24 * 60),
    ("complex", "复杂诉求", 2 * 24 * 60, 15 * 24 * 60),
    ("wish", "微心愿", 3 * 24 * 60, 30 * 24 * 60),
];

#[cfg(test)]
mod tests;
