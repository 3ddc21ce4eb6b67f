//! Loading a scenario file and its model, and checking the scenario's own fields.

use super::incident::{Incident, IncidentChecker};
use super::parse_clock;
use super::{Rate, Scenario, Source};
use crate::diag::{did_you_mean, Diagnostics, Source as Text};
use crate::load::{parse_ron, read_source};
use crate::model::{class_hint, source_class, validate_model, Model, DEFAULT_CLASS};
use crate::spec::{ModelSpec, RateSpec, ScenarioSpec};
use std::path::{Path, PathBuf};

/// More windows than this would make `metrics.csv` unreadably large.
pub const MAX_WINDOWS: u64 = 1_000_000;
/// Rows of `metrics.csv` (windows × services), all kept in memory until the run ends.
pub const MAX_ROWS: u64 = 2_000_000;
/// Sources in one scenario; each is checked against all the others for twins.
pub const MAX_SOURCES: usize = 10_000;
/// A rate beyond this cannot be simulated in useful time on one machine.
pub const MAX_RATE: f64 = 1e8;

pub fn load_model_file(path: &Path) -> Result<Model, Diagnostics> {
    let src = read_source(path)?;
    let spec: ModelSpec = parse_ron(&src)?;
    validate_model(&spec, &src)
}

pub fn load_scenario(path: &Path) -> Result<Scenario, Diagnostics> {
    let src = read_source(path)?;
    let spec: ScenarioSpec = parse_ron(&src)?;
    let model_file = path.parent().unwrap_or(Path::new(".")).join(&spec.model);
    let model_loc = src.find_field(&[], "model");
    if same_file(&model_file, path) {
        return Err(src
            .error(model_loc, "model", "the scenario names itself as its model")
            .with_hint("point `model` at a model file, e.g. \"../models/recsys.ron\"")
            .into());
    }
    if model_file.is_dir() {
        return Err(src
            .error(
                model_loc,
                "model",
                format!("model path `{}` is a directory", model_file.display()),
            )
            .with_hint("name the model's .ron file")
            .into());
    }
    if !model_file.is_file() {
        return Err(src
            .error(
                model_loc,
                "model",
                format!("model file `{}` does not exist", model_file.display()),
            )
            .with_hint("the model path is relative to the scenario file's folder")
            .into());
    }
    let model = load_model_file(&model_file)?;
    validate_scenario(&spec, &src, model, model_file)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

pub fn validate_scenario(
    spec: &ScenarioSpec,
    src: &Text,
    mut model: Model,
    model_file: PathBuf,
) -> Result<Scenario, Diagnostics> {
    let model_classes = model.classes.len();
    let mut errors = Vec::new();
    let field = |name: &str| src.find_field(&[], name);
    let start_clock_s = parse_clock(&spec.start).unwrap_or_else(|| {
        errors.push(
            src.error(
                field("start"),
                "start",
                format!("`{}` is not a clock time", spec.start),
            )
            .with_hint("write the clock start as \"HH:MM:SS\", e.g. \"14:20:00\""),
        );
        0
    });
    if spec.duration.0 == 0 {
        errors.push(
            src.error(
                field("duration"),
                "duration",
                "duration must be greater than 0",
            )
            .with_hint("e.g. duration: \"15m\""),
        );
    }
    if spec.warmup.0 >= spec.duration.0 && spec.duration.0 > 0 {
        errors.push(
            src.error(
                field("warmup"),
                "warmup",
                "warmup must be shorter than the duration",
            )
            .with_hint("statistics are only kept after the warm-up"),
        );
    }
    if spec.window.0 == 0 {
        errors.push(
            src.error(field("window"), "window", "window must be greater than 0")
                .with_hint("e.g. window: \"10s\""),
        );
    } else if let Err(msg) = check_run_length(spec.duration.0, spec.window.0, model.services.len())
    {
        errors.push(
            src.error(field("window"), "window", msg)
                .with_hint("use a longer window or a shorter duration"),
        );
    }
    if spec.window.0 > 0 && !spec.warmup.0.is_multiple_of(spec.window.0) {
        errors.push(
            src.error(
                field("warmup"),
                "warmup",
                "warmup must be a whole number of windows",
            )
            .with_hint(format!(
                "the window is {}; statistics are folded window by window",
                crate::spec::units::format_duration(spec.window.0)
            )),
        );
    }
    if spec.sources.is_empty() {
        errors.push(
            src.error(field("sources"), "sources", "the scenario has no sources")
                .with_hint("add Source(target: \"service/operation\", rate: Constant(10.0))"),
        );
    }
    if spec.sources.len() > MAX_SOURCES {
        errors.push(
            src.error(
                field("sources"),
                "sources",
                format!(
                    "{} sources, more than the limit of {MAX_SOURCES}",
                    spec.sources.len()
                ),
            )
            .with_hint("one source per entry point and class is usually enough"),
        );
        return Err(Diagnostics(errors));
    }
    let mut sources = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for (i, s) in spec.sources.iter().enumerate() {
        let path = format!("sources[{i}]");
        let same_target = spec.sources[..i].iter().filter(|o| o.target == s.target);
        let loc = src.find_nth_quoted(&["sources"], &s.target, same_target.count());
        // Why refuse twins? A source's random stream derives from its name: two sources
        // with one name would draw the very same arrival times.
        let name = s.name.as_deref().unwrap_or(&s.target);
        if !names.insert(name) {
            errors.push(
                src.error(
                    loc,
                    format!("{path}.name"),
                    format!("two sources are named `{name}`"),
                )
                .with_hint("give each source on the same target its own `name`"),
            );
        }
        let op = model.operation_id(&s.target);
        if op.is_none() {
            let names: Vec<&str> = model.operations.iter().map(|o| o.name.as_str()).collect();
            let hint = match did_you_mean(&s.target, names.iter().copied()) {
                Some(n) => format!("did you mean `{n}`?"),
                None => format!("operations are: {}", names.join(", ")),
            };
            errors.push(
                src.error(
                    loc,
                    format!("{path}.target"),
                    format!("unknown operation `{}`", s.target),
                )
                .with_hint(hint),
            );
        }
        match rate(&s.rate) {
            Ok(rate) => {
                if let Some(op) = op {
                    let name = s.name.clone().unwrap_or_else(|| s.target.clone());
                    let class = s
                        .class
                        .as_deref()
                        .map_or(DEFAULT_CLASS, |c| source_class(&mut model.classes, c));
                    sources.push(Source {
                        name,
                        service: model.operations[op as usize].service,
                        op,
                        rate,
                        class,
                    });
                }
            }
            Err(msg) => errors.push(
                src.error(
                    src.find_field(&["sources"], "rate"),
                    format!("{path}.rate"),
                    msg,
                )
                .with_hint("rates are requests per second, finite and not negative"),
            ),
        }
    }
    // A class the model gives its own pool, bulkhead or shedding rank must come from
    // somewhere, or that configuration is dead (usually a misspelt class).
    for (id, class) in model.classes.iter().enumerate().take(model_classes).skip(1) {
        if !sources.iter().any(|s| s.class as usize == id) {
            let produced: Vec<String> = model.classes[model_classes..].to_vec();
            let hint = if produced.is_empty() {
                "give a source `class: \"...\"`".to_string()
            } else {
                class_hint(class, &produced)
            };
            errors.push(
                src.error(
                    src.find_field(&[], "sources"),
                    "sources",
                    format!(
                        "the model has settings for class `{class}`, but no source produces it"
                    ),
                )
                .with_hint(hint),
            );
        }
    }
    let default_entry = sources.first().map_or(0, |s| s.service);
    let mut ck = IncidentChecker {
        src,
        model: &model,
        start_clock_s,
        source_names: sources.iter().map(|s| s.name.clone()).collect(),
        errors: Vec::new(),
    };
    let steps = ck.steps(&spec.incident, spec.duration.0);
    let chaos = ck.chaos(&spec.chaos, spec.duration.0);
    let detectors = ck.detectors(&spec.detectors, default_entry);
    let expect = ck.expect(&spec.expect, spec.duration.0);
    errors.extend(ck.errors);
    let incident = Incident {
        steps,
        chaos,
        detectors,
        expect,
    };
    let name = scenario_name(&src.file);
    if let Err(msg) = &name {
        errors.push(src.error(None, "", msg.clone()).with_hint(
            "the scenario's file name names its output directory; use letters, digits, '-', '_' and '.'",
        ));
    }
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    let name = name.unwrap_or_default();
    Ok(Scenario {
        name,
        file: src.file.clone(),
        model_file,
        model,
        start_clock_s,
        duration: spec.duration.0,
        warmup: spec.warmup.0,
        seed: spec.seed,
        window: spec.window.0,
        sources,
        incident,
    })
}

/// The scenario's name, from its file name; it names the default output directory
/// `reports/<name>/`, so it must be one plain path component.
pub fn scenario_name(file: &Path) -> Result<String, String> {
    let name = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !name.chars().any(char::is_control);
    if plain {
        Ok(name)
    } else {
        Err(format!(
            "`{}` does not give a usable scenario name (got `{}`)",
            file.display(),
            name.escape_debug()
        ))
    }
}

/// Check that a run of `duration` with `window`-long rows stays within the row limits;
/// used for the scenario's own duration and for a `--duration` override alike.
pub fn check_run_length(duration: u64, window: u64, services: usize) -> Result<(), String> {
    if window == 0 {
        return Err("window must be greater than 0".into());
    }
    let windows = duration.div_ceil(window);
    if windows > MAX_WINDOWS {
        return Err(format!(
            "{} / {} is {windows} windows, more than the limit of {MAX_WINDOWS}",
            crate::spec::units::format_duration(duration),
            crate::spec::units::format_duration(window)
        ));
    }
    let rows = windows.saturating_mul(services as u64);
    if rows > MAX_ROWS {
        return Err(format!(
            "{windows} windows × {services} services is {rows} rows of metrics, more than the limit of {MAX_ROWS}"
        ));
    }
    Ok(())
}

fn check_rate(r: f64) -> Result<f64, String> {
    if !r.is_finite() || r < 0.0 {
        Err(format!(
            "rate {r:?} is not a finite, non-negative number of requests per second"
        ))
    } else if r > MAX_RATE {
        Err(format!("rate {r:?}/s is above the {MAX_RATE:?}/s limit"))
    } else {
        Ok(r)
    }
}

fn rate(spec: &RateSpec) -> Result<Rate, String> {
    Ok(match spec {
        RateSpec::Constant(r) => Rate::Constant(check_rate(*r)?),
        RateSpec::Steps(steps) => {
            if steps.first().map(|s| s.0 .0) != Some(0) {
                return Err("Steps must start with a step at \"0s\"".into());
            }
            let mut out = Vec::with_capacity(steps.len());
            for (i, (at, r)) in steps.iter().enumerate() {
                if i > 0 && at.0 <= out.last().map_or(0, |s: &(u64, f64)| s.0) {
                    return Err(format!("step {i} does not come after the step before it"));
                }
                out.push((at.0, check_rate(*r)?));
            }
            Rate::Steps(out)
        }
        RateSpec::Ramp {
            from,
            to,
            start,
            end,
        } => {
            if end.0 <= start.0 {
                return Err("a Ramp's end must come after its start".into());
            }
            Rate::Ramp {
                from: check_rate(*from)?,
                to: check_rate(*to)?,
                start: start.0,
                end: end.0,
            }
        }
        RateSpec::Diurnal {
            mean,
            amplitude,
            period,
            peak,
        } => {
            let mean = check_rate(*mean)?;
            let amplitude = check_rate(*amplitude)?;
            if amplitude > mean {
                return Err(
                    "a Diurnal amplitude larger than its mean would make the rate negative".into(),
                );
            }
            if period.0 == 0 {
                return Err("a Diurnal period must be greater than 0".into());
            }
            Rate::Diurnal {
                mean,
                amplitude,
                period: period.0,
                peak: peak.0,
            }
        }
    })
}

/// The scenario file for a name: a path as given, or a bare name looked up in `./scenarios/`.
pub fn resolve_scenario_path(name: &str) -> PathBuf {
    let direct = PathBuf::from(name);
    if direct.is_file() {
        return direct;
    }
    let in_dir = Path::new("scenarios").join(name);
    if in_dir.is_file() {
        return in_dir;
    }
    let with_ext = Path::new("scenarios").join(format!("{name}.ron"));
    if with_ext.is_file() {
        return with_ext;
    }
    direct
}
