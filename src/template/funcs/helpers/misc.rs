//! `env`, `mustEnv`, `envOrDefault` (from the environment the run started with), `loop`,
//! `timestamp` and `sockaddr` (go-sockaddr's address functions over this host's interfaces:
//! `sockaddr "GetPrivateIP"`, `sockaddr "GetInterfaceIP \"eth0\""`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::format::{Item, StrftimeItems};
use gotmpl::Value;

use super::{arity, fail, string, text, value_fn, HelperContext};

pub(super) fn register(map: &mut gotmpl::FuncMap, ctx: &HelperContext) {
    value_fn(map, "sockaddr", |a| {
        let words: Vec<&str> = (0..a.len())
            .map(|i| text("sockaddr", a, i))
            .collect::<gotmpl::Result<_>>()?;
        crate::config::sockaddr::eval_on_host(&words.join(" "))
            .map(string)
            .map_err(|e| fail("sockaddr", e))
    });
    let env = ctx.env.clone();
    value_fn(map, "env", move |a| {
        arity("env", a, 1)?;
        let name = text("env", a, 0)?;
        Ok(string(env.get(name).map(String::as_str).unwrap_or("")))
    });
    let env = ctx.env.clone();
    value_fn(map, "mustEnv", move |a| {
        arity("mustEnv", a, 1)?;
        let name = text("mustEnv", a, 0)?;
        env.get(name)
            .map(|v| string(v.as_str()))
            .ok_or_else(|| fail("mustEnv", format!("environment variable {name} is not set")))
    });
    let env = ctx.env.clone();
    value_fn(map, "envOrDefault", move |a| {
        arity("envOrDefault", a, 2)?;
        let name = text("envOrDefault", a, 0)?;
        let default = text("envOrDefault", a, 1)?;
        Ok(string(
            env.get(name)
                .map(String::as_str)
                .filter(|v| !v.is_empty())
                .unwrap_or(default),
        ))
    });
    value_fn(map, "loop", |a| {
        let (start, stop) = match a {
            [stop] => (0, bound(stop)?),
            [start, stop] => (bound(start)?, bound(stop)?),
            _ => {
                return Err(fail(
                    "loop",
                    format!(
                        "wrong number of arguments, expected 1 or 2, but got {}",
                        a.len()
                    ),
                ))
            }
        };
        let count = stop.saturating_sub(start);
        if count > MAX_LOOP {
            return Err(fail(
                "loop",
                format!("{count} iterations is more than the limit of {MAX_LOOP} (the range is built in memory)"),
            ));
        }
        Ok(Value::List(
            (start..stop).map(Value::Int).collect::<Arc<[Value]>>(),
        ))
    });
    let layouts = Arc::new(Layouts::default());
    value_fn(map, "timestamp", move |a| {
        let now = chrono::Utc::now();
        match a {
            [] => Ok(string(
                now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            )),
            [Value::String(f)] if &**f == "unix" => Ok(string(now.timestamp().to_string())),
            [Value::String(layout)] => Ok(string(layouts.format(&now, layout))),
            _ => Err(fail(
                "timestamp",
                format!(
                    "wrong number of arguments, expected 0 or 1, but got {}",
                    a.len()
                ),
            )),
        }
    });
}

/// The most values `loop` makes. consul-template's `loop` feeds a channel; here the range is a
/// list, so a huge one would take the memory of the whole range (the fuzzer's `loop
/// 1483588865` asked for 35 GB and stopped the process).
pub(crate) const MAX_LOOP: i64 = 1_000_000;

/// A `loop` bound: an integer or a string holding one.
fn bound(v: &Value) -> gotmpl::Result<i64> {
    match v {
        Value::String(s) => s
            .parse()
            .map_err(|_| fail("loop", format!("bad argument {s:?}"))),
        other => other
            .as_int()
            .ok_or_else(|| fail("loop", format!("bad argument type: {}", other.type_name()))),
    }
}

/// Layouts `timestamp` has read, as chrono's parsed items (`None` for one chrono cannot use,
/// printed as given): a call in a loop formats the time, it does not read its layout again (in
/// the fuzzer's build, reading a 100-byte layout half a million times took 10 s).
#[derive(Default)]
struct Layouts(Mutex<HashMap<Arc<str>, Parsed>>);

/// A layout as chrono's items, or `None` when chrono cannot use it.
type Parsed = Option<Arc<[Item<'static>]>>;

/// Layouts kept; past this the record starts again (a template names a handful).
const MAX_LAYOUTS: usize = 64;

impl Layouts {
    /// `t` in `layout`, a Go reference-time layout.
    fn format(&self, t: &chrono::DateTime<chrono::Utc>, layout: &Arc<str>) -> String {
        let items = {
            let mut known = self.0.lock().unwrap_or_else(|p| p.into_inner());
            match known.get(layout) {
                Some(items) => items.clone(),
                None => {
                    if known.len() >= MAX_LAYOUTS {
                        known.clear();
                    }
                    let items = StrftimeItems::new(&strftime(layout))
                        .parse_to_owned()
                        .ok()
                        .map(Arc::from);
                    known.insert(layout.clone(), items.clone());
                    items
                }
            }
        };
        // A spec chrono cannot format is an error from `Display`, which `to_string` would turn
        // into a panic; none is generated by `strftime`, and none may stop the render if one
        // ever is.
        let Some(items) = items else {
            return layout.to_string();
        };
        let mut out = String::new();
        match std::fmt::Write::write_fmt(
            &mut out,
            format_args!("{}", t.format_with_items(items.iter())),
        ) {
            Ok(()) => out,
            Err(_) => layout.to_string(),
        }
    }
}

/// A Go reference-time layout (`2006-01-02T15:04:05Z07:00`) as a chrono format: each
/// reference element becomes its chrono equivalent, everything else is copied.
fn strftime(layout: &str) -> String {
    // Longest elements first, so "2006" wins over "2" and "January" over "Jan".
    const ELEMENTS: [(&str, &str); 24] = [
        ("January", "%B"),
        ("Monday", "%A"),
        ("Z07:00", "Z"),
        ("-07:00", "%:z"),
        ("-0700", "%z"),
        ("2006", "%Y"),
        (".000000000", "%.9f"),
        (".000000", "%.6f"),
        (".000", "%.3f"),
        ("Jan", "%b"),
        ("Mon", "%a"),
        ("MST", "UTC"),
        ("002", "%j"),
        ("01", "%m"),
        ("02", "%d"),
        ("_2", "%e"),
        ("15", "%H"),
        ("03", "%I"),
        ("04", "%M"),
        ("05", "%S"),
        ("06", "%y"),
        ("PM", "%p"),
        ("pm", "%P"),
        // `t` is in UTC; chrono's `%#z` only parses (formatting with it fails: found by
        // fuzzing, `timestamp "-07"` panicked).
        ("-07", "+00"),
    ];
    let mut fmt = String::new();
    let mut rest = layout;
    'outer: while !rest.is_empty() {
        // Only the elements that start with the next byte are tried (a byte compare each).
        let first = rest.as_bytes()[0];
        for (go, strftime) in ELEMENTS {
            if go.as_bytes()[0] != first {
                continue;
            }
            if let Some(after) = rest.strip_prefix(go) {
                fmt.push_str(strftime);
                rest = after;
                continue 'outer;
            }
        }
        // Single-digit forms.
        let (go, strftime) = match rest.as_bytes()[0] {
            b'1' => ("1", "%-m"),
            b'2' => ("2", "%-d"),
            b'3' => ("3", "%-I"),
            b'4' => ("4", "%-M"),
            b'5' => ("5", "%-S"),
            _ => {
                let c = rest.chars().next().unwrap_or(' ');
                if c == '%' {
                    fmt.push_str("%%");
                } else {
                    fmt.push(c);
                }
                rest = &rest[c.len_utf8()..];
                continue;
            }
        };
        fmt.push_str(strftime);
        rest = &rest[go.len()..];
    }
    fmt
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ok, render};
    use chrono::TimeZone;

    #[test]
    fn env_functions_read_the_runs_environment() {
        let env = [("A", "1"), ("E", "")];
        let out = render(
            r#"{{ env "A" }}|{{ env "NOPE" }}|{{ envOrDefault "E" "d" }}|{{ envOrDefault "A" "d" }}|{{ mustEnv "A" }}"#,
            &env,
        )
        .unwrap();
        assert_eq!(out, "1||d|1|1");
        let err = render(r#"{{ mustEnv "NOPE" }}"#, &env).unwrap_err();
        assert!(err.contains("NOPE is not set"), "{err}");
    }

    #[test]
    fn loop_ranges() {
        assert_eq!(ok("{{ range loop 3 }}{{ . }}{{ end }}"), "012");
        assert_eq!(ok("{{ range $i := loop 2 5 }}{{ $i }}{{ end }}"), "234");
        assert_eq!(ok(r#"{{ range loop "2" }}{{ . }}{{ end }}"#), "01");
        assert!(render("{{ loop }}", &[]).is_err());
        // Found by fuzzing: the whole range is built, so a huge one is refused, not allocated.
        let err = render("{{ loop 1483588865 }}", &[]).unwrap_err();
        assert!(err.contains("more than the limit"), "{err}");
        assert_eq!(ok("{{ len (loop 1000000) }}"), "1000000");
    }

    #[test]
    fn timestamps() {
        let t = chrono::Utc.with_ymd_and_hms(2026, 3, 4, 15, 6, 7).unwrap();
        // The second call of each layout formats from what the first one read.
        let layouts = super::Layouts::default();
        let go_layout = |t, layout: &str| {
            let first = layouts.format(t, &layout.into());
            assert_eq!(layouts.format(t, &layout.into()), first, "{layout}");
            first
        };
        assert_eq!(
            go_layout(&t, "2006-01-02T15:04:05Z07:00"),
            "2026-03-04T15:06:07Z"
        );
        assert_eq!(
            go_layout(&t, "Mon Jan _2 03:04PM 2006"),
            "Wed Mar  4 03:06PM 2026"
        );
        assert_eq!(go_layout(&t, "15:04 -07"), "15:06 +00");
        // As in Go, a lone 1 is the month even inside other text.
        assert_eq!(go_layout(&t, "2/1 100%"), "4/3 300%");
        let unix: i64 = ok(r#"{{ timestamp "unix" }}"#).parse().unwrap();
        assert!(unix > 1_700_000_000);
        assert_eq!(ok("{{ timestamp }}").len(), "2026-03-04T15:06:07Z".len());
    }
}
