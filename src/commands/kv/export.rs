//! `sd kv export`: prints every key under a prefix as the tab-indented JSON array that
//! `consul kv export` produces and `kv import` reads.

use std::process::ExitCode;

use base64::Engine as _;
use clap::{Arg, ArgAction, ArgMatches, Command};
use serde::{Deserialize, Serialize};

use crate::api::KVPair;
use crate::cli::{http_flags, output};
use crate::client::{block_on, QueryOptions};
use crate::commands::{CliError, CmdResult};

/// One exported key (Consul's `impexp.Entry`): the value is base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub(crate) struct Entry {
    #[serde(alias = "Key", default)]
    pub key: String,
    #[serde(alias = "Flags", default)]
    pub flags: u64,
    #[serde(alias = "Value", default)]
    pub value: String,
    #[serde(alias = "Namespace", default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(alias = "Partition", default, skip_serializing_if = "String::is_empty")]
    pub partition: String,
}

impl From<&KVPair> for Entry {
    fn from(pair: &KVPair) -> Self {
        Entry {
            key: pair.key.clone(),
            flags: pair.flags,
            value: base64::engine::general_purpose::STANDARD
                .encode(pair.value.as_deref().unwrap_or_default()),
            ..Default::default()
        }
    }
}

pub fn cli() -> Command {
    Command::new("export")
        .about("Print the keys under a prefix as JSON")
        .long_about(
            "Writes every key under PREFIX (the whole store when left out) to stdout as a JSON \
             array with one object per key (key, flags, base64-encoded value): the input that \
             `sd kv import` expects.",
        )
        .arg(
            Arg::new("args")
                .value_name("PREFIX")
                .num_args(0..)
                .action(ArgAction::Append),
        )
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let prefix = super::one_key(m)?;
    let prefix = prefix.as_str();
    let client = crate::commands::connect(m)?;
    let q = QueryOptions {
        stale: http_flags::stale(m),
        ..Default::default()
    };
    let pairs = match block_on(client.kv().list(prefix, &q)) {
        Ok((pairs, _)) => pairs,
        Err(e) => {
            return Err(CliError::failure(format!(
                "Error querying Consul agent: {e}"
            )))
        }
    };
    match export_json(&pairs) {
        Ok(json) => {
            output::println(&json);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(CliError::failure(format!("Error exporting KV data: {e}"))),
    }
}

/// The array as Go's `json.MarshalIndent(entries, "", "\t")` writes it, HTML characters
/// escaped the way Go does (`<` as `\u003c`, ...).
fn export_json(pairs: &[KVPair]) -> Result<String, serde_json::Error> {
    let entries: Vec<Entry> = pairs.iter().map(Entry::from).collect();
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    entries.serialize(&mut ser)?;
    let text = String::from_utf8_lossy(&buf);
    Ok(go_html_escape(&text))
}

/// Go's JSON encoder escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings; outside strings
/// they never occur in JSON, so replacing everywhere is exact.
fn go_html_escape(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_like_consul() {
        let pairs = vec![
            KVPair {
                key: "app/a<b>".into(),
                flags: 3,
                value: Some(b"hi".to_vec()),
                ..Default::default()
            },
            KVPair {
                key: "app/empty".into(),
                ..Default::default()
            },
        ];
        assert_eq!(
            export_json(&pairs).unwrap(),
            "[\n\t{\n\t\t\"key\": \"app/a\\u003cb\\u003e\",\n\t\t\"flags\": 3,\n\t\t\"value\": \"aGk=\"\n\t},\
             \n\t{\n\t\t\"key\": \"app/empty\",\n\t\t\"flags\": 0,\n\t\t\"value\": \"\"\n\t}\n]"
        );
        assert_eq!(export_json(&[]).unwrap(), "[]");
    }
}
