//! A small CSV reader that looks columns up by name, so that the report keeps working
//! when the engine adds, removes or reorders columns.
//!
//! Why not a CSV crate? The run files are ours: comma-separated, one header line, fields
//! quoted only when they hold a comma or a quote (timeline text). Forty lines cover it.

use super::ReportError;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct CsvTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl CsvTable {
    pub fn parse(path: &Path, text: &str) -> Result<CsvTable, ReportError> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((_, head)) = lines.next() else {
            return Err(ReportError::at(
                path,
                1,
                "file is empty; expected a header line",
            ));
        };
        let header = split_fields(head);
        let mut rows = Vec::new();
        for (i, line) in lines {
            let fields = split_fields(line);
            if fields.len() != header.len() {
                return Err(ReportError::at(
                    path,
                    i + 1,
                    format!(
                        "{} fields where the header has {}",
                        fields.len(),
                        header.len()
                    ),
                ));
            }
            rows.push(fields);
        }
        Ok(CsvTable { header, rows })
    }

    /// Index of a column, if the file has it.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Index of a column the report cannot do without.
    pub fn required(&self, path: &Path, name: &str) -> Result<usize, ReportError> {
        self.column(name).ok_or_else(|| {
            ReportError::at(
                path,
                1,
                format!("no `{name}` column (header: {})", self.header.join(",")),
            )
        })
    }

    /// The number in a cell; empty cells (no data in that window) are `None`.
    pub fn number(&self, row: usize, col: Option<usize>) -> Option<f64> {
        col.and_then(|c| self.rows[row][c].trim().parse::<f64>().ok())
    }

    pub fn text(&self, row: usize, col: usize) -> &str {
        &self.rows[row][col]
    }
}

/// Split one line; a quoted field may hold commas and doubled quotes.
fn split_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_commas_and_quotes() {
        assert_eq!(
            split_fields(r#"1,"a, ""b""",c"#),
            vec!["1", r#"a, "b""#, "c"]
        );
    }

    #[test]
    fn ragged_rows_are_refused_with_their_line() {
        let err = CsvTable::parse(Path::new("m.csv"), "a,b\n1,2\n3\n").unwrap_err();
        assert!(err.to_string().starts_with("m.csv:3:"), "{err}");
    }
}
