//! The primitives are the standardised ones.

use super::*;

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
