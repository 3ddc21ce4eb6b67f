//! Where each edge's connection pools and bulkheads live in the flat `gates` vector: one
//! gate per (edge, resource set, caller replica), where a resource set is either the
//! shared pool/bulkhead or one class's own.

use super::arena::NONE;
use super::state::Gate;
use crate::model::{ClassId, Model, Pool};

pub struct GateLayout {
    /// At `edge * classes + class`: first gate of the class's pool set (`NONE` =
    /// unlimited). Flat: a call finds its gates with one read, not two.
    pool_of_class: Vec<u32>,
    bulkhead_of_class: Vec<u32>,
    classes: usize,
    /// For reporting: the edge of each gate, and whether it is a pool (else a bulkhead).
    pub edge_of_gate: Vec<u32>,
    pub is_pool: Vec<bool>,
}

impl GateLayout {
    pub fn build(model: &Model) -> (GateLayout, Vec<Gate>) {
        let mut gates = Vec::new();
        let mut layout = GateLayout {
            pool_of_class: Vec::new(),
            bulkhead_of_class: Vec::new(),
            classes: model.classes.len(),
            edge_of_gate: Vec::new(),
            is_pool: Vec::new(),
        };
        let classes = model.classes.len();
        for (e, edge) in model.edges.iter().enumerate() {
            let replicas = model.services[edge.caller as usize].replicas;
            let add =
                |limit: Pool, is_pool: bool, gates: &mut Vec<Gate>, layout: &mut GateLayout| {
                    let first = gates.len() as u32;
                    for _ in 0..replicas {
                        gates.push(Gate::new(limit.size, limit.acquire_timeout));
                        layout.edge_of_gate.push(e as u32);
                        layout.is_pool.push(is_pool);
                    }
                    first
                };
            for is_pool in [true, false] {
                let (shared, per_class) = if is_pool {
                    (edge.pool, &edge.class_pools)
                } else {
                    (edge.bulkhead, &edge.class_bulkheads)
                };
                let shared_first =
                    shared.map_or(NONE, |p| add(p, is_pool, &mut gates, &mut layout));
                let mut of_class = vec![shared_first; classes];
                for (class, limit) in per_class {
                    of_class[*class as usize] = add(*limit, is_pool, &mut gates, &mut layout);
                }
                if is_pool {
                    layout.pool_of_class.extend(of_class);
                } else {
                    layout.bulkhead_of_class.extend(of_class);
                }
            }
        }
        (layout, gates)
    }

    /// The gate of a caller replica (its index among the caller's replicas) for a class.
    #[inline]
    pub fn pool(&self, edge: u32, class: ClassId, local_replica: u32) -> u32 {
        offset(self.pool_of_class[self.at(edge, class)], local_replica)
    }

    #[inline]
    pub fn bulkhead(&self, edge: u32, class: ClassId, local_replica: u32) -> u32 {
        offset(self.bulkhead_of_class[self.at(edge, class)], local_replica)
    }

    #[inline]
    fn at(&self, edge: u32, class: ClassId) -> usize {
        edge as usize * self.classes + class as usize
    }

    /// Every gate that belongs to a caller replica (for a crash, which drops them all).
    pub fn gates_of_replica(&self, model: &Model, service: u32, local_replica: u32) -> Vec<u32> {
        let mut out = Vec::new();
        for (e, edge) in model.edges.iter().enumerate() {
            if edge.caller != service {
                continue;
            }
            let of_edge = e * self.classes..(e + 1) * self.classes;
            let mut firsts: Vec<u32> = self.pool_of_class[of_edge.clone()]
                .iter()
                .chain(&self.bulkhead_of_class[of_edge])
                .copied()
                .filter(|f| *f != NONE)
                .collect();
            firsts.sort_unstable();
            firsts.dedup();
            out.extend(firsts.into_iter().map(|f| f + local_replica));
        }
        out
    }
}

#[inline]
fn offset(first: u32, local_replica: u32) -> u32 {
    if first == NONE {
        NONE
    } else {
        first + local_replica
    }
}
