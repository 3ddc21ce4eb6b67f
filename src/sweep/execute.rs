//! Running a sweep's points on a rayon pool, each persisted the moment it finishes.
//!
//! Why persist instead of collecting results? Only the few outcome numbers of a point are
//! kept (never its metrics), finished points survive an interrupt, and the outputs are
//! built from the files alone, whatever ran them in whatever order.

use super::manifest::{
    claim_dir, read_points, write_point, Manifest, PointRecord, RunError, RunRecord,
};
use super::outcomes::extract;
use super::params::provisioned_capacity;
use super::Sweep;
use crate::report::summary::summarize;
use crate::run::run_quietly;
use rayon::prelude::*;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Which deterministic 1/N of the points this process runs: point `i` belongs to shard
/// `i mod N + 1`. Interleaving (rather than blocks) gives every shard a similar mix of
/// cheap and expensive points, since neighbouring grid points cost about the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    pub fn owns(self, point: usize) -> bool {
        point % self.count == self.index - 1
    }

    /// Parse `K/N` with 1 ≤ K ≤ N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not K/N (e.g. 2/8)"))?;
        let k: usize = k
            .trim()
            .parse()
            .map_err(|_| format!("`{k}` in `{text}` is not a number"))?;
        let n: usize = n
            .trim()
            .parse()
            .map_err(|_| format!("`{n}` in `{text}` is not a number"))?;
        Shard::new(k, n)
    }

    pub fn new(index: usize, count: usize) -> Result<Shard, String> {
        if count == 0 || index == 0 || index > count {
            return Err(format!(
                "shard {index}/{count}: need 1 ≤ K ≤ N (K counts from 1)"
            ));
        }
        Ok(Shard { index, count })
    }
}

/// Called after each finished point with (points finished, points to run) in this
/// process; must be cheap and thread-safe.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// What one call of [`run_points`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunCounts {
    /// Points of this shard found finished in the directory and skipped.
    pub reused: usize,
    pub ran: usize,
    /// Points of this shard.
    pub owned: usize,
}

/// Run every point of `shard` not already finished in `dir`, on `threads` threads.
pub fn run_points(
    sweep: &Sweep,
    dir: &Path,
    shard: Shard,
    threads: usize,
    progress: Progress,
) -> Result<RunCounts, RunError> {
    let manifest = Manifest::of(sweep);
    claim_dir(dir, &manifest)?;
    let done = read_points(dir, &manifest.hash, sweep.points.len());
    let owned: Vec<usize> = (0..sweep.points.len()).filter(|p| shard.owns(*p)).collect();
    let pending: Vec<usize> = owned
        .iter()
        .copied()
        .filter(|p| !done.contains_key(p))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| RunError::Failed(format!("cannot start {threads} threads: {e}")))?;
    let finished = AtomicUsize::new(0);
    pool.install(|| {
        pending.par_iter().with_max_len(1).try_for_each(|&point| {
            let record = run_point(sweep, &manifest.hash, point)?;
            write_point(dir, &record)
                .map_err(|e| format!("cannot write point {point} in {}: {e}", dir.display()))?;
            progress(finished.fetch_add(1, Ordering::Relaxed) + 1, pending.len());
            Ok::<(), String>(())
        })
    })
    .map_err(RunError::Failed)?;
    Ok(RunCounts {
        reused: owned.len() - pending.len(),
        ran: pending.len(),
        owned: owned.len(),
    })
}

/// Every replication of one point; only the outcome numbers are kept.
pub fn run_point(sweep: &Sweep, hash: &str, point: usize) -> Result<PointRecord, String> {
    let mut runs = Vec::with_capacity(sweep.replications as usize);
    let mut capacity = 0;
    for rep in 0..sweep.replications {
        let scenario = sweep.scenario_for(point, rep)?;
        capacity = provisioned_capacity(&scenario);
        let result = run_quietly(&scenario);
        let summary = summarize(&scenario, &result);
        runs.push(RunRecord {
            seed: scenario.seed,
            outcomes: sweep
                .outcomes
                .iter()
                .map(|o| extract(o, &summary, &sweep.entry))
                .collect(),
        });
    }
    let values = &sweep.points[point];
    Ok(PointRecord {
        hash: hash.to_string(),
        point,
        labels: values.iter().map(|v| v.label()).collect(),
        numbers: values.iter().map(|v| v.number()).collect(),
        capacity,
        runs,
    })
}
