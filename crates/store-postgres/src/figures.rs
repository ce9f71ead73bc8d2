//! The `figures` table (migration 0003): observations as integers, read back into
//! `Observation`s for `load`, written with `COPY … FROM STDIN` (from a dataset's delta or
//! streamed from a large source), and read as columns for a roll-up. The codecs are
//! chitieu-store's `figure` module; every integer is read as BIGINT and `reported` as days
//! since 1970-01-01, so the rows decode like SQLite's.

use std::collections::HashMap;
use std::fmt::Write as _;

use chitieu_domain::Observation;
use chitieu_store::figure::{self, Duplicates, Encoded, Encoder, Key, Picker, RawFigure};
use chitieu_store::{
    Counts, FigureColumns, FigureQuery, ImportSummary, ObservationRow, ObservationSource,
    StoreError,
};
use chrono::Datelike;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

const T: &str = "figures";

/// Bytes of COPY text sent per message; the next chunk is encoded while one is sent.
const CHUNK_BYTES: usize = 1 << 20;

/// The COPY that writes figures; the benchmark's plain COPY uses the same columns.
pub const COPY: &str = "COPY figures (period, indicator, unit, seq, mantissa, scale, flags, \
                        source, reported_by, reported, exact) FROM STDIN";

/// The columns as read back: integers as BIGINT, the date as days, the fallback as text.
const SELECT: &str = "period::bigint AS period, indicator::bigint AS indicator, \
    unit::bigint AS unit, seq, mantissa, scale::bigint AS scale, flags::bigint AS flags, \
    source, reported_by, (reported - DATE '1970-01-01')::bigint AS reported, exact::text AS exact";

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

fn i64_of(r: &PgRow, c: &'static str) -> Result<Option<i64>, StoreError> {
    r.try_get(c).map_err(|e| corrupt(c, "(unreadable)", e))
}

fn text_of(r: &PgRow, c: &'static str) -> Result<Option<String>, StoreError> {
    r.try_get(c).map_err(|e| corrupt(c, "(unreadable)", e))
}

async fn seqs(
    conn: &mut PgConnection,
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

pub(crate) async fn encoder(conn: &mut PgConnection) -> Result<Encoder, StoreError> {
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

async fn finish(conn: &mut PgConnection, enc: &mut Encoder) -> Result<(), StoreError> {
    for (id, text) in enc.new_texts.drain(..) {
        sqlx::query("INSERT INTO texts (id, text) VALUES ($1, $2)")
            .bind(id)
            .bind(text)
            .execute(&mut *conn)
            .await
            .map_err(db("writing"))?;
    }
    sqlx::query(
        "INSERT INTO counters (name, value) VALUES ('figures', $1) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(enc.next_seq)
    .execute(&mut *conn)
    .await
    .map_err(db("writing"))?;
    Ok(())
}

/// Appends one figure as a line of COPY text (tab-separated, `\N` for NULL).
pub(crate) fn push_copy_line(buf: &mut String, e: &Encoded) -> Result<(), StoreError> {
    fn opt(buf: &mut String, v: Option<i64>) {
        match v {
            Some(v) => {
                let _ = write!(buf, "{v}\t");
            }
            None => buf.push_str("\\N\t"),
        }
    }
    let _ = write!(
        buf,
        "{}\t{}\t{}\t{}\t",
        e.period, e.indicator, e.unit, e.seq
    );
    opt(buf, e.mantissa);
    let _ = write!(buf, "{}\t{}\t", e.scale, e.flags);
    opt(buf, e.source);
    opt(buf, e.reported_by);
    match e.reported {
        Some(d) => {
            let date = figure::decode_date(d).ok_or_else(|| StoreError::Database {
                context: "writing",
                message: format!("{T}: day {d} is not a date"),
            })?;
            let _ = write!(buf, "{date}\t");
        }
        None => buf.push_str("\\N\t"),
    }
    match &e.exact {
        // Decimal text: digits, a sign and a dot, nothing COPY would need escaped.
        Some(x) => buf.push_str(x),
        None => buf.push_str("\\N"),
    }
    buf.push('\n');
    Ok(())
}

async fn copy_text(conn: &mut PgConnection, text: String) -> Result<(), StoreError> {
    let mut copy = conn.copy_in_raw(COPY).await.map_err(db("writing"))?;
    if let Err(e) = copy.send(text.into_bytes()).await {
        let _ = copy.abort("chitieu: send failed").await;
        return Err(db("writing")(e));
    }
    copy.finish().await.map_err(db("writing"))?;
    Ok(())
}

/// Writes observations already checked by the domain (a dataset's delta), in their order.
pub(crate) async fn insert_observations(
    conn: &mut PgConnection,
    observations: &[Observation],
) -> Result<(), StoreError> {
    if observations.is_empty() {
        return Ok(());
    }
    let mut enc = encoder(conn).await?;
    let mut text = String::new();
    for (i, o) in observations.iter().enumerate() {
        push_copy_line(&mut text, &enc.encode(&ObservationRow::of(o, i + 1))?)?;
    }
    copy_text(conn, text).await?;
    finish(conn, &mut enc).await
}

/// Every stored observation, in insertion order.
pub(crate) async fn load_observations(
    conn: &mut PgConnection,
) -> Result<Vec<Observation>, StoreError> {
    load_observations_where(conn, None).await
}

/// The stored observations that share a unit, an indicator and a period with one of `like`
/// (every version of them), in insertion order: all a merge of `like` needs to know of what
/// is stored, found through the primary key rather than by reading every figure.
pub(crate) async fn load_observations_like(
    conn: &mut PgConnection,
    like: &[Observation],
) -> Result<Vec<Observation>, StoreError> {
    let units = seqs(conn, "SELECT id, seq FROM units").await?;
    let indicators = seqs(conn, "SELECT id, seq FROM indicators").await?;
    let mut keys: std::collections::BTreeSet<(i32, i32, i32)> = Default::default();
    for o in like {
        if let (Some(&u), Some(&i), Some(p)) = (
            units.get(&o.unit),
            indicators.get(&o.indicator),
            figure::encode_period(o.period),
        ) {
            if let (Ok(p), Ok(i), Ok(u)) = (i32::try_from(p), i32::try_from(i), i32::try_from(u)) {
                keys.insert((p, i, u));
            }
        }
    }
    load_observations_where(conn, Some(keys)).await
}

async fn load_observations_where(
    conn: &mut PgConnection,
    keys: Option<std::collections::BTreeSet<(i32, i32, i32)>>,
) -> Result<Vec<Observation>, StoreError> {
    let flip = |m: HashMap<String, i64>| -> HashMap<i64, String> {
        m.into_iter().map(|(k, v)| (v, k)).collect()
    };
    let units = flip(seqs(conn, "SELECT id, seq FROM units").await?);
    let indicators = flip(seqs(conn, "SELECT id, seq FROM indicators").await?);
    let texts = flip(seqs(conn, "SELECT text, id FROM texts").await?);
    let rows = match keys {
        None => sqlx::query(&format!("SELECT {SELECT} FROM figures ORDER BY seq"))
            .fetch_all(&mut *conn)
            .await
            .map_err(db("reading"))?,
        Some(keys) => {
            let (mut p, mut i, mut u) = (Vec::new(), Vec::new(), Vec::new());
            for (a, b, c) in keys {
                p.push(a);
                i.push(b);
                u.push(c);
            }
            sqlx::query(&format!(
                "SELECT {SELECT} FROM figures \
                 WHERE (period, indicator, unit) IN \
                   (SELECT * FROM unnest($1::int4[], $2::int4[], $3::int4[])) \
                 ORDER BY seq"
            ))
            .bind(p)
            .bind(i)
            .bind(u)
            .fetch_all(&mut *conn)
            .await
            .map_err(db("reading"))?
        }
    };
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
        let need = |c: &'static str| -> Result<i64, StoreError> {
            i64_of(&r, c)?.ok_or_else(|| corrupt(c, "NULL", "missing"))
        };
        let (unit, indicator, period, flags) = (
            need("unit")?,
            need("indicator")?,
            need("period")?,
            need("flags")?,
        );
        let exact = text_of(&r, "exact")?;
        let (standing, state) = figure::decode_flags(flags)
            .ok_or_else(|| corrupt("flags", flags, "not standing × 4 + state"))?;
        let reported = i64_of(&r, "reported")?
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
            value: figure::decode_value(i64_of(&r, "mantissa")?, need("scale")?, exact.as_deref())
                .map_err(|e| corrupt("mantissa", "", e))?,
            standing,
            state,
            source: text(i64_of(&r, "source")?, "source")?,
            reported_by: text(i64_of(&r, "reported_by")?, "reported_by")?,
            reported,
        });
    }
    Ok(out)
}

async fn load_duplicates(
    conn: &mut PgConnection,
    indicator: i64,
    dups: &mut Duplicates,
) -> Result<(), StoreError> {
    dups.loaded.insert(indicator);
    let rows = sqlx::query(&format!(
        "SELECT {SELECT} FROM figures WHERE indicator = $1"
    ))
    .bind(i32::try_from(indicator).unwrap_or(i32::MAX))
    .fetch_all(&mut *conn)
    .await
    .map_err(db("reading"))?;
    for r in rows {
        let exact = text_of(&r, "exact")?;
        let value = figure::decode_value(
            i64_of(&r, "mantissa")?,
            i64_of(&r, "scale")?.unwrap_or(0),
            exact.as_deref(),
        )
        .map_err(|e| corrupt("mantissa", "", e))?;
        dups.stored.insert(Key {
            period: i64_of(&r, "period")?.unwrap_or(0),
            indicator,
            unit: i64_of(&r, "unit")?.unwrap_or(0),
            value: figure::value_key(value),
            flags: i64_of(&r, "flags")?.unwrap_or(0),
            source: i64_of(&r, "source")?,
            reported_by: i64_of(&r, "reported_by")?,
            reported: i64_of(&r, "reported")?,
        });
    }
    Ok(())
}

/// The streaming import, inside the caller's write transaction: rows are encoded into COPY
/// text and sent a megabyte at a time, the next megabyte encoded while one is sent. When a
/// row names an indicator whose stored figures the duplicate check has not read (only if
/// the table held figures), the COPY is finished, they are read, and a new COPY begins.
pub(crate) async fn import_stream(
    conn: &mut PgConnection,
    rows: &mut dyn ObservationSource,
) -> Result<ImportSummary, StoreError> {
    let mut enc = encoder(conn).await?;
    let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM figures)")
        .fetch_one(&mut *conn)
        .await
        .map_err(db("reading"))?;
    let mut dups = Duplicates::default();
    let (mut added, mut skipped) = (0usize, 0usize);
    let mut done = false;
    // A row read whose indicator's stored figures must be read before it is checked.
    let mut held: Option<(Encoded, chitieu_domain::Decimal)> = None;
    while !done {
        if let Some((e, _)) = &held {
            load_duplicates(conn, e.indicator, &mut dups).await?;
        }
        let mut copy = conn.copy_in_raw(COPY).await.map_err(db("writing"))?;
        let mut ready = String::new();
        if let Some((e, value)) = held.take() {
            if dups.is_stored(&e, value) {
                skipped += 1;
                enc.next_seq -= 1;
            } else {
                push_copy_line(&mut ready, &e)?;
                added += 1;
            }
        }
        let outcome: Result<(), StoreError> = loop {
            let mut next = String::with_capacity(CHUNK_BYTES + 256);
            let send = async {
                if ready.is_empty() {
                    Ok(())
                } else {
                    copy.send(ready.as_bytes()).await.map(|_| ())
                }
            };
            let fill = async {
                while next.len() < CHUNK_BYTES {
                    let Some(row) = rows.next_row() else {
                        done = true;
                        break;
                    };
                    let row = row?;
                    let e = enc.encode(&row)?;
                    if !empty {
                        if dups.needs(e.indicator) {
                            held = Some((e, row.value));
                            break;
                        }
                        if dups.is_stored(&e, row.value) {
                            skipped += 1;
                            enc.next_seq -= 1;
                            continue;
                        }
                    }
                    push_copy_line(&mut next, &e)?;
                    added += 1;
                }
                Ok::<(), StoreError>(())
            };
            let (sent, filled) = tokio::join!(send, fill);
            if let Err(e) = sent {
                break Err(db("writing")(e));
            }
            if let Err(e) = filled {
                break Err(e);
            }
            ready = next;
            if done || held.is_some() {
                if !ready.is_empty() {
                    if let Err(e) = copy.send(ready.as_bytes()).await {
                        break Err(db("writing")(e));
                    }
                }
                break Ok(());
            }
        };
        match outcome {
            Ok(()) => {
                copy.finish().await.map_err(db("writing"))?;
            }
            Err(e) => {
                // The server discards what it received; the caller rolls back.
                let _ = copy.abort("chitieu: import refused").await;
                return Err(e);
            }
        }
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

pub(crate) async fn load_figures(
    conn: &mut PgConnection,
    q: &FigureQuery,
) -> Result<FigureColumns, StoreError> {
    let index = |rows: Vec<PgRow>| -> Result<HashMap<i64, u32>, StoreError> {
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
    // A figure of a later year than `known_by`'s is known by then only if it was reported
    // early: the other rows of those years are not read.
    let known = format!(
        "{} AND (period <= {} OR reported <= DATE '{}')",
        if q.include_unapproved {
            ""
        } else {
            " AND flags % 4 = 3"
        },
        figure::year_range(q.known_by.year().clamp(0, figure::MAX_YEAR)).1,
        q.known_by.format("%Y-%m-%d"),
    );
    let approved_only = known.as_str();
    let as_i32 = |seqs: Vec<i64>| -> Vec<i32> {
        seqs.into_iter()
            .filter_map(|s| i32::try_from(s).ok())
            .collect()
    };
    let (first, last) = (
        i32::try_from(first).unwrap_or(0),
        i32::try_from(last).unwrap_or(i32::MAX),
    );
    let indicator_seqs = as_i32(match &q.indicators {
        Some(w) => figure::seqs_of(&indicators, w),
        None => indicators.keys().copied().collect(),
    });
    let query = match &q.units {
        // Some units (a province's review): the key (period, indicator, unit, seq) is sought
        // for each stored period, indicator and range of the units' seqs, so a province reads
        // its own rows instead of filtering all of them. The periods stored are found by a
        // loose index scan (one seek each), the ranges are few (`seq_ranges`); the Picker
        // drops the units a range covers but does not want. `OFFSET 0` keeps the planner from
        // flattening the lateral into one scan of the whole table (6 s instead of 1 s for a
        // province of the national data set).
        Some(w) => {
            let ranges = figure::seq_ranges(&figure::seqs_of(&units, w), 16);
            let (lo, hi): (Vec<i32>, Vec<i32>) = ranges
                .iter()
                .filter_map(|(a, b)| Some((i32::try_from(*a).ok()?, i32::try_from(*b).ok()?)))
                .unzip();
            let sql = format!(
                "WITH RECURSIVE ps(p) AS ( \
                   SELECT min(period) FROM figures WHERE period BETWEEN $1 AND $2 \
                   UNION ALL \
                   SELECT (SELECT min(period) FROM figures WHERE period > ps.p AND period <= $2) \
                   FROM ps WHERE ps.p IS NOT NULL) \
                 SELECT x.* FROM ps \
                 CROSS JOIN unnest($3::int[]) AS i(seq) \
                 CROSS JOIN unnest($4::int[], $5::int[]) AS r(lo, hi) \
                 CROSS JOIN LATERAL (SELECT {SELECT} FROM figures \
                   WHERE period = ps.p AND indicator = i.seq AND unit BETWEEN r.lo AND r.hi\
                   {approved_only} OFFSET 0) x \
                 WHERE ps.p IS NOT NULL \
                 ORDER BY x.period, x.indicator, x.unit, x.seq"
            );
            sqlx::query(&sql)
                .bind(first)
                .bind(last)
                .bind(indicator_seqs)
                .bind(lo)
                .bind(hi)
                .fetch_all(&mut *conn)
                .await
        }
        None => {
            let only_indicators = if q.indicators.is_some() {
                " AND indicator = ANY($3)"
            } else {
                ""
            };
            let sql = format!(
                "SELECT {SELECT} FROM figures WHERE period BETWEEN $1 AND $2{approved_only}\
                 {only_indicators} ORDER BY period, indicator, unit, seq"
            );
            let query = sqlx::query(&sql).bind(first).bind(last);
            if q.indicators.is_some() {
                query.bind(indicator_seqs)
            } else {
                query
            }
            .fetch_all(&mut *conn)
            .await
        }
    };
    let rows = query.map_err(db("reading"))?;
    let mut pick = Picker::new(figure::encode_date(q.known_by), &units, &indicators)
        .only(q.units.as_deref(), q.indicators.as_deref());
    for r in &rows {
        pick.row(
            RawFigure {
                period: i64_of(r, "period")?.unwrap_or(0),
                indicator: i64_of(r, "indicator")?.unwrap_or(0),
                unit: i64_of(r, "unit")?.unwrap_or(0),
                mantissa: i64_of(r, "mantissa")?,
                scale: i64_of(r, "scale")?.unwrap_or(0),
                flags: i64_of(r, "flags")?.unwrap_or(0),
                reported: i64_of(r, "reported")?,
            },
            text_of(r, "exact")?,
        )?;
    }
    pick.finish()
}
