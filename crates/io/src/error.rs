//! Errors that name a file, a line and (for TOML) a column.

use std::fmt;

/// One problem in an input file: where it is and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorItem {
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column in characters (not bytes), when known. CSV errors have none.
    pub column: Option<usize>,
    /// What the problem is about: `targets[2].indicator`, `column value`. Absent for TOML
    /// syntax errors.
    pub location: Option<String>,
    pub message: String,
}

impl fmt::Display for ErrorItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        f.write_str(": ")?;
        if let Some(loc) = &self.location {
            write!(f, "{}: ", one_line(loc))?;
        }
        f.write_str(&one_line(&self.message))
    }
}

/// An error is one line, even when it quotes a value with a line break in it.
fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\n', '\r']) {
        s.replace('\n', "\\n").replace('\r', "\\r").into()
    } else {
        s.into()
    }
}

/// Everything wrong with one input file. Displays as one line: the first
/// problem as `{file}:{line}:{col}: {location}: {message}`, followed by ` (and N more)` when
/// there are several.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct BundleError {
    pub file: String,
    pub errors: Vec<ErrorItem>,
}

impl BundleError {
    pub(crate) fn new(file: &str, errors: Vec<ErrorItem>) -> BundleError {
        BundleError {
            file: file.to_string(),
            errors,
        }
    }

    /// The first problem in file order.
    pub fn first(&self) -> Option<&ErrorItem> {
        self.errors.first()
    }

    /// Every problem, one `{file}:{line}:{col}: {location}: {message}` line each.
    pub fn lines(&self) -> Vec<String> {
        self.errors
            .iter()
            .map(|e| format!("{}{e}", self.file))
            .collect()
    }
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.split_first() {
            None => write!(f, "{}: invalid input", self.file),
            Some((first, rest)) => {
                write!(f, "{}{first}", self.file)?;
                if !rest.is_empty() {
                    write!(f, " (and {} more)", rest.len())?;
                }
                Ok(())
            }
        }
    }
}

/// 1-based (line, column) of byte offsets in a text; columns count characters.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    pub(crate) fn pos(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_is_one_line() {
        let e = BundleError::new(
            "a.toml",
            vec![ErrorItem {
                line: Some(3),
                column: Some(7),
                location: Some("units[0].parent".into()),
                message: "unknown parent unit `a\nb`".into(),
            }],
        );
        assert_eq!(
            e.to_string(),
            "a.toml:3:7: units[0].parent: unknown parent unit `a\\nb`"
        );
    }

    #[test]
    fn line_index_counts_characters() {
        let t = "ab\nĐức = 1\n\nx";
        let ix = LineIndex::new(t);
        assert_eq!(ix.pos(0), (1, 1));
        assert_eq!(ix.pos(3), (2, 1));
        let eq = t.find('=').unwrap_or(0);
        assert_eq!(ix.pos(eq), (2, 5));
        assert_eq!(ix.pos(t.len() - 1), (4, 1));
        assert_eq!(ix.pos(t.len() + 10), (4, 2));
    }
}
