//! `-tags`: tags added to every service, either a comma-separated list or, as in registrator's
//! master, a Go template run against the container's `docker inspect` object (with `.ID` as
//! registrator's Docker client names it) and registrator's functions: `strSlice sIndex mIndex
//! toUpper toLower replace join split splitIndex matchFirstElement matchAllElements httpGet
//! jsonParse`. The output is split on unescaped commas like a list.
//!
//! Unlike registrator, which exits on any template error, a parse error is a usage error at
//! start and an execution error skips that container with a warning.

use std::sync::Arc;
use std::time::Duration;

use gotmpl::{FuncMap, TemplateError, Value};

use super::container::Container;
use super::metadata::split_tags;
use crate::gotemplate::check::first_unknown_function;
use crate::gotemplate::from_json;

/// `httpGet`'s timeout, registrator's.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// The `-tags` value.
#[derive(Clone, Default)]
pub enum Tags {
    #[default]
    None,
    List(Vec<String>),
    Template(Arc<gotmpl::Template>),
}

impl std::fmt::Debug for Tags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tags::None => f.write_str("None"),
            Tags::List(l) => f.debug_tuple("List").field(l).finish(),
            Tags::Template(_) => f.write_str("Template"),
        }
    }
}

impl Tags {
    /// Parses the flag's value: a Go template when it holds `{{`, else a list.
    pub fn parse(value: &str) -> Result<Tags, String> {
        if !value.contains("{{") {
            return Ok(Tags::List(split_tags(value)));
        }
        let funcs = functions();
        let defined = funcs.keys().cloned().collect();
        let tmpl = gotmpl::Template::new("tags")
            .funcs(funcs)
            .parse(value)
            .map_err(|e| format!("-tags: {e}"))?;
        if let Some(u) = first_unknown_function(value, "{{", "}}", &defined) {
            return Err(format!("-tags: function {:?} not defined", u.name));
        }
        Ok(Tags::Template(Arc::new(tmpl)))
    }

    /// The tags for container `c`. A template runs on a blocking thread (`httpGet` waits on
    /// the network).
    pub async fn render(&self, c: &Container) -> Result<Vec<String>, String> {
        match self {
            Tags::None => Ok(Vec::new()),
            Tags::List(l) => Ok(l.clone()),
            Tags::Template(t) => {
                let t = t.clone();
                let data = data_of(c);
                tokio::task::spawn_blocking(move || {
                    t.execute_to_string(&data)
                        .map(|s| split_tags(&s))
                        .map_err(|e| e.to_string())
                })
                .await
                .map_err(|e| format!("the tags template did not finish: {e}"))?
            }
        }
    }
}

/// The template's dot: the raw inspect object, with `ID` beside Docker's `Id`.
fn data_of(c: &Container) -> Value {
    let mut raw = c.raw.clone();
    if let Some(o) = raw.as_object_mut() {
        o.insert("ID".into(), c.id.clone().into());
    }
    from_json(&raw)
}

fn err(function: &str, why: impl std::fmt::Display) -> TemplateError {
    TemplateError::Exec(format!("error calling {function}: {why}"))
}

fn string(function: &str, v: &Value) -> gotmpl::Result<String> {
    match v {
        Value::String(s) => Ok(s.to_string()),
        Value::Nil => Ok(String::new()),
        other => Err(err(
            function,
            format!("expected a string, got {}", other.type_name()),
        )),
    }
}

fn int(function: &str, v: &Value) -> gotmpl::Result<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Uint(u) => i64::try_from(*u).map_err(|e| err(function, e)),
        other => Err(err(
            function,
            format!("expected an integer, got {}", other.type_name()),
        )),
    }
}

fn strings(function: &str, v: &Value) -> gotmpl::Result<Vec<String>> {
    match v {
        Value::List(l) => l.iter().map(|e| string(function, e)).collect(),
        Value::Nil => Ok(Vec::new()),
        other => Err(err(
            function,
            format!("expected a list of strings, got {}", other.type_name()),
        )),
    }
}

fn arity(function: &str, args: &[Value], n: usize) -> gotmpl::Result<()> {
    if args.len() == n {
        Ok(())
    } else {
        Err(err(
            function,
            format!("wrong number of args: got {} want {n}", args.len()),
        ))
    }
}

/// `l[i]`, a negative `i` counting from the end; out of range gives the nearest end, as
/// registrator's `sIndex` and `splitIndex` do.
fn pick(function: &str, l: &[String], i: i64) -> gotmpl::Result<String> {
    if l.is_empty() {
        return Err(err(function, "index of an empty list"));
    }
    let n = l.len() as i64;
    let at = if i < 0 {
        if -i >= n {
            0
        } else {
            n + i
        }
    } else {
        i.min(n - 1)
    };
    Ok(l[at as usize].clone())
}

/// `s[start:end]` on bytes with registrator's leniency (out of range gives `s`).
fn str_slice(s: &str, idx: &[i64]) -> String {
    let len = s.len() as i64;
    let cut = |a: i64, b: i64| s.get(a as usize..b as usize).unwrap_or(s).to_string();
    match idx {
        [a] if *a >= 0 && len >= *a => cut(*a, len),
        [a, b] if *a >= 0 && *b >= 0 && len >= *a && len >= *b => {
            if *b < *a {
                cut(*a, len)
            } else {
                cut(*a, *b)
            }
        }
        _ => s.to_string(),
    }
}

fn regex(function: &str, re: &Value) -> gotmpl::Result<regex::Regex> {
    crate::api::regexp::compile(&string(function, re)?).map_err(|e| err(function, e))
}

/// `jsonParse`: the value at `a::b::c` in a JSON document, strings unquoted and anything else
/// as JSON text; empty (with a warning, as registrator logs) when absent or not JSON.
fn json_parse(doc: &str, path: &str) -> String {
    let found = serde_json::from_str::<serde_json::Value>(doc)
        .ok()
        .and_then(|v| {
            path.split("::").try_fold(v, |v, k| match v {
                serde_json::Value::Object(mut o) => o.remove(k),
                serde_json::Value::Array(mut a) => k
                    .parse::<usize>()
                    .ok()
                    .filter(|i| *i < a.len())
                    .map(|i| a.swap_remove(i)),
                _ => None,
            })
        });
    match found {
        Some(serde_json::Value::String(s)) => s,
        Some(v) => v.to_string(),
        None => {
            tracing::warn!("-tags: jsonParse: no value at {path:?}");
            String::new()
        }
    }
}

/// `httpGet`: the body at `url`, empty (with a warning) on any failure.
fn http_get(url: &str) -> String {
    // One client for the run: its connection pool and TLS setup are shared by every call.
    static CLIENT: std::sync::OnceLock<Result<reqwest::Client, String>> =
        std::sync::OnceLock::new();
    let client = CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|e| e.to_string())
    });
    let fetch = async {
        let client = client.as_ref().map_err(Clone::clone)?;
        let res = client.get(url).send().await.map_err(|e| e.to_string())?;
        res.text().await.map_err(|e| e.to_string())
    };
    let got = match tokio::runtime::Handle::try_current() {
        Ok(h) => h.block_on(fetch),
        Err(_) => Err("no runtime to run the request on".to_string()),
    };
    got.unwrap_or_else(|e| {
        tracing::warn!("-tags: httpGet {url}: {e}");
        String::new()
    })
}

type Func = fn(&[Value]) -> gotmpl::Result<Value>;

/// registrator's template functions.
fn functions() -> FuncMap {
    let table: [(&str, Func); 13] = [
        ("strSlice", |a| {
            let s = string("strSlice", a.first().unwrap_or(&Value::Nil))?;
            let idx = a[1.min(a.len())..]
                .iter()
                .map(|v| int("strSlice", v))
                .collect::<gotmpl::Result<Vec<_>>>()?;
            Ok(str_slice(&s, &idx).into())
        }),
        ("sIndex", |a| {
            arity("sIndex", a, 2)?;
            let l = strings("sIndex", &a[1])?;
            Ok(pick("sIndex", &l, int("sIndex", &a[0])?)?.into())
        }),
        ("mIndex", |a| {
            arity("mIndex", a, 2)?;
            let k = string("mIndex", &a[0])?;
            Ok(match &a[1] {
                Value::Map(m) => m.get(k.as_str()).cloned().unwrap_or(Value::from("")),
                Value::Nil => Value::from(""),
                other => {
                    return Err(err(
                        "mIndex",
                        format!("expected a map, got {}", other.type_name()),
                    ))
                }
            })
        }),
        ("toUpper", |a| {
            arity("toUpper", a, 1)?;
            Ok(string("toUpper", &a[0])?.to_uppercase().into())
        }),
        ("toLower", |a| {
            arity("toLower", a, 1)?;
            Ok(string("toLower", &a[0])?.to_lowercase().into())
        }),
        ("replace", |a| {
            arity("replace", a, 4)?;
            let n = int("replace", &a[0])?;
            let (old, new, s) = (
                string("replace", &a[1])?,
                string("replace", &a[2])?,
                string("replace", &a[3])?,
            );
            Ok(if n < 0 {
                s.replace(&old, &new)
            } else {
                s.replacen(&old, &new, n as usize)
            }
            .into())
        }),
        ("join", |a| {
            arity("join", a, 2)?;
            Ok(strings("join", &a[1])?.join(&string("join", &a[0])?).into())
        }),
        ("split", |a| {
            arity("split", a, 2)?;
            let (sep, s) = (string("split", &a[0])?, string("split", &a[1])?);
            Ok(Value::List(
                s.split(sep.as_str()).map(Value::from).collect(),
            ))
        }),
        ("splitIndex", |a| {
            arity("splitIndex", a, 3)?;
            let (sep, s) = (string("splitIndex", &a[1])?, string("splitIndex", &a[2])?);
            let parts: Vec<String> = s.split(sep.as_str()).map(str::to_string).collect();
            Ok(pick("splitIndex", &parts, int("splitIndex", &a[0])?)?.into())
        }),
        ("matchFirstElement", |a| {
            arity("matchFirstElement", a, 2)?;
            let re = regex("matchFirstElement", &a[0])?;
            let l = strings("matchFirstElement", &a[1])?;
            Ok(l.into_iter()
                .find(|e| re.is_match(e))
                .unwrap_or_default()
                .into())
        }),
        ("matchAllElements", |a| {
            arity("matchAllElements", a, 2)?;
            let re = regex("matchAllElements", &a[0])?;
            let l = strings("matchAllElements", &a[1])?;
            Ok(Value::List(
                l.into_iter()
                    .filter(|e| re.is_match(e))
                    .map(Value::from)
                    .collect(),
            ))
        }),
        ("httpGet", |a| {
            arity("httpGet", a, 1)?;
            Ok(http_get(&string("httpGet", &a[0])?).into())
        }),
        ("jsonParse", |a| {
            arity("jsonParse", a, 2)?;
            let (doc, path) = (string("jsonParse", &a[0])?, string("jsonParse", &a[1])?);
            Ok(json_parse(&doc, &path).into())
        }),
    ];
    table
        .into_iter()
        .map(|(name, f)| (name.to_string(), Arc::new(f) as gotmpl::ValueFunc))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn container() -> Container {
        let raw = json!({
            "Id": "e20f9c1a76565d62ae24a3bb877b17b862b6eab94f4e95a0e07ccf25087aaf4f",
            "Name": "/web",
            "Config": {
                "Hostname": "e20f9c1a7656",
                "Env": ["ENVIRONMENT=test", "SERVICE_8105_NAME=foo", "HOME=/home/foobar", "SERVICE_9404_NAME=bar"],
                "Labels": {"com.amazonaws.ecs.task-arn": "arn:aws:ecs:region:1:task/368f4403-0ee4"}
            }
        });
        Container::from_inspect(raw).unwrap()
    }

    async fn render(t: &str) -> Result<Vec<String>, String> {
        Tags::parse(t)?.render(&container()).await
    }

    #[tokio::test]
    async fn registrators_examples() {
        assert_eq!(
            render("{{strSlice .ID 0 12}}").await.unwrap(),
            ["e20f9c1a7656"]
        );
        assert_eq!(
            render("{{sIndex 0 .Config.Env}}").await.unwrap(),
            ["ENVIRONMENT=test"]
        );
        assert_eq!(
            render("{{sIndex -1 .Config.Env}}").await.unwrap(),
            ["SERVICE_9404_NAME=bar"]
        );
        assert_eq!(
            render(r#"{{mIndex "com.amazonaws.ecs.task-arn" .Config.Labels | splitIndex -1 "/"}}"#)
                .await
                .unwrap(),
            ["368f4403-0ee4"]
        );
        assert_eq!(
            render(r#"{{toUpper "foo"}},{{toLower "FoO"}}"#)
                .await
                .unwrap(),
            ["FOO", "foo"]
        );
        assert_eq!(
            render(r#"{{replace -1 "=" "" "=foo="}}"#).await.unwrap(),
            ["foo"]
        );
        assert_eq!(
            render(r#"{{replace 1 "=" "" "=foo="}}"#).await.unwrap(),
            ["foo="]
        );
        assert_eq!(
            render(r#"{{matchAllElements "^SERVICE_" .Config.Env | join ","}}"#)
                .await
                .unwrap(),
            ["SERVICE_8105_NAME=foo", "SERVICE_9404_NAME=bar"]
        );
        assert_eq!(
            render(r#"{{matchFirstElement "^HOME" .Config.Env}}"#)
                .await
                .unwrap(),
            ["HOME=/home/foobar"]
        );
        assert_eq!(
            render(r#"{{split "," "a,b" | join "-"}},env-{{.Config.Hostname}}"#)
                .await
                .unwrap(),
            ["a-b", "env-e20f9c1a7656"]
        );
        assert_eq!(
            render(r#"{{jsonParse "{\"Additional\":{\"Country\":\"United States\"}}" "Additional::Country"}}"#)
                .await
                .unwrap(),
            ["United States"]
        );
        assert_eq!(render("a,b").await.unwrap(), ["a", "b"]);
    }

    #[tokio::test]
    async fn errors_are_reported_not_fatal() {
        assert!(Tags::parse("{{if}}").unwrap_err().starts_with("-tags:"));
        assert!(Tags::parse("{{nope .ID}}").is_err());
        let e = render(r#"{{matchFirstElement "(" .Config.Env}}"#)
            .await
            .unwrap_err();
        assert!(e.contains("matchFirstElement"), "{e}");
        let e = render("{{sIndex 0 .Config.Cmd}}").await.unwrap_err();
        assert!(e.contains("empty list"), "{e}");
    }

    #[test]
    fn str_slice_is_lenient() {
        assert_eq!(str_slice("abcdef", &[2]), "cdef");
        assert_eq!(str_slice("abcdef", &[4, 2]), "ef");
        assert_eq!(str_slice("abc", &[0, 10]), "abc");
        assert_eq!(str_slice("abc", &[]), "abc");
    }
}
