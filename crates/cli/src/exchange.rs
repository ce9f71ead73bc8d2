//! `chitieu import FILE --format dhis2-json|dhis2-csv|sdmx-csv --mapping MAP.toml` and
//! `chitieu export --format … --mapping MAP.toml`: the files of the neighbours' systems
//! (`docs/exchange.md`), read and written by `chitieu_io::exchange`.

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use chitieu_domain::Observation;
use chitieu_io::exchange::{dhis2, parse_mapping, sdmx, Exported, Imported, Mapping};
use chitieu_store::{ImportSummary, Store, StoreError};
use clap::ValueEnum;

/// A neighbour's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A DHIS2 data value set in JSON (/api/dataValueSets.json).
    Dhis2Json,
    /// A DHIS2 data value set in CSV (/api/dataValueSets.csv).
    Dhis2Csv,
    /// An SDMX-CSV data message, version 1 (DATAFLOW,…) or 2 (STRUCTURE,…).
    SdmxCsv,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Dhis2Json => "dhis2-json",
            Format::Dhis2Csv => "dhis2-csv",
            Format::SdmxCsv => "sdmx-csv",
        }
    }
}

fn mapping(path: Option<&Path>, format: Format) -> Result<Mapping> {
    let path = path.ok_or_else(|| {
        anyhow!(
            "--format {} needs --mapping MAP.toml (see docs/exchange.md)",
            format.name()
        )
    })?;
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
    Ok(parse_mapping(&text, &name)?)
}

/// Reads `file` in `format` through the mapping and adds its figures in one transaction; a
/// problem anywhere — in the mapping, the file, or against what is stored — writes nothing.
pub async fn import(
    store: &dyn Store,
    file: &Path,
    format: Format,
    mapping_file: Option<&Path>,
) -> Result<ImportSummary> {
    let m = mapping(mapping_file, format)?;
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {name}"))?;
    let read: Imported = match format {
        Format::Dhis2Json => dhis2::read_json(&text, &name, &m)?,
        Format::Dhis2Csv => dhis2::read_csv(&text, &name, &m)?,
        Format::SdmxCsv => sdmx::read_csv(&text, &name, &m)?,
    };
    if read.skipped > 0 {
        eprintln!(
            "chitieu: {name}: {} observation{} marked missing, without a value, left out",
            read.skipped,
            if read.skipped == 1 { "" } else { "s" }
        );
    }
    match store.add_observations(&read.observations).await {
        Ok(s) => Ok(s),
        Err(StoreError::Invalid(errors)) => Err(read.located(&name, &errors).into()),
        Err(e) => Err(e.into()),
    }
}

/// The figures in `format`; what the mapping has no code for is said on standard error.
pub fn export(obs: &[Observation], format: Format, mapping_file: Option<&Path>) -> Result<String> {
    let m = mapping(mapping_file, format)?;
    let out: Exported = match format {
        Format::Dhis2Json => dhis2::write_json(obs, &m)?,
        Format::Dhis2Csv => dhis2::write_csv(obs, &m)?,
        Format::SdmxCsv => sdmx::write_csv(obs, &m)?,
    };
    eprintln!(
        "chitieu: {} figure{} written as {}",
        out.written,
        if out.written == 1 { "" } else { "s" },
        format.name()
    );
    if let Some(line) = out.skipped_line() {
        eprintln!("chitieu: {line}");
    }
    Ok(out.text)
}
