use img_parts::Bytes;
use img_parts::webp::WebP;

use super::{ImageError, clean};
use crate::models::ImageKind;
use crate::testing::samples;

fn cleaned(bytes: &[u8]) -> (ImageKind, Vec<u8>) {
    let (kind, content) = clean(Bytes::copy_from_slice(bytes)).unwrap();
    (kind, content.to_vec())
}

fn refusal(bytes: &[u8]) -> ImageError {
    clean(Bytes::copy_from_slice(bytes)).unwrap_err()
}

#[test]
fn images_without_metadata_come_back_as_they_were() {
    assert_eq!(cleaned(&samples::JPEG), (ImageKind::Jpeg, samples::JPEG.to_vec()));
    assert_eq!(cleaned(&samples::PNG), (ImageKind::Png, samples::PNG.to_vec()));
    assert_eq!(cleaned(&samples::WEBP), (ImageKind::WebP, samples::WEBP.to_vec()));
}

#[test]
fn a_jpeg_loses_exif_xmp_iptc_comments_and_the_images_after_its_end() {
    let phone = samples::jpeg_with_metadata();
    assert!(samples::holds_position(&phone));
    let (kind, stripped) = cleaned(&phone);
    assert_eq!(kind, ImageKind::Jpeg);
    assert!(!samples::holds_position(&stripped));
    assert_eq!(
        stripped,
        samples::JPEG.to_vec(),
        "exactly the picture, nothing else"
    );
}

#[test]
fn a_png_loses_its_exif_and_text_chunks_and_what_follows_its_end() {
    let phone = samples::png_with_metadata();
    assert!(samples::holds_position(&phone));
    let (kind, stripped) = cleaned(&phone);
    assert_eq!(kind, ImageKind::Png);
    assert_eq!(stripped, samples::PNG.to_vec());
}

#[test]
fn a_webp_loses_its_exif_and_xmp_chunks_and_its_header_says_so() {
    let phone = samples::webp_with_metadata();
    assert!(samples::holds_position(&phone));
    let (kind, stripped) = cleaned(&phone);
    assert_eq!(kind, ImageKind::WebP);
    assert!(!samples::holds_position(&stripped));
    let webp = WebP::from_bytes(Bytes::from(stripped.clone())).unwrap();
    let ids: Vec<[u8; 4]> = webp.chunks().iter().map(|c| c.id()).collect();
    assert_eq!(ids, [*b"VP8X", *b"VP8 "]);
    let vp8x = webp
        .chunk_by_id(*b"VP8X")
        .unwrap()
        .content()
        .data()
        .unwrap()
        .clone();
    assert_eq!(vp8x.first(), Some(&0), "no EXIF or XMP flag left");
    let riff_size = u32::from_le_bytes(stripped[4..8].try_into().unwrap());
    assert_eq!(
        riff_size as usize,
        stripped.len() - 8,
        "the RIFF size is the new one"
    );
}

#[test]
fn a_file_is_told_by_its_content_not_by_what_it_claims() {
    assert_eq!(refusal(&samples::windows_program()), ImageError::Unsupported);
    assert_eq!(refusal(b"GIF89a\x01\x00\x01\x00"), ImageError::Unsupported);
    assert_eq!(
        refusal(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
        ImageError::Unsupported
    );
    assert_eq!(refusal(b""), ImageError::Unsupported);
}

fn malformed_kind(bytes: &[u8]) -> Option<ImageKind> {
    match refusal(bytes) {
        ImageError::Malformed { kind, .. } => Some(kind),
        ImageError::Unsupported => None,
    }
}

#[test]
fn a_file_that_claims_a_kind_but_is_not_a_whole_one_is_refused() {
    let half = |b: &[u8]| b[..b.len() / 2].to_vec();
    assert_eq!(malformed_kind(&half(&samples::JPEG)), Some(ImageKind::Jpeg));
    assert_eq!(malformed_kind(&half(&samples::PNG)), Some(ImageKind::Png));
    assert_eq!(malformed_kind(&half(&samples::WEBP)), Some(ImageKind::WebP));
    // A magic number and then a program.
    let disguised = [b"\x89PNG\r\n\x1a\n".as_slice(), &samples::windows_program()].concat();
    assert_eq!(malformed_kind(&disguised), Some(ImageKind::Png));
    let disguised = [b"\xFF\xD8\xFF".as_slice(), &samples::windows_program()].concat();
    assert_eq!(malformed_kind(&disguised), Some(ImageKind::Jpeg));
    // A broken checksum.
    let mut png = samples::PNG.to_vec();
    png[30] ^= 0xFF;
    assert_eq!(malformed_kind(&png), Some(ImageKind::Png));
    // A JPEG without its end, a PNG without its IEND, a WebP without its image.
    let jpeg = &samples::JPEG[..samples::JPEG.len() - 2];
    assert_eq!(malformed_kind(jpeg), Some(ImageKind::Jpeg));
    let png = &samples::PNG[..samples::PNG.len() - 12];
    assert_eq!(malformed_kind(png), Some(ImageKind::Png));
    assert_eq!(malformed_kind(b"RIFF\x04\x00\x00\x00WEBP"), Some(ImageKind::WebP));
}

#[test]
fn segments_between_scans_are_skipped_whole_and_metadata_among_them_dropped() {
    // The sample's scan, then a table whose bytes hold FF D9 (not an end), a comment, a
    // second scan, the end, and bytes after it.
    let end = samples::JPEG.len() - 2;
    let table = [0xFF, 0xC4, 0x00, 0x06, 0x00, 0xFF, 0xD9, 0x01];
    let comment = [0xFF, 0xFE, 0x00, 0x05, b'G', b'P', b'S'];
    let scan = [
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x12, 0x34,
    ];
    let progressive = [
        &samples::JPEG[..end],
        &table,
        &comment,
        &scan,
        &[0xFF, 0xD9],
        b"after the end",
    ]
    .concat();
    let (_, stripped) = cleaned(&progressive);
    let expected = [&samples::JPEG[..end], &table, &scan, &[0xFF, 0xD9]].concat();
    assert_eq!(stripped, expected);
}
