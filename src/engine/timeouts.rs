//! Per-try timeouts in per-edge FIFO queues, and pool and bulkhead wait timeouts in each
//! gate's queue of waiters, instead of one heap event each.
//!
//! Why? Almost every call answers long before its timeout, and a lazily cancelled
//! timeout sits in the event heap until it expires: with 20 s timeouts and thousands of
//! calls a second the heap holds hundreds of thousands of dead entries, and every heap
//! operation pays in cache misses. The timeouts of one edge are all `now + timeout`, so
//! they arrive in expiry order: a FIFO per edge keeps them sorted for free, and only its
//! front has an event in the heap. A timeout that would break the order (a deadline cut
//! it short, or the timeout was changed) falls back to its own heap event.
//!
//! Waits at a gate are the same story, worse: a pool's `acquire_timeout` is typically
//! long (HikariCP's default is 30 s) and most waiters get their connection long before.
//! In the cascade replay the heap held some 11 300 of them at the peak, all but about 800
//! for calls that had stopped waiting. The gate's waiters are already queued in
//! the order they started, so their timeouts are in expiry order too: one event per gate,
//! at the front's time.

use super::events::Kind;
use super::state::{Waiter, NEVER};
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
            q.entries.retain(|&(_, c, g)| calls.is_current(c, g));
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
            if self.calls.is_current(call, gen) {
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

impl Simulation<'_> {
    /// `call` starts waiting at `gate`; its wait times out at `until`.
    pub(crate) fn wait_at_gate(&mut self, gate: u32, call: u32, gen: u32, until: u64) {
        let g = &mut self.gates[gate as usize];
        let last = g.waiters.back().map_or(0, |w| w.until);
        g.waiters.push_back(Waiter {
            call,
            gen,
            until: until.max(last),
        });
        if until < last {
            // A deadline cut this wait short: an event of its own. The queue's entry keeps
            // its place in line and is found stale when the queue's time comes.
            self.queue.schedule(until, Kind::AcquireTimeout, call, gen);
        } else if until < g.timeout_at {
            g.timeout_gen = g.timeout_gen.wrapping_add(1);
            g.timeout_at = until;
            self.queue
                .schedule(until, Kind::GateTimeout, gate, g.timeout_gen);
        }
    }

    /// The front of a gate's queue of waiters is due: time out every wait that is.
    pub(crate) fn on_gate_timeout(&mut self, gate: u32, gen: u32) {
        if self.gates[gate as usize].timeout_gen != gen {
            return;
        }
        self.gates[gate as usize].timeout_at = NEVER;
        while let Some(&w) = self.gates[gate as usize].waiters.front() {
            if w.until > self.now {
                break;
            }
            self.gates[gate as usize].waiters.pop_front();
            // A no-op for a call that has stopped waiting here.
            self.on_acquire_timeout(w.call, w.gen);
        }
        // Calls that timed out may have retried and queued here again, arming an event
        // for their own later time: the front's time comes first.
        let g = &mut self.gates[gate as usize];
        if let Some(&w) = g.waiters.front() {
            if w.until < g.timeout_at {
                g.timeout_gen = g.timeout_gen.wrapping_add(1);
                g.timeout_at = w.until;
                self.queue
                    .schedule(w.until, Kind::GateTimeout, gate, g.timeout_gen);
            }
        }
    }
}
