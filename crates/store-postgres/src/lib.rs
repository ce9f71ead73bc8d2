//! chitieu's PostgreSQL store, for installations shared by several users or offices.
//!
//! It owns the PostgreSQL schema (`migrations/`, embedded in the binary and applied on
//! connect) and the mapping between those tables and the domain's [`Dataset`]. It implements
//! [`chitieu_store::Store`]; nothing outside this crate should know its tables or depend on
//! `sqlx` for PostgreSQL. It must not depend on other backends, on file formats or on the CLI.
//!
//! Exactness: decimals are NUMERIC, written and read as text (`$1::numeric`, `value::text`)
//! because sqlx's binary NUMERIC codec drops the scale of zero (`0.000` would come back `0`);
//! text keeps every value and its scale exactly.
//! Concurrency: every write transaction first takes a transaction-scoped advisory lock, so
//! chitieu writers run one at a time and each reads what it merges with only after the
//! previous one committed (READ COMMITTED takes a fresh snapshot per statement). Two
//! concurrent imports of one bundle therefore add it once instead of failing on a key.

mod figures;

use std::time::Duration;

pub use figures::COPY as FIGURES_COPY;

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
use sqlx::postgres::{PgPoolOptions, PgRow};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder, Row};

const BACKEND: &str = "postgres";

/// The key of the advisory lock that serialises chitieu's writers ("chitieu" in ASCII).
const WRITE_LOCK: i64 = 0x0063_6869_7469_6575;

/// PostgreSQL accepts up to 65 535 bound parameters per statement; staying well below keeps
/// statements small while still writing hundreds of rows per round trip.
const MAX_PARAMS: usize = 8_000;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A chitieu database on a PostgreSQL server.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:5432/dbname`) and brings the schema up to
    /// date. The database must exist.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await
            .map_err(|e| StoreError::Open {
                backend: BACKEND,
                target: redact(url),
                message: e.to_string(),
            })?;
        // sqlx's migrator takes its own advisory lock, so two processes starting at once do
        // not both apply a migration.
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migration {
                backend: BACKEND,
                message: e.to_string(),
            })?;
        Ok(PgStore { pool })
    }

    /// Closes every connection and waits until they are closed.
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// Runs `merge` on the stored data inside one transaction holding the write lock, writes
    /// the delta it returns and commits; on any error it rolls back.
    async fn write_merged(
        &self,
        incoming: &[Observation],
        merge: impl FnOnce(&Dataset) -> Result<(Dataset, ImportSummary), StoreError> + Send,
    ) -> Result<ImportSummary, StoreError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| StoreError::database("starting a write transaction", e))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::database("waiting for the write lock", e))?;
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

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[async_trait::async_trait]
impl Store for PgStore {
    async fn load(&self) -> Result<Dataset, StoreError> {
        // One snapshot for every table, so a load during an import sees all of it or none.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
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
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
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
            .begin()
            .await
            .map_err(|e| StoreError::database("starting a write transaction", e))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::database("waiting for the write lock", e))?;
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
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(|e| StoreError::database("starting a read transaction", e))?;
        let figures = figures::load_figures(&mut tx, query).await?;
        tx.rollback()
            .await
            .map_err(|e| StoreError::database("ending a read transaction", e))?;
        Ok(figures)
    }

    async fn revision(&self) -> Result<u64, StoreError> {
        let value: Option<i64> = sqlx::query_scalar("SELECT value FROM counters WHERE name = $1")
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
            .begin()
            .await
            .map_err(|e| StoreError::database("starting a write transaction", e))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::database("waiting for the write lock", e))?;
        let written = async {
            let known: Option<i32> = sqlx::query_scalar("SELECT 1 FROM units WHERE id = $1")
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
                return Ok(());
            }
            sqlx::query("DELETE FROM review_texts WHERE unit = $1 AND as_of = $2")
                .bind(&text.unit)
                .bind(text.as_of)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::database("replacing a review's text", e))?;
            if let Some(t) = after {
                sqlx::query(
                    "INSERT INTO review_texts (unit, as_of, number, layout, issuer, superior, \
                     place, causes, directions, recipients, signer, signer_title) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(&t.unit)
                .bind(t.as_of)
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
            bump_revision(&mut tx).await
        }
        .await;
        match written {
            Ok(()) => tx
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
    conn: &mut PgConnection,
    unit: &str,
    as_of: chrono::NaiveDate,
) -> Result<Option<ReviewText>, StoreError> {
    let row = sqlx::query(
        "SELECT number, layout, issuer, superior, place, causes, directions, recipients, \
         signer, signer_title FROM review_texts WHERE unit = $1 AND as_of = $2",
    )
    .bind(unit)
    .bind(as_of)
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

/// The channel every write that raises the revision notifies, with the new revision as its
/// payload, when it commits.
pub const REVISION_CHANNEL: &str = "chitieu_revision";

/// Raises the revision inside the write transaction `conn` and notifies
/// [`REVISION_CHANNEL`]: PostgreSQL delivers the notification at commit, and never for a
/// transaction rolled back.
async fn bump_revision(conn: &mut PgConnection) -> Result<(), StoreError> {
    sqlx::query(
        "WITH raised AS (
             INSERT INTO counters (name, value) VALUES ($1, 1)
             ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
             RETURNING value)
         SELECT pg_notify($2, value::text) FROM raised",
    )
    .bind(chitieu_store::REVISION)
    .bind(REVISION_CHANNEL)
    .execute(&mut *conn)
    .await
    .map_err(|e| StoreError::database("raising the revision", e))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reading

fn get<'r, T>(row: &'r PgRow, table: &'static str, column: &'static str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    row.try_get(column)
        .map_err(|e| StoreError::corrupt(table, column, "(unreadable)", e))
}

fn get_decimal(
    row: &PgRow,
    table: &'static str,
    column: &'static str,
) -> Result<Decimal, StoreError> {
    let text: String = get(row, table, column)?;
    parse_text(table, column, &text)
}

fn get_opt_decimal(
    row: &PgRow,
    table: &'static str,
    column: &'static str,
) -> Result<Option<Decimal>, StoreError> {
    let text: Option<String> = get(row, table, column)?;
    text.map(|t| parse_text(table, column, &t)).transpose()
}

fn get_period(
    row: &PgRow,
    table: &'static str,
    column: &'static str,
) -> Result<Period, StoreError> {
    let text: String = get(row, table, column)?;
    parse_text(table, column, &text)
}

fn get_opt_u32(
    row: &PgRow,
    table: &'static str,
    column: &'static str,
) -> Result<Option<u32>, StoreError> {
    let n: Option<i64> = get(row, table, column)?;
    n.map(|n| to_u32(table, column, n)).transpose()
}

async fn fetch(
    conn: &mut PgConnection,
    sql: &'static str,
    table: &'static str,
) -> Result<Vec<PgRow>, StoreError> {
    sqlx::query(sql)
        .fetch_all(conn)
        .await
        .map_err(|e| StoreError::Database {
            context: "reading",
            message: format!("{table}: {e}"),
        })
}

async fn load_all(conn: &mut PgConnection, with_observations: bool) -> Result<Dataset, StoreError> {
    let mut data = Dataset::default();

    for row in fetch(conn, "SELECT id, name, name_en, level, parent, code, valid_from, valid_to FROM units ORDER BY seq", "units").await? {
        const T: &str = "units";
        data.units.push(Unit {
            id: get(&row, T, "id")?,
            name: get(&row, T, "name")?,
            name_en: get(&row, T, "name_en")?,
            level: Level::parse(&get::<String>(&row, T, "level")?),
            parent: get(&row, T, "parent")?,
            code: get(&row, T, "code")?,
            valid_from: get(&row, T, "valid_from")?,
            valid_to: get(&row, T, "valid_to")?,
        });
    }

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
         condition_value::text AS condition_value FROM indicators ORDER BY seq",
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
        fetch(conn, "SELECT resolution, code, period, value::text AS value FROM target_milestones ORDER BY seq", "target_milestones").await?,
    )?;
    for row in fetch(
        conn,
        "SELECT resolution, code, indicator, unit, field, kind, baseline::text AS baseline, baseline_period, name, value_kind, \
         value::text AS value, value_max::text AS value_max, deadline, precision, source, illustrative, allocated_from \
         FROM targets ORDER BY seq",
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
         value::text AS value, value_max::text AS value_max, deadline, wording, withdraw FROM adjustments ORDER BY seq",
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
            "SELECT reorganisation_id, from_unit, to_unit, share::text AS share FROM reorganisation_parts ORDER BY seq",
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
    rows: Vec<PgRow>,
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
    rows: Vec<PgRow>,
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
    rows: Vec<PgRow>,
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
    conn: &mut PgConnection,
    table: &'static str,
    columns: &[&str],
    rows: &[T],
    mut bind: impl FnMut(&mut sqlx::query_builder::Separated<'_, '_, Postgres, &'static str>, &T),
) -> Result<(), StoreError> {
    let per_chunk = (MAX_PARAMS / columns.len().max(1)).max(1);
    for chunk in rows.chunks(per_chunk) {
        let mut qb: QueryBuilder<Postgres> =
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

async fn insert_all(conn: &mut PgConnection, d: &Dataset) -> Result<(), StoreError> {
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
                .push_bind(c.condition_value.as_ref().map(text))
                .push_unseparated("::numeric");
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
                .push_unseparated("::numeric")
                .push_bind(t.baseline_period.to_string())
                .push_bind(t.original.name.clone())
                .push_bind(kind)
                .push_bind(text(&value))
                .push_unseparated("::numeric")
                .push_bind(max.as_ref().map(text))
                .push_unseparated("::numeric")
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
                .push_bind(text(&m.value))
                .push_unseparated("::numeric");
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
                .push_unseparated("::numeric")
                .push_bind(value.and_then(|v| v.2).as_ref().map(text))
                .push_unseparated("::numeric")
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
                .push_bind(text(&p.share))
                .push_unseparated("::numeric");
        },
    )
    .await?;

    figures::insert_observations(conn, &d.observations).await?;

    Ok(())
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
    }
}
