//! Scratch databases for the infra crate's own tests: a SQLite file in a temporary
//! directory, or a PostgreSQL database of its own when `LINLI_TEST_DATABASE_URL` is set;
//! either is removed on drop.

use std::path::PathBuf;

use sea_orm::ConnectionTrait;

use crate::db::{Database, DatabaseSettings};

pub(crate) enum ScratchDatabase {
    Sqlite {
        dir: PathBuf,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl ScratchDatabase {
    pub(crate) fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(format!("linli-infra-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Self::Sqlite { dir }
    }

    /// `None` when `LINLI_TEST_DATABASE_URL` is not set: the PostgreSQL test is skipped.
    pub(crate) async fn postgres() -> Option<Self> {
        let admin_url = std::env::var("LINLI_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let name = format!("linli_test_{}", uuid::Uuid::new_v4().simple());
        let admin = sea_orm::Database::connect(admin_url.as_str()).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
        admin.close().await.ok();
        let mut url = reqwest::Url::parse(&admin_url).unwrap();
        url.set_path(&format!("/{name}"));
        Some(Self::Postgres {
            admin_url,
            name,
            url: url.to_string(),
        })
    }

    pub(crate) fn url(&self) -> String {
        match self {
            Self::Sqlite { dir } => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
            Self::Postgres { url, .. } => url.clone(),
        }
    }

    /// A pool of its own, as another instance of the deployment would have.
    pub(crate) async fn connect(&self, max_connections: u32) -> Database {
        Database::connect(&DatabaseSettings {
            url: self.url(),
            max_connections,
        })
        .await
        .unwrap()
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        match self {
            Self::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Self::Postgres { admin_url, name, .. } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs outside async; a thread with its own runtime drops the database.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    runtime.block_on(async {
                        if let Ok(admin) = sea_orm::Database::connect(admin_url.as_str()).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                                ))
                                .await;
                            admin.close().await.ok();
                        }
                    });
                })
                .join();
            }
        }
    }
}
