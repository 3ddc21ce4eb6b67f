//! Where a command's files go, and the line that says so.

use cascade_sim::report::write_files;
use std::path::{Path, PathBuf};

/// The `wrote a, b, c` line every command that writes files prints.
pub fn wrote(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    format!("wrote {}", names.join(", "))
}

/// Write `(file name, text)` pairs into `out`, creating it if needed: the `wrote` line,
/// or, having said why not, the exit code.
pub fn write_into<N: AsRef<Path>>(
    out: &Path,
    files: impl IntoIterator<Item = (N, String)>,
) -> Result<String, i32> {
    match std::fs::create_dir_all(out).and_then(|_| write_files(out, files)) {
        Ok(written) => Ok(wrote(&written)),
        Err(e) => {
            eprintln!("error: cannot write into {}: {e}", out.display());
            Err(1)
        }
    }
}
