//! Generators of whole cases: the model (services and the clients of the edges they
//! call), the sources (rate profiles, request classes), scripted incident steps on
//! services and edges, and chaos injectors.

use super::client_gen::{client, ClientGen};
use super::model_gen::{dist, dur_us, service, us};
use super::Case;
use proptest::prelude::*;

fn rate() -> impl Strategy<Value = String> {
    prop_oneof![
        (1.0f64..800.0).prop_map(|r| format!("Constant({r:.2})")),
        (0.0f64..400.0, 1.0f64..800.0).prop_map(|(a, b)| format!(
            "Steps([(\"0s\", {a:.2}), (\"1s\", {b:.2}), (\"2500ms\", {a:.2})])"
        )),
        (0.0f64..800.0, 0.0f64..800.0).prop_map(|(a, b)| format!(
            "Ramp(from: {a:.2}, to: {b:.2}, start: \"500ms\", end: \"2s\")"
        )),
        (1.0f64..400.0, 0.0f64..1.0).prop_map(|(m, f)| format!(
            "Diurnal(mean: {m:.2}, amplitude: {:.2}, period: \"1s\")",
            m * f
        )),
    ]
}

/// A call edge of the generated model: caller, callee and its client, if configured.
struct Edge {
    name: String,
    client: Option<ClientGen>,
}

/// An incident step before it is tied to the model: which action, on which service or
/// edge (an index taken modulo the candidates), when, for how long, and its values.
#[derive(Clone, Debug)]
struct RawStep {
    kind: u8,
    a: usize,
    b: usize,
    edge: usize,
    at_ms: u64,
    lasting_ms: Option<u64>,
    k: u32,
    value_us: u64,
    latency: String,
}

fn raw_step(n: usize) -> impl Strategy<Value = RawStep> {
    (
        (0u8..14, 0..n, 0..n, any::<usize>()),
        (
            // Steps also fall on window boundaries and on the end of the run.
            prop_oneof![3 => 0u64..=3000, 1 => (0u64..=6).prop_map(|k| k * 500)],
            prop_oneof![
                Just(None),
                (1u64..1500).prop_map(Some),
                (1u64..=6).prop_map(|k| Some(k * 500)),
            ],
            1u32..4,
            us(1, 100_000),
            dist(),
        ),
    )
        .prop_map(
            |((kind, a, b, edge), (at_ms, lasting_ms, k, value_us, latency))| RawStep {
                kind,
                a,
                b,
                edge,
                at_ms,
                lasting_ms,
                k,
                value_us,
                latency,
            },
        )
}

/// A step and, one time in three, a second step on the same setting (a pool resize may
/// meet a leak) that starts while the first is in effect and ends before it, after it
/// or never: steps on one setting overlap and end in either order.
fn raw_steps(n: usize) -> impl Strategy<Value = Vec<RawStep>> {
    let twin = (raw_step(n), any::<bool>(), 0.0f64..=1.0);
    (
        raw_step(n),
        prop_oneof![2 => Just(None), 1 => twin.prop_map(Some)],
    )
        .prop_map(|(first, twin)| {
            let mut out = vec![first.clone()];
            if let Some((mut second, other_kind, share)) = twin {
                second.kind = match first.kind {
                    9 | 10 if other_kind => 19 - first.kind,
                    k => k,
                };
                (second.a, second.b, second.edge) = (first.a, first.b, first.edge);
                let span = first.lasting_ms.unwrap_or(3000 - first.at_ms.min(3000));
                second.at_ms = (first.at_ms + (span as f64 * share) as u64).min(3000);
                out.push(second);
            }
            out
        })
}

/// The step as RON, or `None` when the model has no edge the action can act on.
fn incident_step(
    s: &RawStep,
    replicas: &[u32],
    edges: &[Edge],
    sources: &[String],
) -> Option<String> {
    let pick = |want: fn(&ClientGen) -> bool| -> Option<&Edge> {
        let fit: Vec<&Edge> = edges
            .iter()
            .filter(|e| e.client.as_ref().is_some_and(want))
            .collect();
        (!fit.is_empty()).then(|| fit[s.edge % fit.len()])
    };
    let any_edge = (!edges.is_empty()).then(|| &edges[s.edge % edges.len().max(1)]);
    let (a, b, k) = (s.a, s.b, s.k);
    let action = match s.kind {
        // Factors below 1 speed the service up.
        0 => format!(
            "SlowDown(service: \"s{a}\", factor: {})",
            f64::from(k) - 0.5
        ),
        1 => format!("SetErrorRate(service: \"s{a}\", rate: 0.{k})"),
        2 => format!("Crash(service: \"s{a}\", replicas: {k})"),
        3 => format!(
            "SetReplicas(service: \"s{a}\", replicas: {})",
            (k - 1).min(replicas[a])
        ),
        4 => format!("SetWorkers(service: \"s{a}\", workers: {k})"),
        5 => {
            // 0 stops the traffic, 0.5 halves it.
            let m = ["0.0", "0.5", "2.0", "3.0"][s.value_us as usize % 4];
            match sources.get(s.edge % sources.len()) {
                Some(src) if k > 1 => format!("Traffic(source: \"{src}\", multiplier: {m})"),
                _ => format!("Traffic(multiplier: {m})"),
            }
        }
        6 => format!("BlackHole(service: \"s{a}\")"),
        7 => format!("Partition(a: \"s{a}\", b: \"s{b}\")"),
        8 => format!("SetLatency(service: \"s{a}\", latency: {})", s.latency),
        9 => format!(
            "SetPoolSize(edge: \"{}\", size: {})",
            pick(|c| c.pool)?.name,
            k - 1
        ),
        10 => format!(
            "LeakConnections(edge: \"{}\", count: {k})",
            pick(|c| c.pool)?.name
        ),
        11 => format!(
            "SetTimeout(edge: \"{}\", timeout: {})",
            any_edge?.name,
            dur_us(s.value_us)
        ),
        12 => {
            let e = any_edge?;
            // Only an edge with a retry policy can be given more than one attempt.
            let attempts = if e.client.as_ref().is_some_and(|c| c.retry) {
                k
            } else {
                1
            };
            format!("SetRetries(edge: \"{}\", max_attempts: {attempts})", e.name)
        }
        _ => format!(
            "SetFallback(edge: \"{}\", enabled: {})",
            pick(|c| c.fallback)?.name,
            k % 2 == 0
        ),
    };
    let lasting = s
        .lasting_ms
        .map_or(String::new(), |ms| format!(", lasting: \"{ms}ms\""));
    Some(format!(
        "Step(when: After(\"{}ms\"), action: {action}{lasting})",
        s.at_ms
    ))
}

/// The replica count written in a generated service line.
fn replicas_of(service: &str) -> u32 {
    let rest = &service[service.find("replicas: ").expect("replicas") + 10..];
    rest[..rest.find(',').expect("a comma")]
        .parse()
        .expect("a count")
}

/// A chaos injector before it is tied to an edge.
type RawChaos = (bool, usize, f64, u64, u64, u64, u64);

fn raw_chaos() -> impl Strategy<Value = RawChaos> {
    (
        any::<bool>(),
        any::<usize>(),
        0.0f64..=100.0,
        0u64..50_000,
        0u64..50_000,
        0u64..3000,
        1u64..3000,
    )
}

/// Where a chaos window ends: within the 3 s run, after it starts.
fn chaos_end(from: u64, length: u64) -> u64 {
    (from + length).min(3000)
}

fn chaos(c: &RawChaos, edges: &[Edge]) -> Option<String> {
    let (latency, edge, percent, min, extra, from, length) = *c;
    let edge = &edges.get(edge % edges.len().max(1))?.name;
    let window = format!(
        "from: After(\"{from}ms\"), to: After(\"{}ms\")",
        chaos_end(from, length)
    );
    Some(if latency {
        format!(
            "Latency(edge: \"{edge}\", percent: {percent:.1}, min: {}, max: {}, {window})",
            dur_us(min),
            dur_us(min + extra)
        )
    } else {
        format!("DropConnections(edge: \"{edge}\", percent: {percent:.1}, {window})")
    })
}

/// One source per entry service, or with request classes two (`critical` and `bulk`),
/// as `(name, RON)`.
fn sources(entries: usize, rate: &str, classes: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for i in 0..entries {
        let target = format!("target: \"s{i}/op\", rate: {rate}");
        if classes {
            for class in ["critical", "bulk"] {
                let name = format!("s{i}-{class}");
                let ron = format!("Source(name: \"{name}\", {target}, class: \"{class}\")");
                out.push((name, ron));
            }
        } else {
            let name = format!("s{i}");
            out.push((name.clone(), format!("Source(name: \"{name}\", {target})")));
        }
    }
    out
}

pub fn case() -> impl Strategy<Value = Case> {
    (1usize..=5, any::<bool>()).prop_flat_map(|(n, classes)| {
        let services: Vec<_> = (0..n).map(|i| service(i, n, classes)).collect();
        let clients = proptest::collection::vec(
            prop_oneof![Just(None), client(classes).prop_map(Some)],
            n * n,
        );
        let scenario = (
            rate(),
            0u64..1000,
            1usize..=n,
            proptest::collection::vec(raw_steps(n), 0..5),
            proptest::collection::vec(raw_chaos(), 0..3),
            prop_oneof![
                3 => Just(""),
                1 => Just(", warmup: \"500ms\""),
                1 => Just(", warmup: \"1s\""),
            ],
        );
        (services, clients, scenario).prop_map(
            move |(services, mut clients, (rate, seed, entry_count, steps, raw_chaos, warmup))| {
                let mut edges = Vec::new();
                for a in 0..n {
                    for b in a + 1..n {
                        if services[a].contains(&format!("Call(\"s{b}/op\")")) {
                            edges.push(Edge {
                                name: format!("s{a} -> s{b}"),
                                client: clients[a * n + b].take(),
                            });
                        }
                    }
                }
                let calls: Vec<String> = edges
                    .iter()
                    .filter_map(|e| {
                        let c = e.client.as_ref()?;
                        Some(format!("        \"{}\": {},", e.name, c.text))
                    })
                    .collect();
                let model = format!(
                    "Model(\n    services: {{\n{}\n    }},\n    calls: {{\n{}\n    }},\n)",
                    services.join("\n"),
                    calls.join("\n")
                );
                let replicas: Vec<u32> = services.iter().map(|s| replicas_of(s)).collect();
                let sources = sources(entry_count, &rate, classes);
                let names: Vec<String> = sources.iter().map(|(n, _)| n.clone()).collect();
                let incident: Vec<String> = steps
                    .iter()
                    .flatten()
                    .filter_map(|s| incident_step(s, &replicas, &edges, &names))
                    .collect();
                let chaos: Vec<String> =
                    raw_chaos.iter().filter_map(|c| chaos(c, &edges)).collect();
                let sources: Vec<String> = sources.into_iter().map(|(_, ron)| ron).collect();
                let scenario = format!(
                    "Scenario(model: \"model.ron\", duration: \"3s\", window: \"500ms\", seed: {seed}{warmup},\n    sources: [{}],\n    incident: [{}],\n    chaos: [{}])",
                    sources.join(",\n        "),
                    incident.join(",\n        "),
                    chaos.join(",\n        ")
                );
                Case { model, scenario }
            },
        )
    })
}
