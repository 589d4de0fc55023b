//! `/v1/acl/templated-policies`, `/v1/acl/templated-policy/name/:name` and `.../preview/:name`:
//! the policy templates tokens and roles can use, with the rules each stands for; and
//! `/v1/acl/replication` (`acl_replication`'s status).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::Extension;
use serde::Serialize;

use super::{allowed, not_found};
use crate::agent::acl::{builtin, Access, Caller};
use crate::agent::http::error::HttpError;
use crate::agent::Agent;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Template {
    template_name: String,
    schema: String,
    template: String,
    description: String,
}

fn template(name: &str) -> Option<Template> {
    let (_, description, takes_name) = builtin::TEMPLATES.iter().find(|(n, _, _)| *n == name)?;
    Some(Template {
        template_name: name.into(),
        schema: if *takes_name {
            r##"{"type":"object","properties":{"name":{"type":"string","$ref":"#/definitions/min-length-one"}},"required":["name"]}"##.into()
        } else {
            String::new()
        },
        template: builtin::template_text(name)?,
        description: (*description).into(),
    })
}

pub async fn list(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Read)?;
    let all: BTreeMap<&str, Template> = builtin::TEMPLATES
        .iter()
        .filter_map(|(name, _, _)| Some((*name, template(name)?)))
        .collect();
    Ok(super::ok_json(&q, &all))
}

pub async fn read(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Read)?;
    let t = template(&name).ok_or_else(not_found)?;
    Ok(super::ok_json(&q, &t))
}

/// `POST /v1/acl/templated-policy/preview/:name`'s body: the template's variables.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PreviewRequest {
    #[serde(default)]
    name: String,
}

pub async fn preview(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    body: axum::body::Body,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Read)?;
    let vars: PreviewRequest = super::body_of(body).await?;
    let t = crate::api::acl::TemplatedPolicy {
        template_name: name.clone(),
        template_variables: Some(crate::api::acl::TemplateVariables { name: vars.name }),
        datacenters: Vec::new(),
    };
    let rules = builtin::templated_rules(&t, "")
        .map_err(HttpError::bad_request)?
        .unwrap_or_default();
    let policy = crate::api::acl::AclPolicy {
        name: format!("synthetic-policy-{}", name.replace('/', "-")),
        description: format!("synthetic policy generated from templated policy: {name}"),
        rules,
        ..crate::api::acl::AclPolicy::default()
    };
    Ok(super::ok_json(&q, &policy))
}

/// `GET /v1/acl/replication`: on a secondary datacenter's servers, the last round of copying
/// the primary's policies, roles and tokens; elsewhere nothing replicates.
pub async fn replication(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Read)?;
    let zero = "0001-01-01T00:00:00Z";
    let mut status = agent.acl_replication.status();
    for t in [&mut status.last_success, &mut status.last_error] {
        if t.is_empty() {
            *t = zero.to_string();
        }
    }
    Ok(super::ok_json(&q, &status))
}
