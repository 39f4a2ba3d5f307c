//! What an upload is: its kind (told by content), its public name, and its record.

use std::fmt;

use chrono::{DateTime, Utc};
use linli_kernel::UserId;
use uuid::Uuid;

/// The kinds of file kept: photos as phones and the mini-program's image picker make them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageKind {
    Jpeg,
    Png,
    WebP,
}

impl ImageKind {
    pub const ALL: [Self; 3] = [Self::Jpeg, Self::Png, Self::WebP];

    /// How many leading bytes [`ImageKind::sniff`] needs to tell every kind.
    pub const SNIFF_BYTES: usize = 12;

    /// The kind the file's first bytes (its magic number) announce, if any. The name and the
    /// declared content type are never asked: they are the sender's word.
    pub fn sniff(prefix: &[u8]) -> Option<Self> {
        match prefix {
            [0xFF, 0xD8, 0xFF, ..] => Some(Self::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(Self::Png),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Self::WebP),
            _ => None,
        }
    }

    pub const fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::WebP => "webp",
        }
    }

    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::WebP => "image/webp",
        }
    }

    pub fn from_extension(extension: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.extension() == extension)
    }

    pub fn from_content_type(content_type: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.content_type() == content_type)
    }
}

impl fmt::Display for ImageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.content_type())
    }
}

/// An upload's id: a UUID v7 whose 74 bits after the timestamp are all random (not a
/// counter), since it is also the file's public name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UploadId(Uuid);

impl UploadId {
    /// A fresh id: the time to the millisecond, then 74 random bits from the system's
    /// generator. (`Uuid::now_v7` spends 42 of them on a counter, which would let one
    /// uploader guess the names of files uploaded in the same millisecond.)
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self(Uuid::new_v7(uuid::Timestamp::now(uuid::NoContext)))
    }

    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    pub const fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for UploadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The name a file is stored and served under: `<uuid v7>.<ext>`, the UUID in its lower-case
/// hyphenated form, the extension that of its kind. Nothing else parses as one, so a name
/// never reaches outside the upload directory and no file has two names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileName {
    id: UploadId,
    kind: ImageKind,
}

/// Where files are served: `/files/<name>`.
pub const URL_PREFIX: &str = "/files/";

impl FileName {
    pub const fn new(id: UploadId, kind: ImageKind) -> Self {
        Self { id, kind }
    }

    /// The name, if `name` is one exactly as this crate writes it.
    pub fn parse(name: &str) -> Option<Self> {
        let (stem, extension) = name.split_once('.')?;
        let kind = ImageKind::from_extension(extension)?;
        let uuid = Uuid::try_parse(stem).ok()?;
        let canonical = uuid
            .hyphenated()
            .encode_lower(&mut Uuid::encode_buffer())
            .to_owned();
        (canonical == stem && uuid.get_version_num() == 7).then_some(Self {
            id: UploadId(uuid),
            kind,
        })
    }

    /// The name in a URL path `/files/<name>`, if it is one.
    pub fn from_url(url: &str) -> Option<Self> {
        Self::parse(url.strip_prefix(URL_PREFIX)?)
    }

    pub const fn id(&self) -> UploadId {
        self.id
    }

    pub const fn kind(&self) -> ImageKind {
        self.kind
    }

    /// The URL path it is served at.
    pub fn url(&self) -> String {
        format!("{URL_PREFIX}{self}")
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.id.0.hyphenated(), self.kind.extension())
    }
}

/// A file someone uploaded, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub id: UploadId,
    pub owner: UserId,
    pub name: FileName,
    /// The stored size in bytes, after the metadata was stripped.
    pub size: u64,
    pub created_at: DateTime<Utc>,
}

impl Upload {
    pub const fn kind(&self) -> ImageKind {
        self.name.kind()
    }

    pub fn url(&self) -> String {
        self.name.url()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_their_magic_bytes_alone() {
        assert_eq!(ImageKind::sniff(b"\xFF\xD8\xFF\xE0rest"), Some(ImageKind::Jpeg));
        assert_eq!(ImageKind::sniff(b"\x89PNG\r\n\x1a\nrest"), Some(ImageKind::Png));
        assert_eq!(ImageKind::sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(ImageKind::WebP));
        assert_eq!(
            ImageKind::sniff(b"RIFF\x10\0\0\0WAVEfmt "),
            None,
            "a RIFF that is no WebP"
        );
        assert_eq!(
            ImageKind::sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0"),
            None,
            "a Windows program"
        );
        assert_eq!(ImageKind::sniff(b"GIF89a"), None);
        assert_eq!(ImageKind::sniff(b"<svg xmlns="), None);
        assert_eq!(ImageKind::sniff(b"\xFF\xD8"), None, "too short to tell");
    }

    #[test]
    fn a_name_parses_only_in_the_form_it_is_written() {
        let name = FileName::new(UploadId::new(), ImageKind::Png);
        let text = name.to_string();
        assert_eq!(FileName::parse(&text), Some(name.clone()));
        assert_eq!(FileName::from_url(&name.url()), Some(name.clone()));
        assert_eq!(text.len(), 36 + 4);
        for bad in [
            text.to_uppercase(),
            text.replace(".png", ".jpg.png"),
            text.replace(".png", ".exe"),
            text.replace(".png", ""),
            text.replace('-', ""),
            format!("../{text}"),
            format!("{text}/"),
            format!("{{{}}}.png", name.id()),
            format!("{}.png", Uuid::new_v4()),
            "../../linli.db".to_owned(),
            "..%2Flinli.db".to_owned(),
            String::new(),
        ] {
            assert_eq!(FileName::parse(&bad), None, "{bad}");
        }
        assert_eq!(FileName::from_url(&text), None, "a bare name is no URL");
        assert_eq!(FileName::from_url(&format!("https://x{}", name.url())), None);
    }

    #[test]
    fn ids_keep_74_random_bits() {
        let ids: Vec<Uuid> = (0..64).map(|_| UploadId::new().as_uuid()).collect();
        assert!(ids.iter().all(|id| id.get_version_num() == 7));
        // A counter would leave the bits after the timestamp nearly equal within a
        // millisecond; random ones differ in their top bits too.
        let tops: std::collections::HashSet<u16> = ids
            .iter()
            .map(|id| u16::from_be_bytes([id.as_bytes()[6] & 0x0F, id.as_bytes()[7]]) >> 4)
            .collect();
        assert!(tops.len() > 8, "{tops:?}");
    }
}
