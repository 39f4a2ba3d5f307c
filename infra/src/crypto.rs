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

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use aes_gcm::AesGcm;
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sm3::Sm3;
use sm4::Sm4;
use zeroize::Zeroizing;

/// SM4 in Galois/Counter Mode with a 96-bit nonce and a 128-bit tag (as in RFC 8998).
type Sm4Gcm = AesGcm<Sm4, U12>;
type HmacSm3 = Hmac<Sm3>;

/// Bytes of an SM4 key.
pub const DATA_KEY_BYTES: usize = 16;
/// Bytes of the HMAC-SM3 blind index key.
pub const INDEX_KEY_BYTES: usize = 32;
/// The longest key id accepted: shorter than any SM4 key as text (22 base64 characters).
pub const MAX_KEY_ID_CHARS: usize = 16;
/// The name of the development key file in the data dir.
pub const DEV_KEY_FILE: &str = "personal_data_keys";

const FORMAT_VERSION: &str = "v1";
const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;
const PHONE_INDEX_DOMAIN: &[u8] = b"phone:";
const DATA_KEYS_VAR: &str = "LINLI_DATA_KEYS";
const INDEX_KEY_VAR: &str = "LINLI_DATA_INDEX_KEY";

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

    fn seal_with_nonce(
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

fn split_sealed(stored: &str) -> Result<(&str, &str), CryptoError> {
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

/// The configuration rule: both values configured → those keys; in production anything
/// missing → refused; in development with neither → the key file in `data_dir` (generated on
/// first use, mode 0600, see [`load_or_generate_dev_keys`]). One configured without the other
/// is refused everywhere: mixing configured and generated keys would only confuse.
pub fn resolve_personal_data_keys(
    data_keys: Option<&str>,
    index_key: Option<&str>,
    production: bool,
    data_dir: &Path,
) -> Result<PersonalDataKeys, CryptoError> {
    match (data_keys, index_key) {
        (Some(data_keys), Some(index_key)) => PersonalDataKeys::parse(data_keys, index_key),
        (None, None) if !production => load_or_generate_dev_keys(data_dir),
        (None, _) => Err(config(format!("{DATA_KEYS_VAR} is not set"))),
        (_, None) => Err(config(format!("{INDEX_KEY_VAR} is not set"))),
    }
}

/// Development keys kept in `data_dir/personal_data_keys` (mode 0600 on Unix): loaded if the
/// file exists, generated otherwise. The file holds the two configuration lines
/// (`LINLI_DATA_KEYS=dev-…:<base64>`, `LINLI_DATA_INDEX_KEY=<base64>`). A file that exists but
/// does not parse is an error and is never overwritten: the data sealed under it would be
/// lost. Two processes starting together end up with the same keys (the file is published
/// with a hard link, which fails if it already exists).
pub fn load_or_generate_dev_keys(data_dir: &Path) -> Result<PersonalDataKeys, CryptoError> {
    let path = data_dir.join(DEV_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(contents) => return parse_dev_key_file(&Zeroizing::new(contents), &path),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => return Err(io_error("reading", &path, source)),
    }
    std::fs::create_dir_all(data_dir).map_err(|source| io_error("creating", data_dir, source))?;
    let contents = Zeroizing::new(generate_dev_key_file());
    let keys = parse_dev_key_file(&contents, &path)?;
    let temporary = data_dir.join(format!(".{DEV_KEY_FILE}.{}", uuid::Uuid::new_v4().simple()));
    write_private(&temporary, &contents).map_err(|source| io_error("writing", &temporary, source))?;
    let published = std::fs::hard_link(&temporary, &path);
    let _ = std::fs::remove_file(&temporary);
    match published {
        Ok(()) => {
            tracing::info!(path = %path.display(), "generated personal data keys for development");
            Ok(keys)
        }
        // Another process published its keys first: use those.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            let contents =
                std::fs::read_to_string(&path).map_err(|source| io_error("reading", &path, source))?;
            parse_dev_key_file(&Zeroizing::new(contents), &path)
        }
        Err(source) => Err(io_error("writing", &path, source)),
    }
}

fn generate_dev_key_file() -> String {
    let mut rng = rand::rng();
    let mut id = [0u8; 4];
    rng.fill_bytes(&mut id);
    let mut data_key = Zeroizing::new([0u8; DATA_KEY_BYTES]);
    rng.fill_bytes(data_key.as_mut_slice());
    let mut index_key = Zeroizing::new([0u8; INDEX_KEY_BYTES]);
    rng.fill_bytes(index_key.as_mut_slice());
    format!(
        "# Development keys for personal data at rest, generated by linli. Never use them in\n\
         # production. Keep this file with the database: without it the phone numbers and real\n\
         # names stored there cannot be read.\n\
         {DATA_KEYS_VAR}=dev-{}:{}\n\
         {INDEX_KEY_VAR}={}\n",
        hex::encode(id),
        STANDARD.encode(data_key.as_slice()),
        STANDARD.encode(index_key.as_slice()),
    )
}

fn parse_dev_key_file(contents: &str, path: &Path) -> Result<PersonalDataKeys, CryptoError> {
    let in_file = |error: CryptoError| config(format!("{}: {error}", path.display()));
    let mut data_keys = None;
    let mut index_key = None;
    for line in contents.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once('=') {
            Some((DATA_KEYS_VAR, value)) => data_keys = Some(value),
            Some((INDEX_KEY_VAR, value)) => index_key = Some(value),
            _ => {
                return Err(in_file(config(
                    "a line is neither a comment nor a key".to_owned(),
                )));
            }
        }
    }
    let data_keys = data_keys.ok_or_else(|| in_file(config(format!("{DATA_KEYS_VAR} is missing"))))?;
    let index_key = index_key.ok_or_else(|| in_file(config(format!("{INDEX_KEY_VAR} is missing"))))?;
    PersonalDataKeys::parse(data_keys, index_key).map_err(in_file)
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

fn io_error(what: &'static str, path: &Path, source: std::io::Error) -> CryptoError {
    CryptoError::Io {
        what,
        path: path.to_owned(),
        source,
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const K1: [u8; 16] = [0x11; 16];
    const K2: [u8; 16] = [0x22; 16];
    const INDEX_KEY: [u8; 32] = [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
        28, 29, 30, 31,
    ];
    const PHONE_CONTEXT: &str = "users.phone:0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

    fn ring_k1() -> KeyRing {
        KeyRing::new("k1", &K1).unwrap()
    }

    fn ring_k2_k1() -> KeyRing {
        let mut ring = KeyRing::new("k2", &K2).unwrap();
        ring.add_old_key("k1", &K1).unwrap();
        ring
    }

    fn payload(stored: &str) -> Vec<u8> {
        let (_, payload) = split_sealed(stored).unwrap();
        URL_SAFE_NO_PAD.decode(payload).unwrap()
    }

    fn with_payload(stored: &str, payload: &[u8]) -> String {
        let (id, _) = split_sealed(stored).unwrap();
        format!("v1:{id}:{}", URL_SAFE_NO_PAD.encode(payload))
    }

    fn temp_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("linli-crypto-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    // --- known answers: the primitives are the standardised ones ---

    #[test]
    fn sm3_matches_gb_t_32905() {
        use sm3::Digest;
        assert_eq!(
            hex::encode(Sm3::digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn sm4_matches_gb_t_32907() {
        use sm4::cipher::BlockCipherEncrypt;
        let key: [u8; 16] = hex::decode("0123456789abcdeffedcba9876543210")
            .unwrap()
            .try_into()
            .unwrap();
        let cipher = <Sm4 as KeyInit>::new(&key.into());
        let mut block = key.into();
        cipher.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    }

    #[test]
    fn hmac_sm3_matches_gm_t_0042() {
        // GM/T 0042-2015 Appendix D.3: key 0x01..=0x25, message 50 bytes of 0xcd.
        let key: Vec<u8> = (0x01..=0x25).collect();
        let mut mac = <HmacSm3 as KeyInit>::new_from_slice(&key).unwrap();
        mac.update(&[0xcd; 50]);
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "220bf579ded555393f0159f66c99877822a3ecf610d1552154b41d44b94db3ae"
        );
    }

    #[test]
    fn sm4_gcm_matches_rfc_8998() {
        // RFC 8998 Appendix A.1 (SM4-GCM).
        let key = hex::decode("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let nonce: [u8; 12] = hex::decode("00001234567800000000ABCD")
            .unwrap()
            .try_into()
            .unwrap();
        let aad = hex::decode("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2").unwrap();
        let plaintext = hex::decode(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD\
             EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
        )
        .unwrap();
        let cipher = Sm4Gcm::new_from_slice(&key).unwrap();
        let sealed = cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: &plaintext,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(
            hex::encode_upper(&sealed),
            "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735\
             D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D\
             83DE3541E4C2B58177E065A9BF7B62EC"
        );
    }

    #[test]
    fn a_sealed_value_is_the_rfc_8998_construction_under_its_header() {
        // Pins the stored format: v1:<id>:<base64url(nonce || ciphertext || tag)>, with
        // "v1:<id>:<context>" as associated data.
        let ring = KeyRing::new("k1", &K1).unwrap();
        let nonce = [7u8; 12];
        let stored = ring.seal_with_nonce("13800138000", "ctx", nonce).unwrap();
        let expected = Sm4Gcm::new_from_slice(&K1)
            .unwrap()
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: b"13800138000",
                    aad: b"v1:k1:ctx",
                },
            )
            .unwrap();
        assert_eq!(payload(&stored), [&nonce[..], &expected].concat());
        assert!(stored.starts_with("v1:k1:"));
        assert_eq!(ring.open(&stored, "ctx").unwrap(), "13800138000");
    }

    // --- sealing and opening ---

    #[test]
    fn round_trips_phones_and_names_chinese_included() {
        let ring = ring_k1();
        for plaintext in [
            "13800138000",
            "张伟",
            "欧阳娜娜",
            "Zhāng Wěi",
            "阿卜杜热合曼·买买提",
            "",
        ] {
            let stored = ring.seal(plaintext, PHONE_CONTEXT).unwrap();
            assert!(stored.starts_with("v1:k1:"), "{stored}");
            assert!(!stored.contains(plaintext) || plaintext.is_empty());
            assert_eq!(ring.open(&stored, PHONE_CONTEXT).unwrap(), plaintext);
        }
    }

    #[test]
    fn after_rotation_old_values_open_and_new_ones_use_the_new_key() {
        let old = ring_k1().seal("王芳", "users.real_name:1").unwrap();
        let ring = ring_k2_k1();
        assert_eq!(ring.current_key_id(), "k2");
        assert_eq!(ring.open(&old, "users.real_name:1").unwrap(), "王芳");

        let new = ring.seal("王芳", "users.real_name:1").unwrap();
        assert_eq!(sealed_key_id(&new), Some("k2"));
        assert!(!ring.needs_reseal(&new));
        assert!(ring.needs_reseal(&old));

        let resealed = ring.reseal(&old, "users.real_name:1").unwrap().unwrap();
        assert_eq!(sealed_key_id(&resealed), Some("k2"));
        assert_eq!(ring.open(&resealed, "users.real_name:1").unwrap(), "王芳");
        assert_eq!(ring.reseal(&new, "users.real_name:1").unwrap(), None);

        // Once k1 is retired, what it sealed no longer opens.
        let retired = KeyRing::new("k2", &K2).unwrap();
        assert!(matches!(
            retired.open(&old, "users.real_name:1"),
            Err(CryptoError::UnknownKey(id)) if id == "k1"
        ));
    }

    #[test]
    fn a_wrong_key_under_the_same_id_is_refused() {
        let stored = ring_k1().seal("13800138000", PHONE_CONTEXT).unwrap();
        let other = KeyRing::new("k1", &K2).unwrap();
        assert!(matches!(
            other.open(&stored, PHONE_CONTEXT),
            Err(CryptoError::Unauthentic)
        ));
    }

    #[test]
    fn any_altered_byte_is_refused() {
        let ring = ring_k1();
        let stored = ring.seal("13800138000", PHONE_CONTEXT).unwrap();
        let original = payload(&stored);
        // Every byte: nonce, ciphertext and tag.
        for position in 0..original.len() {
            let mut altered = original.clone();
            altered[position] ^= 0x01;
            let result = ring.open(&with_payload(&stored, &altered), PHONE_CONTEXT);
            assert!(
                matches!(result, Err(CryptoError::Unauthentic)),
                "byte {position}: {result:?}"
            );
        }
        // Truncated, extended, or too short to hold a nonce and a tag.
        for altered in [
            &original[..original.len() - 1],
            &[&original[..], &[0u8]].concat()[..],
            &original[..NONCE_BYTES + TAG_BYTES - 1],
            &[][..],
        ] {
            assert!(ring.open(&with_payload(&stored, altered), PHONE_CONTEXT).is_err());
        }
    }

    #[test]
    fn malformed_values_are_errors_not_panics() {
        let ring = ring_k1();
        let stored = ring.seal("13800138000", PHONE_CONTEXT).unwrap();
        let (_, encoded) = split_sealed(&stored).unwrap();
        for bad in [
            "",
            "13800138000",
            "v1",
            "v1:k1",
            "v1::AAAA",
            &format!("v2:k1:{encoded}"),
            &format!("V1:k1:{encoded}"),
            "v1:k1:not base64!",
            "v1:k1:",
            &format!("{stored}="),
            &stored[..stored.len() - 3],
        ] {
            assert!(ring.open(bad, PHONE_CONTEXT).is_err(), "{bad:?}");
        }
        // Another key id in the header: not configured, or (when it is) bound by the AAD.
        let relabelled = stored.replacen("v1:k1:", "v1:k2:", 1);
        assert!(matches!(
            ring.open(&relabelled, PHONE_CONTEXT),
            Err(CryptoError::UnknownKey(_))
        ));
        let mut same_key_two_ids = KeyRing::new("k1", &K1).unwrap();
        same_key_two_ids.add_old_key("k2", &K1).unwrap();
        assert!(matches!(
            same_key_two_ids.open(&relabelled, PHONE_CONTEXT),
            Err(CryptoError::Unauthentic)
        ));
    }

    #[test]
    fn a_value_moved_to_another_row_or_column_is_refused() {
        let ring = ring_k1();
        let stored = ring.seal("13800138000", "users.phone:row-1").unwrap();
        assert_eq!(ring.open(&stored, "users.phone:row-1").unwrap(), "13800138000");
        for context in [
            "users.phone:row-2",
            "users.real_name:row-1",
            "",
            "users.phone:row-1 ",
        ] {
            assert!(
                matches!(ring.open(&stored, context), Err(CryptoError::Unauthentic)),
                "{context:?}"
            );
        }
    }

    #[test]
    fn every_value_gets_its_own_nonce() {
        let ring = ring_k1();
        let sealed: Vec<String> = (0..200)
            .map(|_| ring.seal("13800138000", PHONE_CONTEXT).unwrap())
            .collect();
        let values: HashSet<&String> = sealed.iter().collect();
        let nonces: HashSet<Vec<u8>> = sealed
            .iter()
            .map(|stored| payload(stored)[..NONCE_BYTES].to_vec())
            .collect();
        assert_eq!(values.len(), 200);
        assert_eq!(nonces.len(), 200);
    }

    // --- blind index ---

    #[test]
    fn the_blind_index_is_stable_normalised_and_keyed() {
        let index = BlindIndexKey::new(&INDEX_KEY).unwrap();
        let expected = index.blind_index("13800138000");
        assert_eq!(expected.len(), 64);
        assert!(
            expected
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        for same in [
            "13800138000",
            " 138 0013 8000 ",
            "+86 138-0013-8000",
            "+8613800138000",
            "008613800138000",
            "１３８００１３８０００",
            "＋86 13800138000",
        ] {
            assert_eq!(index.blind_index(same), expected, "{same:?}");
        }
        assert_ne!(index.blind_index("13800138001"), expected);

        let other = BlindIndexKey::new(&[0x5a; 32]).unwrap();
        assert_ne!(other.blind_index("13800138000"), expected);
    }

    #[test]
    fn the_blind_index_is_hmac_sm3_of_the_prefixed_phone() {
        // Computed independently (Python's hmac over OpenSSL's SM3):
        // hmac.new(bytes(range(32)), b"phone:13800138000", "sm3").hexdigest()
        let index = BlindIndexKey::new(&INDEX_KEY).unwrap();
        assert_eq!(
            index.blind_index("+86 138 0013 8000"),
            "f4035776122cdcc2e254dd6e1abe5826111c20da43582585fbeb195f802655fa"
        );
    }

    #[test]
    fn phones_normalise_to_national_digits() {
        assert_eq!(normalize_phone("+86 138-0013-8000"), "13800138000");
        assert_eq!(normalize_phone("0086 13800138000"), "13800138000");
        assert_eq!(normalize_phone("\u{3000}13800138000\t"), "13800138000");
        // Only a leading country code goes.
        assert_eq!(normalize_phone("138+8613800"), "138+8613800");
        assert_eq!(normalize_phone("0531-88888888"), "053188888888");
    }

    // --- configuration ---

    #[test]
    fn keys_parse_from_hex_and_base64_the_first_being_current() {
        let spec = format!(
            " k2 : {} , k1:{},k0:{},old.2024-01:{}",
            STANDARD.encode(K2),
            hex::encode(K1),
            URL_SAFE_NO_PAD.encode([0x33; 16]),
            hex::encode_upper([0x44; 16]),
        );
        let ring = KeyRing::parse(&spec).unwrap();
        assert_eq!(ring.current_key_id(), "k2");
        assert_eq!(
            ring.key_ids().collect::<Vec<_>>(),
            ["k0", "k1", "k2", "old.2024-01"]
        );
        // The parsed keys are the given ones.
        let stored = ring_k1().seal("x", "c").unwrap();
        assert_eq!(ring.open(&stored, "c").unwrap(), "x");
        let stored = ring.seal("y", "c").unwrap();
        assert_eq!(ring_k2_k1().open(&stored, "c").unwrap(), "y");

        let index = BlindIndexKey::parse(&hex::encode(INDEX_KEY)).unwrap();
        let from_base64 = BlindIndexKey::parse(&STANDARD.encode(INDEX_KEY)).unwrap();
        assert_eq!(
            index.blind_index("13800138000"),
            from_base64.blind_index("13800138000")
        );
    }

    #[test]
    fn bad_key_configuration_is_refused_without_echoing_keys() {
        let short = STANDARD.encode([0x77; 15]);
        let long = hex::encode([0x77; 17]);
        let good = hex::encode(K1);
        for spec in [
            String::new(),
            " ".to_owned(),
            format!("k1:{short}"),
            format!("k1:{long}"),
            format!("k1:{good},"),
            format!("k1:{good},k1:{}", hex::encode(K2)),
            format!(":{good}"),
            format!("k:1:{good}"),
            format!("k 1:{good}"),
            format!("{}:{good}", "k".repeat(17)),
            good.clone(),
            format!("{good}:k1"),
            format!("{good}:{good}"),
            format!("{}:{}", URL_SAFE_NO_PAD.encode(K1), URL_SAFE_NO_PAD.encode(K1)),
            format!("k1:{good}!"),
        ] {
            let error = KeyRing::parse(&spec).unwrap_err().to_string();
            assert!(error.contains("LINLI_DATA_KEYS"), "{spec:?}: {error}");
            for secret in [&short, &long, &good, &URL_SAFE_NO_PAD.encode(K1)] {
                assert!(!error.contains(secret.as_str()), "{error}");
            }
        }
        for spec in [hex::encode(K1), STANDARD.encode([1u8; 31]), "zz".repeat(32)] {
            let error = BlindIndexKey::parse(&spec).unwrap_err().to_string();
            assert!(error.contains("LINLI_DATA_INDEX_KEY"), "{error}");
            assert!(!error.contains(&spec), "{error}");
        }
    }

    #[test]
    fn debug_shows_key_ids_never_keys() {
        let keys = PersonalDataKeys::new(ring_k2_k1(), BlindIndexKey::new(&INDEX_KEY).unwrap());
        let shown = format!("{keys:?} {:#?}", keys);
        assert!(shown.contains("k1") && shown.contains("k2"), "{shown}");
        for secret in [
            hex::encode(K1),
            hex::encode(K2),
            hex::encode(INDEX_KEY),
            STANDARD.encode(K1),
            STANDARD.encode(INDEX_KEY),
            "17, 17, 17".to_owned(),
            "34, 34, 34".to_owned(),
            "0, 1, 2, 3".to_owned(),
        ] {
            assert!(!shown.contains(&secret), "{shown}");
        }
    }

    #[test]
    fn dev_keys_are_generated_once_kept_private_and_reloaded() {
        let dir = temp_dir();
        let data_dir = dir.join("data");
        let first = load_or_generate_dev_keys(&data_dir).unwrap();
        let path = data_dir.join(DEV_KEY_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(first.key_ring().current_key_id().starts_with("dev-"));

        let second = load_or_generate_dev_keys(&data_dir).unwrap();
        assert_eq!(
            first.key_ring().current_key_id(),
            second.key_ring().current_key_id()
        );
        let stored = first.seal("李娜", "users.real_name:1").unwrap();
        assert_eq!(second.open(&stored, "users.real_name:1").unwrap(), "李娜");
        assert_eq!(
            first.blind_index("13800138000"),
            second.blind_index("13800138000")
        );
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(&data_dir).unwrap().count(), 1);

        // The file is what a developer would paste into the environment.
        let contents = std::fs::read_to_string(&path).unwrap();
        let mut lines = contents.lines().filter(|line| !line.starts_with('#'));
        let data_keys = lines.next().unwrap().strip_prefix("LINLI_DATA_KEYS=").unwrap();
        let index_key = lines
            .next()
            .unwrap()
            .strip_prefix("LINLI_DATA_INDEX_KEY=")
            .unwrap();
        let configured = PersonalDataKeys::parse(data_keys, index_key).unwrap();
        assert_eq!(configured.open(&stored, "users.real_name:1").unwrap(), "李娜");

        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_damaged_dev_key_file_is_refused_and_left_alone() {
        let dir = temp_dir();
        let path = dir.join(DEV_KEY_FILE);
        for damaged in [
            "LINLI_DATA_KEYS=dev-1:short\nLINLI_DATA_INDEX_KEY=short\n",
            "LINLI_DATA_KEYS=dev-1:AAAAAAAAAAAAAAAAAAAAAA==\n",
            "something else\n",
            "",
        ] {
            std::fs::write(&path, damaged).unwrap();
            let error = load_or_generate_dev_keys(&dir).unwrap_err().to_string();
            assert!(error.contains(DEV_KEY_FILE), "{error}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), damaged);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn concurrent_first_starts_agree_on_one_set_of_dev_keys() {
        let dir = temp_dir();
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let dir = dir.clone();
                std::thread::spawn(move || load_or_generate_dev_keys(&dir).unwrap())
            })
            .collect();
        let keys: Vec<PersonalDataKeys> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let stored = keys[0].seal("13800138000", "c").unwrap();
        for other in &keys {
            assert_eq!(other.open(&stored, "c").unwrap(), "13800138000");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn production_refuses_missing_keys_and_development_falls_back_to_the_file() {
        let dir = temp_dir();
        let data_keys = format!("k1:{}", hex::encode(K1));
        let index_key = hex::encode(INDEX_KEY);

        for (data, index) in [
            (None, None),
            (Some(data_keys.as_str()), None),
            (None, Some(index_key.as_str())),
        ] {
            assert!(matches!(
                resolve_personal_data_keys(data, index, true, &dir),
                Err(CryptoError::Config(_))
            ));
        }
        // Half configured is refused in development too.
        assert!(resolve_personal_data_keys(Some(&data_keys), None, false, &dir).is_err());
        assert!(resolve_personal_data_keys(None, Some(&index_key), false, &dir).is_err());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);

        let configured = resolve_personal_data_keys(Some(&data_keys), Some(&index_key), true, &dir).unwrap();
        assert_eq!(configured.key_ring().current_key_id(), "k1");

        let generated = resolve_personal_data_keys(None, None, false, &dir).unwrap();
        assert!(generated.key_ring().current_key_id().starts_with("dev-"));
        assert!(dir.join(DEV_KEY_FILE).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
