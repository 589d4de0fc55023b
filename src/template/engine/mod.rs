//! The template engines: Go's `text/template` (the default, consul-template's language) and
//! Tera (`*.tera` files, `engine = "tera"`). Both render against a [`Pass`] over the same data
//! functions; this module picks the engine and gives the runner one interface.

mod budget;
pub(crate) mod go;
mod go_bytes;
mod go_execute;
pub(crate) mod go_rewrite;
mod go_scratch;
mod go_steps;
mod go_trees;
pub(crate) mod tera;
mod tera_loops;
mod tera_nesting;
mod tera_range;
mod tera_values;

use std::sync::Arc;

use crate::template::config::EngineKind;
use crate::template::funcs::data::Pass;
use crate::template::funcs::helpers::HelperContext;

/// A template that cannot be parsed or rendered; the message names the file and, for syntax
/// errors, the line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum EngineError {
    #[error("{0}")]
    Parse(String),
    #[error("{0}")]
    Exec(String),
}

/// How to parse one template.
#[derive(Debug)]
pub(crate) struct ParseOptions<'a> {
    /// The source's name in errors (its path, or `(dynamic)` for inline contents).
    pub name: &'a str,
    pub left: &'a str,
    pub right: &'a str,
    pub error_on_missing_key: bool,
    /// Functions that fail when called.
    pub denylist: &'a [String],
    pub helpers: &'a HelperContext,
}

/// A parsed template of either engine.
#[derive(Debug)]
pub(crate) enum Compiled {
    Go(go::GoTemplate),
    Tera(Box<tera::TeraTemplate>),
}

impl Compiled {
    /// Parses `src` with the engine `kind`.
    pub fn parse(
        kind: EngineKind,
        src: &str,
        opts: &ParseOptions<'_>,
    ) -> Result<Compiled, EngineError> {
        match kind {
            EngineKind::Go => go::GoTemplate::parse(src, opts).map(Compiled::Go),
            EngineKind::Tera => {
                tera::TeraTemplate::parse(src, opts).map(|t| Compiled::Tera(Box::new(t)))
            }
        }
    }

    /// Renders for one pass.
    pub fn render(&self, pass: &Arc<Pass>) -> Result<String, EngineError> {
        match self {
            Compiled::Go(t) => t.render(pass),
            Compiled::Tera(t) => t.render(pass),
        }
    }
}
