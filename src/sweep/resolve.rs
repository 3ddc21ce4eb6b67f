//! Parameter paths (`calls."api -> db".timeout`) resolved against the parameter table and
//! the names of a validated scenario.

use super::params::{Param, Target, PARAMS};
use crate::diag::did_you_mean;
use crate::scenario::Scenario;

/// A path matched to its table entry and the component it names.
#[derive(Clone, Copy)]
pub struct Resolved {
    pub param: &'static Param,
    pub target: Target,
}

/// Why a path does not resolve: a message and, where we can guess, a hint.
pub struct PathError {
    pub message: String,
    pub hint: String,
}

/// Split on dots outside double quotes: `calls."a -> b".timeout` → `calls`, `a -> b`,
/// `timeout`.
pub fn split_path(path: &str) -> Option<Vec<String>> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for c in path.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(String::new()),
            _ => parts.last_mut()?.push(c),
        }
    }
    (!quoted && parts.iter().all(|p| !p.is_empty())).then_some(parts)
}

fn placeholder(segment: &str) -> Option<&str> {
    segment.strip_prefix('<')?.strip_suffix('>')
}

/// Edge names are `a -> b`; accept any spacing around the arrow.
fn normalise_edge(name: &str) -> String {
    match name.split_once("->") {
        Some((a, b)) => format!("{} -> {}", a.trim(), b.trim()),
        None => name.to_string(),
    }
}

/// Quote a name for a suggested path when it needs it.
fn quote(name: &str) -> String {
    if name.contains(['.', ' ', '/', '-']) {
        format!("\"{name}\"")
    } else {
        name.to_string()
    }
}

pub fn resolve_path(path: &str, scenario: &Scenario) -> Result<Resolved, PathError> {
    let Some(parts) = split_path(path) else {
        return Err(PathError {
            message: format!("`{path}` is not a parameter path"),
            hint: "write segments separated by dots, quoting names that contain dots or \
                   spaces: calls.\\\"api -> db\\\".timeout"
                .into(),
        });
    };
    if parts.len() == 1 && parts[0] == "seed" {
        return Err(PathError {
            message: "`seed` is not a parameter a sweep varies".into(),
            hint: "set `replications: N`: each replication gets its own seed derived from the \
                   sweep's `seed`"
                .into(),
        });
    }
    let shaped = PARAMS.iter().find(|p| {
        let pattern: Vec<&str> = p.pattern.split('.').collect();
        pattern.len() == parts.len()
            && pattern
                .iter()
                .zip(&parts)
                .all(|(pat, part)| placeholder(pat).is_some() || pat == part)
    });
    let Some(param) = shaped else {
        return Err(unknown_path(path, &parts));
    };
    let mut target = Target::Scenario;
    for (pat, part) in param.pattern.split('.').zip(&parts) {
        let Some(kind) = placeholder(pat) else {
            continue;
        };
        let names: Vec<String> = match kind {
            "service" => scenario
                .model
                .services
                .iter()
                .map(|s| s.name.clone())
                .collect(),
            "edge" => scenario
                .model
                .edges
                .iter()
                .map(|e| e.name.clone())
                .collect(),
            _ => scenario.sources.iter().map(|s| s.name.clone()).collect(),
        };
        let wanted = if kind == "edge" {
            normalise_edge(part)
        } else {
            part.clone()
        };
        let Some(i) = names.iter().position(|n| *n == wanted) else {
            let what = match kind {
                "service" => "service",
                "edge" => "call edge",
                _ => "source",
            };
            let hint = match did_you_mean(&wanted, names.iter().map(String::as_str)) {
                Some(n) => format!("did you mean `{}`?", path.replacen(part.as_str(), n, 1)),
                None if names.is_empty() => format!("the scenario has no {what}s"),
                None => format!("the scenario's {what}s are: {}", names.join(", ")),
            };
            return Err(PathError {
                message: format!("unknown {what} `{part}` in `{path}`"),
                hint,
            });
        };
        target = match kind {
            "service" => Target::Service(i),
            "edge" => Target::Edge(i),
            _ => Target::Source(i),
        };
    }
    Ok(Resolved { param, target })
}

/// Suggest the closest table entry, filled in with the names the user wrote.
fn unknown_path(path: &str, parts: &[String]) -> PathError {
    let filled: Vec<String> = PARAMS
        .iter()
        .map(|p| {
            let pattern: Vec<&str> = p.pattern.split('.').collect();
            pattern
                .iter()
                .enumerate()
                .map(|(i, seg)| match (placeholder(seg), parts.get(i)) {
                    (Some(_), Some(name)) => quote(name),
                    _ => seg.to_string(),
                })
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect();
    let bare = parts.iter().map(|p| quote(p)).collect::<Vec<_>>().join(".");
    let hint = match did_you_mean(&bare, filled.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "supported paths: {}",
            PARAMS
                .iter()
                .map(|p| p.pattern)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    PathError {
        message: format!("unknown parameter path `{path}`"),
        hint,
    }
}
