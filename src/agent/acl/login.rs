//! Logging in through an auth method: the `jwt` method's settings read from its `Config`, a
//! bearer token's claims turned into the login's variables (`value.<name>` from
//! `ClaimMappings`, `list.<name>` from `ListClaimMappings`), and the binding rules whose
//! selector matches turned into what the new token carries (`${value.x}` filled in).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::jwt::{self, Validation};
use crate::agent::filter::schema::{field, Schema, Type};
use crate::agent::filter::Filter;
use crate::api::acl::{
    AclBindingRule, Link, NodeIdentity, ServiceIdentity, TemplateVariables, TemplatedPolicy,
};

/// The auth method types sd has.
pub const TYPES: &[&str] = &["jwt"];

/// The binding rule types.
pub const BIND_TYPES: &[&str] = &["service", "node", "role", "policy", "templated-policy"];

/// What binding rule selectors can see.
const VARIABLES: Schema = Schema {
    name: "BindingRuleVariables",
    fields: &[
        field("value", Type::STRING_MAP),
        field("list", Type::Map(&Type::STRINGS)),
    ],
};

/// A `jwt` method's settings.
#[derive(Debug, Clone)]
pub struct JwtMethod {
    pub validation: Validation,
    claim_mappings: BTreeMap<String, String>,
    list_claim_mappings: BTreeMap<String, String>,
}

fn strings(config: &Map<String, Value>, key: &str) -> Result<Vec<String>, String> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{key} must be a list of strings"))
            })
            .collect(),
        Some(_) => Err(format!("{key} must be a list of strings")),
    }
}

fn mapping(config: &Map<String, Value>, key: &str) -> Result<BTreeMap<String, String>, String> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                v.as_str()
                    .map(|v| (k.clone(), v.to_string()))
                    .ok_or_else(|| format!("{key} must map claims to names"))
            })
            .collect(),
        Some(_) => Err(format!("{key} must map claims to names")),
    }
}

/// Seconds of a leeway: Go duration text or nanoseconds; absent: `default`.
fn leeway(config: &Map<String, Value>, key: &str, default: i64) -> Result<i64, String> {
    let Some(value) = config.get(key) else {
        return Ok(default);
    };
    match crate::api::duration::from_json(value).map_err(|e| format!("{key}: {e}"))? {
        Some(d) => Ok(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        None if value.is_null() => Ok(default),
        None => Ok(0),
    }
}

/// Reads and checks a `jwt` method's `Config` (Consul's messages where it has them).
pub fn jwt_method(config: &Map<String, Value>) -> Result<JwtMethod, String> {
    for remote in ["JWKSURL", "OIDCDiscoveryURL"] {
        if config
            .get(remote)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
        {
            return Err(format!(
                "{remote} is not supported by sd yet: give the keys in JWTValidationPubKeys"
            ));
        }
    }
    let pems = strings(config, "JWTValidationPubKeys")?;
    if pems.is_empty() {
        return Err(
            "exactly one of 'JWTValidationPubKeys', 'JWKSURL', or 'OIDCDiscoveryURL' must be set"
                .into(),
        );
    }
    let keys = pems
        .iter()
        .map(|p| jwt::parse_public_key(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut algorithms = strings(config, "JWTSupportedAlgs")?;
    if algorithms.is_empty() {
        algorithms.push("RS256".into());
    }
    if let Some(bad) = algorithms.iter().find(|a| !jwt::known_algorithm(a)) {
        return Err(format!("Invalid supported algorithm: {bad}"));
    }
    let bound_issuer = config
        .get("BoundIssuer")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Ok(JwtMethod {
        validation: Validation {
            keys,
            algorithms,
            bound_issuer,
            bound_audiences: strings(config, "BoundAudiences")?,
            expiration_leeway: leeway(config, "ExpirationLeeway", 150)?,
            not_before_leeway: leeway(config, "NotBeforeLeeway", 150)?,
            clock_skew_leeway: leeway(config, "ClockSkewLeeway", 60)?,
        },
        claim_mappings: mapping(config, "ClaimMappings")?,
        list_claim_mappings: mapping(config, "ListClaimMappings")?,
    })
}

/// A claim by name, or by JSON pointer (`/nested/name`).
fn claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    match name.strip_prefix('/') {
        None => claims.get(name),
        Some(path) => {
            let mut parts = path.split('/');
            let mut at = claims.get(parts.next()?)?;
            for part in parts {
                at = at.get(part)?;
            }
            Some(at)
        }
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl JwtMethod {
    /// The login's variables from a verified token's claims: `{"value": {...}, "list": {...}}`.
    pub fn variables(&self, claims: &Map<String, Value>) -> Value {
        let mut value = Map::new();
        for (c, name) in &self.claim_mappings {
            if let Some(v) = claim(claims, c).and_then(text) {
                value.insert(name.clone(), Value::String(v));
            }
        }
        let mut list = Map::new();
        for (c, name) in &self.list_claim_mappings {
            let items: Vec<Value> = match claim(claims, c) {
                Some(Value::Array(a)) => a.iter().filter_map(text).map(Value::String).collect(),
                Some(other) => text(other).map(Value::String).into_iter().collect(),
                None => continue,
            };
            list.insert(name.clone(), Value::Array(items));
        }
        serde_json::json!({ "value": value, "list": list })
    }
}

/// Checks a binding rule's selector and bind type (what the endpoint refuses with a 400).
pub fn check_rule(rule: &AclBindingRule) -> Result<(), String> {
    Filter::parse(&rule.selector, &VARIABLES)
        .map_err(|e| format!("invalid Binding Rule: Selector is invalid: {e}"))?;
    if !BIND_TYPES.contains(&rule.bind_type.as_str()) {
        return Err(format!(
            "Invalid Binding Rule: unknown BindType {:?}",
            rule.bind_type
        ));
    }
    if rule.bind_name.is_empty() {
        return Err("Invalid Binding Rule: no BindName is set".into());
    }
    Ok(())
}

/// `${value.x}` and `${list.x}` in `template` filled in from `vars`.
fn interpolate(template: &str, vars: &Value) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unterminated variable in {template:?}"))?;
        let name = after[..end].trim();
        let (scope, key) = name
            .split_once('.')
            .ok_or_else(|| format!("unknown variable {name:?}"))?;
        let v = vars
            .get(scope)
            .and_then(|s| s.get(key))
            .and_then(Value::as_str)
            .ok_or_else(|| format!("variable {name:?} has no value"))?;
        out.push_str(v);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// What a login's token carries.
#[derive(Debug, Default)]
pub struct Bound {
    pub services: Vec<ServiceIdentity>,
    pub nodes: Vec<NodeIdentity>,
    pub roles: Vec<Link>,
    pub policies: Vec<Link>,
    pub templated: Vec<TemplatedPolicy>,
}

/// Applies the matching binding rules to the login's variables (`dc`: node identities' datacenter).
pub fn bind(rules: &[&AclBindingRule], vars: &Value, dc: &str) -> Bound {
    let mut bound = Bound::default();
    for rule in rules {
        let Ok(filter) = Filter::parse(&rule.selector, &VARIABLES) else {
            continue;
        };
        if !filter.matches(vars) {
            continue;
        }
        let Ok(name) = interpolate(&rule.bind_name, vars) else {
            continue;
        };
        let by_name = Link {
            id: String::new(),
            name: name.clone(),
        };
        match rule.bind_type.as_str() {
            "service" => bound.services.push(ServiceIdentity {
                service_name: name,
                datacenters: Vec::new(),
            }),
            "node" => bound.nodes.push(NodeIdentity {
                node_name: name,
                datacenter: dc.to_string(),
            }),
            "role" => bound.roles.push(by_name),
            "policy" => bound.policies.push(by_name),
            _ => {
                let var = rule
                    .bind_vars
                    .as_ref()
                    .and_then(|v| v.get("Name").or_else(|| v.get("name")))
                    .and_then(Value::as_str)
                    .and_then(|n| interpolate(n, vars).ok());
                bound.templated.push(TemplatedPolicy {
                    template_name: name,
                    template_variables: var.map(|name| TemplateVariables { name }),
                    datacenters: Vec::new(),
                });
            }
        }
    }
    bound
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(selector: &str, bind_type: &str, bind_name: &str) -> AclBindingRule {
        AclBindingRule {
            selector: selector.into(),
            bind_type: bind_type.into(),
            bind_name: bind_name.into(),
            ..AclBindingRule::default()
        }
    }

    #[test]
    fn claims_become_variables_and_rules_bind_them() {
        let config: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "JWTValidationPubKeys": [],
        }))
        .unwrap();
        assert!(jwt_method(&config)
            .unwrap_err()
            .contains("JWTValidationPubKeys"));
        let m = JwtMethod {
            validation: Validation {
                keys: Vec::new(),
                algorithms: vec!["RS256".into()],
                bound_issuer: String::new(),
                bound_audiences: Vec::new(),
                expiration_leeway: 0,
                not_before_leeway: 0,
                clock_skew_leeway: 0,
            },
            claim_mappings: [
                ("service".to_string(), "name".to_string()),
                ("/k8s/ns".to_string(), "ns".to_string()),
            ]
            .into(),
            list_claim_mappings: [("groups".to_string(), "groups".to_string())].into(),
        };
        let claims: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "service": "web", "k8s": {"ns": "prod"}, "groups": ["ops", "dev"]
        }))
        .unwrap();
        let vars = m.variables(&claims);
        assert_eq!(vars["value"]["name"], "web");
        assert_eq!(vars["value"]["ns"], "prod");
        let rules = [
            rule(r#"value.ns == "prod""#, "service", "${value.name}"),
            rule(r#"value.ns == "dev""#, "service", "never"),
            rule(r#""ops" in list.groups"#, "role", "operators"),
        ];
        for r in &rules {
            check_rule(r).unwrap();
        }
        let refs: Vec<&AclBindingRule> = rules.iter().collect();
        let b = bind(&refs, &vars, "dc1");
        assert_eq!(b.services.len(), 1);
        assert_eq!(b.services[0].service_name, "web");
        assert_eq!(b.roles[0].name, "operators");
        assert!(check_rule(&rule("value.ns ==", "service", "x")).is_err());
        assert!(check_rule(&rule("", "cluster", "x")).is_err());
        assert!(interpolate("${value.missing}", &vars).is_err());
    }
}
