//! Cursor pagination: `?limit=` (default 20, max 100) and `?cursor=`; answers carry
//! `next_cursor`, null on the last page. A cursor is the last id seen, opaque to clients.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use linli_kernel::PageRequest;
use uuid::Uuid;

use super::error::ApiError;

/// Declares the answer of a listing, `{items, next_cursor}`, and how a domain page becomes it.
macro_rules! list_of {
    ($name:ident, $item:ty) => {
        #[derive(poem_openapi::Object, Debug)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Pass as `cursor` for the next page; null on the last page.
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

pub fn page_request(limit: Option<u32>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
    let after = cursor.map(decode_cursor).transpose()?;
    Ok(PageRequest::new(limit, after)?)
}

pub fn encode_cursor(after: Option<Uuid>) -> Option<String> {
    after.map(|id| URL_SAFE_NO_PAD.encode(id.as_bytes()))
}

fn decode_cursor(cursor: &str) -> Result<Uuid, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::validation("cursor", "is not a cursor this API gave out"))
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
        assert!(page_request(Some(101), None).is_err());
    }
}
