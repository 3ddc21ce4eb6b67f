//! Random streams: one per component, derived from the master seed and the component's
//! name.
//!
//! Why by name and not by index? Adding a service to a model must not change the draws
//! of every other service; a name-derived stream stays the same whatever is around it.

use crate::model::fnv1a;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator every component uses: its output is specified and stable across
/// versions, unlike `StdRng`.
pub type Stream = Xoshiro256PlusPlus;

/// SplitMix64's finaliser: spreads a 64-bit value over all bits.
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub fn stream(master_seed: u64, component: &str) -> Stream {
    Stream::seed_from_u64(splitmix64(master_seed ^ fnv1a(component.as_bytes())))
}
