//! Key configuration.

use super::*;

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
