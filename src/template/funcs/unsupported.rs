//! consul-template functions that need Vault, Nomad or Consul Connect/Enterprise features sd
//! does not have. They parse (so a template mentioning one in an untaken branch still works)
//! and fail with a message naming the function when called.

use std::sync::Arc;

use gotmpl::{FuncMap, TemplateError, Value};

/// The functions and the product they belong to.
pub(crate) const UNSUPPORTED: &[(&str, &str)] = &[
    ("secret", "Vault"),
    ("secrets", "Vault"),
    ("pkiCert", "Vault"),
    ("nomadServices", "Nomad"),
    ("nomadService", "Nomad"),
    ("nomadVarList", "Nomad"),
    ("nomadVarListSafe", "Nomad"),
    ("nomadVar", "Nomad"),
    ("nomadVarExists", "Nomad"),
    ("connect", "Consul Connect"),
    ("caLeaf", "Consul Connect"),
    ("caRoots", "Consul Connect"),
    ("partitions", "Consul Enterprise"),
    ("peerings", "Consul cluster peering"),
    ("exportedServices", "Consul cluster peering"),
    ("importedServices", "Consul cluster peering"),
];

/// The message for calling `name`.
pub(crate) fn message(name: &str, product: &str) -> String {
    format!("function {name:?} needs {product}, which sd template does not support")
}

/// Registers every unsupported function as one that fails with [`message`].
pub(crate) fn register(map: &mut FuncMap) {
    for (name, product) in UNSUPPORTED {
        let text = message(name, product);
        map.insert(
            (*name).to_string(),
            Arc::new(move |_: &[Value]| Err(TemplateError::Exec(text.clone()))),
        );
    }
}
