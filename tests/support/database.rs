//! One database per test: a fresh SQLite file by default, or a fresh PostgreSQL database
//! when `LINLI_TEST_DATABASE_URL` names a server; either is removed when the test ends.

use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Database};

pub enum TestDatabase {
    Sqlite {
        dir: PathBuf,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl TestDatabase {
    pub async fn create() -> Self {
        match std::env::var("LINLI_TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("linli_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .expect("LINLI_TEST_DATABASE_URL answers");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("creating a test database");
                admin.close().await.ok();
                let mut url = reqwest::Url::parse(&admin_url).expect("LINLI_TEST_DATABASE_URL is a URL");
                url.set_path(&format!("/{name}"));
                TestDatabase::Postgres {
                    admin_url,
                    name,
                    url: url.to_string(),
                }
            }
            _ => {
                let dir = std::env::temp_dir().join(format!("linli-test-{}", uuid::Uuid::new_v4().simple()));
                std::fs::create_dir_all(&dir).expect("creating a test directory");
                TestDatabase::Sqlite { dir }
            }
        }
    }

    /// The data directory for the app (the SQLite file lives there).
    pub fn data_dir(&self) -> PathBuf {
        match self {
            TestDatabase::Sqlite { dir } => dir.clone(),
            TestDatabase::Postgres { name, .. } => std::env::temp_dir().join(name),
        }
    }

    /// `DATABASE_URL` for the app: none for SQLite, whose file goes in the data directory.
    pub fn url(&self) -> Option<String> {
        match self {
            TestDatabase::Sqlite { .. } => None,
            TestDatabase::Postgres { url, .. } => Some(url.clone()),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDatabase::Postgres { .. })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            TestDatabase::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDatabase::Postgres { admin_url, name, .. } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::fs::remove_dir_all(std::env::temp_dir().join(&name));
                // Drop runs outside async; a thread with its own runtime does the cleanup.
                let _ = std::thread::spawn(move || {
                    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build()
                    else {
                        return;
                    };
                    runtime.block_on(async {
                        if let Ok(admin) = Database::connect(admin_url.as_str()).await {
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
