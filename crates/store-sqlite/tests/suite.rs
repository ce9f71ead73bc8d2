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
        let path = dir.path().join("chitieu.db");
        let store = SqliteStore::open(&path).await.unwrap();
        let other = SqliteStore::open(&path).await.unwrap();
        Some(Fixture {
            store: std::sync::Arc::new(store),
            other: Some(std::sync::Arc::new(other)),
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

/// A figure is stored as integers, never as a REAL: in its (period, indicator)'s block, the
/// mantissa with the scale it was written with (`40.10` is 4010 and 2), so the value and its
/// scale come back exactly.
#[tokio::test]
async fn decimals_are_stored_as_mantissa_and_scale() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chitieu.db");
    let store = SqliteStore::open(&path).await.unwrap();
    store.import(&sample::sample()).await.unwrap();
    store.close().await;
    // Read the file with a plain connection.
    use sqlx::{Connection, Row};
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let rows = sqlx::query("SELECT typeof(data) AS t, n, data FROM figure_blocks")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(rows.iter().all(|r| r.get::<String, _>("t") == "blob"));
    let mut figures = Vec::new();
    for r in &rows {
        let n: i64 = r.get("n");
        chitieu_store::block::decode(r.get("data"), n as usize, &mut figures).unwrap();
    }
    figures.sort_by_key(|f| f.seq);
    assert_eq!(figures.len(), sample::sample().observations.len());
    assert_eq!((figures[1].mantissa, figures[1].scale), (Some(4010), 2));
    assert!(figures.iter().all(|f| f.exact.is_none()));
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
    ('bac-giang-xviii', '14', 'forest_area', 'bac-giang', 'environment', 'level', '100', '2015', 'Chỉ tiêu 14',
     'exact', '120.0', '2020-12-31', 0);
";

/// A database file made by the first `migrations` of this crate only (as an earlier version of
/// chitieu left it), with each of `sql` run on it; returns its path inside `dir`.
async fn database_at_schema(
    dir: &std::path::Path,
    migrations: &[&str],
    sql: &[&str],
) -> std::path::PathBuf {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
    let old = dir.join("earlier-schema");
    std::fs::create_dir(&old).unwrap();
    for file in migrations {
        std::fs::copy(
            format!("{}/migrations/{file}", env!("CARGO_MANIFEST_DIR")),
            old.join(file),
        )
        .unwrap();
    }
    let path = dir.join("chitieu.db");
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(old.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    for q in sql {
        sqlx::raw_sql(q).execute(&pool).await.unwrap();
    }
    pool.close().await;
    path
}

/// A database created by the first schema, with data, is brought up to date on open (the
/// second migration adds columns and tables around the stored rows) and keeps its data.
#[tokio::test]
async fn upgrade_from_the_first_schema_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_at_schema(dir.path(), &["0001_initial.sql"], &[FIRST_SCHEMA_DATA]).await;
    let store = SqliteStore::open(&path).await.unwrap();
    chitieu_store_tests::cases::first_schema_data_survives_upgrade(&store).await;
    store.close().await;
}

/// Observations as the second schema stored them (text periods and decimals), with values the
/// move to mantissa and scale must take apart carefully: a 29-digit value, a negative zero
/// with a scale, 18 and 19 significant digits, every kind of period, texts and dates.
const SECOND_SCHEMA_OBSERVATIONS: &str = "
INSERT INTO observations (unit, indicator, period, value, standing, state, source, reported_by, reported) VALUES
    ('luc-ngan', 'forest_area', '2019', '41.30', 'final', 'approved', 'Cục Thống kê', NULL, '2020-01-15'),
    ('luc-ngan', 'forest_area', '2019-H2', '79228162514264337593543950335', 'estimate', 'draft', NULL, 'kim', NULL),
    ('bac-giang', 'forest_area', '2019-07', '-0.000', 'preliminary', 'submitted', 'Cục Thống kê', 'kim', '1969-12-31'),
    ('luc-ngan', 'forest_cover', '2019-Q3', '-12345678901234567.8', 'final', 'returned', NULL, NULL, NULL),
    ('luc-ngan', 'forest_cover', '2019-Q4', '999999999999999999', 'final', 'approved', NULL, NULL, NULL),
    ('luc-ngan', 'forest_area', '2019', '41.3', 'final', 'approved', NULL, NULL, '2020-02-01');
";

/// A database at the second schema holding observations is moved to the compact `figures`
/// table on open: every observation comes back as it was, in its order, scale kept; and
/// figures added after the upgrade follow them.
#[tokio::test]
async fn upgrade_from_the_second_schema_moves_observations() {
    use chitieu_domain::{Observation, ReviewState, Standing};
    let dir = tempfile::tempdir().unwrap();
    let path = database_at_schema(
        dir.path(),
        &["0001_initial.sql", "0002_issue3.sql"],
        &[FIRST_SCHEMA_DATA, SECOND_SCHEMA_OBSERVATIONS],
    )
    .await;
    let store = SqliteStore::open(&path).await.unwrap();
    let got = store.load().await.unwrap().observations;
    let o = |unit: &str,
             indicator: &str,
             period: &str,
             value: &str,
             standing,
             state,
             source: Option<&str>,
             by: Option<&str>,
             reported: Option<&str>| Observation {
        unit: unit.into(),
        indicator: indicator.into(),
        period: period.parse().unwrap(),
        value: value.parse().unwrap(),
        standing,
        state,
        source: source.map(Into::into),
        reported_by: by.map(Into::into),
        reported: reported.map(|d| d.parse().unwrap()),
    };
    let mut negative_zero: chitieu_domain::Decimal = "0.000".parse().unwrap();
    negative_zero.set_sign_negative(true);
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
        Observation {
            value: negative_zero,
            ..o(
                "bac-giang",
                "forest_area",
                "2019-07",
                "0",
                Standing::Preliminary,
                ReviewState::Submitted,
                Some("Cục Thống kê"),
                Some("kim"),
                Some("1969-12-31"),
            )
        },
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
    assert_eq!(texts[2], "-0.000");
    // A figure added now comes after the moved ones and sees them as stored.
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

/// A database at the third schema (a row per figure) is moved into blocks on open, in one
/// transaction: more figures than one block holds, versions of one figure kept in order, a
/// wide value kept as text; the figures come back as they were, and the figure in force is
/// the same.
#[tokio::test]
async fn upgrade_from_the_third_schema_packs_rows_into_blocks() {
    use chitieu_domain::ReviewState;
    // 20,000 figures of forest_area (indicator seq 1) for luc-ngan (unit seq 2) in 2019-Q1
    // (2019 × 19 + 3), each a later version of the same figure, values 0.00 … 199.99; and one
    // value wider than 64 bits in 2019.
    const FIGURES: &str =
        "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 20000)
         INSERT INTO figures (period, indicator, unit, seq, mantissa, scale, flags, reported)
         SELECT 2019 * 19 + 3, 1, 2, k, k - 1, 2, 11, 17897 FROM n;
         INSERT INTO figures (period, indicator, unit, seq, mantissa, scale, flags, exact)
         VALUES (2019 * 19, 1, 1, 20001, NULL, 0, 11, '79228162514264337593543950335');
         INSERT OR REPLACE INTO counters (name, value) VALUES ('figures', 20002);";
    let dir = tempfile::tempdir().unwrap();
    let path = database_at_schema(
        dir.path(),
        &["0001_initial.sql", "0002_issue3.sql", "0003_figures.sql"],
        &[FIRST_SCHEMA_DATA, FIGURES],
    )
    .await;
    let store = SqliteStore::open(&path).await.unwrap();
    let got = store.load().await.unwrap().observations;
    assert_eq!(got.len(), 20_001);
    assert_eq!(got[0].value.to_string(), "0.00");
    assert_eq!(got[19_999].value.to_string(), "199.99");
    assert!(got[..20_000]
        .iter()
        .all(|o| o.unit == "luc-ngan" && o.state == ReviewState::Approved));
    assert_eq!(
        got[20_000].value.to_string(),
        "79228162514264337593543950335"
    );
    assert_eq!(got[20_000].unit, "bac-giang");
    // Of the versions known on the same day, the last stored is in force.
    let cols = store
        .load_figures(&chitieu_store::FigureQuery {
            first_year: 2019,
            last_year: 2019,
            known_by: "2020-12-31".parse().unwrap(),
            include_unapproved: false,
            units: None,
            indicators: None,
        })
        .await
        .unwrap();
    assert_eq!(cols.len(), 2);
    let values: Vec<String> = (0..2).map(|k| cols.value(k).unwrap().to_string()).collect();
    assert!(values.contains(&"199.99".to_string()), "{values:?}");
    store.close().await;
    // The old table is gone and the blocks hold every figure.
    use sqlx::{Connection, Row};
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let r = sqlx::query(
        "SELECT (SELECT count(*) FROM sqlite_master WHERE name = 'figures_0003') AS old,
                (SELECT sum(n) FROM figure_blocks) AS n, (SELECT count(*) FROM figure_blocks) AS blocks",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(r.get::<i64, _>("old"), 0);
    assert_eq!(r.get::<i64, _>("n"), 20_001);
    assert!(r.get::<i64, _>("blocks") > 2, "several blocks for one key");
}
