//! Operations compiled into a flat program: nodes and sequences addressed by index, so
//! that the engine walks them without allocating or chasing boxes.

use super::{Dist, EdgeId, OpId};

pub type SeqId = u32;

#[derive(Debug, Clone)]
pub enum Node {
    /// Hold the worker for a sampled time; the index is into `Program::dists`.
    Work(u32),
    Call {
        edge: EdgeId,
        op: OpId,
    },
    /// Run every branch at once and wait for all; branches are `branch_lists[first..first+count]`.
    Parallel {
        first: u32,
        /// At most `u16::MAX` (checked when the model is read): a task counts its
        /// children still running in two bytes.
        count: u16,
    },
    Maybe {
        probability: f64,
        body: SeqId,
    },
}

#[derive(Debug, Clone, Default)]
pub struct Program {
    pub nodes: Vec<Node>,
    /// `(start, len)` into `items` for each sequence.
    pub seqs: Vec<(u32, u32)>,
    /// Node ids of all sequences, back to back.
    pub items: Vec<u32>,
    /// Sequence ids of all parallel branches, back to back.
    pub branch_lists: Vec<SeqId>,
    pub dists: Vec<Dist>,
}

impl Program {
    #[inline]
    pub fn seq_len(&self, seq: SeqId) -> u32 {
        self.seqs[seq as usize].1
    }

    #[inline]
    pub fn node_at(&self, seq: SeqId, pos: u32) -> &Node {
        let (start, _) = self.seqs[seq as usize];
        &self.nodes[self.items[(start + pos) as usize] as usize]
    }

    #[inline]
    pub fn branch(&self, first: u32, i: u32) -> SeqId {
        self.branch_lists[(first + i) as usize]
    }

    pub fn push_seq(&mut self, nodes: &[u32]) -> SeqId {
        let start = self.items.len() as u32;
        self.items.extend_from_slice(nodes);
        self.seqs.push((start, nodes.len() as u32));
        (self.seqs.len() - 1) as SeqId
    }

    pub fn push_node(&mut self, node: Node) -> u32 {
        self.nodes.push(node);
        (self.nodes.len() - 1) as u32
    }

    /// Every operation called anywhere inside a sequence (for the call graph).
    pub fn calls_in(&self, seq: SeqId, out: &mut Vec<(EdgeId, OpId)>) {
        let (start, len) = self.seqs[seq as usize];
        for i in start..start + len {
            match &self.nodes[self.items[i as usize] as usize] {
                Node::Work(_) => {}
                Node::Call { edge, op } => out.push((*edge, *op)),
                Node::Parallel { first, count } => {
                    for b in 0..u32::from(*count) {
                        self.calls_in(self.branch(*first, b), out);
                    }
                }
                Node::Maybe { body, .. } => self.calls_in(*body, out),
            }
        }
    }
}
