//! Personal data at rest: phone numbers and real names are stored sealed with SM4-GCM, and a
//! keyed hash (HMAC-SM3) of the phone sits beside it for exact-match lookups. See
//! `infra/CRYPTO.md` for what is sealed, how keys are configured and rotated, and the relation
//! to GB/T 39786-2021.
//!
//! - [`KeyRing`]: the SM4 data keys, one current (it seals) and older ones (they still open).
//! - [`BlindIndexKey`]: the HMAC-SM3 key of the blind index, separate from the data keys.
//! - [`PersonalDataKeys`]: both together, what the API holds; [`resolve_personal_data_keys`]
//!   applies the configuration rule (configured keys, or in development a key file kept in the
//!   data dir, refused in production).
//!
//! A sealed value is text: `v1:<key id>:<base64url(nonce || ciphertext || tag)>`, with a random
//! 96-bit nonce per value. The caller's context (e.g. `users.phone:<user id>`) is bound as
//! associated data, so a value copied to another row or column does not open.

mod blind_index;
mod keyring;
mod keys_config;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use zeroize::Zeroizing;

pub use blind_index::{BlindIndexKey, normalize_phone};
pub use keyring::{KeyRing, sealed_key_id};
pub use keys_config::{load_or_generate_dev_keys, resolve_personal_data_keys};

/// Bytes of an SM4 key.
pub const DATA_KEY_BYTES: usize = 16;
/// Bytes of the HMAC-SM3 blind index key.
pub const INDEX_KEY_BYTES: usize = 32;
/// The longest key id accepted: shorter than any SM4 key as text (22 base64 characters).
pub const MAX_KEY_ID_CHARS: usize = 16;
/// The name of the development key file in the data dir.
pub const DEV_KEY_FILE: &str = "personal_data_keys";

pub(crate) const DATA_KEYS_VAR: &str = "LINLI_DATA_KEYS";
pub(crate) const INDEX_KEY_VAR: &str = "LINLI_DATA_INDEX_KEY";

/// What can go wrong. No variant ever carries key material or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The key configuration is missing or malformed; the message says which entry and why.
    #[error("{0}")]
    Config(String),
    /// The stored text is not a sealed value of a known format.
    #[error("not a sealed value")]
    Malformed,
    /// The value was sealed under a key id this key ring does not have.
    #[error("sealed under key {0:?}, which is not configured")]
    UnknownKey(String),
    /// The plaintext is beyond what GCM can seal under one nonce (64 GiB).
    #[error("the value is too long to seal")]
    TooLong,
    /// Authentication failed: a wrong key, a wrong context, or an altered value.
    #[error("the sealed value does not open (wrong key, wrong context, or altered)")]
    Unauthentic,
    /// Reading or writing the development key file failed.
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Both keys together: what the API keeps (behind an `Arc`) to seal, open and index personal
/// data. `Debug` shows key ids only.
#[derive(Clone, Debug)]
pub struct PersonalDataKeys {
    ring: KeyRing,
    index: BlindIndexKey,
}

impl PersonalDataKeys {
    pub fn new(ring: KeyRing, index: BlindIndexKey) -> Self {
        Self { ring, index }
    }

    /// From the two configuration values, `LINLI_DATA_KEYS` and `LINLI_DATA_INDEX_KEY`.
    pub fn parse(data_keys: &str, index_key: &str) -> Result<Self, CryptoError> {
        Ok(Self::new(
            KeyRing::parse(data_keys)?,
            BlindIndexKey::parse(index_key)?,
        ))
    }

    pub fn key_ring(&self) -> &KeyRing {
        &self.ring
    }

    pub fn index_key(&self) -> &BlindIndexKey {
        &self.index
    }

    /// See [`KeyRing::seal`].
    pub fn seal(&self, plaintext: &str, context: &str) -> Result<String, CryptoError> {
        self.ring.seal(plaintext, context)
    }

    /// See [`KeyRing::open`].
    pub fn open(&self, stored: &str, context: &str) -> Result<String, CryptoError> {
        self.ring.open(stored, context)
    }

    /// See [`BlindIndexKey::blind_index`].
    pub fn blind_index(&self, phone: &str) -> String {
        self.index.blind_index(phone)
    }
}

/// A key of exactly `N` bytes: hex if it is `2 N` hex digits, base64 (standard or URL-safe,
/// padded or not) otherwise. The lengths never collide, so the reading is unambiguous.
fn decode_key<const N: usize>(text: &str) -> Option<Zeroizing<[u8; N]>> {
    let bytes = Zeroizing::new(
        if text.len() == 2 * N && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).ok()?
        } else {
            [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
                .iter()
                .find_map(|engine| engine.decode(text).ok())?
        },
    );
    let key: [u8; N] = bytes.as_slice().try_into().ok()?;
    Some(Zeroizing::new(key))
}

fn config(message: String) -> CryptoError {
    CryptoError::Config(message)
}
