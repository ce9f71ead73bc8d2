//! Several instances on one database: a write made by another process (another store on the
//! same SQLite file, another instance on the same PostgreSQL database) counts in the next
//! request, whatever the server had kept in memory. On PostgreSQL when `CHITIEU_TEST_POSTGRES`
//! names a server (each test in a database of its own); otherwise that test says it is
//! skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails by panicking.

use std::sync::Arc;

use chitieu_domain::{Adjustment, Change, Dataset, Decision, Observation, Subject};
use chitieu_store::Store;
use serde_json::Value;

mod common;

async fn get_json(url: &str) -> Value {
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{url}");
    r.json().await.unwrap()
}

async fn get_text(url: &str) -> String {
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{url}");
    r.text().await.unwrap()
}

fn status_of(v: &Value, code: &str) -> String {
    v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .map(|t| t["status"].as_str().unwrap().to_string())
        .unwrap()
}

/// The server runs on `served`; `other` writes to the same database behind its back: a
/// figure, then an adjustment (part of the structure the server keeps), each seen at once by
/// the API and the pages, which had been asked before and kept their answers.
async fn writes_of_another_instance_count(served: Arc<dyn Store>, other: Arc<dyn Store>) {
    other.import(&common::demo()).await.unwrap();
    let app = common::spawn(served).await;
    let status = format!("{}/api/v1/resolutions/luc-ngan-xxiv/status", app.base);
    let dashboard = format!("{}/resolutions/luc-ngan-xxiv?lang=en", app.base);
    let review = format!("{}/api/v1/units/luc-ngan/review", app.base);
    // Asked twice, so the second is answered from memory.
    for _ in 0..2 {
        assert_eq!(status_of(&get_json(&status).await, "15"), "off_track");
        assert!(get_text(&dashboard).await.contains("<strong>4/16</strong>"));
        let r = get_json(&review).await;
        assert_eq!(r["resolutions"][0]["achieved_or_exceeded"], 4);
    }

    // The village heads' share reported again as 75% the same day: the later one is in force.
    let ds = other.load().await.unwrap();
    let o: Observation = ds
        .observations
        .iter()
        .find(|o| {
            o.unit == "luc-ngan"
                && o.indicator == "village-heads-party-share"
                && o.period.to_string() == "2018-H1"
        })
        .cloned()
        .map(|o| Observation {
            value: "75".parse().unwrap(),
            ..o
        })
        .expect("the village heads figure");
    other.add_observations(&[o]).await.unwrap();
    assert_eq!(status_of(&get_json(&status).await, "15"), "exceeded");
    assert!(get_text(&dashboard).await.contains("<strong>5/16</strong>"));
    let r = get_json(&review).await;
    assert_eq!(r["resolutions"][0]["achieved_or_exceeded"], 5);

    // Target 15 withdrawn by a decision before the meeting.
    let withdrawal = Adjustment {
        subject: Subject::Target {
            resolution: "luc-ngan-xxiv".into(),
            code: "15".into(),
        },
        decision: Decision {
            body: "Ban Chấp hành Đảng bộ huyện".into(),
            reference: "99-NQ/HU".into(),
            date: "2018-06-01".parse().unwrap(),
        },
        reason: "a test of another instance's write".into(),
        change: Change {
            withdraw: true,
            ..Change::default()
        },
    };
    let added = other
        .import(&Dataset {
            adjustments: vec![withdrawal],
            ..Dataset::default()
        })
        .await
        .unwrap();
    assert_eq!(added.added.adjustments, 1);
    assert_eq!(status_of(&get_json(&status).await, "15"), "withdrawn");
    assert!(get_text(&dashboard).await.contains("<strong>4/15</strong>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_two_stores_on_one_file() {
    use chitieu_store_sqlite::SqliteStore;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chitieu.db");
    let served = SqliteStore::open(&path).await.unwrap();
    let other = SqliteStore::open(&path).await.unwrap();
    writes_of_another_instance_count(Arc::new(served), Arc::new(other)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_instances_on_one_database() {
    use chitieu_store_postgres::PgStore;
    use sqlx::{Connection, PgConnection};
    let Ok(admin_url) = std::env::var("CHITIEU_TEST_POSTGRES") else {
        eprintln!("skipped: CHITIEU_TEST_POSTGRES is not set");
        return;
    };
    let name = format!("chitieu_web_test_{}", std::process::id());
    let mut admin = PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let url = match admin_url.rsplit_once('/') {
        Some((root, _)) => format!("{root}/{name}"),
        None => panic!("{admin_url}: expected a URL ending in /database"),
    };
    let outcome = tokio::spawn(async move {
        let served = PgStore::connect(&url).await.unwrap();
        let other = PgStore::connect(&url).await.unwrap();
        writes_of_another_instance_count(Arc::new(served), Arc::new(other)).await;
    })
    .await;
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
