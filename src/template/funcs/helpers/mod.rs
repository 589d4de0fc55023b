//! consul-template's helper functions (grouping, membership, strings, parse/encode, maps, math,
//! `timestamp`, `loop`, `env`, `sockaddr`) as Go-template functions over `gotmpl::Value`.

use std::collections::BTreeMap;
use std::sync::Arc;

/// What the helpers may read of the outside world: the environment, taken once when the run
/// starts (only the config layer reads environment variables).
#[derive(Debug, Clone, Default)]
#[allow(dead_code)] // read by the helpers, which are being written
pub(crate) struct HelperContext {
    pub env: Arc<BTreeMap<String, String>>,
}

/// Adds every helper to `map`.
pub(crate) fn register(map: &mut gotmpl::FuncMap, ctx: &HelperContext) {
    let _ = (map, ctx);
}
