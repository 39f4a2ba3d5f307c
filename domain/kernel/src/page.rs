//! Keyset pagination over UUID v7 ids: stable under inserts, cheap at any depth.

use uuid::Uuid;

use crate::{Rule, ValidationError};

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    limit: u32,
    after: Option<Uuid>,
}

impl PageRequest {
    pub fn new(limit: Option<u32>, after: Option<Uuid>) -> Result<Self, ValidationError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ValidationError::new(
                "limit",
                Rule::Range,
                format!("must be between 1 and {MAX_LIMIT}"),
            )
            .with("min", 1)
            .with("max", MAX_LIMIT));
        }
        Ok(Self { limit, after })
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Items strictly after this id are wanted.
    pub fn after(&self) -> Option<Uuid> {
        self.after
    }

    /// What a repository fetches: one more than asked, to learn whether a next page exists.
    pub fn fetch_limit(&self) -> u64 {
        u64::from(self.limit) + 1
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The id to continue after, when more items exist.
    pub next_after: Option<Uuid>,
}

impl<T> Page<T> {
    /// No items, no next page: what a listing answers an actor who can see nothing.
    pub fn empty() -> Self {
        Self {
            items: Vec::new(),
            next_after: None,
        }
    }

    /// Builds a page from up to `fetch_limit` rows ordered by id.
    pub fn from_rows(mut rows: Vec<T>, request: PageRequest, id_of: impl Fn(&T) -> Uuid) -> Self {
        let limit = request.limit as usize;
        let next_after = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(&id_of)
        } else {
            None
        };
        Self {
            items: rows,
            next_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_outside_one_to_hundred_is_refused() {
        assert!(PageRequest::new(Some(0), None).is_err());
        assert!(PageRequest::new(Some(101), None).is_err());
        assert_eq!(PageRequest::new(None, None).map(|p| p.limit()).ok(), Some(20));
    }

    #[test]
    fn a_next_cursor_appears_only_when_more_rows_exist() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let request = PageRequest::new(Some(2), None).unwrap();
        let page = Page::from_rows(ids.clone(), request, |id| *id);
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.next_after, ids.get(1).copied());
        let last = Page::from_rows(ids[..2].to_vec(), request, |id| *id);
        assert_eq!(last.next_after, None);
    }
}
