//! `chitieu-bench`: chitieu's roll-up at national scale, measured beside the same roll-up
//! written as plain SQL and run in DuckDB and PostgreSQL on the same data, in the same run.
//! See docs/benchmarks.md for what is measured and how to rerun it.

mod import;
mod review;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chitieu_domain::formula::Formula;
use chitieu_domain::rollup::{roll_up, Catalogue, Figures, Lineage, Scaled, Tree};
use chitieu_domain::{Aggregation, AggregationMethod, Period};
use chitieu_gen::{generate, Preset, Synthetic};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "chitieu-bench",
    about = "chitieu's benchmarks at national scale (docs/benchmarks.md)"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Roll up one year of the synthetic country (every level, every indicator, the four
    /// quarters and the year, derived indicators), and the same in DuckDB and PostgreSQL.
    Rollup {
        /// tiny, small, medium or full (the whole country).
        #[arg(long, default_value = "full")]
        preset: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The year rolled up (before the 2025 reform: the tree of 63 provinces).
        #[arg(long, default_value_t = 2024)]
        year: i32,
        /// Timed repetitions; the median is reported.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Also roll up every year of the data set at once, in the tree after the reform.
        #[arg(long)]
        all_years: bool,
        /// Run the DuckDB reference (needs `python3 -m pip install duckdb`).
        #[arg(long)]
        duckdb: bool,
        /// Run the PostgreSQL reference on this server (a scratch database is created).
        #[arg(long)]
        postgres: Option<String>,
        /// Where the SQL engines' input files go.
        #[arg(long, default_value = "target/bench-rollup")]
        work: PathBuf,
    },
    /// The status of every target of one province's resolution, with every commune's value for
    /// each target's indicator (the drill-down a province dashboard shows), figures in memory.
    Status {
        #[arg(long, default_value = "full")]
        preset: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The province (pre-reform id, e.g. p01) and the date of the judgement.
        #[arg(long, default_value = "p01")]
        province: String,
        #[arg(long, default_value = "2024-12-31")]
        as_of: chrono::NaiveDate,
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Import the synthetic country's CSV into SQLite and PostgreSQL as `chitieu import`
    /// does: rows per second, bytes per observation on disk, a cold-start roll-up of one
    /// year from SQLite, and the PostgreSQL import against a plain COPY of the same rows.
    Import {
        /// tiny, small, medium or full (the whole country).
        #[arg(long, default_value = "small")]
        preset: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The year of the cold-start roll-up.
        #[arg(long, default_value_t = 2024)]
        year: i32,
        /// `sqlite`, or a PostgreSQL server URL (a scratch database is created on it);
        /// repeat for both. Default: sqlite.
        #[arg(long)]
        db: Vec<String>,
        /// Where the CSV and the SQLite file go.
        #[arg(long, default_value = "target/bench-import")]
        work: PathBuf,
    },
    /// `chitieu review` of one unit from a cold start, as the product runs it, on a database
    /// made by `chitieu gen --import` (a SQLite file or a postgres:// URL).
    Review {
        #[arg(long)]
        db: String,
        #[arg(long, default_value = "p01")]
        unit: String,
        #[arg(long, default_value = "2024-12-31")]
        as_of: chrono::NaiveDate,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// The cold start alone, on a SQLite file made by `import` (e.g.
    /// `target/bench-import/bench.db`): a new store, the structure, one year's figures in
    /// force, the roll-up.
    Cold {
        #[arg(long, default_value = "target/bench-import/bench.db")]
        db: PathBuf,
        #[arg(long, default_value_t = 2024)]
        year: i32,
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Rollup {
            preset,
            seed,
            year,
            runs,
            all_years,
            duckdb,
            postgres,
            work,
        } => {
            let p = Preset::parse(&preset).with_context(|| {
                format!("unknown preset `{preset}`: tiny, small, medium or full")
            })?;
            let mut opts = p.options();
            opts.seed = seed;
            rollup_bench(
                &opts,
                year,
                runs.max(1),
                all_years,
                duckdb,
                postgres.as_deref(),
                &work,
            )
        }
        Cmd::Status {
            preset,
            seed,
            province,
            as_of,
            runs,
        } => {
            let p = Preset::parse(&preset).with_context(|| {
                format!("unknown preset `{preset}`: tiny, small, medium or full")
            })?;
            let mut opts = p.options();
            opts.seed = seed;
            status_bench(&opts, &province, as_of, runs.max(1))
        }
        Cmd::Import {
            preset,
            seed,
            year,
            db,
            work,
        } => import_cmd(&preset, seed, year, db, work),
        Cmd::Review {
            db,
            unit,
            as_of,
            runs,
        } => review::run(review::Args {
            db,
            unit,
            as_of,
            runs,
        }),
        Cmd::Cold { db, year, runs } => {
            if !db.exists() {
                bail!(
                    "{}: no such database (make one with `chitieu-bench import`)",
                    db.display()
                );
            }
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let mut all = Vec::new();
            for _ in 0..runs.max(1) {
                all.push(rt.block_on(import::cold_start(&db, year))?);
            }
            println!("{}", serde_json::Value::Array(all));
            Ok(())
        }
    }
}

fn status_bench(
    opts: &chitieu_gen::GenOptions,
    province: &str,
    as_of: chrono::NaiveDate,
    runs: usize,
) -> Result<()> {
    use chitieu_domain::rollup::Rollups;
    use chitieu_domain::status::assess_with;
    use chitieu_domain::version::{target_version, Cutoff};
    let syn = generate(opts)?;
    let ds = &syn.dataset;
    let tree = Tree::at(&ds.units, as_of);
    let root = tree
        .index_of(province)
        .with_context(|| format!("unknown unit `{province}`"))?;
    let lineage = Lineage::new(&tree, &ds.reorganisations);
    let catalogue = Catalogue::new(&ds.indicators)?;
    // The province's figures: what a store query for the province's subtree returns.
    let within = |u: u32| {
        let mut cur = Some(u);
        while let Some(x) = cur {
            if x == root {
                return true;
            }
            cur = tree.parent(x);
        }
        false
    };
    let mut figures = Figures::new(&catalogue);
    let mut error = None;
    syn.for_each_observation(|row| {
        if row.period.start() > as_of || error.is_some() || !within(row.unit_index as u32) {
            return;
        }
        let r = Scaled {
            origin: row.unit_index as u32,
            indicator: row.indicator_index as u32,
            period: row.period,
            mantissa: row.scaled,
            scale: row.scale,
            standing: chitieu_domain::Standing::Final,
        };
        if let Err(e) = figures.push_scaled(&lineage, &catalogue, r) {
            error = Some(e);
        }
    });
    if let Some(e) = error {
        bail!(e);
    }
    let resolution = ds
        .resolutions
        .iter()
        .filter(|r| r.unit == province && r.adopted <= as_of)
        .max_by_key(|r| r.adopted)
        .with_context(|| format!("`{province}` has no resolution adopted by {as_of}"))?;
    let targets: Vec<_> = ds
        .targets
        .iter()
        .filter(|t| t.resolution == resolution.id)
        .collect();
    let communes: Vec<&str> = ds
        .units
        .iter()
        .enumerate()
        .filter(|(i, u)| {
            u.level == chitieu_domain::Level::Commune
                && tree.is_present(*i as u32)
                && within(*i as u32)
        })
        .map(|(_, u)| u.id.as_str())
        .collect();
    let (mut seconds, mut built, mut judged) = (Vec::new(), Vec::new(), Vec::new());
    let (mut assessed, mut drill) = (0usize, 0usize);
    for _ in 0..runs {
        let (tree, catalogue) = (tree.clone(), catalogue.clone());
        let t = Instant::now();
        // Only what the targets are judged on: their indicators and what those are computed
        // from, rolled up from the province's figures on every request.
        let indicators: Vec<&str> = targets.iter().map(|t| t.indicator.as_str()).collect();
        let rollups = Rollups::from_figures_of(tree, catalogue, &figures, &indicators)?;
        built.push(t.elapsed().as_secs_f64());
        let t2 = Instant::now();
        assessed = 0;
        drill = 0;
        for target in &targets {
            let Some(ind) = ds.indicators.iter().find(|i| i.id == target.indicator) else {
                continue;
            };
            let version = target_version(ds, target, Cutoff::Through(as_of));
            let a = assess_with(&rollups, target, &version, ind);
            assessed += usize::from(a.status.is_assessable());
            for c in &communes {
                drill += usize::from(rollups.series(c, &target.indicator).last().is_some());
            }
        }
        judged.push(t2.elapsed().as_secs_f64());
        seconds.push(t.elapsed().as_secs_f64());
    }
    let m = median(seconds.clone());
    println!("| province | figures | targets | assessed | communes | commune values | roll-up ms | status + drill-down ms | total ms |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    println!(
        "| {province} | {} | {} | {assessed} | {} | {drill} | {:.1} | {:.1} | {:.1} |",
        figures.len(),
        targets.len(),
        communes.len(),
        median(built) * 1000.0,
        median(judged) * 1000.0,
        m * 1000.0
    );
    println!(
        "{}",
        serde_json::json!({"province": province, "as_of": as_of.to_string(), "figures": figures.len(),
            "targets": targets.len(), "communes": communes.len(), "seconds": seconds, "median": m})
    );
    Ok(())
}

fn import_cmd(preset: &str, seed: u64, year: i32, db: Vec<String>, work: PathBuf) -> Result<()> {
    let p = Preset::parse(preset)
        .with_context(|| format!("unknown preset `{preset}`: tiny, small, medium or full"))?;
    let mut opts = p.options();
    opts.seed = seed;
    let db = if db.is_empty() {
        vec!["sqlite".to_string()]
    } else {
        db
    };
    let mut sqlite = false;
    let mut postgres = None;
    for d in db {
        if d == "sqlite" {
            sqlite = true;
        } else if d.starts_with("postgres://") || d.starts_with("postgresql://") {
            postgres = Some(d);
        } else {
            bail!("--db {d}: expected `sqlite` or a postgres:// URL");
        }
    }
    import::run(import::Args {
        opts,
        year,
        sqlite,
        postgres,
        work,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Peak resident memory of this process, from the kernel.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

struct Loaded {
    tree: Tree,
    catalogue: Catalogue,
    figures: Figures,
    periods: Vec<Period>,
}

/// The year's figures of the synthetic country in the tree of that year.
fn load_year(syn: &Synthetic, year: i32) -> Result<Loaded> {
    let date = chrono::NaiveDate::from_ymd_opt(year, 12, 31).context("bad year")?;
    let tree = Tree::at(&syn.dataset.units, date);
    let lineage = Lineage::new(&tree, &syn.dataset.reorganisations);
    let catalogue = Catalogue::new(&syn.dataset.indicators)?;
    let mut figures = Figures::new(&catalogue);
    let mut error = None;
    syn.for_each_observation(|row| {
        if row.period.year() != year || error.is_some() {
            return;
        }
        let r = Scaled {
            origin: row.unit_index as u32,
            indicator: row.indicator_index as u32,
            period: row.period,
            mantissa: row.scaled,
            scale: row.scale,
            standing: chitieu_domain::Standing::Final,
        };
        if let Err(e) = figures.push_scaled(&lineage, &catalogue, r) {
            error = Some(e);
        }
    });
    if let Some(e) = error {
        bail!(e);
    }
    let mut periods: Vec<Period> = (1..=4).map(|q| Period::Quarter(year, q)).collect();
    periods.push(Period::Year(year));
    Ok(Loaded {
        tree,
        catalogue,
        figures,
        periods,
    })
}

fn rollup_bench(
    opts: &chitieu_gen::GenOptions,
    year: i32,
    runs: usize,
    all_years: bool,
    duckdb: bool,
    postgres: Option<&str>,
    work: &Path,
) -> Result<()> {
    let t = Instant::now();
    let syn = generate(opts)?;
    eprintln!(
        "generated the structure in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let loaded = load_year(&syn, year)?;
    eprintln!(
        "{} figures of {year} in memory in {:.2} s",
        loaded.figures.len(),
        t.elapsed().as_secs_f64()
    );

    let mut seconds = Vec::new();
    let mut filled = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let cube = roll_up(
            &loaded.tree,
            &loaded.catalogue,
            &loaded.figures,
            &loaded.periods,
        )?;
        seconds.push(t.elapsed().as_secs_f64());
        filled = cube.filled();
    }
    let ours = median(seconds.clone());
    let mut report = String::new();
    let _ = writeln!(
        report,
        "| engine | median s | runs | values | ratio chitieu ÷ engine |"
    );
    let _ = writeln!(report, "| --- | --- | --- | --- | --- |");
    let _ = writeln!(
        report,
        "| chitieu (in memory) | {ours:.4} | {runs} | {filled} | 1 |"
    );
    let mut json = serde_json::json!({
        "preset": opts_name(opts), "year": year, "figures": loaded.figures.len(),
        "chitieu": {"seconds": seconds, "median": ours, "values": filled},
    });

    if duckdb || postgres.is_some() {
        let (derived_sql, skipped) = export_sql_inputs(&syn, &loaded, work)?;
        eprintln!(
            "SQL inputs in {} ({derived_sql} derived indicators as SQL, {skipped} skipped)",
            work.display()
        );
        if duckdb {
            let script =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/bench/duckdb_rollup.py");
            let out = Command::new("python3")
                .arg(&script)
                .arg(work)
                .arg(runs.to_string())
                .output()
                .context("cannot run python3")?;
            if !out.status.success() {
                bail!(
                    "DuckDB reference failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            let v: serde_json::Value =
                serde_json::from_slice(&out.stdout).context("DuckDB reference output")?;
            let secs: Vec<f64> = v["seconds"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_f64()).collect())
                .unwrap_or_default();
            let m = median(secs);
            let _ = writeln!(
                report,
                "| DuckDB {} (SQL, level by level) | {m:.4} | {runs} | {} | {:.3} |",
                v["version"].as_str().unwrap_or("?"),
                v["values_out"],
                ours / m
            );
            json["duckdb"] = v;
        }
        if let Some(url) = postgres {
            let (secs, values) = postgres_reference(url, work, runs)?;
            let m = median(secs.clone());
            let _ = writeln!(
                report,
                "| PostgreSQL (SQL, level by level) | {m:.4} | {runs} | {values} | {:.3} |",
                ours / m
            );
            json["postgres"] = serde_json::json!({"seconds": secs, "median": m, "values": values});
        }
    }

    if all_years {
        let t = Instant::now();
        let date = chrono::NaiveDate::from_ymd_opt(opts.last_year, 12, 31).context("bad year")?;
        let tree = Tree::at(&syn.dataset.units, date);
        let lineage = Lineage::new(&tree, &syn.dataset.reorganisations);
        let catalogue = Catalogue::new(&syn.dataset.indicators)?;
        let mut figures = Figures::with_capacity(
            &catalogue,
            usize::try_from(syn.observation_count()).unwrap_or(0),
        );
        let mut error = None;
        syn.for_each_observation(|row| {
            let r = Scaled {
                origin: row.unit_index as u32,
                indicator: row.indicator_index as u32,
                period: row.period,
                mantissa: row.scaled,
                scale: row.scale,
                standing: chitieu_domain::Standing::Final,
            };
            if error.is_none() {
                if let Err(e) = figures.push_scaled(&lineage, &catalogue, r) {
                    error = Some(e);
                }
            }
        });
        if let Some(e) = error {
            bail!(e);
        }
        eprintln!(
            "{} figures of every year in the tree of {date} in {:.2} s",
            figures.len(),
            t.elapsed().as_secs_f64()
        );
        let mut periods = Vec::new();
        for y in opts.first_year..=opts.last_year {
            periods.extend((1..=4).map(|q| Period::Quarter(y, q)));
            periods.push(Period::Year(y));
        }
        let mut secs = Vec::new();
        let mut values = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let cube = roll_up(&tree, &catalogue, &figures, &periods)?;
            secs.push(t.elapsed().as_secs_f64());
            values = cube.filled();
        }
        let m = median(secs.clone());
        let _ = writeln!(
            report,
            "| chitieu, {} years at once (tree of {date}) | {m:.4} | {runs} | {values} | — |",
            opts.last_year - opts.first_year + 1
        );
        json["all_years"] = serde_json::json!({"seconds": secs, "median": m, "figures": figures.len(), "values": values});
    }
    let peak = peak_rss_mb();
    let _ = writeln!(
        report,
        "\npeak memory of this process: {} MB",
        peak.map_or("?".into(), |m| format!("{m:.0}"))
    );
    json["peak_rss_mb"] = serde_json::json!(peak);
    print!("{report}");
    println!("{json}");
    std::io::stdout().flush()?;
    Ok(())
}

fn opts_name(opts: &chitieu_gen::GenOptions) -> String {
    format!("{} provinces, seed {}", opts.provinces, opts.seed)
}

/// Writes the tree, the indicators and the year's figures as CSV for the SQL engines.
/// Derived indicators of the form `a / b × k` become SQL; others are counted as skipped.
fn export_sql_inputs(syn: &Synthetic, loaded: &Loaded, work: &Path) -> Result<(usize, usize)> {
    std::fs::create_dir_all(work).with_context(|| format!("cannot create {}", work.display()))?;
    let write = |name: &str, text: String| {
        std::fs::write(work.join(name), text).with_context(|| format!("cannot write {name}"))
    };
    // Units present in the tree, with their depth.
    let mut units = String::from("idx,parent,depth\n");
    for (i, _) in syn.dataset.units.iter().enumerate() {
        let i = i as u32;
        if !loaded.tree.is_present(i) {
            continue;
        }
        let mut depth = 0;
        let mut cur = loaded.tree.parent(i);
        while let Some(p) = cur {
            depth += 1;
            cur = loaded.tree.parent(p);
        }
        let parent = loaded
            .tree
            .parent(i)
            .map(|p| p.to_string())
            .unwrap_or_default();
        let _ = writeln!(units, "{i},{parent},{depth}");
    }
    write("units.csv", units)?;
    let mut inds = String::from("idx,method\n");
    let mut derived = String::from("idx,num,den,factor\n");
    let (mut n_derived, mut skipped) = (0, 0);
    for (i, ind) in syn.dataset.indicators.iter().enumerate() {
        match &ind.aggregation {
            Aggregation::Base(m) => {
                let m = match m {
                    AggregationMethod::Sum => "sum",
                    AggregationMethod::Count => "count",
                    AggregationMethod::Min => "min",
                    AggregationMethod::Max => "max",
                    AggregationMethod::Last => "last",
                };
                let _ = writeln!(inds, "{i},{m}");
            }
            Aggregation::Derived { formula } => match ratio_shape(formula, &loaded.catalogue) {
                Some((num, den, k)) => {
                    let _ = writeln!(derived, "{i},{num},{den},{k}");
                    n_derived += 1;
                }
                None => skipped += 1,
            },
            Aggregation::CountWhere { .. } => skipped += 1,
        }
    }
    write("indicators.csv", inds)?;
    write("derived.csv", derived)?;
    let mut periods = String::from("idx,year,quarter\n");
    for (k, p) in loaded.periods.iter().enumerate() {
        match p {
            Period::Quarter(y, q) => {
                let _ = writeln!(periods, "{k},{y},{q}");
            }
            other => {
                let _ = writeln!(periods, "{k},{},", other.year());
            }
        }
    }
    write("periods.csv", periods)?;
    let mut figs = String::with_capacity(loaded.figures.len() * 24);
    figs.push_str("unit,indicator,period,value\n");
    for k in 0..loaded.figures.len() {
        let Some(p) = loaded
            .periods
            .iter()
            .position(|x| *x == loaded.figures.period[k])
        else {
            continue;
        };
        let v =
            loaded.figures.value[k] as f64 / 10f64.powi(i32::from(loaded.figures.value_scale[k]));
        let _ = writeln!(
            figs,
            "{},{},{p},{v}",
            loaded.figures.unit[k], loaded.figures.indicator[k]
        );
    }
    write("figures.csv", figs)?;
    Ok((n_derived, skipped))
}

/// `(numerator index, denominator index, factor)` when the formula is `a / b × k`.
fn ratio_shape(formula: &str, catalogue: &Catalogue) -> Option<(u32, u32, f64)> {
    let f = Formula::parse(formula).ok()?;
    let [a, b] = f.inputs() else { return None };
    let k = f.eval_f64(&[1.0, 1.0]).ok()?;
    let doubled = f.eval_f64(&[2.0, 1.0]).ok()?;
    let halved = f.eval_f64(&[1.0, 2.0]).ok()?;
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * y.abs().max(1.0);
    (close(doubled, 2.0 * k) && close(halved, k / 2.0)).then_some((
        catalogue.index_of(a)?,
        catalogue.index_of(b)?,
        k,
    ))
}

/// The same SQL in PostgreSQL: a scratch database, COPY of the inputs, timed SQL only.
fn postgres_reference(url: &str, work: &Path, runs: usize) -> Result<(Vec<f64>, i64)> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        use sqlx::{Connection, Executor};
        let mut admin = sqlx::PgConnection::connect(url).await.context("cannot connect to PostgreSQL")?;
        let name = format!("chitieu_bench_{}", std::process::id());
        admin.execute(format!("DROP DATABASE IF EXISTS {name}").as_str()).await?;
        admin.execute(format!("CREATE DATABASE {name}").as_str()).await?;
        let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
        let mut c = sqlx::PgConnection::connect(&format!("{base}/{name}")).await?;
        c.execute(
            "CREATE TABLE units (idx int PRIMARY KEY, parent int, depth int);
             CREATE TABLE indicators (idx int PRIMARY KEY, method text);
             CREATE TABLE derived (idx int, num int, den int, factor float8);
             CREATE TABLE periods (idx int, year int, quarter int);
             CREATE TABLE figures (unit int, indicator int, period int, value float8);",
        )
        .await?;
        for name in ["units", "indicators", "derived", "periods", "figures"] {
            let data = std::fs::read(work.join(format!("{name}.csv")))?;
            let mut copy = c.copy_in_raw(&format!("COPY {name} FROM STDIN WITH (FORMAT csv, HEADER true)")).await?;
            copy.send(data).await?;
            copy.finish().await?;
        }
        c.execute("ANALYZE").await?;
        let max_depth: i32 = sqlx::query_scalar("SELECT max(depth) FROM units").fetch_one(&mut c).await?;
        let year: i32 = sqlx::query_scalar("SELECT idx FROM periods WHERE quarter IS NULL").fetch_one(&mut c).await?;
        let mut secs = Vec::new();
        let mut values = 0i64;
        for _ in 0..runs {
            c.execute("DROP TABLE IF EXISTS vals; DROP TABLE IF EXISTS dvals").await?;
            let t = Instant::now();
            c.execute("CREATE TEMP TABLE vals AS SELECT unit, indicator, period, value FROM figures").await?;
            c.execute(
                format!(
                    "INSERT INTO vals SELECT f.unit, f.indicator, {year},
                       CASE i.method WHEN 'min' THEN min(f.value) WHEN 'max' THEN max(f.value)
                                     WHEN 'sum' THEN sum(f.value)
                                     ELSE (array_agg(f.value ORDER BY p.quarter DESC))[1] END
                     FROM figures f JOIN indicators i ON i.idx = f.indicator JOIN periods p ON p.idx = f.period
                     GROUP BY f.unit, f.indicator, i.method
                     HAVING i.method <> 'sum' OR count(*) = 4"
                )
                .as_str(),
            )
            .await?;
            for depth in (1..=max_depth).rev() {
                c.execute(
                    format!(
                        "INSERT INTO vals SELECT u.parent, v.indicator, v.period,
                           CASE i.method WHEN 'min' THEN min(v.value) WHEN 'max' THEN max(v.value) ELSE sum(v.value) END
                         FROM vals v JOIN units u ON u.idx = v.unit JOIN indicators i ON i.idx = v.indicator
                         WHERE u.depth = {depth} AND u.parent IS NOT NULL AND i.method <> 'last'
                         GROUP BY u.parent, v.indicator, v.period, i.method"
                    )
                    .as_str(),
                )
                .await?;
            }
            c.execute(
                "CREATE TEMP TABLE dvals AS
                 SELECT n.unit, d.idx AS indicator, n.period, n.value / d2.value * d.factor AS value
                 FROM derived d JOIN vals n ON n.indicator = d.num
                 JOIN vals d2 ON d2.indicator = d.den AND d2.unit = n.unit AND d2.period = n.period
                 WHERE d2.value <> 0",
            )
            .await?;
            secs.push(t.elapsed().as_secs_f64());
            values = sqlx::query_scalar("SELECT (SELECT count(*) FROM vals) + (SELECT count(*) FROM dvals)").fetch_one(&mut c).await?;
        }
        drop(c);
        admin.execute(format!("DROP DATABASE IF EXISTS {name}").as_str()).await?;
        Ok((secs, values))
    })
}
