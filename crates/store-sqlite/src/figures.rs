//! The `figure_blocks` table (migration 0004): observations as small integers (chitieu-store's
//! `figure` codecs) packed into blocks per (period, indicator) (its `block` module), read back
//! into `Observation`s for `load`, written from a dataset's delta or streamed from a large
//! source, and read as columns for a roll-up.

use std::collections::{HashMap, HashSet};

use chitieu_domain::Observation;
use chitieu_store::block::{self, Block, BlockFigure, BlockWriter};
use chitieu_store::figure::{self, Duplicates, Encoded, Encoder, Key, Picker, RawFigure};
use chitieu_store::{
    Counts, FigureColumns, FigureQuery, ImportSummary, ObservationRow, ObservationSource,
    StoreError,
};
use sqlx::{Row, SqliteConnection};

const T: &str = "figure_blocks";

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

/// The open blocks of a write, one per (period, indicator): a figure joins its block, and a
/// block that reaches `block::TARGET_BYTES` is handed back to be stored.
#[derive(Default)]
struct Blocks {
    /// With the first day of the block's period, for figures known from it.
    open: HashMap<(i64, i64), (BlockWriter, i64)>,
}

impl Blocks {
    fn push(&mut self, e: &Encoded) -> Result<Option<(i64, i64, Block)>, StoreError> {
        let (w, start) = match self.open.entry((e.period, e.indicator)) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let start = figure::period_start_days(e.period)
                    .ok_or_else(|| corrupt("period", e.period, "not a period ordinal"))?;
                v.insert((BlockWriter::default(), start))
            }
        };
        w.push(e, e.reported.unwrap_or(*start));
        Ok((w.bytes() >= block::TARGET_BYTES).then(|| (e.period, e.indicator, w.take())))
    }

    /// The blocks still open, in key order.
    fn drain(&mut self) -> Vec<(i64, i64, Block)> {
        let mut out: Vec<_> = self
            .open
            .drain()
            .filter(|(_, (w, _))| !w.is_empty())
            .map(|((p, i), (mut w, _))| (p, i, w.take()))
            .collect();
        out.sort_unstable_by_key(|(p, i, _)| (*p, *i));
        out
    }
}

async fn write_block(
    conn: &mut SqliteConnection,
    period: i64,
    indicator: i64,
    b: &Block,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO figure_blocks (first_seq, period, indicator, n, unit_min, unit_max, \
         known_min, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .bind(b.first_seq)
    .bind(period)
    .bind(indicator)
    .bind(b.len as i64)
    .bind(b.units.0)
    .bind(b.units.1)
    .bind(b.known_min)
    .bind(b.data.as_slice())
    .execute(&mut *conn)
    .await
    .map_err(db("writing"))?;
    Ok(())
}

async fn write_rest(conn: &mut SqliteConnection, blocks: &mut Blocks) -> Result<(), StoreError> {
    for (p, i, b) in blocks.drain() {
        write_block(conn, p, i, &b).await?;
    }
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
    let mut blocks = Blocks::default();
    for (i, o) in observations.iter().enumerate() {
        let e = enc.encode(&ObservationRow::of(o, i + 1))?;
        if let Some((p, ind, b)) = blocks.push(&e)? {
            write_block(conn, p, ind, &b).await?;
        }
    }
    write_rest(conn, &mut blocks).await?;
    finish(conn, &mut enc).await
}

/// The figures of every stored block that `sql` selects (`period, indicator, first_seq, n,
/// data`), each as its (period, indicator) and the figure.
async fn read_blocks<'q>(
    conn: &mut SqliteConnection,
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    keep: impl Fn(i64) -> bool,
    mut each: impl FnMut(i64, i64, &mut Vec<BlockFigure>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let rows = query.fetch_all(&mut *conn).await.map_err(db("reading"))?;
    let mut figures = Vec::new();
    for r in rows {
        let g = |c: &'static str| -> Result<i64, StoreError> {
            r.try_get(c).map_err(|e| corrupt(c, "(unreadable)", e))
        };
        let (period, indicator, first_seq, n) =
            (g("period")?, g("indicator")?, g("first_seq")?, g("n")?);
        let data: &[u8] = r
            .try_get("data")
            .map_err(|e| corrupt("data", first_seq, e))?;
        let n = usize::try_from(n).map_err(|e| corrupt("n", n, e))?;
        figures.clear();
        block::decode_where(data, n, &keep, &mut figures)
            .map_err(|e| corrupt("data", first_seq, e))?;
        each(period, indicator, &mut figures)?;
    }
    Ok(())
}

/// Every stored observation, in insertion order.
pub(crate) async fn load_observations(
    conn: &mut SqliteConnection,
) -> Result<Vec<Observation>, StoreError> {
    load_observations_where(conn, None).await
}

/// The stored observations that share a unit, an indicator and a period with one of `like`
/// (every version of them), in insertion order: all a merge of `like` needs to know of what
/// is stored, read by seeking each (period, indicator) group's blocks of those units rather
/// than decoding millions of figures.
pub(crate) async fn load_observations_like(
    conn: &mut SqliteConnection,
    like: &[Observation],
) -> Result<Vec<Observation>, StoreError> {
    let units = seqs(conn, "SELECT id, seq FROM units").await?;
    let indicators = seqs(conn, "SELECT id, seq FROM indicators").await?;
    let mut keys: std::collections::BTreeSet<(i64, i64, i64)> = Default::default();
    for o in like {
        if let (Some(&u), Some(&i), Some(p)) = (
            units.get(&o.unit),
            indicators.get(&o.indicator),
            figure::encode_period(o.period),
        ) {
            keys.insert((p, i, u));
        }
    }
    load_observations_where(conn, Some(keys)).await
}

/// The stored observations, or only those of the (period, indicator, unit) keys given.
async fn load_observations_where(
    conn: &mut SqliteConnection,
    keys: Option<std::collections::BTreeSet<(i64, i64, i64)>>,
) -> Result<Vec<Observation>, StoreError> {
    let flip = |m: HashMap<String, i64>| -> HashMap<i64, String> {
        m.into_iter().map(|(k, v)| (v, k)).collect()
    };
    let units = flip(seqs(conn, "SELECT id, seq FROM units").await?);
    let indicators = flip(seqs(conn, "SELECT id, seq FROM indicators").await?);
    let texts = flip(seqs(conn, "SELECT text, id FROM texts").await?);
    let text = |id: Option<i64>, column: &'static str| -> Result<Option<String>, StoreError> {
        id.map(|id| {
            texts
                .get(&id)
                .cloned()
                .ok_or_else(|| corrupt(column, id, "no such text"))
        })
        .transpose()
    };
    let mut out: Vec<(i64, Observation)> = Vec::new();
    let mut each = |period: i64, indicator: i64, figures: &mut Vec<BlockFigure>| {
        let unit_of = |u: i64| {
            units
                .get(&u)
                .cloned()
                .ok_or_else(|| corrupt("unit", u, "no such unit"))
        };
        let indicator = indicators
            .get(&indicator)
            .cloned()
            .ok_or_else(|| corrupt("indicator", indicator, "no such indicator"))?;
        let period = figure::decode_period(period)
            .ok_or_else(|| corrupt("period", period, "not a period ordinal"))?;
        for f in figures.drain(..) {
            let (standing, state) = figure::decode_flags(f.flags)
                .ok_or_else(|| corrupt("flags", f.flags, "not standing × 4 + state"))?;
            let reported = f
                .reported
                .map(|d| figure::decode_date(d).ok_or_else(|| corrupt("reported", d, "not a date")))
                .transpose()?;
            out.push((
                f.seq,
                Observation {
                    unit: unit_of(f.unit)?,
                    indicator: indicator.clone(),
                    period,
                    value: figure::decode_value(f.mantissa, f.scale, f.exact.as_deref())
                        .map_err(|e| corrupt("mantissa", "", e))?,
                    standing,
                    state,
                    source: text(f.source, "source")?,
                    reported_by: text(f.reported_by, "reported_by")?,
                    reported,
                },
            ));
        }
        Ok(())
    };
    match keys {
        None => {
            read_blocks(
                conn,
                sqlx::query("SELECT period, indicator, first_seq, n, data FROM figure_blocks"),
                |_| true,
                &mut each,
            )
            .await?
        }
        Some(keys) => {
            let mut groups: std::collections::BTreeMap<(i64, i64), HashSet<i64>> =
                Default::default();
            for (p, i, u) in keys {
                groups.entry((p, i)).or_default().insert(u);
            }
            for ((p, i), wanted) in groups {
                let (lo, hi) = (
                    wanted.iter().copied().min().unwrap_or(0),
                    wanted.iter().copied().max().unwrap_or(0),
                );
                let q = sqlx::query(
                    "SELECT period, indicator, first_seq, n, data FROM figure_blocks \
                     WHERE period = ?1 AND indicator = ?2 AND unit_min <= ?4 AND unit_max >= ?3",
                )
                .bind(p)
                .bind(i)
                .bind(lo)
                .bind(hi);
                read_blocks(conn, q, |u| wanted.contains(&u), &mut each).await?;
            }
        }
    }
    out.sort_unstable_by_key(|(seq, _)| *seq);
    Ok(out.into_iter().map(|(_, o)| o).collect())
}

/// Reads the stored figures of `indicator` into the duplicate check: its blocks under each
/// stored period, found by seeking on the blocks' key.
async fn load_duplicates(
    conn: &mut SqliteConnection,
    periods: &[i64],
    indicator: i64,
    dups: &mut Duplicates,
) -> Result<(), StoreError> {
    dups.loaded.insert(indicator);
    for &p in periods {
        let q = sqlx::query(
            "SELECT period, indicator, first_seq, n, data FROM figure_blocks \
             WHERE period = ?1 AND indicator = ?2",
        )
        .bind(p)
        .bind(indicator);
        read_blocks(
            conn,
            q,
            |_| true,
            |period, indicator, figures| {
                for f in figures.drain(..) {
                    let value = figure::decode_value(f.mantissa, f.scale, f.exact.as_deref())
                        .map_err(|e| corrupt("mantissa", "", e))?;
                    dups.stored.insert(Key {
                        period,
                        indicator,
                        unit: f.unit,
                        value: figure::value_key(value),
                        flags: f.flags,
                        source: f.source,
                        reported_by: f.reported_by,
                        reported: f.reported,
                    });
                }
                Ok(())
            },
        )
        .await?;
    }
    Ok(())
}

/// The distinct periods stored, each found by one seek on the blocks' key.
async fn stored_periods(conn: &mut SqliteConnection) -> Result<Vec<i64>, StoreError> {
    let mut out = Vec::new();
    let mut after = -1i64;
    loop {
        let next: Option<i64> =
            sqlx::query_scalar("SELECT min(period) FROM figure_blocks WHERE period > ?1")
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

/// The streaming import, inside the caller's write transaction: each row is encoded and
/// joins the open block of its (period, indicator); a full block is written at once.
pub(crate) async fn import_stream(
    conn: &mut SqliteConnection,
    rows: &mut dyn ObservationSource,
) -> Result<ImportSummary, StoreError> {
    let mut enc = encoder(conn).await?;
    let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM figure_blocks)")
        .fetch_one(&mut *conn)
        .await
        .map_err(db("reading"))?;
    let periods = if empty {
        Vec::new()
    } else {
        stored_periods(conn).await?
    };
    let mut dups = Duplicates::default();
    let mut blocks = Blocks::default();
    let (mut added, mut skipped) = (0usize, 0usize);
    while let Some(row) = rows.next_row() {
        let row = row?;
        let e = enc.encode(&row)?;
        if !empty {
            if dups.needs(e.indicator) {
                load_duplicates(conn, &periods, e.indicator, &mut dups).await?;
            }
            if dups.is_stored(&e, row.value) {
                skipped += 1;
                enc.next_seq -= 1;
                continue;
            }
        }
        added += 1;
        if let Some((p, i, b)) = blocks.push(&e)? {
            write_block(conn, p, i, &b).await?;
        }
    }
    write_rest(conn, &mut blocks).await?;
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

/// The figures in force for a roll-up: the blocks of the years in key order, each
/// (period, indicator) decoded whole and put in (unit, seq) order — already so for a bulk
/// import — so that the versions of a figure come together and the one in force is chosen
/// as they pass.
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
    // Blocks of other indicators are not read at all; other units are left out as decoded.
    let only_indicators = match &q.indicators {
        Some(wanted) => {
            let seqs: Vec<String> = figure::seqs_of(&indicators, wanted)
                .iter()
                .map(i64::to_string)
                .collect();
            format!(" AND indicator IN ({})", seqs.join(","))
        }
        None => String::new(),
    };
    // Blocks whose units all lie outside the ones wanted, or whose figures are all known
    // after the date, are not decoded; within a block, other units' figures are read past.
    let wanted_units = q
        .units
        .as_ref()
        .map(|wanted| figure::seqs_of(&units, wanted));
    let only_units = match &wanted_units {
        Some(seqs) if seqs.is_empty() => " AND 0".to_string(),
        Some(seqs) => {
            let ranges: Vec<String> = figure::seq_ranges(seqs, 16)
                .iter()
                .map(|(a, b)| format!("(unit_max >= {a} AND unit_min <= {b})"))
                .collect();
            format!(" AND ({})", ranges.join(" OR "))
        }
        None => String::new(),
    };
    let keep = figure::seq_set(wanted_units.as_deref().unwrap_or(&[]));
    let all_units = wanted_units.is_none();
    let sql = format!(
        "SELECT period, indicator, first_seq, n, data FROM figure_blocks \
         WHERE period BETWEEN ?1 AND ?2 AND known_min <= ?3{only_indicators}{only_units} \
         ORDER BY period, indicator, first_seq"
    );
    let query = sqlx::query(&sql)
        .bind(first)
        .bind(last)
        .bind(figure::encode_date(q.known_by));
    let mut pick = Picker::new(figure::encode_date(q.known_by), &units, &indicators)
        .only(q.units.as_deref(), q.indicators.as_deref());
    let mut group: Vec<BlockFigure> = Vec::new();
    let mut key = None;
    let flush = |key: Option<(i64, i64)>,
                 group: &mut Vec<BlockFigure>,
                 pick: &mut Picker|
     -> Result<(), StoreError> {
        let Some((period, indicator)) = key else {
            return Ok(());
        };
        if !group.is_sorted_by_key(|f| (f.unit, f.seq)) {
            group.sort_unstable_by_key(|f| (f.unit, f.seq));
        }
        for f in group.drain(..) {
            pick.row(
                RawFigure {
                    period,
                    indicator,
                    unit: f.unit,
                    mantissa: f.mantissa,
                    scale: f.scale,
                    flags: f.flags,
                    reported: f.reported,
                },
                f.exact,
            )?;
        }
        Ok(())
    };
    read_blocks(
        conn,
        query,
        |u| all_units || keep(u),
        |period, indicator, figures| {
            if key != Some((period, indicator)) {
                flush(key, &mut group, &mut pick)?;
                key = Some((period, indicator));
            }
            let approved =
                |f: &BlockFigure| q.include_unapproved || f.flags % 4 == figure::APPROVED;
            group.extend(figures.drain(..).filter(approved));
            Ok(())
        },
    )
    .await?;
    flush(key, &mut group, &mut pick)?;
    pick.finish()
}

/// Moves the figures of the row-per-figure table (migration 0003, renamed `figures_0003` by
/// 0004) into blocks and drops it, in one transaction; a no-op once done. Run on open, after
/// the migrations, since blocks cannot be built in SQL.
pub(crate) async fn move_rows_into_blocks(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    let pending: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'figures_0003')",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(db("reading"))?;
    if !pending {
        return Ok(());
    }
    let rows = sqlx::query(
        "SELECT period, indicator, unit, seq, mantissa, scale, flags, source, reported_by, \
         reported, exact FROM figures_0003 ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db("reading"))?;
    let mut blocks = Blocks::default();
    for r in rows {
        let g = |c: &'static str| -> Result<Option<i64>, StoreError> {
            r.try_get(c).map_err(|e| corrupt(c, "(unreadable)", e))
        };
        let need = |c: &'static str| -> Result<i64, StoreError> {
            g(c)?.ok_or_else(|| corrupt(c, "NULL", "a figure needs it"))
        };
        let e = Encoded {
            period: need("period")?,
            indicator: need("indicator")?,
            unit: need("unit")?,
            seq: need("seq")?,
            mantissa: g("mantissa")?,
            scale: need("scale")?,
            flags: need("flags")?,
            source: g("source")?,
            reported_by: g("reported_by")?,
            reported: g("reported")?,
            exact: r
                .try_get("exact")
                .map_err(|e| corrupt("exact", "(unreadable)", e))?,
        };
        if let Some((p, i, b)) = blocks.push(&e)? {
            write_block(conn, p, i, &b).await?;
        }
    }
    write_rest(conn, &mut blocks).await?;
    sqlx::query("DROP TABLE figures_0003")
        .execute(&mut *conn)
        .await
        .map_err(db("writing"))?;
    Ok(())
}
