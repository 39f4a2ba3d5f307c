//! The blind index.

use super::*;

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
