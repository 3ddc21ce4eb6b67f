//! The incident timeline: what the detectors noticed and what the scenario scripted, in
//! the order it happened. Each detected kind is kept once per subject (its first
//! occurrence), so the timeline stays short and bounded however long the run.

use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DetectedKind {
    /// All connections of a caller's pool in use with callers waiting, sustained.
    PoolSaturated,
    BreakerOpen,
    BreakerClosed,
    /// A service's queue past the threshold share of its capacity, or its oldest
    /// request waiting longer than the threshold.
    Queuing,
    /// Several services upstream of a troubled one queuing at the same time (the
    /// write-up's "upstream services begin queuing requests").
    QueuingAcross,
    /// A replica crashed out of memory.
    MemoryExhaustion,
    /// Several services had crashed replicas within the aggregation window.
    MemoryExhaustionAcross,
    OutageDeclared,
    Recovered,
    /// A scripted incident action took effect.
    Scripted,
}

#[derive(Debug, Clone)]
pub struct TimelineEvent {
    pub at: u64,
    pub kind: DetectedKind,
    /// Service the event is about (`u32::MAX` for system-wide events).
    pub service: u32,
    /// Edge the event is about, where there is one (`u32::MAX` otherwise).
    pub edge: u32,
    /// How many services, for aggregate events.
    pub count: u32,
    /// Text of scripted actions (detected events are worded by the report).
    pub text: Option<String>,
}

#[derive(Default)]
pub struct Timeline {
    pub events: Vec<TimelineEvent>,
    seen: BTreeSet<(DetectedKind, u32, u32)>,
}

impl Timeline {
    /// Record an event unless this kind was already seen for this subject.
    pub fn detected(
        &mut self,
        at: u64,
        kind: DetectedKind,
        service: u32,
        edge: u32,
        count: u32,
    ) -> bool {
        if !self.seen.insert((kind, service, edge)) {
            return false;
        }
        self.events.push(TimelineEvent {
            at,
            kind,
            service,
            edge,
            count,
            text: None,
        });
        true
    }

    pub fn scripted(&mut self, at: u64, text: String) {
        self.events.push(TimelineEvent {
            at,
            kind: DetectedKind::Scripted,
            service: u32::MAX,
            edge: u32::MAX,
            count: 0,
            text: Some(text),
        });
    }

    pub fn has(&self, kind: DetectedKind) -> bool {
        self.events.iter().any(|e| e.kind == kind)
    }

    /// Events sorted by time; ties keep the order they were recorded in.
    pub fn sorted(&self) -> Vec<&TimelineEvent> {
        let mut v: Vec<&TimelineEvent> = self.events.iter().collect();
        v.sort_by_key(|e| e.at);
        v
    }
}
