//! An in-memory store of uploads, and sample files: tiny real images (made by ImageMagick and
//! cwebp, then cut down), the same with the metadata a phone writes (EXIF with GPS, XMP),
//! and things that are not images.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use img_parts::Bytes;

use crate::models::{FileName, Upload};
use crate::ports::UploadStore;

/// Uploads and their content, by name.
#[derive(Debug, Clone, Default)]
pub struct InMemoryUploadStore(Arc<Mutex<HashMap<String, (Upload, Bytes)>>>);

impl InMemoryUploadStore {
    fn files(&self) -> MutexGuard<'_, HashMap<String, (Upload, Bytes)>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every upload kept, in no particular order.
    pub fn uploads(&self) -> Vec<Upload> {
        self.files().values().map(|(u, _)| u.clone()).collect()
    }
}

impl UploadStore for InMemoryUploadStore {
    type File = Bytes;

    async fn keep(&self, upload: &Upload, content: Bytes) -> anyhow::Result<()> {
        self.files()
            .insert(upload.name.to_string(), (upload.clone(), content));
        Ok(())
    }

    async fn open(&self, name: &FileName) -> anyhow::Result<Option<Bytes>> {
        Ok(self.files().get(&name.to_string()).map(|(_, c)| c.clone()))
    }
}

/// Sample files.
pub mod samples {
    /// An 8×8 baseline JPEG (JFIF, no metadata): 304 bytes.
    pub const JPEG: [u8; 304] = [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00,
        0x01, 0x00, 0x00, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x06, 0x04, 0x05, 0x06, 0x05, 0x04, 0x06, 0x06, 0x05,
        0x06, 0x07, 0x07, 0x06, 0x08, 0x0A, 0x10, 0x0A, 0x0A, 0x09, 0x09, 0x0A, 0x14, 0x0E, 0x0F, 0x0C, 0x10,
        0x17, 0x14, 0x18, 0x18, 0x17, 0x14, 0x16, 0x16, 0x1A, 0x1D, 0x25, 0x1F, 0x1A, 0x1B, 0x23, 0x1C, 0x16,
        0x16, 0x20, 0x2C, 0x20, 0x23, 0x26, 0x27, 0x29, 0x2A, 0x29, 0x19, 0x1F, 0x2D, 0x30, 0x2D, 0x28, 0x30,
        0x25, 0x28, 0x29, 0x28, 0xFF, 0xDB, 0x00, 0x43, 0x01, 0x07, 0x07, 0x07, 0x0A, 0x08, 0x0A, 0x13, 0x0A,
        0x0A, 0x13, 0x28, 0x1A, 0x16, 0x1A, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28,
        0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28,
        0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28,
        0x28, 0x28, 0x28, 0x28, 0x28, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x08, 0x00, 0x08, 0x03, 0x01, 0x22,
        0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xFF, 0xC4, 0x00, 0x15, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0xFF, 0xC4, 0x00, 0x16,
        0x10, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x15, 0x62, 0xFF, 0xC4, 0x00, 0x15, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x07, 0xFF, 0xC4, 0x00, 0x19, 0x11, 0x00, 0x01, 0x05,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x16, 0x53,
        0x91, 0xF0, 0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00, 0x8D,
        0xD9, 0xD0, 0x0A, 0xD3, 0x35, 0x26, 0x3D, 0x43, 0x2E, 0xC5, 0x39, 0x35, 0x9F, 0xFF, 0xD9,
    ];

    /// A 4×4 palette PNG (no metadata): 83 bytes.
    pub const PNG: [u8; 83] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00,
        0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x08, 0x03, 0x00, 0x00, 0x00, 0x9E, 0x2F, 0x6E, 0x4C, 0x00,
        0x00, 0x00, 0x03, 0x50, 0x4C, 0x54, 0x45, 0x33, 0x66, 0xCC, 0x20, 0x22, 0x24, 0xA9, 0x00, 0x00, 0x00,
        0x0B, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0x60, 0xC0, 0x04, 0x00, 0x00, 0x14, 0x00, 0x01, 0xE5,
        0x86, 0xB0, 0x4A, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    /// A 4×4 lossy WebP (simple format, no metadata): 62 bytes.
    pub const WEBP: [u8; 62] = [
        0x52, 0x49, 0x46, 0x46, 0x36, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x20, 0x2A,
        0x00, 0x00, 0x00, 0x90, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x04, 0x00, 0x04, 0x00, 0x02, 0xC0, 0x4C, 0x25,
        0xA0, 0x02, 0x74, 0xBA, 0x00, 0x03, 0x98, 0x00, 0xFE, 0xE8, 0x38, 0xBF, 0xF8, 0xDE, 0x3A, 0xDB, 0xEB,
        0x6F, 0x6F, 0x3F, 0xA1, 0x46, 0xCA, 0x26, 0x93, 0x00, 0x00, 0x00,
    ];

    /// The start of a Windows program (`MZ`, the DOS stub, the `PE` header's offset).
    pub fn windows_program() -> Vec<u8> {
        let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00".to_vec();
        exe.resize(0x3C, 0);
        exe.extend_from_slice(&0x80u32.to_le_bytes());
        exe.extend_from_slice(b"This program cannot be run in DOS mode.\r\r\n$");
        exe.resize(0x80, 0);
        exe.extend_from_slice(b"PE\0\0\x4C\x01\x03\x00");
        exe.resize(1024, 0x90);
        exe
    }

    /// Bytes of a position that must never leave the server: 36°58'48.12"N, 117°10'39.00"E
    /// as EXIF rationals (degrees, minutes, hundredths of seconds).
    pub const GPS_LATITUDE: [u8; 24] = rationals([(36, 1), (58, 1), (4812, 100)]);
    pub const GPS_LONGITUDE: [u8; 24] = rationals([(117, 1), (10, 1), (3900, 100)]);
    /// The position as XMP writes it.
    pub const XMP_GPS: &str = "36,58.802N";

    // A const fn cannot call `get`; the bounds are fixed.
    #[allow(clippy::indexing_slicing)]
    const fn rationals(values: [(u32, u32); 3]) -> [u8; 24] {
        let mut out = [0u8; 24];
        let mut i = 0;
        while i < 3 {
            let (n, d) = values[i];
            let (n, d) = (n.to_le_bytes(), d.to_le_bytes());
            let mut j = 0;
            while j < 4 {
                out[i * 8 + j] = n[j];
                out[i * 8 + 4 + j] = d[j];
                j += 1;
            }
            i += 1;
        }
        out
    }

    /// An EXIF (TIFF, little-endian) block with a GPS IFD: latitude and longitude.
    pub fn exif_with_gps() -> Vec<u8> {
        fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&value);
        }
        const ASCII: u16 = 2;
        const LONG: u16 = 4;
        const RATIONAL: u16 = 5;
        let mut tiff = b"II\x2A\x00\x08\x00\x00\x00".to_vec();
        // IFD0: one entry, the GPS IFD's offset (8 + 2 + 12 + 4 = 26).
        tiff.extend_from_slice(&1u16.to_le_bytes());
        entry(&mut tiff, 0x8825, LONG, 1, 26u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        // The GPS IFD: four entries (26 + 2 + 48 + 4 = 80), then the rationals.
        tiff.extend_from_slice(&4u16.to_le_bytes());
        entry(&mut tiff, 0x0001, ASCII, 2, *b"N\0\0\0");
        entry(&mut tiff, 0x0002, RATIONAL, 3, 80u32.to_le_bytes());
        entry(&mut tiff, 0x0003, ASCII, 2, *b"E\0\0\0");
        entry(&mut tiff, 0x0004, RATIONAL, 3, 104u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(&GPS_LATITUDE);
        tiff.extend_from_slice(&GPS_LONGITUDE);
        tiff
    }

    /// An XMP packet repeating the position.
    pub fn xmp_with_gps() -> Vec<u8> {
        format!(
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
             <rdf:Description xmlns:exif=\"http://ns.adobe.com/exif/1.0/\" exif:GPSLatitude=\"{XMP_GPS}\"/>\
             </rdf:RDF></x:xmpmeta>"
        )
        .into_bytes()
    }

    fn jpeg_segment(marker: u8, contents: &[u8]) -> Vec<u8> {
        let length = u16::try_from(contents.len() + 2).unwrap_or(u16::MAX);
        let mut segment = vec![0xFF, marker];
        segment.extend_from_slice(&length.to_be_bytes());
        segment.extend_from_slice(contents);
        segment
    }

    /// [`JPEG`] as a phone writes it: EXIF with GPS and XMP (APP1), IPTC (APP13), a comment,
    /// an MPF index (APP2), and after its end a second image (the MPF "preview") with its
    /// own EXIF.
    pub fn jpeg_with_metadata() -> Vec<u8> {
        let exif = [b"Exif\0\0".as_slice(), &exif_with_gps()].concat();
        let xmp = [b"http://ns.adobe.com/xap/1.0/\0".as_slice(), &xmp_with_gps()].concat();
        let with_exif = |image: &[u8]| {
            let (soi, rest) = image.split_at(2);
            [soi, &jpeg_segment(0xE1, &exif), rest].concat()
        };
        let (soi_app0, rest) = JPEG.split_at(20);
        let primary = [
            soi_app0,
            &jpeg_segment(0xE1, &exif),
            &jpeg_segment(0xE1, &xmp),
            &jpeg_segment(0xE2, b"MPF\0II\x2A\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
            &jpeg_segment(0xED, format!("Photoshop 3.0\0{XMP_GPS}").as_bytes()),
            &jpeg_segment(0xFE, XMP_GPS.as_bytes()),
            rest,
        ]
        .concat();
        [primary, with_exif(&JPEG)].concat()
    }

    fn png_chunk(kind: &[u8; 4], contents: &[u8]) -> Vec<u8> {
        img_parts::png::PngChunk::new(*kind, img_parts::Bytes::copy_from_slice(contents))
            .encoder()
            .bytes()
            .to_vec()
    }

    /// [`PNG`] with an eXIf chunk (GPS), XMP in an iTXt chunk, a tEXt comment, and bytes
    /// after its end.
    pub fn png_with_metadata() -> Vec<u8> {
        let (head, rest) = PNG.split_at(33);
        let xmp = [b"XML:com.adobe.xmp\0\0\0\0\0".as_slice(), &xmp_with_gps()].concat();
        [
            head,
            &png_chunk(b"eXIf", &exif_with_gps()),
            &png_chunk(b"iTXt", &xmp),
            &png_chunk(b"tEXt", format!("Comment\0{XMP_GPS}").as_bytes()),
            rest,
            b"trailing bytes",
        ]
        .concat()
    }

    fn riff_chunk(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut chunk = id.to_vec();
        chunk.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_le_bytes());
        chunk.extend_from_slice(data);
        if data.len() % 2 == 1 {
            chunk.push(0);
        }
        chunk
    }

    /// [`WEBP`] in the extended format with EXIF (GPS) and XMP chunks, flagged in its header.
    pub fn webp_with_metadata() -> Vec<u8> {
        let vp8 = WEBP.get(12..).unwrap_or_default();
        // Flags: EXIF (0x08) and XMP (0x04); a 4×4 canvas (sizes minus one, 24 bits each).
        let vp8x = [0x0C, 0, 0, 0, 3, 0, 0, 3, 0, 0];
        let chunks = [
            riff_chunk(b"VP8X", &vp8x),
            vp8.to_vec(),
            riff_chunk(b"EXIF", &exif_with_gps()),
            riff_chunk(b"XMP ", &xmp_with_gps()),
        ]
        .concat();
        let mut webp = b"RIFF".to_vec();
        webp.extend_from_slice(&u32::try_from(chunks.len() + 4).unwrap_or(u32::MAX).to_le_bytes());
        webp.extend_from_slice(b"WEBP");
        webp.extend_from_slice(&chunks);
        webp
    }

    /// Whether `bytes` hold any of the samples' position, in EXIF or XMP form.
    pub fn holds_position(bytes: &[u8]) -> bool {
        let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        contains(&GPS_LATITUDE)
            || contains(&GPS_LONGITUDE)
            || contains(XMP_GPS.as_bytes())
            || contains(b"Exif\0\0")
            || contains(b"II\x2A\x00\x08\x00\x00\x00")
    }
}
