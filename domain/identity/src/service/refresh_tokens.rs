//! Refresh tokens are opaque random strings; only their SHA-256 is stored, so a leaked
//! table cannot be replayed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes, URL-safe base64: 43 characters.
pub(crate) fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_refresh_token(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// Whether a presented string could be one of our tokens at all; anything else is refused
/// before it reaches storage.
pub(crate) fn looks_like_refresh_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_well_formed() {
        let (a, b) = (new_refresh_token(), new_refresh_token());
        assert_ne!(a, b);
        assert!(looks_like_refresh_token(&a));
        assert!(!looks_like_refresh_token("short"));
    }

    #[test]
    fn the_hash_is_stable_and_not_the_token() {
        let token = new_refresh_token();
        assert_eq!(hash_refresh_token(&token), hash_refresh_token(&token));
        assert_ne!(hash_refresh_token(&token), token);
        assert_eq!(hash_refresh_token(&token).len(), 64);
    }
}
