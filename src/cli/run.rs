//! `sim run <scenario>`: simulate, print the table, write the run directory.

use cascade_sim::engine::{Limits, RunResult};
use cascade_sim::report::{self, run_inputs, summary::summarize, write_atomically};
use cascade_sim::run::run_traced;
use cascade_sim::scenario::{check_run_length, load_scenario, resolve_scenario_path, Scenario};
use cascade_sim::spec::units::{format_duration, parse_duration};
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct RunArgs {
    /// Scenario file, or a bare name looked up in ./scenarios/.
    scenario: String,
    /// Master seed (overrides the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory (default: reports/<scenario name>/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Simulated duration, e.g. "30m" (overrides the scenario's).
    #[arg(long, value_parser = parse_duration)]
    duration: Option<u64>,
    /// No progress indicator.
    #[arg(long, short)]
    quiet: bool,
    /// Stop after this many events, keeping partial results.
    #[arg(long)]
    max_events: Option<u64>,
    /// Stop after this much wall-clock time, e.g. "2m", keeping partial results.
    #[arg(long, value_parser = parse_duration)]
    max_wall: Option<u64>,
    /// Follow this share (0–1) of external requests and write traces.json (Chrome
    /// trace-event format, opens in Perfetto); sampling is seeded.
    #[arg(long, value_name = "RATE")]
    trace_sample: Option<f64>,
    /// Stop when more requests than this are in flight at once.
    #[arg(long, default_value_t = Limits::default().max_in_flight)]
    max_in_flight: usize,
}

/// Marks a directory as a run directory of one scenario, so runs are never mixed.
const MARKER: &str = ".cascade-sim-run";

pub fn run(args: RunArgs) -> i32 {
    let path = resolve_scenario_path(&args.scenario);
    let mut scenario = match load_scenario(&path) {
        Ok(s) => s,
        Err(d) => {
            eprintln!("{d}");
            return super::INVALID_INPUT;
        }
    };
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    if let Some(d) = args.duration {
        if d == 0 || d <= scenario.warmup {
            eprintln!(
                "error: --duration {} must be longer than the warm-up ({})",
                format_duration(d),
                format_duration(scenario.warmup)
            );
            return super::INVALID_INPUT;
        }
        if let Err(msg) = check_run_length(d, scenario.window, scenario.model.services.len()) {
            eprintln!(
                "error: --duration {}: {msg}\n  hint: use a shorter --duration",
                format_duration(d)
            );
            return super::INVALID_INPUT;
        }
        scenario.duration = d;
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(&scenario.name));
    if let Err(msg) = claim_output_dir(&out, &scenario.name) {
        eprintln!("error: {msg}");
        return super::INVALID_INPUT;
    }
    let limits = Limits {
        max_events: args.max_events.unwrap_or(u64::MAX),
        max_in_flight: args.max_in_flight,
    };
    let started = Instant::now();
    if let Some(rate) = args.trace_sample {
        if !rate.is_finite() || !(0.0..=1.0).contains(&rate) {
            eprintln!(
                "error: --trace-sample {rate} is outside 0..=1 (a share of requests, e.g. 0.001)"
            );
            return super::INVALID_INPUT;
        }
    }
    let result = simulate(
        &scenario,
        limits,
        args.quiet,
        args.max_wall.map(Duration::from_nanos),
        started,
        args.trace_sample,
    );
    let wall = started.elapsed().as_secs_f64();
    let summary = summarize(&scenario, &result);
    super::say(&report::service_table(&summary));
    let timeline = report::timeline_txt(&scenario, &result);
    if !timeline.is_empty() {
        super::say(&format!("\nincident timeline\n{timeline}"));
    }
    if summary.outage.declared {
        super::say(&format!(
            "\noutage declared at {} for {:.1} minutes; after the last trigger: {}\n",
            summary.outage.at.as_deref().unwrap_or("?"),
            summary.outage.minutes.unwrap_or(0.0),
            summary.metastability.verdict
        ));
    }
    let mut written = match report::write_run_outputs(&out, &scenario, &result).and_then(|mut w| {
        let run_json = out.join("run.json");
        write_atomically(&run_json, run_json_text(&result, wall).as_bytes())?;
        w.push(run_json);
        if args.trace_sample.is_some() {
            let traces = out.join("traces.json");
            write_atomically(
                &traces,
                report::traces::traces_json(&scenario, &result).as_bytes(),
            )?;
            w.push(traces);
        }
        let inputs = out.join(run_inputs::FILE_NAME);
        write_atomically(&inputs, run_inputs_of(&scenario).to_json().as_bytes())?;
        w.push(inputs);
        Ok(w)
    }) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot write to {}: {e}", out.display());
            return 1;
        }
    };
    // The pictures are drawn from the files just written, as `sim report` would.
    match report::write_reports(&out, Some(&scenario.model)) {
        Ok(w) => written.extend(w),
        Err(e) => {
            eprintln!("error: cannot draw the report: {e}");
            return 1;
        }
    }
    super::say(
        &(format!(
            "\nscenario {} · seed {} · model {:016x} · {} events in {:.2}s ({:.1} M events/s)",
            scenario.name,
            scenario.seed,
            scenario.model.hash,
            result.events,
            wall,
            result.events as f64 / wall.max(1e-9) / 1e6
        ) + "\n"),
    );
    super::say(&(super::output::wrote(&written) + "\n"));
    if let Some(reason) = &result.partial {
        eprintln!("warning: partial results: {reason}");
        return 1;
    }
    0
}

fn simulate(
    scenario: &Scenario,
    limits: Limits,
    quiet: bool,
    max_wall: Option<Duration>,
    started: Instant,
    trace_sample: Option<f64>,
) -> RunResult {
    let show = !quiet && std::io::stderr().is_terminal();
    let mut shown = false;
    let result = run_traced(scenario, limits, trace_sample, |done| {
        let elapsed = started.elapsed();
        if show && elapsed > Duration::from_secs(1) {
            let left = elapsed.as_secs_f64() * (1.0 - done) / done.max(1e-9);
            eprint!(
                "\r  simulating {}: {:>3.0}% · about {:.0}s left   ",
                scenario.name,
                done * 100.0,
                left
            );
            let _ = std::io::stderr().flush();
            shown = true;
        }
        match max_wall {
            Some(limit) if elapsed > limit => Some(format!(
                "stopped after {} of wall time (--max-wall)",
                format_duration(limit.as_nanos() as u64)
            )),
            _ => None,
        }
    });
    if shown {
        eprint!("\r{:60}\r", "");
    }
    result
}

/// Where the run came from, so `sim report` can find the model again.
fn run_inputs_of(scenario: &Scenario) -> run_inputs::RunInputs {
    let mut entries: Vec<String> = Vec::new();
    for source in &scenario.sources {
        let name = &scenario.model.services[source.service as usize].name;
        if !entries.contains(name) {
            entries.push(name.clone());
        }
    }
    run_inputs::RunInputs::new(&scenario.file, &scenario.model_file, entries)
}

fn run_json_text(result: &RunResult, wall: f64) -> String {
    let value = serde_json::json!({
        "wall_seconds": wall,
        "events": result.events,
        "events_per_second": result.events as f64 / wall.max(1e-9),
        "requests": result.requests,
        "requests_per_second": result.requests as f64 / wall.max(1e-9),
        "version": env!("CARGO_PKG_VERSION"),
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&value).unwrap_or_default()
    )
}

/// Create the output directory, or check that it already belongs to this scenario.
fn claim_output_dir(dir: &Path, scenario: &str) -> Result<(), String> {
    let marker = dir.join(MARKER);
    if dir.exists() {
        if !dir.is_dir() {
            return Err(format!("{} exists and is not a directory", dir.display()));
        }
        match std::fs::read_to_string(&marker) {
            Ok(owner) if owner.trim() == scenario => return Ok(()),
            Ok(owner) => {
                return Err(format!(
                    "{} holds the results of scenario `{}`, not `{scenario}`; choose another --out",
                    dir.display(),
                    owner.trim()
                ))
            }
            Err(_)
                if std::fs::read_dir(dir)
                    .map(|mut d| d.next().is_some())
                    .unwrap_or(true) =>
            {
                return Err(format!(
                    "{} is not empty and is not a run directory; choose another --out",
                    dir.display()
                ))
            }
            Err(_) => {}
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::write(&marker, format!("{scenario}\n"))
        .map_err(|e| format!("cannot write {}: {e}", marker.display()))
}
