//! The Erlang formulas, computed from their definitions (shared by the theory tests and
//! `benches/engine.rs`, which includes this file by path).

/// Erlang B, the blocking probability of M/G/c/c with offered load `a` Erlangs, by the
/// stable recursion B₀ = 1, Bₖ = a·Bₖ₋₁ / (k + a·Bₖ₋₁).
pub fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b))
}

/// Erlang C, the probability that an arrival waits in M/M/c: c·B / (c − a·(1 − B)).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let b = erlang_b(c, a);
    f64::from(c) * b / (f64::from(c) - a * (1.0 - b))
}
