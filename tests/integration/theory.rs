//! The engine against queueing theory (numbers from shared/reference/queueing.md).
//! Owned by the theory-tests work; see that file's doc once written.
