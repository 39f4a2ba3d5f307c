//! The crypto module's tests: known answers of the primitives, sealing, the blind index and
//! the key configuration.

mod blind_index;
mod config;
mod known_answers;
mod sealing;

use std::collections::HashSet;
use std::path::PathBuf;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::Mac;
use sm3::Sm3;
use sm4::Sm4;

use super::blind_index::HmacSm3;
use super::keyring::{NONCE_BYTES, Sm4Gcm, TAG_BYTES, split_sealed};
use super::*;

const K1: [u8; 16] = [0x11; 16];
const K2: [u8; 16] = [0x22; 16];
const INDEX_KEY: [u8; 32] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
    29, 30, 31,
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
