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

/// A new, empty database on the server named by `CHITIEU_TEST_POSTGRES`: its URL and the
/// teardown that drops it. `None` (and a note) when the variable is not set.
async fn fresh_database() -> Option<(String, chitieu_store_tests::BoxFuture<'static, ()>)> {
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
    let url = with_database(&admin_url, &name);
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
    Some((url, Box::pin(teardown)))
}

async fn fixture() -> Option<Fixture> {
    let (url, teardown) = fresh_database().await?;
    let store = PgStore::connect(&url).await.unwrap();
    let other = PgStore::connect(&url).await.unwrap();
    Some(Fixture {
        store: Arc::new(store),
        other: Some(Arc::new(other)),
        teardown: Some(teardown),
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

/// What the first schema held in a database, written as its version of chitieu wrote it
/// (`sample::first_schema`).
const FIRST_SCHEMA_DATA: &str = "
INSERT INTO units (id, name, level, parent) VALUES
    ('bac-giang', 'Tỉnh Bắc Giang', 'province', NULL),
    ('luc-ngan', 'Huyện Lục Ngạn', 'district', 'bac-giang');
INSERT INTO terms (id, start_date, end_date) VALUES ('2015-2020', '2015-10-01', '2020-09-30');
INSERT INTO resolutions (id, unit, kind, term, adopted, title, body) VALUES
    ('bac-giang-xviii', 'bac-giang', 'congress', '2015-2020', '2015-10-15', 'Nghị quyết Đại hội XVIII', 'party');
INSERT INTO indicators (id, name, measure, direction, aggregation, formula) VALUES
    ('forest_area', 'Diện tích rừng', 'ha', 'higher', 'sum', NULL),
    ('forest_cover', 'Tỷ lệ che phủ rừng', '%', 'higher', 'derived', 'forest_area / natural_area * 100');
INSERT INTO targets (resolution, code, indicator, unit, field, kind, baseline, baseline_period, name,
                     value_kind, value, deadline, illustrative) VALUES
    ('bac-giang-xviii', '14', 'forest_area', 'bac-giang', 'environment', 'level', 100, '2015', 'Chỉ tiêu 14',
     'exact', 120.0, '2020-12-31', FALSE);
";

/// A database created by the first schema, with data, is brought up to date on connect (the
/// second migration adds columns and tables around the stored rows) and keeps its data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_from_the_first_schema_keeps_data() {
    let Some((url, teardown)) = fresh_database().await else {
        return;
    };
    // Set up in a task so that a panic still lets the database be dropped.
    let setup = tokio::spawn({
        let url = url.clone();
        async move {
            let dir = std::env::temp_dir().join(fresh_name());
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::copy(
                concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0001_initial.sql"),
                dir.join("0001_initial.sql"),
            )
            .unwrap();
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            let first = sqlx::migrate::Migrator::new(dir.as_path()).await.unwrap();
            let _ = std::fs::remove_dir_all(&dir);
            first.run(&pool).await.unwrap();
            sqlx::raw_sql(FIRST_SCHEMA_DATA)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
    })
    .await;
    if let Err(e) = setup {
        teardown.await;
        std::panic::resume_unwind(e.into_panic());
    }
    let store = match PgStore::connect(&url).await {
        Ok(store) => store,
        Err(e) => {
            teardown.await;
            panic!("the upgrade failed: {e}");
        }
    };
    let fixture = Fixture {
        store: Arc::new(store),
        other: None,
        teardown: Some(teardown),
    };
    chitieu_store_tests::run(Some(fixture), |store| {
        Box::pin(chitieu_store_tests::cases::first_schema_data_survives_upgrade(store))
    })
    .await;
}

/// Observations as the second schema stored them, with values the move to mantissa and
/// scale must take apart carefully: 29 digits, a zero with a scale, 18 significant digits,
/// every kind of period, texts and dates.
const SECOND_SCHEMA_OBSERVATIONS: &str = "
INSERT INTO observations (unit, indicator, period, value, standing, state, source, reported_by, reported) VALUES
    ('luc-ngan', 'forest_area', '2019', 41.30, 'final', 'approved', 'Cục Thống kê', NULL, '2020-01-15'),
    ('luc-ngan', 'forest_area', '2019-H2', 79228162514264337593543950335, 'estimate', 'draft', NULL, 'kim', NULL),
    ('bac-giang', 'forest_area', '2019-07', 0.000, 'preliminary', 'submitted', 'Cục Thống kê', 'kim', '1969-12-31'),
    ('luc-ngan', 'forest_cover', '2019-Q3', -12345678901234567.8, 'final', 'returned', NULL, NULL, NULL),
    ('luc-ngan', 'forest_cover', '2019-Q4', 999999999999999999, 'final', 'approved', NULL, NULL, NULL),
    ('luc-ngan', 'forest_area', '2019', 41.3, 'final', 'approved', NULL, NULL, '2020-02-01');
";

/// A database at the second schema holding observations is moved to `figures` on connect:
/// every observation comes back as it was, in its order, scale kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_from_the_second_schema_moves_observations() {
    use chitieu_domain::{Observation, ReviewState, Standing};
    use chitieu_store::Store;
    let Some((url, teardown)) = fresh_database().await else {
        return;
    };
    let check = tokio::spawn({
        let url = url.clone();
        async move {
            let dir = std::env::temp_dir().join(fresh_name());
            std::fs::create_dir_all(&dir).unwrap();
            for file in ["0001_initial.sql", "0002_issue3.sql"] {
                std::fs::copy(
                    format!("{}/migrations/{file}", env!("CARGO_MANIFEST_DIR")),
                    dir.join(file),
                )
                .unwrap();
            }
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            let old = sqlx::migrate::Migrator::new(dir.as_path()).await.unwrap();
            let _ = std::fs::remove_dir_all(&dir);
            old.run(&pool).await.unwrap();
            sqlx::raw_sql(FIRST_SCHEMA_DATA)
                .execute(&pool)
                .await
                .unwrap();
            sqlx::raw_sql(SECOND_SCHEMA_OBSERVATIONS)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;

            let store = PgStore::connect(&url).await.unwrap();
            let got = store.load().await.unwrap().observations;
            #[allow(clippy::too_many_arguments)]
            fn o(
                unit: &str,
                indicator: &str,
                period: &str,
                value: &str,
                standing: Standing,
                state: ReviewState,
                source: Option<&str>,
                by: Option<&str>,
                reported: Option<&str>,
            ) -> Observation {
                Observation {
                    unit: unit.into(),
                    indicator: indicator.into(),
                    period: period.parse().unwrap(),
                    value: value.parse().unwrap(),
                    standing,
                    state,
                    source: source.map(Into::into),
                    reported_by: by.map(Into::into),
                    reported: reported.map(|d| d.parse().unwrap()),
                }
            }
            let want = vec![
                o(
                    "luc-ngan",
                    "forest_area",
                    "2019",
                    "41.30",
                    Standing::Final,
                    ReviewState::Approved,
                    Some("Cục Thống kê"),
                    None,
                    Some("2020-01-15"),
                ),
                o(
                    "luc-ngan",
                    "forest_area",
                    "2019-H2",
                    "79228162514264337593543950335",
                    Standing::Estimate,
                    ReviewState::Draft,
                    None,
                    Some("kim"),
                    None,
                ),
                o(
                    "bac-giang",
                    "forest_area",
                    "2019-07",
                    "0.000",
                    Standing::Preliminary,
                    ReviewState::Submitted,
                    Some("Cục Thống kê"),
                    Some("kim"),
                    Some("1969-12-31"),
                ),
                o(
                    "luc-ngan",
                    "forest_cover",
                    "2019-Q3",
                    "-12345678901234567.8",
                    Standing::Final,
                    ReviewState::Returned,
                    None,
                    None,
                    None,
                ),
                o(
                    "luc-ngan",
                    "forest_cover",
                    "2019-Q4",
                    "999999999999999999",
                    Standing::Final,
                    ReviewState::Approved,
                    None,
                    None,
                    None,
                ),
                o(
                    "luc-ngan",
                    "forest_area",
                    "2019",
                    "41.3",
                    Standing::Final,
                    ReviewState::Approved,
                    None,
                    None,
                    Some("2020-02-01"),
                ),
            ];
            assert_eq!(got, want);
            let texts: Vec<String> = got.iter().map(|o| o.value.to_string()).collect();
            let want_texts: Vec<String> = want.iter().map(|o| o.value.to_string()).collect();
            assert_eq!(texts, want_texts);
            let new = o(
                "luc-ngan",
                "forest_area",
                "2020",
                "42",
                Standing::Final,
                ReviewState::Approved,
                None,
                None,
                None,
            );
            let summary = store
                .add_observations(&[want[0].clone(), new.clone()])
                .await
                .unwrap();
            assert_eq!(
                (summary.added.observations, summary.skipped.observations),
                (1, 1)
            );
            let mut want = want;
            want.push(new);
            assert_eq!(store.load().await.unwrap().observations, want);
            store.close().await;
        }
    })
    .await;
    teardown.await;
    if let Err(e) = check {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// A write that raises the revision notifies `REVISION_CHANNEL` with the new revision when it
/// commits; a refused write notifies nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_notifies_its_revision() {
    use chitieu_store::Store;
    use chitieu_store_postgres::REVISION_CHANNEL;
    use chitieu_store_tests::sample;
    let Some((url, teardown)) = fresh_database().await else {
        return;
    };
    let check = tokio::spawn(async move {
        let store = PgStore::connect(&url).await.unwrap();
        let mut listener = sqlx::postgres::PgListener::connect(&url).await.unwrap();
        listener.listen(REVISION_CHANNEL).await.unwrap();
        let mut refused = sample::sample();
        refused.targets[0].unit = "khong-ton-tai".into();
        assert!(store.import(&refused).await.is_err());
        store.import(&sample::sample()).await.unwrap();
        let within = std::time::Duration::from_secs(10);
        let n = tokio::time::timeout(within, listener.recv())
            .await
            .expect("no notification")
            .unwrap();
        assert_eq!(n.channel(), REVISION_CHANNEL);
        let revision = store.revision().await.unwrap();
        // The first notification is the import's, not the refused one's.
        assert_eq!(n.payload(), revision.to_string());
        store.close().await;
    })
    .await;
    teardown.await;
    if let Err(e) = check {
        std::panic::resume_unwind(e.into_panic());
    }
}
