//! `chitieu-bench review`: `chitieu review` as the product runs it, timed from a cold start on
//! a database made by `chitieu gen --import` (or `chitieu-bench import`): a new store, the
//! structure, the figures the unit's review can use (its part of the database), the roll-ups
//! and the review. Each run opens the store anew, so nothing is cached between runs but what
//! the operating system keeps of the file.

use std::time::Instant;

use anyhow::Result;
use chitieu_domain::review::{self, ReviewOptions, Scope};
use chitieu_domain::version::FigureFilter;
use chitieu_store::in_force::judge;
use chitieu_store::Store;

pub struct Args {
    pub db: String,
    pub unit: String,
    pub as_of: chrono::NaiveDate,
    pub runs: usize,
}

async fn open(db: &str) -> Result<Box<dyn Store>> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        Ok(Box::new(
            chitieu_store_postgres::PgStore::connect(db).await?,
        ))
    } else {
        let path = std::path::Path::new(db);
        anyhow::ensure!(
            path.exists(),
            "{db}: no such database (make one with `chitieu --db {db} gen --preset full --import`)"
        );
        Ok(Box::new(
            chitieu_store_sqlite::SqliteStore::open(path).await?,
        ))
    }
}

pub fn run(a: Args) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut seconds = Vec::new();
    let mut summary = String::new();
    for _ in 0..a.runs.max(1) {
        let t = Instant::now();
        let (targets, achieved) = rt.block_on(async {
            let store = open(&a.db).await?;
            let filter = FigureFilter {
                known_by: a.as_of,
                include_unapproved: false,
            };
            let opts = ReviewOptions {
                unit: &a.unit,
                as_of: a.as_of,
                include_unapproved: false,
            };
            let r = judge(
                store.as_ref(),
                filter,
                a.as_of,
                |ds| Scope::of_review(ds, &a.unit, a.as_of),
                |ds, rollups| review::build_with(ds, rollups, opts),
            )
            .await??;
            let achieved: usize = r.resolutions.iter().map(|x| x.achieved_or_exceeded).sum();
            Ok::<_, anyhow::Error>((r.targets.len(), achieved))
        })?;
        seconds.push(t.elapsed().as_secs_f64());
        summary = format!("{targets} targets, {achieved} achieved or exceeded");
    }
    let m = crate::median(seconds.clone());
    let peak = crate::peak_rss_mb();
    println!(
        "review of {} as of {} on {}: median {:.3} s over {} runs ({summary}); peak memory {} MB",
        a.unit,
        a.as_of,
        a.db,
        m,
        seconds.len(),
        peak.map_or("?".into(), |p| format!("{p:.0}"))
    );
    println!(
        "{}",
        serde_json::json!({"unit": a.unit, "as_of": a.as_of.to_string(), "seconds": seconds,
            "median": m, "peak_rss_mb": peak})
    );
    Ok(())
}
