//! Sealing and opening.

use super::*;

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
