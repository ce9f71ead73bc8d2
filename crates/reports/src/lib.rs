//! Renders what the domain computes — reviews, status tables, roll-ups and allocations — as
//! text: Markdown, a self-contained HTML review, terminal tables and the stable JSON interface;
//! tables as XLSX workbooks and the review as a Word document (returned as bytes). It knows
//! document formats only: no database, no HTTP, no file system (callers write the bytes where
//! they want).

pub mod chart;
pub mod document;
pub mod docx;
pub mod hierarchy;
pub mod html;
pub mod json;
pub mod locale;
pub mod markdown;
pub mod pdf;
pub mod press;
pub mod xlsx;

pub use locale::Lang;
