//! Cursor pagination: `?limit=` (default 20, max 100) and `?cursor=`; answers carry
//! `next_cursor`, null on the last page. A cursor is the last id seen, opaque to clients.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use linli_kernel::page::{DEFAULT_LIMIT, MAX_LIMIT};
use linli_kernel::{PageRequest, Rule, ValidationError};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromParameter, ParseResult, Type};
use uuid::Uuid;

use super::error::ApiError;

/// Declares the answer of a listing, `{items, next_cursor}`, and how a domain page becomes it.
macro_rules! list_of {
    ($name:ident, $item:ty) => {
        #[derive(poem_openapi::Object, Debug)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Pass as `cursor` for the next page; null on the last page.
            #[oai(nullable)]
            pub next_cursor: Option<String>,
        }

        impl<T: Into<$item>> From<linli_kernel::Page<T>> for $name {
            fn from(page: linli_kernel::Page<T>) -> Self {
                Self {
                    next_cursor: $crate::http::pagination::encode_cursor(page.next_after),
                    items: page.items.into_iter().map(Into::into).collect(),
                }
            }
        }
    };
}
pub(crate) use list_of;

/// `?limit=`: the spec shows its default and bounds; a number outside them is refused by
/// `page_request` as `validation_failed`, anything not a number by poem as `malformed_request`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub u32);

impl Type for Limit {
    const IS_REQUIRED: bool = true;
    type RawValueType = u32;
    type RawElementValueType = u32;

    fn name() -> Cow<'static, str> {
        "integer_uint32".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            default: Some(DEFAULT_LIMIT.into()),
            minimum: Some(1.0),
            maximum: Some(f64::from(MAX_LIMIT)),
            ..MetaSchema::new_with_format("integer", "uint32")
        }))
    }

    fn as_raw_value(&self) -> Option<&u32> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a u32> + 'a> {
        Box::new(std::iter::once(&self.0))
    }
}

impl ParseFromParameter for Limit {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        value.parse().map(Self).map_err(ParseError::custom)
    }
}

pub fn page_request(limit: Option<Limit>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
    // `?cursor=` (empty) is the first page, as no cursor is. (`str::is_empty` by name:
    // poem-openapi's `Type::is_empty`, in scope here, would answer for `&&str` and say no.)
    let after = cursor
        .filter(|c| !str::is_empty(c))
        .map(decode_cursor)
        .transpose()?;
    Ok(PageRequest::new(limit.map(|l| l.0), after)?)
}

pub fn encode_cursor(after: Option<Uuid>) -> Option<String> {
    after.map(|id| URL_SAFE_NO_PAD.encode(id.as_bytes()))
}

fn decode_cursor(cursor: &str) -> Result<Uuid, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| {
            ApiError::validation(&ValidationError::new(
                "cursor",
                Rule::Cursor,
                "is not a cursor this API gave out",
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_garbage_is_refused() {
        let id = Uuid::now_v7();
        let cursor = encode_cursor(Some(id)).unwrap();
        assert_eq!(page_request(None, Some(&cursor)).unwrap().after(), Some(id));
        assert!(page_request(None, Some("%%%")).is_err());
        assert_eq!(
            page_request(None, Some("")).unwrap().after(),
            None,
            "`?cursor=` is page one"
        );
        assert!(page_request(Some(Limit(101)), None).is_err());
    }
}
