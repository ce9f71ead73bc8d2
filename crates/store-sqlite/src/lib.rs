//! chitieu's embedded SQLite store, the default backend: one file per installation, no server.
//!
//! It owns the SQLite schema (`migrations/`, embedded in the binary and applied on open) and
//! the mapping between those tables and the domain's [`Dataset`]. It implements
//! [`chitieu_store::Store`]; nothing outside this crate should know its tables or depend on
//! `sqlx` for SQLite. It must not depend on other backends, on file formats or on the CLI.
//!
//! Exactness: decimals are stored as the TEXT rust_decimal writes (scale kept), never REAL.
//! Concurrency: every write transaction starts with `BEGIN IMMEDIATE`, so it holds the write
//! lock before it reads what it merges with, and two writers (two processes on one file)
//! queue on the busy timeout instead of failing on a lock upgrade.

mod figures;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chitieu_domain::{
    Adjustment, BodyKind, Change, Dataset, Decimal, Decision, Direction, Document, DocumentKind,
    Field, Indicator, Level, Milestone, Observation, Period, Reorganisation, ReorganisationKind,
    Resolution, ResolutionKind, ReviewText, Succession, Target, TargetKind, TargetSpec, Task,
    TaskState, Term, Unit,
};
use chitieu_store::{
    aggregation, parse_text, parse_word, review_text, subject, target_value, to_u32, FigureColumns,
    FigureQuery, ImportSummary, ObservationSource, Store, StoreError,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

const BACKEND: &str = "sqlite";

/// How long a writer waits for another one to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite accepts up to 32 766 bound parameters per statement; staying well below keeps
/// statements small while still writing hundreds of rows per round trip.
const MAX_PARAMS: usize = 8_000;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A chitieu database in one SQLite file (or in memory, for tests).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file and its folder if missing, and brings
    /// its schema up to date.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let open_err = |message: String| StoreError::Open {
            backend: BACKEND,
            target: path.display().to_string(),
            message,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| open_err(format!("cannot create folder {}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL loses at most the last transactions on power loss, never
            // consistency; FULL would fsync on every commit for little gain here.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            // 64 MiB of page cache instead of the default 2 MiB: a roll-up reads a year's
            // figure blocks (tens of megabytes at national scale) and a second one should
            // find them in memory. Memory is used only as needed.
            .pragma("cache_size", "-65536")
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| open_err(e.to_string()))?;
        Self::migrated(pool).await
    }

    /// A private database in memory that lives as long as the store.
    pub async fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(|e| StoreError::Open {
                backend: BACKEND,
                target: ":memory:".into(),
                message: e.to_string(),
            })?
            .foreign_keys(true);
        // An in-memory database dies with its last connection and is not shared between
        // connections without shared-cache locking (which ignores the busy timeout), so the
        // pool keeps exactly one connection forever.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open {
                backend: BACKEND,
                target: ":memory:".into(),
                message: e.to_string(),
            })?;
        Self::migrated(pool).await
    }

    async fn migrated(pool: SqlitePool) -> Result<SqliteStore, StoreError> {
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migration {
                backend: BACKEND,
                message: e.to_string(),
            })?;
        let mut tx = pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| StoreError::database("starting a write transaction", e))?;
        figures::move_rows_into_blocks(&mut tx).await?;
        tx.commit()
            .await
            .map_err(|e| StoreError::database("committing", e))?;
        Ok(SqliteStore { pool })
    }

    /// Closes every connection and waits until they are closed, so the file can be reopened
    /// or removed at once.
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// Runs `merge` on the stored data inside one `BEGIN IMMEDIATE` transaction, writes the
    /// delta it returns and commits; on any error it rolls back.
    async fn write_merged(
        &self,
        incoming: &[Observation],
        merge: impl FnOnce(&Dataset) -> Result<(Dataset, ImportSummary), StoreError> + Send,
    ) -> Result<ImportSummary, StoreError> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| StoreError::database("starting a write transaction", e))?;
        let written = async {
            // Stored figures matter to a merge only as earlier versions or duplicates of
            // incoming ones (same unit, indicator and period): those are read, never the
            // millions of others.
            let mut stored = load_all(&mut tx, false).await?;
            if !incoming.is_empty() {
                stored.observations = figures::load_observations_like(&mut tx, incoming).await?;
            }
            let (delta, summary) = merge(&stored)?;
            insert_all(&mut tx, &delta).await?;
            if !summary.is_noop() {
                bump_revision(&mut tx).await?;
            }
            Ok::<_, StoreError>(summary)
        }
        .await;
        let summary = match written {
            Ok(summary) => summary,
            Err(e) => {
                // Roll back now rather than on drop, so the write lock is released before
                // the error is returned, not whenever the pool next touches the connection.
                // The rollback's own failure matters less than the error that caused it.
                let _ = tx.rollback().await;
                return Err(e);
            }
        };
        tx.commit()
            .await
            .map_err(|e| StoreError::database("committing", e))?;
        Ok(summary)
    }
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn load(&self) -> Result<Dataset, StoreError> {
        // A read transaction gives every table the same snapshot.
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| StoreError::database("starting a read transaction", e))?;
        let data = load_all(&mut tx, true).await?;
        tx.rollback()
            .await
            .map_err(|e| StoreError::database("ending a read transaction", e))?;
        Ok(data)
    }

    async fn load_structure(&self) -> Result<Dataset, StoreError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| StoreError::database("starting a read transaction", e))?;
        let data = load_all(&mut tx, false).await?;
        tx.rollback()
            .await
            .map_err(|e| StoreError::database("ending a read transaction", e))?;
        Ok(data)
    }

    async fn import(&self, bundle: &Dataset) -> Result<ImportSummary, StoreError> {
        self.write_merged(&bundle.observations, |stored| {
            let delta = stored.merge_delta(bundle).map_err(StoreError::Invalid)?;
            let summary = ImportSummary::from_delta(bundle, &delta);
            Ok((delta, summary))
        })
        .await
    }

    async fn add_observations(
        &self,
        observations: &[Observation],
    ) -> Result<ImportSummary, StoreError> {
        let incoming = Dataset {
            observations: observations.to_vec(),
            ..Dataset::default()
        };
        self.write_merged(observations, |stored| {
            let delta = stored.merge_delta(&incoming).map_err(StoreError::Invalid)?;
            let summary = ImportSummary::from_delta(&incoming, &delta);
            Ok((delta, summary))
        })
        .await
    }

    async fn import_observations(
        &self,
        rows: &mut dyn ObservationSource,
    ) -> Result<ImportSummary, StoreError> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| StoreError::database("starting a write transaction", e))?;
        let written = async {
            let summary = figures::import_stream(&mut tx, rows).await?;
            if !summary.is_noop() {
                bump_revision(&mut tx).await?;
            }
            Ok::<_, StoreError>(summary)
        }
        .await;
        match written {
            Ok(summary) => {
                tx.commit()
                    .await
                    .map_err(|e| StoreError::database("committing", e))?;
                Ok(summary)
            }
            Err(e) => {
                // As in write_merged: release the write lock before returning the error.
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    async fn load_figures(&self, query: &FigureQuery) -> Result<FigureColumns, StoreError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| StoreError::database("starting a read transaction", e))?;
        let figures = figures::load_figures(&mut tx, query).await?;
        tx.rollback()
            .await
            .map_err(|e| StoreError::database("ending a read transaction", e))?;
        Ok(figures)
    }

    async fn revision(&self) -> Result<u64, StoreError> {
        let value: Option<i64> = sqlx::query_scalar("SELECT value FROM counters WHERE name = ?1")
            .bind(chitieu_store::REVISION)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| StoreError::database("reading the revision", e))?;
        chitieu_store::revision_of(value.unwrap_or(0))
    }

    async fn review_text(
        &self,
        unit: &str,
        as_of: chrono::NaiveDate,
    ) -> Result<Option<ReviewText>, StoreError> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| StoreError::database("reading a review's text", e))?;
        read_review_text(&mut conn, unit, as_of).await
    }

    async fn save_review_text(&self, text: &ReviewText) -> Result<(), StoreError> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| StoreError::database("starting a write transaction", e))?;
        let written = async {
            let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM units WHERE id = ?1")
                .bind(&text.unit)
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| StoreError::database("finding the unit", e))?;
            if known.is_none() {
                return Err(StoreError::NotFound {
                    what: "unit",
                    id: text.unit.clone(),
                });
            }
            let before = read_review_text(&mut tx, &text.unit, text.as_of).await?;
            let after = (!text.is_empty()).then(|| text.clone());
            if before == after {
                return Ok(false);
            }
            sqlx::query("DELETE FROM review_texts WHERE unit = ?1 AND as_of = ?2")
                .bind(&text.unit)
                .bind(text.as_of.to_string())
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::database("replacing a review's text", e))?;
            if let Some(t) = after {
                sqlx::query(
                    "INSERT INTO review_texts (unit, as_of, number, layout, issuer, superior, \
                     place, causes, directions, recipients, signer, signer_title) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .bind(&t.unit)
                .bind(t.as_of.to_string())
                .bind(&t.number)
                .bind(review_text::layout(&t))
                .bind(&t.issuer)
                .bind(&t.superior)
                .bind(&t.place)
                .bind(&t.causes)
                .bind(&t.directions)
                .bind(review_text::recipients(&t))
                .bind(&t.signer)
                .bind(&t.signer_title)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::database("saving a review's text", e))?;
            }
            bump_revision(&mut tx).await?;
            Ok(true)
        }
        .await;
        match written {
            Ok(_) => tx
                .commit()
                .await
                .map_err(|e| StoreError::database("committing", e)),
            Err(e) => {
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    fn backend(&self) -> &'static str {
        BACKEND
    }
}

/// The office's text for a review, read on `conn` (inside a write transaction when saving).
async fn read_review_text(
    conn: &mut SqliteConnection,
    unit: &str,
    as_of: chrono::NaiveDate,
) -> Result<Option<ReviewText>, StoreError> {
    let row = sqlx::query(
        "SELECT number, layout, issuer, superior, place, causes, directions, recipients, \
         signer, signer_title FROM review_texts WHERE unit = ?1 AND as_of = ?2",
    )
    .bind(unit)
    .bind(as_of.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(|e| StoreError::database("reading a review's text", e))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let get = |c: &'static str| -> Result<Option<String>, StoreError> {
        row.try_get::<Option<String>, _>(c)
            .map_err(|e| StoreError::database("reading a review's text", e))
    };
    let recipients = get("recipients")?.unwrap_or_default();
    Ok(Some(ReviewText {
        unit: unit.to_string(),
        as_of,
        number: get("number")?,
        layout: review_text::parse_layout(get("layout")?)?,
        issuer: get("issuer")?,
        superior: get("superior")?,
        place: get("place")?,
        causes: get("causes")?.unwrap_or_default(),
        directions: get("directions")?.unwrap_or_default(),
        recipients: review_text::parse_recipients(&recipients),
        signer: get("signer")?,
        signer_title: get("signer_title")?,
    }))
}

/// Raises the revision inside the write transaction `conn`, so that it commits with the write.
async fn bump_revision(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO counters (name, value) VALUES (?1, 1) \
         ON CONFLICT (name) DO UPDATE SET value = value + 1",
    )
    .bind(chitieu_store::REVISION)
    .execute(&mut *conn)
    .await
    .map_err(|e| StoreError::database("raising the revision", e))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reading

fn get<'r, T>(
    row: &'r SqliteRow,
    table: &'static str,
    column: &'static str,
) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(column)
        .map_err(|e| StoreError::corrupt(table, column, "(unreadable)", e))
}

fn get_decimal(
    row: &SqliteRow,
    table: &'static str,
    column: &'static str,
) -> Result<Decimal, StoreError> {
    let text: String = get(row, table, column)?;
    parse_text(table, column, &text)
}

fn get_opt_decimal(
    row: &SqliteRow,
    table: &'static str,
    column: &'static str,
) -> Result<Option<Decimal>, StoreError> {
    let text: Option<String> = get(row, table, column)?;
    text.map(|t| parse_text(table, column, &t)).transpose()
}

fn get_period(
    row: &SqliteRow,
    table: &'static str,
    column: &'static str,
) -> Result<Period, StoreError> {
    let text: String = get(row, table, column)?;
    parse_text(table, column, &text)
}

fn get_opt_u32(
    row: &SqliteRow,
    table: &'static str,
    column: &'static str,
) -> Result<Option<u32>, StoreError> {
    let n: Option<i64> = get(row, table, column)?;
    n.map(|n| to_u32(table, column, n)).transpose()
}

async fn fetch(
    conn: &mut SqliteConnection,
    sql: &'static str,
    table: &'static str,
) -> Result<Vec<SqliteRow>, StoreError> {
    sqlx::query(sql)
        .fetch_all(conn)
        .await
        .map_err(|e| StoreError::Database {
            context: "reading",
            message: format!("{table}: {e}"),
        })
}

/// The units, in one JSON array built by SQLite: a national tree has ~120,000 units, and
/// sqlx's rows cost microseconds each (owned values, a message per row), which made this
/// table most of the time a cold start takes; one text parsed by serde_json costs a tenth.
async fn load_units(conn: &mut SqliteConnection) -> Result<Vec<Unit>, StoreError> {
    const T: &str = "units";
    type Row = (
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let text: String = sqlx::query_scalar(
        "SELECT json_group_array(json_array(id, name, name_en, level, parent, code, valid_from, \
         valid_to) ORDER BY seq) FROM units",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| StoreError::Database {
        context: "reading",
        message: format!("{T}: {e}"),
    })?;
    let rows: Vec<Row> =
        serde_json::from_str(&text).map_err(|e| StoreError::corrupt(T, "(row)", "", e))?;
    let date = |column: &'static str, d: Option<String>| {
        d.map(|d| {
            d.parse::<chrono::NaiveDate>()
                .map_err(|e| StoreError::corrupt(T, column, d.clone(), e))
        })
        .transpose()
    };
    rows.into_iter()
        .map(
            |(id, name, name_en, level, parent, code, valid_from, valid_to)| {
                Ok(Unit {
                    id,
                    name,
                    name_en,
                    level: Level::parse(&level),
                    parent,
                    code,
                    valid_from: date("valid_from", valid_from)?,
                    valid_to: date("valid_to", valid_to)?,
                })
            },
        )
        .collect()
}

async fn load_all(
    conn: &mut SqliteConnection,
    with_observations: bool,
) -> Result<Dataset, StoreError> {
    let mut data = Dataset {
        units: load_units(conn).await?,
        ..Dataset::default()
    };

    for row in fetch(
        conn,
        "SELECT id, start_date, end_date FROM terms ORDER BY seq",
        "terms",
    )
    .await?
    {
        const T: &str = "terms";
        data.terms.push(Term {
            id: get(&row, T, "id")?,
            start: get(&row, T, "start_date")?,
            end: get(&row, T, "end_date")?,
        });
    }

    for row in fetch(
        conn,
        "SELECT id, unit, kind, congress, term, number, adopted, title, issuer, body FROM resolutions ORDER BY seq",
        "resolutions",
    )
    .await?
    {
        const T: &str = "resolutions";
        data.resolutions.push(Resolution {
            id: get(&row, T, "id")?,
            unit: get(&row, T, "unit")?,
            kind: parse_word(T, "kind", &get::<String>(&row, T, "kind")?, ResolutionKind::parse)?,
            congress: get_opt_u32(&row, T, "congress")?,
            term: get(&row, T, "term")?,
            number: get(&row, T, "number")?,
            adopted: get(&row, T, "adopted")?,
            title: get(&row, T, "title")?,
            issuer: get(&row, T, "issuer")?,
            body: parse_word(T, "body", &get::<String>(&row, T, "body")?, BodyKind::parse)?,
        });
    }

    for row in fetch(
        conn,
        "SELECT id, name, name_en, measure, direction, aggregation, formula, count_of, condition_op, \
         condition_value FROM indicators ORDER BY seq",
        "indicators",
    )
    .await?
    {
        const T: &str = "indicators";
        let columns = aggregation::Columns {
            aggregation: get(&row, T, "aggregation")?,
            formula: get(&row, T, "formula")?,
            count_of: get(&row, T, "count_of")?,
            condition_op: get(&row, T, "condition_op")?,
            condition_value: get_opt_decimal(&row, T, "condition_value")?,
        };
        data.indicators.push(Indicator {
            id: get(&row, T, "id")?,
            name: get(&row, T, "name")?,
            name_en: get(&row, T, "name_en")?,
            measure: get(&row, T, "measure")?,
            direction: parse_word(T, "direction", &get::<String>(&row, T, "direction")?, Direction::parse)?,
            aggregation: aggregation::join(T, columns)?,
        });
    }

    let mut milestones = group_milestones(
        fetch(
            conn,
            "SELECT resolution, code, period, value FROM target_milestones ORDER BY seq",
            "target_milestones",
        )
        .await?,
    )?;
    for row in fetch(
        conn,
        "SELECT resolution, code, indicator, unit, field, kind, baseline, baseline_period, name, value_kind, value, \
         value_max, deadline, precision, source, illustrative, allocated_from FROM targets ORDER BY seq",
        "targets",
    )
    .await?
    {
        const T: &str = "targets";
        let resolution: String = get(&row, T, "resolution")?;
        let code: String = get(&row, T, "code")?;
        let value_kind: String = get(&row, T, "value_kind")?;
        let value = target_value::join(T, &value_kind, get_decimal(&row, T, "value")?, get_opt_decimal(&row, T, "value_max")?)?;
        data.targets.push(Target {
            milestones: milestones.remove(&(resolution.clone(), code.clone())).unwrap_or_default(),
            indicator: get(&row, T, "indicator")?,
            unit: get(&row, T, "unit")?,
            field: parse_word(T, "field", &get::<String>(&row, T, "field")?, Field::parse)?,
            kind: parse_word(T, "kind", &get::<String>(&row, T, "kind")?, TargetKind::parse)?,
            baseline: get_decimal(&row, T, "baseline")?,
            baseline_period: get_period(&row, T, "baseline_period")?,
            original: TargetSpec { name: get(&row, T, "name")?, value, deadline: get(&row, T, "deadline")? },
            precision: get_opt_u32(&row, T, "precision")?,
            source: get(&row, T, "source")?,
            illustrative: get(&row, T, "illustrative")?,
            allocated_from: get(&row, T, "allocated_from")?,
            resolution,
            code,
        });
    }

    for row in fetch(
        conn,
        "SELECT subject_kind, resolution, code, decision_body, decision_reference, decision_date, reason, value_kind, \
         value, value_max, deadline, wording, withdraw FROM adjustments ORDER BY seq",
        "adjustments",
    )
    .await?
    {
        const T: &str = "adjustments";
        let subject_kind: String = get(&row, T, "subject_kind")?;
        let value_kind: Option<String> = get(&row, T, "value_kind")?;
        let value = match (value_kind, get_opt_decimal(&row, T, "value")?) {
            (Some(kind), Some(v)) => Some(target_value::join(T, &kind, v, get_opt_decimal(&row, T, "value_max")?)?),
            (None, None) => None,
            (Some(kind), None) => return Err(StoreError::corrupt(T, "value", "NULL", format!("a `{kind}` value needs a value"))),
            (None, Some(v)) => return Err(StoreError::corrupt(T, "value_kind", "NULL", format!("value {v} has no kind"))),
        };
        data.adjustments.push(Adjustment {
            subject: subject::join(T, &subject_kind, get(&row, T, "resolution")?, get(&row, T, "code")?)?,
            decision: Decision {
                body: get(&row, T, "decision_body")?,
                reference: get(&row, T, "decision_reference")?,
                date: get(&row, T, "decision_date")?,
            },
            reason: get(&row, T, "reason")?,
            change: Change {
                value,
                deadline: get(&row, T, "deadline")?,
                wording: get(&row, T, "wording")?,
                withdraw: get(&row, T, "withdraw")?,
            },
        });
    }

    let mut doc_resolutions = group_links(
        fetch(
            conn,
            "SELECT issuer, number, resolution AS link FROM document_resolutions ORDER BY seq",
            "document_resolutions",
        )
        .await?,
        "document_resolutions",
    )?;
    let mut doc_targets = group_links(
        fetch(
            conn,
            "SELECT issuer, number, target AS link FROM document_targets ORDER BY seq",
            "document_targets",
        )
        .await?,
        "document_targets",
    )?;
    for row in fetch(
        conn,
        "SELECT issuer, number, kind, date, title, illustrative FROM documents ORDER BY seq",
        "documents",
    )
    .await?
    {
        const T: &str = "documents";
        let issuer: String = get(&row, T, "issuer")?;
        let number: String = get(&row, T, "number")?;
        let key = (issuer, number);
        data.documents.push(Document {
            kind: parse_word(
                T,
                "kind",
                &get::<String>(&row, T, "kind")?,
                DocumentKind::parse,
            )?,
            date: get(&row, T, "date")?,
            title: get(&row, T, "title")?,
            resolutions: doc_resolutions.remove(&key).unwrap_or_default(),
            targets: doc_targets.remove(&key).unwrap_or_default(),
            illustrative: get(&row, T, "illustrative")?,
            issuer: key.0,
            number: key.1,
        });
    }

    for row in fetch(
        conn,
        "SELECT resolution, code, name, unit, field, due, state, done_on, illustrative FROM tasks ORDER BY seq",
        "tasks",
    )
    .await?
    {
        const T: &str = "tasks";
        data.tasks.push(Task {
            resolution: get(&row, T, "resolution")?,
            code: get(&row, T, "code")?,
            name: get(&row, T, "name")?,
            unit: get(&row, T, "unit")?,
            field: parse_word(T, "field", &get::<String>(&row, T, "field")?, Field::parse)?,
            due: get(&row, T, "due")?,
            state: parse_word(T, "state", &get::<String>(&row, T, "state")?, TaskState::parse)?,
            done_on: get(&row, T, "done_on")?,
            illustrative: get(&row, T, "illustrative")?,
        });
    }

    let mut parts = group_parts(
        fetch(
            conn,
            "SELECT reorganisation_id, from_unit, to_unit, share FROM reorganisation_parts ORDER BY seq",
            "reorganisation_parts",
        )
        .await?,
    )?;
    for row in fetch(
        conn,
        "SELECT id, kind, date, decision FROM reorganisations ORDER BY seq",
        "reorganisations",
    )
    .await?
    {
        const T: &str = "reorganisations";
        let id: String = get(&row, T, "id")?;
        data.reorganisations.push(Reorganisation {
            kind: parse_word(
                T,
                "kind",
                &get::<String>(&row, T, "kind")?,
                ReorganisationKind::parse,
            )?,
            date: get(&row, T, "date")?,
            decision: get(&row, T, "decision")?,
            parts: parts.remove(&id).unwrap_or_default(),
            id,
        });
    }

    if with_observations {
        data.observations = figures::load_observations(conn).await?;
    }

    Ok(data)
}

type Key = (String, String);

fn group_milestones(
    rows: Vec<SqliteRow>,
) -> Result<std::collections::HashMap<Key, Vec<Milestone>>, StoreError> {
    const T: &str = "target_milestones";
    let mut out: std::collections::HashMap<Key, Vec<Milestone>> = std::collections::HashMap::new();
    for row in rows {
        let key = (get(&row, T, "resolution")?, get(&row, T, "code")?);
        out.entry(key).or_default().push(Milestone {
            period: get_period(&row, T, "period")?,
            value: get_decimal(&row, T, "value")?,
        });
    }
    Ok(out)
}

fn group_parts(
    rows: Vec<SqliteRow>,
) -> Result<std::collections::HashMap<String, Vec<Succession>>, StoreError> {
    const T: &str = "reorganisation_parts";
    let mut out: std::collections::HashMap<String, Vec<Succession>> =
        std::collections::HashMap::new();
    for row in rows {
        out.entry(get(&row, T, "reorganisation_id")?)
            .or_default()
            .push(Succession {
                from: get(&row, T, "from_unit")?,
                to: get(&row, T, "to_unit")?,
                share: get_decimal(&row, T, "share")?,
            });
    }
    Ok(out)
}

fn group_links(
    rows: Vec<SqliteRow>,
    table: &'static str,
) -> Result<std::collections::HashMap<Key, Vec<String>>, StoreError> {
    let mut out: std::collections::HashMap<Key, Vec<String>> = std::collections::HashMap::new();
    for row in rows {
        let key = (get(&row, table, "issuer")?, get(&row, table, "number")?);
        out.entry(key).or_default().push(get(&row, table, "link")?);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Inserts `rows` with multi-row INSERTs of as many rows as the parameter budget allows.
async fn insert_rows<T>(
    conn: &mut SqliteConnection,
    table: &'static str,
    columns: &[&str],
    rows: &[T],
    mut bind: impl FnMut(&mut sqlx::query_builder::Separated<'_, '_, Sqlite, &'static str>, &T),
) -> Result<(), StoreError> {
    let per_chunk = (MAX_PARAMS / columns.len().max(1)).max(1);
    for chunk in rows.chunks(per_chunk) {
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new(format!("INSERT INTO {table} ({}) ", columns.join(", ")));
        qb.push_values(chunk, |mut b, row| bind(&mut b, row));
        qb.build()
            .execute(&mut *conn)
            .await
            .map_err(|e| StoreError::Database {
                context: "writing",
                message: format!("{table}: {e}"),
            })?;
    }
    Ok(())
}

fn text(d: &Decimal) -> String {
    d.to_string()
}

async fn insert_all(conn: &mut SqliteConnection, d: &Dataset) -> Result<(), StoreError> {
    insert_rows(
        conn,
        "units",
        &[
            "id",
            "name",
            "name_en",
            "level",
            "parent",
            "code",
            "valid_from",
            "valid_to",
        ],
        &d.units,
        |b, u| {
            b.push_bind(u.id.clone())
                .push_bind(u.name.clone())
                .push_bind(u.name_en.clone())
                .push_bind(u.level.as_str().to_string())
                .push_bind(u.parent.clone())
                .push_bind(u.code.clone())
                .push_bind(u.valid_from)
                .push_bind(u.valid_to);
        },
    )
    .await?;

    insert_rows(
        conn,
        "terms",
        &["id", "start_date", "end_date"],
        &d.terms,
        |b, t| {
            b.push_bind(t.id.clone())
                .push_bind(t.start)
                .push_bind(t.end);
        },
    )
    .await?;

    insert_rows(
        conn,
        "resolutions",
        &[
            "id", "unit", "kind", "congress", "term", "number", "adopted", "title", "issuer",
            "body",
        ],
        &d.resolutions,
        |b, r| {
            b.push_bind(r.id.clone())
                .push_bind(r.unit.clone())
                .push_bind(r.kind.as_str())
                .push_bind(r.congress.map(i64::from))
                .push_bind(r.term.clone())
                .push_bind(r.number.clone())
                .push_bind(r.adopted)
                .push_bind(r.title.clone())
                .push_bind(r.issuer.clone())
                .push_bind(r.body.as_str());
        },
    )
    .await?;

    insert_rows(
        conn,
        "indicators",
        &[
            "id",
            "name",
            "name_en",
            "measure",
            "direction",
            "aggregation",
            "formula",
            "count_of",
            "condition_op",
            "condition_value",
        ],
        &d.indicators,
        |b, i| {
            let c = aggregation::split(&i.aggregation);
            b.push_bind(i.id.clone())
                .push_bind(i.name.clone())
                .push_bind(i.name_en.clone())
                .push_bind(i.measure.clone())
                .push_bind(i.direction.as_str())
                .push_bind(c.aggregation)
                .push_bind(c.formula)
                .push_bind(c.count_of)
                .push_bind(c.condition_op)
                .push_bind(c.condition_value.as_ref().map(text));
        },
    )
    .await?;

    insert_rows(
        conn,
        "targets",
        &[
            "resolution",
            "code",
            "indicator",
            "unit",
            "field",
            "kind",
            "baseline",
            "baseline_period",
            "name",
            "value_kind",
            "value",
            "value_max",
            "deadline",
            "precision",
            "source",
            "illustrative",
            "allocated_from",
        ],
        &d.targets,
        |b, t| {
            let (kind, value, max) = target_value::split(&t.original.value);
            b.push_bind(t.resolution.clone())
                .push_bind(t.code.clone())
                .push_bind(t.indicator.clone())
                .push_bind(t.unit.clone())
                .push_bind(t.field.as_str())
                .push_bind(t.kind.as_str())
                .push_bind(text(&t.baseline))
                .push_bind(t.baseline_period.to_string())
                .push_bind(t.original.name.clone())
                .push_bind(kind)
                .push_bind(text(&value))
                .push_bind(max.as_ref().map(text))
                .push_bind(t.original.deadline)
                .push_bind(t.precision.map(i64::from))
                .push_bind(t.source.clone())
                .push_bind(t.illustrative)
                .push_bind(t.allocated_from.clone());
        },
    )
    .await?;

    let milestones: Vec<(&Target, &Milestone)> = d
        .targets
        .iter()
        .flat_map(|t| t.milestones.iter().map(move |m| (t, m)))
        .collect();
    insert_rows(
        conn,
        "target_milestones",
        &["resolution", "code", "period", "value"],
        &milestones,
        |b, (t, m)| {
            b.push_bind(t.resolution.clone())
                .push_bind(t.code.clone())
                .push_bind(m.period.to_string())
                .push_bind(text(&m.value));
        },
    )
    .await?;

    insert_rows(
        conn,
        "adjustments",
        &[
            "subject_kind",
            "resolution",
            "code",
            "decision_body",
            "decision_reference",
            "decision_date",
            "reason",
            "value_kind",
            "value",
            "value_max",
            "deadline",
            "wording",
            "withdraw",
        ],
        &d.adjustments,
        |b, a| {
            let (subject, resolution, code) = subject::split(&a.subject);
            let value = a.change.value.as_ref().map(target_value::split);
            b.push_bind(subject)
                .push_bind(resolution.to_string())
                .push_bind(code.to_string())
                .push_bind(a.decision.body.clone())
                .push_bind(a.decision.reference.clone())
                .push_bind(a.decision.date)
                .push_bind(a.reason.clone())
                .push_bind(value.map(|v| v.0))
                .push_bind(value.map(|v| text(&v.1)))
                .push_bind(value.and_then(|v| v.2).as_ref().map(text))
                .push_bind(a.change.deadline)
                .push_bind(a.change.wording.clone())
                .push_bind(a.change.withdraw);
        },
    )
    .await?;

    insert_rows(
        conn,
        "documents",
        &["issuer", "number", "kind", "date", "title", "illustrative"],
        &d.documents,
        |b, doc| {
            b.push_bind(doc.issuer.clone())
                .push_bind(doc.number.clone())
                .push_bind(doc.kind.as_str())
                .push_bind(doc.date)
                .push_bind(doc.title.clone())
                .push_bind(doc.illustrative);
        },
    )
    .await?;
    let links: Vec<(&Document, &String)> = d
        .documents
        .iter()
        .flat_map(|doc| doc.resolutions.iter().map(move |r| (doc, r)))
        .collect();
    insert_rows(
        conn,
        "document_resolutions",
        &["issuer", "number", "resolution"],
        &links,
        |b, (doc, r)| {
            b.push_bind(doc.issuer.clone())
                .push_bind(doc.number.clone())
                .push_bind((*r).clone());
        },
    )
    .await?;
    let links: Vec<(&Document, &String)> = d
        .documents
        .iter()
        .flat_map(|doc| doc.targets.iter().map(move |t| (doc, t)))
        .collect();
    insert_rows(
        conn,
        "document_targets",
        &["issuer", "number", "target"],
        &links,
        |b, (doc, t)| {
            b.push_bind(doc.issuer.clone())
                .push_bind(doc.number.clone())
                .push_bind((*t).clone());
        },
    )
    .await?;

    insert_rows(
        conn,
        "tasks",
        &[
            "resolution",
            "code",
            "name",
            "unit",
            "field",
            "due",
            "state",
            "done_on",
            "illustrative",
        ],
        &d.tasks,
        |b, t| {
            b.push_bind(t.resolution.clone())
                .push_bind(t.code.clone())
                .push_bind(t.name.clone())
                .push_bind(t.unit.clone())
                .push_bind(t.field.as_str())
                .push_bind(t.due)
                .push_bind(t.state.as_str())
                .push_bind(t.done_on)
                .push_bind(t.illustrative);
        },
    )
    .await?;

    insert_rows(
        conn,
        "reorganisations",
        &["id", "kind", "date", "decision"],
        &d.reorganisations,
        |b, r| {
            b.push_bind(r.id.clone())
                .push_bind(r.kind.as_str())
                .push_bind(r.date)
                .push_bind(r.decision.clone());
        },
    )
    .await?;
    let parts: Vec<(&Reorganisation, &Succession)> = d
        .reorganisations
        .iter()
        .flat_map(|r| r.parts.iter().map(move |p| (r, p)))
        .collect();
    insert_rows(
        conn,
        "reorganisation_parts",
        &["reorganisation_id", "from_unit", "to_unit", "share"],
        &parts,
        |b, (r, p)| {
            b.push_bind(r.id.clone())
                .push_bind(p.from.clone())
                .push_bind(p.to.clone())
                .push_bind(text(&p.share));
        },
    )
    .await?;

    figures::insert_observations(conn, &d.observations).await?;

    Ok(())
}
