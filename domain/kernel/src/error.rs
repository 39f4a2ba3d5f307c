//! Errors shared by every context.

/// Input that breaks a rule of form (length, range, format). Each context wraps it in its
/// own error type; the API answers it with 400 `validation_failed` and the field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
