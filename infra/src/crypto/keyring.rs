//! The SM4-GCM data keys: sealing, opening and re-sealing values under a key id.

use std::collections::BTreeMap;
use std::fmt;

use aes_gcm::AesGcm;
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use zeroize::Zeroizing;

use super::{CryptoError, DATA_KEY_BYTES, DATA_KEYS_VAR, MAX_KEY_ID_CHARS, config, decode_key};
use sm4::Sm4;

/// SM4 in Galois/Counter Mode with a 96-bit nonce and a 128-bit tag (as in RFC 8998).
pub(super) type Sm4Gcm = AesGcm<Sm4, U12>;

pub(super) const FORMAT_VERSION: &str = "v1";
pub(super) const NONCE_BYTES: usize = 12;
pub(super) const TAG_BYTES: usize = 16;

/// The SM4 data keys: one current key (it seals) and older keys (they only open).
///
/// `Debug` shows the key ids, never the keys; the cipher states are zeroized on drop.
#[derive(Clone)]
pub struct KeyRing {
    current: String,
    keys: BTreeMap<String, Sm4Gcm>,
}

impl KeyRing {
    /// Parses `LINLI_DATA_KEYS`: comma-separated `<id>:<key>` entries, the first the current
    /// key, each key 16 bytes as hex (32 digits) or base64 (standard or URL-safe, padded or
    /// not). Ids are 1 to 16 characters of `A-Z a-z 0-9 _ . -`, unique: shorter than any key
    /// written out, so a key pasted where the id belongs is refused rather than stored in
    /// every sealed value.
    pub fn parse(spec: &str) -> Result<Self, CryptoError> {
        let mut entries = Vec::new();
        for (position, entry) in spec.split(',').map(str::trim).enumerate() {
            let number = position + 1;
            if entry.is_empty() {
                return Err(config(format!("{DATA_KEYS_VAR}: entry {number} is empty")));
            }
            let Some((id, key)) = entry.split_once(':') else {
                return Err(config(format!(
                    "{DATA_KEYS_VAR}: entry {number} is not of the form <key id>:<key>"
                )));
            };
            // Neither message quotes the entry: a key may stand where the id should.
            let id = id.trim();
            check_key_id(id).map_err(|_| {
                config(format!(
                    "{DATA_KEYS_VAR}: the key id of entry {number} must be {KEY_ID_RULE}"
                ))
            })?;
            let key = decode_key::<DATA_KEY_BYTES>(key.trim()).ok_or_else(|| {
                config(format!(
                    "{DATA_KEYS_VAR}: the key of entry {number} is not {DATA_KEY_BYTES} bytes as hex or base64"
                ))
            })?;
            entries.push((id.to_owned(), key));
        }
        let mut entries = entries.into_iter();
        let (current_id, current_key) = entries
            .next()
            .ok_or_else(|| config(format!("{DATA_KEYS_VAR} names no key")))?;
        let mut ring = Self::new(&current_id, &current_key)?;
        for (id, key) in entries {
            ring.add_old_key(&id, &key)?;
        }
        Ok(ring)
    }

    /// A key ring whose current key is `key` under `id`.
    pub fn new(id: &str, key: &[u8; DATA_KEY_BYTES]) -> Result<Self, CryptoError> {
        check_key_id(id)?;
        let mut keys = BTreeMap::new();
        keys.insert(id.to_owned(), sm4_gcm(key)?);
        Ok(Self {
            current: id.to_owned(),
            keys,
        })
    }

    /// Adds an older key: it opens values sealed under `id`, and never seals.
    pub fn add_old_key(&mut self, id: &str, key: &[u8; DATA_KEY_BYTES]) -> Result<(), CryptoError> {
        check_key_id(id)?;
        if self.keys.contains_key(id) {
            return Err(config(format!("{DATA_KEYS_VAR}: key id {id:?} appears twice")));
        }
        self.keys.insert(id.to_owned(), sm4_gcm(key)?);
        Ok(())
    }

    /// The id new values are sealed under.
    pub fn current_key_id(&self) -> &str {
        &self.current
    }

    /// Every configured key id, the current one included.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// Seals `plaintext` under the current key with a fresh random nonce, binding `context`
    /// (e.g. `users.phone:<user id>`) as associated data: the same context must be given to
    /// [`open`](Self::open).
    pub fn seal(&self, plaintext: &str, context: &str) -> Result<String, CryptoError> {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        self.seal_with_nonce(plaintext, context, nonce)
    }

    pub(super) fn seal_with_nonce(
        &self,
        plaintext: &str,
        context: &str,
        nonce: [u8; NONCE_BYTES],
    ) -> Result<String, CryptoError> {
        let cipher = self
            .keys
            .get(&self.current)
            .ok_or_else(|| CryptoError::UnknownKey(self.current.clone()))?;
        let aad = associated_data(&self.current, context);
        let sealed = cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            // Only a plaintext beyond GCM's limit fails to seal.
            .map_err(|_| CryptoError::TooLong)?;
        let mut payload = Vec::with_capacity(NONCE_BYTES + sealed.len());
        payload.extend_from_slice(&nonce);
        payload.extend_from_slice(&sealed);
        Ok(format!(
            "{FORMAT_VERSION}:{}:{}",
            self.current,
            URL_SAFE_NO_PAD.encode(payload)
        ))
    }

    /// Opens a value [`seal`](Self::seal) produced, with the key its id names (current or
    /// older) and the same `context`. A wrong key, a wrong context or any alteration is an
    /// error, never a panic.
    pub fn open(&self, stored: &str, context: &str) -> Result<String, CryptoError> {
        let (id, payload) = split_sealed(stored)?;
        let cipher = self
            .keys
            .get(id)
            .ok_or_else(|| CryptoError::UnknownKey(id.to_owned()))?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| CryptoError::Malformed)?;
        if payload.len() < NONCE_BYTES + TAG_BYTES {
            return Err(CryptoError::Malformed);
        }
        let (nonce, sealed) = payload
            .split_first_chunk::<NONCE_BYTES>()
            .ok_or(CryptoError::Malformed)?;
        let aad = associated_data(id, context);
        let plaintext = Zeroizing::new(
            cipher
                .decrypt(
                    &(*nonce).into(),
                    Payload {
                        msg: sealed,
                        aad: &aad,
                    },
                )
                .map_err(|_| CryptoError::Unauthentic)?,
        );
        // The tag covered these bytes, so they are what seal() was given: UTF-8.
        String::from_utf8(plaintext.to_vec()).map_err(|_| CryptoError::Malformed)
    }

    /// Whether `stored` was sealed under a key other than the current one (or is not a sealed
    /// value at all): what a rotation job looks for.
    pub fn needs_reseal(&self, stored: &str) -> bool {
        sealed_key_id(stored) != Some(self.current.as_str())
    }

    /// Rotation: opens `stored` and seals it again under the current key if it was sealed
    /// under an older one; `None` when it is already under the current key.
    pub fn reseal(&self, stored: &str, context: &str) -> Result<Option<String>, CryptoError> {
        if !self.needs_reseal(stored) {
            return Ok(None);
        }
        let plaintext = Zeroizing::new(self.open(stored, context)?);
        self.seal(&plaintext, context).map(Some)
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", &self.current)
            .field("key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The key id a sealed value names, without opening it (`None` if it is not a sealed value).
pub fn sealed_key_id(stored: &str) -> Option<&str> {
    split_sealed(stored).ok().map(|(id, _)| id)
}

pub(super) fn split_sealed(stored: &str) -> Result<(&str, &str), CryptoError> {
    let mut parts = stored.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(FORMAT_VERSION), Some(id), Some(payload)) if !id.is_empty() => Ok((id, payload)),
        _ => Err(CryptoError::Malformed),
    }
}

/// The associated data: the format version and key id (so the header cannot be edited) and
/// the caller's context. Ids contain no `:`, so the encoding is unambiguous.
fn associated_data(id: &str, context: &str) -> Vec<u8> {
    format!("{FORMAT_VERSION}:{id}:{context}").into_bytes()
}

fn sm4_gcm(key: &[u8; DATA_KEY_BYTES]) -> Result<Sm4Gcm, CryptoError> {
    Sm4Gcm::new_from_slice(key).map_err(|_| config("an SM4 key must be 16 bytes".to_owned()))
}

const KEY_ID_RULE: &str = "1 to 16 characters of A-Z a-z 0-9 _ . -";

/// An invalid id is never quoted back: it may be a key.
fn check_key_id(id: &str) -> Result<(), CryptoError> {
    let valid = !id.is_empty()
        && id.len() <= MAX_KEY_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if valid {
        Ok(())
    } else {
        Err(config(format!("a key id must be {KEY_ID_RULE}")))
    }
}
