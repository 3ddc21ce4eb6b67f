//! Operations compiled into a flat program: the steps of every sequence back to back, so
//! that the engine walks them without allocating or chasing boxes: a task's next step
//! is one array read away.

use super::{Dist, EdgeId, OpId};

pub type SeqId = u32;

#[derive(Debug, Clone, Copy)]
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
    /// With `probability`, go on into the body: the `body_len` steps that follow this one
    /// in the same sequence; otherwise skip past them. Why inline rather than a sequence
    /// of its own? The body runs in the same task, as a step of it, instead of in a child
    /// task spawned and awaited for one step.
    Maybe {
        probability: f64,
        body_len: u32,
    },
}

#[derive(Debug, Clone, Default)]
pub struct Program {
    /// The steps of all sequences, back to back.
    pub steps: Vec<Node>,
    /// `(start, len)` into `steps` for each sequence.
    pub seqs: Vec<(u32, u32)>,
    /// Sequence ids of all parallel branches, back to back.
    pub branch_lists: Vec<SeqId>,
    pub dists: Vec<Dist>,
}

impl Program {
    /// Where a sequence's steps are in `steps`: its first and one past its last.
    #[inline]
    pub fn bounds(&self, seq: SeqId) -> (u32, u32) {
        let (start, len) = self.seqs[seq as usize];
        (start, start + len)
    }

    #[inline]
    pub fn branch(&self, first: u32, i: u32) -> SeqId {
        self.branch_lists[(first + i) as usize]
    }

    pub fn push_seq(&mut self, nodes: &[Node]) -> SeqId {
        let start = self.steps.len() as u32;
        self.steps.extend_from_slice(nodes);
        self.seqs.push((start, nodes.len() as u32));
        (self.seqs.len() - 1) as SeqId
    }

    /// Every operation called anywhere inside a sequence (for the call graph).
    pub fn calls_in(&self, seq: SeqId, out: &mut Vec<(EdgeId, OpId)>) {
        let (start, end) = self.bounds(seq);
        for i in start..end {
            match self.steps[i as usize] {
                Node::Work(_) => {}
                Node::Call { edge, op } => out.push((edge, op)),
                Node::Parallel { first, count } => {
                    for b in 0..u32::from(count) {
                        self.calls_in(self.branch(first, b), out);
                    }
                }
                // The body's steps follow in this same sequence.
                Node::Maybe { .. } => {}
            }
        }
    }
}
