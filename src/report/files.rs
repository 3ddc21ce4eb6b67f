//! Writing a run's files: each to a temporary name first, then renamed, so an interrupted
//! run never leaves a half-written file behind.

use crate::engine::RunResult;
use crate::scenario::Scenario;
use std::io;
use std::path::{Path, PathBuf};

/// Write `contents` to `path` through a temporary file in the same directory, renamed
/// over `path` once complete: readers see the old file or the new one, never a part.
///
/// Why the process id in the temporary name? Two runs of the same scenario into the same
/// directory must not write into one temporary file, or one could rename the other's
/// half-written file into place.
pub fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let tmp = temp_path(path);
    let result = std::fs::write(&tmp, contents).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `dir/.name.<pid>.tmp` for `dir/name`.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Write `summary.json` and `metrics.csv` into `dir`; returns the paths written.
pub fn write_run_outputs(
    dir: &Path,
    scenario: &Scenario,
    result: &RunResult,
) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let files = [
        ("summary.json", super::summary_json(scenario, result)),
        ("metrics.csv", super::metrics_csv(scenario, result)),
        ("edges.csv", super::edges_csv(scenario, result)),
        ("timeline.txt", super::timeline_txt(scenario, result)),
        ("timeline.csv", super::timeline_csv(scenario, result)),
    ];
    write_files(dir, files)
}

/// Write each `(file name, text)` into `dir`, atomically; returns the paths written.
pub fn write_files<N: AsRef<Path>>(
    dir: &Path,
    files: impl IntoIterator<Item = (N, String)>,
) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        write_atomically(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cascade-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_complete_write_leaves_no_temporary_file() {
        let dir = scratch("complete");
        let path = dir.join("summary.json");
        write_atomically(&path, b"{\"a\": 1}\n").unwrap();
        write_atomically(&path, b"{\"a\": 2}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"a\": 2}\n");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("summary.json")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_keeps_the_previous_file_whole() {
        let dir = scratch("failed");
        let path = dir.join("summary.json");
        write_atomically(&path, b"old, complete\n").unwrap();
        // Make the temporary file impossible to create: the write fails before the rename,
        // as an interrupted run would stop before it.
        std::fs::create_dir(temp_path(&path)).unwrap();
        assert!(write_atomically(&path, b"new").is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old, complete\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
