//! Per-try timeouts in per-edge FIFO queues instead of one heap event each.
//!
//! Why? Almost every call answers long before its timeout, and a lazily cancelled
//! timeout sits in the event heap until it expires: with 20 s timeouts and thousands of
//! calls a second the heap holds hundreds of thousands of dead entries, and every heap
//! operation pays in cache misses. The timeouts of one edge are all `now + timeout`, so
//! they arrive in expiry order: a FIFO per edge keeps them sorted for free, and only its
//! front has an event in the heap. A timeout that would break the order (a deadline cut
//! it short, or the timeout was changed) falls back to its own heap event.

use super::events::Kind;
use super::Simulation;
use std::collections::VecDeque;

#[derive(Default)]
pub struct TimeoutQueue {
    /// `(expiry, call, call generation)`, in expiry order.
    entries: VecDeque<(u64, u32, u32)>,
    /// A `TimeoutQueue` event is pending for this edge, at or before the front's expiry.
    armed: bool,
}

impl Simulation<'_> {
    pub(crate) fn arm_timeout(&mut self, edge: u32, at: u64, call: u32, gen: u32) {
        let q = &mut self.timeouts[edge as usize];
        if q.entries.back().is_some_and(|&(last, _, _)| last > at) {
            self.queue.schedule(at, Kind::Timeout, call, gen);
            return;
        }
        q.entries.push_back((at, call, gen));
        // Dead entries are dropped in bulk once they outnumber the live calls, so a long
        // timeout cannot make the queue grow with every call ever made.
        if q.entries.len() > 2 * self.calls.live() + 1024 {
            let calls = &self.calls;
            q.entries.retain(|&(_, c, g)| calls.gen(c) == g);
        }
        if !q.armed {
            q.armed = true;
            let front = q.entries.front().map_or(at, |e| e.0);
            self.queue.schedule(front, Kind::TimeoutQueue, edge, 0);
        }
    }

    pub(crate) fn on_timeout_queue(&mut self, edge: u32) {
        self.timeouts[edge as usize].armed = false;
        while let Some(&(at, call, gen)) = self.timeouts[edge as usize].entries.front() {
            if at > self.now {
                break;
            }
            self.timeouts[edge as usize].entries.pop_front();
            self.on_timeout(call, gen);
        }
        // Timeouts of calls that have already ended need no event: drop them now.
        while let Some(&(_, call, gen)) = self.timeouts[edge as usize].entries.front() {
            if self.calls.gen(call) == gen {
                break;
            }
            self.timeouts[edge as usize].entries.pop_front();
        }
        let q = &mut self.timeouts[edge as usize];
        if let (Some(&(at, _, _)), false) = (q.entries.front(), q.armed) {
            q.armed = true;
            self.queue.schedule(at, Kind::TimeoutQueue, edge, 0);
        }
    }
}
