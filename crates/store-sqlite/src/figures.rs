//! The `figures` table (migration 0003): observations as small integers, read back into
//! `Observation`s for `load`, written from a dataset's delta or streamed from a large source,
//! and read as columns for a roll-up. The codecs are chitieu-store's `figure` module.

use std::collections::HashMap;

use chitieu_domain::Observation;
use chitieu_store::figure::{self, Duplicates, Encoded, Encoder, Key, Picker, RawFigure};
use chitieu_store::{
    Counts, FigureColumns, FigureQuery, ImportSummary, ObservationRow, ObservationSource,
    StoreError,
};
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, Row, SqliteConnection};

const T: &str = "figures";

/// Rows per INSERT: 11 parameters each, below SQLite's 32 766 and large enough that the
/// per-statement cost (one message to sqlx's worker thread) is spread thin.
const CHUNK: usize = 1_000;

const COLUMNS: &str =
    "period, indicator, unit, seq, mantissa, scale, flags, source, reported_by, reported, exact";

fn db(context: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| StoreError::Database {
        context,
        message: format!("{T}: {e}"),
    }
}

fn corrupt(
    column: &'static str,
    value: impl ToString,
    reason: impl std::fmt::Display,
) -> StoreError {
    StoreError::corrupt(T, column, value.to_string(), reason)
}

/// `id → seq` of a table with both (units, indicators).
async fn seqs(
    conn: &mut SqliteConnection,
    sql: &'static str,
) -> Result<HashMap<String, i64>, StoreError> {
    let rows = sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("reading"))?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0).map_err(db("reading"))?,
                r.try_get(1).map_err(db("reading"))?,
            ))
        })
        .collect()
}

/// An encoder for what `conn` holds now (inside the write transaction).
pub(crate) async fn encoder(conn: &mut SqliteConnection) -> Result<Encoder, StoreError> {
    let units = seqs(conn, "SELECT id, seq FROM units").await?;
    let indicators = seqs(conn, "SELECT id, seq FROM indicators").await?;
    let texts = seqs(conn, "SELECT text, id FROM texts").await?;
    let next_text = texts.values().max().map_or(1, |m| m + 1);
    let next_seq: Option<i64> =
        sqlx::query_scalar("SELECT value FROM counters WHERE name = 'figures'")
            .fetch_optional(&mut *conn)
            .await
            .map_err(db("reading"))?;
    Ok(Encoder {
        units,
        indicators,
        texts,
        new_texts: Vec::new(),
        next_seq: next_seq.unwrap_or(1),
        next_text,
    })
}

/// Writes the texts the encoder added and its next `seq`.
async fn finish(conn: &mut SqliteConnection, enc: &mut Encoder) -> Result<(), StoreError> {
    for (id, text) in enc.new_texts.drain(..) {
        sqlx::query("INSERT INTO texts (id, text) VALUES (?1, ?2)")
            .bind(id)
            .bind(text)
            .execute(&mut *conn)
            .await
            .map_err(db("writing"))?;
    }
    sqlx::query(
        "INSERT INTO counters (name, value) VALUES ('figures', ?1) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(enc.next_seq)
    .execute(&mut *conn)
    .await
    .map_err(db("writing"))?;
    Ok(())
}

fn insert_sql(rows: usize) -> String {
    let one = "(?,?,?,?,?,?,?,?,?,?,?)";
    let mut sql = format!("INSERT INTO figures ({COLUMNS}) VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(one);
    }
    sql
}

fn bind_all<'q>(rows: &[Encoded]) -> Result<SqliteArguments<'q>, StoreError> {
    let mut args = SqliteArguments::default();
    let bad = |e: sqlx::error::BoxDynError| StoreError::database("binding a figure", e);
    for e in rows {
        args.add(e.period).map_err(bad)?;
        args.add(e.indicator).map_err(bad)?;
        args.add(e.unit).map_err(bad)?;
        args.add(e.seq).map_err(bad)?;
        args.add(e.mantissa).map_err(bad)?;
        args.add(e.scale).map_err(bad)?;
        args.add(e.flags).map_err(bad)?;
        args.add(e.source).map_err(bad)?;
        args.add(e.reported_by).map_err(bad)?;
        args.add(e.reported).map_err(bad)?;
        args.add(e.exact.clone()).map_err(bad)?;
    }
    Ok(args)
}

async fn insert_chunk(
    conn: &mut SqliteConnection,
    full_sql: &str,
    rows: &[Encoded],
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let args = bind_all(rows)?;
    let sql;
    let sql_ref = if rows.len() == CHUNK {
        full_sql
    } else {
        sql = insert_sql(rows.len());
        &sql
    };
    sqlx::query_with(sql_ref, args)
        .execute(&mut *conn)
        .await
        .map_err(db("writing"))?;
    Ok(())
}

/// Writes observations already checked by the domain (a dataset's delta), in their order.
pub(crate) async fn insert_observations(
    conn: &mut SqliteConnection,
    observations: &[Observation],
) -> Result<(), StoreError> {
    if observations.is_empty() {
        return Ok(());
    }
    let mut enc = encoder(conn).await?;
    let sql = insert_sql(CHUNK);
    let mut chunk = Vec::with_capacity(CHUNK);
    for (i, o) in observations.iter().enumerate() {
        chunk.push(enc.encode(&ObservationRow::of(o, i + 1))?);
        if chunk.len() == CHUNK {
            insert_chunk(conn, &sql, &chunk).await?;
            chunk.clear();
        }
    }
    insert_chunk(conn, &sql, &chunk).await?;
    finish(conn, &mut enc).await
}

/// Every stored observation, in insertion order.
pub(crate) async fn load_observations(
    conn: &mut SqliteConnection,
) -> Result<Vec<Observation>, StoreError> {
    let flip = |m: HashMap<String, i64>| -> HashMap<i64, String> {
        m.into_iter().map(|(k, v)| (v, k)).collect()
    };
    let units = flip(seqs(conn, "SELECT id, seq FROM units").await?);
    let indicators = flip(seqs(conn, "SELECT id, seq FROM indicators").await?);
    let texts = flip(seqs(conn, "SELECT text, id FROM texts").await?);
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM figures ORDER BY seq"))
        .fetch_all(&mut *conn)
        .await
        .map_err(db("reading"))?;
    let text = |id: Option<i64>, column: &'static str| -> Result<Option<String>, StoreError> {
        id.map(|id| {
            texts
                .get(&id)
                .cloned()
                .ok_or_else(|| corrupt(column, id, "no such text"))
        })
        .transpose()
    };
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let get_i64 = |c: &'static str| -> Result<i64, StoreError> {
            r.try_get(c).map_err(|e| corrupt(c, "(unreadable)", e))
        };
        let get_opt = |c: &'static str| -> Result<Option<i64>, StoreError> {
            r.try_get(c).map_err(|e| corrupt(c, "(unreadable)", e))
        };
        let (unit, indicator, period) =
            (get_i64("unit")?, get_i64("indicator")?, get_i64("period")?);
        let exact: Option<String> = r
            .try_get("exact")
            .map_err(|e| corrupt("exact", "(unreadable)", e))?;
        let flags = get_i64("flags")?;
        let (standing, state) = figure::decode_flags(flags)
            .ok_or_else(|| corrupt("flags", flags, "not standing × 4 + state"))?;
        let reported = get_opt("reported")?
            .map(|d| figure::decode_date(d).ok_or_else(|| corrupt("reported", d, "not a date")))
            .transpose()?;
        out.push(Observation {
            unit: units
                .get(&unit)
                .cloned()
                .ok_or_else(|| corrupt("unit", unit, "no such unit"))?,
            indicator: indicators
                .get(&indicator)
                .cloned()
                .ok_or_else(|| corrupt("indicator", indicator, "no such indicator"))?,
            period: figure::decode_period(period)
                .ok_or_else(|| corrupt("period", period, "not a period ordinal"))?,
            value: figure::decode_value(get_opt("mantissa")?, get_i64("scale")?, exact.as_deref())
                .map_err(|e| corrupt("mantissa", "", e))?,
            standing,
            state,
            source: text(get_opt("source")?, "source")?,
            reported_by: text(get_opt("reported_by")?, "reported_by")?,
            reported,
        });
    }
    Ok(out)
}

/// Reads the stored figures of `indicator` into the duplicate check. The key starts with the
/// period, so the indicator is looked up under each stored period (found by seeking, not
/// scanning).
async fn load_duplicates(
    conn: &mut SqliteConnection,
    periods: &[i64],
    indicator: i64,
    dups: &mut Duplicates,
) -> Result<(), StoreError> {
    dups.loaded.insert(indicator);
    for &p in periods {
        let rows = sqlx::query(
            "SELECT unit, mantissa, scale, flags, source, reported_by, reported, exact \
             FROM figures WHERE period = ?1 AND indicator = ?2",
        )
        .bind(p)
        .bind(indicator)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("reading"))?;
        for r in rows {
            let g = |c: &'static str| -> Result<Option<i64>, StoreError> {
                r.try_get(c).map_err(|e| corrupt(c, "(unreadable)", e))
            };
            let exact: Option<String> = r
                .try_get("exact")
                .map_err(|e| corrupt("exact", "(unreadable)", e))?;
            let value =
                figure::decode_value(g("mantissa")?, g("scale")?.unwrap_or(0), exact.as_deref())
                    .map_err(|e| corrupt("mantissa", "", e))?;
            dups.stored.insert(Key {
                period: p,
                indicator,
                unit: g("unit")?.unwrap_or(0),
                value: figure::value_key(value),
                flags: g("flags")?.unwrap_or(0),
                source: g("source")?,
                reported_by: g("reported_by")?,
                reported: g("reported")?,
            });
        }
    }
    Ok(())
}

/// The distinct periods stored, each found by one seek on the key.
async fn stored_periods(conn: &mut SqliteConnection) -> Result<Vec<i64>, StoreError> {
    let mut out = Vec::new();
    let mut after = -1i64;
    loop {
        let next: Option<i64> =
            sqlx::query_scalar("SELECT min(period) FROM figures WHERE period > ?1")
                .bind(after)
                .fetch_one(&mut *conn)
                .await
                .map_err(db("reading"))?;
        match next {
            Some(p) => {
                out.push(p);
                after = p;
            }
            None => return Ok(out),
        }
    }
}

/// The streaming import, inside the caller's write transaction. While sqlx's worker thread
/// writes one chunk, this thread reads and encodes the next.
pub(crate) async fn import_stream(
    conn: &mut SqliteConnection,
    rows: &mut dyn ObservationSource,
) -> Result<ImportSummary, StoreError> {
    let mut enc = encoder(conn).await?;
    let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM figures)")
        .fetch_one(&mut *conn)
        .await
        .map_err(db("reading"))?;
    let periods = if empty {
        Vec::new()
    } else {
        stored_periods(conn).await?
    };
    let mut dups = Duplicates::default();
    let sql = insert_sql(CHUNK);
    let (mut added, mut skipped) = (0usize, 0usize);
    let mut ready: Vec<Encoded> = Vec::with_capacity(CHUNK);
    let mut done = false;
    while !done || !ready.is_empty() {
        // Fill the next chunk while the current one is written.
        let mut next: Vec<Encoded> = Vec::with_capacity(CHUNK);
        let write = insert_chunk(conn, &sql, &ready);
        let fill = async {
            let mut wanted: Vec<i64> = Vec::new();
            while !done && next.len() < CHUNK {
                let Some(row) = rows.next_row() else {
                    done = true;
                    break;
                };
                let row = row?;
                let e = enc.encode(&row)?;
                if !empty {
                    if dups.needs(e.indicator) {
                        // Read the indicator's stored figures first: stop here and resume
                        // once this chunk is written (the connection is busy).
                        wanted.push(e.indicator);
                        next.push(e);
                        // The row's value is needed for the check: keep it aside.
                        return Ok::<_, StoreError>((wanted, Some(row.value)));
                    }
                    if dups.is_stored(&e, row.value) {
                        skipped += 1;
                        enc.next_seq -= 1;
                        continue;
                    }
                }
                next.push(e);
            }
            Ok((wanted, None))
        };
        let (written, filled) = tokio::join!(write, fill);
        written?;
        added += ready.len();
        let (wanted, pending_value) = filled?;
        for i in wanted {
            load_duplicates(conn, &periods, i, &mut dups).await?;
        }
        if let Some(value) = pending_value {
            // The last row was read before its indicator's figures: check it now.
            if let Some(last) = next.last() {
                if dups.is_stored(last, value) {
                    next.pop();
                    skipped += 1;
                    enc.next_seq -= 1;
                }
            }
        }
        ready = next;
    }
    finish(conn, &mut enc).await?;
    Ok(ImportSummary {
        added: Counts {
            observations: added,
            ..Counts::default()
        },
        skipped: Counts {
            observations: skipped,
            ..Counts::default()
        },
    })
}

/// The figures in force for a roll-up: one scan of the key range of the years, in key order,
/// so that the versions of one (period, indicator, unit) come together and the one in force
/// is chosen as they pass.
pub(crate) async fn load_figures(
    conn: &mut SqliteConnection,
    q: &FigureQuery,
) -> Result<FigureColumns, StoreError> {
    let index = |rows: Vec<sqlx::sqlite::SqliteRow>| -> Result<HashMap<i64, u32>, StoreError> {
        rows.iter()
            .enumerate()
            .map(|(i, r)| Ok((r.try_get::<i64, _>(0).map_err(db("reading"))?, i as u32)))
            .collect()
    };
    let units = index(
        sqlx::query("SELECT seq FROM units ORDER BY seq")
            .fetch_all(&mut *conn)
            .await
            .map_err(db("reading"))?,
    )?;
    let indicators = index(
        sqlx::query("SELECT seq FROM indicators ORDER BY seq")
            .fetch_all(&mut *conn)
            .await
            .map_err(db("reading"))?,
    )?;
    let (first, _) = figure::year_range(q.first_year.clamp(0, figure::MAX_YEAR));
    let (_, last) = figure::year_range(q.last_year.clamp(0, figure::MAX_YEAR));
    let approved_only = if q.include_unapproved {
        ""
    } else {
        " AND flags % 4 = 3"
    };
    // One row per (period, indicator) with its figures as text: fetching millions of rows one
    // by one through sqlx costs microseconds each (a message and a row of owned values per
    // row), concatenating them in SQLite a fraction of that. GROUP BY follows the key, so
    // SQLite aggregates as it scans, without sorting. A value wider than 64 bits comes as
    // `x` and its text (digits, sign and dot: no separator in it).
    let sql = format!(
        "SELECT period, indicator, group_concat(unit || ',' || seq || ',' || \
         ifnull(mantissa, 'x' || exact) || ',' || scale || ',' || flags || ',' || \
         ifnull(reported, ''), ';') AS figures FROM figures \
         WHERE period BETWEEN ?1 AND ?2{approved_only} GROUP BY period, indicator"
    );
    let groups = sqlx::query(&sql)
        .bind(first)
        .bind(last)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("reading"))?;
    let mut pick = Picker::new(figure::encode_date(q.known_by));
    let mut rows: Vec<GroupRow> = Vec::new();
    for g in &groups {
        let period: i64 = g
            .try_get("period")
            .map_err(|e| corrupt("period", "(unreadable)", e))?;
        let indicator: i64 = g
            .try_get("indicator")
            .map_err(|e| corrupt("indicator", "(unreadable)", e))?;
        let text: String = g
            .try_get("figures")
            .map_err(|e| corrupt("figures", "(unreadable)", e))?;
        rows.clear();
        for f in text.split(';') {
            rows.push(GroupRow::parse(f)?);
        }
        // The versions of a figure together, in the order they were stored.
        rows.sort_unstable_by_key(|r| (r.unit, r.seq));
        for r in rows.drain(..) {
            pick.row(
                RawFigure {
                    period,
                    indicator,
                    unit: r.unit,
                    mantissa: r.mantissa,
                    scale: r.scale,
                    flags: r.flags,
                    reported: r.reported,
                },
                r.exact,
            )?;
        }
    }
    pick.finish(&units, &indicators)
}

/// One figure of a `load_figures` group: `unit,seq,mantissa-or-x<exact>,scale,flags,reported`.
struct GroupRow {
    unit: i64,
    seq: i64,
    mantissa: Option<i64>,
    exact: Option<String>,
    scale: i64,
    flags: i64,
    reported: Option<i64>,
}

impl GroupRow {
    fn parse(f: &str) -> Result<GroupRow, StoreError> {
        let mut cells = f.split(',');
        let mut next = |column: &'static str| {
            cells
                .next()
                .ok_or_else(|| corrupt(column, f, "missing in a group"))
        };
        let int = |column: &'static str, c: &str| -> Result<i64, StoreError> {
            c.parse().map_err(|e| corrupt(column, c, e))
        };
        let unit = int("unit", next("unit")?)?;
        let seq = int("seq", next("seq")?)?;
        let value = next("mantissa")?;
        let (mantissa, exact) = match value.strip_prefix('x') {
            Some(x) => (None, Some(x.to_string())),
            None => (Some(int("mantissa", value)?), None),
        };
        let scale = int("scale", next("scale")?)?;
        let flags = int("flags", next("flags")?)?;
        let reported = match next("reported")? {
            "" => None,
            d => Some(int("reported", d)?),
        };
        Ok(GroupRow {
            unit,
            seq,
            mantissa,
            exact,
            scale,
            flags,
            reported,
        })
    }
}
