//! Reading RON files into spec types, with errors that point at the line, column and
//! field path of the problem.

use crate::diag::{Diagnostic, Source};
use ron::extensions::Extensions;
use serde::de::DeserializeOwned;
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
    let bytes = std::fs::read(path).map_err(|e| {
        fail(
            format!("cannot read file: {e}"),
            "check the path and its permissions",
        )
    })?;
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

fn clean_path(path: &str) -> String {
    if path == "." {
        String::new()
    } else {
        path.to_string()
    }
}

fn spanned(source: &Source, path: &str, err: ron::error::SpannedError) -> Diagnostic {
    let message = err.code.to_string();
    let hint = hint_for(&message);
    let mut d = source.error(Some((err.position.line, err.position.col)), path, message);
    d.hint = hint;
    d
}

fn hint_for(message: &str) -> Option<String> {
    if message.contains("unknown field") {
        Some("remove the field or fix its spelling; the allowed names are listed above".into())
    } else if message.contains("missing field") {
        Some("add the field; docs/model-format.md lists every field with its default".into())
    } else if message.contains("unknown variant") {
        Some("use one of the variants listed above".into())
    } else if message.contains("recursion limit") {
        Some("the document is nested too deeply".into())
    } else if message.contains("Unexpected end of RON") || message.contains("Expected") {
        Some("check for a missing bracket, comma or quote near this position".into())
    } else {
        None
    }
}
