//! The HMAC-SM3 blind index of phone numbers, for exact-match lookups.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sm3::Sm3;
use zeroize::Zeroizing;

use super::{CryptoError, INDEX_KEY_BYTES, INDEX_KEY_VAR, config, decode_key};

pub(super) type HmacSm3 = Hmac<Sm3>;

const PHONE_INDEX_DOMAIN: &[u8] = b"phone:";

/// The HMAC-SM3 key of the blind index. `Debug` never shows it.
#[derive(Clone)]
pub struct BlindIndexKey {
    mac: HmacSm3,
}

impl BlindIndexKey {
    /// Parses `LINLI_DATA_INDEX_KEY`: 32 bytes as hex (64 digits) or base64.
    pub fn parse(spec: &str) -> Result<Self, CryptoError> {
        let key = decode_key::<INDEX_KEY_BYTES>(spec.trim()).ok_or_else(|| {
            config(format!(
                "{INDEX_KEY_VAR} must be {INDEX_KEY_BYTES} bytes as hex or base64"
            ))
        })?;
        Self::new(&key)
    }

    /// A blind index key from its 32 bytes.
    pub fn new(key: &[u8; INDEX_KEY_BYTES]) -> Result<Self, CryptoError> {
        let mac = <HmacSm3 as KeyInit>::new_from_slice(key)
            .map_err(|_| config(format!("{INDEX_KEY_VAR} is not a usable HMAC key")))?;
        Ok(Self { mac })
    }

    /// HMAC-SM3 of the normalised phone (see [`normalize_phone`]), as 64 lowercase hex digits:
    /// equal phones give equal indexes under one key, so `WHERE phone_index = ?` finds them,
    /// and nobody without the key can compute or reverse one. The input is prefixed with
    /// `phone:` so that an index of another field under the same key never equals it.
    pub fn blind_index(&self, phone: &str) -> String {
        let normalized = Zeroizing::new(normalize_phone(phone));
        let mut mac = self.mac.clone();
        mac.update(PHONE_INDEX_DOMAIN);
        mac.update(normalized.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

impl fmt::Debug for BlindIndexKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BlindIndexKey(..)")
    }
}

/// The phone as it is indexed: full-width digits and `＋` made ASCII, whitespace and hyphens
/// removed, and a leading `+86` or `0086` dropped. `+86 138-0013-8000`, `13800138000` and
/// `１３８００１３８０００` all give `13800138000`. Changing this changes every index: stored
/// indexes must then be recomputed.
pub fn normalize_phone(phone: &str) -> String {
    let compact: String = phone
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
            '＋' => Some('+'),
            c if c.is_whitespace() || c == '-' => None,
            c => Some(c),
        })
        .collect();
    match compact
        .strip_prefix("+86")
        .or_else(|| compact.strip_prefix("0086"))
    {
        Some(national) => national.to_owned(),
        None => compact,
    }
}
