//! AFL++ target: `cascade_sim::fuzz::run_bytes` in persistent mode.
//!
//! Built with stable Rust and the AFL++ runtime (no cargo-fuzz, which needs nightly):
//! `fuzz/run.sh` sets the sanitizer-coverage flags and links `afl-compiler-rt.o`.

use std::io::Read;

extern "C" {
    fn __afl_persistent_loop(max: u32) -> i32;
    fn __afl_manual_init();
}

/// afl-fuzz looks for these strings in the binary to switch on persistent mode and the
/// deferred fork server.
#[used]
static PERSISTENT_SIG: &[u8] = b"##SIG_AFL_PERSISTENT##\0";
#[used]
static DEFERRED_SIG: &[u8] = b"##SIG_AFL_DEFER_FORKSRV##\0";

fn main() {
    let _ = (PERSISTENT_SIG, DEFERRED_SIG);
    let mut buf = Vec::with_capacity(1 << 16);
    unsafe { __afl_manual_init() };
    while unsafe { __afl_persistent_loop(10_000) } != 0 {
        buf.clear();
        if std::io::stdin().read_to_end(&mut buf).is_err() {
            continue;
        }
        let _ = cascade_sim::fuzz::run_bytes(&buf);
    }
}
