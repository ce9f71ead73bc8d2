//! Measures generation and CSV writing: `cargo run --release -p chitieu-gen --example bench
//! -- [tiny|small|medium|full] [OUT.csv]` (without OUT the CSV goes to a sink).

#![allow(clippy::unwrap_used, clippy::expect_used)] // A measuring tool.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let preset = args.get(1).map_or("small", String::as_str);
    let opts = chitieu_gen::Preset::parse(preset)
        .expect("preset: tiny, small, medium or full")
        .options();
    let t = Instant::now();
    let syn = chitieu_gen::generate(&opts).unwrap();
    let structure = t.elapsed().as_secs_f64();
    println!("{preset}: {:?}", syn.sizes);
    println!("structure, resolutions and targets: {structure:.2} s");
    let t = Instant::now();
    let n = match args.get(2) {
        Some(path) => syn
            .write_observations_csv(std::fs::File::create(path).unwrap())
            .unwrap(),
        None => syn.write_observations_csv(std::io::sink()).unwrap(),
    };
    let s = t.elapsed().as_secs_f64();
    println!(
        "CSV: {n} rows in {s:.2} s = {:.2} M rows/s",
        n as f64 / s / 1e6
    );
    let t = Instant::now();
    let mut sum = 0i64;
    let n = syn.for_each_observation(|r| sum = sum.wrapping_add(r.scaled));
    let s = t.elapsed().as_secs_f64();
    println!(
        "for_each_observation: {n} rows in {s:.2} s = {:.2} M rows/s (checksum {sum})",
        n as f64 / s / 1e6
    );
}
