use super::*;

fn production() -> Settings {
    Settings {
        env: Environment::Production,
        jwt_secret: Some(SecretString::from("x".repeat(32))),
        wechat_appid: Some("wx123".to_owned()),
        wechat_secret: Some(SecretString::from("s3cret")),
        data_keys: Some(SecretString::from(format!("k1:{}", "ab".repeat(16)))),
        data_index_key: Some(SecretString::from("cd".repeat(32))),
        ..Settings::default()
    }
}

#[test]
fn production_refuses_to_start_without_personal_data_keys() {
    for settings in [
        Settings {
            data_keys: None,
            ..production()
        },
        Settings {
            data_index_key: None,
            ..production()
        },
    ] {
        let error = settings.check().unwrap_err().to_string();
        assert!(error.contains("LINLI_DATA_"), "{error}");
        assert!(settings.resolve_personal_data_keys().is_err());
    }
    let keys = production().resolve_personal_data_keys().unwrap();
    assert_eq!(keys.key_ring().current_key_id(), "k1");
    let printed = format!("{:?}", production());
    assert!(!printed.contains(&"ab".repeat(16)) && !printed.contains(&"cd".repeat(32)));
}

#[test]
fn production_with_secrets_and_wechat_starts() {
    assert!(production().check().is_ok());
    assert!(!production().dev_login_enabled());
}

#[test]
fn production_refuses_a_short_secret_missing_wechat_or_dev_login() {
    let short = Settings {
        jwt_secret: Some(SecretString::from("short")),
        ..production()
    };
    assert!(short.check().is_err());
    let no_wechat = Settings {
        wechat_appid: None,
        ..production()
    };
    assert!(no_wechat.check().is_err());
    let dev_login = Settings {
        dev_login: Some(true),
        ..production()
    };
    assert!(dev_login.check().is_err());
}

#[test]
fn dev_login_needs_dev_mode_without_an_app_id() {
    assert!(Settings::default().dev_login_enabled());
    let with_app = Settings {
        wechat_appid: Some("wx123".to_owned()),
        ..Settings::default()
    };
    assert!(!with_app.dev_login_enabled());
}

#[test]
fn transport_limits_are_read_at_the_top_level() {
    let dir = std::env::temp_dir().join(format!("linli-config-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("linli.toml");
    std::fs::write(&file, "header_read_timeout_seconds = 3\nmax_connections = 7\n").unwrap();
    let settings: Settings = Settings::figment(&file).extract().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(settings.limits.header_read_timeout_seconds, 3);
    assert_eq!(settings.limits.max_connections, 7);
    assert_eq!(
        settings.limits.idle_timeout_seconds, 60,
        "the rest keep their defaults"
    );
}

#[test]
fn production_refuses_wechat_over_plain_http() {
    for base in [
        "http://api.weixin.qq.com",
        "HTTP://10.0.0.8:80/",
        "http://127.0.0.1@evil.example",
        "ftp://x",
    ] {
        let plain = Settings {
            wechat_api_base: base.to_owned(),
            ..production()
        };
        let why = format!("{:#}", plain.check().unwrap_err());
        assert!(why.contains("LINLI_WECHAT_API_BASE"), "{base}: {why}");
    }
    for base in [
        "https://api.weixin.qq.com",
        "http://127.0.0.1:9000",
        "http://localhost:9000/x",
        "http://[::1]:9000",
    ] {
        let fine = Settings {
            wechat_api_base: base.to_owned(),
            ..production()
        };
        assert!(fine.check().is_ok(), "{base}");
    }
    let dev = Settings {
        wechat_api_base: "http://wechat-fake.internal".to_owned(),
        ..Settings::default()
    };
    assert!(dev.check().is_ok(), "development may use a fake anywhere");
}

#[test]
fn dev_login_on_a_public_address_needs_dev_mode_asked_for() {
    let public = Settings {
        listen: "0.0.0.0:8080".to_owned(),
        ..Settings::default()
    };
    let why = format!("{:#}", public.check().unwrap_err());
    assert!(why.contains("LINLI_ENV=dev"), "{why}");
    let asked = Settings {
        env_explicit: true,
        ..public.clone()
    };
    assert!(asked.check().is_ok());
    let off = Settings {
        dev_login: Some(false),
        ..public.clone()
    };
    assert!(off.check().is_ok());
    let with_wechat = Settings {
        wechat_appid: Some("wx123".to_owned()),
        ..public
    };
    assert!(with_wechat.check().is_ok(), "no dev login without WeChat in dev");
    for local in ["127.0.0.1:8080", "[::1]:8080", "localhost:8080", "127.0.0.1:0"] {
        let local = Settings {
            listen: local.to_owned(),
            ..Settings::default()
        };
        assert!(local.check().is_ok(), "{}", local.listen);
    }
}

#[cfg(unix)]
#[test]
fn the_data_directory_is_0700_and_the_database_file_0600() {
    use std::os::unix::fs::PermissionsExt;
    let root = std::env::temp_dir().join(format!("linli-perm-{}", uuid::Uuid::now_v7()));
    let data_dir = root.join("data");
    std::fs::create_dir_all(&data_dir).unwrap();
    // An existing, world-readable directory is tightened too.
    std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let settings = Settings {
        data_dir: data_dir.clone(),
        ..Settings::default()
    };
    let url = settings.database_url().unwrap();
    assert!(url.contains("linli.db"), "{url}");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data_dir), 0o700);
    assert_eq!(mode(&data_dir.join("linli.db")), 0o600);
    settings.database_url().unwrap();
    assert_eq!(mode(&data_dir.join("linli.db")), 0o600, "a second start keeps it");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn env_counts_as_explicit_only_when_configured() {
    let dir = std::env::temp_dir().join(format!("linli-config-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let unset = dir.join("unset.toml");
    std::fs::write(&unset, "listen = \"0.0.0.0:8080\"\n").unwrap();
    assert!(Settings::sources(&unset).find_value("env").is_err());
    let set = dir.join("set.toml");
    std::fs::write(&set, "env = \"dev\"\n").unwrap();
    assert!(Settings::sources(&set).find_value("env").is_ok());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn debug_output_hides_secrets_and_passwords() {
    let settings = Settings {
        database_url: Some("postgres://linli:pg-password@db/linli".to_owned()),
        redis_url: Some("redis://:redis-password@cache:6379".to_owned()),
        ..production()
    };
    let printed = format!("{settings:?}");
    assert!(!printed.contains("pg-password"));
    assert!(!printed.contains("redis-password"));
    assert!(!printed.contains("s3cret"));
    assert!(!printed.contains(&"x".repeat(32)));
}

#[test]
fn the_content_word_lists_are_read_by_their_names_and_empty_by_default() {
    assert_eq!(Settings::default().content_risky_words, "");
    assert_eq!(Settings::default().content_review_words, "");
    let dir = std::env::temp_dir().join(format!("linli-config-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("linli.toml");
    std::fs::write(
        &file,
        "content_risky_words = \"赌博, casino\"\ncontent_review_words = \"代购\"\n",
    )
    .unwrap();
    let settings: Settings = Settings::figment(&file).extract().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(settings.content_risky_words, "赌博, casino");
    assert_eq!(settings.content_review_words, "代购");
}

#[test]
fn upload_settings_are_checked_and_the_directory_made_private() {
    assert!(Settings::default().check().is_ok());
    for bad in [
        Settings {
            upload_max_bytes: 0,
            ..Settings::default()
        },
        Settings {
            upload_max_bytes: 65 * 1024 * 1024,
            ..Settings::default()
        },
        Settings {
            upload_field: String::new(),
            ..Settings::default()
        },
        Settings {
            upload_field: "file\"; name=\"x".to_owned(),
            ..Settings::default()
        },
    ] {
        let error = bad.check().unwrap_err().to_string();
        assert!(error.contains("LINLI_UPLOAD_"), "{error}");
    }
    let data_dir = std::env::temp_dir().join(format!("linli-config-{}", uuid::Uuid::new_v4().simple()));
    let settings = Settings {
        data_dir: data_dir.clone(),
        ..Settings::default()
    };
    let dir = settings.upload_dir().unwrap();
    assert_eq!(dir, data_dir.join("uploads"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
    std::fs::remove_dir_all(&data_dir).unwrap();
}
