//! `chitieu gen`: writes a synthetic country (`chitieu-gen`) as a bundle and a CSV of
//! observations, to load with `chitieu import`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use chitieu_domain::{ReviewState, Standing};
use chitieu_gen::{GenOptions, Observations, Preset};
use chitieu_store::{ObservationRow, ObservationSource, Store, StoreError};

#[derive(clap::Args)]
pub struct GenArgs {
    /// Size: tiny (12 communes, 11 indicators, 2015–2018), small (600 communes), medium
    /// (3,000 communes) or full (63 provinces, ~10,600 communes, ~100,000 villages, 100
    /// indicators, 2015–2026: ~32.5 million observations, ~1.5 GB of CSV).
    #[arg(long, default_value = "small", value_parser = ["tiny", "small", "medium", "full"])]
    pub preset: String,
    /// Seed: the same seed and options give the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Folder to write bundle.toml and observations.csv into (created if missing).
    #[arg(long, default_value = "synthetic")]
    pub out: PathBuf,
    /// Provinces before 2025 (overrides the preset).
    #[arg(long)]
    pub provinces: Option<usize>,
    /// Provinces after the 2025 reorganisation (overrides the preset).
    #[arg(long)]
    pub new_provinces: Option<usize>,
    /// Districts per province, on average.
    #[arg(long)]
    pub districts: Option<f64>,
    /// Communes per district, on average.
    #[arg(long)]
    pub communes: Option<f64>,
    /// Villages per commune, on average (0: none).
    #[arg(long)]
    pub villages: Option<f64>,
    /// First year of the figures.
    #[arg(long)]
    pub first_year: Option<i32>,
    /// Last year of the figures.
    #[arg(long)]
    pub last_year: Option<i32>,
    /// Keep the pre-2025 tree: no reorganisation.
    #[arg(long)]
    pub no_reform: bool,
    /// Import straight into the database (`--db`, or the default one) instead of writing
    /// files: the structure, then the figures streamed as they are generated, each in one
    /// transaction.
    #[arg(long)]
    pub import: bool,
}

fn options(a: &GenArgs) -> Result<GenOptions> {
    let preset =
        Preset::parse(&a.preset).ok_or_else(|| anyhow!("unknown preset `{}`", a.preset))?;
    let mut o = preset.options();
    o.seed = a.seed;
    if let Some(p) = a.provinces {
        o.provinces = p;
        // Keep the reorganisation possible: about 34/63 of the provinces.
        o.new_provinces = (p * 34).div_ceil(63).max(p.div_ceil(3));
    }
    if let Some(n) = a.new_provinces {
        o.new_provinces = n;
    }
    if let Some(d) = a.districts {
        o.districts_per_province = d;
    }
    if let Some(c) = a.communes {
        o.communes_per_district = c;
    }
    if let Some(v) = a.villages {
        o.villages_per_commune = v;
    }
    if let Some(y) = a.first_year {
        o.first_year = y;
    }
    if let Some(y) = a.last_year {
        o.last_year = y;
    }
    if a.no_reform {
        o.reform = false;
    }
    Ok(o)
}

/// Writes `OUT/bundle.toml` and `OUT/observations.csv` and prints one line of sizes.
pub fn run(a: &GenArgs) -> Result<()> {
    let start = Instant::now();
    let opts = options(a)?;
    let syn = chitieu_gen::generate(&opts)?;
    let dir = &a.out;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let bundle = dir.join("bundle.toml");
    std::fs::write(&bundle, chitieu_io::bundle_to_toml(&syn.dataset))
        .with_context(|| format!("cannot write {}", bundle.display()))?;
    let csv = dir.join("observations.csv");
    let file =
        std::fs::File::create(&csv).with_context(|| format!("cannot write {}", csv.display()))?;
    let rows = syn
        .write_observations_csv(file)
        .with_context(|| format!("cannot write {}", csv.display()))?;
    let s = &syn.sizes;
    println!(
        "{}: {} units ({} provinces, {} districts, {} communes, {} villages; from 2025-07-01 {} \
         provinces, {} communes), {} indicators, {} targets, {rows} observations written in \
         {:.1} s (preset {}, seed {})",
        dir.display(),
        s.units,
        s.provinces,
        s.districts,
        s.communes,
        s.villages,
        s.new_provinces,
        s.new_communes,
        s.indicators_base + s.indicators_derived,
        s.targets,
        start.elapsed().as_secs_f64(),
        a.preset,
        a.seed,
    );
    Ok(())
}

/// The generator's figures as a streaming import's rows: final and approved, like the CSV.
struct Generated<'a> {
    rows: Observations<'a>,
    line: usize,
}

impl ObservationSource for Generated<'_> {
    fn next_row(&mut self) -> Option<Result<ObservationRow<'_>, StoreError>> {
        let r = self.rows.next()?;
        self.line += 1;
        Some(Ok(ObservationRow {
            line: self.line,
            unit: r.unit,
            indicator: r.indicator,
            period: r.period,
            value: r.value(),
            standing: Standing::Final,
            state: ReviewState::Approved,
            source: None,
            reported_by: None,
            reported: None,
        }))
    }
}

/// Generates the country and imports it into `store`: the structure, then the figures.
pub async fn import(a: &GenArgs, store: &dyn Store, db: &str) -> Result<()> {
    let start = Instant::now();
    let opts = options(a)?;
    let syn = chitieu_gen::generate(&opts)?;
    let structure = store
        .import(&syn.dataset)
        .await
        .with_context(|| format!("{db}: importing the synthetic structure"))?;
    let mut rows = Generated {
        rows: syn.observations(),
        line: 0,
    };
    let figures = store
        .import_observations(&mut rows)
        .await
        .with_context(|| format!("{db}: importing the synthetic figures"))?;
    println!(
        "{db}: {structure}; {figures} in {:.1} s (preset {}, seed {})",
        start.elapsed().as_secs_f64(),
        a.preset,
        a.seed
    );
    Ok(())
}
