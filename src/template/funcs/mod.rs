//! The functions templates call, registered on each engine: the data functions that read the
//! catalog and KV store (and record what a template depends on), and consul-template's helpers.

pub(crate) mod data;
pub(crate) mod helpers;
pub(crate) mod unsupported;

/// The functions `function_denylist`'s glob patterns name (`secret*`, `plugin`, ...), among
/// every function a template can call.
pub(crate) fn denied(
    patterns: &[String],
    ctx: &helpers::HelperContext,
) -> Result<Vec<String>, String> {
    if patterns.is_empty() {
        return Ok(Vec::new());
    }
    let mut set = globset::GlobSetBuilder::new();
    for p in patterns {
        set.add(globset::Glob::new(p).map_err(|e| format!("function_denylist {p:?}: {e}"))?);
    }
    let set = set.build().map_err(|e| e.to_string())?;
    let mut names: Vec<String> = data::NAMES.iter().map(|n| n.to_string()).collect();
    let mut map = gotmpl::FuncMap::new();
    helpers::register(&mut map, ctx);
    names.extend(map.into_keys());
    names.extend(unsupported::UNSUPPORTED.iter().map(|(n, _)| n.to_string()));
    names.push("executeTemplate".into());
    names.retain(|n| set.is_match(n));
    names.sort();
    names.dedup();
    Ok(names)
}
