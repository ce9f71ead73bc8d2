//! File formats of chitieu: the resolution bundle (TOML, specified in `docs/bundle.md`),
//! observations as CSV and the Excel template of a unit's figures.
//!
//! This crate owns the text forms only: reading them into the domain model
//! ([`chitieu_domain::Dataset`]) with errors that name the file, line and column, and writing
//! the domain model back, deterministically, so that export → import → export is byte for
//! byte the same. It turns text into data and data into text; it does not open files, and it
//! must not depend on a database, a store, HTTP or the command line (those depend on it).
//!
//! * [`parse_bundle`] / [`bundle_to_toml`]: the bundle. [`SourceMap`] and [`located`] map a
//!   [`Location`](chitieu_domain::Location) in the parsed data (for instance from a store's
//!   merge) back to a line and column.
//! * [`parse_observations_csv`] / [`observations_to_csv`] / [`located_csv`]: observations as
//!   CSV.
//! * [`template`]: the Excel template of a unit's figures for a period
//!   ([`template::Template::to_xlsx`]) and reading it back filled in
//!   ([`template::read_template`]), every bad cell named by sheet and cell.
//!
//! * [`exchange`]: DHIS2 data value sets (JSON, CSV) and SDMX-CSV, in and out, through a
//!   mapping file ([`exchange::parse_mapping`], `docs/exchange.md`).
//!
//! Conventions: text is normalised to Unicode NFC; numbers are exact decimals, normalised
//! (`41.30` reads as `41.3`) and never held as floating point (a TOML float is read as its
//! shortest round-trip form, so `41.3` is exactly 41.3).

mod error;
pub mod exchange;
mod obs_csv;
mod parse;
mod review_text;
mod source_map;
pub mod template;
mod text;
mod write;

pub use error::{BundleError, ErrorItem};
pub use obs_csv::{
    located_csv, observations_to_csv, parse_observations_csv, CsvObservations, CsvRow, ParsedCsv,
    CSV_HEADER,
};
pub use parse::{parse_bundle, ParsedBundle, BUNDLE_FORMAT};
pub use review_text::{parse_review_text, review_text_to_toml};
pub use source_map::{located, SourceMap};
pub use write::bundle_to_toml;
