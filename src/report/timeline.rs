//! `timeline.txt` (`HH:MM:SS - text`, like the incident write-up) and `timeline.csv`
//! (the same with the kind and subject, for tools and the SVG report).

use crate::engine::RunResult;
use crate::observe::{DetectedKind, TimelineEvent};
use crate::scenario::{clock_label, Scenario};

/// The words of one timeline line.
pub fn event_text(scenario: &Scenario, e: &TimelineEvent) -> String {
    let model = &scenario.model;
    let service = |s: u32| {
        model
            .services
            .get(s as usize)
            .map_or("?", |x| x.name.as_str())
    };
    let edge = |e: u32| model.edges.get(e as usize).map_or("?", |x| x.name.as_str());
    match e.kind {
        DetectedKind::PoolSaturated => format!(
            "{} connection pool saturated ({})",
            service(e.service),
            edge(e.edge)
        ),
        DetectedKind::BreakerOpen => format!(
            "{} circuit breaker open ({})",
            service(e.service),
            edge(e.edge)
        ),
        DetectedKind::BreakerClosed => format!(
            "{} circuit breaker closed ({})",
            service(e.service),
            edge(e.edge)
        ),
        DetectedKind::Queuing => format!("{} queuing requests", service(e.service)),
        DetectedKind::QueuingAcross => format!(
            "upstream services begin queuing requests ({} services)",
            e.count
        ),
        DetectedKind::MemoryExhaustion => format!("{} memory exhaustion", service(e.service)),
        DetectedKind::MemoryExhaustionAcross => {
            format!("memory exhaustion across {} services", e.count)
        }
        DetectedKind::OutageDeclared => "full system outage declared".into(),
        DetectedKind::Recovered => "recovered".into(),
        DetectedKind::Scripted => e.text.clone().unwrap_or_default(),
    }
}

fn subject(scenario: &Scenario, e: &TimelineEvent) -> String {
    if e.edge != u32::MAX {
        scenario.model.edges[e.edge as usize].name.clone()
    } else if e.service != u32::MAX {
        scenario.model.services[e.service as usize].name.clone()
    } else {
        String::new()
    }
}

pub fn timeline_txt(scenario: &Scenario, result: &RunResult) -> String {
    let mut out = String::new();
    for e in result.recorder.timeline.sorted() {
        out.push_str(&format!(
            "{} - {}\n",
            clock_label(scenario.start_clock_s, e.at),
            event_text(scenario, e)
        ));
    }
    out
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

pub fn timeline_csv(scenario: &Scenario, result: &RunResult) -> String {
    let mut out = String::from("clock,t_s,kind,subject,text\n");
    for e in result.recorder.timeline.sorted() {
        let kind = if e.kind == DetectedKind::Scripted {
            "scripted"
        } else {
            "detected"
        };
        out.push_str(&format!(
            "{},{:.3},{},{},{}\n",
            clock_label(scenario.start_clock_s, e.at),
            e.at as f64 / 1e9,
            kind,
            csv_field(&subject(scenario, e)),
            csv_field(&event_text(scenario, e))
        ));
    }
    out
}
