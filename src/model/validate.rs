//! `ModelSpec` → `Model`: resolve names to ids, convert units, compile operations and
//! reject everything the engine could not run sensibly, collecting every problem.

use super::limits::MAX_ERRORS;
use super::{fnv1a, resilience, Dist, Edge, Model, Node, Operation, Program, SeqId, Service};
use crate::diag::{did_you_mean, Diagnostic, Diagnostics, Source};
use crate::spec::{ClientSpec, DistSpec, ModelSpec, StepSpec};
use std::collections::BTreeMap;

/// Upper bounds that keep a model within what one machine can simulate.
pub const MAX_REPLICAS: u32 = 10_000;
pub const MAX_WORKERS: u32 = 1_000_000;
pub const MAX_POOL_SIZE: u32 = 1_000_000;

struct Checker<'a> {
    src: &'a Source,
    errors: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// Past [`MAX_ERRORS`], problems are counted but not located (see `limits`).
    fn full(&self) -> bool {
        self.errors.len() > MAX_ERRORS
    }

    fn at_service(&mut self, service: &str, field: &str, message: String, hint: Option<&str>) {
        if self.full() {
            self.errors.push(self.src.error(None, "", message));
            return;
        }
        let loc = resilience::find_path(self.src, &["services", &format!("\"{service}\"")], field)
            .or_else(|| self.src.find_quoted(&["services"], service));
        let mut d = self
            .src
            .error(loc, format!("services.{service}.{field}"), message);
        d.hint = hint.map(str::to_string);
        self.errors.push(d);
    }
}

pub fn validate_model(spec: &ModelSpec, src: &Source) -> Result<Model, Diagnostics> {
    let mut ck = Checker {
        src,
        errors: Vec::new(),
    };
    if spec.services.is_empty() {
        let loc = src.find_field(&[], "services");
        ck.errors.push(
            src.error(loc, "services", "the model has no services")
                .with_hint("add at least one service with an operation"),
        );
        return Err(Diagnostics(ck.errors));
    }
    let too_big = super::limits::check_size(spec, src);
    if !too_big.is_empty() {
        return Err(Diagnostics(too_big));
    }
    let classes = resilience::model_classes(spec);
    let services = check_services(spec, &classes, &mut ck);
    let operations = list_operations(spec);
    let mut edges = Vec::new();
    let clients = check_clients(spec, &mut ck);
    let mut lookup = Lookup::new(spec, &clients);
    let mut program = Program::default();
    let mut bodies = Vec::new();
    for (svc_index, (svc_name, svc)) in spec.services.iter().enumerate() {
        for (op_name, steps) in &svc.operations {
            let mut cx = Compile {
                spec,
                ck: &mut ck,
                program: &mut program,
                edges: &mut edges,
                clients: &clients,
                lookup: &mut lookup,
                svc_index,
                path: format!("services.{svc_name}.operations.{op_name}"),
                svc_name,
                op_name,
                classes: &classes,
                seen: [0; 3],
            };
            bodies.push(cx.seq(steps));
        }
    }
    for (key, (caller, callee, _)) in &clients {
        if !edges
            .iter()
            .any(|e: &Edge| e.caller == *caller && e.callee == *callee)
        {
            let loc = src.find_quoted(&["calls"], key);
            ck.errors.push(
                src.error(
                    loc,
                    format!("calls.{key}"),
                    format!(
                        "no operation of `{}` calls `{}`, so this client is never used",
                        spec_name(spec, *caller),
                        spec_name(spec, *callee)
                    ),
                )
                .with_hint("remove the entry, or add a Call step that uses it"),
            );
        }
    }
    let operations: Vec<Operation> = operations
        .into_iter()
        .zip(bodies)
        .map(|((name, service), body)| Operation {
            name,
            service,
            body,
        })
        .collect();
    let mut model = Model {
        services,
        operations,
        edges,
        program,
        classes,
        hash: 0,
    };
    let cycles = super::cycles::check_cycles(&model, src);
    if cycles.is_empty() {
        ck.errors.extend(super::limits::check_depth(&model, src));
    }
    ck.errors.extend(cycles);
    if !ck.errors.is_empty() {
        return Err(Diagnostics(super::limits::cap(ck.errors, src)));
    }
    model.hash = fnv1a(
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}",
            model.services, model.operations, model.edges, model.program, model.classes
        )
        .as_bytes(),
    );
    Ok(model)
}

fn spec_name(spec: &ModelSpec, id: u32) -> &str {
    spec.services
        .keys()
        .nth(id as usize)
        .map_or("?", String::as_str)
}

fn check_services(spec: &ModelSpec, classes: &[String], ck: &mut Checker) -> Vec<Service> {
    let mut out = Vec::new();
    let mut first_op = 0u32;
    for (name, s) in &spec.services {
        if name.is_empty()
            || name.contains('/')
            || name.contains("->")
            || name.chars().any(char::is_whitespace)
        {
            ck.at_service(
                name,
                "",
                format!("`{name}` is not a usable service name"),
                Some("use letters, digits, '-' and '_' (no '/', spaces or '->')"),
            );
        }
        if s.replicas == 0 || s.replicas > MAX_REPLICAS {
            ck.at_service(
                name,
                "replicas",
                format!("replicas = {} is outside 1..={MAX_REPLICAS}", s.replicas),
                None,
            );
        }
        if s.workers == 0 || s.workers > MAX_WORKERS {
            ck.at_service(
                name,
                "workers",
                format!("workers = {} is outside 1..={MAX_WORKERS}", s.workers),
                Some("workers is the thread pool size of one replica"),
            );
        }
        if s.operations.is_empty() {
            ck.at_service(
                name,
                "operations",
                "the service has no operations".into(),
                Some(
                    "add at least one operation, e.g. \"get\": [Work(Exponential(mean: \"5ms\"))]",
                ),
            );
        }
        for op in s.operations.keys() {
            if op.is_empty() || op.contains('/') {
                ck.at_service(
                    name,
                    "operations",
                    format!("`{op}` is not a usable operation name"),
                    Some("operation names may not be empty or contain '/'"),
                );
            }
        }
        let count = s.operations.len() as u32;
        let mut problems = Vec::new();
        let r = resilience::service_resilience(s, classes, &mut problems);
        for (field, msg, hint) in problems {
            ck.at_service(name, &field, msg, Some(&hint));
        }
        out.push(Service {
            name: name.clone(),
            replicas: s.replicas,
            workers: s.workers,
            queue_capacity: s.queue.capacity.unwrap_or(u64::MAX),
            discipline: r.discipline,
            queue_timeout: r.queue_timeout,
            operations: (first_op..first_op + count).collect(),
            memory: r.memory,
            error_rate: r.error_rate,
            shed: r.shed,
            rate_limit: r.rate_limit,
            concurrency_limit: r.concurrency_limit,
        });
        first_op += count;
    }
    out
}

fn list_operations(spec: &ModelSpec) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for (i, (svc, s)) in spec.services.iter().enumerate() {
        for op in s.operations.keys() {
            out.push((format!("{svc}/{op}"), i as u32));
        }
    }
    out
}

/// `"a -> b"` keys resolved to service ids.
fn check_clients<'s>(
    spec: &'s ModelSpec,
    ck: &mut Checker,
) -> BTreeMap<String, (u32, u32, &'s ClientSpec)> {
    let names: Vec<&str> = spec.services.keys().map(String::as_str).collect();
    let id_of = |n: &str| names.binary_search(&n).ok().map(|i| i as u32);
    let mut out: BTreeMap<String, (u32, u32, &ClientSpec)> = BTreeMap::new();
    let mut by_pair: BTreeMap<(u32, u32), String> = BTreeMap::new();
    for (key, client) in &spec.calls {
        let path = format!("calls.{key}");
        // Located only when reported: a valid file may hold hundreds of thousands of
        // clients, and each search scans the file.
        let src = ck.src;
        let loc = || src.find_quoted(&["calls"], key);
        let Some((a, b)) = key.split_once("->").map(|(a, b)| (a.trim(), b.trim())) else {
            ck.errors.push(
                ck.src
                    .error(loc(), path, format!("`{key}` is not an edge"))
                    .with_hint("write edges as \"caller -> callee\""),
            );
            continue;
        };
        let mut ids = [0u32; 2];
        let mut resolved = true;
        for (slot, name) in [a, b].iter().enumerate() {
            match id_of(name) {
                Some(id) => ids[slot] = id,
                None => {
                    resolved = false;
                    let mut d =
                        ck.src
                            .error(loc(), path.clone(), format!("unknown service `{name}`"));
                    d.hint = Some(match did_you_mean(name, names.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("services are: {}", names.join(", ")),
                    });
                    ck.errors.push(d);
                }
            }
        }
        if let Some(t) = client.timeout {
            if t.0 == 0 {
                ck.errors.push(
                    ck.src
                        .error(
                            loc(),
                            format!("{path}.timeout"),
                            "a timeout of 0 fails every call",
                        )
                        .with_hint("omit `timeout` to wait for ever, or give a positive duration"),
                );
            }
        }
        if let Some(p) = &client.pool {
            if p.size == 0 || p.size > MAX_POOL_SIZE {
                ck.errors.push(
                    ck.src
                        .error(
                            loc(),
                            format!("{path}.pool.size"),
                            format!("pool size {} is outside 1..={MAX_POOL_SIZE}", p.size),
                        )
                        .with_hint("omit `pool` for unlimited connections"),
                );
            }
        }
        if let Some(other) = by_pair.get(&(ids[0], ids[1])).filter(|_| resolved).cloned() {
            ck.errors.push(
                ck.src
                    .error(
                        loc(),
                        path,
                        format!("`{key}` is the same edge as `{other}`"),
                    )
                    .with_hint("merge the two entries into one"),
            );
        } else if resolved {
            by_pair.insert((ids[0], ids[1]), key.clone());
            out.insert(key.clone(), (ids[0], ids[1], client));
        }
    }
    out
}

struct Lookup {
    /// Service names, sorted (the spec's map order).
    names: Vec<String>,
    /// Id of each service's first operation.
    first_op: Vec<usize>,
    /// The `calls` key of each (caller, callee) pair that has one.
    client_keys: BTreeMap<(u32, u32), String>,
    edge_ids: BTreeMap<(u32, u32), u32>,
}

impl Lookup {
    fn new(spec: &ModelSpec, clients: &BTreeMap<String, (u32, u32, &ClientSpec)>) -> Self {
        let mut first_op = Vec::with_capacity(spec.services.len());
        let mut n = 0;
        for s in spec.services.values() {
            first_op.push(n);
            n += s.operations.len();
        }
        Lookup {
            names: spec.services.keys().cloned().collect(),
            first_op,
            client_keys: clients
                .iter()
                .map(|(k, (a, b, _))| ((*a, *b), k.clone()))
                .collect(),
            edge_ids: BTreeMap::new(),
        }
    }
}

struct Compile<'a, 'c> {
    spec: &'a ModelSpec,
    ck: &'a mut Checker<'c>,
    program: &'a mut Program,
    edges: &'a mut Vec<Edge>,
    clients: &'a BTreeMap<String, (u32, u32, &'a ClientSpec)>,
    /// Name tables built once, so that compiling a call is a lookup, not a scan (a
    /// hostile model may hold a million calls).
    lookup: &'a mut Lookup,
    svc_index: usize,
    path: String,
    svc_name: &'a str,
    op_name: &'a str,
    classes: &'a [String],
    /// `Work(`, `Parallel(` and `Maybe(` steps compiled so far in this operation, which
    /// is also their order in the text: the nth one is the nth token after the
    /// operation's name, so an error can point at the step itself.
    seen: [usize; 3],
}

/// Step kinds counted by `Compile::seen`, with the token that starts each in the text.
const STEP_TOKENS: [&str; 3] = ["Work(", "Parallel(", "Maybe("];
const WORK: usize = 0;
const PARALLEL: usize = 1;
const MAYBE: usize = 2;

impl Compile<'_, '_> {
    fn seq(&mut self, steps: &[StepSpec]) -> SeqId {
        let base = self.path.clone();
        let mut nodes: Vec<Node> = Vec::with_capacity(steps.len());
        for (i, step) in steps.iter().enumerate() {
            self.path = format!("{base}[{i}]");
            self.step(step, &mut nodes);
        }
        self.path = base;
        self.program.push_seq(&nodes)
    }

    /// Count a step of `kind` and return its index among the steps of that kind.
    fn count(&mut self, kind: usize) -> usize {
        self.seen[kind] += 1;
        self.seen[kind] - 1
    }

    /// Report a problem at the quoted `needle` (a call target), or at the `nth` step of
    /// `kind`, or failing both at the operation's name.
    fn error(
        &mut self,
        needle: Option<&str>,
        step: Option<(usize, usize)>,
        message: String,
        hint: Option<String>,
    ) {
        if self.ck.full() {
            self.ck.errors.push(self.ck.src.error(None, "", message));
            return;
        }
        let ctx = [
            "services",
            &format!("\"{}\"", self.svc_name),
            "operations",
            &format!("\"{}\"", self.op_name),
        ]
        .map(|s| s.to_string());
        let ctx: Vec<&str> = ctx.iter().map(String::as_str).collect();
        let src = self.ck.src;
        let loc = needle
            .and_then(|n| src.find_quoted(&ctx, n))
            .or_else(|| step.and_then(|(kind, nth)| src.find_nth(&ctx, STEP_TOKENS[kind], nth)))
            .or_else(|| src.find_quoted(&ctx[..3], self.op_name));
        let mut d = self.ck.src.error(loc, self.path.clone(), message);
        d.hint = hint;
        self.ck.errors.push(d);
    }

    /// Compile one step onto the end of `out`: one node, or for a `Maybe` its node and
    /// then its body's.
    fn step(&mut self, step: &StepSpec, out: &mut Vec<Node>) {
        let node = match step {
            StepSpec::Work(d) => {
                let nth = self.count(WORK);
                let dist = match build_dist(d) {
                    Ok(dist) => dist,
                    Err(msg) => {
                        self.error(
                            None,
                            Some((WORK, nth)),
                            msg,
                            Some("see docs/model-format.md, Distributions".into()),
                        );
                        Dist::Constant(0)
                    }
                };
                self.program.dists.push(dist);
                let id = (self.program.dists.len() - 1) as u32;
                Node::Work(id)
            }
            StepSpec::Call(target) => self.call(target),
            StepSpec::Parallel(branches) => {
                let nth = self.count(PARALLEL);
                if branches.is_empty() {
                    self.error(
                        None,
                        Some((PARALLEL, nth)),
                        "Parallel has no branches".into(),
                        Some("give at least one step".into()),
                    );
                }
                let count = u16::try_from(branches.len()).unwrap_or_else(|_| {
                    self.error(
                        None,
                        Some((PARALLEL, nth)),
                        format!(
                            "Parallel has {} branches, more than the limit of {}",
                            branches.len(),
                            u16::MAX
                        ),
                        Some("split the fan-out over several Parallel steps".into()),
                    );
                    0
                });
                let base = self.path.clone();
                let mut seqs = Vec::with_capacity(branches.len());
                for (i, b) in branches.iter().enumerate() {
                    self.path = format!("{base}.Parallel[{i}]");
                    let mut branch = Vec::new();
                    self.step(b, &mut branch);
                    seqs.push(self.program.push_seq(&branch));
                }
                self.path = base;
                let first = self.program.branch_lists.len() as u32;
                self.program.branch_lists.extend_from_slice(&seqs);
                Node::Parallel { first, count }
            }
            StepSpec::Maybe(p, inner) => {
                let nth = self.count(MAYBE);
                if !p.is_finite() || !(0.0..=1.0).contains(p) {
                    self.error(
                        None,
                        Some((MAYBE, nth)),
                        format!("Maybe probability {p} is outside 0..=1"),
                        Some("write the probability as a fraction, e.g. Maybe(0.3, ...)".into()),
                    );
                }
                let base = self.path.clone();
                self.path = format!("{base}.Maybe");
                let at = out.len();
                out.push(Node::Maybe {
                    probability: p.clamp(0.0, 1.0),
                    body_len: 0,
                });
                self.step(inner, out);
                self.path = base;
                let len = (out.len() - at - 1) as u32;
                if let Node::Maybe { body_len, .. } = &mut out[at] {
                    *body_len = len;
                }
                return;
            }
        };
        out.push(node);
    }

    fn call(&mut self, target: &str) -> Node {
        let placeholder = Node::Work(u32::MAX);
        let Some((svc, op)) = target.split_once('/') else {
            self.error(
                Some(target),
                None,
                format!("`{target}` is not a call target"),
                Some("write calls as Call(\"service/operation\")".into()),
            );
            return placeholder;
        };
        let names = &self.lookup.names;
        let Some(callee) = names.binary_search(&svc.to_string()).ok() else {
            let hint = match did_you_mean(svc, names.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("services are: {}", names.join(", ")),
            };
            self.error(
                Some(target),
                None,
                format!("unknown service `{svc}` in call to `{target}`"),
                Some(hint),
            );
            return placeholder;
        };
        let ops = &self.spec.services[svc].operations;
        let Some(op_index) = ops.keys().position(|o| o == op) else {
            let hint = match did_you_mean(op, ops.keys().map(String::as_str)) {
                Some(s) => format!("did you mean `{svc}/{s}`?"),
                None => format!(
                    "`{svc}` has: {}",
                    ops.keys()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            self.error(
                Some(target),
                None,
                format!("service `{svc}` has no operation `{op}`"),
                Some(hint),
            );
            return placeholder;
        };
        let op_id = self.lookup.first_op[callee] + op_index;
        let edge = self.edge(self.svc_index as u32, callee as u32);
        Node::Call {
            edge,
            op: op_id as u32,
        }
    }

    fn edge(&mut self, caller: u32, callee: u32) -> u32 {
        if let Some(i) = self.lookup.edge_ids.get(&(caller, callee)) {
            return *i;
        }
        let names = &self.lookup.names;
        let (key, client) = self
            .lookup
            .client_keys
            .get(&(caller, callee))
            .and_then(|k| {
                self.clients
                    .get(k)
                    .map(|(_, _, c)| (k.clone(), (*c).clone()))
            })
            .unwrap_or_default();
        let r = resilience::edge_resilience(
            &client,
            &key,
            self.ck.src,
            self.classes,
            self.program,
            build_dist,
            &mut self.ck.errors,
        );
        self.edges.push(Edge {
            name: format!("{} -> {}", names[caller as usize], names[callee as usize]),
            caller,
            callee,
            timeout: client.timeout.map(|d| d.0),
            pool: client.pool.as_ref().map(resilience::pool),
            class_pools: r.class_pools,
            bulkhead: r.bulkhead,
            class_bulkheads: r.class_bulkheads,
            balancer: client.balancer,
            deadline: r.deadline,
            propagate_deadline: client.propagate_deadline,
            fallback: r.fallback,
            health_check: r.health_check,
            retry: r.retry,
            retry_budget: r.retry_budget,
            breaker: r.breaker,
            throttle: r.throttle,
            outlier: r.outlier,
        });
        let id = (self.edges.len() - 1) as u32;
        self.lookup.edge_ids.insert((caller, callee), id);
        id
    }
}

pub fn build_dist(d: &DistSpec) -> Result<Dist, String> {
    match d {
        DistSpec::Constant(v) => Ok(Dist::constant(v.0)),
        DistSpec::Exponential { mean } => Dist::exponential(mean.0),
        DistSpec::Uniform { min, max } => Dist::uniform(min.0, max.0),
        DistSpec::LogNormal { median, p99 } => Dist::log_normal_from_median_p99(median.0, p99.0),
        DistSpec::LogNormalMuSigma { mu, sigma } => Dist::log_normal(*mu, *sigma),
        DistSpec::Gamma { shape, mean } => Dist::gamma(*shape, mean.0),
        DistSpec::Normal { mean, std_dev } => Dist::normal(mean.0, std_dev.0),
        DistSpec::Empirical(points) => {
            Dist::empirical(&points.iter().map(|(p, v)| (*p, v.0)).collect::<Vec<_>>())
        }
    }
}
