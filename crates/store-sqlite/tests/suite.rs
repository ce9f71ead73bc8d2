//! The shared store suite on SQLite, plus what only a file-backed database can show.

// A test fails by panicking; unwrap says so with the least noise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chitieu_domain::Dataset;
use chitieu_store::Store;
use chitieu_store_sqlite::SqliteStore;
use chitieu_store_tests::{sample, Fixture};

async fn fixture() -> Option<Fixture> {
    Some(Fixture::new(SqliteStore::open_in_memory().await.unwrap()))
}

chitieu_store_tests::store_suite!(fixture);

/// The same suite on a file, where the pool has several connections and WAL is on: this is
/// where `BEGIN IMMEDIATE` matters for concurrent imports.
mod on_file {
    use super::*;

    async fn fixture() -> Option<Fixture> {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("chitieu.db"))
            .await
            .unwrap();
        Some(Fixture {
            store: std::sync::Arc::new(store),
            teardown: Some(Box::pin(async move { drop(dir) })),
        })
    }

    chitieu_store_tests::store_suite!(fixture);
}

#[tokio::test]
async fn file_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    // A folder that does not exist yet: open creates it.
    let path = dir.path().join("nested").join("chitieu.db");
    let data = sample::sample();
    let store = SqliteStore::open(&path).await.unwrap();
    store.import(&data).await.unwrap();
    store.close().await;

    let store = SqliteStore::open(&path).await.unwrap();
    let loaded: Dataset = store.load().await.unwrap();
    assert_eq!(loaded, data);
    assert_eq!(sample::decimal_texts(&loaded), sample::decimal_texts(&data));
    // Opening again runs the migrations again: they must be a no-op.
    assert!(store.import(&data).await.unwrap().is_noop());
    store.close().await;
}

#[tokio::test]
async fn two_stores_on_one_file_import_concurrently() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chitieu.db");
    let a = SqliteStore::open(&path).await.unwrap();
    let b = SqliteStore::open(&path).await.unwrap();
    let data = sample::sample();
    let (ra, rb) = tokio::join!(a.import(&data), b.import(&data));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert!(ra.is_noop() != rb.is_noop(), "{ra} / {rb}");
    assert_eq!(b.load().await.unwrap(), data);
}

#[tokio::test]
async fn decimals_are_stored_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chitieu.db");
    let store = SqliteStore::open(&path).await.unwrap();
    store.import(&sample::sample()).await.unwrap();
    store.close().await;
    // Read the file with a plain connection: the column holds the exact text, never a REAL.
    use sqlx::{Connection, Row};
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let rows = sqlx::query("SELECT typeof(value) AS t, value FROM observations ORDER BY seq")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(rows.iter().all(|r| r.get::<String, _>("t") == "text"));
    assert_eq!(rows[1].get::<String, _>("value"), "40.10");
}
