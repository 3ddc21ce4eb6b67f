//! Chaos injectors: over their window, a share of the calls on an edge is delayed by a
//! random amount or has its connection dropped. Each injector draws from its own seeded
//! stream, so chaos is as reproducible as everything else.

use super::Simulation;
use rand::Rng;

pub enum ChaosEffect {
    None,
    Delay(u64),
    Drop,
}

impl Simulation<'_> {
    pub(crate) fn chaos_on_send(&mut self, edge: u32) -> ChaosEffect {
        let now = self.now;
        for (i, c) in self.scenario.incident.chaos.iter().enumerate() {
            if c.edge != edge || now < c.from || now >= c.to {
                continue;
            }
            let rng = &mut self.chaos_rng[i];
            if rng.random::<f64>() >= c.probability {
                continue;
            }
            self.rec.chaos_hit(edge);
            return match c.delay {
                Some((min, max)) => ChaosEffect::Delay(if max > min {
                    rng.random_range(min..=max)
                } else {
                    min
                }),
                None => ChaosEffect::Drop,
            };
        }
        ChaosEffect::None
    }
}
