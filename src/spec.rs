//! Serde types that mirror the RON files exactly, before any validation.
//!
//! Every struct denies unknown fields so that a typo is an error with the list of allowed
//! names, never a silently ignored setting. Defaults live here; meaning lives in `model`.

pub mod incident;
pub mod model;
pub mod resilience;
pub mod scenario;
mod unique;
pub mod units;

pub use model::*;
pub use resilience::*;
pub use scenario::*;
pub use units::{Bytes, Dur};
