//! Prepared query templates (`Template.Type = "name_prefix_match"`): the checks made when one
//! is stored, and its rendering for the name a lookup asked for. Every string of the `Service`
//! part may hold HIL interpolations: `${name.full}`, `${name.prefix}`, `${name.suffix}`,
//! `${match(N)}` (group N of `Template.Regexp` on the full name, "" without a match) and
//! `${agent.segment}` (always "": segments are Enterprise); `$${` is a literal `${`.
//!
//! Hand-written on purpose: these five forms are all Consul evaluates in a template, and HIL
//! (HashiCorp's interpolation language) has no Rust implementation.

use regex::Regex;

use crate::api::prepared_query::{PreparedQuery, ServiceQuery, NAME_PREFIX_MATCH};

/// Checks a template before it is stored: its type, its regular expression and every
/// interpolation in it.
pub fn compile(query: &PreparedQuery) -> Result<(), String> {
    if query.template.kind != NAME_PREFIX_MATCH {
        return Err(format!("Bad Template.Type '{}'", query.template.kind));
    }
    regexp(query)?;
    let vars = Vars {
        full: &query.name,
        prefix: &query.name,
        suffix: "",
        groups: Vec::new(),
    };
    let mut service = query.service.clone();
    each_string(&mut service, &mut |s| interpolate(s, &vars).map(drop))
}

fn regexp(query: &PreparedQuery) -> Result<Option<Regex>, String> {
    if query.template.regexp.is_empty() {
        return Ok(None);
    }
    crate::api::regexp::compile(&query.template.regexp)
        .map(Some)
        .map_err(|e| format!("Failed compiling Regexp: {e}"))
}

/// The template rendered for `name` (a name it prefixes).
pub fn render(query: &PreparedQuery, name: &str) -> Result<PreparedQuery, String> {
    let re = regexp(query)?;
    let groups: Vec<String> = re
        .as_ref()
        .and_then(|re| re.captures(name))
        .map(|c| {
            c.iter()
                .map(|m| m.map_or(String::new(), |m| m.as_str().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let vars = Vars {
        full: name,
        prefix: &query.name,
        suffix: name.get(query.name.len()..).unwrap_or(""),
        groups,
    };
    let mut out = query.clone();
    each_string(&mut out.service, &mut |s| {
        *s = interpolate(s, &vars)?;
        Ok(())
    })?;
    if query.template.remove_empty_tags {
        if let Some(tags) = &mut out.service.tags {
            tags.retain(|t| !t.is_empty());
        }
    }
    Ok(out)
}

struct Vars<'a> {
    full: &'a str,
    prefix: &'a str,
    suffix: &'a str,
    groups: Vec<String>,
}

/// Calls `f` on every string of the service part (map values, not their keys).
fn each_string(
    s: &mut ServiceQuery,
    f: &mut impl FnMut(&mut String) -> Result<(), String>,
) -> Result<(), String> {
    f(&mut s.service)?;
    f(&mut s.near)?;
    f(&mut s.peer)?;
    let lists = [
        s.tags.as_mut(),
        s.ignore_check_ids.as_mut(),
        s.failover.datacenters.as_mut(),
    ];
    for item in lists.into_iter().flatten().flat_map(|l| l.iter_mut()) {
        f(item)?;
    }
    for t in s.failover.targets.iter_mut().flatten() {
        f(&mut t.peer_name)?;
        f(&mut t.datacenter)?;
    }
    for m in [s.node_meta.as_mut(), s.service_meta.as_mut()]
        .into_iter()
        .flatten()
    {
        for v in m.values_mut() {
            f(v)?;
        }
    }
    Ok(())
}

fn interpolate(s: &str, vars: &Vars<'_>) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("${") {
        if rest[..at].ends_with('$') {
            out.push_str(&rest[..at - 1]);
            out.push_str("${");
            rest = &rest[at + 2..];
            continue;
        }
        out.push_str(&rest[..at]);
        let body = &rest[at + 2..];
        let end = body
            .find('}')
            .ok_or_else(|| format!("unterminated interpolation in {s:?}"))?;
        out.push_str(&eval(body[..end].trim(), vars)?);
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn eval(expr: &str, vars: &Vars<'_>) -> Result<String, String> {
    match expr {
        "name.full" => return Ok(vars.full.to_string()),
        "name.prefix" => return Ok(vars.prefix.to_string()),
        "name.suffix" => return Ok(vars.suffix.to_string()),
        "agent.segment" => return Ok(String::new()),
        _ => {}
    }
    let arg = expr
        .strip_prefix("match(")
        .and_then(|r| r.strip_suffix(')'))
        .map(str::trim);
    match arg {
        Some(n) => {
            let n: usize = n
                .parse()
                .map_err(|_| format!("match: the index must be a number: {n:?}"))?;
            Ok(vars.groups.get(n).cloned().unwrap_or_default())
        }
        None => Err(format!("unknown variable accessed: {expr}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::prepared_query::QueryTemplate;

    fn template(name: &str, regexp: &str, service: ServiceQuery) -> PreparedQuery {
        PreparedQuery {
            name: name.into(),
            template: QueryTemplate {
                kind: NAME_PREFIX_MATCH.into(),
                regexp: regexp.into(),
                remove_empty_tags: true,
            },
            service,
            ..Default::default()
        }
    }

    #[test]
    fn renders_consuls_variables() {
        let q = template(
            "geo-db",
            r"^geo-db-(.*?)-([^\-]+?)$",
            ServiceQuery {
                service: "mysql-${match(1)}".into(),
                tags: Some(vec!["${match(2)}".into(), "${match(7)}".into()]),
                near: "${name.suffix}|${name.prefix}|${name.full}|${agent.segment}|$${x}".into(),
                ..Default::default()
            },
        );
        compile(&q).unwrap();
        let r = render(&q, "geo-db-customer-primary").unwrap();
        assert_eq!(r.service.service, "mysql-customer");
        assert_eq!(r.service.tags, Some(vec!["primary".to_string()]));
        assert_eq!(
            r.service.near,
            "-customer-primary|geo-db|geo-db-customer-primary||${x}"
        );
    }

    #[test]
    fn bad_templates_are_refused() {
        let mut q = template("", "", ServiceQuery::default());
        q.template.kind = "prefix".into();
        assert_eq!(compile(&q).unwrap_err(), "Bad Template.Type 'prefix'");
        let q = template("", "(", ServiceQuery::default());
        assert!(compile(&q)
            .unwrap_err()
            .starts_with("Failed compiling Regexp"));
        let q = template(
            "",
            "",
            ServiceQuery {
                service: "${nope}".into(),
                ..Default::default()
            },
        );
        assert_eq!(compile(&q).unwrap_err(), "unknown variable accessed: nope");
    }
}
