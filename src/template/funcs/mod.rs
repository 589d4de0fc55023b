//! The functions templates call, registered on each engine: the data functions that read the
//! catalog and KV store (and record what a template depends on), and consul-template's helpers.

pub(crate) mod data;
pub(crate) mod helpers;
pub(crate) mod unsupported;
