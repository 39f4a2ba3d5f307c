//! Checking an image by its structure and stripping what it says besides its pixels.
//!
//! The containers are parsed by `img-parts` (segments, chunks, their lengths and CRCs);
//! what is kept is a list of what a picture needs to show as taken (its pixels, colour
//! profile, transparency, animation), and everything else goes: EXIF (where GPS coordinates
//! live), XMP (which can repeat them), IPTC, comments, text chunks, vendor segments, and
//! anything after the image's end (a second, unstripped image, or another file appended).

use img_parts::Bytes;
use img_parts::jpeg::{Jpeg, JpegSegment, markers};
use img_parts::png::Png;
use img_parts::riff::RiffContent;
use img_parts::webp::{self, WebP};

use crate::models::ImageKind;

/// Why a file is not kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// Its first bytes are none of the kept kinds'.
    #[error("not a JPEG, PNG or WebP image")]
    Unsupported,
    /// It starts as `kind` but does not parse as one.
    #[error("starts as {kind} but is not a whole {kind} image: {reason}")]
    Malformed { kind: ImageKind, reason: String },
}

fn malformed(kind: ImageKind, reason: impl ToString) -> ImageError {
    ImageError::Malformed {
        kind,
        reason: reason.to_string(),
    }
}

/// The file's kind and its content stripped of metadata; or why it is refused.
///
/// # Errors
/// [`ImageError::Unsupported`] for a file whose magic bytes are no kept kind's,
/// [`ImageError::Malformed`] for one that claims a kind but does not parse as it.
pub fn clean(content: Bytes) -> Result<(ImageKind, Bytes), ImageError> {
    let kind = ImageKind::sniff(&content).ok_or(ImageError::Unsupported)?;
    let cleaned = match kind {
        ImageKind::Jpeg => clean_jpeg(content),
        ImageKind::Png => clean_png(content),
        ImageKind::WebP => clean_webp(content),
    }
    .map_err(|reason| malformed(kind, reason))?;
    Ok((kind, cleaned))
}

/// JPEG application segments kept: APP0 (JFIF), APP2 with an ICC profile, APP14 (Adobe's
/// colour transform). Every other APPn (APP1: EXIF and XMP; APP13: IPTC; APP2: MPF, which
/// points at the images appended after this one) and every comment goes.
fn keep_jpeg_segment(segment: &JpegSegment) -> bool {
    match segment.marker() {
        markers::APP0 | markers::APP14 => true,
        markers::APP2 => segment.contents().starts_with(b"ICC_PROFILE\0"),
        marker if (markers::APP0..=markers::APP15).contains(&marker) => false,
        markers::COM => false,
        _ => true,
    }
}

fn clean_jpeg(content: Bytes) -> Result<Bytes, String> {
    let mut jpeg = Jpeg::from_bytes(content).map_err(|e| e.to_string())?;
    if jpeg.dimensions().is_none() {
        return Err("no frame header".to_owned());
    }
    jpeg.segments_mut().retain(keep_jpeg_segment);
    // img-parts keeps everything from the first scan on as that scan's "entropy": the scans,
    // the tables between them, the end marker and whatever follows it.
    let scan = jpeg
        .segments()
        .iter()
        .position(|s| s.marker() == markers::SOS)
        .ok_or("no image data")?;
    let sos = jpeg.segments_mut().remove(scan);
    let header = sos.len();
    let contents = sos.contents().clone();
    let encoded = sos.encoder().bytes();
    let rest = encoded
        .get(header..)
        .and_then(scan_tail)
        .ok_or("the image data has no end")?;
    jpeg.segments_mut()
        .insert(scan, JpegSegment::new_with_entropy(markers::SOS, contents, rest));
    Ok(jpeg.encoder().bytes())
}

/// The JPEG after its first scan header, up to and with its end marker (EOI), without the
/// application segments and comments found between later scans; `None` when it never ends.
fn scan_tail(data: &[u8]) -> Option<Bytes> {
    let mut kept = Vec::with_capacity(data.len());
    let mut start = 0;
    let mut i = 0;
    while let Some(&byte) = data.get(i) {
        if byte != 0xFF {
            i += 1;
            continue;
        }
        let marker = *data.get(i + 1)?;
        match marker {
            // A stuffed 0xFF in entropy-coded data, a restart marker, or fill bytes.
            0x00 | 0xD0..=0xD7 | 0xFF => i += 1,
            // Markers without a length.
            0x01 | markers::SOI => i += 2,
            markers::EOI => {
                kept.extend_from_slice(data.get(start..i + 2)?);
                return Some(Bytes::from(kept));
            }
            _ => {
                // A segment between scans (tables, the next scan's header): skip it whole,
                // so bytes inside it are not taken for markers; drop it if it is metadata.
                let length = usize::from(u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]));
                let end = i + 2 + length;
                data.get(..end)?;
                let segment =
                    JpegSegment::new_with_contents(marker, Bytes::copy_from_slice(data.get(i + 4..end)?));
                let metadata = marker == markers::COM || (markers::APP0..=markers::APP15).contains(&marker);
                if metadata && !keep_jpeg_segment(&segment) {
                    kept.extend_from_slice(data.get(start..i)?);
                    start = end;
                }
                i = end;
            }
        }
    }
    None
}

/// PNG chunks kept: the critical ones, those that say how to show the pixels (transparency,
/// gamma, colour space, ICC profile, HDR, pixel size, background), and APNG's animation.
/// Every other chunk (eXIf, tEXt, zTXt, iTXt with XMP, tIME, private chunks) goes.
const PNG_KEPT: [&[u8; 4]; 18] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"cICP",
    b"mDCV", b"cLLI", b"pHYs", b"bKGD", b"acTL", b"fcTL", b"fdAT",
];

fn clean_png(content: Bytes) -> Result<Bytes, String> {
    let mut png = Png::from_bytes(content).map_err(|e| e.to_string())?;
    let kinds: Vec<[u8; 4]> = png.chunks().iter().map(|c| c.kind()).collect();
    if kinds.first() != Some(b"IHDR") || png.dimensions().is_none() {
        return Err("no image header".to_owned());
    }
    if kinds.last() != Some(b"IEND") {
        return Err("the image has no end".to_owned());
    }
    if !kinds.contains(b"IDAT") {
        return Err("no image data".to_owned());
    }
    png.chunks_mut().retain(|c| PNG_KEPT.contains(&&c.kind()));
    Ok(png.encoder().bytes())
}

/// WebP chunks kept: the image (VP8, VP8L, its alpha, animation frames), its header and
/// ICC profile. EXIF, XMP and unknown chunks go; the header's flags say so after.
const WEBP_KEPT: [[u8; 4]; 7] = [
    webp::CHUNK_VP8X,
    webp::CHUNK_VP8,
    webp::CHUNK_VP8L,
    webp::CHUNK_ALPH,
    webp::CHUNK_ANIM,
    webp::CHUNK_ANMF,
    webp::CHUNK_ICCP,
];
/// The VP8X flags of the chunks removed (EXIF, XMP).
const VP8X_METADATA_FLAGS: u8 = 0b0000_1100;

fn clean_webp(content: Bytes) -> Result<Bytes, String> {
    let mut image = WebP::from_bytes(content).map_err(|e| e.to_string())?;
    let has_image = [webp::CHUNK_VP8, webp::CHUNK_VP8L, webp::CHUNK_ANMF]
        .iter()
        .any(|id| image.has_chunk(*id));
    if !has_image || image.dimensions().is_none() {
        return Err("no image data".to_owned());
    }
    image.chunks_mut().retain(|c| WEBP_KEPT.contains(&c.id()));
    for chunk in image.chunks_mut() {
        if chunk.id() == webp::CHUNK_VP8X
            && let RiffContent::Data(data) = chunk.content_mut()
            && let Some(&flags) = data.first()
        {
            let mut header = data.to_vec();
            if let Some(first) = header.first_mut() {
                *first = flags & !VP8X_METADATA_FLAGS;
            }
            *data = Bytes::from(header);
        }
    }
    // The RIFF size is computed again from the chunks kept.
    Ok(image.encoder().bytes())
}

#[cfg(test)]
mod tests;
