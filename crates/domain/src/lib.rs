//! The domain core of chitieu. Plain Rust, no I/O: no database, HTTP or file code here.
//! Storage, import/export, reports and the command line depend on this crate, never the
//! other way round.

pub mod allocation;
pub mod formula;
pub mod model;
pub mod period;
pub mod review;
pub mod review_text;
pub mod rollup;
pub mod status;
pub mod validate;
pub mod version;

pub use model::*;
pub use period::Period;
pub use review_text::{Layout, ReviewText, ReviewTextError};
pub use rust_decimal::Decimal;
pub use validate::{Location, ValidationError};
