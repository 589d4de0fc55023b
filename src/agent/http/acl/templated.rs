//! `/v1/acl/templated-policies` and `/v1/acl/templated-policy/name/:name`: the policy
//! templates tokens and roles can use, with the rules each stands for.

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
