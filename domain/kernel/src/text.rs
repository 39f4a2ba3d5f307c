//! Checked text: names typed on phones arrive with stray spaces and sometimes control characters.

use crate::ValidationError;

/// Trims `raw` and checks it holds between `min` and `max` characters (not bytes: most names
/// here are Chinese) and no control characters.
pub fn checked_text(field: &str, raw: &str, min: usize, max: usize) -> Result<String, ValidationError> {
    let trimmed = raw.trim();
    let chars = trimmed.chars().count();
    if chars < min {
        return Err(ValidationError::new(
            field,
            if min == 1 {
                "must not be empty".to_owned()
            } else {
                format!("must have at least {min} characters")
            },
        ));
    }
    if chars > max {
        return Err(ValidationError::new(
            field,
            format!("must have at most {max} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ValidationError::new(field, "must not contain control characters"));
    }
    Ok(trimmed.to_owned())
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
}
