//! A bounded log-linear latency histogram (HDR-style): 64 linear sub-buckets per power of
//! two, so any recorded value is known to within 1/64 (1.6 %) while memory stays fixed.

/// Sub-bucket bits of run totals: values known to 1/64 (1.6 %).
pub const FINE: u32 = 6;
/// Sub-bucket bits of per-window histograms: 1/16 (6 %) is plenty for a plot, and a
/// quarter of the buckets to clear and scan at every window.
pub const COARSE: u32 = 4;

#[derive(Clone)]
pub struct Histogram {
    sub_bits: u32,
    counts: Box<[u64]>,
    total: u64,
    /// Buckets at or past this index are all zero: merges, clears and quantiles stop here.
    used: usize,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new(FINE)
    }
}

impl Histogram {
    /// A histogram with `2^sub_bits` linear sub-buckets per power of two.
    pub fn new(sub_bits: u32) -> Self {
        // Enough buckets for every `u64` nanosecond value.
        let buckets = ((64 - sub_bits as usize) + 1) << sub_bits;
        Histogram {
            sub_bits,
            counts: vec![0; buckets].into_boxed_slice(),
            total: 0,
            used: 0,
        }
    }

    #[inline]
    fn bucket_of(&self, v: u64) -> usize {
        let sub = 1u64 << self.sub_bits;
        if v < sub {
            return v as usize;
        }
        let msb = 63 - v.leading_zeros();
        let shift = msb - self.sub_bits;
        let within = (v >> shift) - sub;
        (((shift + 1) as usize) << self.sub_bits) + within as usize
    }

    /// The middle of a bucket's value range.
    fn bucket_value(&self, b: usize) -> u64 {
        let sub = 1u64 << self.sub_bits;
        let major = b >> self.sub_bits;
        let within = (b as u64) & (sub - 1);
        if major == 0 {
            return within;
        }
        let shift = (major - 1) as u32;
        let low = (sub + within) << shift;
        low + ((1u64 << shift) >> 1)
    }

    #[inline]
    pub fn record(&mut self, v: u64) {
        let b = self.bucket_of(v);
        self.counts[b] += 1;
        self.total += 1;
        self.used = self.used.max(b + 1);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// Add another histogram of the same precision.
    pub fn merge(&mut self, other: &Histogram) {
        if other.total == 0 {
            return;
        }
        assert_eq!(
            self.sub_bits, other.sub_bits,
            "histograms of different precision"
        );
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
        // One tight loop per quantile: summing buckets until the rank is reached, with
        // nothing else to test, is what makes a window's percentiles cheap to close.
        let counts = &self.counts[..self.used];
        let mut b = 0;
        let mut seen = 0;
        for (slot, rank) in out.iter_mut().zip(ranks) {
            // Ranks are at most `total`, which the used buckets sum to: `b` stays in range.
            while seen < rank {
                seen += counts[b];
                b += 1;
            }
            *slot = Some(self.bucket_value(b - 1));
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
    fn quantiles_land_in_the_bucket_of_the_ranked_value() {
        let mut values: Vec<u64> = (1..=997u64).map(|i| (i * 7919) % 100_003 * 1013).collect();
        let mut h = Histogram::new(COARSE);
        for &v in &values {
            h.record(v);
        }
        values.sort_unstable();
        let qs = [0.0, 0.001, 0.5, 0.5, 0.95, 0.99, 1.0];
        for (q, got) in qs.iter().zip(h.quantiles(qs)) {
            let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
            let want = h.bucket_value(h.bucket_of(values[rank - 1]));
            assert_eq!(got, Some(want), "q = {q}");
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
