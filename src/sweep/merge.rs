//! Combining the directories of a sharded sweep into one, byte-identical to the directory
//! a single machine would have written.

use super::manifest::{claim_dir, read_manifest, read_points, write_point, Manifest, RunError};
use super::outputs::{check_complete, write_outputs, Missing};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum MergeError {
    /// Unreadable, mismatched or conflicting inputs.
    Invalid(String),
    /// The shards together do not cover every point.
    Incomplete(Missing),
    Io(String),
}

/// Copy every finished point of `dirs` into `out` and write the outputs.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>, MergeError> {
    let mut manifest: Option<(Manifest, &Path)> = None;
    let mut points = BTreeMap::new();
    for dir in dirs {
        let m = read_manifest(dir).map_err(MergeError::Invalid)?;
        if let Some((first, first_dir)) = &manifest {
            if m != *first {
                return Err(MergeError::Invalid(format!(
                    "{} and {} hold different sweeps (hash {} vs {}); merge only shards of one sweep file",
                    first_dir.display(),
                    dir.display(),
                    first.hash,
                    m.hash
                )));
            }
        }
        for (p, record) in read_points(dir, &m.hash, m.point_count) {
            points.entry(p).or_insert(record);
        }
        if manifest.is_none() {
            manifest = Some((m, dir));
        }
    }
    let Some((manifest, _)) = manifest else {
        return Err(MergeError::Invalid("no directories to merge".into()));
    };
    claim_dir(out, &manifest).map_err(|e| match e {
        RunError::Refused(m) => MergeError::Invalid(m),
        RunError::Failed(m) => MergeError::Io(m),
    })?;
    for record in points.values() {
        write_point(out, record)
            .map_err(|e| MergeError::Io(format!("cannot write into {}: {e}", out.display())))?;
    }
    let (manifest, records) = check_complete(manifest, points).map_err(|e| match e {
        Ok(missing) => MergeError::Incomplete(missing),
        Err(msg) => MergeError::Invalid(msg),
    })?;
    write_outputs(out, &manifest, &records)
        .map_err(|e| MergeError::Io(format!("cannot write into {}: {e}", out.display())))
}
