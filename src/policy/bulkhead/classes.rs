//! One bulkhead per request class, so that bulk traffic saturating its pool cannot take
//! the slots of critical traffic: the incident write-up's
//! `ResourcePool(critical=10, bulk=50)`.
//!
//! Classes are dense ids assigned by the model. A class without a pool of its own uses
//! the shared pool if there is one, and is not limited otherwise.

use super::{Admission, Bulkhead, BulkheadConfig};
use crate::policy::ConfigError;

/// A request class, dense from 0 in the model's order.
pub type ClassId = u32;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassPoolsConfig {
    /// Indexed by class id; `None`: the class uses `shared`.
    pub per_class: Vec<Option<BulkheadConfig>>,
    /// For classes without their own pool; `None`: those classes are not limited.
    pub shared: Option<BulkheadConfig>,
}

impl ClassPoolsConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.per_class
            .iter()
            .flatten()
            .chain(&self.shared)
            .try_for_each(BulkheadConfig::validate)
    }
}

#[derive(Debug, Clone)]
pub struct ClassPools {
    per_class: Vec<Option<Bulkhead>>,
    shared: Option<Bulkhead>,
}

impl ClassPools {
    /// # Panics
    /// If a pool's config does not validate.
    pub fn new(config: &ClassPoolsConfig) -> Self {
        ClassPools {
            per_class: config
                .per_class
                .iter()
                .map(|c| c.map(Bulkhead::new))
                .collect(),
            shared: config.shared.map(Bulkhead::new),
        }
    }

    /// The bulkhead that limits `class`, if any.
    pub fn pool(&self, class: ClassId) -> Option<&Bulkhead> {
        match self.per_class.get(class as usize) {
            Some(Some(own)) => Some(own),
            _ => self.shared.as_ref(),
        }
    }

    fn pool_mut(&mut self, class: ClassId) -> Option<&mut Bulkhead> {
        match self.per_class.get_mut(class as usize) {
            Some(Some(own)) => Some(own),
            _ => self.shared.as_mut(),
        }
    }

    /// As [`Bulkhead::try_acquire`] on the class's pool; granted if it has none.
    pub fn try_acquire(&mut self, class: ClassId, waiter: u32) -> Admission {
        self.pool_mut(class)
            .map_or(Admission::Granted, |p| p.try_acquire(waiter))
    }

    /// As [`Bulkhead::release`] on the class's pool. The handle returned belongs to the
    /// same pool, so it may be of another class sharing it.
    pub fn release(&mut self, class: ClassId) -> Option<u32> {
        self.pool_mut(class).and_then(Bulkhead::release)
    }

    pub fn cancel_wait(&mut self, class: ClassId, waiter: u32) -> bool {
        self.pool_mut(class).is_some_and(|p| p.cancel_wait(waiter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRITICAL: ClassId = 0;
    const BULK: ClassId = 1;
    const OTHER: ClassId = 2;

    fn pools(shared: Option<BulkheadConfig>) -> ClassPools {
        let limit = |n| {
            Some(BulkheadConfig {
                max_concurrent_calls: n,
                max_wait: 0,
            })
        };
        ClassPools::new(&ClassPoolsConfig {
            per_class: vec![limit(10), limit(50)],
            shared,
        })
    }

    #[test]
    fn a_saturated_bulk_pool_leaves_critical_slots_free() {
        let mut p = pools(None);
        let bulk_granted = (0..80)
            .filter(|&w| p.try_acquire(BULK, w) == Admission::Granted)
            .count();
        assert_eq!(bulk_granted, 50);
        let critical_granted = (0..10)
            .filter(|&w| p.try_acquire(CRITICAL, w) == Admission::Granted)
            .count();
        assert_eq!(critical_granted, 10);
        assert_eq!(p.try_acquire(CRITICAL, 99), Admission::Rejected);
    }

    #[test]
    fn classes_without_a_pool_share_one_or_are_unlimited() {
        let mut unlimited = pools(None);
        assert!((0..1000).all(|w| unlimited.try_acquire(OTHER, w) == Admission::Granted));
        let shared = BulkheadConfig {
            max_concurrent_calls: 2,
            max_wait: 0,
        };
        let mut p = pools(Some(shared));
        assert_eq!(p.try_acquire(OTHER, 1), Admission::Granted);
        assert_eq!(p.try_acquire(7, 2), Admission::Granted);
        assert_eq!(p.try_acquire(OTHER, 3), Admission::Rejected);
        assert_eq!(p.pool(7).map(Bulkhead::in_use), Some(2));
        assert_eq!(p.release(OTHER), None);
        assert_eq!(p.pool(OTHER).map(Bulkhead::in_use), Some(1));
    }
}
