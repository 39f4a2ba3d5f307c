//! Checked text: names typed on phones arrive with stray spaces and sometimes control characters;
//! and text leaving the system in a spreadsheet must not be read as a formula.

use std::borrow::Cow;

use crate::{Rule, ValidationError};

/// Bidirectional embedding, override and isolate characters (U+202A–U+202E, U+2066–U+2069):
/// they make a name display as something other than what it is ("Trojan Source").
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Trims `raw` and checks it holds between `min` and `max` characters (not bytes: most names
/// here are Chinese) and no control characters.
pub fn checked_text(field: &str, raw: &str, min: usize, max: usize) -> Result<String, ValidationError> {
    let trimmed = raw.trim();
    let chars = trimmed.chars().count();
    if chars < min {
        return Err(if min == 1 {
            ValidationError::new(field, Rule::Empty, "must not be empty")
        } else {
            ValidationError::new(
                field,
                Rule::TextLength,
                format!("must have at least {min} characters"),
            )
            .with("min", min)
            .with("max", max)
        });
    }
    if chars > max {
        return Err(ValidationError::new(
            field,
            Rule::TextLength,
            format!("must have at most {max} characters"),
        )
        .with("min", min)
        .with("max", max));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ValidationError::new(
            field,
            Rule::ControlCharacters,
            "must not contain control characters",
        ));
    }
    if trimmed.chars().any(is_bidi_control) {
        return Err(ValidationError::new(
            field,
            Rule::BidiCharacters,
            "must not contain bidirectional override characters",
        ));
    }
    Ok(trimmed.to_owned())
}

/// One cell of a CSV file this system exports, safe to open in a spreadsheet: a cell that
/// begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula
/// (CSV injection), so it gets a leading `'`. Quoting for the CSV syntax itself is the
/// writer's (the `csv` crate) job.
pub fn csv_cell(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        assert!(checked_text("name", "幸福里社区", 1, 5).is_ok());
        assert!(checked_text("name", "幸福里社区一", 1, 5).is_err());
    }

    #[test]
    fn trims_and_refuses_blank_and_control_characters() {
        assert_eq!(
            checked_text("name", "  一网格 ", 1, 10).ok().as_deref(),
            Some("一网格")
        );
        assert!(checked_text("name", "   ", 1, 10).is_err());
        assert!(checked_text("name", "a\u{7}b", 1, 10).is_err());
    }

    #[test]
    fn refuses_bidirectional_overrides_and_isolates() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
            '\u{2069}',
        ] {
            let name = format!("幸福{c}里");
            let error = checked_text("name", &name, 1, 10).unwrap_err();
            assert_eq!(error.field, "name");
        }
        // Neighbours of the ranges, and joiners that Chinese and emoji text uses, pass.
        assert!(checked_text("name", "a\u{2065}b", 1, 10).is_ok());
        assert!(checked_text("name", "a\u{200D}b", 1, 10).is_ok());
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_evaluate_are_prefixed() {
        for risky in ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_cell(risky), format!("'{risky}"));
        }
        for plain in ["幸福里社区", "1号楼", "", "a=b", " =x"] {
            assert!(matches!(csv_cell(plain), Cow::Borrowed(_)), "{plain}");
        }
    }
}
