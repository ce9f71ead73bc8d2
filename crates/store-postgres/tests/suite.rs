//! The shared store suite on PostgreSQL. Set `CHITIEU_TEST_POSTGRES` to a server URL
//! (`postgres://postgres@127.0.0.1:5432/test`); each test creates its own database on that
//! server, so tests run in parallel, and drops it afterwards. Without the variable every test
//! says it is skipped and passes.

// A test fails by panicking; unwrap says so with the least noise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use chitieu_store_postgres::PgStore;
use chitieu_store_tests::Fixture;
use sqlx::{Connection, PgConnection};

const VAR: &str = "CHITIEU_TEST_POSTGRES";

/// `url` with its database name replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{db}?{q}"),
        None => format!("{root}/{db}"),
    }
}

fn fresh_name() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "chitieu_test_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

async fn fixture() -> Option<Fixture> {
    let Ok(admin_url) = std::env::var(VAR) else {
        eprintln!("skipped: {VAR} is not set");
        return None;
    };
    let name = fresh_name();
    let mut admin = PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {admin_url}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    let store = PgStore::connect(&with_database(&admin_url, &name))
        .await
        .unwrap();
    let teardown = async move {
        if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
            // The store was dropped with the case, but its pool closes its connections in the
            // background; FORCE ends any still open (PostgreSQL 13+).
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await;
            let _ = admin.close().await;
        }
    };
    Some(Fixture {
        store: Arc::new(store),
        teardown: Some(Box::pin(teardown)),
    })
}

chitieu_store_tests::store_suite!(fixture);

#[test]
fn database_name_is_replaced() {
    assert_eq!(
        with_database("postgres://u@h:5432/test", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h:5432", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/test?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
}
