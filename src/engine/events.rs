//! The future-event list: heaps ordered strictly by (time, insertion sequence), one for
//! the sources' arrivals and one for everything else, plus a FIFO lane for events due now.

use super::heap::QuadHeap;
use std::cmp::Ordering;
use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Arrival,
    WorkDone,
    /// A callee's answer to a call, as an `Outcome` code. Why in the event? The replying
    /// job then need not touch the call's record, only check its generation: the record
    /// is read once, when the reply is taken in. (Kind and code take two bytes of what
    /// was padding: an event stays 32 bytes.)
    Reply {
        outcome: u8,
    },
    Timeout,
    TimeoutQueue,
    AcquireTimeout,
    GateTimeout,
    Backoff,
    FallbackDone,
    Crash,
    Restart,
    Action,
    DelayedSend,
    Tick,
    WindowEnd,
}

/// One scheduled event: 32 bytes, `Copy`, no allocation.
#[derive(Debug, Clone, Copy)]
pub struct Event {
    /// `time << 64 | sequence`: the whole ordering in one integer, so that the heap
    /// compares with one instruction pair instead of building tuples.
    pub key: u128,
    pub handle: u32,
    /// Generation of the handle's slot when scheduled: a mismatch on firing means the
    /// target has moved on and the event is ignored (lazy cancellation).
    pub gen: u32,
    pub kind: Kind,
}

const _: () = assert!(std::mem::size_of::<Event>() == 32);

/// Why order by sequence as well as time? Two events at the same nanosecond must run in
/// a fixed order on every machine; first-scheduled-first-run is the natural one, and the
/// sequence number makes the heap's order total, so no tie is ever left to the heap.
impl Ord for Event {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

impl Event {
    /// Time and sequence in one integer: one comparison instead of two.
    #[inline]
    pub fn key(&self) -> u128 {
        self.key
    }

    #[inline]
    pub fn new(time: u64, seq: u64, handle: u32, gen: u32, kind: Kind) -> Event {
        Event {
            key: (u128::from(time) << 64) | u128::from(seq),
            handle,
            gen,
            kind,
        }
    }

    #[inline]
    pub fn time(&self) -> u64 {
        (self.key >> 64) as u64
    }
}

impl PartialOrd for Event {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Event {}

/// Which heap's top `pop_until` handed out while leaving it in place.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Taken {
    #[default]
    Nothing,
    Events,
    Arrivals,
}

#[derive(Default)]
pub struct EventQueue {
    heap: QuadHeap,
    /// Arrivals from the sources, at most a few per source. Why a heap of their own? An
    /// arrival's successor is the same source's next arrival: kept apart, rescheduling it
    /// sifts through a heap of a handful of entries instead of every pending event, and
    /// the main heap is one entry smaller per source.
    arrivals: QuadHeap,
    /// A heap top handed out by `pop_until` but still physically in its heap. Why? Most
    /// handlers schedule exactly one successor in the same heap; writing it over the old
    /// top and sifting down once costs about half of a pop followed by a push.
    taken: Taken,
    /// Events scheduled for the current instant. Why a lane? Replies between services take
    /// no simulated time, and delivering them as events (rather than by direct calls) keeps
    /// the stack shallow however long a chain of instant failures gets; the lane serves
    /// them in sequence order without paying for heap operations.
    now_lane: VecDeque<Event>,
    next_seq: u64,
}

impl EventQueue {
    #[inline(always)]
    fn next_event(&mut self, time: u64, kind: Kind, handle: u32, gen: u32) -> Event {
        let seq = self.next_seq;
        self.next_seq += 1;
        Event::new(time, seq, handle, gen, kind)
    }

    #[inline(always)]
    pub fn schedule(&mut self, time: u64, kind: Kind, handle: u32, gen: u32) {
        debug_assert!(
            kind != Kind::Arrival,
            "arrivals go through schedule_arrival"
        );
        let event = self.next_event(time, kind, handle, gen);
        if self.taken == Taken::Events {
            self.taken = Taken::Nothing;
            self.heap.replace_top(event);
        } else {
            self.heap.push(event);
        }
    }

    /// Schedule a source's next arrival (`handle` is the source).
    #[inline(always)]
    pub fn schedule_arrival(&mut self, time: u64, source: u32, gen: u32) {
        let event = self.next_event(time, Kind::Arrival, source, gen);
        if self.taken == Taken::Arrivals {
            self.taken = Taken::Nothing;
            self.arrivals.replace_top(event);
        } else {
            self.arrivals.push(event);
        }
    }

    /// Schedule at `now`, after everything already scheduled for `now`.
    #[inline(always)]
    pub fn schedule_now(&mut self, now: u64, kind: Kind, handle: u32, gen: u32) {
        let event = self.next_event(now, kind, handle, gen);
        self.now_lane.push_back(event);
    }

    /// The earliest event if it is due at or before `limit`.
    #[inline(always)]
    pub fn pop_until(&mut self, limit: u64) -> Option<Event> {
        match std::mem::take(&mut self.taken) {
            Taken::Nothing => {}
            Taken::Events => {
                self.heap.pop();
            }
            Taken::Arrivals => {
                self.arrivals.pop();
            }
        }
        // Keys are unique (the sequence), so "earlier" is never a tie.
        let (first, from) = match (self.heap.peek(), self.arrivals.peek()) {
            (Some(e), Some(a)) if a.key < e.key => (Some(*a), Taken::Arrivals),
            (Some(e), _) => (Some(*e), Taken::Events),
            (None, Some(a)) => (Some(*a), Taken::Arrivals),
            (None, None) => (None, Taken::Nothing),
        };
        if let Some(lane) = self.now_lane.front() {
            if first.is_none_or(|f| lane.key < f.key) {
                return self.now_lane.pop_front();
            }
        }
        match first {
            Some(e) if e.time() <= limit => {
                self.taken = from;
                Some(e)
            }
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.arrivals.len() + self.now_lane.len()
            - usize::from(self.taken != Taken::Nothing)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_run_in_scheduling_order() {
        let mut q = EventQueue::default();
        q.schedule(10, Kind::WorkDone, 1, 0);
        q.schedule(5, Kind::WorkDone, 2, 0);
        q.schedule(10, Kind::WorkDone, 3, 0);
        q.schedule(5, Kind::WorkDone, 4, 0);
        let order: Vec<u32> = std::iter::from_fn(|| q.pop_until(u64::MAX))
            .map(|e| e.handle)
            .collect();
        assert_eq!(order, vec![2, 4, 1, 3]);
    }

    #[test]
    fn lane_runs_after_earlier_heap_events_at_the_same_time() {
        let mut q = EventQueue::default();
        q.schedule(7, Kind::WorkDone, 1, 0);
        q.schedule_now(7, Kind::Reply { outcome: 0 }, 2, 0);
        q.schedule(7, Kind::WorkDone, 3, 0);
        let order: Vec<u32> = std::iter::from_fn(|| q.pop_until(u64::MAX))
            .map(|e| e.handle)
            .collect();
        assert_eq!(order, vec![1, 2, 3]);
    }

    #[test]
    fn arrivals_interleave_with_other_events_by_time_then_sequence() {
        let mut q = EventQueue::default();
        q.schedule(10, Kind::WorkDone, 1, 0);
        q.schedule_arrival(5, 2, 0);
        q.schedule_arrival(10, 3, 0);
        q.schedule(5, Kind::WorkDone, 4, 0);
        let first = q.pop_until(u64::MAX).unwrap();
        assert_eq!(first.handle, 2);
        // The arrival's successor replaces it in place, like any handler's.
        q.schedule_arrival(7, 5, 0);
        let order: Vec<u32> = std::iter::from_fn(|| q.pop_until(u64::MAX))
            .map(|e| e.handle)
            .collect();
        assert_eq!(order, vec![4, 5, 1, 3]);
        assert!(q.is_empty());
    }

    #[test]
    fn events_past_the_limit_stay() {
        let mut q = EventQueue::default();
        q.schedule(10, Kind::WorkDone, 1, 0);
        assert!(q.pop_until(9).is_none());
        assert_eq!(q.len(), 1);
    }
}
