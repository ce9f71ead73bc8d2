//! `chitieu-bench import`: the storage goals of issue 4, measured on the synthetic country.
//!
//! * CSV → SQLite through `chitieu import`'s path (streaming reader, `import_observations`):
//!   rows per second, the whole import timed (reading and parsing the CSV included).
//! * Bytes per observation on disk in SQLite: the `figures` table's pages (dbstat), and the
//!   whole file, divided by the number of figures.
//! * Cold start: a new store on the file, the structure and one year's figures in force
//!   (`load_structure`, `load_figures`), `Figures` built with `push_scaled`, the roll-up.
//! * CSV → PostgreSQL through the same path, against a plain `COPY` of the same rows (the
//!   rows the import wrote, copied out) into the same, emptied, table, in the same run.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chitieu_domain::rollup::{roll_up, Lineage, Tree};
use chitieu_domain::{Period, ReviewState};
use chitieu_gen::{generate, GenOptions};
use chitieu_store::in_force::InForce;
use chitieu_store::{FigureQuery, ObservationRow, ObservationSource, Store, StoreError};

struct CsvSource(chitieu_io::CsvObservations<std::fs::File>);

impl ObservationSource for CsvSource {
    fn next_row(&mut self) -> Option<Result<ObservationRow<'_>, StoreError>> {
        Some(match self.0.next_row()? {
            Ok(r) => Ok(ObservationRow {
                line: r.line,
                unit: r.unit,
                indicator: r.indicator,
                period: r.period,
                value: r.value,
                standing: r.standing,
                state: ReviewState::Approved,
                source: r.source,
                reported_by: None,
                reported: None,
            }),
            Err(e) => Err(StoreError::Source(Box::new(e))),
        })
    }
}

fn csv_source(csv: &Path) -> Result<CsvSource> {
    let file =
        std::fs::File::open(csv).with_context(|| format!("cannot open {}", csv.display()))?;
    Ok(CsvSource(chitieu_io::CsvObservations::new(
        file,
        &csv.display().to_string(),
    )))
}

pub struct Args {
    pub opts: GenOptions,
    pub year: i32,
    pub sqlite: bool,
    pub postgres: Option<String>,
    pub work: PathBuf,
}

pub fn run(a: Args) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    std::fs::create_dir_all(&a.work)
        .with_context(|| format!("cannot create {}", a.work.display()))?;
    let t = Instant::now();
    let syn = generate(&a.opts)?;
    let csv = a.work.join("observations.csv");
    let rows = syn.write_observations_csv(std::io::BufWriter::new(
        std::fs::File::create(&csv).with_context(|| format!("cannot create {}", csv.display()))?,
    ))?;
    let csv_bytes = std::fs::metadata(&csv)?.len();
    eprintln!(
        "{rows} observations written to {} ({:.0} MB) in {:.1} s",
        csv.display(),
        csv_bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let mut json = serde_json::json!({"rows": rows, "csv_bytes": csv_bytes});
    if a.sqlite {
        json["sqlite"] = rt.block_on(sqlite(&syn.dataset, &csv, rows, a.year, &a.work))?;
    }
    if let Some(url) = &a.postgres {
        json["postgres"] = rt.block_on(postgres(&syn.dataset, &csv, rows, url, &a.work))?;
    }
    json["peak_rss_mb"] = serde_json::json!(crate::peak_rss_mb());
    println!("{json}");
    Ok(())
}

async fn sqlite(
    structure: &chitieu_domain::Dataset,
    csv: &Path,
    rows: u64,
    year: i32,
    work: &Path,
) -> Result<serde_json::Value> {
    use chitieu_store_sqlite::SqliteStore;
    let path = work.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let store = SqliteStore::open(&path).await?;
    store.import(structure).await?;
    let t = Instant::now();
    let summary = store.import_observations(&mut csv_source(csv)?).await?;
    let import_s = t.elapsed().as_secs_f64();
    if summary.added.observations as u64 != rows {
        bail!("imported {summary}, expected {rows} observations");
    }
    store.close().await;
    let per_s = rows as f64 / import_s;
    println!("SQLite import: {rows} rows in {import_s:.2} s = {per_s:.0} rows/s");

    // Bytes on disk, the WAL checkpointed (closing the last connection does it).
    let file_bytes = std::fs::metadata(&path)?.len();
    let figure_bytes: i64 = {
        use sqlx::Connection;
        let mut c =
            sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await?;
        let b = sqlx::query_scalar(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN ('figure_blocks', 'figure_blocks_key')",
        )
        .fetch_one(&mut c)
        .await?;
        c.close().await?;
        b
    };
    println!(
        "SQLite size: figures table {:.1} bytes per observation, whole file {:.1} ({:.0} MB)",
        figure_bytes as f64 / rows as f64,
        file_bytes as f64 / rows as f64,
        file_bytes as f64 / 1e6
    );

    let cold = cold_start(&path, year).await?;
    Ok(serde_json::json!({
        "import_seconds": import_s, "rows_per_second": per_s,
        "figures_bytes": figure_bytes, "file_bytes": file_bytes,
        "bytes_per_observation_table": figure_bytes as f64 / rows as f64,
        "bytes_per_observation_file": file_bytes as f64 / rows as f64,
        "cold_start": cold,
    }))
}

/// A new store on an existing SQLite file: the structure and one year's figures in force
/// (`load_structure`, `load_figures`), `Figures` built with `push_scaled`, the roll-up of the
/// year and its quarters. Prints the phases; returns them as JSON.
pub async fn cold_start(path: &Path, year: i32) -> Result<serde_json::Value> {
    use chitieu_store_sqlite::SqliteStore;
    // Cold start: a new store on the file, the structure and one year's figures, the roll-up.
    let t = Instant::now();
    let store = SqliteStore::open(path).await?;
    let ds = store.load_structure().await?;
    let structure_s = t.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let known_by = chrono::NaiveDate::from_ymd_opt(year + 1, 12, 31).context("bad year")?;
    let cols = store
        .load_figures(&FigureQuery {
            first_year: year,
            last_year: year,
            known_by,
            include_unapproved: false,
            units: None,
            indicators: None,
        })
        .await?;
    let figures_s = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    let date = chrono::NaiveDate::from_ymd_opt(year, 12, 31).context("bad year")?;
    // The columns onto the tree of the year as the product does it (`InForce`).
    let tree = Tree::at(&ds.units, date);
    let lineage = Lineage::new(&tree, &ds.reorganisations);
    let filter = chitieu_domain::version::FigureFilter {
        known_by,
        include_unapproved: false,
    };
    let InForce {
        tree,
        catalogue,
        figures,
        ..
    } = InForce::from_columns(&ds, tree, &lineage, &cols, filter, &[])?;
    let mut periods: Vec<Period> = (1..=4).map(|q| Period::Quarter(year, q)).collect();
    periods.push(Period::Year(year));
    let cube = roll_up(&tree, &catalogue, &figures, &periods)?;
    let rollup_s = t2.elapsed().as_secs_f64();
    let cold_s = t.elapsed().as_secs_f64();
    store.close().await;
    println!(
        "SQLite cold start, year {year}: {cold_s:.2} s (structure {structure_s:.2} s, {} figures read {figures_s:.2} s, Figures + roll-up {rollup_s:.2} s, {} values)",
        cols.len(),
        cube.filled()
    );
    Ok(
        serde_json::json!({"year": year, "seconds": cold_s, "structure": structure_s,
        "load_figures": figures_s, "rollup": rollup_s, "figures": cols.len(),
        "values": cube.filled()}),
    )
}

async fn postgres(
    structure: &chitieu_domain::Dataset,
    csv: &Path,
    rows: u64,
    url: &str,
    work: &Path,
) -> Result<serde_json::Value> {
    use sqlx::{Connection, Executor};
    let mut admin = sqlx::PgConnection::connect(url)
        .await
        .context("cannot connect to PostgreSQL")?;
    let name = format!("chitieu_bench_import_{}", std::process::id());
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
        .await?;
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
    let db_url = format!("{base}/{name}");
    let outcome = async {
        let store = chitieu_store_postgres::PgStore::connect(&db_url).await?;
        store.import(structure).await?;
        let t = Instant::now();
        let summary = store.import_observations(&mut csv_source(csv)?).await?;
        let ours = t.elapsed().as_secs_f64();
        if summary.added.observations as u64 != rows {
            bail!("imported {summary}, expected {rows} observations");
        }
        store.close().await;

        // The same rows, as COPY text, into the same table emptied: the plain COPY.
        let mut c = sqlx::PgConnection::connect(&db_url).await?;
        let dump = work.join("figures.copy");
        {
            use futures_util::StreamExt as _;
            use std::io::Write as _;
            let mut out = std::io::BufWriter::new(std::fs::File::create(&dump)?);
            let mut stream = c
                .copy_out_raw(
                    "COPY figures (period, indicator, unit, seq, mantissa, scale, flags, source, \
                     reported_by, reported, exact) TO STDOUT",
                )
                .await?;
            while let Some(chunk) = stream.next().await {
                out.write_all(&chunk?)?;
            }
            out.flush()?;
        }
        c.execute("TRUNCATE figures").await?;
        c.execute("CHECKPOINT").await?;
        let t = Instant::now();
        let mut copy = c
            .copy_in_raw(chitieu_store_postgres::FIGURES_COPY)
            .await?;
        {
            use std::io::Read as _;
            let mut f = std::fs::File::open(&dump)?;
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = f.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                copy.send(buf.get(..n).unwrap_or_default()).await?;
            }
        }
        let copied = copy.finish().await?;
        let plain = t.elapsed().as_secs_f64();
        let _ = std::fs::remove_file(&dump);
        c.close().await?;
        if copied != rows {
            bail!("plain COPY wrote {copied} rows, expected {rows}");
        }
        println!(
            "PostgreSQL: chitieu import {ours:.2} s ({:.0} rows/s), plain COPY of the same rows {plain:.2} s; ratio {:.2}",
            rows as f64 / ours,
            ours / plain
        );
        Ok(serde_json::json!({"import_seconds": ours, "copy_seconds": plain, "ratio": ours / plain}))
    }
    .await;
    let _ = admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await;
    outcome
}
