//! Where each table and field of a parsed bundle was written.

use std::collections::HashMap;

use chitieu_domain::{Location, ValidationError};

use crate::error::{BundleError, ErrorItem};

/// Position of one `[[collection]]` table and of the values of its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TableSpan {
    /// The table's header (`[[targets]]`) or, for an inline table, its `{`.
    pub(crate) table: (usize, usize),
    /// Where each field's value starts.
    pub(crate) fields: HashMap<String, (usize, usize)>,
}

/// Maps a [`Location`] in the parsed dataset (`targets[2].indicator`) back to a 1-based
/// (line, column) in the file. Indices are those of the file's tables, which are the indices of
/// the parsed [`Dataset`](chitieu_domain::Dataset)'s collections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    pub(crate) tables: HashMap<&'static str, Vec<TableSpan>>,
}

impl SourceMap {
    /// Where the field of `loc` is written; the table's header when the field is absent
    /// (a defaulted field, or a rule about the table as a whole). `None` when the file has no
    /// such table.
    pub fn locate(&self, loc: &Location) -> Option<(usize, usize)> {
        let table = self.tables.get(loc.collection)?.get(loc.index)?;
        let field = [loc.field];
        let candidates: &[&str] = match loc.field {
            // A target value is written in one of three forms.
            "value" => &["value", "value_min", "value_max", "change_per_year"],
            _ => &field,
        };
        candidates
            .iter()
            .find_map(|f| table.fields.get(*f).copied())
            .or(Some(table.table))
    }

    /// Positions of the `[[collection]]` tables in file order (for tests and tools).
    pub fn table(&self, collection: &str, index: usize) -> Option<(usize, usize)> {
        self.tables.get(collection)?.get(index).map(|t| t.table)
    }
}

/// Formats validation errors (of a parsed bundle, or of a store's merge of it, which reports
/// indices in the incoming dataset) with the file, line and column they point at.
pub fn located(file: &str, spans: &SourceMap, errors: &[ValidationError]) -> BundleError {
    let items = errors
        .iter()
        .map(|e| {
            let pos = spans.locate(&e.location);
            ErrorItem {
                line: pos.map(|p| p.0),
                column: pos.map(|p| p.1),
                location: Some(e.location.to_string()),
                message: e.message.clone(),
            }
        })
        .collect();
    BundleError::new(file, items)
}
