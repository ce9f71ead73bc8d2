//! Renders what the domain computes — reviews, status tables, roll-ups and allocations — as
//! text: Markdown, a self-contained HTML review, terminal tables and the stable JSON interface;
//! and tables as XLSX workbooks (returned as bytes). It knows text formats only: no database,
//! no HTTP, no file system (callers write the strings where they want).

pub mod chart;
pub mod document;
pub mod hierarchy;
pub mod html;
pub mod json;
pub mod locale;
pub mod markdown;
pub mod pdf;
pub mod press;
pub mod xlsx;

pub use locale::Lang;
