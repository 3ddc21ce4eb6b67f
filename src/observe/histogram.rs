//! A bounded log-linear latency histogram (HDR-style): 64 linear sub-buckets per power of
//! two, so any recorded value is known to within 1/64 (1.6 %) while memory stays fixed.

const SUB_BITS: u32 = 6;
const SUB: u64 = 1 << SUB_BITS;
/// Enough buckets for every `u64` nanosecond value.
pub const BUCKETS: usize = ((64 - SUB_BITS as usize) + 1) * SUB as usize;

#[derive(Clone)]
pub struct Histogram {
    counts: Box<[u64; BUCKETS]>,
    total: u64,
    /// Buckets at or past this index are all zero: merges, clears and quantiles stop here.
    used: usize,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: Box::new([0; BUCKETS]),
            total: 0,
            used: 0,
        }
    }
}

#[inline]
fn bucket_of(v: u64) -> usize {
    if v < SUB {
        return v as usize;
    }
    let msb = 63 - v.leading_zeros();
    let shift = msb - SUB_BITS;
    let sub = (v >> shift) - SUB;
    ((shift + 1) as usize) * SUB as usize + sub as usize
}

/// The middle of a bucket's value range.
fn bucket_value(b: usize) -> u64 {
    let major = b / SUB as usize;
    let sub = (b % SUB as usize) as u64;
    if major == 0 {
        return sub;
    }
    let shift = (major - 1) as u32;
    let low = (SUB + sub) << shift;
    low + ((1u64 << shift) >> 1)
}

impl Histogram {
    #[inline]
    pub fn record(&mut self, v: u64) {
        let b = bucket_of(v);
        self.counts[b] += 1;
        self.total += 1;
        self.used = self.used.max(b + 1);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    pub fn merge(&mut self, other: &Histogram) {
        if other.total == 0 {
            return;
        }
        for (a, b) in self.counts[..other.used]
            .iter_mut()
            .zip(other.counts[..other.used].iter())
        {
            *a += *b;
        }
        self.total += other.total;
        self.used = self.used.max(other.used);
    }

    pub fn clear(&mut self) {
        self.counts[..self.used].fill(0);
        self.total = 0;
        self.used = 0;
    }

    /// The value below which a fraction `q` of recordings fall; `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        self.quantiles([q])[0]
    }

    /// Several quantiles (in increasing order) in one pass over the buckets.
    pub fn quantiles<const N: usize>(&self, qs: [f64; N]) -> [Option<u64>; N] {
        let mut out = [None; N];
        if self.total == 0 {
            return out;
        }
        let ranks = qs.map(|q| ((q * self.total as f64).ceil() as u64).clamp(1, self.total));
        let mut next = 0;
        let mut seen = 0;
        for (b, c) in self.counts[..self.used].iter().enumerate() {
            seen += c;
            while next < N && seen >= ranks[next] {
                out[next] = Some(bucket_value(b));
                next += 1;
            }
            if next == N {
                break;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_bucket_precision() {
        let mut h = Histogram::default();
        for v in 1..=100_000u64 {
            h.record(v * 1000);
        }
        for (q, want) in [(0.5, 50_000_000.0), (0.99, 99_000_000.0)] {
            let got = h.quantile(q).unwrap() as f64;
            assert!((got / want - 1.0).abs() < 0.02, "q{q}: {got} vs {want}");
        }
    }

    #[test]
    fn small_and_huge_values_fit() {
        let mut h = Histogram::default();
        h.record(0);
        h.record(u64::MAX);
        assert_eq!(h.quantile(0.0), Some(0));
        assert!(h.quantile(1.0).unwrap() > u64::MAX / 2);
    }
}
