//! Diagnostics for bad input: every problem names the file, line:column, the field path
//! and, where we can guess what was meant, a hint.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in a user's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based line and column; `None` when the problem has no single place (an empty file).
    pub location: Option<(usize, usize)>,
    /// Field path such as `services.api-gateway.workers`; empty for the whole document.
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, col)) = self.location {
            write!(f, ":{line}:{col}")?;
        }
        write!(f, ": error")?;
        if !self.path.is_empty() {
            write!(f, " in `{}`", self.path)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// All the problems found in one load; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// The text of one input file, kept so that semantic errors can point into it.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: PathBuf,
    pub text: String,
}

impl Source {
    pub fn new(file: impl AsRef<Path>, text: impl Into<String>) -> Self {
        Source {
            file: file.as_ref().to_path_buf(),
            text: text.into(),
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    /// The text from a 1-based line and column to the end of that line.
    pub fn text_at(&self, (line, col): (usize, usize)) -> &str {
        let Some(text) = self.text.lines().nth(line.saturating_sub(1)) else {
            return "";
        };
        let start = text
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(text.len(), |(i, _)| i);
        text[start..].trim_start()
    }

    /// The start of the token (a quoted string or a name) that ends just before a 1-based
    /// line and column. ron reports some errors after the token they are about; a user
    /// wants to be pointed at the token itself.
    pub fn token_start_before(&self, (line, col): (usize, usize)) -> (usize, usize) {
        let Some(text) = self.text.lines().nth(line.saturating_sub(1)) else {
            return (line, col);
        };
        let chars: Vec<char> = text.chars().collect();
        let end = col.saturating_sub(1).min(chars.len());
        let is_name = |c: char| c.is_alphanumeric() || c == '_';
        let start = match end.checked_sub(1).map(|i| chars[i]) {
            Some('"') => (0..end - 1).rev().find(|&i| chars[i] == '"'),
            Some(c) if is_name(c) => (0..end).rev().take_while(|&i| is_name(chars[i])).last(),
            _ => None,
        };
        start.map_or((line, col), |i| (line, i + 1))
    }

    /// Where a quoted name (a map key or a reference) first appears, searching after the
    /// first occurrence of each `context` in turn, so that `services` → `"db"` finds the
    /// service definition rather than an earlier mention.
    pub fn find_quoted(&self, context: &[&str], name: &str) -> Option<(usize, usize)> {
        let from = self.after(context);
        let needle = format!("\"{name}\"");
        let at = self.text[from..]
            .find(&needle)
            .map(|i| i + from)
            .or_else(|| self.text.find(&needle))?;
        Some(self.line_col(at))
    }

    /// Where the `nth` (0-based) occurrence of `token` is, after the given contexts: the
    /// third `Work(` of an operation, say.
    pub fn find_nth(&self, context: &[&str], token: &str, nth: usize) -> Option<(usize, usize)> {
        let from = self.after(context);
        let (at, _) = self.text[from..].match_indices(token).nth(nth)?;
        Some(self.line_col(from + at))
    }

    /// The byte offset just after the first occurrence of each `context` in turn.
    fn after(&self, context: &[&str]) -> usize {
        let mut from = 0;
        for c in context {
            if let Some(i) = self.text[from..].find(c) {
                from += i + c.len();
            }
        }
        from
    }

    /// Where the `nth` (0-based) occurrence of a quoted name is, after the given contexts;
    /// for lists whose entries may repeat a name (two sources on one target).
    pub fn find_nth_quoted(
        &self,
        context: &[&str],
        name: &str,
        nth: usize,
    ) -> Option<(usize, usize)> {
        let first = self.find_quoted(context, name)?;
        let needle = format!("\"{name}\"");
        let start = self.offset_of(first);
        let at = self.text[start..]
            .match_indices(&needle)
            .nth(nth)
            .map_or(start, |(i, _)| start + i);
        Some(self.line_col(at))
    }

    /// Byte offset of a 1-based line and column (the inverse of `line_col`).
    fn offset_of(&self, (line, col): (usize, usize)) -> usize {
        let line_start: usize = self
            .text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        let rest = &self.text[line_start..];
        line_start
            + rest
                .char_indices()
                .nth(col - 1)
                .map_or(rest.len(), |(i, _)| i)
    }

    /// Where a field name is first written (`name:`), after the given contexts.
    pub fn find_field(&self, context: &[&str], field: &str) -> Option<(usize, usize)> {
        let from = self.after(context);
        let rest = &self.text[from..];
        let mut search = 0;
        while let Some(i) = rest[search..].find(field) {
            let at = search + i;
            let before_ok = at == 0
                || !rest.as_bytes()[at - 1].is_ascii_alphanumeric()
                    && rest.as_bytes()[at - 1] != b'_';
            let after = rest[at + field.len()..].trim_start();
            if before_ok && after.starts_with(':') {
                return Some(self.line_col(from + at));
            }
            search = at + field.len();
        }
        None
    }

    pub fn error(
        &self,
        location: Option<(usize, usize)>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            location,
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }
}

impl Diagnostic {
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Names longer than this get no did-you-mean suggestion.
const MAX_SUGGEST_LEN: usize = 256;

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let len = wrong.chars().count();
    // Edit distance costs the product of the lengths: a hostile megabyte-long name must
    // not stall the error report, and nobody mistypes a name that long.
    if len > MAX_SUGGEST_LEN {
        return None;
    }
    let limit = (len / 3).max(2);
    candidates
        .into_iter()
        .filter(|c| c.len() <= MAX_SUGGEST_LEN * 4 && c.chars().count().abs_diff(len) <= limit)
        .map(|c| (edit_distance(wrong, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cost = usize::from(ca != b[j]);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("user-profle", ["user-profile", "catalog"]),
            Some("user-profile")
        );
        assert_eq!(did_you_mean("zzz", ["user-profile", "catalog"]), None);
    }

    #[test]
    fn finds_positions() {
        let s = Source::new("m.ron", "Model(\n  services: {\n    \"db\": x\n  }\n)");
        assert_eq!(s.find_quoted(&["services"], "db"), Some((3, 5)));
        assert_eq!(s.find_field(&[], "services"), Some((2, 3)));
        assert_eq!(s.token_start_before((3, 9)), (3, 5));
        assert_eq!(s.token_start_before((2, 11)), (2, 3));
        assert_eq!(s.token_start_before((1, 1)), (1, 1));
    }
}
