//! Reading RON files into spec types, with errors that point at the line, column and
//! field path of the problem.

use crate::diag::{did_you_mean, Diagnostic, Source};
use ron::extensions::Extensions;
use serde::de::DeserializeOwned;
use std::io::Read;
use std::path::Path;

/// Files larger than this are refused before parsing: no model needs 16 MiB of text, and
/// refusing early keeps a hostile input from exhausting memory.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Read a file as UTF-8 text, with a diagnostic for missing, huge or binary files.
pub fn read_source(path: &Path) -> Result<Source, Diagnostic> {
    let fail = |message: String, hint: &str| Diagnostic {
        file: path.to_path_buf(),
        location: None,
        path: String::new(),
        message,
        hint: Some(hint.to_string()),
    };
    let meta = std::fs::metadata(path).map_err(|e| {
        fail(
            format!("cannot read file: {e}"),
            "check the path; relative model paths are resolved from the scenario's folder",
        )
    })?;
    if meta.is_dir() {
        return Err(fail(
            "is a directory, not a file".into(),
            "name a .ron file",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(
            format!("file is {} bytes, more than the 16 MiB limit", meta.len()),
            "a model or scenario is a small text file",
        ));
    }
    // Read at most one byte past the limit: `/dev/zero` or a growing file reports a
    // length of 0 but would otherwise be read until memory runs out.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| {
            fail(
                format!("cannot read file: {e}"),
                "check the path and its permissions",
            )
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(
            "file is larger than the 16 MiB limit".into(),
            "a model or scenario is a small text file",
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source::new(path, text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.into_bytes()[..valid]).into_owned();
            let source = Source::new(path, text);
            let at = source.line_col(valid);
            Err(source
                .error(Some(at), "", "file is not UTF-8 text (binary data?)")
                .with_hint("models and scenarios are RON text files"))
        }
    }
}

/// Parse RON text into `T`, reporting the field path and position of the first error.
pub fn parse_ron<T: DeserializeOwned>(source: &Source) -> Result<T, Diagnostic> {
    if source.text.trim().is_empty() {
        return Err(source
            .error(None, "", "file is empty")
            .with_hint("see docs/model-format.md for a complete example"));
    }
    // Why implicit `Some`? Optional fields (`capacity`, `timeout`, `pool`) read as users
    // write them, `capacity: 100`, rather than `capacity: Some(100)`.
    let options = ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME);
    let mut de = ron::Deserializer::from_str_with_options(&source.text, options)
        .map_err(|e| spanned(source, "", e))?;
    let value = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => value,
        Err(err) => {
            let path = clean_path(&err.path().to_string());
            let inner = err.into_inner();
            let spanned_err = de.span_error(inner);
            return Err(spanned(source, &path, spanned_err));
        }
    };
    de.end()
        .map_err(|e| spanned(source, "", de.span_error(e)))?;
    Ok(value)
}

/// serde_path_to_error writes `?` for a segment it could not name (a parse error before
/// any field was read); such segments say nothing to a user.
fn clean_path(path: &str) -> String {
    let path = path
        .split('.')
        .filter(|segment| *segment != "?" && !segment.is_empty())
        .collect::<Vec<_>>()
        .join(".");
    shorten(path)
}

/// Field paths longer than this are shortened to their two ends.
const MAX_PATH_CHARS: usize = 160;

/// A deeply nested document has a path thousands of segments long.
fn shorten(path: String) -> String {
    let chars: Vec<char> = path.chars().collect();
    if chars.len() <= MAX_PATH_CHARS {
        return path;
    }
    let head: String = chars[..MAX_PATH_CHARS / 2].iter().collect();
    let tail: String = chars[chars.len() - MAX_PATH_CHARS / 2..].iter().collect();
    format!("{head}…{tail}")
}

fn spanned(source: &Source, path: &str, err: ron::error::SpannedError) -> Diagnostic {
    let mut at = (err.position.line, err.position.col);
    if matches!(
        err.code,
        ron::Error::NoSuchStructField { .. }
            | ron::Error::NoSuchEnumVariant { .. }
            | ron::Error::Message(_)
    ) {
        at = source.token_start_before(at);
    }
    let (message, hint) = describe(&err.code, source.text_at(at));
    let mut d = source.error(Some(at), path, message);
    d.hint = hint;
    d
}

/// Our wording for ron's errors: what is wrong, and what to write instead.
fn describe(code: &ron::Error, text_here: &str) -> (String, Option<String>) {
    use ron::Error as E;
    let names = |list: &[&str]| {
        list.iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Type names such as `DistSpec` are ours, not the user's: drop the suffix.
    let within = |outer: &Option<String>| {
        outer.as_ref().map_or(String::new(), |o| {
            format!(" in `{}`", o.strip_suffix("Spec").unwrap_or(o))
        })
    };
    let guess = |found: &str, list: &[&str], otherwise: &str| {
        did_you_mean(found, list.iter().copied())
            .map_or_else(|| otherwise.to_string(), |s| format!("did you mean `{s}`?"))
    };
    match code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => (
            format!(
                "unknown field `{found}`{}; allowed fields: {}",
                within(outer),
                names(expected)
            ),
            Some(guess(
                found,
                expected,
                "remove the field or fix its spelling",
            )),
        ),
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => (
            format!(
                "unknown variant `{found}`{}; allowed: {}",
                within(outer),
                names(expected)
            ),
            Some(guess(found, expected, "use one of the allowed variants")),
        ),
        E::MissingStructField { field, outer } => (
            format!("missing field `{field}`{}", within(outer)),
            Some("add the field; docs/model-format.md lists every field with its default".into()),
        ),
        E::DuplicateStructField { field, outer } => (
            format!("field `{field}` is given twice{}", within(outer)),
            Some("keep one of them".into()),
        ),
        // Our own parsers (durations, sizes) write "problem; what to write instead".
        E::Message(text) => match text.split_once("; ") {
            Some((message, hint)) => (message.to_string(), Some(hint.to_string())),
            None => (text.clone(), None),
        },
        E::ExpectedInteger | E::IntegerOutOfBounds if text_here.starts_with('-') => (
            "negative number where a count is expected".into(),
            Some(
                "counts (workers, replicas, sizes, capacities) are whole numbers, not negative"
                    .into(),
            ),
        ),
        E::IntegerOutOfBounds => (
            "number too large for this field".into(),
            Some("docs/model-format.md gives each field's range".into()),
        ),
        E::ExpectedInteger => (
            "expected a whole number".into(),
            Some(
                "counts (workers, replicas, sizes, capacities) are written without a decimal point"
                    .into(),
            ),
        ),
        E::TrailingCharacters => (
            "unexpected text after the end of the document".into(),
            Some("a file holds one Model(...) or Scenario(...); remove what follows it".into()),
        ),
        // ron's text suggests raising the limit, which a user of `sim` cannot do.
        E::ExceededRecursionLimit => (
            "the document is nested more than 128 levels deep".into(),
            Some("the document is nested too deeply".into()),
        ),
        E::ExpectedDifferentStructName { expected, found }
            if *expected == "Scenario" && found == "Model" =>
        {
            (
                code.to_string(),
                Some(
                    "this is a model; `sim run` takes a scenario that names it in `model:`".into(),
                ),
            )
        }
        other => (
            other.to_string(),
            Some("check for a missing bracket, comma or quote near this position".into()),
        ),
    }
}

/// What a RON file holds, judged by its first item (after comments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Model,
    Scenario,
    Sweep,
}

/// `Sweep(...)`, `Model(...)` and `Scenario(...)` by their struct name; an unnamed document that names
/// a model and sources is a scenario too; anything else is read as a model.
pub fn file_kind(text: &str) -> FileKind {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("//"))
        .unwrap_or("");
    if first.starts_with("Sweep") {
        FileKind::Sweep
    } else if first.starts_with("Model") {
        FileKind::Model
    } else if first.starts_with("Scenario") || (text.contains("sources") && text.contains("model"))
    {
        FileKind::Scenario
    } else {
        FileKind::Model
    }
}

/// The kind of the file at `path`, or `None` if it cannot be read as text.
pub fn file_kind_of(path: &Path) -> Option<FileKind> {
    read_source(path).ok().map(|s| file_kind(&s.text))
}
