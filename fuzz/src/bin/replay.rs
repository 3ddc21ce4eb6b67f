//! Replay inputs through the harness outside AFL++ and print each verdict: reproduce a
//! finding (`replay out/default/crashes/id*`) or sort a corpus.

use cascade_sim::fuzz::{run_bytes, Verdict};

fn main() {
    for path in std::env::args().skip(1) {
        let data = std::fs::read(&path).unwrap_or_default();
        let verdict = match run_bytes(&data) {
            None => "not-utf8".to_string(),
            Some(Verdict::Invalid(d)) => format!("invalid {}", d.0.len()),
            Some(Verdict::Ran { events, partial }) => format!("ran {events} partial={partial}"),
        };
        println!("{verdict}\t{path}");
    }
}
